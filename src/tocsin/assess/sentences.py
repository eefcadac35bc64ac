"""Sentence spans of an article's clean text, from spaCy's rule-based sentencizer.

Extraction does not store sentences; linking needs them. The sentencizer splits on
punctuation and needs no model, so this costs a tokenisation, not a parse. Paragraph
breaks always end a sentence: pasted text often drops the full stop after a heading.
"""

from __future__ import annotations

import re
from functools import lru_cache

import spacy
from spacy.language import Language

_PARAGRAPH = re.compile(r"\n\s*\n|\n")
_OPENING = "“‘«„"  # the sentencizer leaves an opening mark at the end of the sentence before


@lru_cache(maxsize=1)
def _splitter() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, in code points, without surrounding whitespace."""
    spans: list[tuple[int, int]] = []
    position = 0
    for block in [*_PARAGRAPH.split(text)]:
        offset = text.index(block, position) if block else position
        position = offset + len(block)
        if not block.strip():
            continue
        carry = 0
        for sent in _splitter()(block).sents:
            start, end = offset + sent.start_char - carry, offset + sent.end_char
            carry = 0
            while end > start and text[end - 1] in _OPENING + " ":
                end -= 1
                carry += 1
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                spans.append((start, end))
    return spans
