"""Attribution quality gate on the PolNeAR development corpus: tocsin keeps its floors on
both parts (tune and check), and the scorer counts as the corpus README says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import load_bench, shared_corpus

ROOT = Path(__file__).resolve().parents[2]
FLOORS = json.loads((ROOT / "tests" / "data" / "polnear_floors.json").read_text("utf-8"))

bench = load_bench("eval_polnear")


@pytest.fixture(scope="module")
def measured() -> dict[str, Any]:
    """tocsin's figures per part, from one extraction of the 84 articles."""
    articles = bench.load(shared_corpus("polnear-dev", "text"))
    predicted, _ = bench.tocsin_predictions(articles, FLOORS["model"])
    results: dict[str, Any] = bench.score(articles, predicted)
    return results


@pytest.mark.slow
@pytest.mark.parametrize("part", ["tune", "check"])
def test_tocsin_keeps_its_floors_on_polnear(measured: dict[str, Any], part: str) -> None:
    figures = measured[part]
    found = {
        "all_f1": figures["all"]["f1"],
        "direct_f1": figures["direct"]["f1"],
        "speaker_right": figures["speaker_right"],
    }
    below = {k: (round(found[k], 4), v) for k, v in FLOORS[part].items() if found[k] < v}
    assert not below, f"{part}: below the floors (measured, floor): {below}"


def test_parts_are_the_shared_split() -> None:
    # Worked out apart from Python: the sum of the SHA-1's hex digits, modulo 3.
    assert bench.part_of("breitbart_2016-09-12_stealth-over-health-hillary-clin") == "check"
    assert bench.part_of("breitbart_2016-09-15_pat-caddell-democrat-voters-worr") == "tune"
    names = [f"article-{n}" for n in range(300)]
    share = sum(bench.part_of(n) == "check" for n in names) / len(names)
    assert 0.25 < share < 0.42  # a third, by hash


def test_annotations_are_read_with_discontinuous_spans(tmp_path: Path) -> None:
    text = '"We will win," Ann Cole said. "Not today."'
    ann = tmp_path / "x_0001.ann"
    ann.write_text(
        'T1\tContent 0 14;30 42\t"We will win," "Not today."\n'
        "T2\tSource 15 23\tAnn Cole\n"
        "T3\tCue 24 28\tsaid\n"
        "T4\tAttribution 24 28\tsaid\n"
        "E1\tAttribution:T4 Content:T1 Cue:T3 Source:T2\n"
        "E2\tAttribution-no-source:T4 \n",
        encoding="utf-8",
    )
    (gold,) = bench.read_ann(ann, text)  # the relation with no content is left out
    assert gold.content == ((0, 14), (30, 42))
    assert gold.source == ((15, 23),)
    assert (gold.cue, gold.kind) == ("said", "direct")
    ann.write_text("T1\tContent 0 5\tnot the text\n", encoding="utf-8")
    with pytest.raises(ValueError, match="does not match the text"):
        bench.read_ann(ann, text)


def test_matching_takes_half_the_shorter_span_and_is_not_one_to_one() -> None:
    gold = bench.Attribution(((0, 14), (30, 42)), ((15, 23),), "Ann Cole", "said", "direct")
    halves = [
        bench.Predicted(1, 12, True, (15, 23), "Ann Cole"),
        bench.Predicted(31, 41, True, (15, 23), "Ann Cole"),
    ]
    assert bench.overlap(halves[0], gold.content) == 1.0
    tally = bench.Tally()
    tally.add([gold], [*halves, bench.Predicted(50, 60, False)])
    result = tally.result()
    assert result["all"]["matched"] == 2  # both halves of the split quote match it
    assert result["all"]["found"] == 1
    assert result["all"]["precision"] == pytest.approx(2 / 3)
    assert result["speaker_right"] == 1.0
    assert result["direct"]["f1"] == 1.0  # the third quote is not direct


def test_speaker_is_right_by_overlap_or_by_a_shared_name_word() -> None:
    gold = bench.Attribution(((0, 10),), ((40, 49),), "Mr. Obama", "said", "speech verb")
    by_offsets = bench.Predicted(0, 10, False, (40, 43), "Mr.")
    by_name = bench.Predicted(0, 10, False, (90, 92), "he Barack Obama")
    by_title = bench.Predicted(0, 10, False, (90, 103), "the president")
    assert bench.speaker_right(by_offsets, gold)
    assert bench.speaker_right(by_name, gold)
    assert not bench.speaker_right(by_title, gold)  # 'Mr.' names nobody
    no_source = bench.Attribution(((0, 10),), (), "", "is expected", "belief, intention, other")
    assert bench.speaker_right(bench.Predicted(0, 10, False), no_source)
    assert not bench.speaker_right(by_name, no_source)
