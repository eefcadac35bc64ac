"""The case editor, its versions and the audit log in a real browser: Debian's Chromium,
headless, driven by Playwright against a desk served on 127.0.0.1. A browser's form posts
are what the application tests cannot stand in for (its Origin header, CR LF line ends)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from tests.serve.conftest import CASE

from tocsin.serve.background import BackgroundDesk

# The faulty save answers 422: Chromium logs the page's status as a failed resource.
REFUSED_SAVE = "status of 422"


def _selected(page: Any) -> str:
    return str(
        page.evaluate(
            "() => { const t = document.getElementById('case-text');"
            " return t.value.slice(t.selectionStart, t.selectionEnd); }"
        )
    )


def test_a_fault_is_shown_at_its_line_and_a_fixed_file_saves(
    live_desk: BackgroundDesk, page: Any, console: list[str]
) -> None:
    page.goto(f"{live_desk.url}/cases/{CASE}/edit")
    original = page.input_value("#case-text")
    page.fill("#case-text", original.replace("question:", "questionn:", 1))
    page.focus("#case-text")
    page.keyboard.press("Control+s")
    fault = page.locator("#faults li", has_text="questionn")
    expect(fault).to_contain_text("Extra inputs are not permitted")
    fault.locator("a").click()
    assert _selected(page).startswith("questionn:")
    kept = page.input_value("#case-text")
    assert "questionn:" in kept  # the analyst's text is still there

    page.fill("#case-text", kept.replace("questionn:", "question:", 1) + "# from the browser\n")
    page.fill("#note", "a comment")
    page.click("#save")
    expect(page.locator("#saved")).to_contain_text("Saved as version 2")
    expect(page.locator("#diff tr.add")).to_have_count(1)
    expect(page.locator("#diff tr.add")).to_contain_text("# from the browser")
    assert [e for e in console if REFUSED_SAVE not in e] == []


def test_the_audit_log_shows_the_browsers_analyst(
    live_desk: BackgroundDesk, page: Any, console: list[str]
) -> None:
    page.goto(f"{live_desk.url}/cases/{CASE}/edit")
    page.fill("header form.who input[name=analyst]", "Dana")
    page.click("header form.who button[type=submit]")
    expect(page.locator("#save")).to_contain_text("Save as Dana")
    text = page.input_value("#case-text")
    page.fill("#case-text", text + "# Dana's\n")
    page.click("#save")
    expect(page.locator("#saved")).to_be_visible()
    page.goto(f"{live_desk.url}/audit")
    page.select_option("#filter-analyst", "Dana")
    page.click("#audit-filters button[type=submit]")
    rows = page.locator("#audit tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("case.save")
    rows.first.locator("td.target a").click()
    expect(page.locator("h1")).to_contain_text("Case file version 2")
    assert console == []
