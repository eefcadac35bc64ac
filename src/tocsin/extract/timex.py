"""Resolve the date expressions spaCy finds in news text into calendar intervals.

Only spans spaCy labels DATE are read (dateparser misreads words such as 'may' and 'we' in
free text). A span is trimmed of a leading 'the' and of prepositions ('since', 'between',
'from', 'in', 'on' ...), which are kept as cues; two DATE spans joined by 'and', 'to' or a
dash form one range. Every mention resolves to an inclusive interval relative to ``anchor``
(the publication date or its estimate), or is skipped. The rules, and the choices they make:

* Day dates ('10 October 2022', 'Feb. 24', 'August 9 2020', '2022-10-12') give that day. A
  date without a year takes the occurrence nearest to the anchor whose start is at most two
  months after it (news mostly reports the past; a few weeks ahead can be announced plans).
  The tense of the clause's verb refines this: in a future clause ('will', 'shall', 'is to',
  'due to', 'going to', 'is scheduled for', 'is due on') it is the first occurrence not over
  by the anchor; in a past one ('resumed', 'has resigned', 'was agreed') the latest that
  starts by the anchor. 'would' counts as neither. The same rule settles every year-less
  month, season, quarter or half-year.
* Months: 'February 2022', 'last/this/next month'. Parts of a month: early = days 1-10,
  mid = 11-20, late / the end of = 21 to the month's end; 'earlier this month' runs from
  the month's start to the anchor, 'later this month' from the anchor to its end.
* Years split in thirds (early Jan-Apr, mid May-Aug, late Sep-Dec); decades as early 0-3,
  mid 4-6, late 7-9 ('the late 1980s' is 1987-1989); the 20th century is 1900-1999 (thirds
  0-32, 33-65, 66-99); weeks run Monday to Sunday (early Mon-Tue, mid Wed-Thu, late
  Fri-Sun); seasons are northern and meteorological (winter 2022 is Dec 2021 - Feb 2022);
  quarters and halves of a year are whole months.
* Weekdays: the latest such day on or before the anchor; in a future-tense clause the first
  on or after it (the same day is allowed both ways). 'last Tuesday' is strictly before,
  'next Tuesday' strictly after, 'this Tuesday' the one in the anchor's week.
* 'since X' runs from the start of X to the anchor.
* 'N days/weeks/months/years later|after|afterwards' and '... earlier|before|prior' shift
  the previous mention's interval (the last one resolved in the article), both ends alike;
  so do 'the next/following day', 'the day before', 'the following week', 'that year'. A
  shift is skipped when 'before'/'after' opens a clause ('two days before it happened'):
  the clause's event has no known date. 'one month on' is not read as a shift.
* 'N days ago' is that day; 'N weeks ago' the Monday-Sunday week holding anchor - N weeks;
  months and years ago their calendar month or year. 'yesterday', 'today', 'tomorrow'.
* Windows: 'the past/last two years' is anchor - 2 years .. anchor, 'the past week' anchor -
  7 days .. anchor, 'the next/coming three days' anchor .. anchor + 3 days.
* Ranges: 'between November 2022 and February 2023', 'February-March', '10-12 October',
  '2020-21', 'from May to July'; a missing year or month is taken from the other end. 'X and
  Y' without 'between' is one range only when Y follows X without a gap ('in May and June');
  otherwise each part is its own mention ('in 2015 and 2020'), as are joined spans that
  make no range ('by 2030 to 1990 levels').
* Skipped: durations ('for several months', 'two days', 'for more than two days', 'hours',
  'monthly', '45 years old'), vague counts and approximations ('the coming days', 'recent
  weeks', 'several years ago', 'about two weeks later'), 'the end of the year' (the
  anchor's year or the story's?), a bare 'May' not after a word such as 'in' or 'since', and
  anchor-relative expressions inside a direct quotation ('there is no Russia tomorrow”'),
  whose time of speaking is unknown.

dateparser is a last resort, for day-precise strings that carry day, month and year in a
form these rules do not read ('10/12/2022'); it is never given free text.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Literal

from spacy.tokens import Doc, Span, Token

from tocsin.extract.nlp import text_of
from tocsin.models.evidence import DateMention
from tocsin.words import MONTHS_LOWER as _MONTHS
from tocsin.words import WEEKDAYS as _WEEKDAYS

Interval = tuple[date, date]
Tense = Literal["future", "past"] | None

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
_PARTS = {
    "early": "early",
    "beginning of": "early",
    "start of": "early",
    "mid": "mid",
    "middle of": "mid",
    "late": "late",
    "end of": "late",
}
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11)}
_SEASONS["winter"] = (12, 2)  # December of the year before to February
_QUARTERS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3}
_QUARTERS.update({"fourth": 4, "4th": 4})

_MON = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?(?![a-z])"
_WD = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,? )?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>1\d{3}|20\d{2})"
_PART = r"(?:(?P<part>early|mid|late|beginning of|start of|middle of|end of)[ -](?:the )?)?"
_NUM = r"(?P<n>\d{1,3}|a couple of|couple of|" + "|".join(_NUMBER_WORDS) + r")"
# An exact count may be stressed ('just two days'); an approximate one is never resolved.
_QUALIFIER = (
    r"(?:(?P<q>just|only|exactly|about|around|roughly|some|nearly|almost|more than|less than|"
    r"over|under|at least|at most|approximately|up to|barely|fewer than) )?"
)
_UNIT = r"(?P<unit>day|week|month|year)s?"


_ISO = re.compile(r"(?P<year>\d{4})-(?P<month>\d\d)-(?P<day>\d\d)")
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
_BARE_NUMBER = re.compile(r"(?P<n>\d{1,2})(?:st|nd|rd|th)?")

_LEAD = re.compile(
    r"^(?:(?:the|between|from|ever since|since|in|on|at|by|during|until|till|through|"
    r"throughout|of)\s+)+",
    re.I,
)
_TRAIL = re.compile(r"(?:['’]s|['’])?[\s,.;:!?)(\"“”]*$")
_GAP = re.compile(r"^\s*(?:,?\s*and|to|until|till|through|-|–|—)\s*$", re.I)
_LIST_SPLIT = re.compile(r"\s*,?\s+and\s+", re.I)
_WILL = {"will", "shall", "'ll", "’ll", "wo", "ll"}
# 'X to <verb>' that schedules the verb: 'due to arrive', 'is to deploy', 'set to meet'.
_TO_FUTURE = {"due", "going", "set", "scheduled", "slated", "is", "are", "am", "expected"}
_MAY_CUES = {"in", "since", "by", "until", "till", "of", "from", "during", "early", "mid", "late"}
_MAY_CUES |= {"last", "next", "this", "before", "after", "through", "throughout", "to", "and"}
_SCHEDULED = {"due", "scheduled", "planned", "slated", "set", "expected"}
_DIRECTIONS = {"before", "after", "earlier", "later", "afterwards", "afterward"}
_DURATION_CUES = {"for", "within", "over", "lasting", "throughout"}


@dataclass(frozen=True)
class _Context:
    """What a span is resolved against: the anchor, its clause's tense, the last date."""

    anchor: date
    tense: Tense = None  # of the clause: 'future' or 'past' when its verb says so
    previous: Interval | None = None
    follow: str = ""  # the word right after the span: 'after' in 'three days after the talks'
    follow_opens_clause: bool = False  # that word is a subordinator ('before it happened')
    duration: bool = False  # the span follows 'for', 'within' ...: a length, not a date
    between: bool = False  # 'between' or 'from' precedes the span


