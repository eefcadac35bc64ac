"""Bodies every country has, resolved per country; countries named inside organisations.

A ministry of defence is no single entity: 'the Belarusian Ministry of Defence', "Russia's
defence ministry" and 'the British MoD' are three. The alias table knows which names are
such bodies (``per_country``) and the countries' names and adjectives
(``tocsin.extract.aliases``); here each body mention is given its country from the text,
the first of these that applies:

1. the name itself says it ('Armed Forces of the Republic of Belarus');
2. the words right beside it: a country or its adjective just before ("Russia's defence
   ministry", 'the Belarusian MoD' when spaCy keeps the adjective apart), or 'of (the)
   <country>' just after;
3. the same kind of body, named with its country in the last ``_SAME_KIND_SENTENCES``
   sentences ('the British Ministry of Defence said … The MoD added …');
4. the country named nearest before it, in its sentence or the one before; else the first
   named after it in its sentence;

else it stays the bare body ('Ministry of Defence'), which no country's body joins.

A country named inside an organisation's name ('Armed Forces of the Republic of Belarus',
'Bank of Russia', "Russia's defence ministry" taken whole) is a place mention of its own,
nested in the organisation's span.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Protocol

from spacy.tokens import Doc, Span

from tocsin.extract import nlp
from tocsin.extract.aliases import AliasEntry, AliasTable, Body

# How far back a body of the same kind stays the antecedent of a bare one.
_SAME_KIND_SENTENCES = 3
# What may stand between a country and its body: "Russia's defence ministry", "the
# Belarusian MoD"; 'Ministry of Defence of (the) Republic of Belarus'.
_BEFORE = re.compile(r"\s*(?:['’]s?)?\s*", re.S)
_AFTER = re.compile(r"\s+of\s+", re.S | re.I)
_THE = re.compile(r"the\s+", re.S | re.I)
# The most tokens a country's name has inside an organisation's name.
_COUNTRY_TOKENS = 6


class Named(Protocol):
    """A mention as the entity rules hold it: where, what, which label."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...

    @property
    def text(self) -> str: ...

    @property
    def label(self) -> str: ...


class _Cues:
    """Where the text names a country ('Belarus', 'Belarusian', 'Belarusians'), in order,
    and where its sentences start."""

    def __init__(self, doc: Doc, aliases: AliasTable, inside: Sequence[tuple[int, int, str]]):
        found: list[tuple[int, int, AliasEntry]] = []
        for ent in doc.ents:
            country = aliases.country(ent.text)
            if country is not None:
                found.append((ent.start_char, ent.end_char, country))
        for tok in doc:  # 'the Lithuanian CEC', where the model saw no nationality
            if tok.text[:1].isupper() and not tok.ent_type_:
                country = aliases.country(tok.text)
                if country is not None:
                    found.append((tok.idx, tok.idx + len(tok.text), country))
        for start, end, text in inside:
            country = aliases.country(text)
            if country is not None:
                found.append((start, end, country))
        found.sort(key=lambda c: c[0])
        self.starts = [c[0] for c in found]
        self.ends = [c[1] for c in found]
        self.countries = [c[2] for c in found]
        self.by_end = {c[1]: c[2] for c in found}
        self.by_start = {c[0]: c[2] for c in found}
        self.sentences = [s.start_char for s in nlp.sentences(doc)] or [0]

    def sentence(self, pos: int) -> int:
        """The number of the sentence holding character ``pos``."""
        return max(0, bisect_right(self.sentences, pos) - 1)

    def bounds(self, number: int) -> tuple[int, int]:
        """The first character of sentence ``number`` and of the one after it."""
        start = self.sentences[max(0, number)]
        after = number + 1
        return start, self.sentences[after] if after < len(self.sentences) else 1 << 62

    def before(self, pos: int, floor: int) -> AliasEntry | None:
        """The country named last before ``pos`` (ending by it), not before ``floor``."""
        k = bisect_right(self.starts, pos) - 1
        while k >= 0 and self.ends[k] > pos:
            k -= 1
        return self.countries[k] if k >= 0 and self.starts[k] >= floor else None

    def after(self, pos: int, ceiling: int) -> AliasEntry | None:
        """The first country named from ``pos`` on, starting before ``ceiling``."""
        k = bisect_left(self.starts, pos)
        return self.countries[k] if k < len(self.starts) and self.starts[k] < ceiling else None


