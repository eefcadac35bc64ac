"""Routing by language: English to the English pipeline, Russian to the Russian one, any
other language stored, searchable and marked "not extracted (language xx)" (issue #10, item
6). The texts are our own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tocsin.cli import main
from tocsin.config import Config
from tocsin.errors import InvalidInput
from tocsin.extract.languages import Route, mostly_latin, not_extracted, route
from tocsin.extract.report import EXTRACTOR_VERSION, Options
from tocsin.extract.run import analyse_text, extract, read_article
from tocsin.ingest.pipeline import ingest
from tocsin.models.evidence import ArticleText, NotExtracted
from tocsin.store.db import Store
from tocsin.store.evidence import extraction_counts, extraction_state, not_extracted_counts

CROATIAN = (
    "Vlada je u utorak objavila da će se nova pravila o javnom prijevozu primjenjivati od "
    "početka sljedećeg mjeseca. Ministar prometa rekao je novinarima da gradovi trebaju više "
    "autobusa i tramvaja te da će država pomoći u nabavi vozila. Sindikati traže veće plaće "
    "za vozače, a putnici se žale na gužve u jutarnjim satima i na kašnjenja vlakova."
)
POLISH = (
    "Rząd poinformował we wtorek, że nowe przepisy dotyczące transportu publicznego zaczną "
    "obowiązywać od początku przyszłego miesiąca. Minister infrastruktury powiedział "
    "dziennikarzom, że miasta potrzebują więcej autobusów i tramwajów, a państwo pomoże w "
    "zakupie pojazdów. Związki zawodowe domagają się wyższych płac dla kierowców, a pasażerowie "
    "skarżą się na tłok w godzinach porannych."
)
ENGLISH = (
    "Belarusian defence minister Viktor Khrenin said on Tuesday that the drills near the "
    "border were purely defensive. Observers in Vilnius said the columns had moved north."
)


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "anything", Route("en")),
        ("ru", "anything", Route("ru")),
        ("ru-RU", "anything", Route("ru")),
        ("EN_gb", "anything", Route("en")),
        ("hr", CROATIAN, Route(None, "language hr")),
        ("uk", "Війська залишаються на кордоні.", Route(None, "language uk")),
        (None, "Troops stay at the border.", Route("en")),
        (None, "Войска остаются на границе.", Route(None, "language unknown")),
        (None, "Войска вышли к границе, учения закончены.", Route("ru")),  # ы: Russian
        (None, "Війська вийшли до кордону, навчання закінчено.", Route(None, "language unknown")),
        (
            None,
            "Войските излязоха на границата, ученията са приключили.",
            Route(None, "language unknown"),
        ),
        (None, "", Route("en")),
    ],
)
def test_route_by_language(language: str | None, text: str, expected: Route) -> None:
    assert route(language, text) == expected
    assert route(language, text).extracted == (expected.language is not None)


def test_mostly_latin_counts_letters_not_characters() -> None:
    assert mostly_latin("Čačak, Łódź and Šibenik: 1234 5678 9012")
    assert not mostly_latin("Минск, Гродно и Брест — 1234 5678 9012 Ok")
    assert not_extracted("language pl") == "not extracted (language pl)"


def test_no_pipeline_reads_a_foreign_text() -> None:
    found = read_article(ArticleText(1, CROATIAN, None, "hr"), Options())
    assert isinstance(found, NotExtracted)
    assert found.reason == "language hr"
    assert found.sentences
    assert found.sentences[0].start == 0
    with pytest.raises(InvalidInput, match=r"not extracted \(language hr\)"):
        analyse_text(CROATIAN, language="hr")


@pytest.fixture(scope="module")
def mixed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Croatian, Polish and English articles, ingested as JSONL and extracted."""
    folder = tmp_path_factory.mktemp("mixed")
    source = folder / "mixed.jsonl"
    lines = [
        {"text": CROATIAN, "title": "Novi red vožnje", "published": "2022-10-11"},
        {"text": POLISH, "title": "Nowe przepisy", "published": "2022-10-11"},
        {"text": ENGLISH, "title": "Drills", "published": "2022-10-11"},
    ]
    source.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    db = folder / "mixed.db"
    with Store.open(db) as store:
        ingest([source], store=store, config=Config.load(workers=1))
        report = extract(store, workers=1)
    assert report.processed == 3
    assert report.failed == []
    assert report.not_extracted == {"language hr": 1, "language pl": 1}
    return db


