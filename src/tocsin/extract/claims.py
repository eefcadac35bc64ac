"""Claims and how sure the reporting is: each attributed statement and each hedged sentence.

Status, checked in this order (the first that applies wins):

- ``denied``: the cue denies or rejects ("Kyiv denied these accusations");
- ``alleged``: the cue is 'claim'/'allege', or the sentence says 'allegedly', 'reportedly',
  'purportedly', 'supposedly';
- ``reported``: the writer passes it on from a source ("according to X", "X reported",
  "citing sources"), or the speaker's words come through another source: a speech verb or
  "according to" that governs the quote's cue ("BelTA reported that the ministry announced
  …", "according to Interfax, the defence ministry said …", "…, the ministry said, BelTA
  reported");
- ``speculative``: the statement hedges ("may", "could", "it is unclear", "probably");
- ``asserted``: a source states it.

A claim's source chain lists who passed it to whom, read from the parse: the sources the
words came through, outermost first (the object of an 'according to' on the cue's clauses,
the subject of a speech verb above the cue or set beside it, the subject of the cue when
another speaks through it), then the quote's own speaker, then a source the cue cites, then
the named sources inside the quote. "Makei allegedly hinted, said Viačorka, that …" is
('Franak Viačorka', 'Vladimir Makei'); "Interfax reported, citing the defence ministry, that
…" is ('Interfax', 'the defence ministry'). Two speakers side by side relay nothing: in
"Putin said …, and Lukashenko said …" each claim has its own speaker alone. (Until 2.2 the
chain took every named source outside the quote in the sentence, in text order.)

Denials and sources are read only in sentences of at most ``syntax.MAX_SENTENCE_CHARS``,
as speech cues are.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

from spacy.tokens import Doc, Span, Token

from tocsin.extract.lookup import Intervals, Ordered
from tocsin.extract.nlp import sentence_of, sentences, text_of
from tocsin.extract.quote_marks import paragraphs
from tocsin.extract.speakers import SPEECH_VERBS
from tocsin.extract.syntax import tree
from tocsin.models.evidence import Claim, ClaimStatus, Mention, Quote

DENY = frozenset({"deny", "reject", "dismiss", "refute", "rebut"})
ALLEGE = frozenset({"claim", "allege"})
ALLEGE_ADVERBS = re.compile(r"\b(allegedly|reportedly|purportedly|supposedly|ostensibly)\b", re.I)
REPORT = frozenset({"report", "according to", "cite"})
# Verbs through which a source passes on what another said: "BelTA reported that …",
# "Interfax quoted the ministry as saying …", "BelTA has learned that …".
RELAY = SPEECH_VERBS | frozenset({"quote", "cite", "carry", "publish", "relay", "learn"})
MAX_RELAY_CLIMB = 6  # clauses climbed from a cue to the verb that relays it
# Relations climbed from a cue to a verb that relays it: complements, not coordination
# ("Putin said …, and Lukashenko said …" relays nothing).
_CLAUSES = frozenset({"ccomp", "xcomp", "advcl", "pcomp", "prep"})
HEDGES = re.compile(
    r"\b(may|might|could|possibly|probably|perhaps|likely|unlikely|unclear|uncertain|"
    r"appears?|appeared|seems?|seemed|suggests?|reportedly|presumably|apparently|"
    r"it is (?:not )?clear whether|impossible to say|hard to believe|doubts?)\b",
    re.I,
)


def extract_claims(doc: Doc, quotes: Sequence[Quote], mentions: Sequence[Mention]) -> list[Claim]:
    """One claim per attributed quote (not per topic), and one per hedged sentence nobody is
    quoted in."""
    if not len(doc):
        return []  # nlp.sentences cannot split an empty Doc
    text = text_of(doc)
    reader = _Reader(doc, mentions)
    # A topic ("criticised the plan") states nothing: no claim of its own.
    claims = [reader.from_quote(q) for q in quotes if q.reports != "topic"]
    claims += reader.denials(quotes)
    covered = Intervals([(c.start, c.end) for c in claims])
    for sent in sentences(doc):
        s, e = _trim(text, sent.start_char, sent.end_char)
        if e - s < 20 or covered.meets(s, e):
            continue
        if HEDGES.search(text[s:e]) and not reader.is_heading(s, e):
            claims.append(Claim(start=s, end=e, text=text[s:e], status="speculative"))
    claims.sort(key=lambda c: c.start)
    return claims


class _Reader:
    """One Doc's claims, with what several of them need computed once."""

    def __init__(self, doc: Doc, mentions: Sequence[Mention]) -> None:
        self.doc, self.text = doc, text_of(doc)
        self.names = Ordered(mentions)
        self.paras = list(paragraphs(self.text))
        self.para_starts = [s for s, _ in self.paras]
        self._alleged: dict[tuple[int, int], bool] = {}
        self._sources: dict[int, list[tuple[int, int, str]]] = {}
        self._headings: dict[int, bool] = {}
        self._chars: dict[str, list[int]] = {}  # a cue's text -> where tokens reading it start

    def name_at(self, token: Token) -> str | None:
        found = self.names.containing(token.idx)
        return found.key if found is not None else None

    def denials(self, quotes: Sequence[Quote]) -> list[Claim]:
        """ "Kyiv denied these accusations": a denial with no clause is a claim of its own,
        the sentence, when no quote already carries it."""
        parse = tree(self.doc)
        quoted = Intervals([(q.start, q.end) for q in quotes])
        out = []
        denials = parse.where(
            "denial", lambda: parse.has("POS", {"VERB"}) & parse.has("LEMMA", DENY, lower=True)
        )
        for i in denials:
            token = self.doc[i]
            if quoted.covers(token.idx) or not parse.readable(i):
                continue
            kids = parse.children_of(token)
            if any(c.dep_ == "ccomp" for c in kids):
                continue  # "denied that …" is a reported clause, found with the quotes
            subject = next((c for c in kids if c.dep_ == "nsubj"), None)
            if subject is None:
                continue
            sent = sentence_of(self.doc, i)
            start, end = _trim(self.text, sent.start_char, sent.end_char)
            name = self.name_at(subject)
            out.append(
                Claim(
                    start=start,
                    end=end,
                    text=self.text[start:end],
                    status="denied",
                    source_key=name,
                    source_text=subject.text if name is None else None,
                    source_chain=(name or subject.text,),
                )
            )
        return out

    def from_quote(self, quote: Quote) -> Claim:
        cue = (quote.cue or "").lower()
        cue_lemma = self.cue_lemma(quote)
        relays = self.relays(quote)
        status: ClaimStatus
        if cue_lemma in DENY:
            status = "denied"
        elif cue_lemma in ALLEGE or self.alleged(quote):
            status = "alleged"
        elif cue == "according to" or cue_lemma in REPORT or relays:
            status = "reported"
        elif HEDGES.search(quote.text):
            status = "speculative"
        else:
            status = "asserted"
        return Claim(
            start=quote.start,
            end=quote.end,
            text=quote.text,
            status=status,
            source_key=quote.speaker_key,
            source_text=quote.speaker_text,
            source_chain=self.chain(quote, relays),
        )

    def relays(self, quote: Quote) -> list[str]:
        """The sources a quote's words come through, outermost first: the subject of the
        cue when another speaks through it ("Makei hinted, said Viačorka, that …"), of a
        speech verb set beside the cue ("…, the ministry said, BelTA reported") or above it
        ("BelTA reported that the ministry announced …"), and the object of an 'according
        to' on the cue's clauses."""
        token = self.cue_token(quote)
        if token is None:
            return []
        parse = tree(self.doc)
        own = quote.speaker_start
        found: list[str | None] = [self.source_of(token, own)]
        found += [
            self.source_of(kid, own)
            for kid in parse.children_of(token)
            if kid.dep_ == "parataxis" and kid.lemma_.lower() in RELAY
        ]
        for _ in range(MAX_RELAY_CLIMB):
            found += [
                self.source_of(kid, own)
                for kid in parse.children_of(token)
                if kid.lower_ == "according"
            ]
            if parse.heads[token.i] == token.i or token.dep_ not in _CLAUSES:
                break
            token = self.doc[parse.heads[token.i]]
            if token.pos_ == "VERB" and token.lemma_.lower() in RELAY:
                found.append(self.source_of(token, own))
        names: list[str] = []
        for name in reversed(found):
            if name is not None and name not in names:
                names.append(name)
        return names

    def source_of(self, cue: Token, own: int | None) -> str | None:
        """Who speaks through ``cue`` (a speech verb or 'according'), named or as written;
        None when it is the quote's own speaker, at ``own``."""
        parse = tree(self.doc)
        if cue.lower_ == "according":
            to = next((c for c in parse.children_of(cue) if c.lower_ == "to"), None)
            heads = [c for c in parse.children_of(to) if c.dep_ == "pobj"] if to else []
        else:
            kids = parse.children_of(cue)
            heads = [c for c in kids if c.dep_ == "nsubj"]
            for agent in (c for c in kids if c.dep_ == "agent"):  # "as reported by BelTA"
                heads += [c for c in parse.children_of(agent) if c.dep_ == "pobj"]
        for head in heads:
            first, last = parse.subtree_bounds(head)
            if own is not None and first.idx <= own < last.idx + len(last.text):
                return None  # the speaker himself ("GraphicHe said": inside a glued token)
            if head.pos_ == "PRON":
                return None
            name = self.name_at(head)
            if name is not None:
                return name
            left = head.left_edge
            return self.text[left.idx : head.idx + len(head.text)]
        return None

    def cited(self, quote: Quote) -> str | None:
        """The source the cue cites: "Interfax reported, citing the defence ministry"."""
        token = self.cue_token(quote)
        if token is None:
            return None
        parse = tree(self.doc)
        # the parse may hang "citing …" on the reported clause rather than on the cue
        near = parse.children_of(token)
        near += [g for c in near if c.dep_ == "ccomp" for g in parse.children_of(c)]
        for kid in near:
            if kid.lower_ == "citing":
                obj = next((c for c in parse.children_of(kid) if c.dep_ == "dobj"), None)
                if obj is not None and obj.pos_ != "PRON":
                    name = self.name_at(obj)
                    left = obj.left_edge
                    return name or self.text[left.idx : obj.idx + len(obj.text)]
        return None

    def alleged(self, quote: Quote) -> bool:
        """Whether the sentences around the quote say 'allegedly' (or the like)."""
        span = self.doc.char_span(quote.start, quote.end, alignment_mode="expand")
        if span is None:
            return bool(ALLEGE_ADVERBS.search(quote.text))
        first, last = sentence_of(self.doc, span[0].i), sentence_of(self.doc, span[-1].i)
        key = (first.start_char, last.end_char)
        if key not in self._alleged:  # many quotes in one sentence: read it once
            self._alleged[key] = bool(ALLEGE_ADVERBS.search(self.text[key[0] : key[1]]))
        return self._alleged[key]

    def cue_lemma(self, quote: Quote) -> str:
        token = self.cue_token(quote)
        return token.lemma_.lower() if token is not None else (quote.cue or "").lower()

    def cue_token(self, quote: Quote) -> Token | None:
        """The token of the quote's cue in its sentences nearest the quote's start."""
        if not quote.cue or quote.cue == "according to":
            return None
        span = self.doc.char_span(quote.start, quote.end, alignment_mode="expand")
        if span is None:
            return None
        sent = sentence_of(self.doc, span[0].i)
        lo, hi = sent.start, max(sent.end, sentence_of(self.doc, span[-1].i).end)
        parse = tree(self.doc)
        indices = parse.reading(quote.cue)
        a, b = bisect_left(indices, lo), bisect_left(indices, hi)
        # the nearest before the quote and the first after it; the earlier wins a tie
        if quote.cue not in self._chars:
            self._chars[quote.cue] = [parse.starts[i] for i in indices]
        chars = self._chars[quote.cue]
        before = bisect_left(chars, quote.start, a, b) - 1
        after = bisect_left(chars, quote.end, a, b)
        found = [self.doc[indices[k]] for k in (before, after) if a <= k < b]
        return min(found, key=lambda t: (abs(t.idx - quote.start), t.i), default=None)

    def chain(self, quote: Quote, relays: Sequence[str]) -> tuple[str, ...]:
        """Who passed the claim to whom: the sources it came through (``relays``), the
        quote's own speaker, the source the cue cites, then the named sources inside the
        quote.

        "According to Franak Viačorka, Makei allegedly hinted that …" gives ('Franak
        Viačorka', 'Vladimir Makei').
        """
        own = quote.speaker_key or quote.speaker_text
        if own is None:
            return ()
        inner: list[str] = []
        span = self.doc.char_span(quote.start, quote.end, alignment_mode="expand")
        if span is not None and len(span):
            for _, idx, source in self.sources(sentence_of(self.doc, span[0].i)):
                if quote.start <= idx < quote.end:
                    inner.append(source)
        cited = self.cited(quote)
        names: list[str] = []
        for name in [*relays, own, *([cited] if cited else []), *inner]:
            if name not in names:
                names.append(name)
        return tuple(names)

    def sources(self, sent: Span) -> list[tuple[int, int, str]]:
        """(token index, character, name) of each named source in the sentence."""
        found = self._sources.get(sent.start)
        if found is None:
            found = []
            if tree(self.doc).readable(sent.start):
                for token in sent:
                    source = self.named_source(token)
                    if source is not None:
                        found.append((token.i, token.idx, source))
            self._sources[sent.start] = found
        return found

    def named_source(self, token: Token) -> str | None:
        """The named subject of a speech verb, or the name after 'according to'."""
        parse = tree(self.doc)
        if token.lower_ == "according":
            to = next((c for c in parse.children_of(token) if c.lower_ == "to"), None)
            heads = [c for c in parse.children_of(to) if c.dep_ == "pobj"] if to is not None else []
        elif token.pos_ == "VERB" and token.lemma_.lower() in SPEECH_VERBS:
            heads = [c for c in parse.children_of(token) if c.dep_ == "nsubj"]
        else:
            return None
        for head in heads:
            if head.pos_ == "PROPN":
                return self.name_at(head) or head.text
        return None

    def is_heading(self, start: int, end: int) -> bool:
        """A short line of its own without a full stop: a subheading, not a statement."""
        k = bisect_left(self.para_starts, start + 1) - 1
        if k < 0 or not (self.paras[k][0] <= start and end <= self.paras[k][1]):
            return False
        if k not in self._headings:
            block = self.text[self.paras[k][0] : self.paras[k][1]].strip()
            heading = len(block.split()) < 10 and not block.endswith((".", "?", "!", "”", '"'))
            self._headings[k] = heading
        return self._headings[k]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
