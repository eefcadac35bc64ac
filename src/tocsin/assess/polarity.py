"""Polarity read from the clause: whether a sentence linked to an indicator reports it as
*seen* or *negated*, how sure that reading is, and whether the sentence is an observation.

``read`` parses the sentence with the project's spaCy model (``tocsin.extract.nlp``) and
walks from an *anchor* up the dependency tree to the top of its clause: for a pattern link
the root of the matched text, for an embedding link the sentence's main verb (followed down
through ``said that …`` and ``vowed to …`` complements). Each word met on that path, and the
words they govern, can be a cue:

- **negation**: ``not``/``n't``/``never`` on a verb of the path, ``no`` on one of its nouns
  ("no signs that …"), a subject or object that is nobody ("no other MP joined …"), "lack
  of", "absence of", "fail to", "unable to";
- **negated future**: the same on a future or an intention ("will not send", "there will be
  no mobilization", "has no plans to", "does not intend to"), or a verb of refusal ("refused
  to", "ruled out");
- **denial**: a verb of denial governing the anchor ("denied that", "rejected reports",
  "dismissed claims"), or the claim called false ("allegations … unfounded", "plans … were
  disinformation", "an illusion that …");
- **reversal**: a reversive word (withdraw, pull out, leave, return home, dismantle, lift,
  end, suspend, cancel, postpone, lose, revoke …; withdrawal, lifting, end …) whose object is
  something the indicator itself talks about, for an indicator whose direction is
  *forward* (no reversive word heads its description or any of its examples: deploy, arrive,
  impose, approve …). "Almost all Russian troops have been withdrawn" reads *negated* for
  "Russian troops arrive"; for "Russian forces withdraw" nothing flips. The absence of a
  reversive word is no evidence of the forward direction, so nothing flips the other way.
- **conditional** and **question**: an "if", "unless" or "whether" clause, an inverted
  "Should Russia attack, …", a hedging modal (could, may, might) on the anchor's verb, a
  sentence ending in "?": no observation; the reading's ``status`` is ``speculative``;
- **stakeholder**: the speaker is one of the case's actors (``Parties``): a claim by an
  interested party. It changes neither polarity nor status; the link says so.

Negation, negated future, denial and reversal each flip the polarity, so two of them cancel
("denied that the troops withdrew" is *seen*). For a pattern link, a cue inside the matched
text counts unless it is a word of the pattern itself ("not send our troops" is the
indicator's own wording). For an embedding link the sentence is compared with its nearest
description or example, read the same way: negated when exactly one of them is negated.

``confidence`` says how sure the reading is: a cue on the anchor's own clause is surer than
a reversal or a denial read from further up. A sentence the parser cannot take (longer
than ``MAX_PARSE_CHARS``) is read by a cheap regular-expression fallback with lower
confidence. The word lists are general English, not words of any case or article.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from tocsin.extract.aliases import same_referent
from tocsin.extract.cue_words import SPEECH_VERBS
from tocsin.extract.modality import BELIEVING, FUTURE, INTENT_NOUNS, NOBODY, PLANNING

Polarity = Literal["seen", "negated"]
CueKind = Literal[
    "negation", "negated future", "denial", "reversal", "conditional", "question", "stakeholder"
]
FLIPPING: frozenset[str] = frozenset({"negation", "negated future", "denial", "reversal"})
SPECULATIVE: frozenset[str] = frozenset({"conditional", "question"})

MAX_PARSE_CHARS = 2_000  # longer "sentences" are lists or junk: read by the fallback
MAX_PATH = 12  # tokens climbed from the anchor, at most
MAX_PHRASE = 12  # tokens of the phrase a reversive word undoes, at most
# How sure a reading is, by its strongest cue (the lowest of the flipping cues found).
CONFIDENCE: dict[str, float] = {
    "none": 0.8,  # parsed, no cue: most linked sentences report what they say
    "negation": 0.9,
    "negated future": 0.9,
    "denial": 0.8,
    "reversal": 0.7,
    "fallback": 0.6,  # unparsed: read by the regular expressions
}

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

_WORD = re.compile(r"[a-z]{2,}")
_ESCAPE = re.compile(r"\\[A-Za-z]")
_FALLBACK_NEGATION = re.compile(
    r"\b(no|not|never|none|nobody|nothing|without|cannot|no longer|failed to|yet to)\b|n[’']t\b",
    re.IGNORECASE,
)
_FALLBACK_DENIAL = re.compile(
    r"\b(denied|denies|deny|rejected|dismissed|refuted|unfounded|groundless|baseless)\b",
    re.IGNORECASE,
)
_QUESTION_END = re.compile(r"\?[\s”\"’')\]]*$")


@dataclass(frozen=True)
class Reading:
    """How a sentence reports an indicator.

    ``kinds`` and ``cues`` are parallel: each cue found, its kind and its words. ``status``
    is ``speculative`` for a conditional or a question (no observation), else None.
    ``party`` names the interested party making the claim, if any.
    """

    polarity: Polarity
    kinds: tuple[CueKind, ...] = ()
    cues: tuple[str, ...] = ()
    confidence: float = CONFIDENCE["none"]
    parsed: bool = True
    party: str | None = None

    @property
    def negated(self) -> bool:
        return self.polarity == "negated"

    @property
    def status(self) -> str | None:
        return "speculative" if SPECULATIVE & set(self.kinds) else None

    @property
    def flipped(self) -> bool:
        """Whether a cue that can flip the polarity was found."""
        return bool(FLIPPING & set(self.kinds))

    def describe(self) -> str:
        """The reading in words, for a link's reason: 'negated (denial “denied”)'."""
        found = [f"{k} “{c}”" for k, c in zip(self.kinds, self.cues, strict=True)]
        if self.party:
            found.append(f"claim by an interested party ({self.party})")
        return f"{self.polarity} ({'; '.join(found)})" if found else self.polarity