def test_foreign_articles_are_marked_not_failed_and_not_extracted(mixed_db: Path) -> None:
    with Store.open(mixed_db) as store:
        languages = dict(store.conn.execute("SELECT id, language FROM articles").fetchall())
        assert languages == {1: "hr", 2: "pl", 3: "en"}
        assert extraction_counts(store, EXTRACTOR_VERSION) == {
            "extracted": 1,
            "stale": 0,
            "failed": 0,
            "not_extracted": 2,
            "pending": 0,
        }
        assert not_extracted_counts(store) == {"language hr": 1, "language pl": 1}
        state = extraction_state(store, 1)
        assert (state.state, state.reason) == ("not extracted", "language hr")
        assert state.describe() == "not extracted (language hr)"
        assert (
            extraction_state(store, 3).describe()
            == f"extracted (sm, extractor {EXTRACTOR_VERSION})"
        )
        # The English model never read them: no evidence at all, but their sentences are kept.
        for table in ("mentions", "quotes", "claims", "quantities", "date_mentions", "events"):
            rows = store.conn.execute(f"SELECT count(*) FROM {table} WHERE article_id < 3")
            assert rows.fetchone()[0] == 0, table
        assert (
            store.conn.execute("SELECT count(*) FROM sentences WHERE article_id = 1").fetchone()[0]
            == 3
        )
        assert store.conn.execute("SELECT count(*) FROM mentions WHERE article_id = 3").fetchone()[
            0
        ]
        # Not a failure to retry: a second run reads nothing; --redo reads them again.
        assert extract(store, workers=1).processed == 0
        again = extract(store, workers=1, redo=True)
        assert again.processed == 3
        assert again.not_extracted == {"language hr": 1, "language pl": 1}


def test_foreign_articles_are_searchable(mixed_db: Path) -> None:
    with Store.open(mixed_db) as store:
        assert [h.article_id for h in store.search("tramvaja")] == [1]
        assert [h.article_id for h in store.search("tramwajów")] == [2]


def test_status_show_and_export_say_not_extracted(mixed_db: Path) -> None:
    status = json.loads(_run("status", "--db", str(mixed_db), "--json").stdout)
    assert status["extraction"]["not_extracted"] == 2
    assert status["extraction"]["failed"] == 0
    assert status["not_extracted"] == {"language hr": 1, "language pl": 1}
    table = _run("status", "--db", str(mixed_db)).stdout
    assert "not extracted (language hr)" in table
    assert "not extracted (language pl)" in table
    shown = _run("show", "1", "--db", str(mixed_db)).stdout
    assert "not extracted (language hr)" in shown
    as_json = json.loads(_run("show", "1", "--db", str(mixed_db), "--json").stdout)
    assert as_json["extraction"]["state"] == "not extracted"
    lines = [json.loads(x) for x in _run("export", "--db", str(mixed_db)).stdout.splitlines()]
    states = [(x["extraction"]["state"], x["extraction"]["reason"]) for x in lines]
    assert states == [
        ("not extracted", "language hr"),
        ("not extracted", "language pl"),
        ("extracted", None),
    ]
    assert lines[0]["entities"] == []
    assert lines[2]["entities"]
    searched = json.loads(_run("search", "autobusa", "--db", str(mixed_db), "--json").stdout)
    assert [h["id"] for h in searched] == [1]
