"""Who speaks through a cue, read from the parse alone: the cue's subject outside the
quote, the object of 'according to', the one a relay cites ("Belta quoted Lukashenko as
telling …"), and the clause a speech verb reports. What the subject then stands for (a
name, a title, a pronoun) is ``speakers``' work.
"""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc, Token

from tocsin.extract.cue_words import SPEECH_VERBS, TITLE_NOUNS
from tocsin.extract.syntax import tree

_QUOTED_AS = frozenset({"quote", "cite"})  # "Lukashenko was quoted as saying"
_NAMED = ("PERSON", "ORG")


def cited(cue: Token) -> Token | None:
    """The one whose words a relay passes on: "Belta quoted Lukashenko as telling …",
    "news agencies cited the military as saying …" and "…, Belta reported, citing
    Lukashenko" give the words to Lukashenko and the military, not to the relay."""
    parse = tree(cue.doc)
    relay = cue
    if cue.head.lower_ == "as" and cue.head.head.lemma_.lower() in _QUOTED_AS:
        relay = cue.head.head  # the cue is "saying" of "quoted … as saying"
    if relay.lemma_.lower() in _QUOTED_AS and any(
        c.lower_ == "as" for c in parse.children_of(relay)
    ):
        return _object(relay)
    citing = (
        c
        for c in parse.children_of(cue)
        if c.dep_ in ("advcl", "xcomp", "conj") and c.lower_ in ("citing", "quoting")
    )
    found = next(citing, None)
    return _object(found) if found is not None else None


def _object(verb: Token) -> Token | None:
    return next((c for c in tree(verb.doc).children_of(verb) if c.dep_ == "dobj"), None)


def according_object(cue: Token) -> Token | None:
    parse = tree(cue.doc)
    to = next((c for c in parse.children_of(cue) if c.lower_ == "to"), None)
    if to is None:
        return None
    return next((c for c in parse.children_of(to) if c.dep_ == "pobj"), None)


def subject_of(doc: Doc, cue: Token, outside: Callable[[Token], bool]) -> Token | None:
    """The subject of ``cue`` outside the quote ("“… Total retreat,” said Bell": the parse
    may take 'retreat' for a second subject)."""
    parse = tree(doc)
    kids = parse.children_of(cue)
    inner = _inner_speaker(cue)
    subjects = [inner] if inner is not None and outside(inner) else []
    subjects = subjects or [c for c in kids if c.dep_ in ("nsubj", "nsubjpass") and outside(c)]
    agent = next((c for c in kids if c.dep_ == "agent"), None)
    if agent is not None:
        subjects = [c for c in parse.children_of(agent) if c.dep_ == "pobj"] or subjects
    subjects = subjects or [c for c in _climbing(cue) if outside(c)]
    if subjects:
        return _person_in_apposition(subjects[0])
    # "…,” said Shraibman: a parse that misses the inverted subject; or "…,” Chief Chuck
    # Jordan said Monday: one that hangs the name elsewhere.
    after = (t for t in doc[cue.i + 1 : cue.i + 3] if t.ent_type_ in _NAMED)
    return next(after, None) or _name_just_before(doc, cue, outside)


def _person_in_apposition(head: Token) -> Token:
    """The person a subject that names no one stands beside: "the election, Minyon Moore,
    a senior adviser, called …" (a parse that takes the date phrase for the subject) and
    "the group's leader, Jane Roe, said" both speak through the name."""
    if head.ent_type_ == "PERSON":
        return head
    titled = head.lemma_.lower() in TITLE_NOUNS
    named = (c for c in tree(head.doc).children_of(head) if c.dep_ == "appos")
    return next(
        (c for c in named if c.ent_type_ == "PERSON" or (titled and c.pos_ == "PROPN")), head
    )


def _name_just_before(doc: Doc, cue: Token, outside: Callable[[Token], bool]) -> Token | None:
    """The last word of a name that ends right before ``cue``, outside the quote."""
    before = doc[cue.i - 1] if cue.i > 0 else None
    if before is None or before.ent_type_ not in _NAMED or not outside(before):
        return None
    return before


def _climbing(cue: Token) -> list[Token]:
    """ "…, at times saying that …", "such as claiming that …": a participle or infinitive
    speaks through the subject of the clause it hangs from. Climbing, only an active
    subject speaks: in "asked for sanctions to be lifted … and promised to release …" the
    sanctions promise nothing; but one who "was quoted as saying" is the speaker."""
    parse = tree(cue.doc)
    up = cue
    for _ in range(4):
        if up.head == up:
            break
        up = up.head
        wanted = {"nsubj", "nsubjpass"} if up.lemma_.lower() in _QUOTED_AS else {"nsubj"}
        subjects = [c for c in parse.children_of(up) if c.dep_ in wanted]
        if subjects:
            return subjects
    return []


def main_complement(cue: Token) -> Token | None:
    """The clause a speech verb reports. With two ("Makei allegedly hinted, said Viačorka,
    that it is now necessary …"), the one that is not itself a speech verb, or that opens
    with 'that'."""
    parse = tree(cue.doc)
    clauses = [c for c in parse.children_of(cue) if c.dep_ == "ccomp"]
    if len(clauses) <= 1:
        return clauses[0] if clauses else None

    def rank(c: Token) -> tuple[bool, bool, int]:
        return (
            c.lemma_.lower() not in SPEECH_VERBS,
            any(m.dep_ == "mark" and m.lower_ == "that" for m in parse.children_of(c)),
            parse.summary(c).size[c.i],
        )

    return max(clauses, key=rank)


def _inner_speaker(cue: Token) -> Token | None:
    """In "Makei allegedly hinted, said Viačorka, that …", the words are Makei's, passed on
    by Viačorka: the subject of a speech verb that is the cue's other complement."""
    main = main_complement(cue)
    if main is None or main.i < cue.i:
        return None
    parse = tree(cue.doc)
    for c in parse.children_of(cue):
        if c.dep_ == "ccomp" and c.i < cue.i and c.lemma_.lower() in SPEECH_VERBS:
            subject = next((s for s in parse.children_of(c) if s.dep_ == "nsubj"), None)
            if subject is not None:
                return subject
    return None
