"""Calendar dates as written, and the calendar arithmetic every date rule shares.

A calendar date names its interval outright ('10 October 2022', 'February 2022', 'late
1980s', 'winter 2014', 'the first quarter'); when it leaves out the year, the anchor and
the clause's tense choose the year (see ``timex``). Parts of a month, week, year, season,
decade or century are their early, middle and late thirds.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from tocsin.words import MONTHS_LOWER

Interval = tuple[date, date]
Tense = Literal["future", "past"] | None

MONTHS = MONTHS_LOWER
_PARTS = {
    "early": "early",
    "beginning of": "early",
    "start of": "early",
    "mid": "mid",
    "middle of": "mid",
    "late": "late",
    "end of": "late",
}
SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11)}
SEASONS["winter"] = (12, 2)  # December of the year before to February
_QUARTERS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3}
_QUARTERS.update({"fourth": 4, "4th": 4})

_MON = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?(?![a-z])"
_WD = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,? )?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>1\d{3}|20\d{2})"
_PART = r"(?:(?P<part>early|mid|late|beginning of|start of|middle of|end of)[ -](?:the )?)?"

ISO = re.compile(r"(?P<year>\d{4})-(?P<month>\d\d)-(?P<day>\d\d)")
_DAY_MONTH = re.compile(_WD + r"(?:the )?" + _DAY + r"(?: of)? " + _MON + r"(?:,? " + _YEAR + r")?")
_MONTH_DAY = re.compile(_WD + _MON + r" " + _DAY + r"(?:,? " + _YEAR + r")?")
_MONTH_YEAR = re.compile(_PART + _MON + r"(?:,? (?:of )?" + _YEAR + r")?")
_YEAR_ONLY = re.compile(_PART + r"(?:(?:the )?year )?" + _YEAR)
_SEASON = re.compile(
    _PART + r"(?P<season>spring|summer|autumn|fall|winter)(?: (?:of )?" + _YEAR + r")?"
)
_QUARTER = re.compile(
    r"(?:(?P<q>first|second|third|fourth|1st|2nd|3rd|4th) quarter|q(?P<qn>[1-4]))"
    r"(?:,? (?:of )?" + _YEAR + r")?"
)
_HALF = re.compile(r"(?P<h>first|second) half(?: (?:of )?" + _YEAR + r")?")
_DECADE = re.compile(_PART + r"(?:(?P<dec>1\d\d|20\d)0|'(?P<dec2>\d)0)s")
_CENTURY = re.compile(_PART + r"(?P<c>\d{1,2})(?:st|nd|rd|th) century")
_BARE_NUMBER = re.compile(r"(?P<n>\d{1,2})(?:st|nd|rd|th)?")


@dataclass(frozen=True)
class Context:
    """What a span is resolved against: the anchor, its clause's tense, the last date."""

    anchor: date
    tense: Tense = None  # of the clause: 'future' or 'past' when its verb says so
    previous: Interval | None = None
    follow: str = ""  # the word right after the span: 'after' in 'three days after the talks'
    follow_opens_clause: bool = False  # that word is a subordinator ('before it happened')
    duration: bool = False  # the span follows 'for', 'within' ...: a length, not a date
    between: bool = False  # 'between' or 'from' precedes the span


@dataclass(frozen=True)
class Hit:
    lo: date
    hi: date
    deictic: bool = False  # counted from the time of writing: 'yesterday', 'last week'


@dataclass(frozen=True)
class Cal:
    """A calendar date as written, any of its year, month and day possibly missing."""

    year: int | None = None
    month: int | None = None
    last_month: int | None = None  # a season or quarter: its last month (2 for winter)
    day: int | None = None
    part: str | None = None

    def interval(self, year: int) -> Interval | None:
        """The interval this date means in ``year``, or None when it names no real day."""
        if self.month is None:
            return apply_part(year_interval(year), "year", self.part)
        if self.day is not None:
            if not 1 <= self.day <= calendar.monthrange(year, self.month)[1]:
                return None
            day = date(year, self.month, self.day)
            return day, day
        if self.last_month is None:
            return apply_part(month_interval(year, self.month), "month", self.part)
        first_year = year - 1 if self.last_month < self.month else year
        lo = date(first_year, self.month, 1)
        return apply_part((lo, month_interval(year, self.last_month)[1]), "season", self.part)


