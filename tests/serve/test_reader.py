"""The article reader, through the application (no browser): sentences that are exactly
their slices of the text, highlights, hostile text escaped, raw bytes, near-duplicates and
wire copies, and the indicators the "add as evidence" form offers."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from tests.conftest import make_paragraphs
from tests.serve.conftest import CASE, DeskClient

from tocsin.assess.case import bundled_case_path, load_case
from tocsin.config import Config
from tocsin.extract.run import extract
from tocsin.ingest.pipeline import ingest
from tocsin.serve.app import Settings, create_app
from tocsin.serve.pages.article_text import Mark, render
from tocsin.serve.pages.reader import _passages
from tocsin.store import evidence as stored
from tocsin.store.db import Store
from tocsin.text import Sentence, segment

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JS_URL = "javascript:alert(1)"


class Elements(HTMLParser):
    """Every element's attributes and text content (tags inside dropped, entities read),
    and whether the tags nest: what a browser's DOM would give a test."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, dict[str, str | None], list[str]]] = []
        self.closed: list[tuple[str, dict[str, str | None], str]] = []
        self.unbalanced = 0
        self.attributes: set[str] = set()

    VOID = frozenset({"input", "meta", "link", "br", "img", "hr"})

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes.update(name for name, _ in attrs)
        if tag not in self.VOID:
            self.open.append((tag, dict(attrs), []))

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1][0] != tag:
            self.unbalanced += 1
            return
        name, attrs, text = self.open.pop()
        joined = "".join(text)
        self.closed.append((name, attrs, joined))
        if self.open:
            self.open[-1][2].append(joined)

    def handle_data(self, data: str) -> None:
        if self.open:
            self.open[-1][2].append(data)

    def with_class(self, css: str) -> list[tuple[dict[str, str | None], str]]:
        return [(a, t) for _, a, t in self.closed if css in (a.get("class") or "").split()]


