"""Russian date expressions resolved to calendar intervals, as the English ones are.

Expressions are found by patterns over the text (natasha's NER has no dates) and resolved by
the English rules' calendar (``timex_calendar``, ``timex_relative``): each is read into a
calendar date or into the English phrase it means ('в прошлом году' = 'last year', 'два дня
назад' = '2 days ago', 'в субботу' = 'saturday'), so both languages resolve alike against
the anchor (the publication date). Read:

* '24 февраля', '24 февраля 2022 года', '24.02.2022', '18 августа 2024 г.', '10 ОКТЯБРЯ,
  2022', with a time of day before ('вечером 23 февраля'); '10-12 октября' as a range;
* 'в феврале', 'в феврале 2022 года', 'февраля 2022 года', 'январь 2023'; 'в начале / в
  середине / в конце мая' (days 1-10, 11-20, 21 to the end, as in English); 'в конце 2022
  года';
* '2022 года', 'в 2022 году', '2020-2022 годах'; a year without 'год' is not read (it may be
  a figure or a name);
* 'вчера', 'сегодня', 'завтра', 'позавчера', 'послезавтра', and the adjectives
  'сегодняшний', 'вчерашний', 'завтрашний' ('на сегодняшний день' means 'nowadays' and is
  not a date);
* 'в понедельник' … 'в воскресенье', with 'прошлый', 'следующий', 'этот';
* 'в прошлом / этом / следующем году (месяце)', 'на прошлой / этой / следующей неделе';
  seasons 'весной', 'летом 2022 года', 'прошлой осенью';
* 'N дней / недель / месяцев / лет назад', N in digits or words ('два дня назад').

A date without a year, a bare month or a weekday takes the occurrence the clause's tense
points to, as in English: the first not over by the anchor in a future clause ('в субботу
проведет'), else the nearest at most two months ahead. The span leaves out a leading
preposition ('в', 'во', 'на', 'с') but keeps its modifiers ('конце мая', 'этом году').
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from tocsin.extract.russian.document import RuDoc
from tocsin.extract.timex_calendar import Cal, Context, Hit, Tense, settle, year_interval
from tocsin.extract.timex_relative import resolve_text
from tocsin.models.evidence import DateMention

_MONTH_STEMS = (
    "январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр", "октябр",
    "ноябр", "декабр",
)  # fmt: skip
# The month names in the genitive ('24 февраля'), the prepositional ('в феврале') and the
# nominative ('январь 2023'); ``_month`` reads any of them by its stem (март before ма).
_GEN = "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
_PREP = "январе|феврале|марте|апреле|мае|июне|июле|августе|сентябре|октябре|ноябре|декабре"
_NOM = "январь|февраль|март|апрель|май|июнь|июль|август|сентябрь|октябрь|ноябрь|декабрь"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_YSUF = r"(?:\s*(?:года|году|год|г\.|г(?!\w)))"
_TOD = r"(?:(?:утром|днем|днём|вечером|ночью)\s+)"
_B = r"(?<![\w.-])"  # a word starts here
_E = r"(?!\w)"  # a word ends here

_WEEKDAYS = {
    "понедельник": "monday", "вторник": "tuesday", "среду": "wednesday", "четверг": "thursday",
    "пятницу": "friday", "субботу": "saturday", "воскресенье": "sunday",
}  # fmt: skip
_RELATIVE_STEP = {"прошл": "last", "позапрошл": None, "эт": "this", "текущ": "this"}
_RELATIVE_STEP |= {"следующ": "next", "будущ": "next", "ближайш": "next"}
_SEASONS = {"весн": "spring", "лет": "summer", "осен": "autumn", "зим": "winter"}
_UNITS = {"д": "day", "н": "week", "м": "month", "г": "year", "л": "year"}
_NUMBERS = {
    "один": 1, "одну": 1, "одна": 1, "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5,
    "шесть": 6, "семь": 7, "восемь": 8, "девять": 9, "десять": 10, "пятнадцать": 15,
    "двадцать": 20, "тридцать": 30,
}  # fmt: skip
_DEICTIC = {"позавчера": -2, "вчера": -1, "сегодня": 0, "завтра": 1, "послезавтра": 2}
_DEICTIC_ADJ = {"вчерашн": -1, "сегодняшн": 0, "завтрашн": 1}
_PARTS = {"начале": "early", "середине": "mid", "конце": "late"}


def _month(word: str) -> int:
    low = word.lower()
    return next(n for n, stem in enumerate(_MONTH_STEMS, 1) if low.startswith(stem))


Rule = Callable[[re.Match[str], Context], tuple[int, Hit | None]]


def _numeric(m: re.Match[str], ctx: Context) -> tuple[int, Hit | None]:
    day, month, year = int(m["d"]), int(m["m"]), int(m["y"])
    return m.start(), _settle(Cal(year, month, None, day), ctx) if 1 <= month <= 12 else None


def _day_month(m: re.Match[str], ctx: Context) -> tuple[int, Hit | None]:
    year = int(m["y"]) if m["y"] else None
    cal = Cal(year, _month(m["mon"]), None, int(m["d"]))
    if m["d2"]:
        low = _settle(Cal(year, cal.month, None, int(m["d"])), ctx)
        high = _settle(Cal(year, cal.month, None, int(m["d2"])), ctx)
        return m.start(), Hit(low.lo, high.hi) if low and high and low.lo <= high.hi else None
    return m.start(), _settle(cal, ctx)


def _part(m: re.Match[str], ctx: Context) -> tuple[int, Hit | None]:
    part = _PARTS[m["part"].lower()]
    if m["mon"]:
        year = int(m["y"]) if m["y"] else None
        return m.start("part"), _settle(Cal(year, _month(m["mon"]), part=part), ctx)
    return m.start("part"), _settle(Cal(int(m["y2"]), part=part), ctx)


def _month_year(m: re.Match[str], ctx: Context) -> tuple[int, Hit | None]:
    year = int(m["y"]) if m["y"] else None
    return m.start("mon"), _settle(Cal(year, _month(m["mon"])), ctx)


def _years(m: re.Match[str], ctx: Context) -> tuple[int, Hit | None]:
    lo = year_interval(int(m["y"]))
    hi = year_interval(int(m["y2"])) if m["y2"] else lo
    return m.start(), Hit(lo[0], hi[1]) if lo[0] <= hi[1] else None


def _deictic(m: re.Match[str], ctx: Context) -> tuple[int, Hit | None]:
    word = m["w"].lower()
    if word in _DEICTIC:
        shift = _DEICTIC[word]
    else:
        if (m["na"] or "").strip():
            return m.start(), None  # 'на сегодняшний день': nowadays
        shift = next(v for k, v in _DEICTIC_ADJ.items() if word.startswith(k))
    day = ctx.anchor + timedelta(days=shift)
    return m.start("w"), Hit(day, day, deictic=True)


def _weekday(m: re.Match[str], ctx: Context) -> tuple[int, Hit | None]:
    english = _WEEKDAYS[m["wd"].lower()]
    rel = _step(m["rel"]) if m["rel"] else ""
    if rel is None:
        return m.start(), None
    phrase = f"{rel} {english}".strip()
    return m.start("span"), resolve_text(phrase, ctx)


def _relative(m: re.Match[str], ctx: Context) -> tuple[int, Hit | None]:
    rel = _step(m["rel"])
    unit = m["unit"].lower()
    english = "week" if unit.startswith("недел") else "month" if unit.startswith("меся") else "year"
    if rel is None:
        return m.start("rel"), None
    return m.start("rel"), resolve_text(f"{rel} {english}", ctx)


def _season(m: re.Match[str], ctx: Context) -> tuple[int, Hit | None]:
    season = next(v for k, v in _SEASONS.items() if m["season"].lower().startswith(k))
    if m["rel"]:
        rel = _step(m["rel"])
        return m.start(), resolve_text(f"{rel} {season}", ctx) if rel else None
    phrase = f"{season} {m['y']}" if m["y"] else season
    return m.start(), resolve_text(phrase, ctx)


def _ago(m: re.Match[str], ctx: Context) -> tuple[int, Hit | None]:
    n_text = (m["n"] or "").lower()
    n = int(n_text) if n_text.isdigit() else _NUMBERS.get(n_text, 1 if not n_text else 0)
    unit = _UNITS[m["unit"][0].lower()]
    if not n:
        return m.start(), None
    return m.start(), resolve_text(f"{n} {unit}s ago" if n > 1 else f"1 {unit} ago", ctx)


def _step(word: str) -> str | None:
    low = word.lower()
    for stem, step in sorted(_RELATIVE_STEP.items(), key=lambda kv: -len(kv[0])):
        if low.startswith(stem):
            return step
    return None


_RULES: tuple[tuple[re.Pattern[str], Rule], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), rule)
    for pattern, rule in (
        (_B + r"(?P<d>[0-3]?\d)\.(?P<m>[01]?\d)\.(?P<y>(?:19|20)\d\d)" + r"(?:\s*г\.)?", _numeric),
        (
            _B + _TOD + r"?(?P<d>[0-3]?\d)(?:-?го)?(?:\s*[-–—]\s*(?P<d2>[0-3]?\d))?\s+"
            rf"(?P<mon>{_GEN}){_E}(?:,?\s+(?P<y>{_YEAR}){_YSUF}?)?",
            _day_month,
        ),
        (
            _B + rf"(?:во?\s+)?(?P<part>начале|середине|конце)\s+(?:(?P<mon>{_GEN}){_E}"
            rf"(?:\s+(?P<y>{_YEAR}){_YSUF}?)?|(?P<y2>{_YEAR}){_YSUF})",
            _part,
        ),
        (
            _B + rf"(?:во?\s+)?(?P<mon>{_PREP}|{_NOM}|{_GEN}){_E}(?:\s+(?P<y>{_YEAR}){_YSUF}?)?",
            _month_year,
        ),
        (_B + rf"(?P<y>{_YEAR})(?:\s*[-–—]\s*(?P<y2>{_YEAR}))?{_YSUF}", _years),
        (
            _B + r"(?P<na>на\s+)?(?P<w>позавчера|вчера|сегодня|завтра|послезавтра|"
            r"вчерашн\w+|сегодняшн\w+|завтрашн\w+)" + _E,
            _deictic,
        ),
        (
            _B + r"во?\s+(?P<span>(?:(?P<rel>прошл\w+|следующ\w+|эт\w+|ближайш\w+)\s+)?"
            r"(?P<wd>понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье))" + _E,
            _weekday,
        ),
        (
            _B + r"(?:в|на)\s+(?P<rel>позапрошл\w+|прошл\w+|эт\w+|текущ\w+|следующ\w+|будущ\w+)"
            r"\s+(?P<unit>году|месяце|неделе)" + _E,
            _relative,
        ),
        (
            _B + r"(?:(?P<rel>прошл\w+|эт\w+|следующ\w+|будущ\w+)\s+)?"
            r"(?P<season>весной|летом|осенью|зимой)" + rf"(?:\s+(?P<y>{_YEAR}){_YSUF})?" + _E,
            _season,
        ),
        (
            _B + r"(?:(?P<n>\d{1,3}|" + "|".join(_NUMBERS) + r")\s+)?"
            r"(?P<unit>дней|дня|день|недель|недели|неделю|месяцев|месяца|месяц|лет|года|год)"
            r"\s+назад" + _E,
            _ago,
        ),
    )
)


def _settle(cal: Cal, ctx: Context) -> Hit | None:
    interval = settle(cal, ctx)
    return Hit(*interval) if interval else None


def _selected(text: str) -> list[tuple[re.Match[str], Rule]]:
    """The expressions of ``text``: at each place the longest match, none overlapping."""
    candidates: list[tuple[int, int, re.Match[str], Rule]] = []
    for pattern, rule in _RULES:
        for m in pattern.finditer(text):
            candidates.append((m.start(), -m.end(), m, rule))
    candidates.sort(key=lambda c: (c[0], c[1]))
    out: list[tuple[re.Match[str], Rule]] = []
    taken = -1
    for start, _, m, rule in candidates:
        if start >= taken:
            out.append((m, rule))
            taken = m.end()
    return out


def date_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` has date expressions, resolvable or not (no figure is read there)."""
    return [(m.start(), m.end()) for m, _ in _selected(text)]


