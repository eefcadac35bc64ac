"""Indicator patterns: written in Python's regular-expression syntax, run by RE2.

RE2 (google-re2) matches in time linear in the length of the text whatever the pattern,
so no pattern in a case file can stall an assessment: ``(a+)+$`` against a long run of a's
is answered at once. RE2 has no backtracking, and so none of what needs it: backreferences,
lookarounds, conditionals, atomic groups and possessive quantifiers; ``compile_pattern``
names such a construct and suggests a rewrite.

A pattern is translated so that it matches as Python's ``re`` with ``IGNORECASE`` does:
``\\w``, ``\\d`` and ``\\s`` become the same Unicode classes, ``\\Z`` becomes ``\\z`` and
groups do not capture (only the whole match is used). RE2's ``\\b`` and ``\\B`` count only
ASCII letters, digits and ``_`` as word characters, so the text is *folded* before RE2 reads
it: every letter outside ASCII is replaced by an ASCII stand-in that the pattern cannot tell
apart from it (``_``, or a letter the pattern does not use), one character for one, which
keeps every offset and puts the word boundaries where Python's ``re`` sees them
(``\\bcafé\\b`` finds "café", and ``\\bcaf\\w*`` takes all of it). Curly quotes, dashes and
other marks are not word characters in either engine and are left alone.

The differences left: a pattern that uses every ASCII letter, a range over letters outside
ASCII (``[à-ÿ]``) or a letter whose cases do not pair one to one (``ß``, ``İ``) runs on the
unfolded text, where ``\\b`` next to a letter outside ASCII follows RE2's ASCII rule; the
same holds next to digits of other scripts in a pattern that names every ASCII digit.
Letters Python's Unicode tables do not know yet are letters to RE2. ``$`` is the end of the
text (Python's also matches before a final newline, which no sentence has), and a repeated
group that can match nothing (``(a*)*``) may stop elsewhere: RE2 follows Perl there.
"""

from __future__ import annotations

import re
import string
import unicodedata
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import re2

MAX_REPEAT = 1000  # RE2's largest repetition count, {0,1000}
# Python's \w, \d and \s as RE2 class items (identical on every character Python knows).
_WORD = r"\p{L}\p{N}_"
_DIGIT = r"\p{Nd}"
_SPACE = r"\t\n\x0b\f\r\x1c-\x20\x{85}\p{Z}"
_CLASS_ITEMS = {"w": _WORD, "d": _DIGIT, "s": _SPACE}
_CLASSES = {
    "w": f"[{_WORD}]",
    "W": f"[^{_WORD}]",
    "d": _DIGIT,
    "D": r"\P{Nd}",
    "s": f"[{_SPACE}]",
    "S": f"[^{_SPACE}]",
}
_ANCHORS = {"A": r"\A", "Z": r"\z", "b": r"\b", "B": r"\B"}
_CONTROLS = {"a": "\a", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_HEX_DIGITS = {"x": 2, "u": 4, "U": 8}
_OCTAL = "01234567"
_REPEAT = re.compile(r"\{(\d*)(?:(,)(\d*))?\}")
_FLAGS = re.compile(r"([aiLmsux]*)(?:-([imsx]*))?([:)])")
_NO_BACKTRACKING = "which RE2 does not support"
# What follows "(?" in the constructs RE2 lacks: the construct, and how to do without it.
_UNSUPPORTED = {
    "=": ("a lookahead (?=...)", "match the text that follows as part of the pattern"),
    "!": ("a negative lookahead (?!...)", "match what may follow instead ([^x] or x|y)"),
    "<=": ("a lookbehind (?<=...)", "match the text before as part of the pattern"),
    "<!": ("a negative lookbehind (?<!...)", "start with \\b or with what may come before"),
    "P=": ("a backreference (?P=name)", "write the repeated text out ((a|b)\\1 → (aa|bb))"),
    "(": ("a conditional group (?(...)...)", "write the branches as an alternation (x|y)"),
    ">": ("an atomic group (?>...)", "write a plain group (?:...): RE2 never backtracks"),
}
_UNSUPPORTED_FLAGS = {
    "x": ("verbose mode (?x)", "write the pattern without its spaces and comments"),
    "a": ("ASCII mode (?a)", "name the characters instead ([A-Za-z0-9_] for \\w)"),
    "L": ("locale mode (?L)", "leave it out"),
}
# Letters outside ASCII that Python's IGNORECASE takes for ASCII ones (its documented four).
_ASCII_TWINS = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}


