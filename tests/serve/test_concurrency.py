"""Many readers and several writers on one store: two analysts deciding at once, and a
review while ``tocsin ingest`` writes 1,000 articles. Every request must succeed (no 5xx,
no "database is locked"), the audit log must hold every decision under the analyst who
made it, and ``link_decisions`` the last decision on each link.

Nothing here is timed: the threads start together at a barrier and run to the end, and the
ingest is waited for, however busy the machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient
from tests.conftest import make_article_html, make_paragraphs
from tests.serve.conftest import CASE, DeskClient, csrf_of

from tocsin.serve.app import Settings, create_app
from tocsin.store import assessment as stored
from tocsin.store.db import Store
from tocsin.store.desk import audit_entries

ROUNDS = 30  # decisions per analyst
DECISION_ROUTE = "/cases/{case_id}/links/{link_id}/decision"
PAGES = (f"/cases/{CASE}", f"/cases/{CASE}/summary.json", "/")
INGESTED = 1000
MANUAL = 3  # items of evidence the bundled case file enters by hand
INGEST_TIMEOUT = 600  # seconds: catches a hang only; a busy machine is slow, not stuck

Decide = Callable[[str, int, str], None]  # (analyst, link id, decision)


def _link_ids(db: Path) -> list[int]:
    with Store.open(db) as store:
        return [row.id for row in stored.link_rows(store, CASE)]


def _plan(links: list[int]) -> dict[str, list[tuple[int, str]]]:
    """Each analyst's decisions, in order: their own links, and one link both decide on."""
    shared, own = links[0], {"anna": links[1:9], "ben": links[9:17]}
    plan: dict[str, list[tuple[int, str]]] = {}
    for turn, name in enumerate(own):
        plan[name] = [
            (shared if n % 3 == 0 else own[name][n % len(own[name])],
             ("accept", "reject")[(n + turn) % 2])
            for n in range(ROUNDS)
        ]  # fmt: skip
    return plan


def _run_together(
    plan: dict[str, list[tuple[int, str]]],
    decide: Decide,
    read: Callable[[], None],
) -> list[BaseException]:
    """Each analyst's plan in a thread of its own while ``read`` runs in this one, all
    started at one barrier; the reads go on until both analysts are done. The errors."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(plan) + 1)

    def work(name: str) -> None:
        try:
            start.wait()
            for link, decision in plan[name]:
                decide(name, link, decision)
        except BaseException as exc:  # collected and failed on below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(name,)) for name in plan]
    for thread in threads:
        thread.start()
    start.wait()
    try:
        while any(thread.is_alive() for thread in threads):
            read()
        read()
    finally:
        for thread in threads:
            thread.join()
    return errors


def _check_store(db: Path, plan: dict[str, list[tuple[int, str]]]) -> None:
    """The audit log has every decision under its analyst, in order; link_decisions holds
    the latest decision on each link, by whoever made it last."""
    with Store.open(db) as store:
        log = list(reversed(audit_entries(store, case_id=CASE, limit=10_000)))
        decided = {
            row.id: (row.decision, row.analyst)
            for row in stored.link_rows(store, CASE)
            if row.decision is not None
        }
    decisions = [e for e in log if e.action.startswith("link.")]
    for name, made in plan.items():
        theirs = [(e.detail["link"], e.action.removeprefix("link.")) for e in decisions
                  if e.analyst == name]  # fmt: skip
        assert theirs == made
    last = {e.detail["link"]: (e.action.removeprefix("link."), e.analyst) for e in decisions}
    assert decided == last
    assert len({analyst for _, analyst in last.values()}) == 2


def test_two_analysts_deciding_at_once_through_the_store(desk_db: Path, client: DeskClient) -> None:
    """Two connections decide at once (the same link too) while the desk serves pages."""
    plan = _plan(_link_ids(desk_db))
    local = threading.local()
    statuses: list[int] = []

    def decide(name: str, link: int, decision: str) -> None:
        if not hasattr(local, "store"):
            local.store = Store.open(desk_db)
        stored.decide(local.store, CASE, link, decision, analyst=name)

    def read() -> None:
        statuses.extend(client.get(url).status_code for url in PAGES)

    errors = _run_together(plan, decide, read)
    assert errors == []
    assert statuses
    assert set(statuses) == {200}
    _check_store(desk_db, plan)
    with Store.open(desk_db) as store:
        kept = sum(row.decision != "reject" for row in stored.link_rows(store, CASE))
    # The desk sees the other connections' decisions at once: rejected links count no more.
    assert client.get(f"/cases/{CASE}/summary.json").json()["evidence"] == kept + MANUAL


def _has_decision_route(app: object) -> bool:
    routes = getattr(app, "routes", [])
    return any(
        isinstance(r, Route) and r.path.replace(":int", "") == DECISION_ROUTE for r in routes
    )


@pytest.fixture
def two_sessions(desk_db: Path) -> Iterator[dict[str, TestClient]]:
    """Two browsers' sessions on one desk, as analysts anna and ben, with their tokens."""
    app = create_app(Settings(db=desk_db))
    assert _has_decision_route(app), f"the desk decides by POST {DECISION_ROUTE}"
    with DeskClient(app, base_url="http://127.0.0.1") as anna:
        # One client per thread; the others share anna's lifespan (the desk's connections).
        ben = DeskClient(app, base_url="http://127.0.0.1")
        for name, session in (("anna", anna), ("ben", ben)):
            token = csrf_of(session)
            session.headers.update({"X-CSRF-Token": token, "Accept": "application/json"})
            chosen = session.post("/analyst", data={"analyst": name})
            assert chosen.status_code == 200
        yield {"anna": anna, "ben": ben, "reader": DeskClient(app, base_url="http://127.0.0.1")}


