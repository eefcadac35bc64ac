"""The worker-side cleaning stage: language, fingerprints, metadata from container hints."""

from __future__ import annotations

from datetime import date

import pytest

from tocsin.config import Config
from tocsin.ingest.clean import detect_language, process
from tocsin.models import CleanOptions, RawItem

OPTIONS = CleanOptions(None, date(2026, 11, 23), Config.load())


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Лукашэнка заявіў, што беларускае войска не будзе ўдзельнічаць у вайне.", "be"),
        (
            "Лукашенко заявил, что белорусская армия не будет участвовать в войне против Украины.",
            "ru",
        ),
        ("Лукашенко заявив, що білоруська армія не братиме участі у війні проти України.", "uk"),
        ("Le président biélorusse a déclaré que son armée ne participerait pas à la guerre.", "fr"),
        ("The Belarusian president said his army would not take part in the war.", "en"),
    ],
)
def test_language_of_text(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_language_unknown_is_none_not_a_guess() -> None:
    assert detect_language("") is None
    assert detect_language("\ud800 broken surrogate") is None


def test_process_returns_fingerprints_without_the_raw_bytes() -> None:
    data = ("Minsk said the drills were defensive. " * 40).encode("utf-8")
    result = process(RawItem(locator="x.txt", kind="text", data=data), OPTIONS)
    assert result.error is None
    assert result.article is not None
    assert result.item.data == b""
    assert result.size == len(data)
    assert result.words == 240
    assert len(result.text_sha256) == 64
    assert len(result.shingles) % 4 == 0
    assert result.shingles


def test_feed_hints_fill_missing_metadata_and_host_is_not_an_outlet() -> None:
    html = (
        b"<html><body><article><p>" + b"Troops crossed the border today. " * 30 + b"</p></article>"
    )
    item = RawItem(
        locator="feed.xml#1",
        kind="feed",
        data=html + b"</body></html>",
        url="http://127.0.0.1:8080/a",
        hints={
            "title": "Troops cross",
            "outlet": "Example News",
            "published": "2022-10-11",
            "authors": ["A. Writer"],
        },
    )
    article = process(item, OPTIONS).article
    assert article is not None
    assert article.title == "Troops cross"
    assert article.outlet == "Example News"
    assert article.authors == ["A. Writer"]
    assert article.published is not None
    assert article.published.value == date(2022, 10, 11)
    assert not article.published.estimated
