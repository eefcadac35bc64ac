"""An article is read in a spaCy memory zone: a stream of articles leaves the vocabulary as
it was, and the evidence is the evidence read without the zone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from spacy.language import Language

from tocsin.extract.article import extract_article, pipeline
from tocsin.models.evidence import Evidence

ANCHOR = date(2022, 3, 4)


def article(n: int) -> str:
    """An article whose names, unit and figure are words no model has seen (the n-th)."""
    return (
        f'Minsk, {n} March. "We will not send a single soldier across the border," said'
        f" Vasil Zorblaxovich{n}, Belarus's deputy defence minister, on Thursday. According to"
        f" the Qwertian Monitor{n}, some {1000 + n:,} troops of the {n}th Glimmerbrook brigade"
        f" moved towards Brest on 2 March. Ukraine's foreign ministry said Minsk had allowed"
        f" Russian forces to use the Plombirovo{n} airfield."
    )


@contextmanager
def no_zone(self: Language, mem: object = None) -> Iterator[None]:
    yield


def test_a_stream_of_articles_leaves_the_vocabulary_as_it_was() -> None:
    nlp, aliases = pipeline()
    extract_article(nlp, aliases, article(0), ANCHOR)
    before = len(nlp.vocab.strings)
    for n in range(1, 21):
        extract_article(nlp, aliases, article(n), ANCHOR)
    assert len(nlp.vocab.strings) == before
    assert "Zorblaxovich7" not in nlp.vocab.strings


def test_the_evidence_read_in_the_zone_is_the_evidence_read_without(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    nlp, aliases = pipeline()
    texts = [article(n) for n in range(100, 106)]
    # In the zone first, while every invented word is new to the vocabulary; twice, as the
    # words freed by one article's zone come again in the next.
    zoned = [extract_article(nlp, aliases, text, ANCHOR) for text in texts]
    again = [extract_article(nlp, aliases, text, ANCHOR) for text in texts]
    monkeypatch.setattr(Language, "memory_zone", no_zone)
    plain = [extract_article(nlp, aliases, text, ANCHOR) for text in texts]
    assert "Zorblaxovich103" in nlp.vocab.strings  # the zone was really off
    assert zoned == again == plain
    assert all(isinstance(ev, Evidence) for ev in plain)
    found = plain[0]
    assert {m.text for m in found.mentions} >= {"Vasil Zorblaxovich100", "Brest"}
    assert any("single soldier" in q.text for q in found.quotes)
    assert found.quantities
    assert found.dates
