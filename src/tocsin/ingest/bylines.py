"""Bylines and date lines of a pasted page, in the forms news sites print them.

One line may hold names, a date or both: "By Jane Doe", "Jane Doe, Kyiv correspondent",
"Published 12 March 2022", "Mon 10 Oct 2022 12.10 BST", "JANE DOE — MONDAY, OCTOBER 10,
2022, 12:10 PM", and, as a browser pastes a byline and a date set in two elements, glued:
"Jane DoeMonday, 18 August 2025, 16:31", "October 3, 20224:05 PM GMT+3Updated 3 years ago".
``read_byline`` accepts a line only when everything in it is accounted for: names, a role
or place after a name, dates, weekdays, times, time zones, labels ("Published", "Updated",
"Posted on … by"), reading times and separators. Anything else and it is not a byline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from tocsin.ingest.dates import WrittenDate, find_dates
from tocsin.models import DatePrecision
from tocsin.words import MONTHS

_WEEKDAY_NAMES = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_MONTH_NAMES = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
)
# A name glued to the weekday or month that followed it in its own element, and a year glued
# to the time after it: the two joins a browser's copy makes.
_GLUED_WORD = re.compile(
    rf"(?<=[a-zà-ÿ])(?=(?:{_WEEKDAY_NAMES}|{_MONTH_NAMES}|Published|Updated|Posted)\b)"
)
# A month in lower or odd case between a day and a year ("12 march 2022", "march 12, 2022"):
# a date, so written as prose writes it; alone, "may" and "march" are verbs.
_ANY_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_LOWER_MONTH = re.compile(
    rf"(?:(?<=\b\d\d )|(?<=\b\d ))(?:{_ANY_MONTH})\b\.?(?=,?\s+(?:19|20)\d\d\b)"
    rf"|\b(?:{_ANY_MONTH})\b\.?(?=\s+\d{{1,2}},?\s+(?:19|20)\d\d\b)",
    re.I,
)
_GLUED_YEAR = re.compile(r"\b((?:19|20)\d\d)(?=\d{1,2}[:.]\d\d)")
_GLUED_LABEL = re.compile(r"(?<=\S)(?=(?:Updated|Published|Posted|Last updated)\b)")

_LABEL = re.compile(
    r"\b(?:(?P<updated>(?:last )?updated|last modified|modified)|(?:first )?published|posted|"
    r"date(?:d)?)\b(?:\s+(?:on|at))?\s*:?",
    re.I,
)
_NOISE = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|"
    r"fri|sat|sun)\b\.?"
    r"|\b\d{1,2}[:.]\d\d(?:[:.]\d\d)?(?:\s*[ap]\.?m\b\.?)?|\b\d{1,2}\s*[ap]\.?m\b\.?"
    r"|\b(?:gmt|utc|bst|cet|cest|eet|eest|msk|est|edt|cst|cdt|pst|pdt|et|pt|ist)\b"
    r"(?:\s*[+-]\s*\d{1,2}(?::?\d\d)?)?"
    r"|\b\d+\s*(?:min(?:ute)?s?)\s+read\b|\b(?:\d+|a|an)\s+(?:seconds?|minutes?|hours?|days?|"
    r"weeks?|months?|years?)\s+ago\b|\bago\b|\b(?:on|at)\b",
    re.I,
)
_SEPARATOR = re.compile(r"\s*(?:[,|•·;()\[\]]|\s[-–—/]\s|^[-–—]|[-–—]$|[–—])\s*")
_BY = re.compile(r"^(?:(?:written|words|reporting|text|story) )?by\s+|^authors?\s*:?\s+", re.I)
_ROLE = re.compile(
    r"\b(?:correspondent|reporter|editor|writer|journalist|contributor|columnist|analyst|"
    r"staff|producer|photographer|author|fellow|researcher|chief|bureau)s?\b",
    re.I,
)
_PARTICLES = frozenset("de van von der den al bin da di du le la ter dos das del".split())


@dataclass(frozen=True)
class Byline:
    """What one line says: who wrote the article, when, or both."""

    authors: list[str] = field(default_factory=list)
    dates: list[WrittenDate] = field(default_factory=list)  # dates with their year, in order
    updated: bool = False  # the date is an update's ("Updated", "Last modified")
    labelled: bool = False  # "Published", "Posted", "Updated" … names the date
    explicit: bool = False  # "By …", a role or a place after the name: surely a byline
    date_range: bool = False  # two dates and nothing else: a span of days, not a date

    def stated(self) -> tuple[date, date, DatePrecision] | None:
        """The date the line states, when it states exactly one."""
        if self.date_range or len(self.dates) != 1:
            return None
        span = self.dates[0].interval()
        return (span[0], span[1], self.dates[0].precision) if span else None


def has_label(line: str) -> bool:
    """Whether a line names a date as published, posted or updated (cheap: no date read)."""
    return _LABEL.search(line) is not None


def unglue(line: str) -> str:
    """Put back the spaces a browser's copy loses between a byline's elements."""
    line = _LOWER_MONTH.sub(lambda m: m[0] if m[0].isupper() else m[0].capitalize(), line)
    line = _GLUED_WORD.sub(" ", line)
    line = _GLUED_YEAR.sub(r"\1 ", line)
    return _GLUED_LABEL.sub(" ", line)


def read_byline(text: str) -> Byline | None:
    """The names and dates of a byline or date line; None when the line says anything else."""
    if len(text) > 200:
        return None
    line = unglue(text)
    mentions = find_dates(line)
    if not mentions:
        rest, _ = _strip_labels(line)
        authors, explicit, _ = _authors(rest, dated=False)
        return Byline(authors, explicit=explicit) if authors else None
    if len(mentions) >= 2 and not any(m.year is None and m.month is None for m in mentions):
        rest, labels = _strip_labels(_cut(line, mentions))
        if _empty(rest) and not labels:
            return Byline(dates=mentions, date_range=True)
    dated = [m for m in mentions if m.year and m.month]
    if len(dated) != len(mentions):
        return None  # a day without its year, or a bare year: prose, not a date line
    rest, labels = _strip_labels(_cut(line, mentions))
    authors, explicit, ok = ([], False, True) if _empty(rest) else _authors(rest, dated=True)
    if not ok:
        return None
    first = _first_published(line, dated, labels)
    return Byline(
        authors,
        [first[0]],
        updated=first[1],
        labelled=bool(labels),
        explicit=explicit or bool(authors and labels),
    )


_FILLER = re.compile(r"[\s|,;/()\[\]\-–—•·.]+|\b(?:to|until|and|through)\b", re.I)


def _empty(rest: str) -> bool:
    """Nothing but separators (and the words of a range: "to", "until") is left."""
    return not _FILLER.sub("", rest)


def _cut(line: str, mentions: list[WrittenDate]) -> str:
    """The line with each date replaced by a separator."""
    out, last = [], 0
    for m in mentions:
        out.append(line[last : m.start])
        out.append(" | ")
        last = m.end
    out.append(line[last:])
    return "".join(out)


def _strip_labels(line: str) -> tuple[str, list[re.Match[str]]]:
    """The line without labels, weekdays, times, zones and reading times; and the labels."""
    labels = list(_LABEL.finditer(line))
    line = _LABEL.sub(" | ", line)
    line = _NOISE.sub(" ", line)
    return line, labels


def _first_published(
    line: str, dated: list[WrittenDate], labels: list[re.Match[str]]
) -> tuple[WrittenDate, bool]:
    """The publication date among a line's dates: the first one not labelled an update,
    else the first; and whether it is an update's."""
    for m in dated:
        label = next((x for x in reversed(labels) if x.end() <= m.start), None)
        if label is None or not label["updated"]:
            return m, False
    return dated[0], True