@dataclass(frozen=True)
class Target:
    """What ``read`` needs of an indicator: its direction and its words.

    ``direction`` is ``forward`` when no reversive word heads its description or any example,
    ``reverse`` when one heads the description and most examples, else ``mixed``; ``words``
    are the lemmas of its content words (what a reversal must undo to count).
    """

    direction: Literal["forward", "reverse", "mixed"]
    words: frozenset[str] = field(default_factory=frozenset)


class Parties:
    """The case's actors, by any spelling of their names: whoever speaks for one of them
    makes a claim by an interested party (an actor has a stake in the question by being
    one)."""

    def __init__(self, actors: Iterable[tuple[str, Sequence[str]]]) -> None:
        self._actors = [(name, (name, *aliases)) for name, aliases in actors]
        self._cache: dict[str, str | None] = {}

    def find(self, *names: str | None) -> str | None:
        """The actor the first name that is one names, else None."""
        for name in names:
            if not name or not name.strip():
                continue
            if name not in self._cache:
                self._cache[name] = next(
                    (
                        actor
                        for actor, spellings in self._actors
                        if any(same_referent(s, name) for s in spellings)
                    ),
                    None,
                )
            if self._cache[name] is not None:
                return self._cache[name]
        return None


# -- the parse --------------------------------------------------------------------------


_KEEP = frozenset({"tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"})
_PARSED: dict[str, Doc] = {}
MAX_KEPT = 4_096  # parses kept (a few MB); the cache starts afresh past it


def _nlp() -> tuple[Language, list[str]]:
    """The project's English model (loaded once per process) and the pipes to skip."""
    from tocsin.extract.nlp import load_model

    nlp = load_model("sm")
    return nlp, [name for name in nlp.pipe_names if name not in _KEEP]


def prepare(texts: Iterable[str]) -> None:
    """Parse ``texts`` in one batch ahead of ``read`` (faster than one at a time)."""
    missing = [
        t
        for t in dict.fromkeys(texts)
        if t not in _PARSED and t.strip() and len(t) <= MAX_PARSE_CHARS
    ]
    if not missing:
        return
    nlp, skip = _nlp()
    if len(_PARSED) + len(missing) > MAX_KEPT:
        _PARSED.clear()
    with nlp.select_pipes(disable=skip):
        _PARSED.update(zip(missing, nlp.pipe(missing, batch_size=64), strict=True))


def _doc(text: str) -> Doc | None:
    """The sentence parsed, or None when it is empty or too long to be prose."""
    found = _PARSED.get(text)
    if found is None and text.strip() and len(text) <= MAX_PARSE_CHARS:
        prepare([text])
        found = _PARSED.get(text)
    return found


# -- the indicator ----------------------------------------------------------------------


@lru_cache(maxsize=512)
def target(description: str, examples: tuple[str, ...] = ()) -> Target:
    """The direction and words of an indicator with this description and these examples."""
    heads = []
    words: set[str] = set()
    for text in (description, *examples):
        doc = _doc(text)
        if doc is None:
            heads.append(False)
            continue
        words |= {t.lemma_.lower() for t in doc if _content(t)}
        heads.append(_heads_reversive(doc))
    if not any(heads):
        return Target("forward", frozenset(words))
    if heads[0] and sum(heads) * 2 > len(heads):
        return Target("reverse", frozenset(words))
    return Target("mixed", frozenset(words))


