"""Sentence-level events: actor, action, target, date, PLOVER category and mode.

A verb lexicon maps lemmas to categories of the PLOVER event ontology (Halterman et al.);
light verbs ("join", "take part in", "hold", "carry out") take the category of the event
noun they govern ("join the invasion": ASSAULT, "hold drills": MOBILIZE), and moving troops
is a mobilisation whatever the verb ("sent troops"). The actor is the verb's subject (for a
verb with none, "threatened to deploy", the subject of the verb it depends on), the target
its object, and the date the nearest resolved date in the same sentence.

How the sentence reports the action is its ``mode`` (``tocsin.extract.modality``, read from
the parse): asserted, denied, refused, threatened, planned, hypothetical or reported. A
refused or denied action is a REJECT and a threatened one a THREATEN, the action's own
category kept as ``action_category``: "Minsk won't allow Russia to attack" is REJECT of
COOPERATE, never a cooperation; "Lukashenko threatened to deploy troops" is one event,
THREATEN of MOBILIZE, the action of the verb 'deploy'. An action only asked for ("urged
Minsk to deploy") gives no event of its own: the request is one.

Verbs inside quotes are skipped: a quote is evidence of what someone said, not of an event;
so are verbs in a sentence longer than ``syntax.MAX_SENTENCE_CHARS`` (a list or junk, whose
parse says nothing, and whose text each event would copy).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from spacy.tokens import Doc, Token

from tocsin.extract.lookup import Intervals, Ordered
from tocsin.extract.modality import (
    COMMANDING,
    DENYING,
    PERMITTING,
    REFUSING,
    THREATENING,
    Reading,
    read_mode,
)
from tocsin.extract.nlp import sentence_of, text_of
from tocsin.extract.speakers import SPEECH_VERBS
from tocsin.extract.syntax import Tree, tree
from tocsin.models.evidence import DateMention, Event, EventMode, Mention, Quote

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
    **dict.fromkeys(
        ["attack", "strike", "invade", "shell", "bomb", "launch", "fire", "fight"], "ASSAULT"
    ),
    **dict.fromkeys(["sanction", "embargo", "expel"], "COERCE"),
    **dict.fromkeys(["send", "transfer", "supply", "provide", "deliver", "hand"], "AID"),
    **dict.fromkeys(["withdraw", "retreat", "pull"], "RETREAT"),
    **dict.fromkeys(["order", "announce", "declare", "form", "create", "establish"], "ANNOUNCE"),
    **dict.fromkeys(sorted(DENYING | REFUSING), "REJECT"),
}
# Verbs that say nothing by themselves: the event noun they govern gives the category.
LIGHT_VERBS = frozenset(
    "join participate take hold conduct carry stage begin start engage resume wage launch have "
    "announce declare order".split()
)
# Verbs of movement: a mobilisation when troops move ("paratroopers landed in Belarus",
# "more troops may be brought back"), nothing otherwise.
MOVEMENT = frozenset(
    "send transfer move bring dispatch deliver land arrive advance relocate head enter".split()
)
# Verbs of leaving: a retreat when troops leave ("practically all Russian forces have left").
LEAVING = frozenset("leave depart evacuate".split())
# Verbs of seeing: what one does not see is absent, not an event ("we do not see the enemy
# having the grouping necessary to invade").
PERCEIVING = frozenset("see observe notice detect fix record register spot".split())
# Event nouns, by category: general military and diplomatic vocabulary.
NOUN_CATEGORIES: dict[str, str] = {
    **dict.fromkeys(
        "mobilization mobilisation deployment buildup build-up exercise drill manoeuvre "
        "maneuver inspection call-up conscription".split(),
        "MOBILIZE",
    ),
    **dict.fromkeys(
        "war invasion offensive attack strike assault operation hostilities fighting combat "
        "bombing shelling incursion aggression".split(),
        "ASSAULT",
    ),
    **dict.fromkeys(["sanction", "sanctions", "embargo", "blockade"], "COERCE"),
    **dict.fromkeys("talk talks negotiation meeting summit consultation visit".split(), "CONSULT"),
    **dict.fromkeys(["withdrawal", "pullout", "retreat"], "RETREAT"),
    **dict.fromkeys(["aid", "assistance"], "AID"),
    **dict.fromkeys(["cooperation", "alliance", "agreement", "treaty"], "COOPERATE"),
    **dict.fromkeys(["threat", "ultimatum"], "THREATEN"),
    **dict.fromkeys(["accusation", "allegation"], "ACCUSE"),
}
# Moving these is a mobilisation, whatever the verb: "sent troops", "transferred units".
PERSONNEL = frozenset(
    "troop soldier force unit serviceman personnel paratrooper battalion brigade contingent "
    "division regiment army military mercenary fighter".split()
)
EVENT_LEMMAS = frozenset(CATEGORIES) | LIGHT_VERBS | MOVEMENT | LEAVING | {"speak"}
# A governor whose action is its complement's gives way to it: one event, not two.
_GIVES_WAY = DENYING | REFUSING | THREATENING | COMMANDING
# Verbs whose object does what their complement says: "allowed Russia to use", "ordered
# the troops to withdraw".
_OBJECT_CONTROL = PERMITTING | COMMANDING
_MODE_OF_VERB: dict[str, EventMode] = {
    **dict.fromkeys(DENYING, "denied"),
    **dict.fromkeys(REFUSING, "refused"),
}
# The category of what took place, for the modes in which the action did not.
_FOLDED = {"denied": "REJECT", "refused": "REJECT", "threatened": "THREATEN"}
_NOUN_PREPS = frozenset({"in", "into", "for", "of", "on"})
_FOLDING_VERBS = DENYING | REFUSING
# Relations through which a verb with no subject takes that of the word it hangs from.
_CONTROLLED = frozenset({"xcomp", "pcomp", "conj", "advcl", "acomp"})
_MAX_CONTROL = 4  # verbs climbed to find the subject of one that has none


def extract_events(
    doc: Doc,
    mentions: Sequence[Mention],
    quotes: Sequence[Quote],
    dates: Sequence[DateMention],
) -> list[Event]:
    """One event per lexicon verb with a subject; inside a quote, as the speaker's word."""
    parse = tree(doc)
    quoted = Intervals([(q.start, q.end) for q in quotes if q.kind != "indirect"])
    names, when = Ordered(mentions), Ordered(dates)
    verbs = parse.where(
        "event-verb",
        lambda: (
            (parse.has("POS", {"VERB"}) & parse.has("LEMMA", EVENT_LEMMAS, lower=True))
            | parse.has("LEMMA", {"be"})
        ),
    )
    found: list[tuple[int, Event]] = []
    replaced: set[int] = set()
    for i in verbs:
        token = doc[i]
        if not parse.readable(i):
            continue
        made = _event(doc, token, names, when, quoted=quoted.covers(token.idx))
        if made is not None:
            event, reading = made
            found.append((i, event))
            if reading.governor is not None and _lemma(doc[reading.governor]) in _GIVES_WAY:
                replaced.add(reading.governor)
    return [e for i, e in found if i not in replaced]


