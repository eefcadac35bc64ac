"""The Ray engine: the same stored rows and links as the local engine, workers that load a
model once, and a worker killed mid-run that loses and doubles nothing.

One local Ray of 2 CPUs on 127.0.0.1 serves the module; it is started here and shut down
at the end.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from tests.conftest import make_article_html, make_paragraphs, shared_corpus

from tocsin.assess.case import Case, bundled_case_path, load_case
from tocsin.assess.embed import Embedder
from tocsin.assess.relink import relink
from tocsin.cli import main
from tocsin.config import Config
from tocsin.engine import Engine, LocalEngine, RayEngine
from tocsin.extract.report import ExtractReport
from tocsin.extract.run import BATCH, extract
from tocsin.ingest.pipeline import IngestReport, ingest
from tocsin.store import assessment as queries
from tocsin.store.db import Store

from .tasks import KillingRayEngine, fail_on_three, pid_and_loads, wait_for

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "src" / "tocsin" / "demo" / "articles"
UNSEEN = ROOT / "tests" / "data" / "unseen-en"

# Tables compared row by row, with the key they are ordered by; the columns that say when a
# row was written differ between any two runs and are left out.
TABLES = {
    "sources": "id",
    "articles": "id",
    "entities": "id",
    "mentions": "id",
    "quotes": "id",
    "claims": "id",
    "quantities": "id",
    "date_mentions": "id",
    "events": "id",
    "extractions": "article_id",
}
WHEN = {"created_at", "updated_at", "extracted_at"}

INGEST_MARK = "kill-me.html"  # the input whose cleaning worker is killed
EXTRACT_MARK = "Quillfeather"  # a word in the article whose extraction worker is killed


@pytest.fixture(scope="module")
def ray_engine() -> Iterator[RayEngine]:
    engine = RayEngine(num_cpus=2)
    engine.start()
    assert engine.owned, "a Ray was already running in this process"
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo articles, three unseen ones, two real pages and three generated pages."""
    folder = tmp_path_factory.mktemp("corpus")
    for path in sorted(DEMO.glob("*.txt")):
        shutil.copy(path, folder / f"demo-{path.name}")
    for path in sorted(UNSEEN.glob("*.txt"))[:3]:
        shutil.copy(path, folder / f"unseen-{path.name}")
    pages = shared_corpus("article-extraction", "ground-truth.json") / "html"
    for path in sorted(pages.glob("*.html.gz"))[:2]:
        shutil.copy(path, folder / path.name)
    marked = make_paragraphs(7)
    marked[1] = f"Officials in {EXTRACT_MARK} said the brigade left the border on Monday."
    generated = {
        "generated-a.html": ("Convoy seen near the border", make_paragraphs(5)),
        INGEST_MARK: ("Talks resume in the capital", make_paragraphs(6)),
        "generated-b.html": ("Garrison leaves the region", marked),
    }
    for name, (title, paras) in generated.items():
        html = make_article_html(title, paras, published="2022-10-12", site="Daily Wire")
        (folder / name).write_text(html, encoding="utf-8")
    return folder


def run(corpus: Path, db: Path, engine: Engine) -> tuple[IngestReport, ExtractReport]:
    """Ingest ``corpus`` into a new store at ``db`` and extract it, both with ``engine``."""
    with Store.open(db) as store:
        ingested = ingest([corpus], store=store, config=Config.load(workers=1), engine=engine)
        extracted = extract(store, engine=engine)
    return ingested, extracted


