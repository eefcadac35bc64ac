"""Every page of the desk in a real browser over a store whose article titles, addresses,
outlets, texts, quotes, speakers, entity names, links and case file carry script payloads:
nothing runs, nothing is refused by the policy (which would mean markup got through), no
dialog opens, and no link leads to ``javascript:``."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.serve.conftest import CASE

from tocsin.models.alerts import Alert, AlertEvidence
from tocsin.serve.app import Settings
from tocsin.serve.background import BackgroundDesk
from tocsin.store import alerts
from tocsin.store.db import Store
from tocsin.store.desk import case_file, save_case_file

SCRIPT = "<script>window.__pwned = 1</script>"
IMG = '<img src=x onerror="window.__pwned = 2">'
JS = "javascript:window.__pwned = 3"
QUOTE = '"><svg onload="window.__pwned = 4">'


@pytest.fixture(scope="module")
def hostile_master(desk_master: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store with payloads written into every string the desk shows."""
    db = tmp_path_factory.mktemp("hostile") / "hostile.db"
    shutil.copy(desk_master, db)
    with Store.open(db) as store, store.transaction() as conn:
        conn.execute(
            "UPDATE articles SET title = ?, url = ?, outlet = ? WHERE id = 1",
            (f"Minsk {SCRIPT} talks", JS, f"Outlet {IMG}"),
        )
        conn.execute(
            "UPDATE entities SET canonical = canonical || ? WHERE id IN"
            " (SELECT entity_id FROM mentions WHERE article_id = 1 LIMIT 3)",
            (QUOTE,),
        )
        conn.execute("UPDATE quotes SET speaker_text = ? WHERE article_id = 1", (IMG,))
        conn.execute("UPDATE evidence_links SET source = ?, reason = ?", (SCRIPT, QUOTE))
    with Store.open(db) as store:
        text = case_file(store, CASE).text  # type: ignore[union-attr]
        hostile = text.replace("Belarus stays a platform for Russia", f"Platform {SCRIPT} {IMG}")
        hostile = hostile.replace("openDemocracy", f"'{JS}'")
        assert hostile != text
        save_case_file(store, CASE, hostile, origin="desk", analyst=f"x{QUOTE}"[:40])
        evidence = AlertEvidence("L1", f"Seen {SCRIPT}", IMG, QUOTE, JS, None, "E")
        now = datetime.now(UTC)
        alert = Alert(CASE, f"r{QUOTE}", "indicator", f"Title {SCRIPT}", f"Detail {IMG}",
                      "hostile", None, now, {"H1": 1.0}, (evidence,))  # fmt: skip
        (stored,) = alerts.record(store, [alert], now)
        alerts.delivered(store, stored.id, f"hook{QUOTE}", "failed", 1, SCRIPT, now)
    return db


def pages(article: int, entity: int) -> list[str]:
    return [
        "/",
        f"/cases/{CASE}",
        f"/cases/{CASE}?as_of=2022-06-30",
        f"/cases/{CASE}/queue",
        f"/cases/{CASE}/queue?show=all",
        f"/articles/{article}",
        "/search?q=Minsk",
        "/entities",
        f"/entities/{entity}",
        f"/cases/{CASE}/edit",
        f"/cases/{CASE}/versions",
        "/audit",
        "/alerts",
    ]


def test_no_payload_runs_on_any_page(
    hostile_master: Path, tmp_path: Path, page: Any, console: list[str]
) -> None:
    db = tmp_path / "hostile.db"
    shutil.copy(hostile_master, db)
    with Store.open(db) as store:
        entity = store.conn.execute(
            "SELECT id FROM entities WHERE canonical LIKE '%svg onload%' LIMIT 1"
        ).fetchone()[0]
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    with BackgroundDesk(Settings(db=db)) as desk:
        for address in pages(1, entity):
            reply = page.goto(desk.url + address)
            assert reply is not None
            assert reply.status == 200, f"{address}: {reply.status}"
            page.wait_for_load_state("networkidle")
            found = page.evaluate(
                """() => ({
                    pwned: window.__pwned || 0,
                    inline: document.querySelectorAll('script:not([src])').length,
                    handlers: [...document.querySelectorAll('*')].filter(
                        (e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
                    jsLinks: [...document.querySelectorAll('a[href], form[action]')].filter(
                        (e) => (e.getAttribute('href') || e.getAttribute('action') || '')
                            .trim().toLowerCase().startsWith('javascript:')).length,
                })"""
            )
            assert found == {"pwned": 0, "inline": 0, "handlers": 0, "jsLinks": 0}, address
    assert dialogs == []
    assert console == []


def test_the_payloads_are_shown_as_text(hostile_master: Path, tmp_path: Path, page: Any) -> None:
    db = tmp_path / "hostile.db"
    shutil.copy(hostile_master, db)
    with BackgroundDesk(Settings(db=db)) as desk:
        page.goto(f"{desk.url}/articles/1")
        assert SCRIPT in page.locator("h1").inner_text()
        page.goto(f"{desk.url}/cases/{CASE}")
        assert f"Platform {SCRIPT} {IMG}" in page.locator("#hypotheses").inner_text()
