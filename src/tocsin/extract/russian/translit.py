"""Cyrillic names in Latin letters, the way English-language news writes them.

The scheme is BGN/PCGN for Russian with the simplifications the press makes: no
apostrophes for the soft and hard signs, 'y' for й, 'ye'/'yo' for е/ё at the start of a word
and after a vowel or a sign ('Yevgeny', 'Pyotr' after a consonant too for ё), and the
adjectival endings -ий/-ый as '-iy'/'-y' ('Zelenskiy', 'Navalny'). Belarusian ў is 'u'
(Tsikhanouskaya) and і is 'i'; Ukrainian ї and є are 'yi' and 'ye'.

The result is a key for matching, not a spelling to publish: the name rules
(``tocsin.extract.names.name_key``) absorb what still differs from other romanisations
(Lukashenko = Lukashenka, Aleksandr = Alexander), and the alias tables settle the rest
(Россия = Russia, Киев = Kyiv).
"""

from __future__ import annotations

import re
from functools import lru_cache

_LETTERS: dict[str, str] = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "yo",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    # Belarusian and Ukrainian letters
    "ў": "u",
    "і": "i",
    "ї": "yi",
    "є": "ye",
    "ґ": "g",
}
_VOWELS = frozenset("аеёиоуыэюяіїєў")
_SIGNS = frozenset("ъь")
# After these consonants ё sounds as o and is written so: Gorbachov, Khrushchov.
_HUSHING = frozenset("жчшщ")
_APOSTROPHES = "'’ʼ"
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _letter(word: str, i: int) -> str:
    ch = word[i].lower()
    before = word[i - 1].lower() if i else ""
    if ch == "е" and (not before or before in _VOWELS or before in _SIGNS or before == "й"):
        return "ye"
    if ch == "ё" and before in _HUSHING:
        return "o"
    if ch == "й" and before == "и" and i == len(word) - 1:
        return "y"  # -ий: Dmitriy, Zelenskiy
    if ch == "й" and before == "ы" and i == len(word) - 1:
        return ""  # -ый: Navalny
    return _LETTERS.get(ch, ch)


def _word(word: str) -> str:
    if not any(ch.lower() in _LETTERS for ch in word):
        return word
    out = "".join(_letter(word, i) for i in range(len(word)))
    if word.isupper() and len(word) > 1:
        return out.upper()  # an abbreviation: ВСУ -> VSU
    if word[:1].isupper():
        return out[:1].upper() + out[1:]
    return out


@lru_cache(maxsize=16384)
def to_latin(text: str) -> str:
    """``text`` with every Cyrillic word romanised; other characters kept, apostrophes
    inside words (Ukrainian, Belarusian) dropped: 'Лукашенко' -> 'Lukashenko',
    'Тихановская' -> 'Tikhanovskaya', 'Мар’інка' -> 'Marinka'."""
    text = re.sub(rf"(?<=\w)[{_APOSTROPHES}](?=\w)", "", text)
    return _WORD.sub(lambda m: _word(m.group()), text)


def has_cyrillic(text: str) -> bool:
    """Whether ``text`` holds a Cyrillic letter."""
    return any("\u0400" <= ch <= "\u04ff" for ch in text)
