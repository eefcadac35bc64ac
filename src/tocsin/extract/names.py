"""Names of people, organisations and places, matched across romanisations.

English-language news spells one Belarusian, Russian or Ukrainian name many ways: BGN/PCGN
(Tsikhanouskaya), the Russian form (Tikhanovskaya), passport or scholarly systems
(Zelenskyi, Zelens'kyj), Łacinka diacritics (Viačorka). Plain string equality splits one
person into several entities, and plain fuzzy matching merges Minsk with Pinsk. So matching
goes in three layers, each stricter than the one above it:

* ``normalise``: casefold, ASCII, no possessives or punctuation; equal strings match;
* ``name_key``: a phonetic key per token that absorbs romanisation differences;
* ``similarity``: a fuzzy score, used for near matches only under extra conditions.

``_tokens_referent`` combines them token by token; ``tocsin.extract.aliases`` puts the alias
table (a user-editable TOML file) in front of it, for the names that no rule can join
(Kyiv/Kiev, EU/European Union) and for bodies every country has.
"""

from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz import fuzz

from tocsin.extract.matching import can_assign
from tocsin.text import visible

# Below this many letters a token matches only when spelled the same (after normalise):
# 'Lev' and 'Lyov' share a key, but so do too many unrelated three-letter words.
MIN_FUZZY_LETTERS = 4
# ``similarity`` a near match must reach, on top of the conditions in ``_tokens_match``.
FUZZY_THRESHOLD = 0.9

# --- normalise -------------------------------------------------------------------------

# Carons written by Łacinka and Czech-style romanisations stand for the sounds that
# English-style systems spell as digraphs (Viačorka = Viachorka); anyascii would drop the
# caron and give 'Viacorka', which no English spelling uses.
_CARONS = str.maketrans({"č": "ch", "Č": "Ch", "š": "sh", "Š": "Sh", "ž": "zh", "Ž": "Zh"})
_POSSESSIVE = re.compile(r"(?<=\w)'s\b")
_SEPARATORS = re.compile(r"[-_/]+")
_PUNCTUATION = re.compile(r"[^\w\s]+")


@lru_cache(maxsize=65536)
def normalise(name: str) -> str:
    """Casefolded ASCII words of ``name``: what two spellings must share to be equal.

    Possessives go ('Lukashenka’s' -> 'lukashenka'), hyphens become spaces
    ('Ivano-Frankivsk' -> 'ivano frankivsk'), other punctuation goes (the soft-sign
    apostrophe in "Zelens'kyi", the dot in 'Gen.'). Cyrillic is transliterated by anyascii,
    so a Latin name with a stray Cyrillic letter ('Pesкov') normalises like the Latin one.
    Invisible controls go first (``visible``): '\u202eVladimir' is 'vladimir'.
    """
    text = anyascii(visible(name).translate(_CARONS)).casefold()
    text = _POSSESSIVE.sub("", text)
    text = _SEPARATORS.sub(" ", text)
    text = _PUNCTUATION.sub("", text)
    return " ".join(text.split())


# --- name_key ----------------------------------------------------------------------------

