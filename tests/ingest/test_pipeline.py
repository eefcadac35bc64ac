"""The pipeline end to end: workers, duplicates across runs, provenance kept."""

from __future__ import annotations

import json
import shutil
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard

from tocsin.config import Config
from tocsin.demo import PERIOD, articles_dir
from tocsin.errors import StoreError
from tocsin.ingest.pipeline import ingest
from tocsin.models import Article
from tocsin.store.db import Store

IngestOnly = Callable[[Path, Path], Article]


def _seeds(folder: Path) -> Path:
    folder.mkdir()
    for path in articles_dir().glob("*.txt"):
        shutil.copy(path, folder / path.name)
    return folder


def test_two_workers_store_everything_and_record_failures(tmp_path: Path) -> None:
    folder = _seeds(tmp_path / "in")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    (folder / "blank.txt").write_text("   \n")
    with Store.open(tmp_path / "t.db") as store:
        report = ingest([folder], store=store, config=Config.load(workers=2), period=PERIOD)
        assert len(report.added) == 5
        codes = sorted(code for _, code, _ in report.failures)
        assert codes == ["binary", "empty"]
        assert [a.locator for a in report.added] == sorted(a.locator for a in report.added)
        assert store.counts()["failed"] == 2


def test_raw_bytes_are_kept_and_recoverable(tmp_path: Path) -> None:
    folder = _seeds(tmp_path / "in")
    with Store.open(tmp_path / "t.db") as store:
        ingest([folder], store=store, config=Config.load(workers=1))
        for locator, sha in store.conn.execute("SELECT locator, raw_sha256 FROM sources"):
            assert store.blob(sha) == Path(locator).read_bytes()
        stored = store.conn.execute("SELECT sum(length(data)), sum(size) FROM blobs").fetchone()
        assert stored[0] < stored[1]  # compressed
        codec, data = store.conn.execute("SELECT compression, data FROM blobs").fetchone()
        assert codec == "zstd"
        assert zstandard.ZstdDecompressor().decompress(data)


def test_blobs_from_before_zstd_still_read(tmp_path: Path) -> None:
    raw = b"<html><body><p>kept since 0.1</p></body></html>"
    with Store.open(tmp_path / "t.db") as store:
        store.conn.execute(
            "INSERT INTO blobs(sha256, size, compression, data) VALUES ('old', ?, 'zlib', ?)",
            (len(raw), zlib.compress(raw)),
        )
        store.conn.execute(
            "INSERT INTO blobs(sha256, size, compression, data) VALUES ('odd', 1, 'lzma', x'00')"
        )
        assert store.blob("old") == raw
        with pytest.raises(StoreError, match="unknown codec 'lzma'"):
            store.blob("odd")


def test_exact_and_near_duplicates_across_runs(tmp_path: Path) -> None:
    original = next(articles_dir().glob("002_*.txt")).read_text("utf-8")
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "carnegie.txt").write_text(original, "utf-8")
    # The same text re-spaced elsewhere is an exact duplicate ...
    (second / "copy.txt").write_text(original.replace("\n\n", "\n\n\n"), "utf-8")
    # ... and a syndicated copy with an editor's note and a changed sentence is a near one.
    edited = original.replace("No comments:", "Republished with permission.").replace(
        "has started signaling", "began signaling"
    )
    (second / "syndicated.txt").write_text(edited, "utf-8")
    config = Config.load(workers=1)
    with Store.open(tmp_path / "t.db") as store:
        assert len(ingest([first], store=store, config=config).added) == 1
        report = ingest([second], store=store, config=config)
        assert [s for s, _ in report.duplicates] == [str(second / "copy.txt")]
        (near,) = report.added
        assert near.duplicate_of == 1
        assert near.similarity is not None
        assert near.similarity >= 0.6
        exported = [a.duplicate_of for a in store.articles()]
        assert exported == [None, 1]


def test_jsonl_fields_are_taken_as_given(tmp_path: Path, ingest_only: IngestOnly) -> None:
    path = tmp_path / "a.jsonl"
    record = {
        "text": "Minsk said on Monday that drills would continue.\nA second paragraph.",
        "title": "Drills go on",
        "authors": ["A. Writer"],
        "published": "2022-10-11",
        "outlet": "Example News",
        "url": "https://example.org/drills",
    }
    path.write_text(json.dumps(record) + "\n", "utf-8")
    article = ingest_only(path, tmp_path / "t.db")
    assert article.title == "Drills go on"
    assert article.outlet == "Example News"
    assert article.authors == ["A. Writer"]
    assert article.url == "https://example.org/drills"
    assert article.published is not None
    assert article.published.isoformat() == "2022-10-11"
    assert not article.published_estimated
    assert article.text.split("\n\n")[1] == "A second paragraph."