def find_dates(doc: RuDoc, anchor: date) -> list[DateMention]:
    """Every date expression of ``doc`` that resolves against ``anchor``, in text order."""
    text = doc.text
    out: list[DateMention] = []
    previous: tuple[date, date] | None = None
    for m, rule in _selected(text):
        ctx = Context(anchor, _tense(doc, m.start()), previous)
        span_start, hit = rule(m, ctx)
        if hit is None:
            continue
        end = _trim_end(text, span_start, m.end())
        out.append(DateMention(span_start, end, text[span_start:end], hit.lo, hit.hi))
        previous = (hit.lo, hit.hi)
    return out


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " ,\n\t":
        end -= 1
    return end


def _tense(doc: RuDoc, pos: int) -> Tense:
    """'future' or 'past' by the verb the expression depends on, else None."""
    if not doc.tokens:
        return None
    i = min(doc.token_from(pos), len(doc.tokens) - 1)
    for k in doc.head_chain(i)[1:]:
        t = doc.tokens[k]
        if t.pos not in ("VERB", "AUX"):
            continue
        tense = t.feats.get("Tense")
        if tense == "Fut" or any(doc.tokens[c].lemma == "быть" and doc.tokens[c].feats.get(
            "Tense") == "Fut" for c in doc.kids[k]):  # fmt: skip
            return "future"
        return "past" if tense == "Past" else None
    return None