@pytest.mark.slow
def test_two_analysts_deciding_at_once_over_http(
    desk_db: Path, two_sessions: dict[str, TestClient]
) -> None:
    """The same through the desk: two sessions POST decisions at once while pages are read."""
    plan = _plan(_link_ids(desk_db))
    replies: list[tuple[int, str]] = []
    reader = two_sessions["reader"]

    def decide(name: str, link: int, decision: str) -> None:
        reply = two_sessions[name].post(
            f"/cases/{CASE}/links/{link}/decision", json={"decision": decision}
        )
        replies.append((reply.status_code, reply.text))

    def read() -> None:
        replies.extend((r.status_code, "") for r in (reader.get(url) for url in PAGES))

    errors = _run_together(plan, decide, read)
    assert errors == []
    assert [r for r in replies if r[0] >= 400 or "locked" in r[1]] == []
    _check_store(desk_db, plan)


# -- a review during an ingest ------------------------------------------------------------


def _pages(folder: Path, count: int) -> Path:
    """``count`` distinct news pages, dated over 2022."""
    folder.mkdir()
    for n in range(count):
        html = make_article_html(
            f"Report {n} on the border",
            make_paragraphs(10_000 + n),
            published=f"2022-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
            site="Synthetic Wire",
        )
        (folder / f"page-{n:04d}.html").write_text(html, encoding="utf-8")
    return folder


def _ingest(folder: Path, db: Path, log: IO[bytes]) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOCSIN_")}
    command = [sys.executable, "-m", "tocsin.cli", "ingest", str(folder), "--db", str(db),
               "--workers", "2", "--no-extract", "-q"]  # fmt: skip
    return subprocess.Popen(command, env=env, cwd=db.parent, stdout=log, stderr=log)


@pytest.mark.slow
def test_a_review_during_an_ingest_of_1000_articles(
    desk_db: Path, client: DeskClient, tmp_path: Path
) -> None:
    """Pages and decisions while ``tocsin ingest`` writes: all succeed, the ingest too."""
    links = _link_ids(desk_db)
    http = _has_decision_route(client.app)
    token = csrf_of(client)
    folder = _pages(tmp_path / "pages", INGESTED)
    statuses: list[int] = []
    decided = 0
    log = tmp_path / "ingest.log"
    with (
        log.open("wb") as said,
        Store.open(desk_db) as store,
        _ingest(folder, desk_db, said) as ingest,
    ):
        while ingest.poll() is None or decided < 10:
            statuses.extend(client.get(url).status_code for url in PAGES)
            link, decision = links[decided % len(links)], ("accept", "reject")[decided % 2]
            if http:
                reply = client.post(
                    f"/cases/{CASE}/links/{link}/decision",
                    json={"decision": decision},
                    headers={"X-CSRF-Token": token, "Accept": "application/json"},
                )
                statuses.append(reply.status_code)
            else:
                stored.decide(store, CASE, link, decision, analyst="reviewer")
            decided += 1
        assert ingest.wait(timeout=INGEST_TIMEOUT) == 0, log.read_text("utf-8", "replace")
    assert set(statuses) == {200}
    with Store.open(desk_db) as store:
        assert store.counts()["articles"] == 5 + INGESTED
        log = audit_entries(store, case_id=CASE, limit=10_000)
    assert sum(e.action.startswith("link.") for e in log) == decided
    assert client.get("/").status_code == 200
