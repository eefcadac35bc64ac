"""Reported beliefs, intentions and stances: what a source thinks, wants or calls for.

"X believes / fears / expects that …" reports a clause, as "X said that …" does; "X wants /
plans / vowed to …" an infinitive; "X is confident / afraid that …" a clause after an
adjective; "X called for …" the thing called for, and "X called Y a Z" the description.
Such a cue needs an active subject: in "Clinton is expected to visit", nobody is said to
expect anything (the passive has no source), and it is the subject's own stance only
when that subject is a person or a body (``speakers.can_speak`` with ``strict``).
"""

from __future__ import annotations

from spacy.tokens import Token

from tocsin.extract.cue_words import (
    BELIEF_VERBS,
    INTENTION_VERBS,
    SPEECH_VERBS,
    STANCE_ADJECTIVES,
)
from tocsin.extract.syntax import tree

_PASSIVE = frozenset({"nsubjpass", "auxpass", "csubjpass"})


def is_stance(cue: Token) -> bool:
    """A belief or intention verb that is not a speech verb, or a stance adjective."""
    if cue.pos_ == "ADJ":
        return cue.lower_ in STANCE_ADJECTIVES
    lemma = cue.lemma_.lower()
    return lemma not in SPEECH_VERBS and lemma in BELIEF_VERBS | INTENTION_VERBS


def stance_clause(cue: Token) -> tuple[int, int] | None:
    """Where the belief or intention ``cue`` reports runs, in characters, or None."""
    parse = tree(cue.doc)
    kids = parse.children_of(cue)
    if any(k.dep_ in _PASSIVE for k in kids):
        return None  # "is expected to": no source holds the stance
    lemma = cue.lemma_.lower()
    wanted = ["ccomp"]
    if lemma in INTENTION_VERBS or cue.pos_ == "ADJ":
        wanted.append("xcomp")
    for dep in wanted:
        clause = next((k for k in kids if k.dep_ == dep), None)
        if clause is not None:
            return _bounds(clause)
    return _called(cue, kids) if lemma == "call" else None


def _called(cue: Token, kids: list[Token]) -> tuple[int, int] | None:
    """ "called for talks" -> 'talks'; "called the charges fabricated" -> 'the charges
    fabricated'; "called on Congress to act" -> 'Congress to act'."""
    parse = tree(cue.doc)
    for prep in (k for k in kids if k.dep_ == "prep" and k.lower_ in ("for", "on")):
        obj = next((c for c in parse.children_of(prep) if c.dep_ == "pobj"), None)
        if obj is not None:
            first, _ = _bounds(obj)
            rest = [c for c in kids if c.dep_ in ("xcomp", "ccomp") and c.i > obj.i]
            return first, _bounds(rest[0])[1] if rest else _bounds(obj)[1]
    obj = next((k for k in kids if k.dep_ == "dobj"), None)
    described = next((k for k in kids if k.dep_ in ("oprd", "ccomp", "xcomp")), None)
    if obj is not None and described is not None and described.i > obj.i:
        return _bounds(obj)[0], _bounds(described)[1]
    return None


def _bounds(token: Token) -> tuple[int, int]:
    first, last = tree(token.doc).subtree_bounds(token)
    return first.idx, last.idx + len(last.text)
