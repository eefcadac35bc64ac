"""What a figure measures, read from the dependency parse (see ``quantities``).

Every step climbs or looks around the parse from the figure; the answers that figures
share (the noun a compound chain ends in, a verb's subject, what a preposition governs)
are kept per Doc, so that many figures hanging off one word are read in linear time.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from tocsin.extract.counted import multiplies, scope
from tocsin.extract.numerals import family
from tocsin.extract.ranges import NAME_LABELS, NOUNS, Phrase, outward
from tocsin.extract.syntax import tree

_MEASURE_STOP_LABELS = NAME_LABELS | {"DATE", "TIME", "CARDINAL", "ORDINAL"}
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
_MODIFIER_DEPS = {"compound", "amod", "nmod"}
# Verbs that give a total of their subject: 'Russian troops in Belarus number 30,000'.
_TOTAL_VERBS = {"number", "total", "reach", "exceed", "top", "surpass"}
_NUMERIC_DEPS = {"nummod", "compound", "nmod", "amod", "quantmod"}
# A measure names a thing with at most this many classifying words before it ('battalion
# tactical group'; the benchmark corpora need 3).
_MAX_MODIFIERS = 6


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
        return (
            tok.tag_ == "JJ"
            and not tree(tok.doc).has_children(tok)
            and tok.lower_ not in _NON_CLASSIFYING
        )
    if tok.pos_ == "VERB":
        return tok.tag_ == "VBN" and not tree(tok.doc).has_children(tok)
    return tok.pos_ == "NOUN"


@dataclass
class Measure:
    text: str | None
    comparative: bool = False
    scope: str | None = None  # whose, where, or what people did (``counted.scope``)


def _compounds_on(tok: Token) -> bool:
    """'ten battalion tactical groups': the number sits on 'battalion', part of a noun."""
    return tok.dep_ in ("compound", "nmod") and tok.head.i > tok.i and tok.head.pos_ in NOUNS


def _noun_measure(tok: Token, floor: int = 0, depth: int = 0) -> Measure:
    """The measure named by a noun: its lemma with compounds and classifying adjectives.

    Modifiers are read leftwards from the noun, no further back than token ``floor`` (the
    end of the figure, so that '64km convoy' is a 'convoy').
    """
    tok = tree(tok.doc).up_to("compound", tok, lambda t: not _compounds_on(t))
    if tok.pos_ not in NOUNS or depth > 3:
        return Measure(None)
    if tok.lemma_.lower() in _CONTAINERS:
        # 'a higher level of approval': compared with a figure before, so it measures that
        comparative, inner = _container(tok)
        if inner is not None:
            found = _noun_measure(inner, floor, depth + 1)
            return Measure(found.text, found.comparative or comparative)
    doc = tok.doc
    words = [_head_lemma(tok)]
    kept = {tok.i}
    j = tok.i - 1
    while j >= floor and len(words) <= _MAX_MODIFIERS and _classifies(doc[j], kept):
        words.insert(0, doc[j].lower_)
        kept.add(doc[j].i)
        j -= 1
    return Measure(" ".join(words))


def _container(tok: Token) -> tuple[bool, Token | None]:
    """For a quantity noun: whether a comparative grades it, and the object of its 'of'."""

    def compute() -> tuple[bool, int | None]:
        parse = tree(tok.doc)
        kids = parse.children_of(tok)
        comparative = any(c.tag_ in ("JJR", "RBR") and c.i < tok.i for c in kids)
        for prep in kids:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                objs = [c for c in parse.children_of(prep) if c.dep_ == "pobj"]
                if objs:
                    return comparative, objs[0].i
        return comparative, None

    comparative, inner = tree(tok.doc).kept("container", tok.i, compute)
    return comparative, tok.doc[inner] if inner is not None else None


def _of_object(tok: Token) -> Token | None:
    return _prep_object(tok, "of")


def _subject(verb: Token, phrase: Phrase) -> Token | None:
    """What a figure attached to ``verb`` describes: its noun subject, but the object of a
    transitive verb ('approved a budget ..., up from $1.5tn'), and for 'there are ...' the
    noun that is there."""
    roles = tree(verb.doc).kept("roles", verb.i, lambda: _roles(verb))

    def first_outside(found: list[int]) -> Token | None:
        k = 0 if not found or found[0] < phrase.start else bisect_left(found, phrase.end)
        return verb.doc[found[k]] if k < len(found) else None

    expl = roles["expl"]
    if expl and (expl[0] < phrase.start or expl[-1] >= phrase.end):
        found = first_outside(roles["attr"])
        if found is not None:
            return found
    found = first_outside(roles["dobj"])
    return found if found is not None else first_outside(roles["nsubj"])


def _roles(verb: Token) -> dict[str, list[int]]:
    """The verb's children by role, in order: expletives, and nouns as attribute, object
    and subject."""
    roles: dict[str, list[int]] = {"expl": [], "attr": [], "dobj": [], "nsubj": []}
    for c in tree(verb.doc).children_of(verb):
        if c.dep_ == "expl":
            roles["expl"].append(c.i)
        elif c.pos_ in NOUNS and c.dep_ in ("attr", "dobj"):
            roles[c.dep_].append(c.i)
        elif c.pos_ in NOUNS and c.dep_ in ("nsubj", "nsubjpass"):
            roles["nsubj"].append(c.i)
    return roles


def _predicate(verb: Token, depth: int = 0) -> str | None:
    """What the subject does or is: 'are ready to support' -> 'support'; negation kept."""
    if depth > 4:
        return None
    return tree(verb.doc).kept("predicate", (verb.i, depth), lambda: _read_predicate(verb, depth))


def _read_predicate(verb: Token, depth: int) -> str | None:
    parse = tree(verb.doc)
    kids = parse.children_of(verb)
    negated = any(c.dep_ == "neg" for c in kids)
    result: str | None = None
    if verb.lemma_ == "be":
        result = _state(verb, kids, depth)
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


def _state(verb: Token, kids: list[Token], depth: int) -> str | None:
    """What 'be' says the subject is: 'ready to support', 'a majority', 'in favour'."""
    parse = tree(verb.doc)
    for c in kids:
        if c.dep_ == "acomp":
            inner = [x for x in parse.children_of(c) if x.dep_ in ("xcomp", "ccomp")]
            return _predicate(inner[0], depth + 1) if inner else c.lemma_.lower()
        if c.dep_ == "attr" and c.pos_ in NOUNS:
            return _noun_measure(c).text
        if c.dep_ == "prep":
            objs = [x for x in parse.children_of(c) if x.dep_ == "pobj" and x.pos_ in NOUNS]
            return _head_lemma(objs[0]) if objs else c.lower_
    return None


def _governor(doc: Doc, phrase: Phrase) -> tuple[str, Token | None]:
    """How the figure hangs in the sentence: (relation, governing token).

    A figure inside a prepositional phrase ('to 28 per cent', 'from 45,000 to 80,000',
    'up to 7k') reports 'prep' and the word the preposition attaches to, climbing through
    adverbs ('up from 9%') to the verb or noun.
    """
    out = outward(doc, phrase)
    if not out:
        return "", None
    numeric = [t for t in out if t.i in phrase.numerals or t.i >= phrase.numerals[0]]
    tok = (numeric or out)[-1]
    if tok.head.i == tok.i:
        return "ROOT", None
    if tok.i < phrase.numerals[0]:
        rel, gov = "prep", tok.head  # the qualifier carries the attachment
    elif tok.dep_ == "pobj":
        prep = tok.head
        if prep.lower_ == "of" and prep.head.pos_ in NOUNS:
            return "of", prep.head
        rel, gov = "prep", prep.head
    else:
        return tok.dep_, tok.head
    return rel, tree(doc).up_to("not-adverb", gov, lambda t: t.pos_ not in ("ADV", "ADP"))


def _named(tok: Token, phrase: Phrase) -> Measure:
    """The measure a noun names, reading no modifier from inside the figure itself."""
    return _noun_measure(tok, phrase.end if tok.i >= phrase.end else 0)


def _size_of(tok: Token, phrase: Phrase) -> Measure:
    """'a budget of €2.3bn' measures the budget, but 'a country of 9.5 million' counts what
    the country holds: its size, which must not group with 'two countries'."""
    measure = _named(tok, phrase)
    if measure.text is None or tok.lemma_.lower() in _CONTAINERS or phrase.unit is not None:
        return measure
    return Measure(measure.text + " size", measure.comparative)


def _counted(tok: Token, phrase: Phrase) -> Measure:
    """The measure a counted noun names, with its scope ('Russian troops in Belarus')."""
    found = _named(tok, phrase)
    return Measure(found.text, found.comparative, scope(tok, found.text))


def _count_measure(doc: Doc, phrase: Phrase) -> Measure:
    """What a count (or a sum of money) counts."""
    for k in range(phrase.start, phrase.end):
        obj = _of_object(doc[k])
        if obj is not None and obj.i >= phrase.end:
            return _counted(obj, phrase)  # 'dozens of journalists', '$6bn of investments'
    rel, gov = _governor(doc, phrase)
    if gov is None:
        return Measure(None)
    if rel in _NUMERIC_DEPS and gov.pos_ in NOUNS and gov.i >= phrase.end:
        return _counted(gov, phrase)
    if rel == "appos" and gov.pos_ in NOUNS:
        return _counted(gov, phrase)
    if rel == "of" and gov.pos_ in NOUNS:
        return _size_of(gov, phrase)  # 'the country of 9.5 million' -> 'country size'
    if rel == "prep" and gov.pos_ in NOUNS:
        changed = _prep_object(gov, "in")  # 'an increase in the armed forces from A to B'
        return _counted(changed if changed is not None else gov, phrase)
    if gov.pos_ in ("VERB", "AUX"):
        return _verb_measure(gov, rel, phrase)
    return Measure(None)


def _verb_measure(verb: Token, rel: str, phrase: Phrase) -> Measure:
    """What a count hanging off a verb counts: its predicate ('120 injured'), or the noun
    the verb says it of ('there are few troops, up to 7k'; 'troops number 30,000')."""
    if rel in ("nsubj", "nsubjpass"):
        return Measure(_predicate(verb))
    if rel in ("attr", "acomp", "prep", "advmod", "npadvmod", "appos") or (
        rel == "dobj" and verb.lemma_.lower() in _TOTAL_VERBS
    ):
        subject = _subject(verb, phrase)
        if subject is not None:
            return _counted(subject, phrase)
    return Measure(None)


def _ratio_measure(doc: Doc, phrase: Phrase) -> Measure:
    """What a multiplier multiplies (``counted.multiplies``); nothing for repetitions."""
    verb, noun = multiplies(doc, phrase)
    if noun is not None:
        return _named(noun, phrase)
    return Measure(verb)


def _prep_object(tok: Token, word: str) -> Token | None:
    """The noun object of ``tok``'s preposition ``word``."""

    def compute() -> int | None:
        parse = tree(tok.doc)
        for prep in parse.children_of(tok):
            if prep.dep_ == "prep" and prep.lower_ == word:
                for obj in parse.children_of(prep):
                    if obj.dep_ == "pobj" and obj.pos_ in NOUNS:
                        return obj.i
        return None

    found = tree(tok.doc).kept("prep-object", (tok.i, word), compute)
    return tok.doc[found] if found is not None else None


