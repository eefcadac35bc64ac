"""Whether a clean text is language at all: the rule that refuses junk at ingest.

An input can decode and clean and still not be writing: one endless token (a 5 MB line with
no space, a base64 blob), random printable bytes, a page of digits or punctuation. The later
stages could only waste time on it, so ingest refuses it (``FailureCode.NOT_LANGUAGE``) with
a reason that says what is wrong. With URLs left out (up to ``MAX_URL`` characters each), a
text is refused when

1. one token, a run with no white space, is longer than ``MAX_TOKEN`` characters;
2. fewer than ``MIN_LETTERS`` of its characters other than white space are letters (or the
   marks that combine with them, as in Hindi or Thai);
3. fewer than ``MIN_SHORT_WORDS`` of its words are at most ``MAX_WORD`` characters long.

Rule 1 reads the whole text; rules 2 and 3 its first ``SAMPLE`` characters, as the decoder's
readability check does. Scripts written without spaces between words (Chinese, Japanese,
Thai, Lao, Khmer, Burmese, Tibetan, Javanese, Balinese) cut a long token at each of their
characters, so a line of Chinese is not one long word (base64 glued to it still is); their
characters are letters as usual.

The thresholds are far from real writing. On the 91 pages of the article-extraction benchmark,
the five seed articles and the 84 PolNeAR articles, the longest token is 53 characters, the
lowest share of letters 57% (a page that is mostly a table of race standings) and the highest
share of words over 30 characters 1%. Junk lies far on the other side: base64 and random
printable characters make words of 70 to 100 characters, digits and punctuation have no
letters. Every rule is one linear scan.
"""

from __future__ import annotations

import re

import regex

MAX_TOKEN = 1_000
MIN_LETTERS = 0.25
MAX_WORD = 30
MIN_SHORT_WORDS = 0.5
SAMPLE = 100_000
# Longer than any URL browsers and servers handle in practice (2,048 is the usual cap): a
# longer run that starts like a URL counts from there on.
MAX_URL = 2_048

_URL = re.compile(rf"(?:https?://|www\.)\S{{1,{MAX_URL}}}", re.IGNORECASE)
# The Unicode blocks of the scripts written without spaces: Thai, Lao, Tibetan, Myanmar,
# Khmer, Balinese; CJK radicals, symbols and punctuation, kana, Bopomofo, CJK ideographs
# (and extension A); Javanese, Myanmar extensions; CJK compatibility ideographs, half-width
# katakana; the ideographs of planes 2 and 3.
_UNSPACED = re.compile(
    "[\u0e00-\u0fff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff\u1b00-\u1b7f\u2e80-\u9fff"
    "\ua980-\ua9ff\uaa60-\uaa7f\uf900-\ufaff\uff65-\uff9f\U00020000-\U0003ffff]+"
)
# A token longer than the limit, matched from its first character only: the look-behind
# fails at once inside a token, so the scan stays linear.
_LONG_RUN = re.compile(rf"(?<!\S)\S{{{MAX_TOKEN + 1},}}")
_LETTERS = re.compile(r"[^\W\d_]+")
_MARKS = regex.compile(r"\p{M}+")


def not_language(text: str) -> str | None:
    """Why ``text`` is not language (see the module's rules), or None when it may be."""
    longest = max((len(w) for m in _LONG_RUN.finditer(text) for w in _words(m[0])), default=0)
    if longest > MAX_TOKEN:
        return f"one token of {longest:,} characters with no white space"
    sample = _without_urls(text[:SAMPLE])
    visible = sum(map(len, sample.split()))
    letters = _held(_LETTERS, sample) + (0 if sample.isascii() else _held(_MARKS, sample))
    if visible and letters < MIN_LETTERS * visible:
        return f"{_percent(letters, visible)} of characters are letters"
    words = _words(sample)
    long_words = sum(len(w) > MAX_WORD for w in words)
    if words and len(words) - long_words < MIN_SHORT_WORDS * len(words):
        return f"{_percent(long_words, len(words))} of words are over {MAX_WORD} characters long"
    return None


def _without_urls(text: str) -> str:
    return _URL.sub(" ", text) if "://" in text or "www." in text.lower() else text


def _words(text: str) -> list[str]:
    """The tokens of ``text`` by white space, URLs left out, long ones cut at the characters
    of unspaced scripts (a short token is a word whatever its script)."""
    words = _without_urls(text).split()
    if text.isascii() or all(len(w) <= MAX_WORD for w in words):
        return words
    return [p for w in words for p in (_UNSPACED.sub(" ", w).split() if len(w) > MAX_WORD else [w])]


def _held(pattern: re.Pattern[str] | regex.Pattern[str], text: str) -> int:
    """How many characters of ``text`` the matches of ``pattern`` hold."""
    return len(text) - len(pattern.sub("", text))


def _percent(part: int, whole: int) -> str:
    share = part / whole
    return "under 1%" if 0 < share < 0.005 else f"{share:.0%}"
