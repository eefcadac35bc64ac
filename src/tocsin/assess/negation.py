"""Negation cues: whether a sentence's words deny what a match in it reports.

A cue negates a match only from the same clause, at most ``NEGATION_WINDOW`` words before
it (a short aside between commas is skipped: "has not, so far, sent"); a stated absence
("no signs that ...", "no evidence of ...") earlier in the sentence negates what follows,
up to the end of its clause. ``link.py`` applies them to its matches; ``polarity.py`` reads
the clause with a parse where these cues are not enough.
"""

from __future__ import annotations

import re

_NEGATION = re.compile(
    r"\b(no|not|never|neither|nor|none|without|cannot|unable|no longer|failed to|fails to|"
    r"yet to)\b|n't\b|n’t\b",
    re.IGNORECASE,
)
# A cue negates a match only from the same clause and at most this many words before it;
# a comma-enclosed aside of at most ASIDE_WORDS words ("has not, so far, sent") is skipped.
NEGATION_WINDOW = 6
ASIDE_WORDS = 3
# "There are no signs that Belarus is forming an offensive group": an absence stated
# earlier in the sentence negates what follows it, unless a contrast comes between.
# Its scope: the complement after "of" or "that", up to a clause end or a new clause.
_ABSENCE = re.compile(
    r"\b(no|not any|without any|without|little|nor any)\s+(\w+\s+)?"
    r"(signs?|evidence|indications?|proof|reports?|plans?|intention)\b"
    r"(\s+\w+){0,2}?\s+(of|that)\b",
    re.IGNORECASE,
)
_ABSENCE_WORDS = 15  # the most words an absence reaches past its "of" or "that"
_SCOPE_END = re.compile(
    r"[;:,–—]|\b(and|but|however|although|though|whereas|while)\b", re.IGNORECASE
)
_WHETHER_OR_NOT = re.compile(r"\bwhether or not\b", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(
    r"[;:,–—“”\"(]\s?|\b(and|but|however|although|while|whereas|that|who|which|whose|"
    r"whether)\b",
    re.IGNORECASE,
)


def negated_before(text: str, position: int) -> bool:
    """Whether a negation governs ``position``: a cue shortly before it in the same clause
    (comma-enclosed asides of a few words are skipped, and their own cues do not count),
    or a stated absence ("no signs that ...") earlier in the sentence, with no "but" between.
    """
    head = _WHETHER_OR_NOT.sub(lambda m: "whether".ljust(len(m.group(0))), text[:position])
    if any(_absence_reaches(head, found) for found in _ABSENCE.finditer(head)):
        return True
    kept = _clause_before(head)
    words = kept.split()[-NEGATION_WINDOW:]
    return _NEGATION.search(" ".join(words)) is not None


def _absence_reaches(head: str, absence: re.Match[str]) -> bool:
    """Whether a stated absence governs the end of ``head``: no clause end between them."""
    between = head[absence.end() :]
    return not _SCOPE_END.search(between) and len(between.split()) <= _ABSENCE_WORDS


def _clause_before(head: str) -> str:
    """The text of the clause that ends ``head``, without comma-enclosed short asides."""
    breaks = list(_CLAUSE_BREAK.finditer(head))
    pieces = [head[breaks[-1].end() :] if breaks else head]
    k = len(breaks) - 1
    while k >= 1 and _comma(breaks[k]) and _comma(breaks[k - 1]):
        aside = head[breaks[k - 1].end() : breaks[k].start()]
        if len(aside.split()) > ASIDE_WORDS:
            break
        start = breaks[k - 2].end() if k >= 2 else 0
        pieces.insert(0, head[start : breaks[k - 1].start()])
        k -= 2
    return " ".join(pieces)


def _comma(found: re.Match[str]) -> bool:
    return found.group(0).startswith(",")


def is_negated(text: str) -> bool:
    return _NEGATION.search(text) is not None