class PatternError(ValueError):
    """A pattern that cannot run on RE2; the message says why, without the pattern."""


@dataclass(frozen=True)
class _Char:
    char: str


@dataclass(frozen=True)
class _Verbatim:
    text: str  # already in RE2's syntax


@dataclass(frozen=True)
class _Class:
    negated: bool
    chars: tuple[str, ...]
    ranges: tuple[tuple[str, str], ...]
    escapes: str  # class escapes among "wWdDsS"


_Token = _Char | _Verbatim | _Class


def _unsupported(construct: str, advice: str) -> PatternError:
    return PatternError(f"uses {construct}, {_NO_BACKTRACKING}: {advice}")


class _Scanner:
    """Python's pattern syntax read into tokens; the pattern is known to be valid Python."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.at = 0

    def tokens(self) -> list[_Token]:
        out: list[_Token] = []
        while self.at < len(self.source):
            out.append(self._next())
        return out

    def _take(self) -> str:
        self.at += 1
        return self.source[self.at - 1]

    def _skip(self, text: str) -> bool:
        if self.source.startswith(text, self.at):
            self.at += len(text)
            return True
        return False

    def _next(self) -> _Token:
        c = self._take()
        if c == "\\":
            return self._escape()
        if c == "[":
            return self._class()
        if c == "(":
            return self._group()
        if c == "{":
            return self._brace()
        if c in "*+?":
            return self._quantifier(c)
        return _Verbatim(c) if c in ".^$|)" else _Char(c)

    def _quantifier(self, text: str) -> _Verbatim:
        if self._skip("+"):
            raise _unsupported(
                f"a possessive quantifier {text}+", f"write {text}: RE2 never backtracks"
            )
        return _Verbatim(text + "?" if self._skip("?") else text)

    def _brace(self) -> _Token:
        found = _REPEAT.match(self.source, self.at - 1)
        if found is None or found.group(0) == "{}":
            return _Char("{")
        self.at = found.end()
        low, comma, high = found.group(1) or "0", found.group(2), found.group(3)
        for count in (low, high):
            if count and int(count) > MAX_REPEAT:
                raise PatternError(
                    f"repeats {count} times; RE2 allows at most {MAX_REPEAT} (use + or *)"
                )
        return self._quantifier(f"{{{low},{high}}}" if comma else f"{{{low}}}")

    def _escape(self) -> _Token:
        c = self._take()
        if c in _ANCHORS:
            return _Verbatim(_ANCHORS[c])
        if c in _CLASSES:
            return _Verbatim(_CLASSES[c])
        if c == "0":
            return _Char(self._octal(c))
        if c.isdigit():
            follows = self.source[self.at : self.at + 2]
            if c in _OCTAL and len(follows) == 2 and all(d in _OCTAL for d in follows):
                return _Char(self._octal(c))  # three octal digits: a character, not a group
            raise _unsupported(f"a backreference \\{c}", _UNSUPPORTED["P="][1])
        return _Char(self._escaped(c))

    def _octal(self, digits: str) -> str:
        while len(digits) < 3 and self.at < len(self.source) and self.source[self.at] in _OCTAL:
            digits += self._take()
        return chr(int(digits, 8))

    def _escaped(self, c: str) -> str:
        """The character of an escape other than a class or an octal one, after ``\\c``."""
        if c in _HEX_DIGITS:
            self.at += _HEX_DIGITS[c]
            return chr(int(self.source[self.at - _HEX_DIGITS[c] : self.at], 16))
        if c == "N":
            end = self.source.index("}", self.at)
            name, self.at = self.source[self.at + 1 : end], end + 1
            return unicodedata.lookup(name)
        return _CONTROLS.get(c, c)  # an escaped mark stands for itself

    def _class_item(self) -> str:
        """One character of a class, or a class escape such as ``\\w`` (two characters)."""
        c = self._take()
        if c != "\\":
            return c
        c = self._take()
        if c in _CLASSES:
            return "\\" + c
        if c == "b":
            return "\b"  # a backspace inside a class
        return self._octal(c) if c in _OCTAL else self._escaped(c)

    def _class(self) -> _Class:
        negated = self._skip("^")
        chars: list[str] = []
        ranges: list[tuple[str, str]] = []
        escapes = ""
        first = True
        while first or not self._skip("]"):
            first = False
            item = self._class_item()
            if len(item) == 2:
                escapes += item[1]
            elif self.source[self.at] == "-" and self.source[self.at + 1] != "]":
                self.at += 1
                ranges.append((item, self._class_item()))
            else:
                chars.append(item)
        if negated and set(escapes) & set("WDS"):
            raise PatternError(
                "uses a negated class holding \\W, \\D or \\S, which RE2 cannot express: "
                "list the characters it should match instead"
            )
        return _Class(negated, tuple(chars), tuple(ranges), escapes)

    def _group(self) -> _Verbatim:
        if not self._skip("?") or self._skip(":"):
            return _Verbatim("(?:")  # nothing captures: only the whole match is used
        for prefix, (construct, advice) in _UNSUPPORTED.items():
            if self.source.startswith(prefix, self.at):
                raise _unsupported(construct, advice)
        if self._skip("P<"):
            self.at = self.source.index(">", self.at) + 1
            return _Verbatim("(?:")
        if self._skip("#"):
            self.at = self.source.index(")", self.at) + 1
            return _Verbatim("")
        return self._flags()

    def _flags(self) -> _Verbatim:
        found = _FLAGS.match(self.source, self.at)
        assert found is not None  # the pattern compiled in Python
        self.at = found.end()
        on, off, end = found.group(1), found.group(2) or "", found.group(3)
        for flag in on + off:
            if flag in _UNSUPPORTED_FLAGS:
                raise _unsupported(*_UNSUPPORTED_FLAGS[flag])
        flags = on.replace("u", "") + (f"-{off}" if off else "")
        if end == ")":
            return _Verbatim(f"(?{flags})" if flags else "")
        return _Verbatim(f"(?{flags}:" if flags else "(?:")


# -- folding ------------------------------------------------------------------------------


def _folds(c: str) -> bool:
    """Whether ``c`` is a letter (or a number other than a decimal digit) outside ASCII."""
    return not c.isascii() and c.isalnum() and not c.isdecimal()


@dataclass(frozen=True)
class Fold:
    """How the text is folded for one pattern: one character for one, offsets kept.

    ``word`` stands in for every letter outside ASCII the pattern does not name (None: the
    text is not folded), ``digit`` for decimal digits of other scripts, ``named`` maps the
    letters outside ASCII the pattern names to spare ASCII letters, and ``displaced`` holds
    those spare letters, which become ``word`` where the text has them.
    """

    word: str | None
    digit: str | None = None
    named: tuple[tuple[str, str], ...] = ()
    displaced: str = ""
    _table: dict[int, str] = field(default_factory=dict, compare=False, repr=False)

    def char(self, c: str) -> str:
        """What ``c`` becomes in the folded text."""
        if "\ud800" <= c <= "\udfff":
            return "\ufffd"  # a lone surrogate cannot be encoded for RE2
        if self.word is None:
            return c
        named = dict(self.named)
        if c in named:
            return named[c]
        c = _ASCII_TWINS.get(c, c)
        if c.isascii():
            return self.word if c in self.displaced else c
        if c.isdecimal():
            return self.digit or c
        return self.word if _folds(c) else c

    def apply(self, text: str) -> str:
        """``text`` folded: each character replaced by what it becomes."""
        if text.isascii() and not self.displaced:
            return text
        for c in set(text):
            if ord(c) not in self._table:
                self._table[ord(c)] = self.char(c)
        return text.translate(self._table)


RAW = Fold(None)


def _mentioned(tokens: list[_Token]) -> tuple[set[str], list[tuple[str, str]]]:
    """Every character the pattern names, alone or in a class, and its classes' ranges."""
    chars: set[str] = set()
    ranges: list[tuple[str, str]] = []
    for token in tokens:
        if isinstance(token, _Char):
            chars.add(token.char)
        elif isinstance(token, _Class):
            chars.update(token.chars)
            ranges += token.ranges
    return chars, ranges