def _heads_reversive(doc: Doc) -> bool:
    """Whether a reversive word heads the text's main clause (or a verb or noun coordinated
    with its head: "withdraw or pull back")."""
    verb = _main_verb(doc)
    if verb is None:
        return False
    heads = [verb, *(c for c in verb.children if c.dep_ == "conj")]
    if verb.pos_ in ("AUX",) or verb.lemma_ == "be":
        heads += [c for c in verb.children if c.dep_ in ("attr", "nsubj")]
    return any(_reversive(t) for t in heads)


# -- reading a sentence -----------------------------------------------------------------


def read(
    text: str,
    indicator: Target,
    *,
    span: tuple[int, int] | None = None,
    pattern: str | None = None,
    reference: str | None = None,
    party: str | None = None,
) -> Reading:
    """How ``text`` reports the indicator ``indicator`` (see ``target``).

    ``span`` (character offsets in ``text``) is where a pattern matched and ``pattern`` its
    source: the reading anchors on the matched words, and the pattern's own words are no
    cue. Without a span, ``reference`` is the nearest description or example: the reading
    anchors on the words the two share (each shared word read in both, negated when the
    two readings differ for most of them), else on the main verbs. ``party`` is the
    interested party speaking, if any (``Parties.find``).
    """
    doc = _doc(text)
    if doc is None or not len(doc):
        return _fallback(text, span, reference, party)
    if span is not None:
        found = _at_span(doc, span, indicator, _own_words(pattern or ""))
        if found is None:
            return _fallback(text, span, reference, party)
        negated = _parity(found)
    else:
        negated, found = _against(doc, _doc(reference or ""), indicator)
    if _QUESTION_END.search(text):
        found.append(("question", "?"))
    if party:
        found.append(("stakeholder", party))
    flips = [k for k, _ in found if k in FLIPPING]
    confidence = min((CONFIDENCE[k] for k in flips), default=CONFIDENCE["none"])
    return Reading(
        "negated" if negated else "seen",
        tuple(k for k, _ in found),
        tuple(c for _, c in found),
        confidence,
        True,
        party,
    )


def _parity(found: Sequence[tuple[CueKind, str]]) -> bool:
    """Whether the flipping cues found leave the statement negated (two cancel)."""
    return sum(k in FLIPPING for k, _ in found) % 2 == 1


def _own_words(pattern: str) -> frozenset[str]:
    """The literal words of a pattern's source: its own wording, not a cue."""
    return frozenset(_WORD.findall(_ESCAPE.sub(" ", pattern.lower())))


def _is_own(token: Token, own: frozenset[str]) -> bool:
    word = token.lower_
    return any(word == w or (len(w) >= 3 and word.startswith(w)) for w in own)


def _at_span(
    doc: Doc, span: tuple[int, int], indicator: Target, own: frozenset[str]
) -> list[tuple[CueKind, str]] | None:
    """The cues for the words a pattern matched; None when the span fits no tokens."""
    matched = doc.char_span(span[0], span[1], alignment_mode="expand")
    if matched is None or not len(matched):
        return None
    walk = _Walk(indicator, set(range(matched.start, matched.end)), own)
    walk.climb(matched.root)
    walk.inside_words(matched)
    return walk.found


def _against(
    doc: Doc, reference: Doc | None, indicator: Target
) -> tuple[bool, list[tuple[CueKind, str]]]:
    """The sentence read against its nearest description or example: negated when, over
    the content words they share, most read with a different parity; the cues are the
    sentence's. Without a shared word, the main verbs of both are compared."""
    pairs: list[tuple[Token, Token | None]] = []
    if reference is not None:
        pairs += _shared(doc, reference)
    if not pairs:
        anchor = _main_verb(doc)
        ref_anchor = _main_verb(reference) if reference is not None else None
        pairs = [(anchor, ref_anchor)] if anchor is not None else []
    found: list[tuple[CueKind, str]] = []
    differ = 0
    for mine, theirs in pairs:
        walk = _Walk(indicator, set(), frozenset())
        walk.climb(mine)
        ref_negated = False
        if theirs is not None:
            ref_walk = _Walk(indicator, set(), frozenset())
            ref_walk.climb(theirs)
            ref_negated = _parity(ref_walk.found)
        differ += _parity(walk.found) != ref_negated
        found += [cue for cue in walk.found if cue not in found]
    return differ * 2 > len(pairs), found


def _shared(doc: Doc, reference: Doc) -> list[tuple[Token, Token]]:
    """Content words of the sentence whose lemma is one of the reference's, each with its
    first occurrence in the reference."""
    theirs: dict[str, Token] = {}
    for t in reference:
        if _content(t):
            theirs.setdefault(t.lemma_.lower(), t)
    return [
        (t, theirs[t.lemma_.lower()]) for t in doc if _content(t) and t.lemma_.lower() in theirs
    ]


