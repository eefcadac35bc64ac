"""Sentence-level events: actor, action, target and date, with a PLOVER-style category.

A small verb lexicon maps lemmas to categories of the PLOVER event ontology (Halterman et
al.); the actor is the verb's subject, the target its object, and the date the nearest
resolved date in the same sentence. Verbs inside quotes are skipped: a quote is evidence
of what someone said, not of an event.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc, Token

from tocsin.extract.nlp import sentence_of, text_of
from tocsin.models.evidence import DateMention, Event, Mention, Quote

CATEGORIES: dict[str, str] = {
    **dict.fromkeys(
        "mobilise mobilize deploy redeploy mass station amass reinforce call-up conscript "
        "enlist draft".split(),
        "MOBILIZE",
    ),
    **dict.fromkeys(
        "agree cooperate sign ally support host allow mediate pardon release".split(),
        "COOPERATE",
    ),
    **dict.fromkeys(["threaten", "warn", "ultimatum"], "THREATEN"),
    **dict.fromkeys(["demand", "urge", "insist", "request", "ask"], "DEMAND"),
    **dict.fromkeys(
        ["meet", "visit", "discuss", "talk", "negotiate", "summon", "consult"], "CONSULT"
    ),
    **dict.fromkeys(["accuse", "blame", "condemn", "denounce"], "ACCUSE"),
    **dict.fromkeys(["attack", "strike", "invade", "shell", "bomb", "launch", "fire"], "ASSAULT"),
    **dict.fromkeys(["sanction", "embargo", "expel"], "COERCE"),
    **dict.fromkeys(["send", "transfer", "supply", "provide", "deliver", "hand"], "AID"),
    **dict.fromkeys(["withdraw", "retreat", "pull"], "RETREAT"),
    **dict.fromkeys(["order", "announce", "declare", "form", "create", "establish"], "ANNOUNCE"),
}


def extract_events(
    doc: Doc,
    mentions: Sequence[Mention],
    quotes: Sequence[Quote],
    dates: Sequence[DateMention],
) -> list[Event]:
    """One event per lexicon verb with a subject, outside quotes."""
    text = text_of(doc)
    quoted = [(q.start, q.end) for q in quotes if q.kind != "indirect"]
    events = []
    for token in doc:
        if token.pos_ != "VERB":
            continue
        category = CATEGORIES.get(token.lemma_.lower())
        if category is None or any(s <= token.idx < e for s, e in quoted):
            continue
        subject = next((c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is None or (subject.pos_ == "PRON" and subject.lower_ in ("it", "this", "that")):
            continue
        obj = next((c for c in token.children if c.dep_ in ("dobj", "attr")), None)
        if obj is None:
            prep = next((c for c in token.children if c.dep_ == "prep"), None)
            obj = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep else None
        sent = sentence_of(doc, token.i)
        actor = _phrase(subject, mentions)
        target = _phrase(obj, mentions) if obj is not None else None
        when = _date_in(dates, sent.start_char, sent.end_char, token.idx)
        start, end = sent.start_char, sent.end_char
        while end > start and text[end - 1].isspace():
            end -= 1
        events.append(
            Event(
                start=start,
                end=end,
                text=text[start:end],
                actor=actor[0],
                actor_key=actor[1],
                action=token.lemma_.lower(),
                target=target[0] if target else None,
                category=category,
                date_start=when.date_start if when else None,
                date_end=when.date_end if when else None,
            )
        )
    return events


def _phrase(token: Token, mentions: Sequence[Mention]) -> tuple[str, str | None]:
    """The mention the token belongs to (name and key), else its noun phrase."""
    subtree = list(token.subtree)
    s, e = subtree[0].idx, subtree[-1].idx + len(subtree[-1].text)
    inside = [m for m in mentions if s <= m.start and m.end <= e]
    own = [m for m in inside if m.start <= token.idx < m.end]
    if own:
        return own[0].key, own[0].key
    if token.pos_ == "PROPN" and inside:
        return inside[0].key, inside[0].key
    left, right = token.left_edge, token
    of = next((c for c in token.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    if of is not None:
        right = of.right_edge  # "thousands of troops", "a column of armoured vehicles"
    phrase = text_of(token.doc)[left.idx : right.idx + len(right.text)]
    return phrase, None


def _date_in(dates: Sequence[DateMention], start: int, end: int, pos: int) -> DateMention | None:
    inside = [d for d in dates if start <= d.start and d.end <= end]
    if not inside:
        return None
    return min(inside, key=lambda d: abs(d.start - pos))
