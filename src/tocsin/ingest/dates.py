"""Find date mentions in text and estimate when an undated article was published.

The estimate is the latest past-tense date the text mentions (an article cannot report an
event before it happens), with bounds: never earlier than that date, and no later than a
horizon after it when the text carries a timeline of recent dates, else open up to the end
of the period the collection covers (or today). It is stored as an estimate, never as stated.

Dates in photo captions are floors, not candidates: a photo is taken before the article that
prints it, often long before (a file photo), so a caption's date bounds the estimate from
below, and a day the body gives without a year is placed on or after it.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from tocsin.models import DateEstimate, DatePrecision
from tocsin.words import MONTHS

# Month names are matched with their capital (or all in capitals, as in a byline set in
# capitals) so that "may" and "march" the verbs never match.
MONTH_NAMES: dict[str, int] = {**MONTHS, **{name.upper(): i for name, i in MONTHS.items()}}
_MONTH = r"(?P<{g}>" + "|".join(sorted(MONTH_NAMES, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<{g}>(?:19|20)\d\d)(?!\d|,\d)"
_DAY = r"(?P<{g}>[0-3]?\d)(?:st|nd|rd|th)?"
_PART_WORDS = r"early|mid|late|the (?:beginning|start|middle|end) of|end of|beginning of"
_PART = r"(?:(?P<{g}>" + _PART_WORDS + r")[\s-]+)?"
_PREP = r"in|since|by|until|from|between|during|of|and|to|after|before"
_PATTERNS = [
    re.compile(p)
    for p in (
        r"\b(?P<iy>\d{4})([-/])(?P<im>\d\d)\2(?P<id>\d\d)\b",
        # Day first with dots, as central and eastern European sites write it: 10.10.2022.
        r"\b(?P<nd>[0-3]?\d)\.(?P<nm>[01]?\d)\.(?P<ny>(?:19|20)\d\d)(?![\d.]\d)",
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
    r"\b(will|would|shall|should|going to|plans? to|planned|planning|expected|scheduled|next|"
    r"coming|upcoming|intends? to|aims? to|agreed to|promised to|vowed to|threatened to|"
    r"ready to|(?:is|are|was|were) (?:set |due )?to|set (?:to|for)|slated|(?:is|are) due|"
    r"due to (?!the))\b",
    re.I,
)
# A future marker counts only in the mention's own clause, so that "On 29 September, X said
# that ... would" stays in the past while "agreed to receive troops between November and" does not.
_CLAUSE_BREAK = re.compile(r",(?!\d)|[;:()—–]")
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")
# What was said on a date happened then, whatever it announced: "said on 10 October that
# troops would come" dates the saying. A marker after "that" or a speech verb is the speech's.
_SPEECH = (
    r"said|says|announced|told|stated|declared|reported|wrote|confirmed|added|claimed|"
    r"insisted|warned|noted|explained|argued|revealed|disclosed|promised|pledged|vowed"
)
_SPOKEN_ON = re.compile(rf"\b(?:{_SPEECH})\b(?:\s+\w+){{0,3}}?\s+(?:on|in|at)?\s*$", re.I)
_REPORT_CUT = re.compile(rf"\b(?:that|{_SPEECH})\b", re.I)


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

    @property
    def precision(self) -> DatePrecision:
        return "day" if self.day else "month" if self.month else "year"


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
    elif g.get("ny"):
        year, month, day = int(g["ny"]), int(g["nm"]), int(g["nd"])
    else:
        year = int(g["y"]) if g.get("y") else None
        month = MONTH_NAMES[g["m"]] if g.get("m") else None
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
        after = _REPORT_CUT.split(_CLAUSE_BREAK.split(text[mention.end : e])[0])[0]
        said = _SPOKEN_ON.search(before)
        spoken = said is not None and not _FUTURE.search(before[: said.start()])
        future = not spoken and bool(_FUTURE.search(before) or _FUTURE.search(after))
        out.append(WrittenDate(**{**mention.__dict__, "future": future}))
    return out


def estimate_published(
    text: str,
    *,
    today: date | None = None,
    period: tuple[date, date] | None = None,
    horizon_days: int = 60,
    captions: str = "",
) -> DateEstimate | None:
    """Estimate the publication date of an undated text, or None when it mentions no date.

    ``captions`` are the page's photo captions: their dates are floors (see the module)."""
    today = today or date.today()
    ceiling = min(today, period[1]) if period else today
    mentions = [m for m in find_dates(text) if not m.future]
    floor = _floor(captions, ceiling)
    if not mentions and floor is None:
        return None
    caption_years = [floor[0].year] if floor else []
    anchor, year_note = _anchor_year(mentions, ceiling, period, caption_years)
    intervals = _intervals(mentions, anchor, ceiling, period, floor[0] if floor else None)
    if not intervals or (floor and max(s[1] for s, _ in intervals) < floor[0]):
        if floor is None:
            return None
        method = f"no date later than a photo caption's '{floor[1]}'; upper bound open-ended"
        return DateEstimate(
            value=floor[0], estimated=True, low=floor[0], high=ceiling, method=method
        )
    (low, latest), mention = max(intervals, key=lambda x: (x[0][0], x[0][1]))
    if floor and low < floor[0]:
        low, year_note = floor[0], year_note + f"; not before a photo caption's '{floor[1]}'"
    high, bound = _upper_bound(intervals, low, latest, mention, ceiling, horizon_days)
    method = f"latest date mentioned: '{mention.text}'{year_note}; upper bound {bound}"
    return DateEstimate(value=latest, estimated=True, low=low, high=high, method=method)


