"""The Russian gold (tests/data/russian) passes its own checker, and the checker catches a
broken copy: a snippet that moved, a date range that runs backwards, a speaker that is no
entity, a canonical name with two labels."""

from __future__ import annotations

import importlib.util
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

GOLD = Path(__file__).resolve().parents[1] / "data" / "russian"


def _checker() -> ModuleType:
    """check_gold.py loaded by path (tests/data is data, not a package)."""
    spec = importlib.util.spec_from_file_location("russian_check_gold", GOLD / "check_gold.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_russian_gold_has_no_fault() -> None:
    faults, golds = _checker().check_directory(GOLD)
    assert faults == []
    assert sorted(golds) == [f"{n:02d}.json" for n in range(1, 13)]


def test_main_exits_0_on_the_gold(capsys: pytest.CaptureFixture[str]) -> None:
    assert _checker().main() == 0
    assert "FAULT" not in capsys.readouterr().err


def _break_04(gold: dict[str, Any]) -> None:
    gold["quotes"][0]["text"] += " (not in the text)"


def _break_05(gold: dict[str, Any]) -> None:
    gold["dates"][0]["date_start"], gold["dates"][0]["date_end"] = "2022-06-25", "2022-06-24"


def _break_07(gold: dict[str, Any]) -> None:
    gold["quotes"][0]["speaker"] = "Alexander Lukashenka"


def _break_11(gold: dict[str, Any]) -> None:
    next(e for e in gold["entities"] if e["canonical"] == "Minsk")["label"] = "LOC"


@pytest.mark.parametrize(
    ("file", "breaks", "fault"),
    [
        ("04.json", _break_04, "occurrence 1 not found"),
        ("05.json", _break_05, "runs backwards"),
        ("07.json", _break_07, "is not an entity of the file"),
        ("11.json", _break_11, "canonical 'Minsk' has labels ['GPE', 'LOC']"),
    ],
)
def test_a_broken_copy_fails(
    tmp_path: Path, file: str, breaks: Callable[[dict[str, Any]], None], fault: str
) -> None:
    copy = tmp_path / "russian"
    shutil.copytree(GOLD, copy)
    path = copy / file
    gold = json.loads(path.read_text(encoding="utf-8"))
    breaks(gold)
    path.write_text(json.dumps(gold, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    faults, _ = _checker().check_directory(copy)
    assert any(fault in f for f in faults), faults


def test_a_file_that_is_not_json_is_a_fault(tmp_path: Path) -> None:
    copy = tmp_path / "russian"
    shutil.copytree(GOLD, copy)
    (copy / "09.json").write_text("{not json", encoding="utf-8")
    faults, _ = _checker().check_directory(copy)
    assert any(f.startswith("09.json: not valid UTF-8 JSON") for f in faults), faults
