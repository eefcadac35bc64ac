"""Containers and layouts: WARC, gzip, nested folders, JSONL with metadata."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from datetime import date
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tocsin.config import Config
from tocsin.ingest.pipeline import ingest
from tocsin.ingest.sources import Listed, expand_file, listed_urls
from tocsin.store.db import Store


def _response(writer: WARCWriter, uri: str, body: bytes, content_type: str) -> None:
    http = StatusAndHeaders(
        "200 OK",
        [("Content-Type", content_type), ("Content-Length", str(len(body)))],
        protocol="HTTP/1.1",
    )
    record = writer.create_warc_record(
        uri,
        "response",
        payload=BytesIO(body),
        length=len(body),  # known, so warcio need not spool to an unclosed temporary file
        http_headers=http,
        warc_headers_dict={"WARC-Date": "2022-10-14T08:00:00Z"},
    )
    writer.write_record(record)


def _request(writer: WARCWriter, uri: str) -> None:
    http = StatusAndHeaders(
        "GET /news/1 HTTP/1.1", [("Host", "news.example.org")], is_http_request=True
    )
    writer.write_record(
        writer.create_warc_record(uri, "request", payload=BytesIO(b""), length=0, http_headers=http)
    )


def test_warc_gives_one_article_per_html_response(
    tmp_path: Path, store: Store, article_html: Callable[..., str], paragraphs: Callable
) -> None:
    pages = {
        "https://news.example.org/news/1": paragraphs(61),
        "https://news.example.org/news/2": paragraphs(62),
    }
    path = tmp_path / "crawl.warc.gz"
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        uris = list(pages)
        _request(writer, uris[0])
        _response(writer, uris[0], article_html("First", pages[uris[0]]).encode(), "text/html")
        _response(
            writer,
            "https://news.example.org/map.png",
            b"\x89PNG\r\n\x1a\n" + bytes(200),
            "image/png",
        )
        _response(
            writer,
            uris[1],
            article_html("Second", pages[uris[1]]).encode("utf-8"),
            "text/html; charset=utf-8",
        )
    assert gzip.decompress(path.read_bytes()).startswith(b"WARC/1."), "a real gzipped WARC"

    report = ingest([path], store=store, config=Config.load(workers=1))

    assert report.failures == []
    assert report.ok
    assert report.skipped == 2  # the request record and the image response
    assert len(report.added) == 2
    articles = {a.url: a for a in store.articles()}
    assert set(articles) == set(pages)
    for uri, paras in pages.items():
        article = articles[uri]
        assert paras[2] in article.text
        assert article.source.startswith(str(path.resolve()) + "#urn:uuid:")
    assert articles[uris[0]].title == "First"
    assert articles[uris[1]].title == "Second"


def test_html_gz_is_read(
    tmp_path: Path, store: Store, article_html: Callable[..., str], paragraphs: Callable
) -> None:
    paras = paragraphs(63)
    path = tmp_path / "story.html.gz"
    html = article_html("Zipped story", paras).encode()
    path.write_bytes(gzip.compress(html))

    report = ingest([path], store=store, config=Config.load(workers=1))

    assert report.ok, report.failures
    [article] = store.articles()
    assert article.title == "Zipped story"
    assert paras[0] in article.text
    sha = store.conn.execute("SELECT raw_sha256 FROM sources").fetchone()[0]
    assert store.blob(sha) == html  # the page as read, inflated


def test_multi_member_gzip_is_read_whole(
    tmp_path: Path, store: Store, article_html: Callable[..., str], paragraphs: Callable
) -> None:
    """``cat head.gz tail.gz`` is one valid gzip file; every member is part of the page."""
    paras = paragraphs(64)
    html = article_html("Joined story", paras).encode()
    half = html.index(b"</h1>")
    path = tmp_path / "joined.html.gz"
    path.write_bytes(gzip.compress(html[:half]) + gzip.compress(html[half:]))
    assert gzip.decompress(path.read_bytes()) == html

    report = ingest([path], store=store, config=Config.load(workers=1))

    assert report.ok, report.failures
    [article] = store.articles()
    for paragraph in paras:
        assert paragraph in article.text


def test_folder_is_walked_recursively(
    tmp_path: Path, store: Store, article_html: Callable[..., str], paragraphs: Callable
) -> None:
    root = tmp_path / "corpus"
    layout = {
        "top.html": 71,
        "2022/october/a.html": 72,
        "2022/october/deeper/still/b.html": 73,
        "2022/november/c.txt": 74,
    }
    for name, seed in layout.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".txt"):
            path.write_text("Plain story\n\n" + "\n\n".join(paragraphs(seed)), "utf-8")
        else:
            path.write_text(article_html(f"Story {seed}", paragraphs(seed)), "utf-8")
    # Hidden folders and files, and tocsin databases, are not inputs.
    (root / ".git").mkdir()
    (root / ".git" / "x.html").write_text(article_html("Hidden", paragraphs(75)), "utf-8")
    (root / ".draft.html").write_text(article_html("Draft", paragraphs(76)), "utf-8")
    (root / "old.db").write_bytes(b"SQLite format 3\x00")

    report = ingest([root], store=store, config=Config.load(workers=1))

    assert report.ok, report.failures
    expected = {str((root / name).resolve()) for name in layout}
    assert {a.source for a in store.articles()} == expected
    assert len(report.added) == 4


def test_jsonl_metadata_is_stored_as_given(
    tmp_path: Path, store: Store, article_html: Callable[..., str], paragraphs: Callable
) -> None:
    records = [
        {
            "text": "\n".join(paragraphs(81)),
            "url": "https://example.org/news/drills",
            "title": "Drills go on",
            "authors": ["Anna Writer", "Ivan Reporter"],
            "published": "2022-10-11",
            "outlet": "Example News",
        },
        {
            # Metadata in the record beats what the HTML says about itself.
            "html": article_html(
                "Title in the page", paragraphs(82), published="2021-01-01", site="Page Site"
            ),
            "url": "https://example.org/news/border",
            "title": "Title in the record",
            "authors": "Single Author",
            "published": "2022-09-30",
            "outlet": "Record Outlet",
        },
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", "utf-8")

    report = ingest([path], store=store, config=Config.load(workers=1))

    assert report.ok, report.failures
    first, second = store.articles()
    assert first.source == f"{path.resolve()}:1"
    assert first.url == "https://example.org/news/drills"
    assert first.title == "Drills go on"
    assert first.authors == ["Anna Writer", "Ivan Reporter"]
    assert first.outlet == "Example News"
    assert first.published == date(2022, 10, 11)
    assert first.published_estimated is False
    assert first.published_range == (date(2022, 10, 11), date(2022, 10, 11))
    assert first.text.split("\n\n") == paragraphs(81)

    assert second.source == f"{path.resolve()}:2"
    assert second.url == "https://example.org/news/border"
    assert second.title == "Title in the record"
    assert second.authors == ["Single Author"]
    assert second.outlet == "Record Outlet"
    assert second.published == date(2022, 9, 30)
    assert second.published_estimated is False
    assert paragraphs(82)[1] in second.text


def test_a_file_named_warc_that_is_not_one_fails(tmp_path: Path) -> None:
    from tocsin.config import Config
    from tocsin.errors import FailureCode
    from tocsin.ingest.pipeline import ingest
    from tocsin.store.db import Store

    fake = tmp_path / "crawl.warc"
    fake.write_text("this is plain text, not an archive\n" * 20)
    with Store.open(tmp_path / "t.db") as store:
        report = ingest([fake], store=store, config=Config.load(workers=1))
    assert [(s, c) for s, c, _ in report.failures] == [(str(fake), FailureCode.UNSUPPORTED.value)]
    assert report.skipped == 0


def test_text_of_an_unknown_type_and_a_fifo_are_refused(tmp_path: Path) -> None:
    import os

    from tocsin.config import Config
    from tocsin.errors import FailureCode
    from tocsin.ingest.pipeline import ingest
    from tocsin.store.db import Store

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "data.csv").write_text("id,title,body\n1,Drills,Minsk said so\n")
    os.mkfifo(folder / "pipe.txt")
    (folder / "notes").write_text("Minsk announced a joint group of forces with Russia today.")
    with Store.open(tmp_path / "t.db") as store:
        report = ingest([folder], store=store, config=Config.load(workers=1))
    failed = {Path(s).name: c for s, c, _ in report.failures}
    assert failed == {"data.csv": FailureCode.UNSUPPORTED.value, "pipe.txt": "unsupported"}
    assert report.added_count == 1  # a file without an extension is still read as text


def test_feed_files_rss_and_atom_keep_their_fields(tmp_path: Path) -> None:
    from tocsin.config import Config
    from tocsin.ingest.pipeline import ingest
    from tocsin.store.db import Store

    body = "<p>" + "Belarus moved troops toward the border on Monday, officials said. " * 12
    rss = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Wire One</title>
<item><title>Troops move</title><link>https://example.org/a</link>
<pubDate>Tue, 11 Oct 2022 08:00:00 GMT</pubDate><author>desk@example.org (Desk)</author>
<description><![CDATA[{body} RSS.</p>]]></description></item></channel></rss>"""
    atom = f"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Wire Two</title><id>urn:w2</id><updated>2022-10-12T00:00:00Z</updated>