Dated = tuple[tuple[date, date], WrittenDate]


def _floor(captions: str, ceiling: date) -> tuple[date, str] | None:
    """The latest date a caption states with its year (the photo's), when not in the future."""
    dated = [
        (span[0], m.text)
        for m in find_dates(captions)
        if m.year and not m.future and (span := m.interval()) and span[0] <= ceiling
    ]
    return max(dated) if dated else None


def _anchor_year(
    mentions: list[WrittenDate],
    ceiling: date,
    period: tuple[date, date] | None,
    caption_years: list[int],
) -> tuple[int | None, str]:
    """The year that mentions without one belong to, and how it was chosen: the latest year
    the text states, else the period's, else a caption's."""
    years = [m.year for m in mentions if m.year and m.year <= ceiling.year]
    anchor = max(years) if years else None
    if period and (anchor is None or anchor < period[0].year):
        return period[0].year, f", year from period {period[0].year}"
    if anchor is None and caption_years and any(m.year is None for m in mentions):
        return caption_years[0], f", year {caption_years[0]} from a photo caption"
    if anchor and any(m.year is None for m in mentions):
        return anchor, f", year {anchor} from the latest year mentioned"
    return anchor, ""


def _intervals(
    mentions: list[WrittenDate],
    anchor: int | None,
    ceiling: date,
    period: tuple[date, date] | None,
    floor: date | None,
) -> list[Dated]:
    """Each mention's interval, for those that can be past and inside the period; a day
    given without a year that would fall before a caption's date is taken a year later."""
    out = []
    for m in mentions:
        span = m.interval(anchor)
        if span and floor and m.year is None and span[1] < floor and anchor is not None:
            later = m.interval(anchor + 1)
            span = later if later and later[0] <= ceiling else span
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


# -- dates an input states -------------------------------------------------------------------

_ISO_PARTIAL = re.compile(r"^(\d{4})(?:-(\d\d)(?:-(\d\d))?)?(?:[T ]\d.*)?$")
_COMPACT = re.compile(r"^(\d{4})(\d\d)(\d\d)$")


def read_stated(value: object) -> tuple[date, date, DatePrecision] | None:
    """A date an input states, as its first day, last day and precision; None when it cannot
    be read. Reads ISO dates and datetimes, ``YYYY-MM`` and ``YYYY`` (a month or a year),
    ``YYYYMMDD``, dates written in words or with dots, a year as a number, and Unix time."""
    if isinstance(value, datetime):
        return value.date(), value.date(), "day"
    if isinstance(value, date):
        return value, value, "day"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _read_number(value)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if m := _ISO_PARTIAL.match(text) or _COMPACT.match(text):
        return _span(int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None)
    mentions = [m for m in find_dates(text) if m.year]
    if len(mentions) != 1 or len(text) > 80:
        return None
    span = mentions[0].interval()
    return (span[0], span[1], mentions[0].precision) if span else None


def _read_number(value: float) -> tuple[date, date, DatePrecision] | None:
    """A year (1000 to 9999) or a Unix time in seconds (milliseconds when very large)."""
    if value != value or value in (float("inf"), float("-inf")):  # NaN and infinities
        return None
    if 1000 <= value <= 9999 and value == int(value):
        return _span(int(value), None, None)
    seconds = value / 1000 if abs(value) >= 1e11 else value
    if abs(seconds) < 1e8:  # before 1973, or a count: not a timestamp anyone means
        return None
    try:
        day = datetime.fromtimestamp(seconds, UTC).date()
    except (OverflowError, OSError, ValueError):
        return None
    return day, day, "day"


def _span(year: int, month: int | None, day: int | None) -> tuple[date, date, DatePrecision] | None:
    try:
        if day is not None and month is not None:
            one = date(year, month, day)
            return one, one, "day"
        if month is not None:
            last = calendar.monthrange(year, month)[1]
            return date(year, month, 1), date(year, month, last), "month"
        return date(year, 1, 1), date(year, 12, 31), "year"
    except (ValueError, calendar.IllegalMonthError):
        return None


def stated_estimate(span: tuple[date, date, DatePrecision], method: str) -> DateEstimate:
    """A stated date as stored: its range, and as the value its last day, so that an
    article stated to be from a month counts in time travel only once that month is over."""
    low, high, precision = span
    return DateEstimate(
        value=high, estimated=False, low=low, high=high, method=method, precision=precision
    )


def parse_stated(value: object) -> date | None:
    """A stated date from metadata precise to the day (ISO string, 'YYYY-MM-DD...', or a
    date line), else None."""
    span = read_stated(value)
    return span[0] if span and span[2] == "day" else None
