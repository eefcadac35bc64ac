"""Shared fixtures of the assessment tests: the bundled case, a demo store, an embedder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tocsin.assess.case import Case, bundled_case_path, load_case
from tocsin.config import Config
from tocsin.demo import run_demo
from tocsin.extract.run import extract
from tocsin.store.db import Store


@pytest.fixture(scope="session")
def belarus() -> Case:
    return load_case(bundled_case_path())


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five demo articles ingested and extracted once per session; copy before writing."""
    db = tmp_path_factory.mktemp("assess-demo") / "demo.db"
    run_demo(db, Config.load(workers=1))
    with Store.open(db) as store:
        assert extract(store, workers=1).processed == 5
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


@pytest.fixture
def demo_db(demo_master: Path, tmp_path: Path) -> Path:
    """A private copy of the demo store."""
    copy = tmp_path / "demo.db"
    shutil.copy(demo_master, copy)
    return copy


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    from tocsin.assess.embed import Embedder

    return Embedder()
