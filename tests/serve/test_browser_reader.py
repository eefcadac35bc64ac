"""The reader, search and entity pages in a real browser (Debian's Chromium, headless, by
Playwright, against a desk on 127.0.0.1): no console error or policy violation, the
highlight toggles, the jump to a sentence, and what "add as evidence" posts."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from tests.serve.conftest import CASE

from tocsin.assess.case import bundled_case_path, load_case
from tocsin.serve.background import BackgroundDesk
from tocsin.store.db import Store


def click_sentence(page: Any, sentence: Any) -> None:
    """Click a letter of the sentence outside any entity's link (which would open the
    entity's page), scrolled clear of the sticky header: an inline element's box, spread
    over several lines, may have another sentence at its corner."""
    point = sentence.evaluate(
        """s => {
          s.scrollIntoView({block: "center"});
          const walk = document.createTreeWalker(s, NodeFilter.SHOW_TEXT);
          for (let n = walk.nextNode(); n; n = walk.nextNode()) {
            const at = n.textContent.search(/\\S/);
            if (at < 0 || n.parentElement.closest("a")) continue;
            const range = document.createRange();
            range.setStart(n, at);
            range.setEnd(n, at + 1);
            const r = range.getBoundingClientRect();
            return {x: r.left + r.width / 2, y: r.top + r.height / 2};
          }
          return null;
        }"""
    )
    assert point is not None, "a sentence with a letter outside any link"
    page.mouse.click(point["x"], point["y"])


def test_a_sentence_clicked_is_posted_as_evidence_with_its_offsets(
    live_desk: BackgroundDesk, page: Any, console: list[str]
) -> None:
    posted: list[dict[str, Any]] = []

    def answer(route: Any) -> None:
        # The evidence endpoint belongs to the review queue: stand in for it here, and
        # keep what the reader sent.
        request = route.request
        posted.append({"body": json.loads(request.post_data or "{}"), "headers": request.headers})
        reply = {"link": {}, "summary": {"bottom_line": "Bottom line stand-in."}}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(reply))

    page.route(f"**/cases/{CASE}/evidence", answer)
    page.goto(f"{live_desk.url}/articles/1")
    sentence = page.locator("#article-text .sentence[data-start]").nth(2)
    start, end = sentence.get_attribute("data-start"), sentence.get_attribute("data-end")
    click_sentence(page, sentence)
    form = page.locator("#add-evidence")
    expect(form).to_be_visible()
    expect(page.locator("#chosen-sentence")).to_have_text(sentence.inner_text())
    indicators = load_case(bundled_case_path()).indicators
    expect(page.locator("#evidence-indicator option")).to_have_count(len(indicators))
    page.select_option("#evidence-indicator", indicators[1].id)
    page.select_option("#add-evidence select[name=polarity]", "negated")
    page.fill("#add-evidence input[name=note]", "<b>seen by hand</b>")
    page.click("#add-evidence button[type=submit]")
    expect(page.locator("#toast")).to_contain_text("Bottom line stand-in.")
    expect(form).to_be_hidden()
    assert len(posted) == 1
    assert posted[0]["body"] == {
        "article_id": 1,
        "start": int(start or -1),
        "end": int(end or -1),
        "indicator": indicators[1].id,
        "polarity": "negated",
        "note": "<b>seen by hand</b>",
    }
    assert posted[0]["headers"].get("x-csrf-token")
    assert console == []


def test_evidence_added_from_the_reader_counts_at_once(
    live_desk: BackgroundDesk, page: Any, console: list[str]
) -> None:
    page.goto(f"{live_desk.url}/articles/5")
    sentence = page.locator("#article-text .sentence:not(.linked)").nth(3)
    start = sentence.get_attribute("data-start")
    click_sentence(page, sentence)
    expect(page.locator("#evidence-indicator option").first).to_be_attached()
    page.select_option("#evidence-indicator", "mobilisation")
    page.click("#add-evidence button[type=submit]")
    expect(page.locator("#toast")).to_contain_text("Added. On the evidence to")
    expect(page.locator(f"#s{start}")).to_have_class(re.compile(r"\blinked\b"))
    page.reload()
    expect(page.locator(f"#s{start}")).to_have_attribute("data-links", re.compile("mobilisation"))
    assert console == []


def test_toggles_and_jumps_to_a_sentence_by_offset(
    live_desk: BackgroundDesk, desk_db: Path, page: Any, console: list[str]
) -> None:
    with Store.open(desk_db) as store:
        start, end = store.conn.execute(
            'SELECT start, "end" FROM sentences WHERE article_id = 2'
            " ORDER BY start LIMIT 1 OFFSET 5"
        ).fetchone()
    inside = start + 3  # not a sentence's start: the script finds the sentence holding it
    page.goto(f"{live_desk.url}/articles/2#s{inside}")
    target = page.locator("#article-text .sentence.target")
    expect(target).to_have_attribute("data-start", str(start))
    expect(target).to_have_attribute("data-end", str(end))
    text = page.locator("#article-text")
    page.uncheck('#legend input[data-kind="entity"]')
    expect(text).to_have_class("article-text hide-entity")
    page.check('#legend input[data-kind="entity"]')
    expect(text).to_have_class("article-text")
    assert console == []


def test_search_and_entity_pages_run_clean(
    live_desk: BackgroundDesk, page: Any, console: list[str]
) -> None:
    page.goto(f"{live_desk.url}/search")
    page.fill('#search-form input[name="q"]', "Lukashenko")
    page.fill('#search-form input[name="speaker"]', "Lukashenko")
    page.click("#search-form button[type=submit]")
    expect(page.locator("#results li.hit").first).to_be_visible()
    expect(page.locator("#results mark").first).to_have_text("Lukashenko")
    page.click("#results li.hit a.title >> nth=0")
    expect(page.locator("#article-text")).to_be_visible()
    page.locator("#article-text a.hl.entity").first.click()
    expect(page.locator("#entity")).to_be_visible()
    page.goto(f"{live_desk.url}/entities")
    expect(page.locator("#entities tr[data-entity-id]").first).to_be_visible()
    assert console == []