def _authors(rest: str, *, dated: bool) -> tuple[list[str], bool, bool]:
    """Names in what is left of a line; whether the line is surely a byline (a "By", or a
    role or place after the names); and whether nothing else is left (a place may stand
    alone beside a date: "Kyiv, 10 October 2022")."""
    segments = [s.strip() for s in _SEPARATOR.split(rest) if s and s.strip(" -–—")]
    names: list[str] = []
    explicit = False
    for seg in segments:
        by = _BY.match(seg)
        if by:
            seg, explicit = seg[by.end() :], True
        found = _names(seg)
        if found:
            names.extend(found)
        elif names and _ROLE.search(seg) and len(seg.split()) <= 5:
            explicit = True
        elif (names or dated) and _place(seg):
            explicit = explicit or bool(names)
        else:
            return [], False, False
    return names, explicit, True


def _names(segment: str) -> list[str] | None:
    """People named in one segment ("Jane Doe and John Roe", "JANE DOE"), or None."""
    out = []
    for chunk in re.split(r"\s+(?:and|&)\s+|\s*&\s*", segment.strip(), flags=re.I):
        words = chunk.split()
        if not 2 <= len(words) <= 4:
            return None
        capitals = all(w.isupper() for w in words if w.lower() not in _PARTICLES)
        if not all(_name_word(w, capitals) for w in words):
            return None
        out.append(" ".join(w.capitalize() if capitals else w for w in words))
    return out


def _name_word(word: str, capitals: bool) -> bool:
    if word.lower() in _PARTICLES:
        return True
    core = word.replace("-", "").replace("'", "").replace("’", "").rstrip(".")
    if not core.isalpha() or not word[0].isupper():
        return False
    return capitals or len(core) == 1 or any(c.islower() for c in core)


def _place(segment: str) -> bool:
    """One or two capitalised words after a name: a place or an outlet ("Minsk", "Reuters")."""
    words = segment.split()
    return 1 <= len(words) <= 2 and all(w[0].isupper() and w.isalpha() for w in words)