@dataclass(frozen=True)
class _Hit:
    lo: date
    hi: date
    deictic: bool = False  # counted from the time of writing: 'yesterday', 'last week'


@dataclass(frozen=True)
class _Cal:
    """A calendar date as written, any of its year, month and day possibly missing."""

    year: int | None = None
    month: int | None = None
    last_month: int | None = None  # a season or quarter: its last month (2 for winter)
    day: int | None = None
    part: str | None = None

    def interval(self, year: int) -> Interval | None:
        """The interval this date means in ``year``, or None when it names no real day."""
        if self.month is None:
            return _apply_part(_year(year), "year", self.part)
        if self.day is not None:
            if not 1 <= self.day <= calendar.monthrange(year, self.month)[1]:
                return None
            day = date(year, self.month, self.day)
            return day, day
        if self.last_month is None:
            return _apply_part(_month(year, self.month), "month", self.part)
        first_year = year - 1 if self.last_month < self.month else year
        lo = date(first_year, self.month, 1)
        return _apply_part((lo, _month(year, self.last_month)[1]), "season", self.part)


def resolve_dates(doc: Doc, anchor: date) -> list[DateMention]:
    """Every DATE span of ``doc`` that resolves, as an interval relative to ``anchor``."""
    found: list[DateMention] = []
    previous: Interval | None = None
    for group in _candidates(doc):
        mentions: list[DateMention] = []
        if len(group) > 1:  # joined by 'and', 'to' or a dash: a range, or a list
            mentions = _resolve_candidate(doc, group[0][0], group[-1][1], anchor, previous)
        if not mentions:  # or no range after all: 'by 2030 to 1990 levels'
            for start, end in group:
                mentions += _resolve_candidate(doc, start, end, anchor, previous)
                if mentions:
                    previous = (mentions[-1].date_start, mentions[-1].date_end)
        found += mentions
        if mentions:
            previous = (mentions[-1].date_start, mentions[-1].date_end)
    return found