class _Resolver:
    """Gives each body mention its country, in the order of the text."""

    def __init__(self, doc: Doc, aliases: AliasTable, cues: _Cues) -> None:
        self.text = nlp.text_of(doc)
        self.aliases = aliases
        self.cues = cues
        self.seen: dict[str, tuple[int, AliasEntry]] = {}  # kind -> (sentence, country)

    def key(self, name: Named) -> str | None:
        """The canonical name of the body ``name`` names, or None when it names none."""
        body = self.aliases.body(name.text)
        if body is None:
            return None
        sentence = self.cues.sentence(name.start)
        country = body.country or self._beside(name) or self._in_context(body, name, sentence)
        if country is not None:
            self.seen[body.kind.canonical] = (sentence, country)
        return Body(body.kind, country).canonical

    def _beside(self, name: Named) -> AliasEntry | None:
        """A country just before the body's name, or 'of (the) <country>' just after it."""
        text = self.text
        for end, country in self._ending_near(name.start):
            if _BEFORE.fullmatch(text, end, name.start):
                return country
        after = _AFTER.match(text, name.end)
        if after is None:
            return None
        found = self.cues.by_start.get(after.end())  # '… of the Republic of Belarus' whole
        the = _THE.match(text, after.end())
        if found is None and the is not None:
            found = self.cues.by_start.get(the.end())  # '… of the' + 'Republic of Belarus'
        return found

    def _ending_near(self, pos: int) -> list[tuple[int, AliasEntry]]:
        """Countries named in the few characters before ``pos`` (the nearest first)."""
        k = bisect_right(self.cues.ends, pos)
        return [
            (self.cues.ends[j], self.cues.countries[j])
            for j in range(k - 1, max(-1, k - 3), -1)
            if pos - self.cues.ends[j] <= 4
        ]

    def _in_context(self, body: Body, name: Named, sentence: int) -> AliasEntry | None:
        """The same kind of body named with its country lately, else the nearest country."""
        seen = self.seen.get(body.kind.canonical)
        if seen is not None and sentence - seen[0] <= _SAME_KIND_SENTENCES:
            return seen[1]
        floor, _ = self.cues.bounds(sentence - 1)
        _, ceiling = self.cues.bounds(sentence)
        return self.cues.before(name.start, floor) or self.cues.after(name.end, ceiling)


def countries_inside(
    doc: Doc, names: Sequence[Named], aliases: AliasTable
) -> list[tuple[int, int, str]]:
    """Countries named inside organisations' names, as (start, end, text): in a body's name
    anywhere, in another organisation's after 'of' ('Bank of Russia') or as its owner
    ("Russia's …"), never as the first word of a name of its own ('Belarus Free Theatre')."""
    found = []
    for name in names:
        if name.label != "ORG":
            continue
        span = doc.char_span(name.start, name.end, alignment_mode="expand")
        if span is None or len(span) < 2:
            continue
        body = aliases.body(name.text) is not None
        i = 0
        while i < len(span):
            hit = _country_at(span, i, aliases)
            if hit and (body or _owned(span, hit) or _after_of(span, i)):
                inner = span[i:hit]
                found.append((inner.start_char, inner.end_char, inner.text))
                i = hit
            else:
                i += 1
    return found


def _country_at(span: Span, i: int, aliases: AliasTable) -> int:
    """The end (index in ``span``) of a country's name starting at token ``i``, else 0."""
    for n in range(min(_COUNTRY_TOKENS, len(span) - i), 0, -1):
        if aliases.country_named(span[i : i + n].text) is not None:
            return i + n
    return 0


def _owned(span: Span, end: int) -> bool:
    """ "Russia's …": the country owns what follows it."""
    return end < len(span) and span[end].text in ("'s", "’s", "'", "’")


def _after_of(span: Span, i: int) -> bool:
    """'… of (the) Russia': the country completes the name."""
    words = [span[k].lower_ for k in range(max(0, i - 2), i)]
    return bool(words) and (words[-1] == "of" or words == ["of", "the"])


def body_keys(
    doc: Doc, names: Sequence[Named], aliases: AliasTable, cues: _Cues
) -> list[str | None]:
    """For each of ``names`` in order of the text, the canonical name of the country's body
    it names ('Ministry of Defence of Belarus'), or None when it names no such body."""
    resolver = _Resolver(doc, aliases, cues)
    return [resolver.key(name) if name.label == "ORG" else None for name in names]


def resolve(
    doc: Doc, names: Sequence[Named], aliases: AliasTable
) -> tuple[list[str | None], list[tuple[int, int, str]]]:
    """The body key of each name (see ``body_keys``) and the countries nested in names."""
    inside = countries_inside(doc, names, aliases)
    cues = _Cues(doc, aliases, inside)
    return body_keys(doc, names, aliases, cues), inside
