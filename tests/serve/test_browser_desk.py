"""The cases page and the case desk in a real browser: Debian's Chromium, headless, driven
by Playwright against a desk served on 127.0.0.1."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from tests.serve.conftest import CASE

from tocsin.serve.background import BackgroundDesk


def test_from_the_cases_to_a_case_desk_without_console_errors(
    live_desk: BackgroundDesk, page: Any, console: list[str]
) -> None:
    page.goto(live_desk.url + "/")
    expect(page.locator("#cases")).to_contain_text("Will Belarus")
    page.click(f'a[href="/cases/{CASE}"]')
    expect(page.locator("#bottom-sentence")).to_contain_text("the leading hypothesis is H2")
    chart = page.locator("#trajectory img.chart")
    expect(chart).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth > 0", chart.element_handle())
    assert console == []


def test_time_travel_shows_the_case_as_of_a_chosen_date(
    live_desk: BackgroundDesk, page: Any, console: list[str]
) -> None:
    page.goto(f"{live_desk.url}/cases/{CASE}")
    now = page.locator("#bottom-sentence").inner_text()
    page.fill("#as-of", "2022-02-20")
    page.click("#timetravel button[type=submit]")
    expect(page.locator("#bottom-sentence")).to_contain_text("On the evidence to 2022-02-20")
    assert page.locator("#bottom-sentence").inner_text() != now
    assert "as_of=2022-02-20" in page.url
    assert console == []
