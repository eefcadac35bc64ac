"""The review queue in a real browser: Debian's Chromium, headless, driven by Playwright
against a desk served on 127.0.0.1. Decisions from the keyboard, shown in place, with the
bottom line updated and no reload."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from tests.serve.conftest import CASE

from tocsin.serve.background import BackgroundDesk
from tocsin.store import assessment as stored
from tocsin.store.db import Store


def _current(page: Any) -> str:
    return str(page.locator("li.item.current").get_attribute("data-link-id"))


def _item(page: Any, link_id: str) -> Any:
    return page.locator(f'li.item[data-link-id="{link_id}"]')


def test_decisions_from_the_keyboard_update_the_queue_in_place(
    live_desk: BackgroundDesk, desk_db: Path, page: Any, console: list[str]
) -> None:
    page.goto(f"{live_desk.url}/cases/{CASE}/queue")
    page.evaluate("() => { window.notReloaded = true; }")
    bottom = page.locator("#bottom-sentence").inner_text()
    pending = int(page.locator("#pending-count").inner_text())

    first = _current(page)
    page.keyboard.press("r")
    expect(_item(page, first)).to_have_attribute("data-decision", "reject")
    expect(page.locator("#pending-count")).to_have_text(str(pending - 1))
    expect(page.locator("#bottom-sentence")).not_to_have_text(bottom)
    # A rejected link moves nothing now: its impact says so without a reload.
    expect(_item(page, first).locator(".impact")).to_have_attribute("data-impact", "0")
    expect(_item(page, first).locator(".impact")).to_have_class(re.compile(r"\bmuted\b"))
    # u undoes it: the link is pending again, the bottom line as it was; r decides again.
    page.keyboard.press("u")
    expect(_item(page, first)).to_have_attribute("data-decision", "")
    expect(page.locator("#pending-count")).to_have_text(str(pending))
    expect(page.locator("#bottom-sentence")).to_have_text(bottom)
    page.keyboard.press("r")
    expect(_item(page, first)).to_have_attribute("data-decision", "reject")
    expect(page.locator("#pending-count")).to_have_text(str(pending - 1))

    second = _current(page)
    assert second != first  # the next pending link
    before = _item(page, second).get_attribute("data-polarity")
    page.keyboard.press("f")
    expect(_item(page, second)).to_have_attribute("data-decision", "accept")
    assert _item(page, second).get_attribute("data-polarity") != before

    third = _current(page)
    page.keyboard.press("l")
    expect(page.locator("#relink-select")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#relink-box")).to_be_hidden()
    page.keyboard.press("e")
    page.keyboard.press("Home")
    if page.locator("#relink-select").input_value() == _item(page, third).get_attribute(
        "data-indicator"
    ):
        page.keyboard.press("ArrowDown")
    target = page.locator("#relink-select").input_value()
    page.keyboard.press("Enter")
    expect(_item(page, third)).to_have_attribute("data-decision", "relink")
    expect(_item(page, third).locator(".ind-id")).to_have_text(target)

    page.keyboard.press("k")
    page.keyboard.press("k")
    assert _current(page) == second
    page.keyboard.press("n")
    page.keyboard.type("<b>checked</b>")
    page.keyboard.press("Enter")
    expect(_item(page, second).locator(".note-text")).to_have_text("Note: <b>checked</b>")

    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    assert page.evaluate("() => window.notReloaded === true")
    assert console == []
    with Store.open(desk_db) as store:
        now = {str(r.id): r for r in stored.link_rows(store, CASE)}
    assert now[first].decision == "reject"
    assert (now[second].decision, now[second].note) == ("accept", "<b>checked</b>")
    assert (now[third].decision, now[third].new_indicator) == ("relink", target)
