"""Find date mentions in text and estimate when an undated article was published.

The estimate is the latest past-tense date the text mentions (an article cannot report an
event before it happens), with bounds: never earlier than that date, and no later than a
horizon after it when the text carries a timeline of recent dates, else open up to the end
of the period the collection covers (or today). It is stored as an estimate, never as stated.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta

from tocsin.models import DateEstimate
from tocsin.words import MONTHS

# Month names are matched with their capital so that "may" and "march" the verbs never match.
_MONTH = r"(?P<{g}>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<{g}>(?:19|20)\d\d)(?!\d|,\d)"
_DAY = r"(?P<{g}>[0-3]?\d)(?:st|nd|rd|th)?"
_PART_WORDS = r"early|mid|late|the (?:beginning|start|middle|end) of|end of|beginning of"
_PART = r"(?:(?P<{g}>" + _PART_WORDS + r")[\s-]+)?"
_PREP = r"in|since|by|until|from|between|during|of|and|to|after|before"
_PATTERNS = [
    re.compile(p)
    for p in (
        r"\b(?P<iy>\d{4})-(?P<im>\d\d)-(?P<id>\d\d)\b",
        r"\b" + _DAY.format(g="d") + r"\s+" + _MONTH.format(g="m") + r",?\s+" + _YEAR.format(g="y"),
        r"\b"
        + _MONTH.format(g="m")
        + r"\s+"
        + _DAY.format(g="d")
        + r"(?!\d),?\s+"
        + _YEAR.format(g="y"),
        r"\b" + _DAY.format(g="d") + r"\s+" + _MONTH.format(g="m") + r"(?!\w)",
        r"\b" + _MONTH.format(g="m") + r"\s+" + _DAY.format(g="d") + r"(?![\d:%])\b",
        r"(?i:\b"
        + _PART.format(g="part")
        + r")"
        + _MONTH.format(g="m")
        + r",?\s+"
        + _YEAR.format(g="y"),
        r"(?i:\b(?:"
        + _PREP
        + "|"
        + _PART_WORDS
        + r")[\s-]+"
        + _PART.format(g="part")
        + r")"
        + _MONTH.format(g="m")
        + r"(?![\w-])",
        r"(?i:\b(?:" + _PREP + r")\s+)" + _YEAR.format(g="y"),
        r"\b[A-Z][a-z]+\s+" + _YEAR.format(g="y") + r"\b",
    )
]
_FUTURE = re.compile(
    r"\b(will|would|shall|going to|plans? to|planned|planning|expected|scheduled|next|coming|"
    r"upcoming|intends? to|aims? to|agreed to|promised to|vowed to|threatened to|ready to|"
    r"due to (?!the))\b",
    re.I,
)
# A future marker counts only in the mention's own clause, so that "On 29 September, X said
# that ... would" stays in the past while "agreed to receive troops between November and" does not.
_CLAUSE_BREAK = re.compile(r",(?!\d)|[;:()—–]")
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")


@dataclass(frozen=True)
class WrittenDate:
    """A date expression in text, resolved to an interval when its year is known."""

    text: str
    start: int
    end: int
    year: int | None
    month: int | None
    day: int | None
    part: str | None = None
    future: bool = False

    def interval(self, year: int | None = None) -> tuple[date, date] | None:
        """First and last day this mention can mean, using ``year`` when it states none."""
        y = self.year or year
        if y is None:
            return None
        if self.month is None:
            return date(y, 1, 1), date(y, 12, 31)
        last = calendar.monthrange(y, self.month)[1]
        if self.day is not None:
            d = min(self.day, last)
            return date(y, self.month, d), date(y, self.month, d)
        lo, hi = _PART_DAYS.get(_part_key(self.part), (1, 31))
        return date(y, self.month, lo), date(y, self.month, min(hi, last))


_PART_DAYS = {"early": (1, 10), "mid": (11, 20), "late": (21, 31)}


def _part_key(part: str | None) -> str:
    if not part:
        return ""
    part = part.lower()
    if "beginning" in part or "start" in part or part == "early":
        return "early"
    if "middle" in part or part == "mid":
        return "mid"
    return "late"


def find_dates(text: str) -> list[WrittenDate]:
    """All date mentions in ``text``, longest match first at each position, in text order."""
    taken: list[tuple[int, int]] = []
    found: list[WrittenDate] = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            mention = _mention(m)
            if mention is None:
                continue
            taken.append((m.start(), m.end()))
            found.append(mention)
    found.sort(key=lambda x: x.start)
    return _mark_future(text, found)


def _mention(m: re.Match[str]) -> WrittenDate | None:
    g = m.groupdict()
    year: int | None
    month: int | None
    day: int | None
    if g.get("iy"):
        year, month, day = int(g["iy"]), int(g["im"]), int(g["id"])
    else:
        year = int(g["y"]) if g.get("y") else None
        month = MONTHS[g["m"]] if g.get("m") else None
        day = int(g["d"]) if g.get("d") else None
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None and not 1 <= day <= 31:
        return None
    part = g.get("part")
    return WrittenDate(m[0], m.start(), m.end(), year, month, day, part)


def _mark_future(text: str, mentions: list[WrittenDate]) -> list[WrittenDate]:
    """Flag mentions with a future or plan marker nearby in the same sentence."""
    out = []
    sentences = [(s.start(), s.end()) for s in _SENTENCE.finditer(text)]
    starts = [s for s, _ in sentences]
    for mention in mentions:
        k = bisect_right(starts, mention.start) - 1  # the sentence holding it, found by halving
        s, e = sentences[k] if k >= 0 and mention.start < sentences[k][1] else (0, len(text))
        before = _CLAUSE_BREAK.split(text[s : mention.start])[-1]
        after = _CLAUSE_BREAK.split(text[mention.end : e])[0]
        future = bool(_FUTURE.search(before) or _FUTURE.search(after))
        out.append(WrittenDate(**{**mention.__dict__, "future": future}))
    return out


def estimate_published(
    text: str,
    *,
    today: date | None = None,
    period: tuple[date, date] | None = None,
    horizon_days: int = 60,
) -> DateEstimate | None:
    """Estimate the publication date of an undated text, or None when it mentions no date."""
    today = today or date.today()
    ceiling = min(today, period[1]) if period else today
    mentions = [m for m in find_dates(text) if not m.future]
    if not mentions:
        return None
    anchor, year_note = _anchor_year(mentions, ceiling, period)
    intervals = _intervals(mentions, anchor, ceiling, period)
    if not intervals:
        return None
    (low, latest), mention = max(intervals, key=lambda x: (x[0][0], x[0][1]))
    high, bound = _upper_bound(intervals, low, latest, mention, ceiling, horizon_days)
    method = f"latest date mentioned: '{mention.text}'{year_note}; upper bound {bound}"
    return DateEstimate(value=latest, estimated=True, low=low, high=high, method=method)


Dated = tuple[tuple[date, date], WrittenDate]


def _anchor_year(
    mentions: list[WrittenDate], ceiling: date, period: tuple[date, date] | None
) -> tuple[int | None, str]:
    """The year that mentions without one belong to, and how it was chosen."""
    years = [m.year for m in mentions if m.year and m.year <= ceiling.year]
    anchor = max(years) if years else None
    if period and (anchor is None or anchor < period[0].year):
        return period[0].year, f", year from period {period[0].year}"
    if anchor and any(m.year is None for m in mentions):
        return anchor, f", year {anchor} from the latest year mentioned"
    return anchor, ""


def _intervals(
    mentions: list[WrittenDate],
    anchor: int | None,
    ceiling: date,
    period: tuple[date, date] | None,
) -> list[Dated]:
    """Each mention's interval, for those that can be past and inside the period."""
    out = []
    for m in mentions:
        span = m.interval(anchor)
        if span and span[0] <= ceiling and (period is None or span[1] >= period[0]):
            out.append((span, m))
    return out


def _upper_bound(
    intervals: list[Dated],
    low: date,
    latest: date,
    mention: WrittenDate,
    ceiling: date,
    horizon_days: int,
) -> tuple[date, str]:
    """How late the text can have appeared: a timeline of several recent day-precise dates
    suggests it was written soon after its latest one; otherwise, up to the ceiling."""
    recent = {
        s for s, m in intervals if m.day is not None and 0 <= (low - s[0]).days <= horizon_days
    }
    if len(recent) >= 2 and mention.day is not None:
        high, bound = latest + timedelta(days=horizon_days), f"+{horizon_days} days"
    else:
        high, bound = ceiling, "open-ended"
    return max(min(high, ceiling), latest), bound


def parse_stated(value: object) -> date | None:
    """A stated date from metadata (ISO string, 'YYYY-MM-DD...', or a date line), else None."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    iso = re.match(r"^(\d{4})-(\d\d)-(\d\d)", value)
    if iso:
        try:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            return None
    mentions = find_dates(value)
    if len(mentions) == 1 and mentions[0].year and mentions[0].day:
        span = mentions[0].interval()
        return span[0] if span else None
    return None
