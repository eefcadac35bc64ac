"""Figures in news prose: numbers with their qualifiers, ranges, units and what they count.

The reader is token-driven rather than entity-driven: spaCy's CARDINAL/PERCENT/MONEY spans
miss some figures ('7k', 'five to ten') and swallow others into dates, so we read numbers
off the tokens ourselves and use the entity labels and the dependency parse only to reject
non-figures and to find what is counted.

Decisions (each one is exercised by tests/extract/test_quantities.py):

* **Span.** ``text`` covers the qualifier, the number(s), a currency sign and the unit
  ('at least 1,348', 'between 6 and 11 percent', 'US$6 billion', 'two days'); the counted
  noun is *not* part of it, since it is often far away ('support ... is 6 percent').
* **Durations** ('two days', 'Seven years later') are figures: unit 'day', 'year' ...
  Their measure is left None, so they never group.
* **Brackets.** A conversion in brackets right after a figure of the same kind
  ('US$6 billion (£4.5 billion)', '17km (10 miles)') is a second Quantity with its own unit
  ('GBP', 'mile'); it takes the first figure's measure and qualifier, so both land in the
  same group.
* **Vague numbers** ('dozens', 'thousands', 'tens of thousands', 'several hundred') are
  Quantities with value None, qualifier 'vague' and low/high = 2x/10x the base
  (dozens: 24-120, tens of thousands: 20,000-100,000).
* **Not figures:** years and dates (a four-digit 1800-2100 number without a comma, unless
  it directly counts a plural noun outside a DATE entity; numbers inside DATE or TIME
  entities unless they count days/years; numbers next to a month name), numbers inside
  names (ORG/PRODUCT/EVENT/LAW ... entities, 'S-400', 'T-72A', 'G7'), labels after a noun
  ('option two', 'Resolve 2022'), list markers ('1)', '(2)'), scores ('3-1'), fractions
  ('two-thirds'), and a lone 'one' ('one of them', 'no one') unless it carries a unit or a
  qualifier.
* **Qualifiers** are normalised: 'over', 'above', 'upwards of' -> 'more than'; 'under',
  'fewer than' -> 'less than'; 'at most', 'as many as' -> 'up to'; 'around', 'some',
  'approximately', 'roughly' -> 'about'; 'almost' -> 'nearly'; ranges -> 'range'.
  'only' and 'just' are emphasis, not estimates, and are dropped.

What a figure measures (``Quantity.measure``, lemmatised, lower case) comes from the
dependency parse, with no lexicon of measures (only two short closed-class lists: quantity
nouns and grading adjectives):

* a count's measure is the noun the number modifies (nummod), with its compounds and
  classifying adjectives ('battalion tactical group', 'political prisoner', 'armed force'),
  but not names, nationalities or evaluative adjectives ('eight T-72A tanks' -> 'tank',
  '120,000 Russian troops' -> 'troop'); or the object of 'of' after a number noun
  ('dozens of journalists', 'US$6 billion of investments'); or the size of the noun that
  has the number ('a country of 9.5 million' -> 'country size', kept apart from 'two
  countries'; but 'a budget of €2.3bn' -> 'defence budget'); or, for 'an increase in X
  from A to B', X; a figure hanging off a verb ('rose to 300', 'there are troops, up to
  7k') measures the verb's object, else its subject; lengths and weights measure only the
  noun they describe ('a 64km convoy');
* a percentage's measure is what the share *does or is*: the predicate it is the subject
  of ('3% of Belarusians are ready to support ...' -> 'support'; negated: 'not support'),
  or the subject it is the value of ('support for sending troops is between 6 and 11
  percent' -> 'support'), or the noun it is in apposition to or modifies. The population
  after 'of' ('of Belarusians') is not the measure.
* quantity nouns ('level', 'share', 'rate', 'number' ...) are looked through to their 'of'
  object ('a 90% level of combat power' -> 'combat power'); a comparative quantity noun ('a
  higher level of approval -- up to 11%') refers back, and takes the measure of the
  previous figure of the same kind in the last three sentences.

``measure_key`` is '<family>:<measure>' (family: count, percent, money, length, duration
...). ``group_quantities`` puts figures with equal keys together, and also figures of one
family whose measures share the head word when one measure's words contain the other's
('force' and 'armed force'), never across a negation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from tocsin.extract import nlp
from tocsin.extract.nlp import text_of
from tocsin.models.evidence import Quantity
from tocsin.words import MONTHS_LOWER
from tocsin.words import MULTIPLIERS as _MULTIPLIERS
from tocsin.words import ONES as _ONES
from tocsin.words import TENS as _TENS

__all__ = ["find_quantities", "group_quantities", "measure_key"]

# --- lexical tables: the shapes of numbers and units, not what they measure -------------

_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_SUFFIXES = r"k|K|bn|b|tn|trn|mn|mln|m|M"
_NUMBER_TOKEN = re.compile(rf"({_DIGITS})({_SUFFIXES})?")
# '25–35', '1.2bn-$1.5bn': spaCy keeps some ranges in one token
_RANGE_TOKEN = re.compile(
    rf"({_DIGITS})({_SUFFIXES})?[-–—](?:US\$|[$£€])?({_DIGITS})({_SUFFIXES})?"
)
_SUFFIX = {
    "k": 1e3,
    "K": 1e3,
    "m": 1e6,
    "M": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "tn": 1e12,
    "trn": 1e12,
}
_VAGUE_PLURALS = {
    "dozens": 12.0,
    "hundreds": 1e2,
    "thousands": 1e3,
    "millions": 1e6,
    "billions": 1e9,
}
_FRACTIONS = {
    "half",
    "halves",
    "third",
    "thirds",
    "quarter",
    "quarters",
    "fifth",
    "fifths",
    "tenth",
    "tenths",
}
_VAGUE_BIG = {"thousands": 1e3, "millions": 1e6, "billions": 1e9}
_VAGUE_DETERMINERS = ("several", "few")  # 'several hundred', 'a few thousand'

_CURRENCY_SIGNS = {
    "$": "USD",
    "US$": "USD",
    "£": "GBP",
    "€": "EUR",
    "¥": "JPY",
    "₽": "RUB",
    "₴": "UAH",
    "A$": "AUD",
    "C$": "CAD",
    "HK$": "HKD",
}
_CURRENCY_CODES = {"USD", "EUR", "GBP", "RUB", "UAH", "BYN", "CNY", "JPY", "CHF", "PLN"}
_CURRENCY_WORDS = {
    "dollar": "USD",
    "dollars": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "rouble": "RUB",
    "roubles": "RUB",
    "ruble": "RUB",
    "rubles": "RUB",
    "hryvnia": "UAH",
    "hryvnias": "UAH",
    "hryvnias.": "UAH",
    "yuan": "CNY",
    "yen": "JPY",
}

# unit as written (lower case; tuples are multi-token) -> (canonical unit, family)
_UNITS: dict[tuple[str, ...], tuple[str, str]] = {
    ("%",): ("percent", "percent"),
    ("percent",): ("percent", "percent"),
    ("per", "cent"): ("percent", "percent"),
    ("pc",): ("percent", "percent"),
    ("percentage", "point"): ("percentage point", "percentage point"),
    ("percentage", "points"): ("percentage point", "percentage point"),
    ("km",): ("km", "length"),
    ("kms",): ("km", "length"),
    ("kilometre",): ("km", "length"),
    ("kilometres",): ("km", "length"),
    ("kilometer",): ("km", "length"),
    ("kilometers",): ("km", "length"),
    ("mile",): ("mile", "length"),
    ("miles",): ("mile", "length"),
    ("metre",): ("m", "length"),
    ("metres",): ("m", "length"),
    ("meter",): ("m", "length"),
    ("meters",): ("m", "length"),
    ("cm",): ("cm", "length"),
    ("mm",): ("mm", "length"),
    ("ft",): ("ft", "length"),
    ("feet",): ("ft", "length"),
    ("foot",): ("ft", "length"),
    ("sq", "km"): ("sq km", "area"),
    ("square", "kilometres"): ("sq km", "area"),
    ("square", "kilometers"): ("sq km", "area"),
    ("square", "miles"): ("sq mile", "area"),
    ("km2",): ("sq km", "area"),
    ("hectare",): ("hectare", "area"),
    ("hectares",): ("hectare", "area"),
    ("kg",): ("kg", "mass"),
    ("kilogram",): ("kg", "mass"),
    ("kilograms",): ("kg", "mass"),
    ("kilos",): ("kg", "mass"),
    ("tonne",): ("tonne", "mass"),
    ("tonnes",): ("tonne", "mass"),
    ("ton",): ("ton", "mass"),
    ("tons",): ("ton", "mass"),
    ("lb",): ("lb", "mass"),
    ("lbs",): ("lb", "mass"),
    ("litre",): ("litre", "volume"),
    ("litres",): ("litre", "volume"),
    ("liter",): ("litre", "volume"),
    ("liters",): ("litre", "volume"),
    ("barrel",): ("barrel", "volume"),
    ("barrels",): ("barrel", "volume"),
    ("bcm",): ("bcm", "volume"),
    ("mph",): ("mph", "speed"),
    ("km/h",): ("km/h", "speed"),
    ("kw",): ("kW", "power"),
    ("mw",): ("MW", "power"),
    ("gw",): ("GW", "power"),
    ("second",): ("second", "duration"),
    ("seconds",): ("second", "duration"),
    ("minute",): ("minute", "duration"),
    ("minutes",): ("minute", "duration"),
    ("hour",): ("hour", "duration"),
    ("hours",): ("hour", "duration"),
    ("day",): ("day", "duration"),
    ("days",): ("day", "duration"),
    ("week",): ("week", "duration"),
    ("weeks",): ("week", "duration"),
    ("month",): ("month", "duration"),
    ("months",): ("month", "duration"),
    ("year",): ("year", "duration"),
    ("years",): ("year", "duration"),
    ("decade",): ("decade", "duration"),
    ("decades",): ("decade", "duration"),
    ("century",): ("century", "duration"),
    ("centuries",): ("century", "duration"),
}
_UNIT_FAMILY = dict(_UNITS.values())

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
# one-word qualifiers that are also prepositions or determiners: they qualify the number
# only when the parse attaches them to it ('fought over 2 islands' is no 'more than 2')
_LOOSE_QUALIFIERS = {"over", "above", "under", "below", "about", "around", "some"}

_MONTHS = set(MONTHS_LOWER)
# entities whose numbers are part of a name, not a figure
_NAME_LABELS = {
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
_MEASURE_STOP_LABELS = _NAME_LABELS | {"DATE", "TIME", "CARDINAL", "ORDINAL"}
# quantity nouns: a share/level/number *of* something measures that something
_CONTAINERS = {
    "level",
    "share",
    "proportion",
    "percentage",
    "rate",
    "number",
    "total",
    "figure",
    "amount",
    "majority",
    "minority",
    "portion",
    "part",
    "fraction",
    "tally",
}
# adjectives that grade or count rather than classify: 'heavy casualties' are casualties
_NON_CLASSIFYING = {
    "new",
    "additional",
    "other",
    "many",
    "few",
    "several",
    "various",
    "heavy",
    "large",
    "small",
    "big",
    "huge",
    "major",
    "total",
    "further",
    "possible",
    "available",
    "current",
    "recent",
    "estimated",
    "reported",
    "remaining",
    "overall",
    "extra",
    "entire",
    "whole",
    "same",
    "such",
    "own",
    "vast",
    "significant",
    "only",
    "first",
    "last",
}
_NOUNS = {"NOUN", "PROPN"}
_MODIFIER_DEPS = {"compound", "amod", "nmod"}
_NUMERIC_DEPS = {"nummod", "compound", "nmod", "amod", "quantmod"}
_COMPARE_WINDOW = 3  # sentences a comparative may look back


@dataclass
class _Number:
    """One number as read from the tokens, before qualifiers and ranges."""

    start: int  # first token (a currency sign when there is one)
    end: int  # one past the last token, unit included
    value: float | None
    low: float | None = None
    high: float | None = None
    unit: str | None = None
    vague: bool = False
    factor: float = 1.0  # the multiplier read ('million', '7k'); 1 when there is none
    tokens: list[int] = field(default_factory=list)  # the numeral tokens
    word: str | None = None  # the numeral when it is one number word ('one', 'two')


@dataclass
class _Phrase:
    """A figure: qualifier + number(s) + unit, with the token span it covers."""

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


# --- reading numbers ---------------------------------------------------------------------


def _parse_digits(text: str) -> float:
    return float(text.replace(",", ""))


def _lower(doc: Doc, i: int) -> str:
    return doc[i].lower_ if 0 <= i < len(doc) else ""


def _attached(doc: Doc, i: int) -> bool:
    """Whether token ``i`` is written against the next one, with no space between."""
    return doc[i].whitespace_ == ""


def _read_words(doc: Doc, i: int) -> tuple[float, float, int, list[int]] | None:
    """Read spelled-out numbers from ``i`` ('five', 'twenty-five', 'one thousand').

    Returns (value, the multiplier last applied, end token, numeral tokens).
    """
    total = 0.0
    current = 0.0
    factor = 1.0
    last: str | None = None  # 'ones', 'tens' or 'mult': what may follow depends on it
    j = i
    tokens: list[int] = []
    while j < len(doc):
        word = doc[j].lower_
        if word in _ONES and (last in (None, "mult") or (last == "tens" and _ONES[word] < 10)):
            current += _ONES[word]
            last = "ones"
        elif word in _TENS and last in (None, "mult"):
            current += _TENS[word]
            last = "tens"
        elif word in _MULTIPLIERS and last in ("ones", "tens", "mult"):
            mult = _MULTIPLIERS[word]
            if last == "mult" and mult <= factor:
                break  # 'thousand thousand' is no number
            if mult >= 1e3:
                total += (current or 1.0) * mult
                current = 0.0
            else:
                current = (current or 1.0) * mult
            factor = mult
            last = "mult"
        elif (
            word in ("-", "–")
            and last == "tens"
            and j + 1 < len(doc)
            and doc[j + 1].lower_ in _ONES
            and _attached(doc, j - 1)
            and _attached(doc, j)
        ):
            j += 1  # 'twenty-five'
            continue
        else:
            break
        tokens.append(j)
        j += 1
    if not tokens:
        return None
    return total + current, factor, j, tokens


def _read_vague(doc: Doc, i: int) -> _Number | None:
    """Read 'dozens', 'thousands', 'tens of thousands', 'several hundred', 'a few thousand'."""
    word = doc[i].lower_
    if word in ("tens", "hundreds") and _lower(doc, i + 1) == "of":
        big = _lower(doc, i + 2)
        if big in _VAGUE_BIG:
            base = (10.0 if word == "tens" else 100.0) * _VAGUE_BIG[big]
            return _vague(i, i + 3, base, [i, i + 2])
    if word in _VAGUE_PLURALS and word != "tens":
        return _vague(i, i + 1, _VAGUE_PLURALS[word], [i])
    start = i
    if word == "a" and _lower(doc, i + 1) == "few":
        i += 1
        word = "few"
    if word in _VAGUE_DETERMINERS and _lower(doc, i + 1) in _MULTIPLIERS:
        return _vague(start, i + 2, _MULTIPLIERS[_lower(doc, i + 1)], [i + 1])
    return None


def _vague(start: int, end: int, base: float, tokens: list[int]) -> _Number:
    return _Number(start, end, None, 2 * base, 10 * base, vague=True, tokens=tokens)


def _read_number(doc: Doc, i: int) -> _Number | None:
    """Read one number at token ``i``: currency sign, numeral, multiplier, unit."""
    start = i
    currency: str | None = None
    text = doc[i].text
    if text in _CURRENCY_SIGNS or text in _CURRENCY_CODES:
        if i + 1 >= len(doc):
            return None
        currency = _CURRENCY_SIGNS.get(text, text)
        i += 1
    vague = _read_vague(doc, i) if currency is None else None
    if vague is not None:
        return vague
    number: _Number | None
    token = doc[i].text
    m_range = _RANGE_TOKEN.fullmatch(token)
    m_num = _NUMBER_TOKEN.fullmatch(token)
    if m_range:
        low_suffix, high_suffix = m_range.group(2), m_range.group(4)
        if currency is None and {low_suffix, high_suffix} & {"m", "M"}:
            return None
        high_factor = _SUFFIX.get(high_suffix or "", 1.0)
        low_factor = _SUFFIX.get(low_suffix or "", high_factor)
        low = _parse_digits(m_range.group(1)) * low_factor
        high = _parse_digits(m_range.group(3)) * high_factor
        if low >= high:
            return None
        number = _Number(start, i + 1, None, low, high, tokens=[i], factor=high_factor)
    elif m_num:
        value = _parse_digits(m_num.group(1))
        suffix = m_num.group(2)
        if suffix in ("m", "M") and currency is None:
            return None  # '10m' is metres or millions: too ambiguous inside one token
        factor = _SUFFIX.get(suffix or "", 1.0)
        number = _Number(start, i + 1, value * factor, tokens=[i], factor=factor)
    elif doc[i].lower_ in ("a", "an") and _lower(doc, i + 1) in _MULTIPLIERS:
        factor = _MULTIPLIERS[_lower(doc, i + 1)]
        number = _Number(start, i + 2, factor, tokens=[i + 1], factor=factor)
    else:
        words = _read_words(doc, i)
        if words is None:
            return None
        value, factor, end, tokens = words
        if _lower(doc, end) == "-" and _lower(doc, end + 1) in _FRACTIONS:
            return None  # 'two-thirds' is a fraction, not two of something
        number = _Number(start, end, value, tokens=tokens, factor=factor)
        if len(tokens) == 1:
            number.word = doc[tokens[0]].lower_
    if m_range or m_num:
        _read_multiplier(doc, number, currency)
    number.unit = currency
    _read_unit(doc, number)
    return number


def _read_multiplier(doc: Doc, number: _Number, currency: str | None) -> None:
    """Apply 'million', 'bn', '9.5 m' after a numeral written in digits."""
    j = number.end
    if j >= len(doc) or number.factor != 1.0:
        return
    word = doc[j].text
    factor: float | None = None
    if word.lower() in _MULTIPLIERS and word.lower() != "dozen":
        factor = _MULTIPLIERS[word.lower()]
    elif word in ("bn", "mn", "tn", "trn") or (word == "k" and _attached(doc, j - 1)):
        factor = _SUFFIX[word]
    elif word in ("m", "M") and _attached(doc, j - 1):
        # '£17m' is money; '17m people' is a count; '17m' alone is a length
        nxt = doc[j + 1] if j + 1 < len(doc) else None
        if currency is not None or (nxt is not None and nxt.tag_ == "NNS"):
            factor = 1e6
    if factor is None:
        return
    number.value = None if number.value is None else number.value * factor
    number.low = None if number.low is None else number.low * factor
    number.high = None if number.high is None else number.high * factor
    number.factor = factor
    number.tokens.append(j)
    number.end = j + 1


def _match_unit(doc: Doc, j: int) -> tuple[str, str, int] | None:
    """The unit starting at token ``j``: (unit, family, end token), longest first."""
    for size in (2, 1):
        if j + size > len(doc):
            continue
        key = tuple(doc[k].lower_ for k in range(j, j + size))
        if key in _UNITS:
            unit, family = _UNITS[key]
            return unit, family, j + size
    word = doc[j].text if j < len(doc) else ""
    if word.lower() in _CURRENCY_WORDS:
        return _CURRENCY_WORDS[word.lower()], "money", j + 1
    if word in _CURRENCY_CODES:
        return word, "money", j + 1
    return None


def _read_unit(doc: Doc, number: _Number) -> None:
    """Attach the unit after a number: '17km', '6 percent', 'two-day', '5 million euros'."""
    j = number.end
    if j >= len(doc):
        return
    if doc[j].text == "m" and _attached(doc, j - 1) and number.unit is None:
        number.unit = "m"  # '10m' with no currency and no counted plural: metres
        number.end = j + 1
        return
    if doc[j].text == "-" and _attached(doc, j - 1) and _attached(doc, j):
        j += 1  # 'a 40-mile convoy'
    found = _match_unit(doc, j)
    if found is None:
        return
    unit, family, end = found
    if family == "money" and number.unit is not None:
        return  # '$5 dollars' does not happen; do not stack currencies
    if doc[j].lower_ in ("pound", "pounds"):
        unit, family = ("GBP", "money") if number.factor > 1 else ("lb", "mass")
    number.unit = unit
    number.end = end


# --- phrases: ranges and qualifiers -----------------------------------------------------


def _read_phrase(doc: Doc, i: int) -> _Phrase | None:
    """Read a figure whose first number starts at token ``i``."""
    first = _read_number(doc, i)
    if first is None:
        return None
    phrase = _Phrase(
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


def _extend_range(doc: Doc, phrase: _Phrase, first: _Number) -> None:
    """Join 'A to B', 'A-B', 'between A and B', 'from A to B', 'A or B' into one range."""
    j = first.end
    if j >= len(doc):
        return
    link = doc[j].lower_
    before = _lower(doc, first.start - 1)
    if link in ("-", "–", "—"):
        tight = _attached(doc, j - 1) and _attached(doc, j)
    elif link == "to" or link == "or" or (link == "and" and before == "between"):
        tight = False
    else:
        return
    second = _read_number(doc, j + 1)
    if second is None or second.vague or second.value is None or first.value is None:
        return
    low, high = first.value, second.value
    scale = second.factor > 1 and first.factor == 1 and first.word != "one"
    if scale and low * second.factor < high:
        low *= second.factor  # 'five to ten million', '$5-6bn'
    if low >= high:
        if tight and first.unit is None and second.unit is None:
            phrase.rejected = True  # '3-1' is a score, '2020-2022' a span of years
            phrase.end = second.end
            phrase.numerals += second.tokens
        return
    unit = second.unit or first.unit
    if first.unit is not None and second.unit is not None and first.unit != second.unit:
        return  # '5km to 10 miles' is no range
    phrase.value, phrase.low, phrase.high, phrase.unit = None, low, high, unit
    phrase.qualifier = "range"
    phrase.end = second.end
    phrase.numerals += second.tokens
    phrase.word = None
    if (before == "between" and link == "and") or (before == "from" and link == "to"):
        phrase.start = first.start - 1
        phrase.opened = True


def _read_qualifier(doc: Doc, phrase: _Phrase) -> None:
    """Attach the words before the number that bound or blur it ('at least', 'up to')."""
    if phrase.opened:
        return  # 'between'/'from' already read
    best: tuple[int, str] | None = None
    for words, normal in _QUALIFIERS.items():
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


def _read_trailing_qualifier(doc: Doc, phrase: _Phrase) -> None:
    """'100 or more', '50 or so'."""
    if phrase.qualifier is not None or _lower(doc, phrase.end) != "or":
        return
    after = _lower(doc, phrase.end + 1)
    if after in ("more", "so"):
        phrase.qualifier = "at least" if after == "more" else "about"
        phrase.end += 2


# --- rejecting what is not a figure -----------------------------------------------------


def _is_year(doc: Doc, t: int) -> bool:
    text = doc[t].text
    return len(text) == 4 and text.isdigit() and 1800 <= int(text) <= 2100


def _family(unit: str | None) -> str:
    if unit is None:
        return "count"
    if unit in _CURRENCY_CODES or unit in _CURRENCY_SIGNS.values():
        return "money"
    return _UNIT_FAMILY.get(unit, unit)


def _is_month(token: Token) -> bool:
    return token.text[:1].isupper() and token.lower_.rstrip(".") in _MONTHS


def _outward(doc: Doc, phrase: _Phrase) -> list[Token]:
    """Tokens of the phrase whose syntactic head lies outside it (or that are roots)."""
    return [
        doc[k]
        for k in range(phrase.start, phrase.end)
        if not phrase.start <= doc[k].head.i < phrase.end or doc[k].head.i == k
    ]


def _reject(doc: Doc, phrase: _Phrase, rejected: set[int], parsed: bool) -> bool:
    """Whether ``phrase`` is a date, a year, a name, a label or a list marker."""
    if phrase.rejected:
        return True
    family = _family(phrase.unit)
    bare = phrase.unit is None and phrase.qualifier in (None, "range")
    first, last = phrase.numerals[0], phrase.numerals[-1]
    for t in phrase.numerals:
        tok = doc[t]
        if tok.ent_type_ in _NAME_LABELS:
            return True
        if tok.ent_type_ in ("DATE", "TIME") and family != "duration":
            return True
        if _is_year(doc, t) and phrase.unit is None:
            nxt = doc[t + 1] if t + 1 < len(doc) else None
            counts = nxt is not None and nxt.tag_ == "NNS" and tok.head.i == t + 1
            if not counts or tok.ent_type_ == "DATE":
                return True
    if first > 0 and _is_month(doc[first - 1]):
        return True
    if last + 1 < len(doc) and _is_month(doc[last + 1]):
        return True
    prev = doc[phrase.start - 1] if phrase.start > 0 else None
    nxt = doc[phrase.end] if phrase.end < len(doc) else None
    # a model or code name written against a hyphen: 'Su-25', 'COVID-19' split apart
    if (
        prev is not None
        and prev.text in ("-", "–")
        and _attached(doc, phrase.start - 1)
        and phrase.start >= 2
        and _attached(doc, phrase.start - 2)
        and doc[phrase.start - 2].is_alpha
    ):
        return True
    # a list marker: '1)' closing no bracket, '(2)', or a number opening a line with '.'
    closes = bare and nxt is not None and nxt.text == ")"
    opened = prev is not None and prev.text == "("
    if closes and (opened or not _open_bracket(doc, phrase.start)):
        return True  # '1) Prep for ...', '(2) ...'
    line_start = prev is None or "\n" in text_of(doc)[prev.idx : doc[phrase.start].idx]
    if bare and line_start and nxt is not None and nxt.text in (".", ")"):
        return True
    if phrase.word == "one" and phrase.unit is None and phrase.qualifier is None:
        return True  # 'one of them', 'no one', 'one thing is clear'
    if not parsed:
        return False
    for tok in _outward(doc, phrase):
        head = tok.head
        if tok.dep_ == "conj" and head.i in rejected:
            return True  # 'options two and three'
        label_deps = ("nummod", "appos", "npadvmod", "compound", "nmod")
        if bare and head.i == phrase.start - 1 and head.pos_ in _NOUNS and tok.dep_ in label_deps:
            return True  # 'option two', 'Article 5', 'attack 2'
    return False


def _open_bracket(doc: Doc, i: int) -> bool:
    """Whether a '(' opened before token ``i`` (in its sentence) is still open there."""
    depth = 0
    start = nlp.sentence_of(doc, i).start if nlp.has_sentences(doc) else max(0, i - 40)
    for k in range(i - 1, start - 1, -1):
        if doc[k].text == ")":
            depth += 1
        elif doc[k].text == "(":
            if depth == 0:
                return True
            depth -= 1
    return False


# --- what is measured -------------------------------------------------------------------


def _head_lemma(tok: Token) -> str:
    lemma = tok.lemma_.lower() if tok.lemma_ else tok.lower_
    if tok.tag_ == "NNPS" and lemma.endswith("s"):
        lemma = lemma[:-1]  # 'Belarusians' -> 'belarusian'
    return lemma


def _classifies(tok: Token, head_ids: set[int]) -> bool:
    """Whether a modifier left of the counted noun names a kind of it ('political')."""
    if tok.head.i not in head_ids or tok.dep_ not in _MODIFIER_DEPS:
        return False
    if tok.ent_type_ in _MEASURE_STOP_LABELS or tok.pos_ == "PROPN" or tok.like_num:
        return False
    if any(ch.isdigit() for ch in tok.text) or not tok.text[:1].isalpha():
        return False
    if tok.pos_ == "ADJ":
        return tok.tag_ == "JJ" and not list(tok.children) and tok.lower_ not in _NON_CLASSIFYING
    if tok.pos_ == "VERB":
        return tok.tag_ == "VBN" and not list(tok.children)
    return tok.pos_ == "NOUN"


@dataclass
class _Measure:
    text: str | None
    comparative: bool = False


def _noun_measure(tok: Token, floor: int = 0, depth: int = 0) -> _Measure:
    """The measure named by a noun: its lemma with compounds and classifying adjectives.

    Modifiers are read leftwards from the noun, no further back than token ``floor`` (the
    end of the figure, so that '64km convoy' is a 'convoy').
    """
    while tok.dep_ in ("compound", "nmod") and tok.head.i > tok.i and tok.head.pos_ in _NOUNS:
        tok = tok.head  # 'ten battalion tactical groups': the number sits on 'battalion'
    if tok.pos_ not in _NOUNS or depth > 3:
        return _Measure(None)
    if tok.lemma_.lower() in _CONTAINERS:
        # 'a higher level of approval': compared with a figure before, so it measures that
        comparative = any(c.tag_ in ("JJR", "RBR") and c.i < tok.i for c in tok.children)
        for prep in tok.children:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                objs = [c for c in prep.children if c.dep_ == "pobj"]
                if objs:
                    inner = _noun_measure(objs[0], floor, depth + 1)
                    inner.comparative = inner.comparative or comparative
                    return inner
    doc = tok.doc
    words = [_head_lemma(tok)]
    kept = {tok.i}
    j = tok.i - 1
    while j >= floor and _classifies(doc[j], kept):
        words.insert(0, doc[j].lower_)
        kept.add(doc[j].i)
        j -= 1
    return _Measure(" ".join(words))


def _of_object(tok: Token) -> Token | None:
    for prep in tok.children:
        if prep.dep_ == "prep" and prep.lower_ == "of":
            for obj in prep.children:
                if obj.dep_ == "pobj" and obj.pos_ in _NOUNS:
                    return obj
    return None


def _subject(verb: Token, phrase: _Phrase) -> Token | None:
    """What a figure attached to ``verb`` describes: its noun subject, but the object of a
    transitive verb ('approved a budget ..., up from $1.5tn'), and for 'there are ...' the
    noun that is there."""
    kids = [c for c in verb.children if not phrase.start <= c.i < phrase.end]
    if any(c.dep_ == "expl" for c in kids):
        for c in kids:
            if c.dep_ == "attr" and c.pos_ in _NOUNS:
                return c
    for c in kids:
        if c.dep_ == "dobj" and c.pos_ in _NOUNS:
            return c
    for c in kids:
        if c.dep_ in ("nsubj", "nsubjpass") and c.pos_ in _NOUNS:
            return c
    return None


def _predicate(verb: Token, depth: int = 0) -> str | None:
    """What the subject does or is: 'are ready to support' -> 'support'; negation kept."""
    if depth > 4:
        return None
    kids = list(verb.children)
    negated = any(c.dep_ == "neg" for c in kids)
    result: str | None = None
    if verb.lemma_ == "be":
        for c in kids:
            if c.dep_ == "acomp":
                inner = [x for x in c.children if x.dep_ in ("xcomp", "ccomp")]
                result = _predicate(inner[0], depth + 1) if inner else c.lemma_.lower()
                break
            if c.dep_ == "attr" and c.pos_ in _NOUNS:
                result = _noun_measure(c).text
                break
            if c.dep_ == "prep":
                objs = [x for x in c.children if x.dep_ == "pobj" and x.pos_ in _NOUNS]
                result = _head_lemma(objs[0]) if objs else c.lower_
                break
    elif verb.pos_ in ("VERB", "AUX"):
        has_object = any(c.dep_ in ("dobj", "attr") for c in kids)
        inner = [c for c in kids if c.dep_ in ("xcomp", "ccomp") and c.pos_ in ("VERB", "AUX")]
        if inner and not has_object:
            result = _predicate(inner[0], depth + 1)
        else:
            result = verb.lemma_.lower()
    if result is not None and negated and not result.startswith("not "):
        result = "not " + result
    return result


def _governor(doc: Doc, phrase: _Phrase) -> tuple[str, Token | None]:
    """How the figure hangs in the sentence: (relation, governing token).

    A figure inside a prepositional phrase ('to 28 per cent', 'from 45,000 to 80,000',
    'up to 7k') reports 'prep' and the word the preposition attaches to, climbing through
    adverbs ('up from 9%') to the verb or noun.
    """
    outward = _outward(doc, phrase)
    if not outward:
        return "", None
    numeric = [t for t in outward if t.i in phrase.numerals or t.i >= phrase.numerals[0]]
    tok = (numeric or outward)[-1]
    if tok.head.i == tok.i:
        return "ROOT", None
    if tok.i < phrase.numerals[0]:
        rel, gov = "prep", tok.head  # the qualifier carries the attachment
    elif tok.dep_ == "pobj":
        prep = tok.head
        if prep.lower_ == "of" and prep.head.pos_ in _NOUNS:
            return "of", prep.head
        rel, gov = "prep", prep.head
    else:
        return tok.dep_, tok.head
    while gov.pos_ in ("ADV", "ADP") and gov.head.i != gov.i:
        gov = gov.head
    return rel, gov


def _named(tok: Token, phrase: _Phrase) -> _Measure:
    """The measure a noun names, reading no modifier from inside the figure itself."""
    return _noun_measure(tok, phrase.end if tok.i >= phrase.end else 0)


def _size_of(tok: Token, phrase: _Phrase) -> _Measure:
    """'a budget of €2.3bn' measures the budget, but 'a country of 9.5 million' counts what
    the country holds: its size, which must not group with 'two countries'."""
    measure = _named(tok, phrase)
    if measure.text is None or tok.lemma_.lower() in _CONTAINERS or phrase.unit is not None:
        return measure
    return _Measure(measure.text + " size", measure.comparative)


def _count_measure(doc: Doc, phrase: _Phrase) -> _Measure:
    """What a count (or a sum of money) counts."""
    for k in range(phrase.start, phrase.end):
        obj = _of_object(doc[k])
        if obj is not None and obj.i >= phrase.end:
            return _named(obj, phrase)  # 'dozens of journalists', '$6bn of investments'
    rel, gov = _governor(doc, phrase)
    if gov is None:
        return _Measure(None)
    if rel in _NUMERIC_DEPS and gov.pos_ in _NOUNS and gov.i >= phrase.end:
        return _named(gov, phrase)
    if rel == "appos" and gov.pos_ in _NOUNS:
        return _named(gov, phrase)
    if rel == "of" and gov.pos_ in _NOUNS:
        return _size_of(gov, phrase)  # 'the country of 9.5 million' -> 'country size'
    if rel == "prep" and gov.pos_ in _NOUNS:
        changed = _prep_object(gov, "in")  # 'an increase in the armed forces from A to B'
        return _named(changed if changed is not None else gov, phrase)
    if gov.pos_ in ("VERB", "AUX"):
        if rel in ("nsubj", "nsubjpass"):
            return _Measure(_predicate(gov))  # '120 injured'
        if rel in ("attr", "acomp", "prep", "advmod", "npadvmod", "appos"):
            subject = _subject(gov, phrase)
            if subject is not None:
                return _named(subject, phrase)  # 'there are few troops, up to 7k'
    return _Measure(None)


def _prep_object(tok: Token, word: str) -> Token | None:
    for prep in tok.children:
        if prep.dep_ == "prep" and prep.lower_ == word:
            for obj in prep.children:
                if obj.dep_ == "pobj" and obj.pos_ in _NOUNS:
                    return obj
    return None


def _percent_measure(doc: Doc, phrase: _Phrase) -> _Measure:
    """What a share is a share of doing or being (never the population after 'of')."""
    rel, gov = _governor(doc, phrase)
    if gov is None:
        return _Measure(None)
    if rel in ("appos", "of") and gov.pos_ in _NOUNS:
        return _named(gov, phrase)  # 'a higher level of approval -- up to 11%'
    if rel in _NUMERIC_DEPS and gov.pos_ in _NOUNS and gov.i >= phrase.end:
        return _named(gov, phrase)  # 'a 90% level of combat power'
    if rel in ("nsubj", "nsubjpass") and gov.pos_ in ("VERB", "AUX"):
        return _Measure(_predicate(gov))  # '10% of Belarusians supported ...'
    if rel in ("attr", "acomp", "prep", "dobj") and gov.pos_ in ("VERB", "AUX"):
        subject = _subject(gov, phrase)
        if subject is not None:
            return _named(subject, phrase)  # 'support ... is between 6 and 11 percent'
    if rel == "prep" and gov.pos_ in _NOUNS:
        changed = _prep_object(gov, "in")
        return _named(changed if changed is not None else gov, phrase)
    return _Measure(None)


def _physical_measure(doc: Doc, phrase: _Phrase) -> _Measure:
    """A length or weight measures the noun it describes ('a 64km convoy'), if any."""
    rel, gov = _governor(doc, phrase)
    if gov is None:
        return _Measure(None)
    if rel in _NUMERIC_DEPS and gov.pos_ in _NOUNS and gov.i >= phrase.end:
        return _named(gov, phrase)
    if rel == "of" and gov.pos_ in _NOUNS:
        return _named(gov, phrase)
    return _Measure(None)


def _measure(doc: Doc, phrase: _Phrase) -> _Measure:
    family = _family(phrase.unit)
    if family == "duration":
        return _Measure(None)
    if family in ("percent", "percentage point"):
        return _percent_measure(doc, phrase)
    if family in ("count", "money"):
        return _count_measure(doc, phrase)
    return _physical_measure(doc, phrase)


# --- the public API ---------------------------------------------------------------------


def find_quantities(doc: Doc) -> list[Quantity]:
    """Every figure in ``doc``, in document order (see the module docstring for the rules)."""
    parsed = doc.has_annotation("DEP")
    sentence_of: dict[int, int] = {}
    if parsed or nlp.has_sentences(doc):
        for n, sent in enumerate(nlp.sentences(doc)):
            sentence_of[sent.start] = n
    phrases: list[_Phrase] = []
    rejected: set[int] = set()
    i = 0
    while i < len(doc):
        phrase = _read_phrase(doc, i)
        if phrase is None:
            i += 1
            continue
        if _reject(doc, phrase, rejected, parsed):
            rejected.update(phrase.numerals)
        else:
            phrases.append(phrase)
        i = max(phrase.end, i + 1)

    out: list[Quantity] = []
    history: list[tuple[int, str, str]] = []  # (sentence, family, measure)
    for n, phrase in enumerate(phrases):
        family = _family(phrase.unit)
        qualifier = phrase.qualifier
        measure = _measure(doc, phrase) if parsed else _Measure(None)
        sentence = (
            sentence_of.get(nlp.sentence_of(doc, phrase.start).start, 0) if sentence_of else 0
        )
        previous = phrases[n - 1] if n else None
        if previous is not None and out and _is_conversion(doc, previous, phrase):
            measure = _Measure(out[-1].measure)
            qualifier = qualifier or out[-1].qualifier
        elif measure.comparative:
            for past_sentence, past_family, past_measure in reversed(history):
                if sentence - past_sentence > _COMPARE_WINDOW:
                    break
                if past_family == family:
                    measure = _Measure(past_measure)
                    break
        if measure.text is not None:
            history.append((sentence, family, measure.text))
        start_char = doc[phrase.start].idx
        end_char = doc[phrase.end - 1].idx + len(doc[phrase.end - 1].text)
        out.append(
            Quantity(
                start=start_char,
                end=end_char,
                text=text_of(doc)[start_char:end_char],
                value=phrase.value,
                low=phrase.low,
                high=phrase.high,
                unit=phrase.unit,
                qualifier=qualifier,
                measure=measure.text,
            )
        )
    return out


def _is_conversion(doc: Doc, first: _Phrase, second: _Phrase) -> bool:
    """'US$6 billion (£4.5 billion)': the bracketed figure restates the one before it."""
    return (
        second.start == first.end + 1
        and doc[first.end].text == "("
        and second.end < len(doc)
        and doc[second.end].text == ")"
        and first.unit is not None
        and _family(first.unit) == _family(second.unit)
    )


def measure_key(q: Quantity) -> str | None:
    """'<family>:<measure>' for grouping figures across articles, or None without a measure.

    The family (count, percent, money, length, duration ...) keeps '3% of voters' apart
    from '3 voters'; currencies share the family 'money' so a conversion groups with the
    figure it converts.
    """
    if q.measure is None:
        return None
    measure = " ".join(q.measure.lower().split())
    return f"{_family(q.unit)}:{measure}" if measure else None


def group_quantities(items: Sequence[Quantity]) -> list[int | None]:
    """A group id per item: figures on the same measure share one; None without a measure.

    Two figures go together when their keys are equal, or when they are of one family, their
    measures end in the same head word and one measure's words contain the other's
    ('force' / 'armed force', 'support' / 'public support') -- but never across a negation
    ('support' / 'not support'). Ids count up from 0 in order of first appearance.
    """
    keys = [measure_key(q) for q in items]
    parent = list(range(len(items)))

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    buckets: dict[tuple[str, str], list[tuple[int, set[str]]]] = {}
    for k, key in enumerate(keys):
        if key is None:
            continue
        family, measure = key.split(":", 1)
        words = measure.split()
        buckets.setdefault((family, words[-1]), []).append((k, set(words)))
    for members in buckets.values():
        for x, (a, sa) in enumerate(members):
            for b, sb in members[x + 1 :]:
                if ("not" in sa) != ("not" in sb):
                    continue
                if sa <= sb or sb <= sa:
                    union(a, b)

    ids: dict[int, int] = {}
    result: list[int | None] = []
    for k, key in enumerate(keys):
        if key is None:
            result.append(None)
            continue
        root = find(k)
        if root not in ids:
            ids[root] = len(ids)
        result.append(ids[root])
    return result