def _percent_measure(doc: Doc, phrase: Phrase) -> Measure:
    """What a share is a share of doing or being (never the population after 'of')."""
    rel, gov = _governor(doc, phrase)
    if gov is None:
        return Measure(None)
    if rel in ("appos", "of") and gov.pos_ in NOUNS:
        return _named(gov, phrase)  # 'a higher level of approval -- up to 11%'
    if rel in _NUMERIC_DEPS and gov.pos_ in NOUNS and gov.i >= phrase.end:
        return _named(gov, phrase)  # 'a 90% level of combat power'
    if rel in ("nsubj", "nsubjpass") and gov.pos_ in ("VERB", "AUX"):
        return Measure(_predicate(gov))  # '10% of Belarusians supported ...'
    if rel in ("attr", "acomp", "prep", "dobj") and gov.pos_ in ("VERB", "AUX"):
        subject = _subject(gov, phrase)
        if subject is not None:
            return _named(subject, phrase)  # 'support ... is between 6 and 11 percent'
    if rel == "prep" and gov.pos_ in NOUNS:
        changed = _prep_object(gov, "in")
        return _named(changed if changed is not None else gov, phrase)
    return Measure(None)


def _physical_measure(doc: Doc, phrase: Phrase) -> Measure:
    """A length or weight measures the noun it describes ('a 64km convoy'), if any."""
    rel, gov = _governor(doc, phrase)
    if gov is None:
        return Measure(None)
    if rel in _NUMERIC_DEPS and gov.pos_ in NOUNS and gov.i >= phrase.end:
        return _counted(gov, phrase)
    if rel == "of" and gov.pos_ in NOUNS:
        return _counted(gov, phrase)
    return Measure(None)


def measure(doc: Doc, phrase: Phrase) -> Measure:
    """What the figure ``phrase`` measures (see the module docstring of ``quantities``)."""
    kind = family(phrase.unit)
    if kind == "duration":
        return Measure(None)
    if kind == "ratio":
        return _ratio_measure(doc, phrase)
    if kind in ("percent", "percentage point"):
        return _percent_measure(doc, phrase)
    if kind in ("count", "money"):
        return _count_measure(doc, phrase)
    return _physical_measure(doc, phrase)
