"""Figures as phrases: a number, a second one that makes a range, the words that qualify
them; and the tests that tell a figure from a date, a year, a name, a label or a marker.

'at least 1,348', 'between 6 and 11 percent', 'five to ten million', '100 or more'; not
'3-1' (a score), '2020-2022' (years), 'Su-25', 'option two', '(2)'. Each test looks at the
phrase and a few tokens around it, or at a table built in one pass over the Doc, so that
a text of many figures is read in time linear in its length.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from spacy.tokens import Doc, Token

from tocsin.extract import nlp
from tocsin.extract.nlp import text_of
from tocsin.extract.numerals import Number, attached, family, lower, read_number
from tocsin.words import MONTHS_LOWER

# qualifier as written (lower-case tokens) -> normalised qualifier; longest match wins
_QUALIFIERS: dict[tuple[str, ...], str] = {
    ("at", "least"): "at least",
    ("no", "fewer", "than"): "at least",
    ("no", "less", "than"): "at least",
    ("a", "minimum", "of"): "at least",
    ("up", "to"): "up to",
    ("at", "most"): "up to",
    ("no", "more", "than"): "up to",
    ("as", "many", "as"): "up to",
    ("as", "much", "as"): "up to",
    ("a", "maximum", "of"): "up to",
    ("more", "than"): "more than",
    ("over",): "more than",
    ("above",): "more than",
    ("upwards", "of"): "more than",
    ("in", "excess", "of"): "more than",
    ("well", "over"): "more than",
    ("just", "over"): "more than",
    ("less", "than"): "less than",
    ("fewer", "than"): "less than",
    ("under",): "less than",
    ("below",): "less than",
    ("just", "under"): "less than",
    ("nearly",): "nearly",
    ("almost",): "nearly",
    ("close", "to"): "nearly",
    ("about",): "about",
    ("around",): "about",
    ("approximately",): "about",
    ("roughly",): "about",
    ("some",): "about",
    ("circa",): "about",
    ("an", "estimated"): "about",
    ("estimated",): "about",
}
# the same, by their last word: only those ending in the word before a number can match
_QUALIFIERS_ENDING: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _words, _normal in _QUALIFIERS.items():
    _QUALIFIERS_ENDING.setdefault(_words[-1], []).append((_words, _normal))
# one-word qualifiers that are also prepositions or determiners: they qualify the number
# only when the parse attaches them to it ('fought over 2 islands' is no 'more than 2')
_LOOSE_QUALIFIERS = {"over", "above", "under", "below", "about", "around", "some"}

_MONTHS = set(MONTHS_LOWER)
# entities whose numbers are part of a name, not a figure
NOUNS = {"NOUN", "PROPN"}
NAME_LABELS = {
    "PERSON",
    "ORG",
    "GPE",
    "LOC",
    "FAC",
    "PRODUCT",
    "EVENT",
    "LAW",
    "WORK_OF_ART",
    "LANGUAGE",
    "NORP",
}


@dataclass
class Phrase:
    start: int
    end: int
    value: float | None
    low: float | None
    high: float | None
    unit: str | None
    qualifier: str | None
    numerals: list[int]
    word: str | None  # the numeral when it is one number word ('one', 'two')
    rejected: bool = False
    opened: bool = False  # the range opens with 'between' or 'from', part of the span


def read_phrase(doc: Doc, i: int) -> Phrase | None:
    """Read a figure whose first number starts at token ``i``."""
    first = read_number(doc, i)
    if first is None:
        return None
    phrase = Phrase(
        first.start,
        first.end,
        first.value,
        first.low,
        first.high,
        first.unit,
        "vague" if first.vague else ("range" if first.low is not None else None),
        list(first.tokens),
        first.word,
    )
    if not first.vague and first.value is not None:
        _extend_range(doc, phrase, first)
    _read_qualifier(doc, phrase)
    _read_trailing_qualifier(doc, phrase)
    return phrase


def _extend_range(doc: Doc, phrase: Phrase, first: Number) -> None:
    """Join 'A to B', 'A-B', 'between A and B', 'from A to B', 'A or B' into one range."""
    j = first.end
    if j >= len(doc):
        return
    link = doc[j].lower_
    before = lower(doc, first.start - 1)
    if link in ("-", "–", "—"):
        tight = attached(doc, j - 1) and attached(doc, j)
    elif link == "to" or link == "or" or (link == "and" and before == "between"):
        tight = False
    else:
        return
    second = read_number(doc, j + 1)
    if second is None or second.vague or second.value is None or first.value is None:
        return
    if not _join(phrase, (first, first.value), (second, second.value), tight):
        return
    if (before == "between" and link == "and") or (before == "from" and link == "to"):
        phrase.start = first.start - 1
        phrase.opened = True


def _join(
    phrase: Phrase, lower_end: tuple[Number, float], upper_end: tuple[Number, float], tight: bool
) -> bool:
    """Make ``phrase`` the range between two numbers (with their values), if they make one."""
    (first, low), (second, high) = lower_end, upper_end
    scale = second.factor > 1 and first.factor == 1 and first.word != "one"
    if scale and low * second.factor < high:
        low *= second.factor  # 'five to ten million', '$5-6bn'
    if low >= high:
        if tight and first.unit is None and second.unit is None:
            phrase.rejected = True  # '3-1' is a score, '2020-2022' a span of years
            phrase.end = second.end
            phrase.numerals += second.tokens
        return False
    if first.unit is not None and second.unit is not None and first.unit != second.unit:
        return False  # '5km to 10 miles' is no range
    phrase.value, phrase.low, phrase.high = None, low, high
    phrase.unit = second.unit or first.unit
    phrase.qualifier = "range"
    phrase.end = second.end
    phrase.numerals += second.tokens
    phrase.word = None
    return True


def _read_qualifier(doc: Doc, phrase: Phrase) -> None:
    """Attach the words before the number that bound or blur it ('at least', 'up to')."""
    if phrase.opened:
        return  # 'between'/'from' already read
    best: tuple[int, str] | None = None
    for words, normal in _QUALIFIERS_ENDING.get(lower(doc, phrase.start - 1), ()):
        start = phrase.start - len(words)
        if start < 0 or tuple(doc[k].lower_ for k in range(start, phrase.start)) != words:
            continue
        if len(words) == 1 and words[0] in _LOOSE_QUALIFIERS:
            tok = doc[start]
            inside = phrase.start <= tok.head.i < phrase.end
            if not inside and tok.dep_ not in ("quantmod", "advmod", "nummod"):
                continue
        if best is None or start < best[0]:
            best = (start, normal)
    if best is None:
        return
    phrase.start = best[0]
    if phrase.qualifier is None or phrase.qualifier == "vague":
        phrase.qualifier = best[1]


def _read_trailing_qualifier(doc: Doc, phrase: Phrase) -> None:
    """'100 or more', '50 or so'."""
    if phrase.qualifier is not None or lower(doc, phrase.end) != "or":
        return
    after = lower(doc, phrase.end + 1)
    if after in ("more", "so"):
        phrase.qualifier = "at least" if after == "more" else "about"
        phrase.end += 2


# --- rejecting what is not a figure -----------------------------------------------------


def _is_year(doc: Doc, t: int) -> bool:
    text = doc[t].text
    return len(text) == 4 and text.isdigit() and 1800 <= int(text) <= 2100


def _is_month(token: Token) -> bool:
    return token.text[:1].isupper() and token.lower_.rstrip(".") in _MONTHS


def outward(doc: Doc, phrase: Phrase) -> list[Token]:
    """Tokens of the phrase whose syntactic head lies outside it (or that are roots)."""
    return [
        doc[k]
        for k in range(phrase.start, phrase.end)
        if not phrase.start <= doc[k].head.i < phrase.end or doc[k].head.i == k
    ]


def reject(doc: Doc, phrase: Phrase, rejected: set[int], parsed: bool) -> bool:
    """Whether ``phrase`` is a date, a year, a name, a label or a list marker."""
    bare = phrase.unit is None and phrase.qualifier in (None, "range")
    return (
        phrase.rejected
        or _in_name_or_date(doc, phrase)
        or _beside_month(doc, phrase)
        or _code_name(doc, phrase)
        or _list_marker(doc, phrase, bare)
        or (phrase.word == "one" and phrase.unit is None and phrase.qualifier is None)
        or (parsed and _label(doc, phrase, rejected, bare))
    )


def _in_name_or_date(doc: Doc, phrase: Phrase) -> bool:
    """A number inside a name or a date entity, or a year that counts nothing."""
    kind = family(phrase.unit)
    for t in phrase.numerals:
        tok = doc[t]
        if tok.ent_type_ in NAME_LABELS:
            return True
        if tok.ent_type_ in ("DATE", "TIME") and kind != "duration":
            return True
        if _is_year(doc, t) and phrase.unit is None:
            nxt = doc[t + 1] if t + 1 < len(doc) else None
            counts = nxt is not None and nxt.tag_ == "NNS" and tok.head.i == t + 1
            if not counts or tok.ent_type_ == "DATE":
                return True
    return False


def _beside_month(doc: Doc, phrase: Phrase) -> bool:
    first, last = phrase.numerals[0], phrase.numerals[-1]
    if first > 0 and _is_month(doc[first - 1]):
        return True
    return last + 1 < len(doc) and _is_month(doc[last + 1])


def _code_name(doc: Doc, phrase: Phrase) -> bool:
    """A model or code name written against a hyphen: 'Su-25', 'COVID-19' split apart."""
    start = phrase.start
    return (
        start > 0
        and doc[start - 1].text in ("-", "–")
        and attached(doc, start - 1)
        and start >= 2
        and attached(doc, start - 2)
        and doc[start - 2].is_alpha
    )


def _list_marker(doc: Doc, phrase: Phrase, bare: bool) -> bool:
    """'1)' closing no bracket, '(2)', or a number opening a line with '.' or ')'."""
    prev = doc[phrase.start - 1] if phrase.start > 0 else None
    nxt = doc[phrase.end] if phrase.end < len(doc) else None
    closes = bare and nxt is not None and nxt.text == ")"
    opened = prev is not None and prev.text == "("
    if closes and (opened or not _open_bracket(doc, phrase.start)):
        return True  # '1) Prep for ...', '(2) ...'
    line_start = prev is None or "\n" in text_of(doc)[prev.idx : doc[phrase.start].idx]
    return bare and line_start and nxt is not None and nxt.text in (".", ")")


def _label(doc: Doc, phrase: Phrase, rejected: set[int], bare: bool) -> bool:
    """'options two and three', 'option two', 'Article 5', 'attack 2'."""
    label_deps = ("nummod", "appos", "npadvmod", "compound", "nmod")
    for tok in outward(doc, phrase):
        head = tok.head
        if tok.dep_ == "conj" and head.i in rejected:
            return True
        if bare and head.i == phrase.start - 1 and head.pos_ in NOUNS and tok.dep_ in label_deps:
            return True
    return False


def _open_bracket(doc: Doc, i: int) -> bool:
    """Whether a '(' opened before token ``i`` (in its sentence) is still open there."""
    if nlp.has_sentences(doc):
        return _unclosed(doc)[i] > 0
    depth = 0
    for k in range(i - 1, max(0, i - 40) - 1, -1):
        if doc[k].text == ")":
            depth += 1
        elif doc[k].text == "(":
            if depth == 0:
                return True
            depth -= 1
    return False


def _unclosed(doc: Doc) -> list[int]:
    """For each token, how many '(' opened before it in its sentence are still open.

    A ')' closes the nearest open '('; one with none open is ignored: scanning back from a
    token, a '(' is reached unmatched exactly when this count is above zero.
    """
    found = doc.user_data.get("tocsin_unclosed")
    if found is None:
        found = [0] * len(doc)
        for sent in nlp.sentences(doc):
            depth = 0
            for k in range(sent.start, sent.end):
                found[k] = depth
                text = doc[k].text
                if text == "(":
                    depth += 1
                elif text == ")" and depth:
                    depth -= 1
        doc.user_data["tocsin_unclosed"] = found
    return cast(list[int], found)
