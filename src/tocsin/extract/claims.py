"""Claims and how sure the reporting is: each attributed statement and each hedged sentence.

Status, checked in this order (the first that applies wins):

- ``denied``: the cue denies or rejects ("Kyiv denied these accusations");
- ``alleged``: the cue is 'claim'/'allege', or the sentence says 'allegedly', 'reportedly',
  'purportedly', 'supposedly';
- ``reported``: the writer passes it on from a source ("according to X", "X reported",
  "citing sources");
- ``speculative``: the statement hedges ("may", "could", "it is unclear", "probably");
- ``asserted``: a source states it.

A claim's source chain lists who passed it to whom, outermost first: "Makei allegedly
hinted, said Viačorka, that …" is ('Franak Viačorka', 'Vladimir Makei').
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Doc, Token

from tocsin.extract.nlp import sentence_of, sentences, text_of
from tocsin.extract.quotes import SPEECH_VERBS, paragraphs
from tocsin.models.evidence import Claim, ClaimStatus, Mention, Quote

DENY = frozenset({"deny", "reject", "dismiss", "refute", "rebut"})
ALLEGE = frozenset({"claim", "allege"})
ALLEGE_ADVERBS = re.compile(r"\b(allegedly|reportedly|purportedly|supposedly|ostensibly)\b", re.I)
REPORT = frozenset({"report", "according to", "cite"})
HEDGES = re.compile(
    r"\b(may|might|could|possibly|probably|perhaps|likely|unlikely|unclear|uncertain|"
    r"appears?|appeared|seems?|seemed|suggests?|reportedly|presumably|apparently|"
    r"it is (?:not )?clear whether|impossible to say|hard to believe|doubts?)\b",
    re.I,
)


def extract_claims(doc: Doc, quotes: Sequence[Quote], mentions: Sequence[Mention]) -> list[Claim]:
    """One claim per attributed quote, and one per hedged sentence nobody is quoted in."""
    text = text_of(doc)
    claims = [_from_quote(doc, q, mentions) for q in quotes]
    claims += _denials(doc, quotes, mentions)
    covered = [(c.start, c.end) for c in claims]
    for sent in sentences(doc):
        s, e = _trim(text, sent.start_char, sent.end_char)
        if e - s < 20 or any(a < e and s < b for a, b in covered):
            continue
        if HEDGES.search(text[s:e]) and not _is_heading(text, s, e):
            claims.append(Claim(start=s, end=e, text=text[s:e], status="speculative"))
    claims.sort(key=lambda c: c.start)
    return claims


def _denials(doc: Doc, quotes: Sequence[Quote], mentions: Sequence[Mention]) -> list[Claim]:
    """ "Kyiv denied these accusations": a denial with no clause is a claim of its own, the
    sentence, when no quote already carries it."""
    text = text_of(doc)
    out = []
    for token in doc:
        if token.pos_ != "VERB" or token.lemma_.lower() not in DENY:
            continue
        if any(q.start <= token.idx < q.end for q in quotes):
            continue
        if any(c.dep_ == "ccomp" for c in token.children):
            continue  # "denied that …" is a reported clause, found with the quotes
        subject = next((c for c in token.children if c.dep_ == "nsubj"), None)
        if subject is None:
            continue
        sent = sentence_of(doc, token.i)
        start, end = _trim(text, sent.start_char, sent.end_char)
        name = _name_at(mentions, subject)
        out.append(
            Claim(
                start=start,
                end=end,
                text=text[start:end],
                status="denied",
                source_key=name,
                source_text=subject.text if name is None else None,
                source_chain=(name or subject.text,),
            )
        )
    return out


def _from_quote(doc: Doc, quote: Quote, mentions: Sequence[Mention]) -> Claim:
    sentence = _sentence_text(doc, quote)
    cue = (quote.cue or "").lower()
    cue_lemma = _cue_lemma(doc, quote)
    status: ClaimStatus
    if cue_lemma in DENY:
        status = "denied"
    elif cue_lemma in ALLEGE or ALLEGE_ADVERBS.search(sentence):
        status = "alleged"
    elif cue == "according to" or cue_lemma in REPORT:
        status = "reported"
    elif HEDGES.search(quote.text):
        status = "speculative"
    else:
        status = "asserted"
    chain = _chain(doc, quote, mentions)
    return Claim(
        start=quote.start,
        end=quote.end,
        text=quote.text,
        status=status,
        source_key=quote.speaker_key,
        source_text=quote.speaker_text,
        source_chain=chain,
    )


def _sentence_text(doc: Doc, quote: Quote) -> str:
    span = doc.char_span(quote.start, quote.end, alignment_mode="expand")
    if span is None:
        return quote.text
    first, last = sentence_of(doc, span[0].i), sentence_of(doc, span[-1].i)
    return text_of(doc)[first.start_char : last.end_char]


def _cue_lemma(doc: Doc, quote: Quote) -> str:
    token = _cue_token(doc, quote)
    return token.lemma_.lower() if token is not None else (quote.cue or "").lower()


def _cue_token(doc: Doc, quote: Quote) -> Token | None:
    if not quote.cue or quote.cue == "according to":
        return None
    span = doc.char_span(quote.start, quote.end, alignment_mode="expand")
    if span is None:
        return None
    sent = sentence_of(doc, span[0].i)
    lo, hi = sent.start, max(sent.end, sentence_of(doc, span[-1].i).end)
    best = None
    for token in doc[lo:hi]:
        if (
            token.text == quote.cue
            and not (quote.start <= token.idx < quote.end)
            and (best is None or abs(token.idx - quote.start) < abs(best.idx - quote.start))
        ):
            best = token
    return best


def _chain(doc: Doc, quote: Quote, mentions: Sequence[Mention]) -> tuple[str, ...]:
    """Who passed the claim to whom, outermost first: the named subjects of the speech cues
    in its sentence (and 'according to X'), ordered by how high their cue sits in the parse.

    "According to Franak Viačorka, Makei allegedly hinted that …" gives ('Franak
    Viačorka', 'Vladimir Makei'). The quote's own speaker ends the chain.
    """
    own = quote.speaker_key or quote.speaker_text
    if own is None:
        return ()
    span = doc.char_span(quote.start, quote.end, alignment_mode="expand")
    if span is None or not len(span):
        return (own,)
    outer: list[tuple[int, int, str]] = []
    inner: list[tuple[int, int, str]] = []
    for token in sentence_of(doc, span[0].i):
        source = _named_source(token, mentions)
        if source is not None:
            inside = quote.start <= token.idx < quote.end
            (inner if inside else outer).append((_depth(token), token.i, source))
    names: list[str] = []
    for _, _, name in [*sorted(outer), (0, 0, own), *sorted(inner)]:
        if name not in names:
            names.append(name)
    # The speaker's own cue is the outermost one outside the quote, so it heads what it
    # passes on; names found outside it (a parenthetical 'said X') precede it.
    return tuple(names)


def _named_source(token: Token, mentions: Sequence[Mention]) -> str | None:
    """The named subject of a speech verb, or the name after 'according to'."""
    if token.lower_ == "according":
        to = next((c for c in token.children if c.lower_ == "to"), None)
        heads = [c for c in to.children if c.dep_ == "pobj"] if to is not None else []
    elif token.pos_ == "VERB" and token.lemma_.lower() in SPEECH_VERBS:
        heads = [c for c in token.children if c.dep_ == "nsubj"]
    else:
        return None
    for head in heads:
        if head.pos_ == "PROPN":
            return _name_at(mentions, head) or head.text
    return None


def _depth(token: Token) -> int:
    depth = 0
    while token.head is not token and depth < 50:
        token, depth = token.head, depth + 1
    return depth


def _name_at(mentions: Sequence[Mention], token: Token) -> str | None:
    for m in mentions:
        if m.start <= token.idx < m.end:
            return m.key
    return None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _is_heading(text: str, start: int, end: int) -> bool:
    """A short line of its own without a full stop: a subheading, not a statement."""
    for p_start, p_end in paragraphs(text):
        if p_start <= start and end <= p_end:
            block = text[p_start:p_end].strip()
            return len(block.split()) < 10 and not block.endswith((".", "?", "!", "”", '"'))
    return False
