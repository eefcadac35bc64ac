"""Case files and options that once hung or crashed tocsin: each is now a clear error."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tocsin.assess.case import (
    LIST_LIMITS,
    MAX_CASE_BYTES,
    MAX_ITEMS,
    MAX_PATTERN_CHARS,
    load_case,
    parse_case,
)
from tocsin.assess.link import Unit, link_units
from tocsin.assess.sources import ArticleFacts
from tocsin.cli import main
from tocsin.config import SETTINGS, Config
from tocsin.errors import ConfigError, InvalidInput
from tocsin.ingest.pipeline import ingest
from tocsin.store.db import Store

HEAD = """\
id: safe
question: Will it happen?
resolution: {criteria: it happens, deadline: 2024-12-31}
hypotheses:
  - {id: H1, title: Yes, prior: 0.4}
  - {id: H2, title: No, prior: 0.6}
indicators:
"""
INDICATOR = (
    "  - {{id: i{n}, description: signal {n}, patterns: ['{pattern}'], ratings: {{H1: CC}}}}\n"
)
SCREAM = INDICATOR.format(n=0, pattern="(a+)+$")
FACTS = ArticleFacts(1, "A title", None, "Daily Planet", 1)


def _case(*indicators: str, tail: str = "") -> str:
    return HEAD + "".join(indicators) + tail


def _indicators(count: int, pattern: str = "\\bsignal{n}\\b") -> list[str]:
    return [INDICATOR.format(n=n, pattern=pattern.format(n=n)) for n in range(count)]


def _error(text: str) -> str:
    with pytest.raises(InvalidInput) as caught:
        parse_case(text)
    return str(caught.value)


def _run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def _unit(text: str) -> Unit:
    return Unit(FACTS, 0, len(text), text, "sentence", None, None)


def _store(tmp_path: Path, paragraphs: list[str]) -> Path:
    """A store holding one article of ``paragraphs``, not extracted (linking needs none)."""
    page = tmp_path / "article.txt"
    lead = "Officials in Minsk said the protest began early in the morning and lasted for hours."
    text = "\n\n".join(["Protest in the capital", lead, *paragraphs])
    page.write_text(text + "\n", "utf-8")
    db = tmp_path / "tiny.db"
    with Store.open(db) as store:
        assert ingest([page], store=store, config=Config.load(workers=1)).added_count == 1
    return db


def _links(db: Path, case_file: Path) -> list[dict[str, Any]]:
    listed = _run("evidence", "list", str(case_file), "--db", str(db), "--json")
    assert listed.exit_code == 0, listed.output
    rows: list[dict[str, Any]] = json.loads(listed.output)
    return rows


# -- patterns that once hung assess ----------------------------------------------------------


@pytest.mark.parametrize("length", [40, 100_000])
def test_a_catastrophic_pattern_links_a_long_sentence_and_skips_a_failing_one(
    length: int,
) -> None:
    case = parse_case(_case(SCREAM))
    run = "a" * length
    links = link_units(case, [_unit(f"It went {run}!"), _unit(f"It went {run}")])
    assert [link.unit.text[-3:] for link in links] == ["aaa"]
    assert links[0].reason == f"pattern /(a+)+$/ matched “{run}”"


def test_patterns_are_compiled_once_per_case_not_per_sentence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tocsin.assess import link

    compiled: list[str] = []
    real = link.compile_pattern

    def counting(source: str) -> Any:
        compiled.append(source)
        return real(source)

    monkeypatch.setattr(link, "compile_pattern", counting)
    link._compiled.cache_clear()
    case = parse_case(_case(*_indicators(3)))
    sentences = [_unit(f"Officials saw signal{n % 3} near the border today.") for n in range(30)]
    for chunk in (sentences[:10], sentences[10:20], sentences[20:]):
        assert len(link_units(case, chunk)) == 10
    assert sorted(compiled) == sorted(p for i in case.indicators for p in i.patterns)


def test_assess_links_through_a_catastrophic_pattern(tmp_path: Path) -> None:
    scream = "Witnesses said that the crowd outside the station kept up one long shout, " + "a" * 40
    after = ["Then the crowd shouted " + "a" * 40 + "!", "Nothing else happened, police said."]
    db = _store(tmp_path, [scream, *after])
    case_file = tmp_path / "scream.yaml"
    case_file.write_text(_case(SCREAM), "utf-8")
    result = _run("assess", str(case_file), "--db", str(db), "--no-embeddings", "--json")
    assert result.exit_code == 0, result.output
    assert [row["text"] for row in _links(db, case_file)] == [scream]


# -- counts ----------------------------------------------------------------------------------


def test_sixty_thousand_indicators_are_refused_at_the_first_over_the_limit(
    tmp_path: Path,
) -> None:
    path = tmp_path / "many.yaml"
    line = "  - {{id: i{n}, description: d, patterns: [x], ratings: {{H1: C}}}}\n"
    path.write_text(_case(*(line.format(n=n) for n in range(60_000))), "utf-8")
    assert path.stat().st_size < MAX_CASE_BYTES  # the count is at fault, not the size
    result = _run("case", "check", str(path))
    assert result.exit_code == 5
    assert "indicators (line 8): over the limit of 1,000 entries" in result.output
    assert "Traceback" not in result.output


def test_a_case_at_the_limit_of_indicators_assesses(tmp_path: Path) -> None:
    limit = LIST_LIMITS[("indicators",)]
    db = _store(tmp_path, ["Officials saw signal7 on the border on Tuesday.", "Quiet elsewhere."])
    case_file = tmp_path / "full.yaml"
    case_file.write_text(_case(*_indicators(limit)), "utf-8")
    assert _run("case", "check", str(case_file)).exit_code == 0
    result = _run("assess", str(case_file), "--db", str(db), "--no-embeddings", "--json")
    assert result.exit_code == 0, result.output
    board = {i["id"]: i["state"] for i in json.loads(result.output)["indicators"]}
    assert len(board) == limit
    assert {k for k, state in board.items() if state != "not seen"} == {"i7"}
    assert "over the limit" in _error(_case(*_indicators(limit + 1)))


def test_lists_reached_through_an_alias_keep_their_limits() -> None:
    patterns = "[" + ", ".join(f"p{n}" for n in range(MAX_ITEMS)) + "]"
    text = f"notes: &many {patterns}\n" + _case(
        "  - {id: i0, description: d, patterns: *many, ratings: {H1: C}}\n"
    )
    message = _error(text)
    # The line is where the list is written, before the alias repeats it.
    assert "indicators[0].patterns (line 1): 1,000 entries, over the limit of 100" in message
    assert "notes (line 1): Extra inputs are not permitted" in message  # and the other faults


def test_a_long_pattern_is_refused() -> None:
    long = "x" * (MAX_PATTERN_CHARS + 1)
    message = _error(_case(INDICATOR.format(n=0, pattern=long)))
    assert "indicators[0].patterns[0] (line 8): a pattern of 1,001 characters; at most 1,000" in (
        message
    )


def test_deep_nesting_is_refused_before_python_runs_out_of_stack() -> None:
    message = _error(HEAD + "notes: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "nested deeper than 32 levels" in message


# -- numbers and dates -----------------------------------------------------------------------


def test_a_5000_digit_integer_is_a_fault_with_its_key_and_line(tmp_path: Path) -> None:
    path = tmp_path / "digits.yaml"
    path.write_text(_case(SCREAM).replace("prior: 0.4", "prior: " + "9" * 5000), "utf-8")
    result = _run("case", "check", str(path))
    assert result.exit_code == 5
    assert "Traceback" not in result.output
    assert "hypotheses[0].prior (line 5): a number written with 5,000 characters" in result.output
    assert "9" * 100 not in result.output


@pytest.mark.parametrize(
    ("change", "fault"),
    [
        (("prior: 0.4", "prior: .nan"), "hypotheses[0].prior (line 5): the number .nan is out"),
        (("prior: 0.4", "prior: 1.0e+999"), "hypotheses[0].prior (line 5): the number 1.0e+999"),
        (("2024-12-31", "2024-13-31"), "resolution.deadline (line 3): 2024-13-31 is not a valid"),
        (("title: Yes", "title: 12345678901234567890"), "hypotheses[0].title (line 5): the num"),
    ],
)
def test_numbers_and_dates_out_of_range_are_faults(change: tuple[str, str], fault: str) -> None:
    assert fault in _error(_case(SCREAM).replace(*change))


def test_numbers_in_quotes_are_bounded_too() -> None:
    actors = (
        "actor_model: {issue: i, outcomes: {H1: [0, 5], H2: [5, 10]}, seed: -1,"
        " rounds: '" + "9" * 5000 + "'}\n"
        "actors:\n"
        "  - {id: a, name: A, position: ['1e400', 9], salience: 0.5, capability: 1}\n"
        "  - {id: b, name: B, position: 2, salience: 0.5, capability: 1}\n"
    )
    message = _error(_case(SCREAM, tail=actors))
    assert "actor_model.seed (line 9): Input should be greater than or equal to 0" in message
    assert "actor_model.rounds (line 9)" in message
    assert "actors[0].position.low (line 11): Input should be a finite number" in message


# -- what is read ----------------------------------------------------------------------------


def test_dev_zero_is_refused_without_reading_it_all() -> None:
    with pytest.raises(InvalidInput, match="larger than 5,242,880 bytes, the limit"):
        load_case(Path("/dev/zero"))
    result = _run("case", "check", "/dev/zero")
    assert result.exit_code == 5
    assert "MemoryError" not in result.output


def _in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    done: list[Any] = []

    def run() -> None:
        try:
            done.append(work())
        except Exception as exc:
            done.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, done


def _flood(fifo: Path) -> None:
    chunk = b"x: " + b"y" * 65_533 + b"\n"
    with fifo.open("wb") as fh:  # blocks until the reader opens the FIFO
        try:
            while True:
                fh.write(chunk)
        except BrokenPipeError:
            return  # the reader has had enough


def test_an_endless_fifo_is_read_up_to_the_limit_and_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "endless.yaml"
    os.mkfifo(fifo)
    writer, _ = _in_thread(lambda: _flood(fifo))
    reader, outcome = _in_thread(lambda: load_case(fifo))
    reader.join(timeout=60)
    writer.join(timeout=60)
    assert not reader.is_alive()
    assert not writer.is_alive()
    assert isinstance(outcome[0], InvalidInput)
    assert "larger than 5,242,880 bytes" in str(outcome[0])


def test_a_case_from_a_fifo_loads(tmp_path: Path) -> None:
    fifo = tmp_path / "piped.yaml"
    os.mkfifo(fifo)
    writer, _ = _in_thread(lambda: fifo.write_text(_case(SCREAM), "utf-8"))
    reader, outcome = _in_thread(lambda: load_case(fifo))
    reader.join(timeout=60)
    writer.join(timeout=60)
    assert not reader.is_alive()
    assert [i.id for i in outcome[0].indicators] == ["i0"]


def test_yaml_tags_are_refused() -> None:
    tagged = _case(SCREAM, tail="notes: !!python/object/apply:os.system ['echo owned']\n")
    message = _error(tagged)
    assert "line 9 not valid YAML: could not determine a constructor" in message
    assert "python/object/apply" in message


def _laughs(kind: str) -> str:
    """Nine levels of nine aliases each: 387 million leaves if anything expanded them."""
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for n in range(1, 9):
        refs = ", ".join([f"*l{n - 1}"] * 9)
        if kind == "merge":
            lines[0] = "l0: &l0 {a: lol, b: lol}"
            lines.append(f"l{n}: &l{n} {{<<: [{refs}]}}")
        else:
            lines.append(f"l{n}: &l{n} [{refs}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("kind", ["alias", "merge"])
def test_alias_and_merge_key_bombs_are_refused(kind: str) -> None:
    inside = _laughs(kind) + _case(
        "  - {id: i0, description: d, patterns: [x], examples: *l8, ratings: {H1: C}}\n"
    )
    message = _error(inside)
    assert "l8 (line" in message  # an unknown key, not a case
    assert "indicators[0].examples" in message
    assert len(message) < 20_000


# -- how faults are reported -----------------------------------------------------------------

MANY_FAULTS = _case(
    "  - {id: i0, description: d, patterns: ['\\btroops (?=mass)', '(unclosed'],"
    " likelihoods: {H1: 0.8, H9: 0.2}}\n"
    "  - {id: i0, description: d, patterns: ['x'], ratings: {H1: CC}}\n",
    tail="outcome: H7\n",
).replace("prior: 0.6", "prior: 1.6")


def test_every_fault_is_reported_in_one_run() -> None:
    message = _error(MANY_FAULTS)
    assert message.splitlines() == [
        "<case>: 6 error(s)",
        "  hypotheses[1].prior (line 6): Input should be less than or equal to 1",
        "  indicators[0].patterns[0] (line 8): /\\btroops (?=mass)/ uses a lookahead (?=...),"
        " which RE2 does not support: match the text that follows as part of the pattern",
        "  indicators[0].patterns[1] (line 8): /(unclosed/ is not a regular expression:"
        " missing ), unterminated subpattern at position 0",
        "  indicators[0].likelihoods (line 8): H9 not among the hypotheses (H1, H2)",
        "  indicators[1].id (line 9): id 'i0' is used twice",
        "  outcome (line 10): 'H7' is not a hypothesis",
    ]


def test_a_regex_is_shown_as_written_with_one_backslash(tmp_path: Path) -> None:
    path = tmp_path / "faults.yaml"
    path.write_text(MANY_FAULTS, "utf-8")
    result = _run("case", "check", str(path))
    assert "/\\btroops (?=mass)/" in result.output
    assert "\\\\b" not in result.output


def test_content_faults_print_no_usage_banner_and_exit_5(tmp_path: Path) -> None:
    path = tmp_path / "faults.yaml"
    path.write_text(MANY_FAULTS, "utf-8")
    db = ("--db", str(tmp_path / "none.db"))
    for command in (["case", "check", str(path)], ["assess", str(path), *db], ["track", *db]):
        if command[0] == "track":
            command += ["--case", str(path)]
        result = _run(*command)
        assert result.exit_code == 5, command
        assert result.output.startswith(f"error: {path}: 6 error(s)\n")
        assert "Usage:" not in result.output
        assert "Try 'tocsin" not in result.output


def test_control_characters_from_the_file_are_escaped() -> None:
    message = _error(_case(SCREAM, tail='"\\e[2Jnotes": 1\n'))
    assert "\x1b" not in message
    assert "\\u001b[2Jnotes (line 9): Extra inputs are not permitted" in message


# -- numbers on the command line and in the environment ---------------------------------------

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["search", "troops", "--limit", HUGE, "--db"], "--limit"),
        (["entities", "--limit", HUGE, "--db"], "--limit"),
        (["show", HUGE, "--db"], "ARTICLE_ID"),
        (["evidence", "accept", "belarus-2022", HUGE, "--db"], "LINK_ID"),
        (["extract", "--workers", HUGE, "--db"], "--workers"),
        (["ingest", "x.txt", "--max-input-bytes", HUGE, "--db"], "--max-input-bytes"),
        (["ingest", "x.txt", "--fetch-timeout", "1e999", "--db"], "--fetch-timeout"),
        (["actors", "simulate", "--rounds", HUGE], "--rounds"),
    ],
)
def test_a_number_out_of_range_is_a_usage_error(args: list[str], name: str, tmp_path: Path) -> None:
    csv = tmp_path / "actors.csv"
    csv.write_text("Actor,Capability,Position,Salience\nA,1,2,0.5\nB,1,8,0.5\n", "utf-8")
    last = str(tmp_path / "none.db") if args[-1] == "--db" else str(csv)
    result = _run(*args, last)
    assert result.exit_code == 2
    assert f"Invalid value for '{name}'" in result.output
    assert "is not in the range" in result.output
    assert isinstance(result.exception, SystemExit)
    assert not (tmp_path / "none.db").exists()


@pytest.mark.parametrize(
    "setting",
    [s for s in SETTINGS if isinstance(s.default, int | float)],  # the numeric ones
    ids=lambda s: str(s.name),
)
@pytest.mark.parametrize("value", ["1" + "0" * 30, "-1", "nan", "inf"])
def test_an_environment_variable_out_of_range_is_a_config_error(
    setting: Any, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(setting.env, value)
    with pytest.raises(ConfigError, match=setting.env):
        Config.load()


@pytest.mark.parametrize("value", ["-1", "10.0.0.0/33", "exa mple..org", "http://x/"])
def test_a_bad_fetch_allow_entry_is_a_config_error(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOCSIN_FETCH_ALLOW", value)
    with pytest.raises(ConfigError, match="TOCSIN_FETCH_ALLOW"):
        Config.load()


def test_an_environment_variable_out_of_range_is_a_configuration_error(tmp_path: Path) -> None:
    db = _store(tmp_path, ["Quiet day."])
    result = _run("extract", "--db", str(db), env={"TOCSIN_DATE_HORIZON_DAYS": "1" + "0" * 30})
    assert result.exit_code == 6
    assert "TOCSIN_DATE_HORIZON_DAYS must lie between 0 and 36,500" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    # --workers reads TOCSIN_WORKERS itself, so click checks its range: a usage error
    workers = _run("extract", "--db", str(db), env={"TOCSIN_WORKERS": "1" + "0" * 30})
    assert workers.exit_code == 2