def _event(
    doc: Doc,
    token: Token,
    names: Ordered[Mention],
    when: Ordered[DateMention],
    *,
    quoted: bool = False,
) -> tuple[Event, Reading] | None:
    """The event a lexicon verb reports, if it has a subject that names someone, and how
    the sentence reports it (a quoted action that the quote asserts is ``reported``: the
    speaker's word for it)."""
    parse = tree(doc)
    if _lemma(token) == "be":
        return _existential(doc, token, names, when, quoted=quoted)
    subject = _subject(parse, token)
    if subject is not None and subject.pos_ == "PRON" and subject.lower_ == "it":
        subject = _speaker_for_it(parse, token, names)  # "Russia said it sent …"
    if subject is None or (subject.pos_ == "PRON" and subject.lower_ in ("it", "this", "that")):
        return None
    obj = _object(parse, token)
    action_category, target_token = _category(parse, token, obj)
    if action_category is None or not _transitive_enough(parse, token):
        return None
    return _record(
        token, _lemma(token), action_category, (subject, target_token), (names, when), quoted
    )


def _existential(
    doc: Doc, token: Token, names: Ordered[Mention], when: Ordered[DateMention], *, quoted: bool
) -> tuple[Event, Reading] | None:
    """ "There will be no mobilization in Belarus": an event noun that a 'there is' states,
    whose actor is a name modifying the noun ("Russian strikes"), or for a mobilisation the
    country it takes place in."""
    parse = tree(doc)
    kids = parse.children_of(token)
    if not any(k.dep_ == "expl" for k in kids):
        return None
    noun = next(
        (k for k in kids if k.dep_ in ("attr", "nsubj") and _lemma(k) in NOUN_CATEGORIES), None
    )
    if noun is None:
        return None
    actor, target = _parties(parse, noun, names)
    if actor is None:
        return None
    category = NOUN_CATEGORIES[_lemma(noun)]
    return _record(token, _lemma(noun), category, (actor, target), (names, when), quoted)


