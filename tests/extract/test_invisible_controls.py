"""Bidi and zero-width controls: gone from the clean text, titles, names and keys; kept in the
raw bytes; every stored offset still indexes the stored text."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tocsin.config import Config
from tocsin.extract.aliases import AliasTable
from tocsin.extract.entities import _cluster, _Raw
from tocsin.extract.names import normalise
from tocsin.extract.resolve import spelling
from tocsin.extract.run import extract
from tocsin.ingest.decode import normalize_text
from tocsin.ingest.pipeline import ingest
from tocsin.store.db import Store
from tocsin.store.evidence import entity_table
from tocsin.text import visible

# Every control the ingest drops, and the two joiners it keeps in the text.
DROPPED = (
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    "\u200b\u2060\ufeff\u00ad"
)
JOINERS = "\u200c\u200d"

ARTICLE = (
    "\u202eKremlin\u200f talks go on\n\n"
    "Russian President \u202eVladimir Putin said on Tuesday that the talks in Minsk would "
    "continue, and officials in Moscow confirmed the plan.\n\n"
    "Later, Vladimir\u200b Putin met Alexander Lukashenko in Sochi. \u2066Vladimir Putin\u2069 "
    "told reporters that “the army will stay where it is” until 12 March 2022.\n\n"
    "The Kremlin said Putin would travel to Minsk again in May, with 3,000 troops.\n"
)
# Tables of records with offsets into the article's text, and the column holding that text.
SPANS = {
    "mentions": "text",
    "quotes": "text",
    "claims": "text",
    "quantities": "text",
    "date_mentions": "text",
    "sentences": None,
}


def test_ingest_drops_the_controls_but_keeps_the_joiners() -> None:
    text = f"a{DROPPED}b c{JOINERS}d"
    assert normalize_text(text) == f"ab c{JOINERS}d"
    assert normalize_text("\\u202eVladimir") == "Vladimir"  # a literal escape, repaired


def test_names_and_keys_are_made_of_what_a_reader_sees() -> None:
    assert visible(f"\u202eVladimir{JOINERS} Pu\u00adtin\u200b") == "Vladimir Putin"
    for control in DROPPED + JOINERS:
        assert normalise(f"{control}Vladimir Putin") == "vladimir putin"
        assert spelling(f"Vladimir{control} Putin").text == "Vladimir Putin"
    raw = [
        _Raw(0, 15, "PERSON", "\u202eVladimir Putin"),
        _Raw(20, 35, "PERSON", "Vladimir\u200d Putin"),
        _Raw(40, 45, "PERSON", "Putin"),
    ]
    mentions = _cluster(raw, AliasTable([]))
    assert {m.key for m in mentions} == {"Vladimir Putin"}
    assert [m.text for m in mentions] == [r.text for r in raw], "mentions keep their text"


def test_one_entity_from_disguised_spellings_with_offsets_into_the_stored_text(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    raw = ARTICLE.encode()
    (folder / "putin.txt").write_bytes(raw)
    record = {"text": "Minsk said so.", "title": "\u202eDrills\u200b end", "outlet": "\u2067Wire"}
    (folder / "wire.jsonl").write_text(json.dumps(record) + "\n", "utf-8")
    db = tmp_path / "t.db"
    with Store.open(db) as store:
        report = ingest([folder], store=store, config=Config.load(workers=1))
        assert len(report.added) == 2, report.failures
        assert not extract(store, workers=1).failed

        articles = {a.title: a for a in store.articles()}
        assert set(articles) == {"Kremlin talks go on", "Drills end"}
        assert articles["Drills end"].outlet == "Wire"
        text = articles["Kremlin talks go on"].text
        assert not set(DROPPED) & set(text)
        [sha] = store.conn.execute(
            "SELECT raw_sha256 FROM sources WHERE locator LIKE '%putin.txt'"
        ).fetchone()
        assert store.blob(sha) == raw, "the raw bytes keep every control"

        putin = [e for e in entity_table(store) if "Putin" in e.canonical]
        assert [e.canonical for e in putin] == ["Vladimir Putin"]
        assert putin[0].mentions == 4
        spellings = store.conn.execute("SELECT spelling FROM entity_spellings").fetchall()
        assert not any(set(DROPPED + JOINERS) & set(s) for (s,) in spellings)
    _assert_offsets_index_the_text(db)


def _assert_offsets_index_the_text(db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        texts = dict(conn.execute("SELECT id, text FROM articles").fetchall())
        checked = 0
        for table, column in SPANS.items():
            picked = f', "{column}"' if column else ""
            rows = conn.execute(f'SELECT article_id, start, "end"{picked} FROM {table}')
            for article_id, start, end, *spanned in rows:
                assert 0 <= start < end <= len(texts[article_id]), table
                if spanned:
                    assert texts[article_id][start:end] == spanned[0], table
                checked += 1
        assert checked > 10
    finally:
        conn.close()
