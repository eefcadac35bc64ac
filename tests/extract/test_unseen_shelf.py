"""The unseen English shelf (tests/data/unseen-en): 30 dated news excerpts on the Belarus
question, with gold quotes and events for all 30 articles. These tests check that the shelf is
well formed and that every gold snippet is found where the gold says; what the shelf is for and
how it was annotated is in tests/data/unseen-en/README.md."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tocsin.extract.events import CATEGORIES

ROOT = Path(__file__).resolve().parents[2]
SHELF = ROOT / "tests" / "data" / "unseen-en"
SEEDS = ROOT / "src" / "tocsin" / "demo" / "articles"
ARTICLES = range(1, 31)
GOLD = range(1, 31)
# The one column (22) attributes nothing to anyone: its gold has events and no quotes.
NO_QUOTES = {22}
ENTRY_KEYS = ["article", "title", "source_url", "outlet", "published", "date_evidence", "split"]
GOLD_KEYS = ["article", "anchor", "quotes", "events", "notes"]
QUOTE_KEYS = ["text", "occurrence", "kind", "speaker", "speaker_text", "cue"]
EVENT_KEYS = ["text", "occurrence", "actor", "target", "category", "plover", "mode"]
KINDS = {"direct", "partial", "indirect"}
MODES = {"asserted", "denied", "refused", "threatened", "planned", "hypothetical", "reported"}
PLOVER = set(
    "AGREE ASSAULT COERCE CONSULT COOPERATE DEMAND DISAPPROVE MOBILIZE REJECT REQUEST RETREAT "
    "SANCTION SUPPORT THREATEN ACCUSE AID CONCEDE PROTEST FIGHT".split()
)


def locate(text: str, snippet: str, occurrence: int) -> tuple[int, int]:
    """Offsets of the occurrence-th non-overlapping copy of snippet (1-based), as in the README."""
    start = -len(snippet)
    for _ in range(occurrence):
        start = text.index(snippet, start + len(snippet))
    return start, start + len(snippet)


def _shelf() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads((SHELF / "shelf.json").read_text("utf-8"))
    return entries


def _text(nn: int) -> str:
    return (SHELF / f"{nn:02d}.txt").read_text("utf-8")


def _gold(nn: int) -> dict[str, Any]:
    gold: dict[str, Any] = json.loads((SHELF / f"{nn:02d}.json").read_text("utf-8"))
    return gold


def test_locate_counts_copies_inside_longer_words_and_fails_past_the_last() -> None:
    text = "120,000 troops; then 20,000 more"
    assert locate(text, "20,000", 1) == (1, 7)
    assert locate(text, "20,000", 2) == (21, 27)
    with pytest.raises(ValueError, match="substring not found"):
        locate(text, "20,000", 3)


def test_shelf_lists_thirty_dated_articles_split_by_parity() -> None:
    entries = _shelf()
    assert [e["article"] for e in entries] == list(ARTICLES)
    for e in entries:
        assert list(e) == ENTRY_KEYS, e["article"]
        assert date(2021, 11, 1) <= date.fromisoformat(e["published"]) <= date(2023, 12, 31)
        assert e["split"] == ("tune" if e["article"] % 2 else "check"), e["article"]
        assert e["source_url"].startswith("https://"), e["article"]
        assert e["date_evidence"], e["article"]
        assert e["outlet"], e["article"]
    assert len({e["source_url"] for e in entries}) == len(entries)


@pytest.mark.parametrize("nn", ARTICLES)
def test_each_text_is_its_title_a_blank_line_and_paragraphs(nn: int) -> None:
    text = _text(nn)
    title, blank, *paragraphs = text.split("\n")
    assert title == _shelf()[nn - 1]["title"]
    assert blank == ""
    assert text.endswith("\n")
    assert not text.endswith("\n\n")
    assert "\n\n\n" not in text
    body = "\n".join(paragraphs).rstrip("\n").split("\n\n")
    assert body
    for paragraph in body:
        assert paragraph, nn
        assert paragraph == paragraph.strip(), paragraph
        assert "\n" not in paragraph, paragraph


def _shingles(text: str, n: int = 12) -> set[tuple[str, ...]]:
    """Runs of n words: 12 is long enough that stock phrases of war news ("of the General
    Staff of the Armed Forces") do not count as a shared passage."""
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_no_text_comes_from_a_seed_article() -> None:
    seeds: set[tuple[str, ...]] = set()
    for path in sorted(SEEDS.glob("*.txt")):
        seeds |= _shingles(path.read_text("utf-8"))
    assert seeds
    shared = {nn: len(_shingles(_text(nn)) & seeds) for nn in ARTICLES}
    assert not any(shared.values()), shared


def test_gold_exists_for_every_article_01_to_30() -> None:
    present = sorted(int(p.stem) for p in SHELF.glob("[0-9][0-9].json"))
    assert present == list(GOLD)


@pytest.mark.parametrize("nn", GOLD)
def test_every_gold_snippet_is_found_at_its_occurrence(nn: int) -> None:
    gold, text = _gold(nn), _text(nn)
    assert list(gold) == GOLD_KEYS
    assert gold["article"] == nn
    assert gold["anchor"] == _shelf()[nn - 1]["published"]
    for item in gold["quotes"] + gold["events"]:
        start, end = locate(text, item["text"], item["occurrence"])
        assert text[start:end] == item["text"]
    for quote in gold["quotes"]:
        assert quote["speaker_text"] is None or quote["speaker_text"] in text, quote
        cue = quote["cue"] or ""
        assert all(part.strip() in text for part in cue.split("…")), quote


@pytest.mark.parametrize("nn", GOLD)
def test_gold_labels_come_from_the_closed_sets(nn: int) -> None:
    gold = _gold(nn)
    assert bool(gold["quotes"]) == (nn not in NO_QUOTES), nn
    assert gold["events"]
    for quote in gold["quotes"]:
        assert list(quote) == QUOTE_KEYS
        assert quote["kind"] in KINDS, quote
        assert quote["speaker"], quote
    for event in gold["events"]:
        assert list(event) == EVENT_KEYS
        assert event["actor"], event
        assert event["category"] in set(CATEGORIES.values()), event
        assert event["plover"] in PLOVER, event
        assert event["mode"] in MODES, event