def _parties(
    parse: Tree, noun: Token, names: Ordered[Mention]
) -> tuple[Token | None, Token | None]:
    """Actor and target of an event noun: a name modifying it, the country a mobilisation
    is in; the place it is on or against."""
    actor: Token | None = None
    target: Token | None = None
    for kid in parse.children_of(noun):
        if kid.dep_ in ("amod", "compound", "poss") and names.containing(kid.idx) is not None:
            actor = actor or kid
        elif kid.dep_ == "prep" and kid.lower_ in ("in", "on", "against"):
            place = next((c for c in parse.children_of(kid) if c.dep_ == "pobj"), None)
            if place is None or names.containing(place.idx) is None:
                continue
            if kid.lower_ == "in" and NOUN_CATEGORIES[_lemma(noun)] == "MOBILIZE":
                actor = actor or place  # a country mobilises in itself; a war is elsewhere
            elif kid.lower_ != "in":
                target = target or place
    return actor, target


def _record(
    token: Token,
    action: str,
    action_category: str,
    who: tuple[Token, Token | None],
    found: tuple[Ordered[Mention], Ordered[DateMention]],
    quoted: bool,
) -> tuple[Event, Reading] | None:
    """The event of ``token``'s clause, with its mode, actor (``who[0]``) and target."""
    doc = token.doc
    reading = read_mode(token)
    if reading.requested or _not_seen(token):
        return None
    names, when = found
    mode = _mode(reading.mode, action, action_category, quoted=quoted)
    sent = sentence_of(doc, token.i)
    actor = _phrase(who[0], names)
    target = _phrase(who[1], names) if who[1] is not None else None
    date = _date_in(when, sent.start_char, sent.end_char, token.idx)
    text = text_of(doc)
    start, end = sent.start_char, sent.end_char
    while end > start and text[end - 1].isspace():
        end -= 1
    event = Event(
        start=start,
        end=end,
        text=text[start:end],
        actor=actor[0],
        actor_key=actor[1],
        action=action,
        target=target[0] if target else None,
        category=_FOLDED.get(mode, action_category),
        date_start=date.date_start if date else None,
        date_end=date.date_end if date else None,
        mode=mode,
        action_category=action_category,
    )
    return event, reading


def _not_seen(token: Token) -> bool:
    """Whether the action is what someone says they do not see: an absence reported."""
    parse = tree(token.doc)
    doc, up = token.doc, token.i
    for _ in range(_MAX_CONTROL * 2):
        if parse.heads[up] == up:
            return False
        up = parse.heads[up]
        head = doc[up]
        if _lemma(head) in PERCEIVING and any(k.dep_ == "neg" for k in parse.children_of(head)):
            return True
    return False


def _mode(found: EventMode, lemma: str, action_category: str, *, quoted: bool) -> EventMode:
    """The event's mode: as read from the parse, a quote's action being the speaker's word,
    a denial or refusal verb its own mode, a threat threatened."""
    mode = "reported" if quoted and found == "asserted" else found
    if mode not in ("asserted", "reported"):
        return mode
    if lemma in _MODE_OF_VERB:
        return _MODE_OF_VERB[lemma]  # "Kyiv denied the accusations": the denial is its mode
    return "threatened" if action_category == "THREATEN" else mode