# Consonants that romanisations write with several letters, each replaced by one symbol
# (upper case, so it cannot be confused with a letter still to be read). Longest first, so
# that 'shch' is read before 'sh' and 'tsch' before 'ts'.
_DIGRAPHS: dict[str, str] = {
    "schtsch": "W",  # German щ: Chruschtschow
    "shch": "W",  # щ: Khrushchev
    "tsch": "C",  # German ч: Gorbatschow = Gorbachev
    "dzh": "J",  # дж: Dzhokhar
    "sch": "S",  # German ш: Schoigu = Shoigu
    "tch": "C",  # French ч: Gorbatchev = Gorbachev
    "zh": "Z",  # ж: Prigozhin (Łacinka ž arrives here as 'zh')
    "kh": "X",  # х: Kharkiv, Tikhanovskaya
    "ch": "C",  # ч: Viachorka (Łacinka č arrives here as 'ch')
    "sh": "S",  # ш: Lukashenko
    "ts": "Q",  # ц: Kravtsov
    "tz": "Q",  # German ц
    "ck": "k",  # English spelling of к
    "ph": "f",  # Greek-style ф: Philipp = Filipp
    "dz": "d",  # Belarusian дз where Russian has д: Dzmitry = Dmitry, Dzianis = Denis
    "w": "v",  # German and Polish в: Budanow = Budanov, Lwow = Lvov
    "h": "g",  # Ukrainian and Belarusian г is h, Russian г is g: Hrodna = Grodno, Hajun = Gayun
    "q": "k",
    "j": "y",  # й in Łacinka and scholarly systems: Makej = Makey, Hajun = Gayun
}
_DIGRAPH_RE = re.compile("|".join(sorted(_DIGRAPHS, key=len, reverse=True)))
_VOWELS = "aeiouy"
# Belarusian ц where Russian has т before a front vowel (tsekanne):
# Tsikhanouskaya = Tikhanovskaya, Vitsebsk = Vitebsk, Artsiom = Artyom.
_TSEKANNE = re.compile(r"ts(?=[ie])")
# English c: soft before e/i/y (Defence = Defense), hard elsewhere (Victor = Viktor). The
# Łacinka c for ц (Cichanoŭskaja) is not supported; its č is (see normalise).
_SOFT_C = re.compile(r"c(?=[eiy])")
# French and old English -off/-eff for -ов/-ев: Rachmaninoff = Rachmaninov.
_OFF = re.compile(r"(?<=[oe])ff$")
# Belarusian ў after a vowel, written u, where Russian has в:
# Tsikhanouskaya = Tikhanovskaya, Mahilou = Mahilyow = Mogilev.
_SHORT_U = re.compile(r"(?<=[aeo])u(?=[^aeiouy]|$)")
_DOUBLE = re.compile(r"(.)\1+")
# An iotated vowel at the start of a name (я, ю, е/є, ё) in its usual spellings, and the
# class it keeps in the key: Yuriy = Iurii = Juri, Yevgeny = Evgeniy, Yaroslav = Iaroslav.
_IOTATED = re.compile(r"^[iy](?=[aeiou])")
# The class a first or final vowel keeps in a key (rules 8 and 9 below).
_VOWEL_CLASS = {"a": "a", "o": "a", "e": "e", "i": "i", "y": "i", "u": "u"}
_ENDINGS = frozenset(_VOWEL_CLASS.values())


@lru_cache(maxsize=65536)
def name_key(token: str) -> str:
    """A key equal for romanisations of one name token (a given name or a surname).

    The key is: a class for the first sound, the consonants in order, and a class for the
    final vowel. Inner vowels are dropped because that is where romanisations (and
    Belarusian akanye) disagree most: Lukashenka/Lukashenko, Sviatlana/Svetlana,
    Aliaksandr/Aleksandr/Alexander, Gorbachev/Gorbachov. The final vowel is kept because it
    carries gender: Navalny (…i) is not Navalnaya (…a), Ivanov is not Ivanova.

    Rules, in the order applied:

    1. x -> ks: Alexander = Aleksandr.
    2. -off/-eff -> -ov/-ev: Rachmaninoff = Rachmaninov.
    3. ts before i/e -> t (Belarusian tsekanne): Tsikhanouskaya = Tikhanovskaya.
    4. c before e/i/y -> s, then (after rule 5) other c -> k, as in English:
       Defence = Defense, Victor = Viktor.
    5. digraphs -> one symbol (see ``_DIGRAPHS``): kh, zh, ch/tch/tsch, sh/sch, shch, ts/tz,
       dzh; dz -> d (Dzmitry = Dmitry); w -> v; h -> g (Hrodna = Grodno); j -> y.
    6. u after a/e/o and before a consonant or the end -> v (Belarusian ў):
       Tsikhanouskaya = Tikhanovskaya, Mahilou = Mogilev.
    7. doubled letters -> one: Odessa = Odesa, Zelenskyy = Zelensky, Iurii = Iuri.
    8. first sound: an iotated vowel (ya/ia, yu/iu, ye/ie, yo/io) keeps its vowel's class
       (Yuriy = Iurii, Yevgeny = Evgeniy); a plain first vowel keeps its class, with a = o
       (Aleksandr = Oleksandr, Belarusian akanye) and i = y; a consonant stays.
    9. the final vowel run keeps the class of its last letter: a = o (Lukashenka =
       Lukashenko, Hrodna = Grodno, -aya = -aja = -a), i = y (Zelenskiy = Zelensky =
       Zelenskyi = Zelenskij, Makei = Makey = Makej, Dmitry = Dmitri = Dmitriy), e, u.
    10. every other vowel (a e i o u y) goes: Viachorka = Vyachorka, Shoigu = Shoygu.

    Oleksiy and Aleksei share a key (rules 8 and 9); Olga and Oleg do not (rule 9).
    """
    s = "".join(normalise(token).split())
    s = s.replace("x", "ks")
    s = _OFF.sub("v", s)
    s = _TSEKANNE.sub("t", s)
    s = _SOFT_C.sub("s", s)
    s = _DIGRAPH_RE.sub(lambda m: _DIGRAPHS[m.group()], s)
    s = s.replace("c", "k")
    s = _SHORT_U.sub("v", s)
    s = _DOUBLE.sub(r"\1", s)
    if not s:
        return ""
    # Rule 8: the first sound.
    iotated = _IOTATED.match(s)
    if iotated:
        s = s[iotated.end() :]
    if s[0] in _VOWEL_CLASS:
        head, s = _VOWEL_CLASS[s[0]], s[1:]
    else:
        head, s = s[0], s[1:]
    # Rule 9: the final vowel run.
    body = s.rstrip(_VOWELS)
    tail = _VOWEL_CLASS[s[-1]] if len(body) < len(s) else ""
    # Rule 10: inner vowels.
    return head + "".join(ch for ch in body if ch not in _VOWELS) + tail


