"""Sentence-level events: actor, action, target and date, with a PLOVER-style category.

A small verb lexicon maps lemmas to categories of the PLOVER event ontology (Halterman et
al.); the actor is the verb's subject, the target its object, and the date the nearest
resolved date in the same sentence. Verbs inside quotes are skipped: a quote is evidence
of what someone said, not of an event; so are verbs in a sentence longer than
``syntax.MAX_SENTENCE_CHARS`` (a list or junk, whose parse says nothing, and whose text each
event would copy).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from spacy.tokens import Doc, Token

from tocsin.extract.lookup import Intervals, Ordered
from tocsin.extract.nlp import sentence_of, text_of
from tocsin.extract.syntax import tree
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
    parse = tree(doc)
    quoted = Intervals([(q.start, q.end) for q in quotes if q.kind != "indirect"])
    names, when = Ordered(mentions), Ordered(dates)
    events = []
    verbs = parse.where(
        "event-verb",
        lambda: parse.has("POS", {"VERB"}) & parse.has("LEMMA", CATEGORIES, lower=True),
    )
    for i in verbs:
        token = doc[i]
        if quoted.covers(token.idx) or not parse.readable(i):
            continue
        event = _event(doc, token, names, when)
        if event is not None:
            events.append(event)
    return events


def _event(
    doc: Doc, token: Token, names: Ordered[Mention], when: Ordered[DateMention]
) -> Event | None:
    """The event a lexicon verb reports, if it has a subject that names someone."""
    parse = tree(doc)
    kids = parse.children_of(token)
    subject = next((c for c in kids if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None or (subject.pos_ == "PRON" and subject.lower_ in ("it", "this", "that")):
        return None
    obj = next((c for c in kids if c.dep_ in ("dobj", "attr")), None)
    if obj is None:
        prep = next((c for c in kids if c.dep_ == "prep"), None)
        if prep is not None:
            obj = next((c for c in parse.children_of(prep) if c.dep_ == "pobj"), None)
    sent = sentence_of(doc, token.i)
    actor = _phrase(subject, names)
    target = _phrase(obj, names) if obj is not None else None
    date = _date_in(when, sent.start_char, sent.end_char, token.idx)
    text = text_of(doc)
    start, end = sent.start_char, sent.end_char
    while end > start and text[end - 1].isspace():
        end -= 1
    return Event(
        start=start,
        end=end,
        text=text[start:end],
        actor=actor[0],
        actor_key=actor[1],
        action=token.lemma_.lower(),
        target=target[0] if target else None,
        category=CATEGORIES[token.lemma_.lower()],
        date_start=date.date_start if date else None,
        date_end=date.date_end if date else None,
    )


def _phrase(token: Token, names: Ordered[Mention]) -> tuple[str, str | None]:
    """The mention the token belongs to (name and key), else its noun phrase."""
    parse = tree(token.doc)
    first, last = parse.subtree_bounds(token)
    s, e = first.idx, last.idx + len(last.text)
    own = _own(names, token.idx, s, e)
    if own is not None:
        return own.key, own.key
    inside = names.within(s, e)
    if token.pos_ == "PROPN" and inside:
        return names.items[inside[0]].key, names.items[inside[0]].key
    left, right = token.left_edge, token
    of = next((c for c in parse.children_of(token) if c.dep_ == "prep" and c.lower_ == "of"), None)
    if of is not None:
        right = of.right_edge  # "thousands of troops", "a column of armoured vehicles"
    phrase = text_of(token.doc)[left.idx : right.idx + len(right.text)]
    return phrase, None


def _own(names: Ordered[Mention], pos: int, start: int, end: int) -> Mention | None:
    """The first mention within [start, end) that holds character ``pos``."""
    if names.fast:  # then at most one mention holds it
        found = names.containing(pos)
        return found if found is not None and start <= found.start and found.end <= end else None
    return next(
        (m for m in names.items if start <= m.start and m.end <= end and m.start <= pos < m.end),
        None,
    )


def _date_in(dates: Ordered[DateMention], start: int, end: int, pos: int) -> DateMention | None:
    """The date in [start, end) whose start is nearest ``pos`` (the first on a tie)."""
    inside = dates.within(start, end)
    if not inside:
        return None
    if isinstance(inside, range):
        k = bisect_left(dates.starts, pos, inside.start, inside.stop)
        inside = [j for j in (inside.start, k - 1, k) if j in inside]
    best = min(inside, key=lambda j: (abs(dates.items[j].start - pos), j))
    return dates.items[best]
