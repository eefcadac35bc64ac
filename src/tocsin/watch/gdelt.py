"""A GDELT 2.0 export read as a list of article URLs, filtered by actor, country and date.

Two of GDELT 2.0's tables are read (docs/watch.md cites the codebooks):

- the events export (``*.export.CSV``): tab-separated, no header, 61 columns per row, of
  which these are read (1-based, as the codebook counts): SQLDATE 2 (YYYYMMDD),
  Actor1Code 6, Actor1CountryCode 8, Actor2Code 16, Actor2CountryCode 18, the geography's
  country codes Actor1Geo_CountryCode 38, Actor2Geo_CountryCode 46 and
  ActionGeo_CountryCode 54, and SOURCEURL 61;
- the mentions export (``*.mentions.CSV``): 16 columns, of which EventTimeDate 2 and
  MentionTimeDate 3 (YYYYMMDDHHMMSS), MentionType 4 (1: a web page) and MentionIdentifier 6
  (its URL) are read. Mentions carry no actor or country codes: a mentions source takes
  ``since`` only.

A row passes when either actor's code starts with one of ``actors`` (CAMEO codes: BLR,
also BLRGOV), when one of its country codes is one of ``countries`` (the actors' CAMEO
codes, BLR, RUS; or the geography's FIPS 10-4 codes, BO, UP), and when it is dated on or
after ``since``; a filter left empty passes every row. Rows that are not rows of the table
(too few columns, no URL) are counted and skipped, never fatal.

A source may also name GDELT's ``lastupdate.txt``, which lists the newest exports every 15
minutes: the events export it names is read, once (the watcher keeps its URL).
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from tocsin.errors import FailureCode, InputError

EVENT_COLUMNS = 61
MENTION_COLUMNS = 16
# 0-based positions in an events row (the codebook's column number minus one).
SQLDATE = 1
ACTOR1_CODE = 5
ACTOR1_COUNTRY = 7
ACTOR2_CODE = 15
ACTOR2_COUNTRY = 17
GEO_COUNTRIES = (37, 45, 53)  # Actor1Geo_, Actor2Geo_, ActionGeo_CountryCode
SOURCEURL = 60
# 0-based positions in a mentions row.
MENTION_TIME = 2
MENTION_TYPE = 3
MENTION_URL = 5
WEB = "1"  # MentionType of a web page; the others (broadcast, JSTOR, ...) have no URL


@dataclass(frozen=True)
class Filters:
    """What a row must match; an empty filter matches every row."""

    actors: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    since: date | None = None


@dataclass
class GdeltList:
    """The URLs an export gives (each once, in the order of the file), and how many rows
    were read, passed and skipped as malformed."""

    table: str  # 'events' or 'mentions'
    urls: list[str]
    rows: int = 0
    skipped: int = 0


def latest_export(data: bytes) -> str | None:
    """The events export GDELT's ``lastupdate.txt`` names (its lines are a size, an MD5
    and the URL of the newest export, mentions and GKG file), or None when ``data`` is not
    such a list."""
    try:
        lines = data.decode("ascii").split()
    except UnicodeDecodeError:
        return None
    if not lines or len(lines) % 3 or len(lines) > 30:
        return None
    urls = lines[2::3]
    if not all(u.lower().startswith(("http://", "https://")) for u in urls):
        return None
    return next((u for u in urls if u.lower().endswith(".export.csv.zip")), None)


def _rows(text: str) -> Iterator[list[str]]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        if row and any(field.strip() for field in row):
            yield row


def table_of(row: list[str]) -> str:
    """Which table a row belongs to, by its number of columns; InputError for neither."""
    if len(row) == EVENT_COLUMNS:
        return "events"
    if len(row) == MENTION_COLUMNS:
        return "mentions"
    raise InputError(
        FailureCode.UNSUPPORTED,
        f"not a GDELT 2.0 export: a row of {len(row)} tab-separated columns"
        f" ({EVENT_COLUMNS} in events, {MENTION_COLUMNS} in mentions)",
    )


def article_urls(data: bytes, filters: Filters) -> GdeltList:
    """The article URLs of a GDELT 2.0 events or mentions export that pass ``filters``."""
    text = data.decode("utf-8", errors="replace")
    rows = _rows(text)
    first = next(rows, None)
    if first is None:
        return GdeltList("events", [])
    table = table_of(first)
    if table == "mentions" and (filters.actors or filters.countries):
        raise InputError(
            FailureCode.UNSUPPORTED,
            "a mentions export has no actor or country codes: filter the events export,"
            " or give only 'since'",
        )
    width = EVENT_COLUMNS if table == "events" else MENTION_COLUMNS
    passes = _event_passes if table == "events" else _mention_passes
    found = GdeltList(table, [])
    seen: set[str] = set()
    for row in _chain(first, rows):
        found.rows += 1
        url = _url(row, table) if len(row) == width else None
        if url is None:
            found.skipped += 1
        elif url not in seen and passes(row, filters):
            seen.add(url)
            found.urls.append(url)
    return found


def _chain(first: list[str], rest: Iterable[list[str]]) -> Iterator[list[str]]:
    yield first
    yield from rest


def _url(row: list[str], table: str) -> str | None:
    if table == "mentions" and row[MENTION_TYPE].strip() != WEB:
        return None
    url = row[SOURCEURL if table == "events" else MENTION_URL].strip()
    return url if url.lower().startswith(("http://", "https://")) else None


def _day(text: str) -> date | None:
    """The date of a GDELT YYYYMMDD (or longer YYYYMMDDHHMMSS) stamp; None if unreadable."""
    text = text.strip()
    try:
        return date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def _dated(stamp: str, since: date | None) -> bool:
    if since is None:
        return True
    day = _day(stamp)
    return day is not None and day >= since


def _event_passes(row: list[str], filters: Filters) -> bool:
    if not _dated(row[SQLDATE], filters.since):
        return False
    codes = (row[ACTOR1_CODE].strip().upper(), row[ACTOR2_CODE].strip().upper())
    if filters.actors and not any(
        code.startswith(actor) for code in codes if code for actor in filters.actors
    ):
        return False
    positions = (ACTOR1_COUNTRY, ACTOR2_COUNTRY, *GEO_COUNTRIES)
    countries = {row[i].strip().upper() for i in positions} - {""}
    return not filters.countries or bool(countries & set(filters.countries))


def _mention_passes(row: list[str], filters: Filters) -> bool:
    return _dated(row[MENTION_TIME], filters.since)