def _in_ranges(c: str, ranges: list[tuple[str, str]]) -> bool:
    return any(low <= c <= high for low, high in ranges)


def _range_folds(low: str, high: str) -> bool:
    """Whether a class range holds a character that folding would change (or may)."""
    start, end = max(ord(low), 128), ord(high)
    if end - start > 10_000:
        return True
    return any(_folds(chr(code)) for code in range(start, end + 1))


def _pairs(letters: set[str]) -> list[tuple[str, str]] | None:
    """The named letters as (lower, upper) pairs; None when one's cases do not pair."""
    pairs = set()
    for c in letters:
        low, up = c.lower(), c.upper()
        if len(low) != 1 or len(up) != 1 or low.upper() != up or up.lower() != low:
            return None
        pairs.add((low, up))
    return sorted(pairs)


def _unused(candidates: str, chars: set[str], ranges: list[tuple[str, str]]) -> list[str]:
    """The lower-case ``candidates`` the pattern names in neither case, alone or in a range."""
    named = {c.lower() for c in chars}
    return [
        c
        for c in candidates
        if c not in named and not _in_ranges(c, ranges) and not _in_ranges(c.upper(), ranges)
    ]


def _stand_ins(pairs: list[tuple[str, str]], spare: list[str]) -> tuple[tuple[str, str], ...]:
    """Each named letter and the spare ASCII letter that stands in for it, case for case."""
    named = [(low, stand) for (low, _), stand in zip(pairs, spare, strict=False)]
    named += [
        (up, stand.upper()) for (low, up), stand in zip(pairs, spare, strict=False) if up != low
    ]
    return tuple(sorted(set(named)))