def _content(token: Token) -> bool:
    """A noun, or a verb other than a light one, that is not who is speaking ("the minister
    said")."""
    if token.pos_ == "VERB":
        return token.lemma_.lower() not in LIGHT_VERBS
    if token.pos_ != "NOUN":
        return False
    speaker = token.dep_ == "nsubj" and token.head.lemma_.lower() in SPEECH_VERBS
    return not speaker


def _main_verb(doc: Doc) -> Token | None:
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


class _Walk:
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
        if token.i in self.inside and _is_own(token, self.own):
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
        if not shared and (token.i not in self.inside or not _is_own(token, self.own)):
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
        elif _reversive(token) and self.undoes(token, below):
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
            named = [below, *(c for c in below.children if c.dep_ == "compound")]
            if any(t.lemma_.lower() in LIMIT_NOUNS for t in named):
                return False
            return any(t.lemma_.lower() in words for t in named)
        if below is not None and below.pos_ == "ADP" and below.lower_ not in ("of", "to", "on"):
            below = None  # the anchor is a circumstance ("lost ground in the race")
        undone = [below] if below is not None else []
        kids = list(token.children)
        if token.pos_ in ("VERB", "AUX"):
            objects = [c for c in kids if c.dep_ in ("dobj", "nsubjpass")]
            undone += objects or [c for c in kids if c.dep_ == "nsubj"]
        else:
            for prep in (c for c in kids if c.dep_ == "prep" and c.lower_ in ("of", "to", "on")):
                undone += [c for c in prep.children if c.dep_ == "pobj"]
        for top in undone:
            if top.right_edge.i - top.left_edge.i >= MAX_PHRASE:
                phrase = [top]  # the phrase it heads: "all of the Russian troops"
            else:
                phrase = list(top.doc[top.left_edge.i : top.right_edge.i + 1])
            lemmas = {t.lemma_.lower() for t in phrase if t.pos_ in ("NOUN", "VERB")}
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
        if dep == "neg":
            if clause:
                self.cue("negated future" if _future(token) else "negation", child)
        elif dep == "det" and lower == "no":
            lemma = token.lemma_.lower()
            same_phrase = below is None or below.dep_ in _PHRASE or below.lower_ == "of"
            if same_phrase or token.i in self.inside or lemma in EVIDENCE_NOUNS | INTENT_NOUNS:
                future = _future(token) or _future(token.head)
                words = token.doc[child.i : token.i + 1].text if child.i < token.i else "no"
                self.cue("negated future" if future else "negation", child, words)
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
        elif dep in ("attr", "acomp", "oprd", "amod") and child.lemma_.lower() in DISMISSIVE:
            self.cue("denial", child)
        elif dep == "aux" and lower in HEDGING and token.pos_ in ("VERB", "AUX"):
            self.found.append(("conditional", child.text))

    def inside_words(self, matched: Span) -> None:
        """Words of the match off the path: a negation or reversal in the clause of a word
        of the path counts too ("are proposing a ban on coal — but not oil")."""
        for token in matched:
            if token.i in self.seen or token.i in self.path or _is_own(token, self.own):
                continue
            if not self.in_path_clause(token):
                continue
            if token.dep_ == "neg" or (token.dep_ == "det" and token.lower_ == "no"):
                self.cue("negation", token)
            elif _reversive(token) and self.undoes(token, None):
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


def _content_noun(token: Token) -> bool:
    """A noun that takes a content clause: a claim, evidence, a plan, a falsehood."""
    lemma = token.lemma_.lower()
    return token.pos_ == "NOUN" and (
        lemma in CLAIM_NOUNS
        or lemma in PROPOSAL_NOUNS
        or lemma in EVIDENCE_NOUNS
        or lemma in DISMISSIVE
    )


def _reversive(token: Token) -> bool:
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


def _fallback(
    text: str, span: tuple[int, int] | None, reference: str | None, party: str | None
) -> Reading:
    """A reading from regular expressions, for a sentence the parser cannot take: a
    negation or denial word before the match (or anywhere, compared with the reference)."""
    head = text[: span[0]] if span is not None else text
    found: list[tuple[CueKind, str]] = []
    for pattern, kind in ((_FALLBACK_NEGATION, "negation"), (_FALLBACK_DENIAL, "denial")):
        hit = pattern.search(head)
        if hit is not None:
            found.append((kind, hit.group(0)))  # type: ignore[arg-type]
    negated = len(found) % 2 == 1
    if span is None and reference is not None:
        negated = negated != (_FALLBACK_NEGATION.search(reference) is not None)
    if _QUESTION_END.search(text):
        found.append(("question", "?"))
    if party:
        found.append(("stakeholder", party))
    return Reading(
        "negated" if negated else "seen",
        tuple(k for k, _ in found),
        tuple(c for _, c in found),
        CONFIDENCE["fallback"],
        False,
        party,
    )