def _candidates(doc: Doc) -> list[list[tuple[int, int]]]:
    """Character spans of DATE entities, grouped when 'and', 'to' or a dash joins them."""
    groups: list[list[tuple[int, int]]] = []
    for ent in doc.ents:
        if ent.label_ != "DATE":
            continue
        # An entity that runs across a line break is two things glued by the parser.
        for line in re.finditer(r"[^\n]+", ent.text):
            start, end = ent.start_char + line.start(), ent.start_char + line.end()
            if groups and _GAP.match(text_of(doc)[groups[-1][-1][1] : start]):
                groups[-1].append((start, end))
            else:
                groups.append([(start, end)])
    return groups


def _resolve_candidate(
    doc: Doc, start: int, end: int, anchor: date, previous: Interval | None
) -> list[DateMention]:
    """The mentions in one candidate span: one, several for a list, or none."""
    raw = text_of(doc)[start:end]
    lead = _LEAD.match(raw)
    lead_words = lead.group(0).lower().split() if lead else []
    start += lead.end() if lead else 0
    trail = _TRAIL.search(text_of(doc)[start:end])
    end -= len(trail.group(0)) if trail else 0
    # An adverb of direction that ends the phrase belongs to it: 'the day before'.
    follow = _token_after(doc, end)
    if (
        follow is not None
        and follow.lower_ in _DIRECTIONS
        and follow.dep_ != "mark"
        and not list(follow.rights)
        and text_of(doc)[end : follow.idx].strip() == ""
    ):
        end = follow.idx + len(follow.text)
    text = text_of(doc)[start:end]
    before = _word_before(text_of(doc), start)
    if not text or _forbidden(text, before):
        return []
    ctx = _context(doc, start, end, anchor, previous, before, lead_words)
    hit = _resolve_text(_normalise(text), ctx)
    if hit is not None:
        mention = _mention(
            text_of(doc), start, end, hit, ctx, since="since" in [before, *lead_words]
        )
        return [mention] if mention else []
    # A list that is no range: each part is its own mention ('in 2015 and 2020').
    out: list[DateMention] = []
    cursor = start
    parts = _LIST_SPLIT.split(text)
    if len(parts) < 2:
        return []
    for part in parts:
        part_start = text_of(doc).index(part, cursor)
        part_end = part_start + len(part)
        cursor = part_end
        part_ctx = replace(ctx, previous=previous, between=False)
        part_hit = _resolve_text(_normalise(part), part_ctx)
        if part_hit is None:
            continue
        mention = _mention(text_of(doc), part_start, part_end, part_hit, part_ctx, since=False)
        if mention:
            out.append(mention)
            previous = (mention.date_start, mention.date_end)
    return out


def _forbidden(text: str, before: str) -> bool:
    """Words far more often verbs or pronouns than dates: 'may', 'march', 'we'.

    Lower-case 'may' or 'march' is never a month here; a bare 'May' only after a word that
    introduces a date ('in May', 'since May', 'late May'), never at a sentence's start.
    """
    if re.search(r"\b(?:may|march|we)\b", text) or text.lower() == "we":
        return True
    return text.lower() == "may" and (text != "May" or before not in _MAY_CUES)


def _mention(
    text: str, start: int, end: int, hit: _Hit, ctx: _Context, *, since: bool
) -> DateMention | None:
    """The record for a resolved span, or None for a time-of-speech phrase inside a quote."""
    if hit.deictic and _in_quote(text, start):
        return None
    lo, hi = hit.lo, hit.hi
    if since and lo <= ctx.anchor:
        hi = ctx.anchor
    return DateMention(start=start, end=end, text=text[start:end], date_start=lo, date_end=hi)


