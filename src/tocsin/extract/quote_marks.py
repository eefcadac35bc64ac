"""Quote marks paired into quoted spans, per paragraph, from the characters alone.

Curly, straight and single curly marks (when they are not apostrophes), guillemets, and
two straight apostrophes standing for a double mark (''as some archives print them'') pair
within a paragraph. A mark left open runs to the paragraph's end, which is how
multi-paragraph quotes are written; a mixed pair (“ … ") still pairs; a closing mark with
no opening before it ends a quote that began at the paragraph's start (the last paragraph
of a multi-paragraph quote), until a quote that is not blank has closed there. Nothing
raises on unbalanced input, and one pass over the marks pairs a paragraph of any length.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from tocsin.extract.lookup import Intervals

_MARKS = re.compile("''|[“”\"«»„‘’]")
# Marks read like a straight double one: open or close by what stands around them.
_STRAIGHT = frozenset({'"', "''"})


@dataclass
class QuoteSpan:
    """Characters inside a pair of quote marks, within one paragraph."""

    start: int  # first character inside the opening mark
    end: int  # the closing mark's index (exclusive end of the content)
    open_mark: int  # index of the opening mark, or -1 when the quote runs on from before


def paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each paragraph: blocks separated by blank lines, or by single
    newlines when the text has no blank lines."""
    sep = re.compile(r"\n\s*\n") if "\n\n" in text else re.compile(r"\n")
    pos = 0
    for match in sep.finditer(text):
        if match.start() > pos:
            yield pos, match.start()
        pos = match.end()
    if pos < len(text):
        yield pos, len(text)


def _is_open(text: str, i: int, para_start: int, ch: str) -> bool:
    before = text[i - 1] if i > para_start else " "
    after = text[i + len(ch)] if i + len(ch) < len(text) else " "
    if ch in "“«„":
        return True
    if ch in _STRAIGHT or ch == "‘":
        return (before.isspace() or before in "([{—–-/:“") and not after.isspace()
    return False


def _is_close(text: str, i: int, para_end: int, ch: str) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + len(ch)] if i + len(ch) < para_end else " "
    if ch in "”»":
        return True
    if ch in _STRAIGHT:
        return not before.isspace()
    if ch == "’":
        # An apostrophe sits between letters (it’s) or ends a plural possessive (Belarus’
        # borders); a closing mark is followed by a space, punctuation or the end.
        return not before.isspace() and not after.isalnum()
    return False


def find_quote_spans(text: str) -> list[QuoteSpan]:
    """Quoted spans of ``text``, paired per paragraph; tolerant of unbalanced marks.

    The spans come in text order and do not overlap, except that a single-quoted or a
    blank span can sit inside a double-quoted one that runs from the paragraph's start.
    """
    spans: list[QuoteSpan] = []
    for p_start, p_end in paragraphs(text):
        spans.extend(_Pairing(text, p_start, p_end).spans())
    return spans


class _Pairing:
    """One paragraph's marks, read left to right."""

    def __init__(self, text: str, p_start: int, p_end: int) -> None:
        self.text, self.p_start, self.p_end = text, p_start, p_end
        self.open_at = -1  # the open quote's opening mark
        self.open_len = 1  # and its length: 2 for ''
        self.single = False  # whether that mark is a single one
        self.opened_double = False  # an opening double mark has been seen
        self.closed_double = False  # a double-quoted span has ended

    def spans(self) -> Iterator[QuoteSpan]:
        for match in _MARKS.finditer(self.text, self.p_start, self.p_end):
            yield from self._mark(match.start(), match.group())
        if self.open_at >= 0 and not self.single:
            start = self.open_at + self.open_len
            yield self._double(start, _rstrip(self.text, self.p_end), self.open_at)

    def _double(self, start: int, end: int, open_mark: int) -> QuoteSpan:
        # A blank span does not count: a paragraph that opens with a closing mark used as
        # an opening one (”Mr. Trump …”) still pairs its true closing mark.
        self.closed_double = self.closed_double or _rstrip(self.text, end) > start
        return QuoteSpan(start, end, open_mark)

    def _mark(self, i: int, ch: str) -> Iterator[QuoteSpan]:
        text, open_at = self.text, self.open_at
        opens_double = ch in "“«„"
        if open_at >= 0:
            # Inside a quote: a single mark nests inside a double one and is left alone.
            closes = ch == "’" if self.single else ch in "”»" or ch in _STRAIGHT
            if closes and _is_close(text, i, self.p_end, ch):
                span = QuoteSpan(open_at + self.open_len, i, open_at)
                yield span if self.single else self._double(span.start, span.end, open_at)
                self.open_at = -1
            elif not self.single and opens_double and _is_open(text, i, self.p_start, ch):
                # A new opening mark before any close: the first quote lost its closing
                # mark; end it here rather than swallow the rest of the paragraph.
                yield self._double(open_at + self.open_len, _rstrip(text, i), open_at)
                self.open_at, self.open_len = i, len(ch)
        elif _is_open(text, i, self.p_start, ch):
            self.open_at, self.open_len, self.single = i, len(ch), ch == "‘"
        elif ch in "”»" and not self.opened_double and not self.closed_double:
            # A closing mark with no opening in the paragraph: the quote began at the
            # paragraph's start (a multi-paragraph quote's last paragraph, say).
            yield self._double(self.p_start, i, -1)
        self.opened_double = self.opened_double or opens_double


def _rstrip(text: str, end: int) -> int:
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end


class Inside:
    """Which characters lie inside a quote."""

    def __init__(self, spans: Sequence[QuoteSpan]) -> None:
        self.spans = sorted((s.start, s.end) for s in spans)
        self.starts = [s for s, _ in self.spans]
        self._intervals = Intervals(self.spans)

    def __call__(self, pos: int) -> bool:
        i = bisect_right(self.starts, pos) - 1
        return i >= 0 and self.spans[i][0] <= pos < self.spans[i][1]

    def overlap(self, start: int, end: int) -> float:
        """Share of [start, end) that lies inside quotes."""
        if end <= start:
            return 0.0
        return self._intervals.covered(start, end) / (end - start)
