"""Lookups the rules make for every quote, cue or figure, each in logarithmic time.

A rule that asks "which mention is here", "is this inside a quote" or "who spoke last" by
scanning a list is quadratic on a text that has many of both; these structures answer the
same questions, with the same answers, after one pass.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import accumulate
from typing import Generic, Protocol, TypeVar

from spacy.tokens import Doc

from tocsin.extract.nlp import text_of

T = TypeVar("T")


class Located(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


R = TypeVar("R", bound=Located)


class LatestBefore(Generic[T]):
    """The item added last whose position lies below a bound, as items arrive in any order.

    An item hides every earlier one at a position not below its own: whenever the earlier
    one is below a bound, the later one is too. The items left form a stack that rises in
    position, searched by bisection.
    """

    def __init__(self, *, strict: bool) -> None:
        self.strict = strict  # below means '<' when strict, '<=' otherwise
        self.positions: list[int] = []
        self.items: list[T] = []

    def add(self, position: int, item: T) -> None:
        while self.positions and self.positions[-1] >= position:
            self.positions.pop()
            self.items.pop()
        self.positions.append(position)
        self.items.append(item)

    def latest(self, bound: int) -> T | None:
        """The last item added below ``bound``, or None."""
        cut = bisect_left if self.strict else bisect_right
        k = cut(self.positions, bound)
        return self.items[k - 1] if k else None


class Intervals:
    """A set of half-open intervals, possibly overlapping: membership and overlap."""

    def __init__(self, intervals: Sequence[tuple[int, int]]) -> None:
        ordered = sorted(intervals)
        self.starts = [a for a, _ in ordered]
        self.max_end = list(accumulate((b for _, b in ordered), max))
        self.sorted_ends = sorted(b for _, b in ordered)
        self.start_sums = [0, *accumulate(self.starts)]
        self.end_sums = [0, *accumulate(self.sorted_ends)]

    def covers(self, pos: int) -> bool:
        """Whether some interval holds ``pos``: ``any(a <= pos < b)``."""
        k = bisect_right(self.starts, pos)
        return k > 0 and self.max_end[k - 1] > pos

    def meets(self, start: int, end: int) -> bool:
        """``any(a < end and start < b)`` over the intervals."""
        k = bisect_left(self.starts, end)
        return k > 0 and self.max_end[k - 1] > start

    def covered(self, start: int, end: int) -> int:
        """``sum(max(0, min(end, b) - max(start, a)))``: overlap counted once per interval."""
        return self._before(end) - self._before(start)

    def _before(self, x: int) -> int:
        """Characters of all intervals below ``x``, each interval counted on its own."""
        k = bisect_left(self.starts, x)
        j = bisect_left(self.sorted_ends, x)
        return (k * x - self.start_sums[k]) - (j * x - self.end_sums[j])


class Ordered(Generic[R]):
    """Records (mentions, dates) in their given order, found by position.

    When they are sorted and do not overlap, as every rule produces them, lookups bisect;
    otherwise they scan, so the answers are the same for any input.
    """

    def __init__(self, items: Sequence[R]) -> None:
        self.items = list(items)
        self.starts = [r.start for r in self.items]
        self.ends = [r.end for r in self.items]
        self.fast = all(r.start < r.end for r in self.items) and all(
            a.end <= b.start for a, b in zip(self.items, self.items[1:], strict=False)
        )

    def containing(self, pos: int) -> R | None:
        """The first record with ``start <= pos < end``."""
        if not self.fast:
            return next((r for r in self.items if r.start <= pos < r.end), None)
        k = bisect_right(self.starts, pos) - 1
        return self.items[k] if k >= 0 and pos < self.ends[k] else None

    def within(self, start: int, end: int) -> range | list[int]:
        """Indices of the records with ``start <= r.start`` and ``r.end <= end``, in order."""
        if not self.fast:
            return [k for k, r in enumerate(self.items) if start <= r.start and r.end <= end]
        return range(bisect_left(self.starts, start), bisect_right(self.ends, end))


class TextIndex:
    """Where words, blank lines and non-space runs are in one text."""

    _WORD = re.compile(r"\w+")
    _NON_SPACE = re.compile(r"\S+")
    _BLANK = re.compile(r"\n(?=\n)")

    def __init__(self, text: str) -> None:
        self.text = text
        words = [(m.start(), m.end()) for m in self._WORD.finditer(text)]
        self.word_starts = [a for a, _ in words]
        self.word_ends = [b for _, b in words]
        runs = [(m.start(), m.end()) for m in self._NON_SPACE.finditer(text)]
        self.run_starts = [a for a, _ in runs]
        self.run_ends = [b for _, b in runs]
        # every '\n\n', overlapping ones included, as str.find and str.rfind see them
        self.blank = [m.start() for m in self._BLANK.finditer(text)]

    def words(self, start: int, end: int) -> int:
        """``len(re.findall(r"\\w+", text[start:end]))``."""
        if end <= start:
            return 0
        return bisect_left(self.word_starts, end) - bisect_right(self.word_ends, start)

    def next_non_space(self, pos: int) -> int:
        """The first index at or after ``pos`` that is not whitespace (or the text's end)."""
        k = bisect_right(self.run_ends, pos)
        return max(pos, self.run_starts[k]) if k < len(self.run_starts) else len(self.text)

    def blank_before(self, pos: int) -> int:
        """``text.rfind("\\n\\n", 0, pos)``."""
        k = bisect_right(self.blank, pos - 2)
        return self.blank[k - 1] if k else -1

    def blank_after(self, pos: int) -> int:
        """``text.find("\\n\\n", pos)``."""
        k = bisect_left(self.blank, pos)
        return self.blank[k] if k < len(self.blank) else -1


def text_index(doc: Doc) -> TextIndex:
    """The Doc's ``TextIndex``, built on first use."""
    found = doc.user_data.get("tocsin_text_index")
    if not isinstance(found, TextIndex):
        found = TextIndex(text_of(doc))
        doc.user_data["tocsin_text_index"] = found
    return found
