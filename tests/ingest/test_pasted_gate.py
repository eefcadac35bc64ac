"""Pasted-page quality gate: the composed pages of tests/data/pasted keep their floors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import load_bench

ROOT = Path(__file__).resolve().parents[2]
FLOORS = ROOT / "tests" / "data" / "quality_floors.json"


bench = load_bench("eval_pasted")


@pytest.fixture(scope="module")
def measured() -> dict[str, Any]:
    results: dict[str, Any] = bench.evaluate(bench.load_pages())
    return results


def test_the_pages_are_well_formed_and_split_in_two_halves() -> None:
    pages = bench.load_pages()
    halves = [p.half for p in pages]
    assert halves.count("tune") >= 10
    assert halves.count("check") >= 10
    assert len({p.name for p in pages if p.half == "tune"}) == halves.count("tune")
    for page in pages:
        assert page.title in page.paste
        assert all(par in page.paste for par in page.body.split("\n\n"))
        assert page.published[0] <= page.published[1]


def test_load_page_refuses_an_unmarked_line(tmp_path: Path) -> None:
    page = tmp_path / "x.page"
    page.write_text("# published: 2022-01-01\n# stated: yes\nT Title here\nno mark\n")
    with pytest.raises(ValueError, match="does not start"):
        bench.load_page(page)


@pytest.mark.parametrize("half", ["tune", "check"])
def test_pasted_pages_keep_their_floors(measured: dict[str, Any], half: str) -> None:
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))["pasted_pages"]["floors"][half]
    got = measured["halves"][half]
    below = {k: (round(got[k], 4), v) for k, v in floors.items() if got[k] < v}
    assert not below, f"{half} half below its floors (measured, floor): {below}"
