"""The desk's alerts page: what `tocsin watch` rang, escaped, with its evidence and
deliveries; the JSON the pages poll; and, in a real browser, an alert stored while a page is
open shows without a reload (the bar's count on the queue, the list on the alerts page)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.serve.conftest import CASE, DeskClient

from tocsin.models.alerts import Alert, AlertEvidence
from tocsin.serve.app import Settings
from tocsin.serve.background import BackgroundDesk
from tocsin.store import alerts as kept
from tocsin.store.db import Store

PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def _alert(n: int, title: str = "Russian troops arrive in Brest", url: str | None = None) -> Alert:
    return Alert(
        case_id=CASE, rule_id="troops", kind="indicator", title=f"{title} #{n}",
        detail=f"A new report of russian-troops-arrive (seen). {PAYLOAD}", key=f"k{n}",
        as_of=date(2022, 10, 13), fired_at=datetime(2026, 12, 7, 3, n, tzinfo=UTC),
        probabilities={"H1": 0.1, "H2": 0.85, "H3": 0.05},
        evidence=(AlertEvidence("L12", f"Troops were seen near Brest {PAYLOAD}", "Reuters",
                                "The Guardian", url, date(2022, 10, 11), "B"),),
    )  # fmt: skip


def _ring(db: Path, *alerts: Alert) -> list[kept.StoredAlert]:
    with Store.open(db) as store:
        return kept.record(store, alerts, datetime.now(UTC))


def test_the_alerts_page_lists_alerts_escaped_with_their_deliveries(
    client: DeskClient, desk_db: Path
) -> None:
    assert "No alerts" in client.get("/alerts").text
    first, second = _ring(desk_db, _alert(1), _alert(2))
    with Store.open(desk_db) as store:
        kept.delivered(store, first.id, "webhook", "failed", 3, "HTTP 503", datetime.now(UTC))
        kept.delivered(store, first.id, "jsonl", "sent", 1, None, datetime.now(UTC))
    page = client.get("/alerts").text
    assert page.index("Russian troops arrive in Brest #2") < page.index("#1")  # newest first
    assert PAYLOAD not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<span class="delivery failed">webhook: failed</span>' in page
    assert "grade B" in page
    assert f'data-latest="{second.id}"' in page
    assert "#1" not in client.get("/alerts?case=another-case").text
    assert "the article</a>" not in page  # no address, no link


def test_an_alerts_evidence_links_to_its_article_on_the_web_only(
    client: DeskClient, desk_db: Path
) -> None:
    _ring(desk_db, _alert(1, url="https://wire.example/brest?a=1&b=2"))
    _ring(desk_db, _alert(2, url="javascript:alert(3)"))
    page = client.get("/alerts").text
    assert '<a class="source-link" href="https://wire.example/brest?a=1&amp;b=2"' in page
    assert page.count("the article</a>") == 1
    assert "javascript:alert(3)" not in page


def test_alerts_json_gives_what_was_stored_after_an_id(client: DeskClient, desk_db: Path) -> None:
    empty = client.get("/alerts.json?after=0").json()
    assert empty == {"alerts": [], "latest": 0}
    first, second, third = _ring(desk_db, _alert(1), _alert(2), _alert(3))
    reply = client.get(f"/alerts.json?after={first.id}").json()
    assert [a["id"] for a in reply["alerts"]] == [second.id, third.id]  # oldest first
    assert reply["latest"] == third.id
    assert reply["alerts"][0]["evidence"][0]["text"].startswith("Troops were seen")
    assert client.get(f"/alerts.json?after={third.id}").json()["alerts"] == []
    assert client.get("/alerts.json?after=x").status_code == 422


@pytest.fixture
def quick_desk(desk_db: Path) -> Iterator[BackgroundDesk]:
    """The desk asking for new alerts every half second."""
    with BackgroundDesk(Settings(db=desk_db, alert_poll=0.5)) as desk:
        yield desk


def test_an_alert_shows_on_open_pages_without_a_reload(
    quick_desk: BackgroundDesk, desk_db: Path, page: Any, console: list[str]
) -> None:
    page.goto(f"{quick_desk.url}/cases/{CASE}/queue")
    page.evaluate("() => { window.notReloaded = true; }")
    expect(page.locator("#new-alerts")).to_be_hidden()
    page.wait_for_function("() => performance.getEntriesByName(location.origin + "
                           "'/alerts.json?after=2147483647').length > 0")  # fmt: skip
    _ring(desk_db, _alert(1))
    expect(page.locator("#new-alerts")).to_have_text(" (1 new)")
    assert page.evaluate("() => window.notReloaded") is True

    page.goto(f"{quick_desk.url}/alerts")
    expect(page.locator("#alerts li.alert")).to_have_count(1)
    page.wait_for_function("() => performance.getEntriesByName(location.origin + "
                           "'/alerts.json?after=2147483647').length > 0")  # fmt: skip
    _ring(desk_db, _alert(2, "Leader changes to H1", "https://wire.example/brest"))
    expect(page.locator("#alerts li.alert").first).to_contain_text("Leader changes to H1 #2")
    source = page.locator("#alerts li.alert").first.locator("a.source-link")
    expect(source).to_have_attribute("href", "https://wire.example/brest")
    expect(page.locator("#alerts li.alert")).to_have_count(2)
    assert page.locator("#alerts li.alert").first.locator("q").inner_text().endswith(PAYLOAD)
    assert page.evaluate("() => document.querySelectorAll('img[src=x]').length") == 0
    assert console == []
