"""Dates inputs give (issue #10): a month or a year alone is kept as a range, stored, shown
and exported; a date that cannot be read is a warning of the ingest and of `tocsin status`,
never dropped in silence."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from tocsin.assess.score import known_by
from tocsin.cli import main
from tocsin.config import Config
from tocsin.ingest.dates import read_stated
from tocsin.ingest.pipeline import ingest
from tocsin.store.db import Store

TEXT = (
    "Minsk said that the exercise near the border would continue for two more weeks.\n"
    "Lithuanian border guards said they had seen more vehicles than in previous years."
)


@pytest.mark.parametrize(
    ("given", "span"),
    [
        ("2022-02", (date(2022, 2, 1), date(2022, 2, 28), "month")),
        ("2024-02", (date(2024, 2, 1), date(2024, 2, 29), "month")),
        ("2022", (date(2022, 1, 1), date(2022, 12, 31), "year")),
        (2022, (date(2022, 1, 1), date(2022, 12, 31), "year")),
        ("February 2022", (date(2022, 2, 1), date(2022, 2, 28), "month")),
        ("2022-02-24", (date(2022, 2, 24), date(2022, 2, 24), "day")),
        ("2022-02-24T05:00:00+02:00", (date(2022, 2, 24), date(2022, 2, 24), "day")),
        ("20220224", (date(2022, 2, 24), date(2022, 2, 24), "day")),
        ("24.02.2022", (date(2022, 2, 24), date(2022, 2, 24), "day")),
        ("Thursday, 24 February 2022", (date(2022, 2, 24), date(2022, 2, 24), "day")),
        (1645671600, (date(2022, 2, 24), date(2022, 2, 24), "day")),
    ],
)
def test_stated_dates_with_their_precision(given: object, span: object) -> None:
    assert read_stated(given) == span


@pytest.mark.parametrize(
    "given", ["2022-13", "2022-02-30", "sometime in spring", "soon", [2022], True, 12, "22/02"]
)
def test_unreadable_dates_are_none(given: object) -> None:
    assert read_stated(given) is None


@given(st.one_of(st.text(max_size=40), st.integers(), st.floats(), st.none()))
def test_read_stated_never_crashes(value: object) -> None:
    span = read_stated(value)
    if span is not None:
        assert span[0] <= span[1]


def _jsonl(path: Path, *published: object) -> Path:
    lines = [
        json.dumps({"text": f"{TEXT}\nRecord {n}.", "title": f"Record {n}", "published": p})
        for n, p in enumerate(published)
    ]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_month_and_year_from_jsonl_are_stored_as_ranges(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "a.jsonl", "2022-02", "2022", "2022-02-24")
    with Store.open(tmp_path / "t.db") as store:
        report = ingest([path], store=store, config=Config.load(workers=1))
        month, year, day = list(store.articles())
    assert report.ok
    assert [a.precision for a in report.added] == ["month", "year", "day"]
    assert month.published_range == (date(2022, 2, 1), date(2022, 2, 28))
    assert month.published == date(2022, 2, 28)  # the range's end: known once it is over
    assert not month.published_estimated
    assert month.published_precision == "month"
    assert year.published_range == (date(2022, 1, 1), date(2022, 12, 31))
    assert year.published_precision == "year"
    assert day.published_range == (date(2022, 2, 24), date(2022, 2, 24))
    assert day.published_precision == "day"


def test_show_and_export_carry_the_range(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "a.jsonl", "2022-02")
    db = tmp_path / "t.db"
    assert CliRunner().invoke(main, ["ingest", str(path), "--db", str(db), "-q",
                                     "--no-extract"]).exit_code == 0  # fmt: skip
    shown = CliRunner().invoke(main, ["show", "1", "--db", str(db)])
    assert "2022-02 (only the month stated: 2022-02-01 to 2022-02-28)" in shown.output
    exported = CliRunner().invoke(main, ["export", "--db", str(db)])
    (line,) = exported.stdout.splitlines()
    record = json.loads(line)
    assert record["published"] == "2022-02-28"
    assert record["published_range"] == ["2022-02-01", "2022-02-28"]
    assert record["published_precision"] == "month"
    assert not record["published_estimated"]


def test_an_unreadable_date_is_a_warning_and_the_article_is_kept(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "a.jsonl", "the 31st of Febtember", "2022-02-30")
    db = tmp_path / "t.db"
    result = CliRunner().invoke(main, ["ingest", str(path), "--db", str(db), "--json",
                                       "--no-extract"])  # fmt: skip
    report = json.loads(result.stdout)
    assert report["added"] == 2
    assert report["warned"] == 2
    assert [w["warning"][:12] for w in report["warnings"]] == ["'published' "] * 2
    assert "Febtember" in report["warnings"][0]["warning"]
    status = json.loads(CliRunner().invoke(main, ["status", "--db", str(db), "--json"]).stdout)
    assert status["counts"]["articles_with_warnings"] == 2
    assert [w["article_id"] for w in status["warnings"]] == [1, 2]
    assert "2022-02-30" in status["warnings"][1]["message"]
    text = CliRunner().invoke(main, ["status", "--db", str(db)]).output
    assert "Ingest warnings" in text
    with Store.open(db) as store:
        first = next(iter(store.articles()))
    assert first.published is None or first.published_estimated  # never a guess as stated


def test_an_unreadable_feed_date_is_a_warning(tmp_path: Path) -> None:
    feed = tmp_path / "f.xml"
    feed.write_text(
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Example News</title>"
        "<item><title>Drills go on</title><link>https://example.org/a</link>"
        "<pubDate>sometime last week</pubDate>"
        f"<description>&lt;p&gt;{TEXT}&lt;/p&gt;</description></item></channel></rss>",
        "utf-8",
    )
    with Store.open(tmp_path / "t.db") as store:
        report = ingest([feed], store=store, config=Config.load(workers=1))
        warnings = store.warnings()
    assert report.warning_count == 1
    assert "sometime last week" in warnings[0].message


def test_time_travel_counts_a_month_only_once_it_is_over(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "a.jsonl", "2022-02")
    with Store.open(tmp_path / "t.db") as store:
        ingest([path], store=store, config=Config.load(workers=1))
        (article,) = list(store.articles())
    assert not known_by(article.published, date(2022, 2, 15))
    assert known_by(article.published, date(2022, 2, 28))


def test_the_ingest_table_shows_the_month_and_the_warning(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "a.jsonl", "2022-02", "Febtember")
    db = tmp_path / "t.db"
    result = CliRunner().invoke(main, ["ingest", str(path), "--db", str(db), "-q",
                                       "--no-extract"])  # fmt: skip
    assert result.exit_code == 0  # a warning is not a failure
    assert "2022-02" in result.output
    assert "Warnings" in result.output
    assert "Febtember" in result.output
    assert "1 warnings" in result.output