<entry><title>Border drills</title><id>urn:w2:1</id><link href="https://example.org/b"/>
<updated>2022-10-12T09:00:00Z</updated><author><name>Ann Writer</name></author>
<content type="html"><![CDATA[{body} Atom.</p>]]></content></entry></feed>"""
    (tmp_path / "wire.rss").write_text(rss, "utf-8")
    (tmp_path / "wire.atom").write_text(atom, "utf-8")
    with Store.open(tmp_path / "t.db") as store:
        report = ingest([tmp_path], store=store, config=Config.load(workers=1))
        assert report.failures == []
        by_title = {a.title: a for a in store.articles()}
        assert set(by_title) == {"Troops move", "Border drills"}
        atom_article = by_title["Border drills"]
        assert atom_article.outlet == "Wire Two"
        assert atom_article.authors == ["Ann Writer"]
        assert atom_article.url == "https://example.org/b"
        assert atom_article.published is not None
        assert atom_article.published.isoformat() == "2022-10-12"
        assert not atom_article.published_estimated
        extra = store.article_extra(by_title["Troops move"].id)
        assert extra is not None
        meta = extra.meta
        assert meta["title"] == "Troops move"
        assert meta["outlet"] == "Wire One"
        assert meta["published"] == "2022-10-11"


def test_a_list_of_urls_is_read_as_one_but_prose_with_urls_is_not(tmp_path: Path) -> None:
    a, b = "https://news.example.org/a", "http://news.example.org/b?x=1"
    assert listed_urls(f"\ufeff# list\n\n{a}\r\n  {b}\n{a}\n".encode()) == (a, b)
    assert listed_urls(f"{a} and {b}\n".encode()) is None  # a sentence, not a list
    assert listed_urls(f"Read this:\n{a}\n".encode()) is None
    assert listed_urls(f"ftp://news.example.org/a\n{a}\n".encode()) is None
    assert listed_urls(b"# only a comment\n\n") is None
    assert listed_urls(b"\xff\xfe" + a.encode("utf-16-le")) is None  # not UTF-8
    gz = tmp_path / "urls.txt.gz"
    gz.write_bytes(gzip.compress(f"{a}\n{b}\n".encode()))
    assert list(expand_file(gz, Config.load(workers=1))) == [Listed(str(gz), (a, b))]