def plan_fold(tokens: list[_Token]) -> Fold:
    """The fold under which RE2's ASCII ``\\b`` sees the words Python's ``re`` sees."""
    chars, ranges = _mentioned(tokens)
    if any(_range_folds(low, high) for low, high in ranges) or set(_ASCII_TWINS) & chars:
        return RAW
    spare = _unused(string.ascii_lowercase, chars, ranges)
    pairs = _pairs({c for c in chars if _folds(c)})
    underscore = "_" in chars or _in_ranges("_", ranges)
    if pairs is None or len(pairs) + underscore > len(spare):
        return RAW
    word = spare.pop() if underscore else "_"
    displaced = "".join(s + s.upper() for s in spare[: len(pairs)])
    digit = next(iter(_unused(string.digits, chars, ranges)), None)
    return Fold(word, digit, _stand_ins(pairs, spare), displaced)


# -- translation and matching -------------------------------------------------------------


def _literal(c: str) -> str:
    """``c`` in RE2's syntax, inside or outside a class."""
    return c if c.isalnum() else f"\\x{{{ord(c):x}}}"


def _class_text(token: _Class, named: dict[str, str]) -> str:
    items = "".join(_literal(named.get(c, c)) for c in token.chars)
    items += "".join(f"{_literal(low)}-{_literal(high)}" for low, high in token.ranges)
    items += "".join(_CLASS_ITEMS[e] for e in token.escapes if e in _CLASS_ITEMS)
    negatives = [_CLASSES[e] for e in token.escapes if e not in _CLASS_ITEMS]
    if not negatives:
        return f"[{'^' if token.negated else ''}{items}]"
    return "(?:" + "|".join(([f"[{items}]"] if items else []) + negatives) + ")"


def translate(tokens: list[_Token], fold: Fold) -> str:
    """The tokens in RE2's syntax, with the letters the fold names replaced."""
    named = dict(fold.named)
    out = []
    for token in tokens:
        if isinstance(token, _Verbatim):
            out.append(token.text)
        elif isinstance(token, _Char):
            out.append(_literal(named.get(token.char, token.char)))
        else:
            out.append(_class_text(token, named))
    return "".join(out)


@dataclass(frozen=True)
class Hit:
    """Where a pattern matched: offsets in the text as given, and the text matched."""

    start: int
    end: int
    text: str


@lru_cache(maxsize=16)
def _encoded(fold: Fold, text: str) -> bytes:
    """``text`` folded and encoded for RE2; kept while the patterns of a sentence run."""
    return fold.apply(text).encode("utf-8")