def _context(
    doc: Doc,
    start: int,
    end: int,
    anchor: date,
    previous: Interval | None,
    before: str,
    lead_words: list[str],
) -> _Context:
    span = doc.char_span(start, end, alignment_mode="expand")
    follow_tok = _token_after(doc, end)
    return _Context(
        anchor=anchor,
        tense=_tense(span) if span is not None else None,
        previous=previous,
        follow=follow_tok.lower_ if follow_tok is not None else "",
        follow_opens_clause=follow_tok is not None and follow_tok.dep_ == "mark",
        duration=before in _DURATION_CUES or any(w in _DURATION_CUES for w in lead_words),
        between=before in {"between", "from"} or any(w in {"between", "from"} for w in lead_words),
    )


def _word_before(text: str, start: int) -> str:
    match = re.search(r"([A-Za-z]+)\W*$", text[max(0, start - 30) : start])
    return match.group(1).lower() if match else ""


def _token_after(doc: Doc, end: int) -> Token | None:
    """The word right after character ``end``, or None at punctuation or the end of text."""
    i = 0
    while i < len(doc) and doc[i].idx < end:
        i += 1
    while i < len(doc) and doc[i].is_space:
        i += 1
    if i >= len(doc) or doc[i].is_punct:
        return None
    return doc[i]


def _tense(span: Span) -> Tense:
    """The tense of the verb that governs ``span``: 'future', 'past' or None when unclear.

    Future: 'will arrive', 'is to deploy', 'due to arrive', 'going to', 'is scheduled for',
    'is due on'. Past: a past-tense verb, 'has/had' + participle or 'was' + participle.
    'would' (reported plans) is neither.
    """
    verb = span.root
    while verb.pos_ not in {"VERB", "AUX"} and verb.head.i != verb.i:
        verb = verb.head
    tok = verb
    for _ in range(3):
        if _future_verb(tok):
            return "future"
        if tok.dep_ not in {"conj", "xcomp"} or tok.head.i == tok.i:
            break
        tok = tok.head
    auxes = [c for c in verb.children if c.dep_ in {"aux", "auxpass"}]
    if any(c.tag_ == "MD" for c in auxes):
        return None
    if verb.tag_ == "VBD" or any(c.tag_ == "VBD" or c.lemma_ == "have" for c in auxes):
        return "past"
    return None


def _future_verb(tok: Token) -> bool:
    doc = tok.doc
    children = list(tok.children)
    if any(c.dep_ in {"aux", "auxpass"} and c.lower_ in _WILL for c in children):
        return True
    if tok.tag_ == "VB" and tok.i >= 2 and doc[tok.i - 1].lower_ == "to":
        return doc[tok.i - 2].lower_ in _TO_FUTURE
    present = {"VBZ", "VBP"}
    if tok.lower_ in _SCHEDULED:  # 'is scheduled for', 'are planned for'
        return any(c.dep_ in {"aux", "auxpass"} and c.tag_ in present for c in children)
    # 'is due on'
    return tok.tag_ in present and any(c.lower_ in _SCHEDULED for c in children)


def _in_quote(text: str, start: int) -> bool:
    """Whether ``start`` lies inside a direct quotation that opened in the same paragraph."""
    paragraph = text[text.rfind("\n", 0, start) + 1 : start]
    curly = paragraph.count("“") - paragraph.count("”")
    return curly > 0 or paragraph.count('"') % 2 == 1


def _normalise(text: str) -> str:
    """Lower case, one space, plain hyphens, no 'the' or time of day: the form rules match."""
    s = text.lower().replace("’", "'")
    s = re.sub(r"[‐‑‒–—―−]", "-", s)
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"^(?:the )?(?:morning|afternoon|evening|night) of ", "", s)
    s = re.sub(r"^(?:the )", "", s)
    days = "|".join((*_WEEKDAYS, "yesterday", "tomorrow"))
    return re.sub(rf"^((?:[a-z]+ )?(?:{days})) (?:morning|afternoon|evening|night)$", r"\1", s)


