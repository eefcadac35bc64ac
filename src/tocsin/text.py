"""The text model: an article's paragraphs and sentences, found once, as character offsets.

Every stage that needs sentences takes them from here: extraction hands them to spaCy's
parser (which respects preset boundaries) and stores them, linking reads the stored ones,
and the report highlights them. Offsets are Python string offsets (code points, end
exclusive) into the article's clean text, never including surrounding whitespace.

Paragraphs are blocks separated by blank lines, or by single newlines when the text has no
blank line. A line break always ends a sentence (pasted text often drops the full stop after
a heading). Inside a line a sentence ends at ``.``, ``!``, ``?`` or ``…`` (with any closing
quote marks or brackets after it) followed by white space and something that can begin a
sentence, except after a title ("Gen.", "Mr."), an initial ("J."), or, unless a common
sentence opener follows, an abbreviation or dotted acronym ("U.S.", "Sept.", "Inc.").

Every function here is linear in the length of the text: one regular-expression scan with no
nested repetition, and a look back of bounded length at each candidate end. ``pieces``
cuts a text too long for one pass of a model into paragraph-aligned pieces.

The line-shape rules the paste filter and the entity rules share (a photo credit, a bare
byline) live here too, since both stages read them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from tocsin.words import MONTHS

Offsets = tuple[int, int]


@dataclass(frozen=True)
class Sentence:
    """One sentence: its offsets and the index of the paragraph holding it."""

    start: int
    end: int
    paragraph: int


@dataclass(frozen=True)
class Layout:
    """The paragraphs and sentences of one text, in order."""

    paragraphs: tuple[Offsets, ...]
    sentences: tuple[Sentence, ...]

    def sentence_at(self, offset: int) -> Sentence | None:
        """The sentence holding character ``offset``, if any."""
        k = bisect_right(self.sentences, offset, key=lambda s: s.start) - 1
        if k >= 0 and self.sentences[k].start <= offset < self.sentences[k].end:
            return self.sentences[k]
        return None


# Titles and other abbreviations after which a full stop never ends a sentence (English,
# and the Russian ones of names and addresses: 'им. Ленина', 'ул. Ленина', 'акад. Сахаров').
_TITLES = frozenset(
    "mr mrs ms dr gen lt col maj capt cpt sgt adm cmdr gov sen rep rev prof hon pres st mt "
    "ft no nos vol art fig op ch pp para approx cf vs им ул пр просп пл пер тов св акад".split()
)
# Abbreviations that can end a sentence: a full stop after one ends it only before a
# common sentence opener ("... by the U.S. The ministry said").
_ABBREVIATIONS = frozenset(
    {m.lower() for m in MONTHS if len(m) <= 4} | set("inc corp ltd co bros etc al jr sr".split())
)
_OPENERS = frozenset(
    "the a an this that these those it its he she they we i you in on at but and yet so as "
    "if when while after before there his her their our my meanwhile however still also "
    "then now since although though for".split()
)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_LINE = re.compile(r"[^\n]+")
# A candidate end: terminal punctuation, closers, then white space.
_END = re.compile(r"[.!?…]+[”»\"’')\]]*(?=\s)")
_STARTER = re.compile(r"\s+([“\"‘'(\[«]*)(\S)")
# The word a full stop ends, Latin or Cyrillic (an initial: "J.", "А.").
_WORD_BEFORE = re.compile(r"([A-Za-zА-ЯЁа-яё][A-Za-zА-ЯЁа-яё.]{0,15})\.$")
_LOOKBACK = 18  # characters read before a full stop to find the word it ends


def paragraphs(text: str) -> list[Offsets]:
    """(start, end) of each paragraph, without surrounding white space."""
    if _PARAGRAPH_BREAK.search(text):
        return list(_trimmed(text, _blocks(text)))
    return list(_trimmed(text, ((m.start(), m.end()) for m in _LINE.finditer(text))))


def _blocks(text: str) -> Iterator[Offsets]:
    position = 0
    for found in _PARAGRAPH_BREAK.finditer(text):
        yield position, found.start()
        position = found.end()
    yield position, len(text)


def _trimmed(text: str, spans: Iterator[Offsets]) -> Iterator[Offsets]:
    for start, end in spans:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            yield start, end


def sentences(text: str) -> list[Sentence]:
    """Every sentence of ``text``, in order."""
    return list(segment(text).sentences)


def segment(text: str) -> Layout:
    """The paragraphs and sentences of ``text``."""
    paras = paragraphs(text)
    found: list[Sentence] = []
    for index, (start, end) in enumerate(paras):
        lines = _trimmed(text, ((m.start(), m.end()) for m in _LINE.finditer(text, start, end)))
        for line_start, line_end in lines:
            found += [Sentence(a, b, index) for a, b in _split_line(text, line_start, line_end)]
    return Layout(tuple(paras), tuple(found))


def _split_line(text: str, start: int, end: int) -> Iterator[Offsets]:
    begin = start
    for found in _END.finditer(text, start, end):
        if found.end() >= end or not _ends_sentence(text, found, end):
            continue
        yield from _trimmed(text, iter([(begin, found.end())]))
        begin = found.end()
    yield from _trimmed(text, iter([(begin, end)]))


def _ends_sentence(text: str, found: re.Match[str], limit: int) -> bool:
    """Whether the punctuation ``found`` ends a sentence, from what stands around it."""
    nxt = _STARTER.match(text, found.end(), limit)
    if nxt is None:
        return False
    first = nxt.group(2)
    if first.islower() or first in "—–":
        return False  # a dash carries on the sentence: '«…» — сказал он.'
    mark = found.group(0)
    if not mark.startswith(".") or mark.startswith(".."):
        return first.isupper() or first.isdigit() or bool(nxt.group(1))
    return _after_full_stop(text, found.start(), nxt, first)


def _after_full_stop(text: str, stop: int, nxt: re.Match[str], first: str) -> bool:
    before = _WORD_BEFORE.search(text, max(0, stop - _LOOKBACK), stop + 1)
    word = before.group(1) if before else ""
    bare = word.rstrip(".").lower()
    if bare in _TITLES or (len(word) == 1 and word.isupper()):
        return False
    if bare in _ABBREVIATIONS or "." in word:
        if first.isdigit():
            return False
        return _next_word(text, nxt.start(2)).lower() in _OPENERS
    return True


def _next_word(text: str, start: int) -> str:
    end = start
    limit = min(len(text), start + 20)
    while end < limit and text[end].isalpha():
        end += 1
    return text[start:end]


def pieces(text: str, limit: int) -> list[Offsets]:
    """``text`` cut into consecutive pieces of at most ``limit`` characters, at paragraph
    ends where it can, else at sentence ends, else at white space, else anywhere.

    The pieces cover the text: joined, they give it back.
    """
    if len(text) <= limit:
        return [(0, len(text))] if text else []
    layout = segment(text)
    ends = {b for _, b in layout.paragraphs}  # computed once: every cut consults them
    cuts = sorted(ends | {s.end for s in layout.sentences})
    out: list[Offsets] = []
    start = 0
    k = 0
    while len(text) - start > limit:
        while k < len(cuts) and cuts[k] <= start:
            k += 1
        best = _best_cut(text, start, limit, cuts, k, ends)
        while best < start + limit and text[best].isspace():
            best += 1  # white space after a cut stays with the piece before it
        out.append((start, best))
        start = best
    out.append((start, len(text)))
    return out


def _best_cut(text: str, start: int, limit: int, cuts: list[int], k: int, ends: set[int]) -> int:
    """The furthest good place to end a piece that begins at ``start``; ``ends`` are the
    paragraph ends."""
    stop = start + limit
    j = bisect_right(cuts, stop, lo=k) - 1
    paragraph = next((cuts[i] for i in range(j, k - 1, -1) if cuts[i] in ends), None)
    if paragraph is not None and paragraph > start + limit // 2:
        return paragraph
    if j >= k and cuts[j] > start:
        return cuts[j]
    space = text.rfind(" ", start + 1, stop)
    return space if space > start else stop


# -- invisible characters ---------------------------------------------------------------------

# Invisible format controls, dropped from the clean text, titles, outlets and authors at
# ingest (the raw bytes keep them): the bidi embeddings, overrides and isolates (U+202A-202E,
# U+2066-2069) and marks (LRM, RLM, ALM), which can disguise a name or reorder what a
# terminal shows; the zero-width space, word joiner and byte-order mark; the soft hyphen.
FORMAT_CONTROLS = (
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    "\u200b\u2060\ufeff\u00ad"
)
# The zero-width non-joiner and joiner stay in text (Persian, the Indic scripts and emoji
# sequences need them) but not in names and keys.
JOINERS = "\u200c\u200d"
_INVISIBLE = dict.fromkeys(map(ord, FORMAT_CONTROLS + JOINERS))


def visible(name: str) -> str:
    """``name`` as a reader sees it: without invisible format controls or joiners. Entity
    names and keys are made of it."""
    return name.translate(_INVISIBLE)


# -- line shapes ------------------------------------------------------------------------------

# A photo credit: names and agencies joined by slashes ("Peter Kovalev/TASS/ZUMA").
CREDIT = re.compile(
    r"(?:^|[.!?]\s+)(?:(?:photo|image|credit|picture)s?:?\s*)?"
    r"[A-Z][\w.'’&-]*(?: [\w.'’&-]+){0,4}(?:/[A-Z][\w.'’&-]*(?: [\w.'’&-]+){0,4}){1,5}\s*$"
    r"|\b(getty images|afp via getty|ap photo|reuters/|shutterstock|alamy)\b",
    re.I,
)
_NAME_TOKEN = r"(?:[A-Z][a-zà-ÿ'’.-]+|[A-Z]\.|de|van|von|der|al|bin|da|di|le|la)"
BYLINE = re.compile(
    rf"^(?i:by\s+)?{_NAME_TOKEN}(?: {_NAME_TOKEN}){{1,3}}"
    rf"(?:(?:,| and| &) {_NAME_TOKEN}(?: {_NAME_TOKEN}){{1,3}})*$"
)
WORD = re.compile(r"\w+")
TERMINAL = re.compile(r"[.!?…][”\"’')\]]*$")


def is_credit_or_byline(line: str) -> bool:
    """A photo credit ("Peter Kovalev/TASS/ZUMA") or a bare byline ("By Anna Akage"):
    names in such a line are not actors of the story."""
    line = line.strip()
    if not line or len(line) > 200:
        return False
    words = len(WORD.findall(line))
    if words > 8 or TERMINAL.search(line):
        return False
    return bool(CREDIT.search(line) or BYLINE.match(line))


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) without white space at either end or commas at its end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == ","):
        end -= 1
    return start, end