@dataclass(frozen=True)
class Pattern:
    """A compiled indicator pattern: as written, as RE2 reads it, and its fold."""

    source: str
    translated: str
    fold: Fold
    stepped: bool  # the match may only start where a character starts (see compile_pattern)
    regex: Any = field(compare=False, repr=False)

    def search(self, text: str) -> Hit | None:
        """The first match in ``text``, the one Python's ``re.search`` would find."""
        data = _encoded(self.fold, text)
        if self.stepped:
            found = self.regex.match(data)
            begin, end = found.span(1) if found is not None else (-1, -1)
        else:
            found = self.regex.search(data)
            begin, end = found.span() if found is not None else (-1, -1)
        if found is None:
            return None
        start = len(data[:begin].decode("utf-8"))
        stop = start + len(data[begin:end].decode("utf-8"))
        return Hit(start, stop, text[start:stop])


def _options() -> Any:
    options = re2.Options()
    options.case_sensitive = False  # indicator patterns are case-insensitive
    options.log_errors = False  # faults are reported by case check, not logged
    return options


_RE2_OPTIONS = _options()


def _check_python_syntax(source: str) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "possible nested set" and the like
            re.compile(source, re.IGNORECASE)
    except re.error as exc:
        raise PatternError(f"is not a regular expression: {exc}") from exc
    except (RecursionError, OverflowError) as exc:
        raise PatternError("is not a regular expression: nested too deeply") from exc


@lru_cache(maxsize=4096)
def compile_pattern(source: str) -> Pattern:
    """``source``, in Python's syntax, compiled for RE2; a PatternError says why it cannot
    be (not a regular expression, or a construct RE2 lacks, with the rewrite to use)."""
    _check_python_syntax(source)
    tokens = _Scanner(source).tokens()
    fold = plan_fold(tokens)
    translated = translate(tokens, fold)
    # RE2 reads bytes: \B holds inside a character of several bytes, where Python's re
    # never looks, so a pattern with \B is searched one whole character at a time.
    stepped = _Verbatim(r"\B") in tokens
    program = f"(?s:.)*?({translated})" if stepped else translated
    try:
        regex = re2.compile(program.encode("utf-8"), _RE2_OPTIONS)
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise PatternError(f"cannot run on RE2 ({detail})") from exc
    return Pattern(source, translated, fold, stepped, regex)


# -- screening --------------------------------------------------------------------------


@dataclass(frozen=True)
class Screen:
    """Which of several patterns may match a text, in one RE2 search per fold they use.

    For each fold the patterns are joined into one alternation, which matches somewhere
    exactly when one of them does, and into an RE2 set, which says which ones do. A set
    whose automaton runs out of memory answers "none" instead of failing; the alternation, a
    regular search, falls back to a slower automaton and stays right, so a text where the
    alternation matches and the set names nothing is answered "cannot tell" (None), and the
    caller searches every pattern. (A pattern searched a character at a time, with ``\\B``,
    is screened at every byte: it may be named where its own search finds nothing, never
    the other way round.)
    """

    groups: tuple[tuple[Fold, Any, Any, tuple[int, ...]], ...]  # alternation, set, numbers

    def passes(self, text: str) -> bool:
        """Whether one of the patterns may match ``text`` (never False when one does)."""
        return any(g[1].search(_encoded(g[0], text)) is not None for g in self.groups)

    def which(self, text: str) -> set[int] | None:
        """The numbers (positions in the tuple given to ``screen``) of the patterns that may
        match ``text``: every one that does is among them. None: cannot tell, try them all."""
        found: set[int] = set()
        for fold, alternation, members, numbers in self.groups:
            data = _encoded(fold, text)
            if alternation.search(data) is None:
                continue
            named = members.Match(data)
            if not named:
                return None
            found.update(numbers[k] for k in named)
        return found


def screen(patterns: tuple[Pattern, ...]) -> Screen | None:
    """One screen for ``patterns``; None when their alternation or set is too large for RE2
    (then every pattern must be searched)."""
    by_fold: dict[Fold, list[int]] = {}
    for number, pattern in enumerate(patterns):
        by_fold.setdefault(pattern.fold, []).append(number)
    groups = []
    for fold, numbers in by_fold.items():
        sources = [patterns[n].translated for n in numbers]
        program = "|".join(f"(?:{source})" for source in sources)
        try:
            alternation = re2.compile(program.encode("utf-8"), _RE2_OPTIONS)
            members = re2.Set.SearchSet(_RE2_OPTIONS)
            for source in sources:
                members.Add(source.encode("utf-8"))
            members.Compile()
        except re2.error:
            return None
        groups.append((fold, alternation, members, tuple(numbers)))
    return Screen(tuple(groups))
