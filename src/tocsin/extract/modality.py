"""How a sentence reports an action: done, denied, refused, threatened, planned, hypothetical
or passed on, read from the parse of the action's verb and of the verbs that govern it.

The verb's own clause speaks first: a negation (``neg``: not, n't, never) makes a future or
volitional action refused ("Minsk won't allow …") and a past or present one denied ("the
army has not taken part …"); an "if" or "unless" clause, or a modal (could, may, might,
should, must; would outside reported speech), makes it hypothetical; will, shall, "is going
to" make it planned. Otherwise the verbs above it decide, nearest first, climbing through
complement clauses only (``xcomp``, ``ccomp``, a ``pcomp`` under a preposition, a ``conj``
sharing its head's clause): a verb of denial ("denied sending troops"), of refusal
("refused to", "ruled out"), of threat ("threatened to deploy"), of plan or intention
("prepares to join", "intends to"), a governor's own negation or modal ("does not intend
to", "will allow"), a speech or belief verb or an "according to" ("the ministry said it
sent …": reported). An action asked of someone ("urged Minsk to deploy") is no event of its
own: the request is.

The verb classes are general English (the lemmas an event coder's dictionary would hold
for these frames), not words of any article.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from spacy.tokens import Token

from tocsin.extract.speakers import SPEECH_VERBS
from tocsin.extract.syntax import Tree, tree
from tocsin.models.evidence import EventMode

# Governing verbs, by what they make of the action they govern.
DENYING = frozenset({"deny", "dismiss", "refute", "rebut", "disavow"})
REFUSING = frozenset({"refuse", "decline", "reject", "veto", "forbid", "prohibit", "refrain"})
THREATENING = frozenset({"threaten"})
PLANNING = frozenset(
    "plan intend prepare aim seek want wish expect hope promise pledge vow decide mean "
    "schedule propose consider offer resolve agree".split()
)
# Verbs that let an action happen: their mode passes to it ("won't allow Russia to attack").
PERMITTING = frozenset({"allow", "permit", "let", "enable", "authorise", "authorize"})
# Verbs that command an action: it takes place as ordered, in the command's mode.
COMMANDING = frozenset({"order", "instruct", "command", "direct"})
# Verbs that ask an action of someone else: the action is a request, not an event.
REQUESTING = frozenset("urge ask demand request call appeal press tell invite encourage".split())
BELIEVING = frozenset("believe think fear suspect assume suggest claim allege estimate".split())
# Nouns of intention: "has no intention of taking part", "plans to".
INTENT_NOUNS = frozenset({"intention", "plan", "desire", "wish", "need", "reason"})
# Adjectives and participles of readiness and schedule: "is ready to", "is set to".
READY = frozenset({"ready", "set", "due", "poised", "willing", "prepared", "about"})

NOBODY = frozenset({"nobody", "nothing", "none", "noone", "no-one"})
FUTURE = frozenset({"will", "'ll", "wo", "shall", "ll"})
MODAL = frozenset({"could", "may", "might", "should", "must", "can", "ca"})
# Marks of a clause whose action is only supposed: "if", "unless", and an open question
# ("it is not clear whether they will launch …").
CONDITION_MARKS = frozenset({"if", "unless", "whether"})
# Complement relations the climb follows; any other ends it.
CLIMB = frozenset({"xcomp", "ccomp", "pcomp", "conj", "acomp", "advcl"})
MAX_CLIMB = 6  # verbs above the action, at most: bounds the work per verb

_Own = Literal["denied", "refused", "hypothetical", "planned", "would"]


@dataclass(frozen=True)
class Reading:
    """An action's mode, and the governing verb it came from (None: the verb's own clause
    or nothing); ``requested`` when the action is only asked for."""

    mode: EventMode
    governor: int | None = None
    requested: bool = False


def read_mode(verb: Token) -> Reading:
    """How the sentence reports the action of ``verb``."""
    parse = tree(verb.doc)
    own = _own(parse, verb)
    if own in ("denied", "refused"):
        return Reading(own)
    above = _governed(parse, verb)
    if above.requested or above.mode in ("denied", "refused", "threatened"):
        if own is not None and above.mode == "denied":
            return Reading("refused", above.governor)  # "denied that it would send …"
        return above
    if own == "would":  # the future of reported speech, else a condition
        return Reading("planned" if above.mode == "reported" else "hypothetical")
    if own is not None:
        return Reading(own)
    return above


def _own(parse: Tree, verb: Token) -> _Own | None:
    """What the verb's own clause says: negation, condition, modal or future."""
    kids = parse.children_of(verb)
    if verb.dep_ == "conj" and not any(k.dep_ in ("aux", "neg", "nsubj") for k in kids):
        head = verb.doc[parse.heads[verb.i]]  # "will not send troops or allow …"
        kids = kids + [k for k in parse.children_of(head) if k.dep_ in ("aux", "neg")]
    aux = {k.lower_ for k in kids if k.dep_ in ("aux", "auxpass")}
    negated = any(k.dep_ == "neg" or _nobody(parse, k) for k in kids)
    future = bool(aux & FUTURE) or _going_to(parse, verb)
    modal = aux & MODAL
    if negated:
        if future or "would" in aux or aux & {"can", "ca"}:
            return "refused"
        return "hypothetical" if modal else "denied"
    if _conditional(parse, verb):
        return "hypothetical"
    if modal:
        return "hypothetical"
    if "would" in aux:
        return "would"
    return "planned" if future else None


