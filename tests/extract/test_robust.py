"""No article can jam extraction: long texts go in pieces, a failing or endless article is
recorded with its reason and skipped on the next run, and the rest of the batch is done."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import tocsin.extract.article as article_module
from tocsin.config import Config
from tocsin.extract.article import OverBudget, extract_article, pipeline, time_budget
from tocsin.extract.report import Options
from tocsin.extract.run import extract
from tocsin.ingest.pipeline import ingest
from tocsin.store.db import Store
from tocsin.store.evidence import extraction_counts, extraction_failures, sentences
from tocsin.store.status import status

PARAGRAPH = (
    "Alexander Lukashenko said on Monday that Belarus would not send troops to Ukraine. "
    "“We will not fight,” he told reporters in Minsk, according to the state agency BelTA. "
    "About 9,000 Russian soldiers arrived in Belarus in October 2022, officials said."
)


def _corpus(folder: Path, texts: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def _store(tmp_path: Path, texts: dict[str, str]) -> Path:
    db = tmp_path / "t.db"
    with Store.open(db) as store:
        report = ingest(
            [_corpus(tmp_path / "in", texts)], store=store, config=Config.load(workers=1)
        )
    assert report.added_count == len(texts), report.failures
    return db


def test_a_long_article_is_read_in_pieces_with_offsets_into_the_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    nlp, aliases = pipeline("sm")
    text = "\n\n".join(f"Part {i}. {PARAGRAPH}" for i in range(12))
    monkeypatch.setattr(article_module, "PIECE_CHARS", 800)
    monkeypatch.setattr(nlp, "max_length", 1_000)  # a whole-text pass would raise
    found = extract_article(nlp, aliases, text, date(2022, 10, 20))
    assert len(found.sentences) == 48  # 'Part i.' and the paragraph's three
    assert sum(m.text == "Alexander Lukashenko" for m in found.mentions) == 12
    assert len([q for q in found.quotes if q.speaker_text]) >= 12
    records: list[Any] = [*found.mentions, *found.quotes, *found.claims, *found.quantities,
                          *found.dates, *found.events]  # fmt: skip
    for record in records:
        assert text[record.start : record.end] == record.text
    for quote in found.quotes:
        if quote.speaker_start is not None and quote.speaker_end is not None:
            assert text[quote.speaker_start : quote.speaker_end] == quote.speaker_text
    assert {d.date_start for d in found.dates} >= {date(2022, 10, 1)}


def test_a_failing_article_is_recorded_and_the_batch_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = {f"a{i}": f"Story {i}. {PARAGRAPH}" for i in range(5)}
    texts["a2"] = "POISON. " + PARAGRAPH
    db = _store(tmp_path, texts)
    real = article_module.analyse

    def analyse(doc: Any, aliases: Any, anchor: Any) -> Any:
        if "POISON" in doc.text:
            raise ValueError("a rule broke on this text")
        return real(doc, aliases, anchor)

    monkeypatch.setattr(article_module, "analyse", analyse)
    with Store.open(db) as store:
        report = extract(store, workers=1)
        assert report.processed == 5
        assert [e for _, e in report.failed] == ["ValueError: a rule broke on this text"]
        assert extraction_counts(store, "1")["failed"] == 1
        assert [f.error for f in extraction_failures(store)] == [report.failed[0][1]]
        assert status(store, "1").extraction_failures[0].article_id == report.failed[0][0]
        again = extract(store, workers=1)  # the failed article is not tried again
        assert again.processed == 0
        monkeypatch.setattr(article_module, "analyse", real)
        redone = extract(store, workers=1, redo=True)
        assert redone.processed == 5
        assert not redone.failed
        assert extraction_counts(store, "1")["failed"] == 0


def test_an_endless_article_is_stopped_by_its_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _store(tmp_path, {"ok": PARAGRAPH, "slow": "SLOW. " + PARAGRAPH})
    real = article_module.analyse

    def analyse(doc: Any, aliases: Any, anchor: Any) -> Any:
        while "SLOW" in doc.text:  # a rule that never ends
            pass
        return real(doc, aliases, anchor)

    monkeypatch.setattr(article_module, "analyse", analyse)
    with Store.open(db) as store:
        report = extract(store, workers=1, options=Options(budget=1.0))
        assert report.processed == 2
        assert [e for _, e in report.failed] == ["extraction took longer than its budget of 1 s"]
        ok_id = next(i for i in (1, 2) if i not in {a for a, _ in report.failed})
        assert sentences(store, ok_id)


def test_the_budget_is_cancelled_when_the_work_ends() -> None:
    with time_budget(0.2):
        pass
    # a timer left running would raise here, inside an unrelated wait
    with pytest.raises(OverBudget), time_budget(0.1):
        _spin()


def _spin() -> None:
    while True:
        pass


def test_sentences_are_stored_with_the_evidence(tmp_path: Path) -> None:
    text = "Sanctions came from the U.S. The ministry denied it.\n\nGen. Smith said no."
    db = _store(tmp_path, {"s": text + " " + PARAGRAPH})
    with Store.open(db) as store:
        extract(store, workers=1)
        stored = sentences(store, 1)
        article = store.article(1)
    assert article is not None
    cut = [article.text[s.start : s.end] for s in stored]
    assert "Sanctions came from the U.S." in cut
    assert "The ministry denied it." in cut
    assert any(c.startswith("Gen. Smith said no.") for c in cut)
    assert len({s.paragraph for s in stored}) >= 2
    with sqlite3.connect(db) as conn:  # one row per sentence, keyed by its start
        assert conn.execute("SELECT count(*) FROM sentences").fetchone()[0] == len(stored)


def test_an_empty_doc_has_no_sentences() -> None:
    from tocsin.extract.nlp import sentences as doc_sentences

    nlp, _ = pipeline("sm")
    assert doc_sentences(nlp("")) == []
