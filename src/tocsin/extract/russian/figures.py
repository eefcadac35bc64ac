"""Figures in Russian news: numbers with their qualifiers, ranges, units and what they count.

Read off natasha's tokens and lemmas, one number at a time, looking at a bounded number of
tokens around it, so a text is read in linear time. The records are the English pipeline's
``Quantity`` with the same conventions (``tocsin.extract.quantities``):

* a number is digits ('120', '10,5', '35 000', '1.5'), number words in any case ('две',
  'двадцати пяти', 'сто двадцать'), times a multiplier ('тысяч', 'тыс.', 'млн', 'миллиарда');
  'треть', 'половина', 'четверть' are fractions (unit 'fraction'); an adjective made of a
  number counts ('70-тысячная армия' is 70,000);
* ranges: 'от 35 до 40 тысяч' (the multiplier of the second end applies to the first),
  '10-15 км', '10–15', 'две или три'; qualifier 'range';
* qualifiers before it: более, свыше, больше -> 'more than'; менее, меньше -> 'less than';
  не менее, как минимум, минимум, по меньшей мере -> 'at least'; не более, максимум, до ->
  'up to'; около, примерно, порядка, приблизительно -> 'about'; почти, практически ->
  'nearly';
* vague numbers: 'тысячи', 'сотни', 'десятки тысяч', 'несколько тысяч' have no value,
  qualifier 'vague' and bounds 2x to 10x their base, as in English;
* units after it: %, процент, км, километр, доллар ($), евро, рубль, гривна, and durations
  день, неделя, месяц, год/лет, час;
* what is counted: the noun right after the number, its unit or its multiplier, as a lemma
  with the adjectives before it ('120 тысяч военных' -> 'военный', 'трёх ракетных
  дивизионов' -> 'ракетный дивизион'); None for durations, as in English.

Not figures: numbers inside a date ('23 февраля', '2022 года'; but 'два дня' in 'два дня
назад' is both a date and a duration), clock times ('20:13', 'в 11 часов', '5 утра'), numbers
in names ('Россия-1', 'С-400'), ordinals, 'один' alone, list markers and '№ 5'.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tocsin.extract.russian.document import RuDoc
from tocsin.models.evidence import Quantity

_WORDS = {
    "ноль": 0, "один": 1, "два": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7,
    "восемь": 8, "девять": 9, "десять": 10, "одиннадцать": 11, "двенадцать": 12,
    "тринадцать": 13, "четырнадцать": 14, "пятнадцать": 15, "шестнадцать": 16,
    "семнадцать": 17, "восемнадцать": 18, "девятнадцать": 19, "двадцать": 20, "тридцать": 30,
    "сорок": 40, "пятьдесят": 50, "шестьдесят": 60, "семьдесят": 70, "восемьдесят": 80,
    "девяносто": 90, "сто": 100, "двести": 200, "триста": 300, "четыреста": 400,
    "пятьсот": 500, "шестьсот": 600, "семьсот": 700, "восемьсот": 800, "девятьсот": 900,
}  # fmt: skip
_MULTIPLIERS = {"тысяча": 1e3, "миллион": 1e6, "миллиард": 1e9, "триллион": 1e12}
_ABBREVIATED = {"тыс": 1e3, "млн": 1e6, "млрд": 1e9, "трлн": 1e12}
_VAGUE = {"десяток": 10.0, "сотня": 100.0, "тысяча": 1e3, "миллион": 1e6, "миллиард": 1e9}
_FRACTIONS = {"треть": 1 / 3, "половина": 0.5, "четверть": 0.25}
_UNITS = {
    "%": "percent", "процент": "percent", "км": "km", "километр": "km", "$": "USD",
    "доллар": "USD", "евро": "EUR", "€": "EUR", "рубль": "RUB", "₽": "RUB", "гривна": "UAH",
    "день": "day", "сутки": "day", "неделя": "week", "месяц": "month", "год": "year",
    "лет": "year", "час": "hour",
}  # fmt: skip
_DURATIONS = frozenset({"day", "week", "month", "year", "hour"})
_QUALIFIERS_2 = {
    ("не", "менее"): "at least", ("не", "меньше"): "at least", ("как", "минимум"): "at least",
    ("не", "более"): "up to", ("не", "больше"): "up to", ("более", "чем"): "more than",
}  # fmt: skip
_QUALIFIERS_3 = {("по", "меньшей", "мере"): "at least", ("по", "крайней", "мере"): "at least"}
_QUALIFIERS_1 = {
    "более": "more than", "свыше": "more than", "больше": "more than", "менее": "less than",
    "меньше": "less than", "минимум": "at least", "максимум": "up to", "до": "up to",
    "около": "about", "примерно": "about", "порядка": "about", "приблизительно": "about",
    "почти": "nearly", "практически": "nearly",
}  # fmt: skip
_CLOCK_AFTER = frozenset({"утра", "вечера", "ночи", "дня"})
_NUMBER = re.compile(r"^(\d+(?:[.,]\d+)?)(?:[-–—](\d+(?:[.,]\d+)?))?$")
_NUMBER_ADJ = re.compile(r"^(\d+(?:[.,]\d+)?)-?(тысячн|миллионн|миллиардн)", re.IGNORECASE)
_THREE_DIGITS = re.compile(r"^\d{3}$")
_DASHES = frozenset({"-", "–", "—"})
_MAX_WORDS = 6  # number words in one number: 'девятьсот девяносто девять тысяч …'


@dataclass
class _Num:
    first: int  # token indices, inclusive
    last: int
    value: float | None
    low: float | None = None
    high: float | None = None
    unit: str | None = None
    qualifier: str | None = None
    fraction: bool = False
    factor: float = 1.0  # the multiplier read after it ('тысяч'), 1 when none

    @property
    def multiplied(self) -> bool:
        return self.factor != 1.0


def find_figures(doc: RuDoc, dates: Sequence[tuple[int, int]]) -> list[Quantity]:
    """Every figure of ``doc`` outside the date spans ``dates`` (see the module's rules)."""
    reader = _Reader(doc, dates)
    out: list[Quantity] = []
    i = 0
    while i < len(doc.tokens):
        num = reader.read(i)
        if num is None:
            i += 1
            continue
        out.append(reader.record(num))
        i = num.last + 1
    return out


class _Reader:
    def __init__(self, doc: RuDoc, dates: Sequence[tuple[int, int]]) -> None:
        self.doc, self.tokens = doc, doc.tokens
        self.in_date = [False] * len(doc.tokens)
        for start, end in dates:
            for k in range(doc.token_from(start), len(doc.tokens)):
                if doc.tokens[k].start >= end:
                    break
                self.in_date[k] = True

    def low(self, i: int) -> str:
        return self.tokens[i].text.lower() if 0 <= i < len(self.tokens) else ""

    def lemma(self, i: int) -> str:
        return self.tokens[i].lemma if 0 <= i < len(self.tokens) else ""

    # -- reading -------------------------------------------------------------------------

    def read(self, i: int) -> _Num | None:
        num = self._number(i)
        if num is None:
            return None
        self._multiplier(num)
        self._range(num)
        self._unit(num)
        self._qualifier(num)
        return None if self._rejected(num) else num

    def _number(self, i: int) -> _Num | None:
        text = self.tokens[i].text
        if m := _NUMBER.match(text):
            value = _float(m[1])
            if m[2]:
                return _Num(i, i, None, value, _float(m[2]), qualifier="range")
            last = i
            while _THREE_DIGITS.match(self.low(last + 1)) and self._glued(last, last + 1):
                last += 1
                value = value * 1000 + float(self.tokens[last].text)
            return _Num(i, last, value)
        if m := _NUMBER_ADJ.match(text):
            base = {"тысячн": 1e3, "миллионн": 1e6, "миллиардн": 1e9}[m[2].lower()]
            return _Num(i, i, _float(m[1]) * base, factor=base)
        lemma = self.lemma(i)
        if lemma in _FRACTIONS:
            return _Num(i, i, _FRACTIONS[lemma], unit="fraction", fraction=True)
        if lemma in _WORDS and self.tokens[i].pos in ("NUM", "NOUN", "ADJ", "DET", "PRON"):
            return self._words(i)
        return self._vague(i)

    def _words(self, i: int) -> _Num:
        total, last = 0, i - 1
        while last + 1 < len(self.tokens) and last + 1 - i < _MAX_WORDS:
            lemma = self.lemma(last + 1)
            if lemma not in _WORDS or (total and _WORDS[lemma] >= _last_order(total)):
                break
            total += _WORDS[lemma]
            last += 1
        return _Num(i, last, float(total))

    def _vague(self, i: int) -> _Num | None:
        """'тысячи', 'десятки тысяч', 'несколько сотен'."""
        first = i
        if self.low(i) == "несколько":
            i += 1
        lemma = self.lemma(i)
        if lemma not in _VAGUE:
            return None
        if first == i and self.tokens[i].feats.get("Number") != "Plur":
            return None  # 'тысяча' alone is a number word, read with its count
        base, last = _VAGUE[lemma], i
        if self.lemma(i + 1) in _MULTIPLIERS:
            base *= _MULTIPLIERS[self.lemma(i + 1)]
            last = i + 1
        return _Num(first, last, None, 2 * base, 10 * base, qualifier="vague")

    def _multiplier(self, num: _Num) -> None:
        if (num.value is None and num.qualifier != "range") or num.fraction or num.multiplied:
            return
        k = num.last + 1
        factor = _MULTIPLIERS.get(self.lemma(k)) or _ABBREVIATED.get(self.low(k).rstrip("."))
        if factor is None:
            return
        num.last = k + 1 if self.low(k + 1) == "." and self.low(k) in _ABBREVIATED else k
        num.factor = factor
        if num.value is not None:
            num.value *= factor
        else:
            num.low, num.high = (num.low or 0) * factor, (num.high or 0) * factor

    def _range(self, num: _Num) -> None:
        """'10 – 15', 'две или три', 'от 35 до 40 тысяч'."""
        if num.value is None or num.fraction:
            return
        k = num.last + 1
        joined = self.low(k) in _DASHES or self.low(k) == "или"
        after_from = self.low(num.first - 1) == "от" and self.low(k) == "до"
        if not (joined or after_from) or k + 1 >= len(self.tokens):
            return
        second = self._number(k + 1)
        if second is None or second.value is None or second.fraction:
            return
        self._multiplier(second)
        low, high = num.value, second.value
        if second.multiplied and not num.multiplied and low * second.factor <= high:
            low *= second.factor  # 'от 35 до 40 тысяч': thousands both
        if low >= high:
            return
        num.value, num.low, num.high, num.last = None, low, high, second.last
        num.qualifier = "range"
        if after_from:
            num.first -= 1

    def _unit(self, num: _Num) -> None:
        if num.fraction:
            return
        k = num.last + 1
        unit = _UNITS.get(self.low(k)) or _UNITS.get(self.lemma(k))
        if unit is None and self.low(num.first - 1) == "$":
            num.first -= 1
            num.unit = "USD"
            return
        if unit is not None:
            num.unit, num.last = unit, k

    def _qualifier(self, num: _Num) -> None:
        if num.qualifier is not None:
            return
        f = num.first
        three = (self.low(f - 3), self.low(f - 2), self.low(f - 1))
        two = three[1:]
        if three in _QUALIFIERS_3:
            num.qualifier, num.first = _QUALIFIERS_3[three], f - 3
        elif two in _QUALIFIERS_2:
            num.qualifier, num.first = _QUALIFIERS_2[two], f - 2
        elif three[2] in _QUALIFIERS_1 and not (three[2] == "до" and self.low(f - 3) == "от"):
            num.qualifier, num.first = _QUALIFIERS_1[three[2]], f - 1

    # -- rejecting -------------------------------------------------------------------------

    def _rejected(self, num: _Num) -> bool:
        i = next((k for k in range(num.first, num.last + 1) if self._numeric(k)), num.last)
        if self._in_date(num, i) or (self._years(num) and self._measure(num.last + 1) is None):
            return True
        if self._clock(num, i) or self._named(i) or self._marker(i):
            return True
        if self.tokens[i].pos == "ADJ" and not num.multiplied and self.lemma(i) not in _WORDS:
            return True  # an ordinal: 'второй', '2022-м'
        lone_one = num.value == 1 and num.unit is None and num.qualifier is None
        return lone_one and not num.multiplied and not num.fraction

    def _years(self, num: _Num) -> bool:
        """'2022', '2022-2023' with no unit or multiplier: years, as in English."""
        values = [v for v in (num.value, num.low, num.high) if v is not None]
        plain = num.unit is None and not num.multiplied and num.qualifier != "vague"
        return plain and bool(values) and all(v.is_integer() and 1800 <= v <= 2100 for v in values)

    def _numeric(self, i: int) -> bool:
        t = self.tokens[i]
        return bool(_NUMBER.match(t.text)) or t.lemma in _WORDS or t.lemma in _FRACTIONS

    def _in_date(self, num: _Num, i: int) -> bool:
        if not self.in_date[i]:
            return False
        duration = num.unit in _DURATIONS
        year_like = num.value is not None and 1000 <= num.value <= 2100
        return not duration or year_like

    def _clock(self, num: _Num, i: int) -> bool:
        if ":" in self.tokens[i].text or self.low(num.last + 1) == ":":
            return True
        if self.low(i - 1) == ":" and self.low(i - 2).isdigit():
            return True  # the minutes of '20 : 13'
        if self.low(num.last + 1) in _CLOCK_AFTER and num.value is not None and num.value <= 24:
            return True
        return num.unit == "hour" and self.low(num.first - 1) == "в"

    def _named(self, i: int) -> bool:
        """'Россия-1', 'С-400': the number is glued to a word by a hyphen."""
        start = self.tokens[i].start
        before = self.doc.text[max(0, start - 2) : start]
        return len(before) == 2 and before[1] in "-–" and before[0].isalpha()

    def _marker(self, i: int) -> bool:
        return self.low(i - 1) in ("№", "n") or (
            self.low(i + 1) == ")" and (i == 0 or self.tokens[i - 1].sent != self.tokens[i].sent)
        )

    def _glued(self, a: int, b: int) -> bool:
        """Tokens ``a`` and ``b`` are parts of one number: one space between them."""
        gap = self.doc.text[self.tokens[a].end : self.tokens[b].start]
        return gap in (" ", "\u00a0", "\u202f", "\u2009")

    # -- the record --------------------------------------------------------------------------

    def record(self, num: _Num) -> Quantity:
        start, end = self.tokens[num.first].start, self.tokens[num.last].end
        text = self.doc.text[start:end]
        measure = None if num.unit in _DURATIONS else self._measure(num.last + 1)
        return Quantity(
            start, end, text, num.value, num.low, num.high, num.unit, num.qualifier, measure
        )

    def _measure(self, k: int) -> str | None:
        """The lemma of the noun right after the figure, with the adjectives before it."""
        words: list[str] = []
        for j in range(k, min(k + 4, len(self.tokens))):
            t = self.tokens[j]
            if t.sent != self.tokens[k - 1].sent:
                break
            if t.pos == "ADJ":
                words.append(t.lemma)
                continue
            if t.pos in ("NOUN", "PROPN"):
                return " ".join([*words, t.lemma])
            break
        if words and self.tokens[k].pos == "ADJ" and len(words) == 1:
            return words[0]  # a substantivised adjective: 'военных' -> 'военный'
        return None


def _float(text: str) -> float:
    return float(text.replace(",", "."))


def _last_order(total: int) -> int:
    """The order of the smallest part of a number built from words so far: adding a word
    of this order or more would start a new number ('два три' is not 5)."""
    if total % 10:
        return 1
    if total % 100:
        return 10
    return 100