def _transitive_enough(parse: Tree, token: Token) -> bool:
    """A refusal needs something refused: "declined to comment", "declined the offer", not
    "the index declined 0.3%"."""
    if _lemma(token) != "decline":
        return True
    for kid in parse.children_of(token):
        if kid.dep_ == "xcomp":
            return True
        if kid.dep_ == "dobj" and not kid.like_num and kid.pos_ != "NUM" and kid.text != "%":
            return not any(k.dep_ == "nummod" for k in parse.children_of(kid))
    return False


def _lemma(token: Token) -> str:
    return token.lemma_.lower()


def _subject(parse: Tree, token: Token) -> Token | None:
    """The verb's subject (the agent of a passive), or that of the verb it depends on
    ("threatened to deploy", "denied sending", "and launched"); the object of a verb that
    lets or commands ("allowed Russia to use", "ordered the troops to withdraw")."""
    for _ in range(_MAX_CONTROL):
        found = _own_subject(parse, token)
        if found is not None:
            return found
        if token.dep_ not in _CONTROLLED or parse.heads[token.i] == token.i:
            return None
        head = _controller(parse, token)
        if token.dep_ == "xcomp" and _lemma(head) in _OBJECT_CONTROL:
            obj = next((c for c in parse.children_of(head) if c.dep_ == "dobj"), None)
            if obj is not None:
                return obj
        token = head
    return None


def _own_subject(parse: Tree, token: Token) -> Token | None:
    """The agent of a passive ("was denied by Andrew"), else the subject."""
    kids = parse.children_of(token)
    for agent in (c for c in kids if c.dep_ == "agent"):
        by = next((c for c in parse.children_of(agent) if c.dep_ == "pobj"), None)
        if by is not None:
            return by
    return next((c for c in kids if c.dep_ in ("nsubj", "nsubjpass")), None)


def _controller(parse: Tree, token: Token) -> Token:
    """The word a verb with no subject hangs from: through a preposition and the noun it
    modifies ("has no intention of sending": 'has')."""
    doc = token.doc
    head = doc[parse.heads[token.i]]
    if token.dep_ == "pcomp" and head.pos_ == "ADP":
        head = doc[parse.heads[head.i]]
        if head.pos_ == "NOUN":
            head = doc[parse.heads[head.i]]
    return head


def _speaker_for_it(parse: Tree, token: Token, names: Ordered[Mention]) -> Token | None:
    """The named body an 'it' stands for when the clause is what that body said: "Russia
    said Friday it sent paratroopers" (its subject, found by climbing the complements)."""
    doc = token.doc
    for _ in range(_MAX_CONTROL):
        if token.dep_ not in ("ccomp", "xcomp", "conj") or parse.heads[token.i] == token.i:
            return None
        token = doc[parse.heads[token.i]]
        if _lemma(token) in SPEECH_VERBS:
            subject = next((c for c in parse.children_of(token) if c.dep_ == "nsubj"), None)
            if subject is None:
                return None
            found = names.containing(subject.idx)
            return subject if found is not None and found.label in ("ORG", "GPE") else None
    return None


def _object(parse: Tree, token: Token) -> Token | None:
    kids = parse.children_of(token)
    obj = next((c for c in kids if c.dep_ in ("dobj", "attr")), None)
    if obj is None and any(c.dep_ == "agent" for c in kids):  # "X was attacked by Y"
        obj = next((c for c in kids if c.dep_ == "nsubjpass"), None)
    if obj is None:
        prep = next((c for c in kids if c.dep_ == "prep"), None)
        if prep is not None:
            obj = next((c for c in parse.children_of(prep) if c.dep_ == "pobj"), None)
    return obj


def _category(parse: Tree, token: Token, obj: Token | None) -> tuple[str | None, Token | None]:
    """The category of the verb's action and the token its target is read from."""
    lemma = _lemma(token)
    noun = _event_noun(parse, token, obj)
    if lemma in LIGHT_VERBS:
        if noun is not None:
            return NOUN_CATEGORIES[_lemma(noun)], _noun_target(parse, noun)
        if lemma not in CATEGORIES:  # "launched missiles" stays an assault
            return None, None
    if lemma in MOVEMENT and _moves_troops(parse, token):
        return "MOBILIZE", obj
    if lemma in LEAVING and _troops_leave(parse, token):
        return "RETREAT", obj  # "Russian forces have left Belarus"
    if lemma == "speak":  # "spoke with Lukashenko": a consultation
        return _with_whom(parse, token)
    if lemma not in CATEGORIES:
        return None, None
    if CATEGORIES[lemma] == "REJECT" and noun is not None:
        return NOUN_CATEGORIES[_lemma(noun)], noun  # "denied involvement in the war"
    return CATEGORIES[lemma], obj