def calendar_date(s: str) -> Cal | None:
    """A calendar date as written ('24 february', 'mid-september', 'winter 2014'), if it is one."""
    if (m := ISO.fullmatch(s)) and 1 <= int(m["month"]) <= 12:
        return Cal(int(m["year"]), int(m["month"]), None, int(m["day"]))
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        if m := pattern.fullmatch(s):
            year = int(m["year"]) if m["year"] else None
            return Cal(year, MONTHS[m["mon"]], None, int(m["day"]))
    if m := _MONTH_YEAR.fullmatch(s):
        year = int(m["year"]) if m["year"] else None
        return Cal(year, MONTHS[m["mon"]], part=part_of(m["part"]))
    if m := _YEAR_ONLY.fullmatch(s):
        return Cal(int(m["year"]), part=part_of(m["part"]))
    if m := _SEASON.fullmatch(s):
        first, last = SEASONS[m["season"]]
        year = int(m["year"]) if m["year"] else None
        return Cal(year, first, last, part=part_of(m["part"]))
    if m := _QUARTER.fullmatch(s):
        quarter = _QUARTERS[m["q"]] if m["q"] else int(m["qn"])
        year = int(m["year"]) if m["year"] else None
        return Cal(year, 3 * quarter - 2, 3 * quarter)
    if m := _HALF.fullmatch(s):
        year = int(m["year"]) if m["year"] else None
        return Cal(year, 1, 6) if m["h"] == "first" else Cal(year, 7, 12)
    return None


def part_of(words: str | None) -> str | None:
    return _PARTS[words] if words else None


def settle(cal: Cal, ctx: Context) -> Interval | None:
    """The interval of ``cal``; a missing year is chosen by the anchor and the clause's tense."""
    if cal.year is not None:
        return cal.interval(cal.year)
    return nearest(cal.interval, ctx)


def nearest(interval: Callable[[int], Interval | None], ctx: Context) -> Interval | None:
    """The occurrence nearest the anchor, at most two months ahead (or the next, if future)."""
    options = [iv for y in range(ctx.anchor.year - 3, ctx.anchor.year + 3) if (iv := interval(y))]
    if ctx.tense == "future":
        return next((iv for iv in options if iv[1] >= ctx.anchor), None)
    horizon = ctx.anchor if ctx.tense == "past" else add_months(ctx.anchor, 2)
    past = [iv for iv in options if iv[0] <= horizon]
    return past[-1] if past else None


def decade(s: str, ctx: Context) -> Hit | None:
    m = _DECADE.fullmatch(s)
    if not m:
        return None
    if m["dec"]:
        first = int(m["dec"]) * 10
    else:  # "the '90s": the latest such decade that has begun by the anchor
        first = ctx.anchor.year // 100 * 100 + int(m["dec2"]) * 10
        if first > ctx.anchor.year:
            first -= 100
    iv = apply_part((date(first, 1, 1), date(first + 9, 12, 31)), "decade", part_of(m["part"]))
    return Hit(*iv)


def century(s: str, ctx: Context) -> Hit | None:
    m = _CENTURY.fullmatch(s)
    if not m or not 1 <= int(m["c"]) <= 21:
        return None
    first = (int(m["c"]) - 1) * 100
    if first == 0:
        return None
    iv = (date(first, 1, 1), date(first + 99, 12, 31))
    return Hit(*apply_part(iv, "century", part_of(m["part"])))


