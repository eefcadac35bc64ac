"""Numbers as written in news prose, read off the tokens: digits, words, units, currencies.

'1,348', '7k', 'US$6 billion', 'twenty-five', 'a million', 'dozens', 'tens of thousands',
'17km', 'two-day', '5 million euros', '25–35' in one token. The reader looks at a bounded
number of tokens from where it starts (a spelled-out number has at most
``MAX_NUMBER_WORDS`` words), so reading every token of a text is linear in its length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc

from tocsin.words import MULTIPLIERS as _MULTIPLIERS
from tocsin.words import ONES as _ONES
from tocsin.words import TENS as _TENS

# The longest number written in words that means something, 'nine hundred ninety-nine
# trillion … nine hundred ninety-nine', has 29 words.
MAX_NUMBER_WORDS = 32

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
    # multipliers ('2.5 times more', 'a 5-fold rise') and repetitions ('met three times'):
    # never counts; ``measures`` tells the two apart
    ("times",): ("times", "ratio"),
    ("fold",): ("times", "ratio"),
}
_UNIT_FAMILY = dict(_UNITS.values())
# unit -> (the unit figures of its family are compared in, what one unit is in it). Money
# has no rate here: a sum compares only with sums in its own currency.
_BASE: dict[str, tuple[str, float]] = {
    "km": ("km", 1.0),
    "mile": ("km", 1.609344),
    "m": ("km", 1e-3),
    "cm": ("km", 1e-5),
    "mm": ("km", 1e-6),
    "ft": ("km", 3.048e-4),
    "sq km": ("sq km", 1.0),
    "sq mile": ("sq km", 2.589988),
    "hectare": ("sq km", 0.01),
    "kg": ("kg", 1.0),
    "tonne": ("kg", 1e3),
    "ton": ("kg", 1e3),  # metric in most news; a short ton is within the tolerance of 10%
    "lb": ("kg", 0.45359237),
    "litre": ("litre", 1.0),
    "barrel": ("litre", 158.987),
    "bcm": ("litre", 1e12),
    "mph": ("km/h", 1.609344),
    "km/h": ("km/h", 1.0),
    "kW": ("kW", 1.0),
    "MW": ("kW", 1e3),
    "GW": ("kW", 1e6),
}


@dataclass
class Number:
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


def _parse_digits(text: str) -> float:
    return float(text.replace(",", ""))


def lower(doc: Doc, i: int) -> str:
    """The lower-case text of token ``i``, or '' past either end of the Doc."""
    return doc[i].lower_ if 0 <= i < len(doc) else ""


def attached(doc: Doc, i: int) -> bool:
    """Whether token ``i`` is written against the next one, with no space between."""
    return doc[i].whitespace_ == ""


def family(unit: str | None) -> str:
    """The kind of quantity a unit measures: count (no unit), money, percent, length ..."""
    if unit is None:
        return "count"
    if unit in _CURRENCY_CODES or unit in _CURRENCY_SIGNS.values():
        return "money"
    return _UNIT_FAMILY.get(unit, unit)


def base_unit(unit: str | None) -> tuple[str, float]:
    """The unit ``unit`` is compared in and the factor to it: ('km', 1.609344) for miles;
    a count, a share or a currency is compared as it is."""
    if unit is None:
        return "", 1.0
    return _BASE.get(unit, (unit, 1.0))


def read_number(doc: Doc, i: int) -> Number | None:
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
    number = _read_numeral(doc, start, i, currency)
    if number is None:
        return None
    number.unit = currency
    _read_unit(doc, number)
    return number


def _read_numeral(doc: Doc, start: int, i: int, currency: str | None) -> Number | None:
    """The numeral at token ``i`` (digits, a range in one token, or words), and its
    multiplier when it is written in digits."""
    token = doc[i].text
    m_range = _RANGE_TOKEN.fullmatch(token)
    m_num = _NUMBER_TOKEN.fullmatch(token)
    number: Number | None
    if m_range:
        number = _digit_range(m_range, start, i, currency)
    elif m_num:
        suffix = m_num.group(2)
        if suffix in ("m", "M") and currency is None:
            return None  # '10m' is metres or millions: too ambiguous inside one token
        factor = _SUFFIX.get(suffix or "", 1.0)
        value = _parse_digits(m_num.group(1))
        number = Number(start, i + 1, value * factor, tokens=[i], factor=factor)
    elif doc[i].lower_ in ("a", "an") and lower(doc, i + 1) in _MULTIPLIERS:
        factor = _MULTIPLIERS[lower(doc, i + 1)]
        return Number(start, i + 2, factor, tokens=[i + 1], factor=factor)
    else:
        return _spelled(doc, start, i)
    if number is not None:
        _read_multiplier(doc, number, currency)
    return number


def _digit_range(m: re.Match[str], start: int, i: int, currency: str | None) -> Number | None:
    """'25–35', '1.2bn-$1.5bn': a range spaCy kept in one token."""
    low_suffix, high_suffix = m.group(2), m.group(4)
    if currency is None and {low_suffix, high_suffix} & {"m", "M"}:
        return None
    high_factor = _SUFFIX.get(high_suffix or "", 1.0)
    low_factor = _SUFFIX.get(low_suffix or "", high_factor)
    low = _parse_digits(m.group(1)) * low_factor
    high = _parse_digits(m.group(3)) * high_factor
    if low >= high:
        return None
    return Number(start, i + 1, None, low, high, tokens=[i], factor=high_factor)


def _spelled(doc: Doc, start: int, i: int) -> Number | None:
    """A number written in words, unless it is a fraction ('two-thirds')."""
    words = _read_words(doc, i)
    if words is None:
        return None
    value, factor, end, tokens = words
    if lower(doc, end) == "-" and lower(doc, end + 1) in _FRACTIONS:
        return None  # 'two-thirds' is a fraction, not two of something
    number = Number(start, end, value, tokens=tokens, factor=factor)
    if len(tokens) == 1:
        number.word = doc[tokens[0]].lower_
    return number


@dataclass
class _Words:
    """A number in words as read so far: what may follow depends on ``last``."""

    total: float = 0.0
    current: float = 0.0
    factor: float = 1.0
    last: str | None = None  # 'ones', 'tens' or 'mult'

    def take(self, word: str) -> bool:
        """Add ``word`` to the number; False when it cannot continue it."""
        last = self.last
        if word in _ONES and (last in (None, "mult") or (last == "tens" and _ONES[word] < 10)):
            self.current += _ONES[word]
            self.last = "ones"
            return True
        if word in _TENS and last in (None, "mult"):
            self.current += _TENS[word]
            self.last = "tens"
            return True
        if word in _MULTIPLIERS and last in ("ones", "tens", "mult"):
            return self._multiply(_MULTIPLIERS[word])
        return False

    def _multiply(self, mult: float) -> bool:
        if self.last == "mult" and mult <= self.factor:
            return False  # 'thousand thousand' is no number
        if mult >= 1e3:
            self.total += (self.current or 1.0) * mult
            self.current = 0.0
        else:
            self.current = (self.current or 1.0) * mult
        self.factor = mult
        self.last = "mult"
        return True


def _read_words(doc: Doc, i: int) -> tuple[float, float, int, list[int]] | None:
    """Read spelled-out numbers from ``i`` ('five', 'twenty-five', 'one thousand').

    Returns (value, the multiplier last applied, end token, numeral tokens).
    """
    number = _Words()
    j = i
    tokens: list[int] = []
    while j < len(doc) and len(tokens) < MAX_NUMBER_WORDS:
        if _joins_tens(doc, j, number.last):
            j += 1  # 'twenty-five'
            continue
        if not number.take(doc[j].lower_):
            break
        tokens.append(j)
        j += 1
    if not tokens:
        return None
    return number.total + number.current, number.factor, j, tokens


def _joins_tens(doc: Doc, j: int, last: str | None) -> bool:
    """Whether token ``j`` is the hyphen of 'twenty-five'."""
    return (
        doc[j].lower_ in ("-", "–")
        and last == "tens"
        and j + 1 < len(doc)
        and doc[j + 1].lower_ in _ONES
        and attached(doc, j - 1)
        and attached(doc, j)
    )


def _read_vague(doc: Doc, i: int) -> Number | None:
    """Read 'dozens', 'thousands', 'tens of thousands', 'several hundred', 'a few thousand'."""
    word = doc[i].lower_
    if word in ("tens", "hundreds") and lower(doc, i + 1) == "of":
        big = lower(doc, i + 2)
        if big in _VAGUE_BIG:
            base = (10.0 if word == "tens" else 100.0) * _VAGUE_BIG[big]
            return _vague(i, i + 3, base, [i, i + 2])
    if word in _VAGUE_PLURALS and word != "tens":
        return _vague(i, i + 1, _VAGUE_PLURALS[word], [i])
    start = i
    if word == "a" and lower(doc, i + 1) == "few":
        i += 1
        word = "few"
    if word in _VAGUE_DETERMINERS and lower(doc, i + 1) in _MULTIPLIERS:
        return _vague(start, i + 2, _MULTIPLIERS[lower(doc, i + 1)], [i + 1])
    return None


def _vague(start: int, end: int, base: float, tokens: list[int]) -> Number:
    return Number(start, end, None, 2 * base, 10 * base, vague=True, tokens=tokens)


def _read_multiplier(doc: Doc, number: Number, currency: str | None) -> None:
    """Apply 'million', 'bn', '9.5 m' after a numeral written in digits."""
    j = number.end
    if j >= len(doc) or number.factor != 1.0:
        return
    word = doc[j].text
    factor: float | None = None
    if word.lower() in _MULTIPLIERS and word.lower() != "dozen":
        factor = _MULTIPLIERS[word.lower()]
    elif word in ("bn", "mn", "tn", "trn") or (word == "k" and attached(doc, j - 1)):
        factor = _SUFFIX[word]
    elif word in ("m", "M") and attached(doc, j - 1):
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


def _read_unit(doc: Doc, number: Number) -> None:
    """Attach the unit after a number: '17km', '6 percent', 'two-day', '5 million euros'."""
    j = number.end
    if j >= len(doc):
        return
    if doc[j].text == "m" and attached(doc, j - 1) and number.unit is None:
        number.unit = "m"  # '10m' with no currency and no counted plural: metres
        number.end = j + 1
        return
    if doc[j].text == "-" and attached(doc, j - 1) and attached(doc, j):
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
