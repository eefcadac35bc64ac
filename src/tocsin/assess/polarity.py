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
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from spacy.language import Language
from spacy.tokens import Doc, Token

from tocsin.assess.clause import CueKind, Target, Walk, content, main_verb, reversive
from tocsin.extract.aliases import same_referent

__all__ = ["CONFIDENCE", "CueKind", "Parties", "Reading", "Target", "prepare", "read", "target"]

Polarity = Literal["seen", "negated"]
FLIPPING: frozenset[str] = frozenset({"negation", "negated future", "denial", "reversal"})
SPECULATIVE: frozenset[str] = frozenset({"conditional", "question"})

MAX_PARSE_CHARS = 2_000  # longer "sentences" are lists or junk: read by the fallback
# How sure a reading is, by its strongest cue (the lowest of the flipping cues found).
CONFIDENCE: dict[str, float] = {
    "none": 0.8,  # parsed, no cue: most linked sentences report what they say
    "negation": 0.9,
    "negated future": 0.9,
    "denial": 0.8,
    "reversal": 0.7,
    "fallback": 0.6,  # unparsed: read by the regular expressions
}

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
        words |= {t.lemma_.lower() for t in doc if content(t)}
        heads.append(_headsreversive(doc))
    if not any(heads):
        return Target("forward", frozenset(words))
    if heads[0] and sum(heads) * 2 > len(heads):
        return Target("reverse", frozenset(words))
    return Target("mixed", frozenset(words))


def _headsreversive(doc: Doc) -> bool:
    """Whether a reversive word heads the text's main clause (or a verb or noun coordinated
    with its head: "withdraw or pull back")."""
    verb = main_verb(doc)
    if verb is None:
        return False
    heads = [verb, *(c for c in verb.children if c.dep_ == "conj")]
    if verb.pos_ in ("AUX",) or verb.lemma_ == "be":
        heads += [c for c in verb.children if c.dep_ in ("attr", "nsubj")]
    return any(reversive(t) for t in heads)


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


def _at_span(
    doc: Doc, span: tuple[int, int], indicator: Target, own: frozenset[str]
) -> list[tuple[CueKind, str]] | None:
    """The cues for the words a pattern matched; None when the span fits no tokens."""
    matched = doc.char_span(span[0], span[1], alignment_mode="expand")
    if matched is None or not len(matched):
        return None
    walk = Walk(indicator, set(range(matched.start, matched.end)), own)
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
        anchor = main_verb(doc)
        ref_anchor = main_verb(reference) if reference is not None else None
        pairs = [(anchor, ref_anchor)] if anchor is not None else []
    found: list[tuple[CueKind, str]] = []
    differ = 0
    for mine, theirs in pairs:
        walk = Walk(indicator, set(), frozenset())
        walk.climb(mine)
        ref_negated = False
        if theirs is not None:
            ref_walk = Walk(indicator, set(), frozenset())
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
        if content(t):
            theirs.setdefault(t.lemma_.lower(), t)
    return [(t, theirs[t.lemma_.lower()]) for t in doc if content(t) and t.lemma_.lower() in theirs]


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
