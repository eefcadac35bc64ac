"""Reported beliefs, intentions and stances, and the topics of speech and stance.

"X believes / fears / expects that …" reports a clause, as "X said that …" does; "X wants /
plans / vowed to …" an infinitive; "X is confident / afraid that …" a clause after an
adjective; "X called for …" the thing called for, and "X called Y a Z" the description.
These are beliefs (``reports="belief"``). A noun phrase a source spoke about or took a
stance on is a topic (``reports="topic"``): "criticised the plan", "talked about the
war", "is worried about turnout", "announced the arrest of a man …".

Such a cue needs an active subject: in "Clinton is expected to visit", nobody is said to
expect anything (the passive has no source), and the stance is the subject's own only when
that subject is a person or a body (``speakers.can_speak`` with ``strict``).
"""

from __future__ import annotations

from spacy.tokens import Token

from tocsin.extract.cue_words import (
    ADDRESSEE_VERBS,
    ATTITUDE_VERBS,
    BELIEF_NOUNS,
    BELIEF_VERBS,
    INTENTION_VERBS,
    SPEECH_VERBS,
    STANCE_ADJECTIVES,
    TOPIC_PREPOSITIONS,
)
from tocsin.extract.syntax import tree
from tocsin.models.evidence import Reported

_PASSIVE = frozenset({"nsubjpass", "auxpass", "csubjpass"})
_EMPTY_OBJECTS = frozenset({"PRON", "NUM", "DET"})  # "said it", "noted this", "added two"
Content = tuple[int, int, Reported]


def is_stance(cue: Token) -> bool:
    """A belief, intention or attitude verb that is not a speech verb, a stance
    adjective, or a noun for a belief."""
    if cue.pos_ == "ADJ":
        return cue.lower_ in STANCE_ADJECTIVES
    if cue.pos_ == "NOUN":
        return cue.lemma_.lower() in BELIEF_NOUNS
    lemma = cue.lemma_.lower()
    return lemma not in SPEECH_VERBS and lemma in BELIEF_VERBS | INTENTION_VERBS | ATTITUDE_VERBS


def stance_content(cue: Token) -> Content | None:
    """What the stance ``cue`` reports, in characters, and whether it is a belief or a
    topic; None when it reports nothing or has no source."""
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
            return (*_bounds(clause), "belief")
    if lemma == "call":
        return _called(cue, kids)
    return topic(cue)


def noun_content(cue: Token) -> Content | None:
    """What a claim or belief noun reports: its 'that' clause or its infinitive ("the
    claim that …", "his eagerness to …"); a speech noun reports speech."""
    parse = tree(cue.doc)
    for kid in parse.children_of(cue):
        if kid.dep_ not in ("acl", "ccomp") or kid.i < cue.i:
            continue
        marks = {c.lower_ for c in parse.children_of(kid) if c.dep_ in ("mark", "aux")}
        if marks & {"that", "to"}:
            reported: Reported = "belief" if is_stance(cue) else "speech"
            return (*_bounds(kid), reported)
    return None


def noun_source(cue: Token) -> Token | None:
    """Whose claim or belief a noun reports: its possessor ("police's claim", "his
    fear") or the object of 'from' or 'by' ("warnings from his attorney")."""
    parse = tree(cue.doc)
    for kid in parse.children_of(cue):
        if kid.dep_ == "poss":
            return kid
        if kid.dep_ == "prep" and kid.lower_ in ("from", "by"):
            return next((c for c in parse.children_of(kid) if c.dep_ == "pobj"), None)
    return None


_SOURCE_VERBS = frozenset({"cite", "quote"})


def topic(cue: Token) -> Content | None:
    """The noun phrase a speech or stance cue is about: its object ("criticised the
    plan"; not the addressee of "told reporters"), or the object of 'about', 'of', 'on',
    'against' ("talked about the war", "is critical of the deal")."""
    parse = tree(cue.doc)
    kids = parse.children_of(cue)
    if cue.lemma_.lower() in _SOURCE_VERBS and any(
        k.dep_ == "dobj" and k.ent_type_ in ("PERSON", "ORG") for k in kids
    ):
        return None  # "citing Lukashenko": a source, not what is spoken of
    if cue.lemma_.lower() not in ADDRESSEE_VERBS:
        obj = next((k for k in kids if k.dep_ == "dobj"), None)
        if obj is not None and obj.pos_ not in _EMPTY_OBJECTS:
            return (*_bounds(obj), "topic")
    for prep in kids:
        if prep.dep_ == "prep" and prep.lower_ in TOPIC_PREPOSITIONS:
            obj = next((c for c in parse.children_of(prep) if c.dep_ in ("pobj", "pcomp")), None)
            if obj is not None and obj.pos_ not in _EMPTY_OBJECTS:
                return (*_bounds(obj), "topic")
    return None


def _called(cue: Token, kids: list[Token]) -> Content | None:
    """ "called for talks" -> 'talks'; "called the charges fabricated" -> 'the charges
    fabricated'; "called on Congress to act" -> 'Congress to act'."""
    parse = tree(cue.doc)
    for prep in (k for k in kids if k.dep_ == "prep" and k.lower_ in ("for", "on")):
        obj = next((c for c in parse.children_of(prep) if c.dep_ in ("pobj", "pcomp")), None)
        if obj is not None:
            first, last = _bounds(obj)
            rest = [c for c in kids if c.dep_ in ("xcomp", "ccomp") and c.i > obj.i]
            return first, _bounds(rest[0])[1] if rest else last, "belief"
    obj = next((k for k in kids if k.dep_ == "dobj"), None)
    described = next((k for k in kids if k.dep_ in ("oprd", "ccomp", "xcomp")), None)
    if obj is not None and described is not None and described.i > obj.i:
        return _bounds(obj)[0], _bounds(described)[1], "belief"
    return None


def _bounds(token: Token) -> tuple[int, int]:
    first, last = tree(token.doc).subtree_bounds(token)
    return first.idx, last.idx + len(last.text)
