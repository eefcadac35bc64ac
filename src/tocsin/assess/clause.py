"""The clause a linked sentence is read from: the climb from an anchor word up the
dependency parse to the top of its statement, the cues met on the way, and the word lists
they are read with (``tocsin.assess.polarity`` documents the reading and uses it).

The word lists are general English (what an event coder's dictionary would hold for these
frames), not words of any case or article.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from spacy.tokens import Doc, Span, Token

from tocsin.extract.cue_words import SPEECH_VERBS
from tocsin.extract.modality import BELIEVING, FUTURE, INTENT_NOUNS, NOBODY, PLANNING

CueKind = Literal[
    "negation", "negated future", "denial", "reversal", "conditional", "question", "stakeholder"
]
MAX_PATH = 12  # tokens climbed from the anchor, at most
MAX_PHRASE = 12  # tokens of the phrase a reversive word undoes, at most

# Verbs whose action undoes or goes away from what they govern.
REVERSIVE_VERBS = frozenset(
    "withdraw retreat leave depart evacuate abandon flee vacate exit quit dismantle disband "
    "demobilise demobilize lift end suspend cancel scrap revoke repeal rescind "
    "retract drop abolish remove reverse postpone annul terminate relinquish renounce lose "
    "overturn reject veto".split()
)
# Verbs reversive only with a particle: "pull out", "call off", "back down", "step down".
REVERSIVE_PARTICLES = frozenset(
    {
        ("pull", "out"), ("pull", "back"), ("call", "off"), ("back", "down"), ("back", "out"),
        ("back", "away"), ("walk", "away"), ("walk", "out"), ("step", "back"),
        ("step", "down"), ("give", "up"), ("roll", "back"), ("wind", "down"),
        ("scale", "back"), ("scale", "down"), ("draw", "down"), ("stand", "down"),
        ("move", "out"), ("move", "away"), ("drop", "out"), ("return", "home"),
    }
)  # fmt: skip
REVERSIVE_NOUNS = frozenset(
    "withdrawal retreat departure exit pullout pull-out evacuation removal lifting end "
    "suspension cancellation repeal revocation reversal postponement dismantling disbandment "
    "demobilisation demobilization termination abandonment loss rejection".split()
)
# Verbs of denial: what they govern is denied.
DENYING = frozenset({"deny", "refute", "rebut", "disavow", "dispute", "debunk"})
# Verbs that deny a claim they take as object ("rejected reports"), else reverse an act.
REJECTING = frozenset({"reject", "dismiss"})
CLAIM_NOUNS = frozenset(
    "report claim allegation accusation rumour rumor suggestion speculation assertion "
    "statement story charge".split()
)
# Nouns of what someone asks for or offers: rejecting one refuses what it proposes ("rejected
# requests that they be allowed to retreat"), not that it was made ("rejected calls to
# resign": the calls were made).
PROPOSAL_NOUNS = frozenset("request call demand proposal offer plan idea bid appeal".split())
# Limits: lifting or suspending one raises it rather than undoing an act ("lift the debt
# ceiling"), so no reversal reads them.
LIMIT_NOUNS = frozenset({"ceiling", "limit", "cap", "threshold"})
# Nouns of evidence and intention: a "no" on one of them denies what it governs ("no signs
# that …", "no plans to …"); a "no" on another noun above the anchor does not ("no unified
# position on a tariff").
EVIDENCE_NOUNS = frozenset(
    "sign evidence indication proof trace confirmation report plan intention intent "
    "question chance prospect".split()
)
# Verbs of perception and finding: their negation denies what they govern even through a
# clause ("does not see an offensive group forming"); another verb's does not ("does not
# mean that notices will be issued").
PERCEIVING = frozenset("see find show confirm observe detect notice record witness spot".split())
# Words that call a claim false: "allegations … unfounded", "plans … were disinformation".
DISMISSIVE = frozenset(
    "unfounded groundless baseless false untrue fake bogus disinformation misinformation lie "
    "nonsense fabrication fiction hoax illusion myth".split()
)
# Verbs of refusal: what they govern will not happen. (Forbidding and prohibiting are not
# among them: to prohibit a purchase is to ban it, often the very act an indicator names.)
REFUSING = frozenset({"refuse", "decline", "refrain", "rule"})
ABSENCE_NOUNS = frozenset({"lack", "absence"})
FAILING = frozenset({"fail", "unable"})
HEDGING = frozenset({"could", "may", "might"})
CONDITIONS = frozenset({"if", "unless"})
# An embedded question ends the statement: a negation above it says nothing of it ("it is
# not clear whether …"); it is no conditional either ("an inquiry into whether he lied").
QUESTIONS = frozenset({"whether"})
INVERTED = frozenset({"should", "were", "had"})  # "Should Russia attack, …"
# Verbs too common to anchor a reading on.
LIGHT_VERBS = frozenset({"be", "have", "do", "say", "make", "get"})
# Relations inside a noun phrase: a "no" on its head denies the whole phrase.
_PHRASE = frozenset({"compound", "amod", "nummod", "nmod"})
# Verbs of proposing: rejecting what an indicator of proposals describes confirms the
# proposal ("rejected the proposed tax" still reports the proposal).
PROPOSING = frozenset("propose call demand urge request offer suggest present table".split())
# Relations that end a clause: what is above them does not govern the anchor's statement.
BOUNDARIES = frozenset({"relcl", "advcl", "parataxis", "appos", "csubj", "list", "dep"})
# Complements the main clause is followed down through to its content verb.
COMPLEMENTS = ("ccomp", "xcomp")


@dataclass(frozen=True)
class Target:
    """What ``read`` needs of an indicator: its direction and its words.

    ``direction`` is ``forward`` when no reversive word heads its description or any example,
    ``reverse`` when one heads the description and most examples, else ``mixed``; ``words``
    are the lemmas of its content words (what a reversal must undo to count).
    """

    direction: Literal["forward", "reverse", "mixed"]
    words: frozenset[str] = field(default_factory=frozenset)


def is_own(token: Token, own: frozenset[str]) -> bool:
    word = token.lower_
    return any(word == w or (len(w) >= 3 and word.startswith(w)) for w in own)


def content(token: Token) -> bool:
    """A noun, or a verb other than a light one, that is not who is speaking ("the minister
    said")."""
    if token.pos_ == "VERB":
        return token.lemma_.lower() not in LIGHT_VERBS
    if token.pos_ != "NOUN":
        return False
    speaker = token.dep_ == "nsubj" and token.head.lemma_.lower() in SPEECH_VERBS
    return not speaker


def main_verb(doc: Doc) -> Token | None:
    """The verb of the sentence's main statement: the root, followed down through the
    complement of a verb of saying or believing ("said that …") and through an infinitive
    complement ("vowed to …", "is going to …")."""
    roots = [t for t in doc if t.dep_ == "ROOT"]
    if not roots:
        return None
    verb = roots[0]
    for _ in range(MAX_PATH):
        lemma = verb.lemma_.lower()
        kids = [c for c in verb.children if c.dep_ in COMPLEMENTS]
        speech = lemma in SPEECH_VERBS or lemma in BELIEVING
        chosen = next((c for c in kids if c.dep_ == "ccomp"), None) if speech else None
        chosen = chosen or next((c for c in kids if c.dep_ == "xcomp"), None)
        if chosen is None:
            break
        verb = chosen
    return verb


class Walk:
    """The climb from an anchor to the top of its statement, collecting cues."""

    def __init__(self, indicator: Target, inside: set[int], own: frozenset[str]) -> None:
        self.indicator = indicator
        self.inside = inside  # the matched tokens
        self.own = own  # the pattern's own words
        self.found: list[tuple[CueKind, str]] = []
        self.seen: set[int] = set()
        self.path: set[int] = set()
        self.trail: list[Token] = []  # the path, from the anchor up

    def cue(self, kind: CueKind, token: Token, words: str | None = None) -> None:
        if token.i in self.inside and is_own(token, self.own):
            return  # the pattern's own wording
        if token.i in self.seen:
            return
        self.seen.add(token.i)
        self.found.append((kind, words or token.text))

    def climb(self, anchor: Token) -> None:
        token = anchor
        below: Token | None = None
        via_complement = shared = False
        for _ in range(MAX_PATH):
            self.path.add(token.i)
            self.trail.append(token)
            self.visit(token, below, via_complement, shared)
            if token.dep_ == "ROOT" or token.head is token or self.ends_clause(token):
                break
            via_complement = token.dep_ == "ccomp"
            # a second verb of one subject shares the first's negation, not its meaning:
            # "did not withdraw or redeploy" but "denied the claims and said …"
            shared = token.dep_ == "conj" and token.pos_ in ("VERB", "AUX")
            below, token = token, token.head
        self.conditions(token)

    def ends_clause(self, token: Token) -> bool:
        """Whether the relation from ``token`` to its head ends the statement: a clause of
        its own (but the content clause of a claim or of evidence: "requests that they be
        allowed to retreat"), a verb coordinated with another that has its own subject or
        a contrast, an if- or whether-clause (which makes the reading conditional)."""
        marks = {c.lower_ for c in token.children if c.dep_ == "mark"}
        if marks & CONDITIONS:
            self.found.append(("conditional", sorted(marks & CONDITIONS)[0]))
            return True
        if marks & QUESTIONS:
            return True
        if token.dep_ == "advcl" and _inverted(token):
            self.found.append(("conditional", token.doc[token.left_edge.i].text))
            return True
        if token.dep_ == "advcl" and any(c.lower_ == "to" for c in token.children):
            return False  # a purpose or readiness complement: "is ready to send"
        if token.dep_ in ("relcl", "acl") and _content_noun(token.head):
            return False
        if token.dep_ in BOUNDARIES:
            return True
        if token.dep_ == "conj" and token.pos_ in ("VERB", "AUX"):
            own_subject = any(c.dep_.startswith("nsubj") for c in token.children)
            contrast = any(c.lower_ in ("but", "yet") for c in token.head.children)
            return own_subject or contrast
        return False

    def visit(self, token: Token, below: Token | None, via_complement: bool, shared: bool) -> None:
        if not shared and (token.i not in self.inside or not is_own(token, self.own)):
            self.word(token, below)
        perceiving = token.lemma_.lower() in PERCEIVING
        clause_negation = not via_complement or perceiving
        for child in token.children:
            if below is not None and child.i == below.i:
                continue
            self.child(token, child, below, clause_negation)

    def word(self, token: Token, below: Token | None) -> None:
        """Cues the word itself gives: denial, refusal, absence, failure, reversal."""
        lemma = token.lemma_.lower()
        denies = lemma in DENYING or lemma in DISMISSIVE
        if denies or (lemma in REJECTING and self.rejects_claim(token, below)):
            self.cue("denial", token)
        elif lemma in REFUSING and (lemma != "rule" or _particle(token, "out")):
            self.cue("negated future", token)
        elif lemma in ABSENCE_NOUNS or lemma in FAILING:
            self.cue("negation", token)
        elif reversive(token) and self.undoes(token, below):
            proposed = self.proposal(below) or bool(self.indicator.words & PROPOSING)
            if lemma not in REJECTING | {"veto"} or not proposed:
                self.cue("reversal", token)

    def rejects_claim(self, token: Token, below: Token | None) -> bool:
        """ "rejected reports that …", "dismissed claims of …", "rejected that …", and
        "rejected requests that they be allowed to …" (the anchor in what was asked)."""
        objects = [c for c in token.children if c.dep_ in ("dobj", "ccomp", "nsubjpass")]
        if below is not None:
            objects.append(below)
        for o in objects:
            if o.dep_ == "ccomp" or o.lemma_.lower() in CLAIM_NOUNS:
                return True
            if o is below and self.proposal(o) and len(self.trail) >= 3:
                return True  # the path came up through what the proposal asks for
        return False

    @staticmethod
    def proposal(token: Token | None) -> bool:
        return token is not None and token.lemma_.lower() in PROPOSAL_NOUNS

    def undoes(self, token: Token, below: Token | None) -> bool:
        """Whether a reversive word undoes what the indicator is about: the indicator is
        forward, and what is undone (the word below it on the path, else the object or
        the subject of a verb, the of-, to- or on-complement of a noun) is one of the
        indicator's words."""
        if self.indicator.direction != "forward":
            return False
        words = self.indicator.words
        if below is not None and below.pos_ in ("NOUN", "PROPN", "VERB"):
            # the word on the path itself (not all it governs): "withdrew his support"
            named = {below.lemma_.lower()}
            named |= {c.lemma_.lower() for c in below.children if c.dep_ == "compound"}
            return not named & LIMIT_NOUNS and bool(named & words)
        if below is not None and below.pos_ == "ADP" and below.lower_ not in ("of", "to", "on"):
            below = None  # the anchor is a circumstance ("lost ground in the race")
        for top in [*([below] if below is not None else []), *_undone(token)]:
            lemmas = _phrase_lemmas(top)
            if lemmas & LIMIT_NOUNS:
                return False
            if lemmas & words:
                return True
        return False

    def child(self, token: Token, child: Token, below: Token | None, clause: bool) -> None:
        """Cues a word of the path governs: its negation, a "no" on an evidence or intention
        noun or on the anchor, a subject or object that is nobody, a call of falsehood, a
        hedging modal. ``clause`` False: the path entered this verb from a content clause
        ("does not mean that …"), whose negation and subjects say nothing of it."""
        dep, lower = child.dep_, child.lower_
        if dep in ("neg", "det", "advmod") or _nobody(child):
            self.negating(token, child, below, clause)
        elif dep in ("attr", "acomp", "oprd", "amod") and child.lemma_.lower() in DISMISSIVE:
            self.cue("denial", child)
        elif dep == "aux" and lower in HEDGING and token.pos_ in ("VERB", "AUX"):
            self.found.append(("conditional", child.text))

    def negating(self, token: Token, child: Token, below: Token | None, clause: bool) -> None:
        """A negation ``child`` gives the path word ``token``: "not", a "no" on the phrase
        (or on a noun of evidence or intention above it), "no longer", a nobody."""
        dep, lower = child.dep_, child.lower_
        if dep == "neg":
            if clause:
                self.cue("negated future" if _future(token) else "negation", child)
        elif dep == "det" and lower == "no":
            self.no(token, child, below)
        elif dep == "advmod" and lower == "no" and token.lower_ == "longer":
            self.cue("negation", child)
        elif (
            clause
            and token.pos_ in ("VERB", "AUX")
            and dep in ("nsubj", "nsubjpass", "dobj", "attr")
            and _nobody(child)
        ):
            future = _future(token) or _future(child)
            words = child.text if lower in NOBODY else f"no {child.text}"
            self.cue("negated future" if future else "negation", child, words)

    def no(self, token: Token, child: Token, below: Token | None) -> None:
        """A "no" on the path word ``token``: it denies the phrase the anchor is in, or what
        a noun of evidence or intention governs ("no signs that …"), not what another noun
        above governs ("no unified position on a tariff")."""
        lemma = token.lemma_.lower()
        same_phrase = below is None or below.dep_ in _PHRASE or below.lower_ == "of"
        if same_phrase or token.i in self.inside or lemma in EVIDENCE_NOUNS | INTENT_NOUNS:
            future = _future(token) or _future(token.head)
            words = token.doc[child.i : token.i + 1].text if child.i < token.i else "no"
            self.cue("negated future" if future else "negation", child, words)

    def inside_words(self, matched: Span) -> None:
        """Words of the match off the path: a negation or reversal in the clause of a word
        of the path counts too ("are proposing a ban on coal — but not oil")."""
        for token in matched:
            if token.i in self.seen or token.i in self.path or is_own(token, self.own):
                continue
            if not self.in_path_clause(token):
                continue
            if token.dep_ == "neg" or (token.dep_ == "det" and token.lower_ == "no"):
                self.cue("negation", token)
            elif reversive(token) and self.undoes(token, None):
                self.cue("reversal", token)

    def in_path_clause(self, token: Token) -> bool:
        """Whether the nearest verb above ``token`` (itself, if a verb) is on the path."""
        head = token.head if token.dep_ == "neg" else token
        for _ in range(MAX_PATH):
            if head.i in self.path:
                return True
            if head.pos_ in ("VERB", "AUX") or head.head is head:
                return False
            head = head.head
        return False

    def conditions(self, top: Token) -> None:
        """An if- or unless-clause, or an inverted "Should …" clause, attached to the top
        verb of the statement makes it conditional."""
        for child in top.children:
            if child.dep_ != "advcl":
                continue
            marks = {c.lower_ for c in child.children if c.dep_ == "mark"}
            if marks & {"if", "unless"}:
                self.found.append(("conditional", sorted(marks & {"if", "unless"})[0]))
            elif _inverted(child):
                self.found.append(("conditional", child.doc[child.left_edge.i].text))


def _undone(token: Token) -> list[Token]:
    """What a reversive word undoes besides the path: a verb's object (else its subject),
    a noun's of-, to- or on-complement."""
    kids = list(token.children)
    if token.pos_ in ("VERB", "AUX"):
        objects = [c for c in kids if c.dep_ in ("dobj", "nsubjpass")]
        return objects or [c for c in kids if c.dep_ == "nsubj"]
    preps = [c for c in kids if c.dep_ == "prep" and c.lower_ in ("of", "to", "on")]
    return [c for p in preps for c in p.children if c.dep_ == "pobj"]


def _phrase_lemmas(top: Token) -> set[str]:
    """The noun and verb lemmas of the phrase ``top`` heads ("all of the Russian troops"),
    or its own when the phrase is long."""
    if top.right_edge.i - top.left_edge.i >= MAX_PHRASE:
        phrase = [top]
    else:
        phrase = list(top.doc[top.left_edge.i : top.right_edge.i + 1])
    return {t.lemma_.lower() for t in phrase if t.pos_ in ("NOUN", "VERB")}


def _content_noun(token: Token) -> bool:
    """A noun that takes a content clause: a claim, evidence, a plan, a falsehood."""
    lemma = token.lemma_.lower()
    return token.pos_ == "NOUN" and (
        lemma in CLAIM_NOUNS
        or lemma in PROPOSAL_NOUNS
        or lemma in EVIDENCE_NOUNS
        or lemma in DISMISSIVE
    )


def reversive(token: Token) -> bool:
    lemma = token.lemma_.lower()
    if token.pos_ in ("NOUN", "PROPN"):
        return lemma in REVERSIVE_NOUNS or token.lower_ in REVERSIVE_NOUNS
    if token.pos_ not in ("VERB", "AUX"):
        return False
    if lemma in REVERSIVE_VERBS:
        return True
    extras = {c.lower_ for c in token.children if c.dep_ in ("prt", "advmod", "prep")}
    return any((lemma, e) in REVERSIVE_PARTICLES for e in extras)


def _particle(token: Token, word: str) -> bool:
    return any(c.dep_ == "prt" and c.lower_ == word for c in token.children)


def _nobody(token: Token) -> bool:
    if token.lower_ in NOBODY:
        return True
    return any(c.dep_ == "det" and c.lower_ == "no" for c in token.children)


def _future(token: Token) -> bool:
    """A future, an intention or a plan: "will not send", "no plans to", "does not intend"."""
    lemma = token.lemma_.lower()
    if lemma in INTENT_NOUNS or lemma in PLANNING:
        return True
    verb = token if token.pos_ in ("VERB", "AUX") else token.head
    aux = {c.lower_ for c in verb.children if c.dep_ in ("aux", "auxpass")}
    return bool(aux & (FUTURE | {"would"})) or verb.lower_ == "going"


def _inverted(clause: Token) -> bool:
    """An inverted conditional: "Should Russia attack, …", "Were they to withdraw, …": the
    clause opens the sentence or follows a comma, with its auxiliary before its subject."""
    doc = clause.doc
    first = doc[clause.left_edge.i]
    if first.lower_ not in INVERTED or first.head.i != clause.i or not first.dep_.startswith("aux"):
        return False
    if first.i > 0 and doc[first.i - 1].text not in (",", "—", "–", ";"):
        return False
    return any(c.dep_.startswith("nsubj") and c.i > first.i for c in clause.children) or (
        first.i + 1 < clause.i
    )
