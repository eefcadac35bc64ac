"""The head of a pasted page: byline, date line, date ranges, the browser tab's title and
the site's name, each taken out of the text as metadata.

The publication date a page states comes from its byline or date line near the top (or from
a line labelled "Published" anywhere); "Updated" and "Last modified" dates count only when
no other is given. A date alone on a line next to a photo's caption or credit is the photo's,
and a bare date earlier than a day the body itself dates an event on is not the page's date.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date

from tocsin.ingest.blocks import SHORT_BLOCK_WORDS, Block, is_credit, is_prose_end, is_sentence
from tocsin.ingest.bylines import Byline, has_label, read_byline
from tocsin.ingest.dates import find_dates
from tocsin.models import DatePrecision
from tocsin.text import BYLINE as _BYLINE

HEADER_BLOCKS = 12  # bylines and date lines are looked for this far into the text
BYLINE_MAX_WORDS = 24  # a byline with a role, a date, a time and a zone stays under this
OPENING_PARAGRAPHS = 6  # a bare date line is checked against this many paragraphs below it

_CAPTION_REASONS = ("caption", "photo credit")
# "Headline - Site" or "Headline | Site": the browser tab's title, pasted above the page.
_TAB_TITLE = re.compile(r"^(?P<head>.+?)\s+[-|–—:]\s+(?P<site>[^-|–—]{2,60})$")


@dataclass
class Head:
    """What the head of a page says about it."""

    authors: list[str] = field(default_factory=list)
    stated: tuple[date, date, DatePrecision] | None = None
    method: str = ""


def read_head(blocks: list[Block]) -> Head:
    """Take bylines, date lines and date ranges out of ``blocks`` (marking them dropped)."""
    head = Head()
    updated: tuple[date, date, DatePrecision] | None = None
    for i in range(len(blocks)):
        line = _header_line(blocks, i)
        span = _take_line(head, blocks, i, line) if line else None
        if line is None or span is None:
            continue
        if line.updated:
            updated = updated or span
        elif head.stated is None:
            head.stated, head.method = span, "byline" if line.authors else "date line"
    if head.stated is None and updated:
        head.stated, head.method = updated, "date line (updated)"
    return head


def _header_line(blocks: list[Block], i: int) -> Byline | None:
    """Block ``i`` read as a byline or date line: in the head, or labelled further down."""
    b = blocks[i]
    if b.drop is not None or b.n > BYLINE_MAX_WORDS:
        return None
    in_head = i < HEADER_BLOCKS
    if not in_head and not has_label(b.text):
        return None  # below the head only a labelled date line counts
    line = read_byline(b.text)
    if line is None or not (in_head or (line.labelled and line.dates)):
        return None
    return line


def _take_line(
    head: Head, blocks: list[Block], i: int, line: Byline
) -> tuple[date, date, DatePrecision] | None:
    """Mark block ``i`` as what it is and take its authors; the date it states, when that
    is the page's."""
    b = blocks[i]
    if line.date_range:
        b.drop = "date range"
        return None
    _take_authors(head, b, line)
    span = line.stated()
    if span is None:
        return None
    if not line.authors and not line.labelled:
        not_ours = _not_the_page_date(blocks, i, span[1])
        if not_ours:
            b.drop = not_ours
            return None
    b.drop = b.drop or "date line"
    return span


def _take_authors(head: Head, b: Block, line: Byline) -> None:
    """The first byline that is surely one (a "By", a role or place, a date) names the
    authors; a name alone waits for ``take_bare_byline``."""
    if line.authors and not head.authors and (line.explicit or line.dates):
        head.authors = line.authors
        b.drop = "byline"


def take_bare_byline(blocks: list[Block], head: Head) -> None:
    """A line that is only a name, near the top and above the body, when no byline named
    the authors: looked for once captions and widgets are gone, so that a photo's alt text
    ("Vladimir Putin") beside its credit is not taken for one."""
    if head.authors:
        return
    for i, b in enumerate(blocks[:HEADER_BLOCKS]):
        if b.drop is not None or len(b.text) > 60 or not _BYLINE.match(b.text):
            continue
        if b.text.lower().startswith("by ") or not _in_body(blocks, i):
            line = read_byline(b.text)
            names = line.authors if line else []
            if names:
                head.authors = names
                b.drop = "byline"
                return


def _in_body(blocks: list[Block], i: int) -> bool:
    """True when block ``i`` sits inside the body (three prose-like blocks before it: a
    standfirst and a caption can precede a byline)."""
    return sum(1 for b in blocks[:i] if b.drop is None and is_prose_end(b)) >= 3


def _not_the_page_date(blocks: list[Block], i: int, last: date) -> str | None:
    """Why a bare date line is not the page's date: it belongs to a photo (after its caption
    or credit, or between a caption and a credit), or it ends before a day the body dates a
    past event on. None when it is the page's."""
    prev = blocks[i - 1] if i > 0 else None
    nxt = blocks[i + 1] if i + 1 < len(blocks) else None
    if prev is not None and (prev.drop in _CAPTION_REASONS or is_credit(prev.text)):
        return "caption"
    if prev is not None and nxt is not None and is_credit(nxt.text) and _caption_like(prev):
        return "caption"
    if any((later - last).days > 1 for later in _body_days(blocks, i)):
        return "date before the events of the body"
    return None


def _caption_like(b: Block) -> bool:
    """A short sentence that is not a byline: a photo's caption above its date."""
    return b.drop is None and b.n <= SHORT_BLOCK_WORDS and is_sentence(b)


def _body_days(blocks: list[Block], i: int) -> list[date]:
    """Days with their year that the first paragraphs after block ``i`` date past events on
    (the first few only: further down, an appended story may have begun)."""
    out: list[date] = []
    prose = (b for b in blocks[i + 1 :] if b.drop is None and is_prose_end(b))
    for b in itertools.islice(prose, OPENING_PARAGRAPHS):
        for m in find_dates(b.text):
            span = m.interval()
            if m.day and m.year and not m.future and span:
                out.append(span[0])
    return out


def mark_page_title(blocks: list[Block]) -> str | None:
    """Drop the browser tab's title ("Headline - Site") pasted above the page, and the
    site's name standing alone; return the site's name."""
    texts = {b.text.lower() for b in blocks[:HEADER_BLOCKS] if b.drop is None}
    for b in blocks[:HEADER_BLOCKS]:
        found = _TAB_TITLE.match(b.text) if b.drop is None else None
        if not found or found["head"].lower() not in texts:
            continue
        b.drop = "page title"
        site = found["site"].strip()
        for other in blocks[:HEADER_BLOCKS]:
            if other.drop is None and other.text.lower() == site.lower():
                other.drop = "site name"
        return site
    return None
