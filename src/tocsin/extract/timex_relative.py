"""Date expressions relative to the time of writing or to the date before, and ranges.

'yesterday', 'last week', 'earlier this month', 'next Tuesday', 'two weeks ago', 'the past
two years', 'three days later', 'the following week', 'between November 2022 and February
2023'; dateparser reads what is left when it is a day with day, month and year in it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from tocsin.extract.timex_calendar import (
    ISO,
    SEASONS,
    Cal,
    Context,
    Hit,
    Interval,
    add_months,
    apply_part,
    calendar_date,
    calendar_pair,
    century,
    decade,
    month_interval,
    part_of,
    settle,
    shift,
    shift_day,
    week_interval,
    year_interval,
)
from tocsin.words import WEEKDAYS as _WEEKDAYS

_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "a couple of": 2,
    "couple of": 2,
}
_NUM = r"(?P<n>\d{1,3}|a couple of|couple of|" + "|".join(_NUMBER_WORDS) + r")"
# An exact count may be stressed ('just two days'); an approximate one is never resolved.
_QUALIFIER = (
    r"(?:(?P<q>just|only|exactly|about|around|roughly|some|nearly|almost|more than|less than|"
    r"over|under|at least|at most|approximately|up to|barely|fewer than) )?"
)
_UNIT = r"(?P<unit>day|week|month|year)s?"

_RELATIVE = re.compile(
    r"(?:(?P<part>early|mid|late|beginning of|start of|middle of|end of|earlier|later)"
    r"[ -](?:the )?)?(?P<rel>this|last|next|past|coming|current) "
    r"(?P<unit>week|weekend|month|year|spring|summer|autumn|fall|winter)"
)
_WEEKDAY = re.compile(
    r"(?:(?P<rel>last|next|this|this coming|this past|coming|past) )?"
    r"(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend)"
)
_AGO = re.compile(_QUALIFIER + _NUM + r" " + _UNIT + r" ago")
_SHIFT = re.compile(
    _QUALIFIER
    + _NUM
    + r" "
    + _UNIT
    + r"(?: (?P<dir>later|after|afterwards|afterward|earlier|before|prior))?"
)
_WINDOW = re.compile(r"(?P<dir>past|last|next|coming) " + _NUM + r" (?P<unit>day|week|month|year)s")
_ANAPHOR = re.compile(
    r"(?:(?P<mod>later|earlier) )?(?P<rel>next|following|previous|preceding|same|that|"
    r"that same) (?P<unit>day|week|month|year)|(?P<unit2>day|week|month|year)"
    r"(?: (?P<dir>before|after|earlier|later))?"
)
_SEPARATOR = re.compile(r",? ?- ?|,? (?P<word>to|until|till|through|and) ")


def normal_form(text: str) -> str:
    """Lower case, one space, plain hyphens, no 'the' or time of day: the form rules match."""
    s = text.lower().replace("’", "'")
    s = re.sub(r"[‐‑‒–—―−]", "-", s)
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"^(?:the )?(?:morning|afternoon|evening|night) of ", "", s)
    s = re.sub(r"^(?:the )", "", s)
    days = "|".join((*_WEEKDAYS, "yesterday", "tomorrow"))
    return re.sub(rf"^((?:[a-z]+ )?(?:{days})) (?:morning|afternoon|evening|night)$", r"\1", s)


def resolve_text(s: str, ctx: Context) -> Hit | None:
    """A normalised expression as a whole, then as a range, then through dateparser."""
    hit = _single(s, ctx)
    if hit is not None:
        return hit
    hit = _range(s, ctx)
    if hit is not None:
        return hit
    return _dateparser(s, ctx.anchor)


def _single(s: str, ctx: Context) -> Hit | None:
    if s.startswith("since "):
        s = s[len("since ") :]
    cal = calendar_date(s)
    if cal is not None:
        iv = settle(cal, ctx)
        return Hit(*iv) if iv else None
    rules: tuple[Callable[[str, Context], Hit | None], ...] = (
        decade,
        century,
        _deictic_day,
        _relative,
        _weekday,
        _ago,
        _window,
        _shifted,
        _anaphoric,
    )
    for rule in rules:
        hit = rule(s, ctx)
        if hit is not None:
            return hit
    return None


def _deictic_day(s: str, ctx: Context) -> Hit | None:
    offsets = {
        "today": 0,
        "tonight": 0,
        "this morning": 0,
        "this afternoon": 0,
        "this evening": 0,
        "yesterday": -1,
        "last night": -1,
        "tomorrow": 1,
        "day before yesterday": -2,
        "day after tomorrow": 2,
    }
    if s not in offsets:
        return None
    day = ctx.anchor + timedelta(days=offsets[s])
    return Hit(day, day, deictic=True)


def _relative(s: str, ctx: Context) -> Hit | None:
    """'last week', 'this month', 'earlier this year', 'the end of last month', 'next summer'."""
    m = _RELATIVE.fullmatch(s)
    if not m:
        return None
    rel, unit, a = m["rel"], m["unit"], ctx.anchor
    step = {"this": 0, "current": 0, "last": -1, "past": -1, "next": 1, "coming": 1}[rel]
    if rel in {"past", "coming"} and unit in {"week", "month", "year"}:
        months = {"month": 1, "year": 12}.get(unit, 0)
        other = a + timedelta(days=7 * step) if unit == "week" else add_months(a, months * step)
        lo, hi = min(a, other), max(a, other)
        return Hit(lo, hi, deictic=True)
    iv: Interval
    if unit == "week":
        iv = week_interval(a + timedelta(days=7 * step))
    elif unit == "weekend":
        saturday = week_interval(a + timedelta(days=7 * step))[0] + timedelta(days=5)
        iv = (saturday, saturday + timedelta(days=1))
    elif unit == "month":
        shifted = add_months(a, step)
        iv = month_interval(shifted.year, shifted.month)
    elif unit == "year":
        iv = year_interval(a.year + step)
    else:
        season = _season_relative(unit, step, a)
        if season is None:
            return None
        iv = season
    part = m["part"]
    if part in {"earlier", "later"}:
        if iv[0] <= a <= iv[1]:
            iv = (iv[0], a) if part == "earlier" else (a, iv[1])
    else:
        iv = apply_part(iv, "season" if unit in SEASONS else unit, part_of(part))
    return Hit(*iv, deictic=True)


def _season_relative(name: str, step: int, anchor: date) -> Interval | None:
    """'this summer' (the nearest by start), 'last winter', 'next spring'."""
    first, last = SEASONS[name]
    cal = Cal(None, first, last)
    options = [iv for y in range(anchor.year - 2, anchor.year + 3) if (iv := cal.interval(y))]
    if step < 0:
        return max((iv for iv in options if iv[1] < anchor), default=None)
    if step > 0:
        return min((iv for iv in options if iv[0] > anchor), default=None)
    return min(options, key=lambda iv: 0 if iv[0] <= anchor <= iv[1] else abs(iv[0] - anchor).days)


def _weekday(s: str, ctx: Context) -> Hit | None:
    """A weekday or weekend, counted back from the anchor, or forward in a future clause."""
    m = _WEEKDAY.fullmatch(s)
    if not m:
        return None
    a, rel = ctx.anchor, m["rel"]
    target = 5 if m["wd"] == "weekend" else _WEEKDAYS[m["wd"]]
    length = 1 if m["wd"] == "weekend" else 0
    back = (a.weekday() - target) % 7  # days since the latest such day, 0 = today
    ahead = (target - a.weekday()) % 7
    if rel == "this":
        day = week_interval(a)[0] + timedelta(days=target)
    elif rel in {"last", "this past", "past"}:
        day = a - timedelta(days=back or 7)
    elif rel in {"next", "this coming", "coming"}:
        day = a + timedelta(days=ahead or 7)
    elif ctx.tense == "future":
        day = a + timedelta(days=ahead)
    else:
        day = a - timedelta(days=back)
    return Hit(day, day + timedelta(days=length), deictic=True)


def _count(m: re.Match[str]) -> int | None:
    """The count of 'two weeks', or None when it is vague or qualified as approximate."""
    if m["q"] and m["q"] not in {"just", "only", "exactly"}:
        return None
    n = m["n"]
    return int(n) if n.isdigit() else _NUMBER_WORDS.get(n)


def _ago(s: str, ctx: Context) -> Hit | None:
    m = _AGO.fullmatch(s)
    if not m or (n := _count(m)) is None:
        return None
    a, unit = ctx.anchor, m["unit"]
    if unit == "day":
        day = a - timedelta(days=n)
        return Hit(day, day, deictic=True)
    if unit == "week":
        return Hit(*week_interval(a - timedelta(days=7 * n)), deictic=True)
    if unit == "month":
        back = add_months(a, -n)
        return Hit(*month_interval(back.year, back.month), deictic=True)
    return Hit(*year_interval(a.year - n), deictic=True)


def _window(s: str, ctx: Context) -> Hit | None:
    """'the past two years' = anchor - 2 years .. anchor; 'the next three days' ahead of it."""
    m = _WINDOW.fullmatch(s)
    if not m or (n := _count_plain(m["n"])) is None:
        return None
    sign = -1 if m["dir"] in {"past", "last"} else 1
    other = shift_day(ctx.anchor, sign * n, m["unit"])
    return Hit(min(ctx.anchor, other), max(ctx.anchor, other), deictic=True)


def _count_plain(n: str) -> int | None:
    return int(n) if n.isdigit() else _NUMBER_WORDS.get(n)


def _shifted(s: str, ctx: Context) -> Hit | None:
    """'two weeks later', 'three days after (the talks)': the previous date, moved."""
    m = _SHIFT.fullmatch(s)
    if not m or ctx.previous is None or ctx.duration:
        return None
    direction = m["dir"]
    if direction is None:
        if ctx.follow_opens_clause:
            return None
        direction = ctx.follow
    if direction in {"later", "after", "afterwards", "afterward"}:
        sign = 1
    elif direction in {"earlier", "before", "prior"}:
        sign = -1
    else:
        return None
    n = _count(m)
    if n is None:
        return None
    return Hit(*shift(ctx.previous, sign * n, m["unit"]))


def _anaphoric(s: str, ctx: Context) -> Hit | None:
    """'the next day', 'the day before', 'the following week', 'that year', 'later that month'."""
    m = _ANAPHOR.fullmatch(s)
    if not m or ctx.previous is None:
        return None
    prev = ctx.previous
    if m["unit2"]:  # 'the day before', or 'the day' + 'after the vote'
        direction = m["dir"] or ("" if ctx.follow_opens_clause else ctx.follow)
        if direction not in {"before", "after", "earlier", "later"} or prev[0] != prev[1]:
            return None
        sign = 1 if direction in {"after", "later"} else -1
        return Hit(*shift(prev, sign, m["unit2"]))
    unit, rel = m["unit"], m["rel"]
    step = {"next": 1, "following": 1, "previous": -1, "preceding": -1}.get(rel, 0)
    if unit == "day":
        if prev[0] != prev[1]:
            return None
        return Hit(*shift(prev, step, "day"))
    if unit == "week":
        iv = week_interval(prev[0] + timedelta(days=7 * step))
    elif unit == "month":
        moved = add_months(prev[0], step)
        iv = month_interval(moved.year, moved.month)
    else:
        iv = year_interval(prev[0].year + step)
    if step == 0 and m["mod"] == "later":
        iv = (prev[0], iv[1])
    elif step == 0 and m["mod"] == "earlier":
        iv = (iv[0], prev[1])
    return Hit(*iv)


def _range(s: str, ctx: Context) -> Hit | None:
    """'between November 2022 and February 2023', 'February-March', '10-12 October'."""
    between = ctx.between
    if opening := re.match(r"(?:between|from) ", s):
        s, between = s[opening.end() :], True
    for separator in _SEPARATOR.finditer(s):
        a, b = s[: separator.start()], s[separator.end() :]
        if not a or not b:
            continue
        hit = _range_of(a, b, ctx, adjoining_only=separator["word"] == "and" and not between)
        if hit is not None:
            return hit
    return None


def _range_of(a: str, b: str, ctx: Context, *, adjoining_only: bool) -> Hit | None:
    """The range from ``a`` to ``b``; with ``adjoining_only``, only if ``b`` follows ``a``."""
    pair = calendar_pair(a, b, ctx)
    deictic = False
    if pair is None:
        first, second = _single(a, ctx), _single(b, ctx)
        if first is None or second is None:
            return None
        pair = ((first.lo, first.hi), (second.lo, second.hi))
        deictic = first.deictic or second.deictic
    (lo, first_hi), (second_lo, hi) = pair
    if hi < lo or second_lo < lo:
        return None
    if adjoining_only and second_lo > first_hi + timedelta(days=1):
        return None
    return Hit(lo, hi, deictic=deictic)


def _dateparser(s: str, anchor: date) -> Hit | None:
    """Last resort for a day written with digits, day, month and year all present."""
    if not re.search(r"\d", s) or not re.fullmatch(r"[\w\s,./-]+", s) or ISO.fullmatch(s):
        return None
    if _too_few_parts(s):
        return None
    found = _parsed(s, anchor)
    return Hit(found, found) if found is not None else None


def _too_few_parts(s: str) -> bool:
    """Digits alone, in at most two groups of at most four ('14', '10 17', '2022'): no
    day, month and year, so dateparser (a millisecond a call) would find none."""
    groups = re.findall(r"\d+", s)
    return not re.search(r"[^\W\d_]", s) and len(groups) <= 2 and all(len(g) <= 4 for g in groups)


@lru_cache(maxsize=4096)
def _parsed(s: str, anchor: date) -> date | None:
    import dateparser  # slow to import: only when a string needs it

    settings = {
        "RELATIVE_BASE": datetime.combine(anchor, time()),
        "PREFER_DATES_FROM": "past",
        "REQUIRE_PARTS": ["day", "month", "year"],
        "PREFER_DAY_OF_MONTH": "first",
    }
    parsed = dateparser.parse(s, languages=["en"], settings=settings)
    return parsed.date() if isinstance(parsed, datetime) else None