def _nobody(parse: Tree, kid: Token) -> bool:
    """A subject or object that negates the clause: "will attack nobody", "no troops were
    sent", "sent none", "there will be no mobilization"."""
    if kid.dep_ not in ("nsubj", "nsubjpass", "dobj", "attr"):
        return False
    if kid.lower_ in NOBODY:
        return True
    return any(k.dep_ == "det" and k.lower_ == "no" for k in parse.children_of(kid))


def _going_to(parse: Tree, verb: Token) -> bool:
    """ "is going to send": the verb is the complement of a progressive 'going'."""
    if verb.dep_ != "xcomp":
        return False
    head = verb.doc[parse.heads[verb.i]]
    return head.lower_ == "going" and any(k.dep_ == "aux" for k in parse.children_of(head))


def _conditional(parse: Tree, verb: Token) -> bool:
    """Whether the verb heads an if-clause or the clause an if-clause conditions."""
    if _condition(parse, verb):
        return True
    return any(k.dep_ == "advcl" and _condition(parse, k) for k in parse.children_of(verb))


def _condition(parse: Tree, verb: Token) -> bool:
    """Whether the verb heads an if-, unless- or whether-clause."""
    return any(k.dep_ == "mark" and k.lower_ in CONDITION_MARKS for k in parse.children_of(verb))


def _governed(parse: Tree, verb: Token) -> Reading:
    """The mode the verbs above ``verb`` give it, nearest first."""
    token = verb
    for _ in range(MAX_CLIMB):
        if _according_to(parse, token):
            return Reading("reported")
        if token.dep_ not in CLIMB or parse.heads[token.i] == token.i:
            break
        if token.dep_ == "conj":  # a second verb of the same clause: what governs the first
            token = token.doc[parse.heads[token.i]]
            continue
        if token.dep_ == "advcl" and _condition(parse, token):
            return Reading("hypothetical")  # "… if Belarus did begin to mobilise"
        if token.dep_ == "advcl" and not _purpose(parse, token):
            break  # "after it deployed …": a clause of time, not a complement
        head = _governor(parse, token)
        if head is None:
            break
        found = _governor_mode(parse, head, token)
        if found is not None:
            return found
        token = head
    return Reading("asserted")


def _purpose(parse: Tree, clause: Token) -> bool:
    """An adverbial clause that is a complement in all but name: "is ready to send"."""
    return any(k.dep_ == "aux" and k.lower_ == "to" for k in parse.children_of(clause))


def _governor(parse: Tree, token: Token) -> Token | None:
    """The verb (or adjective) that governs ``token``'s clause: through a preposition
    ("refrained from sending") and a noun ("has no intention of taking part")."""
    doc = token.doc
    head = doc[parse.heads[token.i]]
    if token.dep_ == "pcomp" and head.pos_ == "ADP":
        head = doc[parse.heads[head.i]]
        if head.pos_ == "NOUN" and head.dep_ in ("dobj", "attr", "pobj", "nsubj"):
            return head
    return head if head.pos_ in ("VERB", "AUX", "ADJ", "NOUN") else None


def _governor_mode(parse: Tree, head: Token, below: Token) -> Reading | None:
    """The mode ``head`` gives the clause ``below`` it, or None to look higher."""
    lemma = head.lemma_.lower()
    if head.pos_ == "NOUN":  # "has no intention of …", "plans to …" as a noun
        if lemma in INTENT_NOUNS:
            return Reading("refused" if _negated(parse, head) else "planned", head.i)
        return None
    found = _stance(parse, head, lemma, below)
    if found is not None:
        return found
    if lemma in PERMITTING or lemma in COMMANDING:
        own = _own(parse, head)  # "won't allow …", "would only order … if …"
        if own in ("denied", "refused"):
            return Reading("refused", head.i)
        if own in ("hypothetical", "planned"):
            return Reading(own, head.i)
        return None if own is None else Reading("hypothetical", head.i)
    if (lemma in SPEECH_VERBS or lemma in BELIEVING) and below.dep_ == "ccomp":
        return Reading("reported", head.i)  # "said it sent …", not "continues to support"
    return None


def _stance(parse: Tree, head: Token, lemma: str, below: Token) -> Reading | None:
    """What a verb of denial, refusal, threat, request, likelihood or plan makes of the
    action it governs."""
    negated = _negated(parse, head)
    if lemma in DENYING:
        return Reading("asserted" if negated else "denied", head.i)
    if lemma in REFUSING or (lemma == "rule" and _particle(parse, head, "out")):
        return Reading("asserted" if negated else "refused", head.i)
    if lemma in THREATENING:
        return Reading("threatened", head.i)
    if lemma in REQUESTING and below.dep_ == "xcomp":
        return Reading("asserted", head.i, requested=True)
    if lemma in {"likely", "unlikely", "able"} and below.dep_ == "xcomp":
        return Reading("hypothetical", head.i)
    ready = lemma in READY and below.dep_ in ("xcomp", "advcl")
    if lemma in PLANNING or ready or _going_to(parse, below):
        if negated:
            return Reading("refused", head.i)
        # "could be ready to carry out", "if it prepares to": a supposed plan
        supposed = _own(parse, head) == "hypothetical"
        return Reading("hypothetical" if supposed else "planned", head.i)
    return None


def _negated(parse: Tree, token: Token) -> bool:
    """A ``neg`` on the token, or a 'no' on the noun ("no intention")."""
    return any(
        k.dep_ == "neg" or (k.dep_ == "det" and k.lower_ == "no") for k in parse.children_of(token)
    )


def _particle(parse: Tree, token: Token, word: str) -> bool:
    return any(k.dep_ == "prt" and k.lower_ == word for k in parse.children_of(token))


def _according_to(parse: Tree, token: Token) -> bool:
    """ "According to X, …" attached to the clause of ``token``."""
    return any(k.lower_ == "according" for k in parse.children_of(token))