def elements(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser


def sentence_spans(html: str) -> list[tuple[int, int, str]]:
    found = elements(html).with_class("sentence")
    return sorted((int(a["data-start"] or -1), int(a["data-end"] or -1), t) for a, t in found)


# -- the text model on the page ------------------------------------------------------------


def test_every_sentence_on_the_page_is_its_stored_slice_of_the_text(
    client: DeskClient, desk_db: Path
) -> None:
    html = client.get("/articles/1").text
    with Store.open(desk_db) as store:
        article = store.article(1)
        kept = stored.sentences(store, 1)
    assert article is not None
    assert kept
    spans = sentence_spans(html)
    assert [(s.start, s.end) for s in kept] == [(a, b) for a, b, _ in spans]
    for start, end, text in spans:
        assert text == article.text[start:end]
        assert f'id="s{start}"' in html


def test_highlights_link_entities_show_speakers_and_linked_spans(
    client: DeskClient, desk_db: Path
) -> None:
    page = client.get("/articles/1")
    assert page.status_code == 200
    found = elements(page.text)
    assert found.unbalanced == 0
    with Store.open(desk_db) as store:
        mention = store.conn.execute(
            "SELECT entity_id, text FROM mentions WHERE article_id = 1 ORDER BY start LIMIT 1"
        ).fetchone()
        link = store.conn.execute(
            "SELECT id, indicator_id, start FROM evidence_links WHERE article_id = 1"
            " ORDER BY start LIMIT 1"
        ).fetchone()
        speaker = store.conn.execute(
            "SELECT e.canonical FROM quotes q JOIN entities e ON e.id = q.speaker_entity_id"
            " WHERE q.article_id = 1 LIMIT 1"
        ).fetchone()[0]
    entities = found.with_class("entity")
    assert any(
        a.get("href") == f"/entities/{mention[0]}" and a.get("data-entity-id") == str(mention[0])
        for a, _ in entities
    )
    assert speaker in {a.get("data-speaker") for a, _ in found.with_class("quote-start")}
    linked = [a for a, _ in found.with_class("linked")]
    assert any(f"{CASE} {link[1]} L{link[0]}" in (a.get("data-links") or "") for a in linked)
    assert found.with_class("figure")
    assert found.with_class("date")
    assert f'href="#s{link[2]}"' in page.text  # the links table jumps to the span


def test_overlapping_spans_nest_and_every_character_is_kept_once() -> None:
    text = "Alpha said “beta gamma” on 3 May.\n\nSecond <b>para</b> & more."
    layout = segment(text)
    marks = [
        Mark(0, 5, "entity", "Alpha (PERSON)", entity_id=7),
        Mark(0, 23, "quote", "quote: Alpha", speaker=IMG),
        Mark(11, 23, "link", "c i L1", link="c i L1"),
        Mark(17, 28, "date", "date"),  # crosses the quote's end
        Mark(27, 50, "figure", SCRIPT),  # crosses the sentence's end
    ]
    html = str(render(text, layout.sentences, marks))
    found = elements(html)
    assert found.unbalanced == 0
    assert not found.open
    spans = sentence_spans(html)
    assert [(a, b) for a, b, _ in spans] == [(s.start, s.end) for s in layout.sentences]
    assert all(t == text[a:b] for a, b, t in spans)
    assert "<b>" not in html
    assert "&lt;b&gt;para" in html
    assert "/b&gt; &amp; more" in html
    assert "<img" not in html
    assert "<script" not in html
    assert html.count("<p>") == len(layout.paragraphs)
    figures = [t for _, t in found.with_class("figure")]
    assert "".join(figures) == text[27:33] + text[35:50]  # cut at the sentence's end


def test_a_text_not_yet_extracted_is_read_in_the_text_models_sentences() -> None:
    text = "One sentence here. Another one there.\nA third line"
    html = str(render(text, segment(text).sentences, []))
    assert [t for *_, t in sentence_spans(html)] == [
        "One sentence here.",
        "Another one there.",
        "A third line",
    ]
    stray = [Sentence(0, 3, 0)]  # a stored model that left text out: nothing is lost
    assert "sentence here." in elements(str(render(text, stray, []))).closed[-1][2]


# -- hostile text -----------------------------------------------------------------------


def _hostile_store(tmp_path: Path, article_html: Callable[..., str]) -> Path:
    """An article whose title, text, entity names and speakers are payloads, ingested and
    extracted, with a javascript: URL."""
    page = tmp_path / "hostile.html"
    paras = [
        f"Alexander Lukashenko said on Monday in Minsk that {SCRIPT} and {IMG} were "
        f"planned, and that {JS_URL} was 25 km from the border.",
        *make_paragraphs(11, n=2),
    ]
    page.write_text(
        article_html(f"Minsk {SCRIPT} {IMG}", paras, published="2022-10-12", site=SCRIPT)
    )
    db = tmp_path / "hostile.db"
    with Store.open(db) as store:
        ingest([page], store=store, config=Config.load(workers=1))
        extract(store, workers=1)
        (article_id,) = [a.id for a in store.articles()]
        with store.transaction() as conn:
            conn.execute("UPDATE articles SET url = ? WHERE id = ?", (JS_URL, article_id))
            conn.execute("UPDATE entities SET canonical = ? WHERE id = 1", (IMG,))
            conn.execute(
                'INSERT INTO quotes (article_id, start, "end", text, kind, speaker_text)'
                " VALUES (?, 0, 9, 'Alexander', 'direct', ?)",
                (article_id, SCRIPT),
            )
    return db


def test_the_reader_escapes_hostile_titles_texts_entities_and_urls(
    tmp_path: Path, article_html: Callable[..., str]
) -> None:
    db = _hostile_store(tmp_path, article_html)
    with DeskClient(create_app(Settings(db=db)), base_url="http://127.0.0.1") as c:
        pages = [c.get("/articles/1"), c.get("/search?q=alert"), c.get("/entities"),
                 c.get("/entities/1")]  # fmt: skip
    for page in pages:
        assert page.status_code == 200
        html = page.text
        assert SCRIPT not in html
        assert IMG not in html
        assert "<img" not in html
        assert re.findall(r"<script\b[^>]*>", html) == [
            '<script src="/static/desk.js" defer>',
            *(['<script src="/static/reader.js" defer>'] if "reader.js" in html else []),
        ]
        assert 'href="javascript:' not in html.lower()
        assert not [name for name in elements(html).attributes if name.startswith("on")]
    reader = pages[0].text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in reader
    assert "&lt;img src=x onerror=alert(1)&gt;" in reader
    assert JS_URL in reader  # shown as text, not as a link
    assert elements(reader).unbalanced == 0
    assert "<mark>alert</mark>" in pages[1].text


# -- raw bytes and provenance -------------------------------------------------------------


def test_raw_download_is_the_exact_stored_bytes(client: DeskClient, desk_db: Path) -> None:
    reply = client.get("/articles/2/raw")
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/octet-stream"
    assert reply.headers["content-disposition"].startswith("attachment;")
    with Store.open(desk_db) as store:
        locator, sha = store.conn.execute(
            "SELECT s.locator, s.raw_sha256 FROM articles a JOIN sources s"
            " ON s.id = a.source_id WHERE a.id = 2"
        ).fetchone()
        assert reply.content == store.blob(sha)
    assert reply.content == Path(locator).read_bytes()
    page = client.get("/articles/2").text
    assert sha in page
    assert 'href="/articles/2/raw"' in page
    assert client.get("/articles/999/raw").status_code == 404
    assert client.get("/articles/999").status_code == 404


# -- near-duplicates and wire copies ------------------------------------------------------


def test_near_duplicates_and_wire_copies(tmp_path: Path, article_html: Callable[..., str]) -> None:
    first = make_paragraphs(21, n=6)  # six one-sentence paragraphs of 45 words
    joined = "\n\n".join(first)
    looked_up = _passages(joined, list(segment(joined).sentences))[0]
    texts = {
        "original": first,
        "near": [*first[:5], *make_paragraphs(22, n=1)],  # 5 of 6 paragraphs: Jaccard 0.7
        "wire": [*make_paragraphs(23, n=3), looked_up],  # one long sentence word for word
        "other": make_paragraphs(24),
    }
    folder = tmp_path / "in"
    folder.mkdir()
    for n, (name, paras) in enumerate(texts.items()):
        (folder / f"{n}-{name}.html").write_text(
            article_html(f"The {name} story", paras, published=f"2022-10-1{n}")
        )
    db = tmp_path / "copies.db"
    with Store.open(db) as store:
        ingest([folder], store=store, config=Config.load(workers=1))
        ids = {a.title.split()[1]: a.id for a in store.articles() if a.title}
        assert store.original_of(ids["near"]) == ids["original"]
    with DeskClient(create_app(Settings(db=db)), base_url="http://127.0.0.1") as c:
        html = c.get(f"/articles/{ids['original']}").text
        near = re.search(r'id="near-duplicates">(.*?)</ul>', html, re.S)
        wire = re.search(r'id="wire-copies">(.*?)</ul>', html, re.S)
        assert near
        assert f'href="/articles/{ids["near"]}"' in near.group(1)
        assert wire
        assert f'href="/articles/{ids["wire"]}"' in wire.group(1)
        assert f'href="/articles/{ids["other"]}"' not in html
        assert "repeats the sentence" in wire.group(1)
        back = c.get(f"/articles/{ids['near']}").text
        assert "first seen: the original" in back


# -- the add-as-evidence form -------------------------------------------------------------


def test_the_form_offers_the_cases_and_their_indicators(client: DeskClient) -> None:
    html = client.get("/articles/3").text
    assert 'id="add-evidence"' in html
    assert f'<option value="{CASE}">' in html
    assert '<script src="/static/reader.js" defer>' in html
    reply = client.get(f"/cases/{CASE}/indicators.json")
    assert reply.status_code == 200
    case = load_case(bundled_case_path())
    assert reply.json() == [{"id": i.id, "description": i.description} for i in case.indicators]
    missing = client.get("/cases/nothing/indicators.json", headers={"Accept": "application/json"})
    assert missing.status_code == 404
    assert "no case" in missing.json()["error"]


def test_a_store_without_links_or_extraction_still_reads(
    tmp_path: Path, good_article: Callable[..., str]
) -> None:
    page = tmp_path / "a.html"
    page.write_text(good_article(5))
    db = tmp_path / "plain.db"
    with Store.open(db) as store:
        ingest([page], store=store, config=Config.load(workers=1))
    with DeskClient(create_app(Settings(db=db)), base_url="http://127.0.0.1") as c:
        html = c.get("/articles/1").text
    assert "pending" in html
    assert "No case links" in html
    assert "no case yet" in html.lower()
    with Store.open(db) as store:
        article = store.article(1)
    assert article is not None
    text = article.text
    assert [(a, b) for a, b, _ in sentence_spans(html)] == [
        (s.start, s.end) for s in segment(text).sentences
    ]


@pytest.mark.parametrize("path", ["/articles/abc", "/articles/-1"])
def test_a_bad_article_address_is_not_found(client: DeskClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_links_table_names_each_links_decision(client: DeskClient, desk_db: Path) -> None:
    with Store.open(desk_db) as store:
        link_id, indicator = store.conn.execute(
            "SELECT id, indicator_id FROM evidence_links WHERE article_id = 1 ORDER BY id LIMIT 1"
        ).fetchone()
        with store.transaction() as conn:
            conn.execute(
                'INSERT INTO link_decisions (case_id, article_id, start, "end", indicator_id,'
                " decision) SELECT case_id, article_id, start, \"end\", indicator_id, 'reject'"
                " FROM evidence_links WHERE id = ?",
                (link_id,),
            )
    html = client.get("/articles/1").text
    row = re.search(rf"<td>L{link_id}</td>.*?</tr>", html, re.S)
    assert row
    assert "reject" in row.group(0)
    assert f"{CASE} {indicator} L{link_id}: " in html


def test_the_migration_indexes_the_links_by_article(desk_db: Path) -> None:
    conn = sqlite3.connect(desk_db)
    plan = conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM evidence_links WHERE article_id = 1"
    ).fetchall()
    conn.close()
    assert "evidence_links_article" in " ".join(str(row) for row in plan)


def test_a_sentence_added_as_evidence_is_linked_on_the_page(
    client: DeskClient, desk_db: Path
) -> None:
    before = client.get("/articles/4").text
    linked = {a.get("data-start") for a, _ in elements(before).with_class("linked")}
    start, end, _ = next(
        s for s in sentence_spans(before) if str(s[0]) not in linked and s[1] - s[0] > 40
    )
    reply = client.post_json(
        f"/cases/{CASE}/evidence",
        {"article_id": 4, "start": start, "end": end, "indicator": "mobilisation",
         "polarity": "negated", "note": "by hand"},
    )  # fmt: skip
    assert reply.status_code == 201
    assert "the leading hypothesis is" in reply.json()["summary"]["bottom_line"]
    with Store.open(desk_db) as store:
        link_id = store.conn.execute(
            "SELECT id FROM evidence_links WHERE article_id = 4 AND start = ? AND method = ?",
            (start, "analyst"),
        ).fetchone()[0]
    after = client.get("/articles/4").text
    sentence = next(a for a, _ in elements(after).with_class("sentence") if a["id"] == f"s{start}")
    assert "linked" in (sentence.get("class") or "").split()
    assert f"{CASE} mobilisation L{link_id}" in (sentence.get("data-links") or "")
    row = re.search(rf"<td>L{link_id}</td>.*?</tr>", after, re.S)
    assert row is not None
    assert "accept" in row.group(0)
