"""Quote marks of Russian text paired into quoted spans, nested ones included.

Russian news quotes in guillemets «…», with „…“ (or «…» again) inside them, and often in
straight marks "…", nested the same way ("Вот я прочитал: "…". …"). The English pairing
(``tocsin.extract.quote_marks``) ends a quote at a second opening mark; here the marks form
a stack per paragraph:

* « and „ always open; » and ” always close; “ closes a quote opened by „ and opens
  otherwise (English style “…”);
* a straight " opens when it follows a space, an opening bracket, a dash or a colon and is
  followed by a letter or digit, and closes when it follows anything else; so a quote in
  straight marks can hold another ("…: "…". …");
* a closing mark closes the innermost open quote; one with nothing open is ignored;
* quotes left open at the paragraph's end run to it (a quote running over several
  paragraphs opens each and closes only the last).

Each mark is read once, so a paragraph of any length pairs in linear time.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from tocsin.text import Offsets

_MARKS = re.compile('[«»„“”"]')
_OPENS_STRAIGHT_AFTER = frozenset(" \t\n([{—–-:/«„“")


@dataclass(frozen=True)
class Quoted:
    """The characters inside one pair of quote marks."""

    start: int  # first character inside the opening mark
    end: int  # the closing mark's index, or the paragraph's end
    open_mark: int  # index of the opening mark
    close_mark: int  # index of the closing mark, -1 when the quote runs to the paragraph end
    depth: int  # 0 for an outermost quote, 1 inside another, ...


def find_quoted(text: str, paragraphs: Sequence[Offsets]) -> list[Quoted]:
    """Every quoted span of ``text``, paired within each paragraph, ordered by start."""
    found: list[Quoted] = []
    for p_start, p_end in paragraphs:
        found.extend(_pair(text, p_start, p_end))
    found.sort(key=lambda q: (q.start, -q.end))
    return found


def _pair(text: str, p_start: int, p_end: int) -> Iterator[Quoted]:
    stack: list[tuple[int, str]] = []  # (index, mark) of open quotes, innermost last
    for match in _MARKS.finditer(text, p_start, p_end):
        i, ch = match.start(), match.group()
        if _closes(text, i, ch, stack, p_start):
            opened, _ = stack.pop()
            yield Quoted(opened + 1, i, opened, i, len(stack))
        elif _opens(text, i, ch, p_start, p_end):
            stack.append((i, ch))
    end = _rstrip(text, p_start, p_end)
    while stack:
        opened, _ = stack.pop()
        if end > opened + 1:
            yield Quoted(opened + 1, end, opened, -1, len(stack))


def _closes(text: str, i: int, ch: str, stack: list[tuple[int, str]], p_start: int) -> bool:
    if not stack:
        return False
    if ch in "»”":
        return True
    if ch == "“":
        return stack[-1][1] == "„"
    if ch == '"':
        before = text[i - 1] if i > p_start else " "
        return not before.isspace() and before not in "([{"
    return False


def _opens(text: str, i: int, ch: str, p_start: int, p_end: int) -> bool:
    if ch in "«„“":
        return True
    if ch != '"':
        return False
    before = text[i - 1] if i > p_start else " "
    after = text[i + 1] if i + 1 < p_end else " "
    return before in _OPENS_STRAIGHT_AFTER and (after.isalnum() or after in "«„(.…")


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


class QuotedIndex:
    """Which characters lie inside an outermost quote."""

    def __init__(self, quoted: Sequence[Quoted]) -> None:
        outer = sorted((q.start, q.end) for q in quoted if q.depth == 0)
        self.spans = outer
        self.starts = [s for s, _ in outer]

    def __call__(self, pos: int) -> bool:
        k = bisect_right(self.starts, pos) - 1
        return k >= 0 and self.spans[k][0] <= pos < self.spans[k][1]

    def share(self, start: int, end: int) -> float:
        """How much of [start, end) lies inside quotes (0 to 1)."""
        if end <= start:
            return 0.0
        k = max(0, bisect_right(self.starts, start) - 1)
        inside = 0
        while k < len(self.spans) and self.spans[k][0] < end:
            a, b = self.spans[k]
            inside += max(0, min(b, end) - max(a, start))
            k += 1
        return inside / (end - start)