def calendar_pair(a: str, b: str, ctx: Context) -> tuple[Interval, Interval] | None:
    """Both ends of a calendar range, each lending the other what it leaves out."""
    first, second = _calendar_side(a), _calendar_side(b)
    if first is None or second is None:
        return None
    lent = _lend(first, second)
    if lent is None:
        return None
    first, second = lent
    first_iv = settle(first, ctx)
    if first_iv is None:
        return None
    if second.year is None:
        year = first_iv[1].year
        second_iv = second.interval(year)
        if second_iv is not None and second_iv[0] < first_iv[0]:
            second_iv = second.interval(year + 1)
    else:
        second_iv = second.interval(second.year)
    return (first_iv, second_iv) if second_iv else None


def _lend(first: Cal, second: Cal) -> tuple[Cal, Cal] | None:
    """The two ends with the month, day or year one leaves out taken from the other."""
    if first.day is not None and first.month is None:  # '10-12 October'
        if second.month is None or second.day is None:
            return None
        first = replace(first, month=second.month, year=second.year)
    if (number := second.day) is not None and second.month is None:
        if first.month is not None and first.day is not None:  # 'October 10-12'
            second = replace(second, month=first.month, year=first.year)
        elif first.month is None and first.year is not None:  # '2020-21'
            year = first.year // 100 * 100 + number
            second = Cal(year if year > first.year else year + 100)
        else:
            return None
    if first.year is None and second.year is not None:
        first = replace(first, year=second.year)
        first_iv, second_iv = first.interval(second.year), second.interval(second.year)
        if first_iv and second_iv and first_iv[0] > second_iv[0]:
            first = replace(first, year=second.year - 1)
    return first, second


def _calendar_side(s: str) -> Cal | None:
    if m := _BARE_NUMBER.fullmatch(s):
        return Cal(day=int(m["n"]))
    return calendar_date(s)


def apply_part(iv: Interval, unit: str, part: str | None) -> Interval:
    """The early, mid or late part of a month, week, year, season, decade or century."""
    if part is None:
        return iv
    lo, hi = iv
    index = {"early": 0, "mid": 1, "late": 2}[part]
    if unit == "month":
        first, last = ((1, 10), (11, 20), (21, 31))[index]
        end = calendar.monthrange(lo.year, lo.month)[1]
        return date(lo.year, lo.month, first), date(lo.year, lo.month, min(last, end))
    if unit in {"week", "weekend"}:
        first, last = ((0, 1), (2, 3), (4, 6))[index]
        return lo + timedelta(days=first), lo + timedelta(days=min(last, (hi - lo).days))
    if unit in {"decade", "century"}:
        cuts = ((0, 3), (4, 6), (7, 9)) if unit == "decade" else ((0, 32), (33, 65), (66, 99))
        first, last = cuts[index]
        return date(lo.year + first, 1, 1), date(lo.year + last, 12, 31)
    months = (hi.year - lo.year) * 12 + hi.month - lo.month + 1  # a year, season or quarter
    third = max(months // 3, 1)
    start = add_months(lo, third * index)
    stop = add_months(lo, third * (index + 1) - 1) if index < 2 else hi
    return start, month_interval(stop.year, stop.month)[1]


def shift(iv: Interval, n: int, unit: str) -> Interval:
    """``iv`` moved by ``n`` units; a month's or year's end stays at the end of its month."""
    lo, hi = iv
    new_lo, new_hi = shift_day(lo, n, unit), shift_day(hi, n, unit)
    if unit in {"month", "year"} and hi == month_interval(hi.year, hi.month)[1]:
        new_hi = month_interval(new_hi.year, new_hi.month)[1]
    return new_lo, new_hi


def shift_day(day: date, n: int, unit: str) -> date:
    if unit == "day":
        return day + timedelta(days=n)
    if unit == "week":
        return day + timedelta(days=7 * n)
    return add_months(day, n * (12 if unit == "year" else 1))


def add_months(day: date, n: int) -> date:
    index = day.month - 1 + n
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_interval(year: int, month: int) -> Interval:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def year_interval(year: int) -> Interval:
    return date(year, 1, 1), date(year, 12, 31)


def week_interval(day: date) -> Interval:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)