def test_known_failures_are_reported_again_without_touching_the_store(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "scan.pdf").write_bytes(b"%PDF-1.7 not an article")
    with Store.open(tmp_path / "t.db") as store:
        first = ingest([folder], store=store, config=Config.load(workers=1))
        again = ingest([folder], store=store, config=Config.load(workers=1))
        assert [c for _, c, _ in again.failures] == ["binary"]
        assert not again.ok
        assert "recorded before" in again.failures[0][2]
        assert first.failures
        assert store.failures()[0].attempts == 1
        retried = ingest([folder], store=store, config=Config.load(workers=1), retry_failed=True)
        assert retried.failures
        assert store.failures()[0].attempts == 2


def test_markdown_is_read_as_text(tmp_path: Path, ingest_only: IngestOnly) -> None:
    path = tmp_path / "note.md"
    path.write_text(
        "# Belarus drills continue\n\nThe **defence ministry** said on 10 October 2022 that "
        "[drills](https://example.org) near the border were *purely defensive*, and that "
        "no mobilisation was planned at this stage of the exercises.\n\n![map](map.png)\n",
        "utf-8",
    )
    article = ingest_only(path, tmp_path / "t.db")
    assert article.title == "Belarus drills continue"
    assert article.text.startswith("The defence ministry said on 10 October 2022 that drills")
    assert "*" not in article.text
    assert "](" not in article.text
    assert "map.png" not in article.text


def test_steady_malloc_applies_on_glibc() -> None:
    import platform

    from tocsin.parallel import steady_malloc

    expected = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
    assert steady_malloc() is expected


def test_same_input_twice_in_one_run_is_stored_once(tmp_path: Path) -> None:
    seed = next(articles_dir().glob("002_*.txt"))
    with Store.open(tmp_path / "t.db") as store:
        report = ingest([seed, seed, seed.parent], store=store, config=Config.load(workers=2))
        assert report.added_count == 5
        assert not report.duplicates
        assert report.unchanged == 2
        assert store.counts()["ok"] == 5
        assert store.counts()["duplicate"] == 0


def test_body_dates_of_an_html_page_are_not_stated(tmp_path: Path, ingest_only: IngestOnly) -> None:
    body = "<p>" + "On 3 March 2019 the council met again in Minsk to discuss it. " * 12 + "</p>"
    page = tmp_path / "nodate.html"
    page.write_text(f"<html><head><title>Council</title></head><body>{body}</body></html>")
    article = ingest_only(page, tmp_path / "t.db")
    assert article.published_estimated
    assert article.published_range is not None
    assert article.published_range[0].isoformat() == "2019-03-03"


def test_metadata_is_normalised_like_the_text(tmp_path: Path, ingest_only: IngestOnly) -> None:
    path = tmp_path / "a.jsonl"
    record = {
        "text": "Minsk said so.",
        "title": "Cafe\u0301 \\u200bdrills\u00a0go on",
        "outlet": "Wire\u00a0Two ",
        "authors": [" A.\u00a0Writer "],
    }
    path.write_text(json.dumps(record) + "\n", "utf-8")
    article = ingest_only(path, tmp_path / "t.db")
    assert article.title == "Café drills go on"
    assert article.outlet == "Wire Two"
    assert article.authors == ["A. Writer"]


def test_seeds_without_a_period_still_get_honest_bounds(tmp_path: Path) -> None:
    truth = {"000": "2022-10-13", "001": "2022-10-12", "003": "2022-06-24", "004": "2022-03-21"}
    with Store.open(tmp_path / "t.db") as store:
        ingest([articles_dir()], store=store, config=Config.load(workers=1))
        for article in store.articles():
            prefix = Path(article.source).name[:3]
            if prefix not in truth:
                continue
            assert article.published_estimated, prefix
            assert article.published_range is not None, prefix
            low, high = article.published_range
            assert low.isoformat() <= truth[prefix] <= high.isoformat(), prefix