# --- similarity ----------------------------------------------------------------------------


def _keys(normalised: str) -> str:
    return " ".join(name_key(token) for token in normalised.split())


def similarity(a: str, b: str) -> float:
    """How alike two names look, in [0, 1]: the better of the spelling and the key scores.

    Both are rapidfuzz ``ratio`` (normalised Indel similarity): on the normalised names,
    and on their token keys, so a romanisation difference costs nothing (Hajun/Guyun: 1.0)
    while a different letter of substance still does (Minsk/Pinsk: 0.8).
    """
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return 0.0
    return max(fuzz.ratio(na, nb), fuzz.ratio(_keys(na), _keys(nb))) / 100.0


def _ending(key: str) -> str:
    """The final vowel class of a key, '' when it ends in a consonant."""
    return key[-1] if len(key) > 1 and key[-1] in _ENDINGS else ""


def _tokens_match(x: str, y: str) -> bool:
    """Whether two normalised tokens are spellings of one name.

    Fuzzy matches need more than a score: the same first sound (Minsk is not Pinsk), the
    same final vowel class (Danilov is not Danilova), and neither key a prefix of the other
    (Belarus is not Belarusian, Ivan is not Ivanov): those differences change the word.
    """
    if x == y:
        return True
    if len(x) == 1 or len(y) == 1:
        # An initial stands for any name with that first letter: 'V. Putin'.
        return len(x) != len(y) and x[0] == y[0]
    if min(len(x), len(y)) < MIN_FUZZY_LETTERS:
        return False
    kx, ky = name_key(x), name_key(y)
    if kx == ky:
        return True
    if kx[0] != ky[0] or kx.startswith(ky) or ky.startswith(kx):
        return False
    if _ending(kx) != _ending(ky):
        return False
    return similarity(x, y) >= FUZZY_THRESHOLD


# --- same_referent ---------------------------------------------------------------------------

