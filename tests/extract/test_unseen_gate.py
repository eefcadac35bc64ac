"""Quality gate on the unseen English shelf (tests/data/unseen-en): quotes, speakers and
event categories keep their floors on both halves (tune and check)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import load_bench

ROOT = Path(__file__).resolve().parents[2]
SHELF = ROOT / "tests" / "data" / "unseen-en"
FLOORS = json.loads((ROOT / "tests" / "data" / "unseen_floors.json").read_text("utf-8"))

quotes_bench = load_bench("eval_unseen")
events_bench = load_bench("eval_events")


@pytest.fixture(scope="module")
def measured() -> dict[str, dict[str, float]]:
    """Each half's figures, from one run of each scorer over the 30 gold articles."""
    quotes: dict[str, Any] = quotes_bench.evaluate(quotes_bench.load(SHELF))["parts"]
    events: dict[str, Any] = events_bench.evaluate(SHELF)["splits"]
    return {
        part: {
            "quotes_f1": quotes[part]["all"]["f1"],
            "speaker_right": quotes[part]["all"]["agreement"],
            "event_category_precision": events[part]["category"]["precision"],
            "event_category_recall": events[part]["category"]["recall"],
        }
        for part in ("tune", "check")
    }


@pytest.mark.slow
@pytest.mark.parametrize("part", ["tune", "check"])
def test_tocsin_keeps_its_floors_on_the_unseen_shelf(
    measured: dict[str, dict[str, float]], part: str
) -> None:
    found = measured[part]
    below = {k: (round(found[k], 4), v) for k, v in FLOORS[part].items() if found[k] < v}
    assert not below, f"{part}: below the floors (measured, floor): {below}"


def test_the_floors_cover_both_halves_and_every_figure() -> None:
    assert set(FLOORS) - {"_comment"} == {"tune", "check"}
    assert set(FLOORS["tune"]) == set(FLOORS["check"])
    assert all(0 < v <= 1 for part in ("tune", "check") for v in FLOORS[part].values())
