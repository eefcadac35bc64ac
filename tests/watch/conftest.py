"""Shared pieces of the watcher's tests: a store that keeps the bundled case, sources."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from tocsin.assess.case import bundled_case_path, load_case
from tocsin.config import Config
from tocsin.demo import articles_dir
from tocsin.store.db import Store
from tocsin.store.desk import save_case_file
from tocsin.watch.cycle import CycleOptions
from tocsin.watch.sources import Source, parse_sources

CASE = "belarus-2022"


def demo_articles() -> list[Path]:
    return sorted(articles_dir().iterdir())


def folder_sources(folder: Path, every: str = "30s") -> list[Source]:
    text = f"sources:\n  - {{name: drop, kind: folder, path: '{folder}', every: {every}}}\n"
    return parse_sources(text).sources


# Two indicator rules on indicators the demo's articles report.
RULES = """
alerts:
  - id: troops
    kind: indicator
    indicator: russian-troops-arrive
  - id: grouping
    kind: indicator
    indicator: joint-grouping
"""


def watched_folder(tmp_path: Path, articles: list[Path]) -> tuple[Path, list[Source]]:
    """A folder ``in`` holding ``articles``, and a sources list watching it every 30 s."""
    folder = tmp_path / "in"
    copy_articles(folder, articles)
    return folder, folder_sources(folder)


def copy_articles(folder: Path, articles: list[Path]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for article in articles:
        shutil.copy(article, folder / article.name)


@pytest.fixture
def case_store(tmp_path: Path) -> Iterator[Store]:
    """A fresh store that keeps the bundled case's file (as `tocsin assess` leaves it)."""
    case = load_case(bundled_case_path())
    with Store.open(tmp_path / "watch.db") as store:
        save_case_file(store, case.id, case.text, origin="case file")
        yield store


@pytest.fixture
def options() -> CycleOptions:
    """One worker, patterns only (no embedding model): what the cycle tests need."""
    return CycleOptions(config=Config.load(workers=1, **LOOPBACK))


# The tests' own servers run on 127.0.0.1, which tocsin refuses to fetch from unless allowed
# (docs/fetching.md); no delay between their requests.
LOOPBACK: dict[str, Any] = {"fetch_allow": ("127.0.0.1",), "host_delay": 0.0}


@pytest.fixture
def httpserver(httpserver: HTTPServer) -> HTTPServer:
    """pytest-httpserver's server with no robots.txt (404: everything allowed); robots
    itself is tested in tests/ingest/test_polite.py."""
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    return httpserver