def _resolve_text(s: str, ctx: _Context) -> _Hit | None:
    """A normalised expression as a whole, then as a range, then through dateparser."""
    hit = _single(s, ctx)
    if hit is not None:
        return hit
    hit = _range(s, ctx)
    if hit is not None:
        return hit
    return _dateparser(s, ctx.anchor)


def _single(s: str, ctx: _Context) -> _Hit | None:
    if s.startswith("since "):
        s = s[len("since ") :]
    cal = _calendar(s)
    if cal is not None:
        iv = _settle(cal, ctx)
        return _Hit(*iv) if iv else None
    rules: tuple[Callable[[str, _Context], _Hit | None], ...] = (
        _decade,
        _century,
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


def _calendar(s: str) -> _Cal | None:
    """A calendar date as written ('24 february', 'mid-september', 'winter 2014'), if it is one."""
    if (m := _ISO.fullmatch(s)) and 1 <= int(m["month"]) <= 12:
        return _Cal(int(m["year"]), int(m["month"]), None, int(m["day"]))
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        if m := pattern.fullmatch(s):
            year = int(m["year"]) if m["year"] else None
            return _Cal(year, _MONTHS[m["mon"]], None, int(m["day"]))
    if m := _MONTH_YEAR.fullmatch(s):
        year = int(m["year"]) if m["year"] else None
        return _Cal(year, _MONTHS[m["mon"]], part=_part(m["part"]))
    if m := _YEAR_ONLY.fullmatch(s):
        return _Cal(int(m["year"]), part=_part(m["part"]))
    if m := _SEASON.fullmatch(s):
        first, last = _SEASONS[m["season"]]
        year = int(m["year"]) if m["year"] else None
        return _Cal(year, first, last, part=_part(m["part"]))
    if m := _QUARTER.fullmatch(s):
        quarter = _QUARTERS[m["q"]] if m["q"] else int(m["qn"])
        year = int(m["year"]) if m["year"] else None
        return _Cal(year, 3 * quarter - 2, 3 * quarter)
    if m := _HALF.fullmatch(s):
        year = int(m["year"]) if m["year"] else None
        return _Cal(year, 1, 6) if m["h"] == "first" else _Cal(year, 7, 12)
    return None


def _part(words: str | None) -> str | None:
    return _PARTS[words] if words else None


def _settle(cal: _Cal, ctx: _Context) -> Interval | None:
    """The interval of ``cal``; a missing year is chosen by the anchor and the clause's tense."""
    if cal.year is not None:
        return cal.interval(cal.year)
    return _nearest(cal.interval, ctx)


def _nearest(interval: Callable[[int], Interval | None], ctx: _Context) -> Interval | None:
    """The occurrence nearest the anchor, at most two months ahead (or the next, if future)."""
    options = [iv for y in range(ctx.anchor.year - 3, ctx.anchor.year + 3) if (iv := interval(y))]
    if ctx.tense == "future":
        return next((iv for iv in options if iv[1] >= ctx.anchor), None)
    horizon = ctx.anchor if ctx.tense == "past" else _add_months(ctx.anchor, 2)
    past = [iv for iv in options if iv[0] <= horizon]
    return past[-1] if past else None


def _decade(s: str, ctx: _Context) -> _Hit | None:
    m = _DECADE.fullmatch(s)
    if not m:
        return None
    if m["dec"]:
        first = int(m["dec"]) * 10
    else:  # "the '90s": the latest such decade that has begun by the anchor
        first = ctx.anchor.year // 100 * 100 + int(m["dec2"]) * 10
        if first > ctx.anchor.year:
            first -= 100
    iv = _apply_part((date(first, 1, 1), date(first + 9, 12, 31)), "decade", _part(m["part"]))
    return _Hit(*iv)


def _century(s: str, ctx: _Context) -> _Hit | None:
    m = _CENTURY.fullmatch(s)
    if not m or not 1 <= int(m["c"]) <= 21:
        return None
    first = (int(m["c"]) - 1) * 100
    if first == 0:
        return None
    iv = (date(first, 1, 1), date(first + 99, 12, 31))
    return _Hit(*_apply_part(iv, "century", _part(m["part"])))


def _deictic_day(s: str, ctx: _Context) -> _Hit | None:
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
    return _Hit(day, day, deictic=True)


def _relative(s: str, ctx: _Context) -> _Hit | None:
    """'last week', 'this month', 'earlier this year', 'the end of last month', 'next summer'."""
    m = _RELATIVE.fullmatch(s)
    if not m:
        return None
    rel, unit, a = m["rel"], m["unit"], ctx.anchor
    step = {"this": 0, "current": 0, "last": -1, "past": -1, "next": 1, "coming": 1}[rel]
    if rel in {"past", "coming"} and unit in {"week", "month", "year"}:
        months = {"month": 1, "year": 12}.get(unit, 0)
        other = a + timedelta(days=7 * step) if unit == "week" else _add_months(a, months * step)
        lo, hi = min(a, other), max(a, other)
        return _Hit(lo, hi, deictic=True)
    iv: Interval
    if unit == "week":
        iv = _week(a + timedelta(days=7 * step))
    elif unit == "weekend":
        saturday = _week(a + timedelta(days=7 * step))[0] + timedelta(days=5)
        iv = (saturday, saturday + timedelta(days=1))
    elif unit == "month":
        shifted = _add_months(a, step)
        iv = _month(shifted.year, shifted.month)
    elif unit == "year":
        iv = _year(a.year + step)
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
        iv = _apply_part(iv, "season" if unit in _SEASONS else unit, _part(part))
    return _Hit(*iv, deictic=True)


def _season_relative(name: str, step: int, anchor: date) -> Interval | None:
    """'this summer' (the nearest by start), 'last winter', 'next spring'."""
    first, last = _SEASONS[name]
    cal = _Cal(None, first, last)
    options = [iv for y in range(anchor.year - 2, anchor.year + 3) if (iv := cal.interval(y))]
    if step < 0:
        return max((iv for iv in options if iv[1] < anchor), default=None)
    if step > 0:
        return min((iv for iv in options if iv[0] > anchor), default=None)
    return min(options, key=lambda iv: 0 if iv[0] <= anchor <= iv[1] else abs(iv[0] - anchor).days)


def _weekday(s: str, ctx: _Context) -> _Hit | None:
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
        day = _week(a)[0] + timedelta(days=target)
    elif rel in {"last", "this past", "past"}:
        day = a - timedelta(days=back or 7)
    elif rel in {"next", "this coming", "coming"}:
        day = a + timedelta(days=ahead or 7)
    elif ctx.tense == "future":
        day = a + timedelta(days=ahead)
    else:
        day = a - timedelta(days=back)
    return _Hit(day, day + timedelta(days=length), deictic=True)


def _count(m: re.Match[str]) -> int | None:
    """The count of 'two weeks', or None when it is vague or qualified as approximate."""
    if m["q"] and m["q"] not in {"just", "only", "exactly"}:
        return None
    n = m["n"]
    return int(n) if n.isdigit() else _NUMBER_WORDS.get(n)


def _ago(s: str, ctx: _Context) -> _Hit | None:
    m = _AGO.fullmatch(s)
    if not m or (n := _count(m)) is None:
        return None
    a, unit = ctx.anchor, m["unit"]
    if unit == "day":
        day = a - timedelta(days=n)
        return _Hit(day, day, deictic=True)
    if unit == "week":
        return _Hit(*_week(a - timedelta(days=7 * n)), deictic=True)
    if unit == "month":
        back = _add_months(a, -n)
        return _Hit(*_month(back.year, back.month), deictic=True)
    return _Hit(*_year(a.year - n), deictic=True)


def _window(s: str, ctx: _Context) -> _Hit | None:
    """'the past two years' = anchor - 2 years .. anchor; 'the next three days' ahead of it."""
    m = _WINDOW.fullmatch(s)
    if not m or (n := _count_plain(m["n"])) is None:
        return None
    sign = -1 if m["dir"] in {"past", "last"} else 1
    other = _shift_day(ctx.anchor, sign * n, m["unit"])
    return _Hit(min(ctx.anchor, other), max(ctx.anchor, other), deictic=True)


def _count_plain(n: str) -> int | None:
    return int(n) if n.isdigit() else _NUMBER_WORDS.get(n)


def _shifted(s: str, ctx: _Context) -> _Hit | None:
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
    return _Hit(*_shift(ctx.previous, sign * n, m["unit"]))


def _anaphoric(s: str, ctx: _Context) -> _Hit | None:
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
        return _Hit(*_shift(prev, sign, m["unit2"]))
    unit, rel = m["unit"], m["rel"]
    step = {"next": 1, "following": 1, "previous": -1, "preceding": -1}.get(rel, 0)
    if unit == "day":
        if prev[0] != prev[1]:
            return None
        return _Hit(*_shift(prev, step, "day"))
    if unit == "week":
        iv = _week(prev[0] + timedelta(days=7 * step))
    elif unit == "month":
        moved = _add_months(prev[0], step)
        iv = _month(moved.year, moved.month)
    else:
        iv = _year(prev[0].year + step)
    if step == 0 and m["mod"] == "later":
        iv = (prev[0], iv[1])
    elif step == 0 and m["mod"] == "earlier":
        iv = (iv[0], prev[1])
    return _Hit(*iv)


def _range(s: str, ctx: _Context) -> _Hit | None:
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


def _range_of(a: str, b: str, ctx: _Context, *, adjoining_only: bool) -> _Hit | None:
    """The range from ``a`` to ``b``; with ``adjoining_only``, only if ``b`` follows ``a``."""
    pair = _calendar_pair(a, b, ctx)
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
    return _Hit(lo, hi, deictic=deictic)


def _calendar_pair(a: str, b: str, ctx: _Context) -> tuple[Interval, Interval] | None:
    """Both ends of a calendar range, each lending the other what it leaves out."""
    first, second = _calendar_side(a), _calendar_side(b)
    if first is None or second is None:
        return None
    if first.day is not None and first.month is None:  # '10-12 October'
        if second.month is None or second.day is None:
            return None
        first = replace(first, month=second.month, year=second.year)
    if (number := second.day) is not None and second.month is None:
        if first.month is not None and first.day is not None:  # 'October 10-12'
            second = replace(second, month=first.month, year=first.year)
        elif first.month is None and first.year is not None:  # '2020-21'
            year = first.year // 100 * 100 + number
            second = _Cal(year if year > first.year else year + 100)
        else:
            return None
    if first.year is None and second.year is not None:
        first = replace(first, year=second.year)
        first_iv, second_iv = first.interval(second.year), second.interval(second.year)
        if first_iv and second_iv and first_iv[0] > second_iv[0]:
            first = replace(first, year=second.year - 1)
    first_iv = _settle(first, ctx)
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


def _calendar_side(s: str) -> _Cal | None:
    if m := _BARE_NUMBER.fullmatch(s):
        return _Cal(day=int(m["n"]))
    return _calendar(s)


def _dateparser(s: str, anchor: date) -> _Hit | None:
    """Last resort for a day written with digits, day, month and year all present."""
    if not re.search(r"\d", s) or not re.fullmatch(r"[\w\s,./-]+", s) or _ISO.fullmatch(s):
        return None
    import dateparser  # slow to import: only when a string needs it

    settings = {
        "RELATIVE_BASE": datetime.combine(anchor, time()),
        "PREFER_DATES_FROM": "past",
        "REQUIRE_PARTS": ["day", "month", "year"],
        "PREFER_DAY_OF_MONTH": "first",
    }
    parsed = dateparser.parse(s, languages=["en"], settings=settings)
    if not isinstance(parsed, datetime):
        return None
    return _Hit(parsed.date(), parsed.date())


def _apply_part(iv: Interval, unit: str, part: str | None) -> Interval:
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
    start = _add_months(lo, third * index)
    stop = _add_months(lo, third * (index + 1) - 1) if index < 2 else hi
    return start, _month(stop.year, stop.month)[1]


def _shift(iv: Interval, n: int, unit: str) -> Interval:
    """``iv`` moved by ``n`` units; a month's or year's end stays at the end of its month."""
    lo, hi = iv
    new_lo, new_hi = _shift_day(lo, n, unit), _shift_day(hi, n, unit)
    if unit in {"month", "year"} and hi == _month(hi.year, hi.month)[1]:
        new_hi = _month(new_hi.year, new_hi.month)[1]
    return new_lo, new_hi


def _shift_day(day: date, n: int, unit: str) -> date:
    if unit == "day":
        return day + timedelta(days=n)
    if unit == "week":
        return day + timedelta(days=7 * n)
    return _add_months(day, n * (12 if unit == "year" else 1))


def _add_months(day: date, n: int) -> date:
    index = day.month - 1 + n
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _month(year: int, month: int) -> Interval:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _year(year: int) -> Interval:
    return date(year, 1, 1), date(year, 12, 31)


def _week(day: date) -> Interval:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)
