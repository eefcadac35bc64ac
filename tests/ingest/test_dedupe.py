"""Exact and near-duplicate fingerprints."""

from __future__ import annotations

import random

from tocsin.ingest import dedupe

RNG = random.Random(42)
VOCAB = [f"w{i}" for i in range(3000)]


def _article(n: int = 400) -> str:
    return " ".join(RNG.choice(VOCAB) for _ in range(n))


def test_exact_hash_ignores_case_and_spacing() -> None:
    assert dedupe.text_hash("Hello,  World\n\nAgain") == dedupe.text_hash("hello world again")
    assert dedupe.text_hash("hello world") != dedupe.text_hash("hello there")


def test_light_edit_is_near_duplicate_and_other_text_is_not() -> None:
    text = _article()
    words = text.split()
    for i in range(0, len(words), 40):  # one word in forty changed: a light repost edit
        words[i] = "edited"
    edited = " ".join(words) + " Reposted with permission."
    a, b, c = (dedupe.signature(t) for t in (text, edited, _article()))
    assert dedupe.similarity(a, b) >= 0.6
    assert dedupe.similarity(a, c) < 0.2
    assert set(dedupe.band_keys(a)) & set(dedupe.band_keys(b))
    assert not set(dedupe.band_keys(a)) & set(dedupe.band_keys(c))


def test_signature_round_trips_through_bytes() -> None:
    sig = dedupe.signature(_article())
    assert dedupe.similarity(sig.tobytes(), sig) == 1.0