def _moves_troops(parse: Tree, token: Token) -> bool:
    """Whether what moves is troops: the direct object, or the subject when nothing is
    moved ("the paratroopers moved toward the border")."""
    kids = parse.children_of(token)
    moved = next((c for c in kids if c.dep_ == "dobj"), None)
    if moved is None:
        moved = next((c for c in kids if c.dep_ in ("nsubj", "nsubjpass")), None)
    return moved is not None and _lemma(moved) in PERSONNEL


def _troops_leave(parse: Tree, token: Token) -> bool:
    """Whether who leaves is troops (the object of 'leave' is the place left)."""
    kids = parse.children_of(token)
    who = next((c for c in kids if c.dep_ in ("nsubj", "nsubjpass")), None)
    return who is not None and _lemma(who) in PERSONNEL


def _with_whom(parse: Tree, token: Token) -> tuple[str | None, Token | None]:
    """CONSULT, and with whom, for "spoke with X"; nothing without a 'with'."""
    for kid in parse.children_of(token):
        if kid.dep_ == "prep" and kid.lower_ == "with":
            other = next((c for c in parse.children_of(kid) if c.dep_ == "pobj"), None)
            if other is not None:
                return "CONSULT", other
    return None, None


def _event_noun(parse: Tree, token: Token, obj: Token | None) -> Token | None:
    """The event noun the verb governs: its object ("joined the invasion"), the object of
    its preposition ("took part in the war", "participate in exercises"), or what its
    object is of or in ("denied involvement in the war")."""
    folding = _lemma(token) in _FOLDING_VERBS
    candidates: list[Token] = [obj] if obj is not None else []
    for kid in parse.children_of(token):
        if kid.dep_ == "prep" and kid.lower_ in _NOUN_PREPS:
            candidates += [c for c in parse.children_of(kid) if c.dep_ == "pobj"]
        elif kid.dep_ == "ccomp" and folding:  # "denied that … be dragged into the war"
            candidates += _clause_nouns(parse, kid)
    for noun in list(candidates):
        candidates += _nouns_on(parse, noun, folding)
    return next((c for c in candidates if _lemma(c) in NOUN_CATEGORIES), None)


def _nouns_on(parse: Tree, noun: Token, folding: bool) -> list[Token]:
    """The nouns a noun carries: its compounds ("invasion efforts"), the objects of its
    prepositions, and for a denial or refusal the nouns of its clause ("denied claims that
    … the war")."""
    out: list[Token] = []
    for kid in parse.children_of(noun):
        if kid.dep_ == "compound":
            out.append(kid)
        elif kid.dep_ == "prep" and kid.lower_ in _NOUN_PREPS:
            out += [c for c in parse.children_of(kid) if c.dep_ == "pobj"]
        elif kid.dep_ in ("acl", "ccomp") and folding:
            out += _clause_nouns(parse, kid)
    return out


def _clause_nouns(parse: Tree, verb: Token) -> list[Token]:
    """The nouns a clause's verb governs, directly or through a preposition."""
    out: list[Token] = []
    for kid in parse.children_of(verb):
        if kid.dep_ in ("dobj", "nsubj", "nsubjpass", "attr"):
            out.append(kid)
        if kid.dep_ == "prep" and kid.lower_ in _NOUN_PREPS:
            out += [c for c in parse.children_of(kid) if c.dep_ == "pobj"]
    return out


def _noun_target(parse: Tree, noun: Token) -> Token | None:
    """Whom an event noun is aimed at: "the invasion of Ukraine", "attacks on Kyiv"."""
    for kid in parse.children_of(noun):
        if kid.dep_ == "prep" and kid.lower_ in ("of", "on", "against", "in"):
            return next((c for c in parse.children_of(kid) if c.dep_ == "pobj"), None)
    return None


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
