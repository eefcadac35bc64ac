"""Evidence quality gate: tocsin keeps its floors on the gold of the seed articles, beats
each peer measured in the same run, and puts every spelling variant the issue names in one
canonical entity."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import load_bench

ROOT = Path(__file__).resolve().parents[2]
FLOORS = json.loads((ROOT / "tests" / "data" / "evidence_floors.json").read_text("utf-8"))


bench = load_bench("eval_evidence")


@pytest.fixture(scope="module")
def measured() -> dict[str, Any]:
    results: dict[str, Any] = bench.run("sm")
    return results


@pytest.mark.parametrize("task", [k for k in FLOORS if k.startswith(("quotes", "fig", "dat"))])
def test_task_keeps_its_floors_and_beats_its_peer(measured: dict[str, Any], task: str) -> None:
    systems = measured["tasks"][task]
    ours = systems["tocsin"]
    for metric, floor in FLOORS[task].items():
        assert ours[metric] >= floor, f"{task} {metric} {ours[metric]:.3f} < floor {floor}"
    for name, peer in systems.items():
        if not name.startswith("tocsin"):  # peers, not tocsin's own variants
            assert ours["f1"] > peer["f1"], f"{task}: {name} {peer['f1']:.3f} >= tocsin"


def test_entity_clusters_keep_their_floor_and_beat_exact_strings(
    measured: dict[str, Any],
) -> None:
    ours = measured["entities"]["tocsin"]
    assert ours["f1"] >= FLOORS["entity clusters"]["f1"]
    assert ours["f1"] > measured["entities"]["spaCy NER, exact strings"]["f1"]


def test_every_named_spelling_variant_is_one_entity(measured: dict[str, Any]) -> None:
    groups = measured["entities"]["variant_groups"]
    bad = {name: g["present"] for name, g in groups.items() if not g["one_entity"]}
    assert not bad, bad
    assert all(len(g["present"]) >= 2 for g in groups.values()), groups


def test_gold_snippets_are_found_where_the_gold_says() -> None:
    text = "He said no. Then he said no again."
    assert bench.locate(text, "said no", 2) == (20, 27)
    with pytest.raises(ValueError, match="not in text"):
        bench.locate(text, "said yes")


def test_matching_is_one_to_one_and_needs_half_the_shorter_span() -> None:
    item = bench.Item
    gold = [item(0, 10), item(20, 30)]
    pred = [item(0, 10), item(2, 9), item(26, 40)]
    pairs = bench.match(gold, pred)
    assert [(g.start, p.start) for g, p in pairs] == [(0, 0)]
    assert bench.prf(1, 3, 2)["f1"] == pytest.approx(0.4)


def test_the_gold_scope_is_speech_and_for_indirect_speech_a_speaker() -> None:
    said = {"kind": "indirect", "reports": "speech", "source_kind": "speaker"}
    assert bench.in_gold_scope(said)
    assert not bench.in_gold_scope({**said, "reports": "belief"})  # "X believes that …"
    assert not bench.in_gold_scope({**said, "reports": "topic"})  # "X criticised the plan"
    assert not bench.in_gold_scope({**said, "source_kind": "group"})  # "analysts said …"
    assert bench.in_gold_scope({**said, "kind": "direct", "source_kind": "group"})
    assert bench.in_gold_scope({"kind": "partial"})  # stored before the fields existed
