"""Shared pieces of the watcher's tests: a store that keeps the bundled case, sources."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

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
    return CycleOptions(config=Config.load(workers=1))
