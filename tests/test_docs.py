"""Documentation that cannot rot: settings, failure codes, exit codes and README commands."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

import tocsin
from tocsin.cli import main
from tocsin.config import SETTINGS
from tocsin.errors import FailureCode

ROOT = Path(__file__).resolve().parents[1]
CLI_DOC = (ROOT / "docs" / "cli.md").read_text("utf-8")
README = (ROOT / "README.md").read_text("utf-8")


def test_every_setting_is_documented() -> None:
    for setting in SETTINGS:
        assert f"`{setting.name}`" in CLI_DOC
        assert f"`{setting.env}`" in CLI_DOC


def test_every_failure_code_is_documented() -> None:
    for code in FailureCode:
        assert f"| `{code.value}` |" in CLI_DOC


def test_quick_start_is_two_commands_that_exist() -> None:
    block = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["./dev demo", "./dev test"]
    dev = (ROOT / "dev").read_text("utf-8")
    assert "demo)" in dev
    assert "test)" in dev
    assert "./dev test" in (ROOT / ".ci" / "run").read_text("utf-8")


def test_tour_commands_run(tmp_path: Path) -> None:
    runner = CliRunner()
    db = tmp_path / "tocsin-demo.db"
    assert runner.invoke(main, ["demo", "--db", str(db), "--json"]).exit_code == 0
    assert (tmp_path / "tocsin-demo-report" / "belarus-2022.html").exists()
    tour = README.split("## A tour", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    for line in tour.strip().splitlines():
        args = shlex.split(line.split("#")[0])[1:]
        args = [str(db) if a == "tocsin-demo.db" else a for a in args]
        args = [str(tmp_path / a) if a.endswith((".jsonl", "-report")) else a for a in args]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (line, result.output)


def test_every_command_is_documented() -> None:
    for name in main.commands:  # type: ignore[attr-defined]
        assert f"`tocsin {name}" in CLI_DOC


def test_public_surface_is_sorted_and_importable() -> None:
    assert tocsin.__all__ == sorted(tocsin.__all__)
    for name in tocsin.__all__:
        assert getattr(tocsin, name) is not None


def test_changelog_mentions_the_issue() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text("utf-8")
    assert re.search(r"\(#2\)", changelog)
