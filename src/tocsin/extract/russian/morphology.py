"""Lemmas and nominative forms of Russian words, with pymorphy3's dictionaries.

natasha lemmatises and normalises names with pymorphy2, which is unmaintained; tocsin does
the same with its maintained fork, pymorphy3, by the same method: of the dictionary's
readings of a word, take the one that agrees best with what the tagger said of it in
context (part of speech, then case, gender, number …), and give its lemma, or its
nominative with the number kept.

Tags are converted from OpenCorpora's grammemes (pymorphy3's) to Universal Dependencies'
(the slovnet tagger's), on the facts of both tag sets.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# OpenCorpora part of speech -> UD part of speech.
_POS = {
    "NOUN": "NOUN", "ADJF": "ADJ", "ADJS": "ADJ", "COMP": "ADJ", "VERB": "VERB", "INFN": "VERB",
    "PRTF": "VERB", "PRTS": "VERB", "GRND": "VERB", "NUMR": "NUM", "ADVB": "ADV", "NPRO": "PRON",
    "PRED": "ADV", "PREP": "ADP", "CONJ": "CCONJ", "PRCL": "PART", "INTJ": "INTJ",
}  # fmt: skip
# OpenCorpora grammeme -> (UD feature, value).
_FEATS = {
    "nomn": ("Case", "Nom"), "gent": ("Case", "Gen"), "gen1": ("Case", "Gen"),
    "gen2": ("Case", "Gen"), "datv": ("Case", "Dat"), "accs": ("Case", "Acc"),
    "ablt": ("Case", "Ins"), "loct": ("Case", "Loc"), "loc1": ("Case", "Loc"),
    "loc2": ("Case", "Loc"), "voct": ("Case", "Nom"), "masc": ("Gender", "Masc"),
    "femn": ("Gender", "Fem"), "neut": ("Gender", "Neut"), "sing": ("Number", "Sing"),
    "plur": ("Number", "Plur"), "past": ("Tense", "Past"), "pres": ("Tense", "Pres"),
    "futr": ("Tense", "Fut"), "perf": ("Aspect", "Perf"), "impf": ("Aspect", "Imp"),
    "1per": ("Person", "1"), "2per": ("Person", "2"), "3per": ("Person", "3"),
}  # fmt: skip
_AGREE = ("Case", "Gender", "Number", "Tense", "Aspect", "Person")
_INFLECTED = frozenset({"NOUN", "PROPN", "ADJ"})
_NUMBER = {"Sing": "sing", "Plur": "plur"}
_ABBREVIATION = 5  # letters of the longest all-capitals word read as an abbreviation
_ENKO = re.compile(r"(енк)(у|ой|ою|а|е|ом)$", re.IGNORECASE)


@lru_cache(maxsize=1)
def analyzer() -> Any:
    """pymorphy3's analyser with the Russian dictionaries (loaded once per process)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


def _plain(word: str) -> str:
    return word.lower().replace("ё", "е")


def _ud(parse: Any) -> tuple[str, dict[str, str]]:
    grammemes = parse.tag.grammemes
    pos = _POS.get(str(parse.tag.POS), "X")
    return pos, dict(_FEATS[g] for g in grammemes if g in _FEATS)


def _score(parse: Any, pos: str, feats: dict[str, str]) -> int:
    """How well a dictionary reading agrees with the tagger: part of speech first."""
    their_pos, their_feats = _ud(parse)
    same_pos = their_pos == ("NOUN" if pos == "PROPN" else "VERB" if pos == "AUX" else pos)
    return 10 * same_pos + sum(their_feats.get(k) == feats.get(k) for k in _AGREE if k in feats)


@lru_cache(maxsize=65536)
def _parses(word: str) -> tuple[Any, ...]:
    return tuple(analyzer().parse(word))


def _best(word: str, pos: str, feats: dict[str, str]) -> Any | None:
    parses = _parses(_plain(word))
    return max(parses, key=lambda p: _score(p, pos, feats), default=None)


def lemma(word: str, pos: str, feats: dict[str, str]) -> str:
    """The word's lemma, lower case with ё as е ('заявил' -> 'заявить')."""
    best = _best(word, pos, feats)
    return _plain(best.normal_form) if best is not None else _plain(word)


def nominative(word: str, pos: str, feats: dict[str, str]) -> str:
    """The word in the nominative, its number kept, in the shape it was written
    ('Александра' -> 'Александр', 'Беларусью' -> 'Беларусью' when the reading fails)."""
    if pos not in _INFLECTED or feats.get("Case") in (None, "Nom"):
        return word
    if word.isupper() and len(word) <= _ABBREVIATION:
        return word  # an abbreviation: 'БЕЛТА', 'ТАСС' do not decline
    enko = _ENKO.search(word)
    if enko and pos == "PROPN":
        # Surnames in -енко are indeclinable in the norm; declined in the press ('Лукашенку'),
        # the dictionary takes them for nouns in -енок.
        return _shaped(word[: enko.start(2)].lower() + "о", word)
    best = _best(word, pos, feats)
    if best is None:
        return word
    wanted = {"nomn"} | ({_NUMBER[feats["Number"]]} if feats.get("Number") in _NUMBER else set())
    inflected = best.inflect(wanted) or best.inflect({"nomn"})
    return _shaped(inflected.word, word) if inflected is not None else word


def _shaped(new: str, old: str) -> str:
    """``new`` in the case pattern of ``old``: 'МИНСКЕ' -> 'МИНСК', 'Минске' -> 'Минск'."""
    if old.isupper() and len(old) > 1:
        return new.upper()
    if old[:1].isupper():
        parts = new.split("-")
        olds = old.split("-")
        return "-".join(
            p[:1].upper() + p[1:] if k < len(olds) and olds[k][:1].isupper() else p
            for k, p in enumerate(parts)
        )
    return new