_ARTICLES = frozenset({"the"})
# Dropped while they lead a name: 'President Lukashenko', 'Gen. Gerasimov', 'Mr Putin'.
_TITLES = frozenset(
    {
        "president",
        "vice",
        "prime",
        "premier",
        "minister",
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "professor",
        "sir",
        "dame",
        "general",
        "gen",
        "lieutenant",
        "lt",
        "colonel",
        "col",
        "major",
        "maj",
        "captain",
        "capt",
        "admiral",
        "adm",
        "marshal",
        "sergeant",
        "sgt",
        "commander",
        "ambassador",
        "patriarch",
        "metropolitan",
        "deputy",
        "acting",
        "former",
        "ex",
        "late",
    }
)
# A role word within the first three tokens ends a descriptive title when a name follows:
# 'Foreign Minister Sergei Lavrov', 'Belarusian leader Alexander Lukashenko', 'Kremlin
# spokesman Dmitry Peskov'. Not before 'of', which keeps 'Minister of Defence' whole.
_ROLE_HEADS = frozenset(
    {
        "president",
        "minister",
        "premier",
        "leader",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "commander",
        "ambassador",
        "chairman",
        "chairwoman",
        "secretary",
        "chief",
    }
)
_ROLE_REACH = 3
# Function words that carry no identity: 'Ministry of Defence' = 'Defence Ministry'.
_STOPWORDS = frozenset({"of", "the", "and", "for", "in", "on", "at", "to", "de", "von"})
# Generic words that say what kind of body a name is, not which one. They never make the
# head of a name ('Belarusian Hajun Project' is headed by 'hajun', 'defence ministry' by
# 'defence'), so 'Hajun' and 'Wagner' match their longer names while 'Ministry' alone
# matches no particular ministry.
_GENERIC = frozenset(
    {
        "project",
        "group",
        "movement",
        "initiative",
        "foundation",
        "company",
        "corporation",
        "corp",
        "inc",
        "ltd",
        "llc",
        "plc",
        "jsc",
        "pjsc",
        "ojsc",
        "ministry",
        "committee",
        "council",
        "service",
        "office",
        "agency",
        "department",
        "directorate",
        "army",
        "forces",
        "guard",
        "party",
        "bank",
        "court",
        "parliament",
        "government",
        "administration",
        "union",
        "republic",
        "federation",
        "region",
        "oblast",
        "district",
    }
)


def _strip_titles(tokens: list[str]) -> list[str]:
    """``tokens`` without leading articles, honorifics and descriptive titles."""
    i = 0  # tokens[:i] are stripped
    while True:
        before = i
        while (
            len(tokens) - i > 1
            and (tokens[i] in _ARTICLES or tokens[i] in _TITLES)
            and tokens[i + 1] not in _STOPWORDS
        ):
            i += 1
        for k, token in enumerate(tokens[i : i + _ROLE_REACH], start=i):
            if token in _ROLE_HEADS and k + 1 < len(tokens) and tokens[k + 1] not in _STOPWORDS:
                i = k + 1
                break
        if i == before:
            return tokens[i:]


def _clean(name: str) -> list[str]:
    """The normalised tokens of ``name`` that identify it (no article or title)."""
    return _strip_titles(normalise(name).split())


def _content(tokens: list[str]) -> list[str]:
    """The tokens two names are compared on: no function words."""
    return [t for t in tokens if t not in _STOPWORDS]


def _head(tokens: list[str]) -> int:
    """Where the name's head is: its last token that is not a generic word (or its last)."""
    for i in range(len(tokens) - 1, -1, -1):
        if tokens[i] not in _GENERIC:
            return i
    return len(tokens) - 1


def _tokens_referent(a: list[str], b: list[str]) -> bool:
    """The rule-based test on cleaned tokens, without any alias table.

    Every token of the shorter name must match a different token of the longer one, and the
    longer name's head (its last token that is not a generic word: a surname, or what sets
    an organisation apart) must be among them. So 'Lukashenka' matches 'Alexander
    Lukashenko' and 'Hajun' matches 'Belarusian Hajun Project', but 'Vladimir' does not
    match 'Vladimir Putin', 'Viktor Lukashenko' does not match 'Alexander Lukashenko', and
    'Ministry' does not match 'Ministry of Defence'. Order is free: 'Defence Ministry'.
    """
    short, long = sorted((_content(a), _content(b)), key=len)
    if not short:
        return False
    match = [[_tokens_match(s, t) for t in long] for s in short]
    head = _head(long)
    # An assignment that uses the head exists when one that covers the short name does
    # and some token matches the head: that token can take the head instead.
    return any(row[head] for row in match) and can_assign(match, len(long))


def match_signs(name: str) -> frozenset[str]:
    """What any name matching ``name`` token by token shares with it: the first letter or
    the first key sound of one of its tokens (``_tokens_match`` asks one of them to agree).

    A name the shipped alias table does not list can be ``same_referent`` only with a name
    whose signs meet these; a listed name is decided by the table instead.
    """
    signs = set()
    for token in _content(_clean(name)):
        signs.add("letter:" + token[0])
        signs.add("key:" + name_key(token)[:1])
    return frozenset(signs)
