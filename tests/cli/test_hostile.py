"""Hostile content: text from articles, feeds, file names and case files is never markup
and never reaches the terminal as a control sequence, in any command's output."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rich.console import Console

import tocsin.commands.common as common
from tocsin.cli import main
from tocsin.report.terminal import neutralised, safe

# Rich markup that would crash a renderer, plant a hyperlink or restyle the screen, an ANSI
# screen clear, an OSC 8 hyperlink, a bell, and a right-to-left override.
MARKUP = "[/] [link=https://phish.example/login]click me[/link] [bold red]x"
CLEAR = "\x1b[2J\x1b[H"
OSC_LINK = "\x1b]8;;https://phish.example/\x07here\x1b]8;;\x07"
RLO = "\u202e"
HOSTILE = f"{MARKUP} {CLEAR}{OSC_LINK} {RLO}gnp.exe"
# Sequences that only hostile data could have put there: rich's own styles are SGR codes
# (ESC [ ... m), never a screen clear, a cursor move, a hyperlink or a bell.
FORBIDDEN = ("\x1b[2J", "\x1b[H", "\x1b]8;", "\x07", RLO)


def _run(*args: str, color: bool = False) -> Result:
    """The command in-process; with ``color``, its consoles are terminals with colour."""
    if not color:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)
    screen, errors = StringIO(), StringIO()
    saved = common.out, common.err
    common.out = Console(file=screen, force_terminal=True, color_system="truecolor", width=200)
    common.err = Console(file=errors, force_terminal=True, color_system="truecolor", width=200)
    try:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        common.out, common.err = saved
    result.screen = screen.getvalue() + errors.getvalue()  # type: ignore[attr-defined]
    return result


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    body = (
        f"{HOSTILE}\n\n"
        f"Lukashenko said {MARKUP} was not the plan, according to the ministry {CLEAR}. "
        "The army of Belarus held drills near the border on Monday, officials said. "
        "Thousands of soldiers took part, and the drills lasted two weeks in total.\n\n"
        "Analysts said the exercises were a signal to Kyiv and to the West, and that more "
        "would follow in the spring if the war went on as it had through the winter months."
    )
    (folder / "story.txt").write_text(body, encoding="utf-8")
    db = folder / "t.db"
    result = _run("ingest", str(folder), "--db", str(db), "--workers", "1", "-q")
    assert result.exit_code == 0, result.output
    return db


def _clean(result: Result) -> str:
    text = result.stdout + (result.stderr if result.stderr_bytes is not None else "")
    text += getattr(result, "screen", "")
    if not hasattr(result, "screen"):
        assert "\x1b" not in text  # no terminal, no escape sequence at all
    for bad in FORBIDDEN:
        assert bad not in text, (bad, text)
    assert "phish.example/login]" not in text.replace("[link=https://phish.example/login]", "")
    return text


@pytest.mark.parametrize("color", [False, True])
@pytest.mark.parametrize(
    "command",
    [
        ("status",),
        ("show", "1"),
        ("search", "drills"),
        ("search", "Lukashenko"),
        ("entities",),
        ("quotes",),
    ],
)
def test_read_commands_show_hostile_text_as_written(
    hostile_db: Path, command: tuple[str, ...], color: bool
) -> None:
    result = _run(*command, "--db", str(hostile_db), color=color)
    assert result.exit_code == 0, result.output
    text = _clean(result)
    if command[0] == "show":
        assert "[link=https://phish.example/login]" in text  # shown, not obeyed
        assert "\\x1b[2J" in text


def test_the_ingest_table_shows_a_hostile_title_as_written(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    record = {
        "title": HOSTILE,
        "outlet": f"{MARKUP}{OSC_LINK}",
        "text": "A long enough paragraph of ordinary prose follows here, so that the cleaner "
        "keeps it as the body of the article; its title and outlet come from the record.",
    }
    (tmp_path / "in" / "a.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = _run("ingest", str(tmp_path / "in"), "--db", str(tmp_path / "t.db"), "-q",
                  "--no-extract", "--workers", "1", color=True)  # fmt: skip
    assert result.exit_code == 0, result.output
    text = _clean(result)
    assert "[/]" in text
    assert "gnp.exe" in text  # the override itself was removed at ingest
    assert "\\u202e" not in text
    assert "\\x1b]8;;https://phish.example/" in text  # the hyperlink shown as text


def test_a_hostile_file_name_in_a_failure_is_neutralised(tmp_path: Path) -> None:
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / f"x{RLO}fdp.txt").write_bytes(b"")
    (bad / "\x1b[2Jclear.txt").write_bytes(b"")
    db = tmp_path / "t.db"
    result = _run("ingest", str(bad), "--db", str(db), "-q", "--no-extract", color=True)
    assert result.exit_code == 1
    _clean(result)
    status = _run("status", "--db", str(db), color=True)
    text = _clean(status)
    assert "\\u202e" in text
    assert "\\x1b" in text
    data = json.loads(_run("status", "--db", str(db), "--json").stdout)
    assert len(data["failures"]) == 2  # JSON keeps the real names, escaped by JSON itself


def test_errors_name_hostile_paths_safely(tmp_path: Path) -> None:
    result = _run("show", "1", "--db", str(tmp_path / f"{CLEAR}nothing.db"), color=True)
    assert result.exit_code == 3
    _clean(result)


def test_neutralised_keeps_ordinary_text_and_escapes_controls() -> None:
    assert neutralised("Łukaszenka — “quoted” 20 000\tok\nnext") == (
        "Łukaszenka — “quoted” 20 000\tok\nnext"
    )
    assert neutralised("a\x1b[31mb\u202ec\x00") == "a\\x1b[31mb\\u202ec\\x00"
    assert safe("[bold]x[/bold]").plain == "[bold]x[/bold]"