def dump(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every compared table's rows, in key order, without their timestamps."""
    conn = sqlite3.connect(db)
    try:
        out = {}
        for table, key in TABLES.items():
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            kept = ", ".join(f'"{c}"' for c in columns if c not in WHEN)
            out[table] = conn.execute(f"SELECT {kept} FROM {table} ORDER BY {key}").fetchall()
        return out
    finally:
        conn.close()


def texts(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [text for (text,) in conn.execute("SELECT text FROM articles ORDER BY id")]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def local_db(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The local engine's run: the rows every Ray run must store too."""
    db = tmp_path_factory.mktemp("local") / "local.db"
    ingested, extracted = run(corpus, db, LocalEngine(1))
    assert ingested.ok, ingested.failures
    assert not extracted.failed
    return db


@pytest.fixture(scope="module")
def local(local_db: Path) -> dict[str, list[tuple[Any, ...]]]:
    rows = dump(local_db)
    assert len(rows["articles"]) == 13
    assert rows["mentions"], "the corpus gave no evidence to compare"
    return rows


def test_results_come_in_input_order_and_a_worker_loads_its_model_once(
    ray_engine: RayEngine,
) -> None:
    results = list(ray_engine.map(pid_and_loads, iter(range(300)), None, lambda i: (i, -1, -1)))
    assert [item for item, _, _ in results] == list(range(300))
    assert {loads for _, _, loads in results} == {1}  # each worker loaded it once
    pids = {pid for _, pid, _ in results}
    assert 1 <= len(pids) <= 10  # a few reused workers served 300 tasks


def test_an_error_the_task_raises_reaches_the_caller(ray_engine: RayEngine) -> None:
    results = ray_engine.map(fail_on_three, iter(range(10)), None, lambda i: -1)
    assert [next(results) for _ in range(3)] == [0, 1, 4]
    with pytest.raises(ValueError, match="three is bad input"):
        next(results)
    results.close()


def test_on_wait_runs_before_waiting_and_an_early_close_stops_the_map(
    ray_engine: RayEngine, tmp_path: Path
) -> None:
    # The tasks wait for a file that only on_wait writes: the first result cannot be ready
    # before the map has called it.
    gate = tmp_path / "gate"
    results = ray_engine.map(wait_for, iter(range(100)), str(gate), lambda i: -1, gate.touch)
    assert next(results) == 0
    results.close()
    with pytest.raises(StopIteration):
        next(results)


def test_ray_stores_exactly_what_the_local_engine_stores(
    ray_engine: RayEngine, corpus: Path, local: dict[str, Any], tmp_path: Path
) -> None:
    ingested, extracted = run(corpus, tmp_path / "ray.db", ray_engine)
    assert ingested.ok, ingested.failures
    assert not extracted.failed
    assert dump(tmp_path / "ray.db") == local


def test_a_worker_killed_mid_run_loses_and_doubles_nothing(
    ray_engine: RayEngine, corpus: Path, local: dict[str, Any], tmp_path: Path
) -> None:
    flags = tmp_path / "flags"
    flags.mkdir()
    killing = KillingRayEngine([INGEST_MARK, EXTRACT_MARK], flags)
    ingested, extracted = run(corpus, tmp_path / "killed.db", killing)
    # Both workers were killed (the flag is set just before the kill), and Ray ran their
    # tasks again: every row is the local run's, with the same ids, none twice.
    assert sorted(p.name for p in flags.iterdir()) == ["killed-0", "killed-1"]
    assert ingested.ok, ingested.failures
    assert not extracted.failed
    assert dump(tmp_path / "killed.db") == local


def test_an_item_that_always_kills_its_worker_is_recorded_as_failed(
    ray_engine: RayEngine, corpus: Path, local_db: Path, tmp_path: Path
) -> None:
    poisoned = KillingRayEngine([INGEST_MARK, EXTRACT_MARK], None, max_retries=1)
    ingested, extracted = run(corpus, tmp_path / "poisoned.db", poisoned)
    (failure,) = ingested.failures
    assert failure[0].endswith(INGEST_MARK)
    assert failure[2] == "the worker processing this input died"
    # Every other input is stored, in the local run's order.
    stored, expected = texts(tmp_path / "poisoned.db"), texts(local_db)
    assert len(stored) == len(expected) - 1
    assert stored == [text for text in expected if text in stored]
    # The marked article's batch died; its articles are recorded as failed, the rest read.
    assert extracted.processed == len(stored)
    # The articles lost are the dead batch's and no others: BATCH of them, or fewer when
    # the marked article falls in the last, shorter batch.
    assert 1 <= len(extracted.failed) <= BATCH
    assert {reason for _, reason in extracted.failed} == {"the worker extracting it died"}
    assert len(dump(tmp_path / "poisoned.db")["extractions"]) == len(stored)


def test_the_commands_run_on_the_ray_engine(
    ray_engine: RayEngine, corpus: Path, tmp_path: Path
) -> None:
    # The Ray this module started is running, so the commands use it and leave it running.
    pages = tmp_path / "pages"
    pages.mkdir()
    for path in corpus.glob("generated-*.html"):
        shutil.copy(path, pages / path.name)
    db = tmp_path / "cli.db"
    ingested = CliRunner().invoke(
        main, ["ingest", str(pages), "--db", str(db), "--engine", "ray", "--no-extract", "--json"]
    )
    assert ingested.exit_code == 0, ingested.output
    assert json.loads(ingested.output)["added"] == 2
    extracted = CliRunner().invoke(
        main,
        ["extract", "--db", str(db), "--engine", "ray", "--json"],
        env={"TOCSIN_RAY_ADDRESS": "auto"},
    )
    assert extracted.exit_code == 0, extracted.output
    assert json.loads(extracted.output)["processed"] == 2
    assert ray_engine.owned  # still this module's Ray, not shut down by the commands


def test_the_watcher_runs_its_cycles_on_the_ray_engine(
    ray_engine: RayEngine, corpus: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for path in corpus.glob("generated-*.html"):
        shutil.copy(path, folder / path.name)
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - {name: drop, kind: folder, path: in, every: 10s}\n", "utf-8")
    db = tmp_path / "watch.db"
    args = ["watch", "--sources", str(sources), "--db", str(db), "--once", "--json",
            "--no-embeddings", "--engine", "ray"]  # fmt: skip
    watched = CliRunner().invoke(main, args)
    assert watched.exit_code == 0, watched.output
    line = json.loads(watched.output.strip().splitlines()[-1])
    assert (line["new_articles"], line["extracted"]) == (2, 2)
    assert ray_engine.owned  # the module's Ray, still running


@pytest.fixture(scope="module")
def belarus() -> Case:
    return load_case(bundled_case_path())


@pytest.fixture(scope="module")
def linked_here(
    local_db: Path, belarus: Case, tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
    """The case's links and the cached sentence vectors, linked in this process."""
    db = tmp_path_factory.mktemp("linked") / "here.db"
    shutil.copy(local_db, db)
    with Store.open(db) as store:
        relink(store, belarus, Embedder())
        return links_and_vectors(store, belarus.id)


def links_and_vectors(store: Store, case_id: str) -> tuple[list[Any], list[tuple[Any, ...]]]:
    links = [
        {k: v for k, v in r.as_dict().items() if k != "id"}
        for r in queries.link_rows(store, case_id)
    ]
    vectors = store.conn.execute(
        'SELECT article_id, start, "end", model, vector FROM sentence_embeddings '
        'ORDER BY article_id, start, "end", model'
    ).fetchall()
    return links, vectors


def test_ray_links_exactly_as_this_process_links(
    ray_engine: RayEngine,
    local_db: Path,
    belarus: Case,
    linked_here: tuple[list[Any], list[Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("tocsin.assess.relink.JOB_SENTENCES", 40)  # some ten jobs
    db = tmp_path / "ray.db"
    shutil.copy(local_db, db)
    with Store.open(db) as store:
        relink(store, belarus, Embedder(), ray_engine)
        there = links_and_vectors(store, belarus.id)
    links, vectors = linked_here
    assert len(links) > 30
    assert len(vectors) > 300
    assert there == linked_here


def test_a_linking_worker_killed_mid_run_loses_and_doubles_nothing(
    ray_engine: RayEngine,
    local_db: Path,
    belarus: Case,
    linked_here: tuple[list[Any], list[Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("tocsin.assess.relink.JOB_SENTENCES", 40)
    flags = tmp_path / "flags"
    flags.mkdir()
    db = tmp_path / "killed.db"
    shutil.copy(local_db, db)
    killing = KillingRayEngine([EXTRACT_MARK], flags)
    with Store.open(db) as store:
        relink(store, belarus, Embedder(), killing)
        # The job holding the marked sentence killed its worker once; Ray ran it again.
        assert [p.name for p in flags.iterdir()] == ["killed-0"]
        assert links_and_vectors(store, belarus.id) == linked_here


def test_the_linking_commands_run_on_the_ray_engine(
    ray_engine: RayEngine,
    local_db: Path,
    linked_here: tuple[list[Any], list[Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engines: list[str] = []  # the functions the commands mapped on Ray
    original = RayEngine.map

    def mapped(self: RayEngine, fn: Any, *args: Any, **kwargs: Any) -> Any:
        engines.append(fn.__name__)
        return original(self, fn, *args, **kwargs)

    monkeypatch.setattr(RayEngine, "map", mapped)
    db = tmp_path / "cli.db"
    shutil.copy(local_db, db)
    args = ["evidence", "link", "belarus-2022", "--db", str(db), "--engine", "ray", "--json"]
    linked = CliRunner().invoke(main, args)
    assert linked.exit_code == 0, linked.output
    made = json.loads(linked.output)["links"]
    assert made == len([link for link in linked_here[0] if link["method"] != "analyst"])
    assessed = CliRunner().invoke(
        main, ["assess", "belarus-2022", "--db", str(db), "--engine", "ray", "--json"]
    )
    assert assessed.exit_code == 0, assessed.output
    result = json.loads(assessed.output)
    assert result["case"] == "belarus-2022"
    assert len([e for e in result["evidence"] if e["kind"] == "link"]) > 30
    # Both commands linked on Ray: 'evidence link' and 'assess' (which relinks by default).
    assert engines.count("link_job") >= 2
    assert ray_engine.owned  # the module's Ray, still running
