"""Quotes and reported speech, with their speakers.

Written for tocsin, because the peers give up or guess: textacy's ``direct_quotations``
raises on any paragraph with an unbalanced quote mark (2 of the 5 seed articles), and
handles neither partial quotes nor 'according to'. Here:

1. Quote marks are paired per paragraph from the characters alone (``quote_marks``):
   curly, straight, guillemets, and single curly marks that are not apostrophes. A mark
   left open runs to the paragraph's end; nothing raises on unbalanced input.
2. Each quoted span is *direct* when it stands as a sentence (after a paragraph start, a
   colon or a full stop) and *partial* when the writer's own sentence runs into it.
   Short quoted terms that nobody is said to have said ("false-flag") are not quotes.
3. The speaker comes from the nearest speech cue outside the quote in the same sentence
   and paragraph (said, wrote, continued, according to …), as its grammatical subject
   (``speakers``); a quote with no cue of its own continues the last quote's speaker in
   the paragraph or the one before.
4. Indirect speech is a speech verb with a clausal complement ("Viačorka said the army did
   not have the capacity …") or an 'according to X' phrase, when no direct quote covers it.
5. Pronouns and nominals ('he', 'the group') resolve to the last named speaker or
   mention of a fitting kind before them.

Every step looks things up by position rather than by scanning, so the pass is near
linear in the text's length, however many marks, cues or names it holds.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import replace
from itertools import accumulate

from spacy.tokens import Doc, Span, Token

from tocsin.extract.cue_words import FINDING_VERBS, NAMING_VERBS
from tocsin.extract.lookup import TextIndex, text_index
from tocsin.extract.nlp import sentence_of, text_of
from tocsin.extract.quote_marks import Inside, QuoteSpan, find_quote_spans, paragraphs
from tocsin.extract.speakers import (
    SPEECH_VERBS,
    Cues,
    Mentions,
    Speaker,
    State,
    can_speak,
    find_cue,
    source_kind,
    speaker_of,
)
from tocsin.extract.stances import Content, is_stance, noun_content, stance_content, topic
from tocsin.extract.subjects import main_complement
from tocsin.extract.syntax import tree
from tocsin.models.evidence import Mention, Quote, QuoteKind
from tocsin.text import trim_span

# Speech verbs that report with an infinitive: "promised to release", "urged X to lift".
_SPEECH_WITH_INFINITIVE = frozenset(
    "promise vow urge ask demand pledge threaten call propose offer".split()
)
_MIN_UNATTRIBUTED_WORDS = 5  # a shorter quoted phrase with no speaker is a term, not a quote
_COMPLEMENTS = frozenset({"ccomp", "xcomp", "dobj", "prep", "advcl", "oprd"})
_MIN_CLAUSE_WORDS = 4  # a shorter reported clause is a fragment the parse cut off
_MIN_TOPIC_WORDS = 2  # "the plan", "Mrs. Clinton": one word is too little to report
_SAME_SPAN = 0.9  # share of the longer of two reported spans that makes them one
_CLOSING = "”\"»’'"  # a quote that ends on one of these was closed where it ends
_MAX_AFTER_CUE = 30  # characters between a speech verb and the comma before its quote
_MINOR_WORDS = frozenset("a an the of in on and or to for at by with from as".split())
_NAMING_REACH = 12  # tokens from "called" to the quoted name it gives
_MAX_NAME_LABEL = 60  # characters from a line's start to the colon after a name
# A label that stands for "the speaker said": "Quotation: “…”", "Quote: “…”".
_SOURCE_LABEL = re.compile(r"\s*(?:source|sources|speaker)\s*:", re.IGNORECASE)
_LABEL = re.compile(r"(?:^|\W)(?:quotation|quote|citation)\s*:\s*$", re.IGNORECASE)


def extract_quotes(doc: Doc, mentions: Sequence[Mention]) -> list[Quote]:
    """Direct, partial and indirect quotes in ``doc``, each with its speaker if found.

    Quoted spans and reported clauses are resolved in text order, so that a pronoun finds
    the speaker named last before it, whichever kind of quote named them.
    """
    spans = find_quote_spans(text_of(doc))
    inside = Inside(spans)
    reader = _Reader(doc, inside, Mentions(mentions, doc, inside))
    found: list[tuple[int, QuoteSpan | None, Token | None]] = [(s.start, s, None) for s in spans]
    found += [(start, None, cue) for start, cue in reader.indirect_cues()]
    found.sort(key=lambda f: f[0])
    quotes: list[tuple[Quote, QuoteSpan | None]] = []
    for _, span, cue in found:
        if span is not None:
            quote = reader.direct(span)
        else:
            assert cue is not None
            quote = reader.indirect(cue)
        if quote is not None:
            quotes.append((quote, span))
    found_quotes = reader.run_on(quotes) + reader.named_lines()
    found_quotes.sort(key=lambda q: q.start)
    return _one_per_span(_outside_speech(found_quotes))


def _outside_speech(quotes: list[Quote]) -> list[Quote]:
    """Without the beliefs and topics that lie inside reported speech: in "Lynch said he
    doubted any court would enforce it", the doubt is part of what Lynch said."""
    speech = sorted((q.start, q.end) for q in quotes if q.reports == "speech")
    starts = [a for a, _ in speech]
    reach = list(accumulate((b for _, b in speech), max))

    def inside(q: Quote) -> bool:
        k = bisect_right(starts, q.start)
        return k > 0 and reach[k - 1] >= q.end

    return [q for q in quotes if q.reports == "speech" or not inside(q)]


def _one_per_span(quotes: list[Quote]) -> list[Quote]:
    """One indirect record per reported span: two cues for the same clause ("X said and
    added that …") report it once, as the first found."""
    out: list[Quote] = []
    last: Quote | None = None
    for q in quotes:
        if q.kind == "indirect" and last is not None and _same_span(last, q):
            continue
        out.append(q)
        if q.kind == "indirect":
            last = q
    return out


def _same_span(a: Quote, b: Quote) -> bool:
    shared = min(a.end, b.end) - max(a.start, b.start)
    return shared >= _SAME_SPAN * max(a.end - a.start, b.end - b.start)


class _Reader:
    """One pass over a Doc's quotes and cues, with what the pass has learned."""

    def __init__(self, doc: Doc, inside: Inside, index: Mentions) -> None:
        self.doc, self.inside, self.index = doc, inside, index
        self.text = text_of(doc)
        self.paras = list(paragraphs(self.text))
        self.para_starts = [s for s, _ in self.paras]
        self.cues = Cues(doc, inside)
        self.state = State()
        self.where: TextIndex = text_index(doc)
        self._clauses: dict[int, Content | None] = {}

    def clause(self, cue: Token) -> Content | None:
        if cue.i not in self._clauses:
            self._clauses[cue.i] = _reported_clause(self.doc, cue)
        return self._clauses[cue.i]

    def indirect_cues(self) -> Iterator[tuple[int, Token]]:
        """Speech, belief and intention cues outside quotes, with where the clause they
        report starts."""
        for token in self.cues.reporting():
            content = self.clause(token)
            if content is not None:
                yield _trim_clause(self.text, *content[:2])[0], token

    def direct(self, span: QuoteSpan) -> Quote | None:
        text, state = self.text, self.state
        para_no = max(0, bisect_right(self.para_starts, span.start) - 1)
        p_start, p_end = self.paras[para_no]
        start, end = trim_span(text, span.start, span.end)
        if end <= start:
            return None
        alone = _stands_alone(text, span, p_start) or self._after_cue(span, p_start)
        kind: QuoteKind = "direct" if alone else "partial"
        cue, speaker = self._cue_and_speaker(span, kind, p_start, p_end)
        if speaker is None and cue is None and kind == "direct":
            speaker = self._continued(span, para_no)
        if kind == "partial" and _a_name(text[start:end]) and self._in_prose(span, p_start):
            return None  # “Morning Joe”, “War On Drugs”: a name or a title, not words said
        if speaker is None and cue is None and self._a_term(start, end, kind):
            return None  # a highlighted term, not a quote
        if speaker is not None:
            state.heard(start, para_no, speaker)
        cue_text = _cue_text(cue) if cue is not None else None
        return Quote.attributed(
            text, start, end, kind, cue_text, speaker, source_kind(self.doc, speaker)
        )

    def _cue_and_speaker(
        self, span: QuoteSpan, kind: QuoteKind, p_start: int, p_end: int
    ) -> tuple[Token | None, Speaker | None]:
        """The quote's cue (a speech verb, a colon paragraph's, or for a partial quote a
        naming verb with a named subject) and the speaker it gives."""
        cue = find_cue(self.doc, span, p_start, p_end, self.cues) or self._introduced(span)
        named_by = self._naming(span) if cue is None and kind == "partial" else None
        cue = cue or named_by
        if cue is None:
            return None, None
        speaker = speaker_of(self.doc, cue, span, self.index, self.state)
        if named_by is not None and (speaker is None or speaker.key is None):
            return None, None  # "the press called it …": nobody in particular
        return cue, speaker

    def _a_term(self, start: int, end: int, kind: QuoteKind) -> bool:
        """Whether quoted words nobody is said to have said are a term, not a quote."""
        words = self.where.words(start, end)
        return (kind == "partial" or words < 3) and words < _MIN_UNATTRIBUTED_WORDS

    def run_on(self, quotes: list[tuple[Quote, QuoteSpan | None]]) -> list[Quote]:
        """The quotes, a paragraph left open with no cue of its own taking the speaker of
        the quote that continues it in the next paragraph ("“…\n\n“…,” Harris said.")."""
        out = [q for q, _ in quotes]
        following: tuple[int, QuoteSpan] | None = None
        for k in range(len(quotes) - 1, -1, -1):
            quote, span = quotes[k]
            if span is None:
                continue
            if quote.cue is None and following is not None and self._continues(span, following[1]):
                later = out[following[0]]
                if later.speaker_text is not None:
                    out[k] = replace(
                        quote,
                        speaker_text=later.speaker_text,
                        speaker_start=later.speaker_start,
                        speaker_end=later.speaker_end,
                        speaker_key=later.speaker_key,
                        source_kind=later.source_kind,
                    )
            following = (k, span)
        return out

    def _continues(self, span: QuoteSpan, after: QuoteSpan) -> bool:
        """Whether ``span`` is left open at its paragraph's end and ``after`` opens the
        next paragraph."""
        text = self.text
        if span.end < len(text) and text[span.end] in _CLOSING:
            return False  # closed: the quote ends here
        para_no = bisect_right(self.para_starts, span.start) - 1
        nxt = para_no + 1
        return nxt < len(self.paras) and after.open_mark == self.paras[nxt][0]

    def _in_prose(self, span: QuoteSpan, p_start: int) -> bool:
        """Whether the words before the quote are in sentence case (a headline capitalises
        every word, and there a capitalised quote is no name)."""
        before = self.text[max(p_start, span.open_mark - 40) : max(p_start, span.open_mark)]
        return any(w[:1].islower() and w not in _MINOR_WORDS for w in before.split()[-5:])

    def _after_cue(self, span: QuoteSpan, p_start: int) -> bool:
        """Whether the quote follows a speech verb and a comma ("He said, “We …”"; "she
        added on Monday, “…”"): it stands as a sentence of its own."""
        k = span.open_mark
        while k > p_start and self.text[k - 1].isspace():
            k -= 1
        if (
            k <= p_start
            or self.text[k - 1] != ","
            or not self.text[span.start : span.start + 1].isupper()
        ):
            return False
        n = bisect_right(self.cues.chars, k - 1) - 1
        if n < 0:
            return False
        cue = self.cues.tokens[n]
        between = self.text[cue.idx + len(cue.text) : k - 1]
        return len(between) <= _MAX_AFTER_CUE and not any(c in '.;:!?,”"' for c in between)

    def _naming(self, span: QuoteSpan) -> Token | None:
        """With no speech verb, a verb that gives the quoted words as a name, just before
        them in their sentence: "Cruz called Trump a “pathological liar”"."""
        parse = tree(self.doc)
        naming = parse.where(
            "naming-verb",
            lambda: parse.has("POS", {"VERB"}) & parse.has("LEMMA", NAMING_VERBS, lower=True),
        )
        k = bisect_left(parse.starts, span.open_mark)
        n = bisect_left(naming, k) - 1
        if n < 0 or not parse.readable(naming[n]):
            return None
        verb = self.doc[naming[n]]
        same = sentence_of(self.doc, verb.i).end > k and k - verb.i <= _NAMING_REACH
        return verb if same and not self.inside(verb.idx) else None

    def _introduced(self, span: QuoteSpan) -> Token | None:
        """The cue of a paragraph that ends with a colon, for a quote that opens the next
        ("Caddell continued:" then "“…”" in a paragraph of its own)."""
        para_no = bisect_right(self.para_starts, span.open_mark) - 1
        if para_no < 1 or span.open_mark != self.paras[para_no][0]:
            return None
        b_start, b_end = self.paras[para_no - 1]
        if not self.text[b_start:b_end].rstrip().endswith(":"):
            return None
        n = bisect_right(self.cues.chars, b_end) - 1
        return self.cues.tokens[n] if n >= 0 and self.cues.chars[n] >= b_start else None

    def named_lines(self) -> list[Quote]:
        """ "Pat Caddell: Voters worry about her health", "Sanders: Clinton needs to …": a
        line that opens with a name and a colon gives the rest of it to that name, unless
        it is quoted (the quote has it)."""
        out = []
        for p_start, p_end in self.paras:
            named = self._named_line(p_start, p_end)
            if named is None:
                continue
            start, end = _trim_clause(self.text, named[1], p_end)
            if (
                self.where.words(start, end) < _MIN_CLAUSE_WORDS
                or self.inside.overlap(start, end) > 0.5
            ):
                continue
            speaker = Speaker(
                named[0].text, named[0].start, named[0].end, named[0].key, named[0].label
            )
            out.append(Quote.attributed(self.text, start, end, "indirect", None, speaker))
        return out

    def _named_line(self, p_start: int, p_end: int) -> tuple[Mention, int] | None:
        """The name that opens a paragraph with a colon after it, and where its words
        start."""
        colon = self.text.find(":", p_start, min(p_end, p_start + _MAX_NAME_LABEL))
        named = self.index.around(colon - 1) if colon > p_start else None
        if named is None or named.end != colon or named.label not in ("PERSON", "ORG"):
            return None
        if self.where.words(p_start, named.start) > 2:  # "Sen. Bernie Sanders:" at most
            return None
        return named, colon + 1

    def _continued(self, span: QuoteSpan, para_no: int) -> Speaker | None:
        """The speaker of a quote with no cue of its own: the name that opens its line
        ("Loretta Lynch: ‘Be the voice …’"), the last quote's, in this paragraph or the
        one before ("…,” he said. “…”; a quote running on), or after a label ("Quotation:
        “…”") the last one heard or named as a subject before it."""
        state = self.state
        p_start, p_end = self.paras[para_no]
        line = self._named_line(p_start, p_end) if span.open_mark >= 0 else None
        if line is not None and not self.text[line[1] : span.open_mark].strip():
            return _as_speaker(line[0])
        if self._labelled(span, para_no):
            source = self._source_line(para_no)
            if source is not None:
                return source
            if state.last is not None:
                return state.last[1]
            named = self.index.last_subject_before(span.start, frozenset({"PERSON"}))
            return _as_speaker(named) if named is not None else None
        if state.last is not None and state.last[0] in (para_no, para_no - 1):
            return state.last[1]
        return None

    def _source_line(self, para_no: int) -> Speaker | None:
        """The one a "Source: Jan Kos, border service spokesman" line names, in this or the
        paragraph before (the house style of a labelled quotation): the words up to the
        first comma, as the mention there when one covers them."""
        for k in (para_no, para_no - 1):
            if k < 0:
                continue
            p_start, p_end = self.paras[k]
            label = _SOURCE_LABEL.match(self.text, p_start, p_end)
            if label is None:
                continue
            comma = self.text.find(",", label.end(), p_end)
            start, end = trim_span(self.text, label.end(), p_end if comma < 0 else comma)
            named = self.index.best_within(start, end)
            if named is not None and named.start == start:
                return _as_speaker(named)
            return Speaker(self.text[start:end], start, end, None, None) if end > start else None
        return None

    def _labelled(self, span: QuoteSpan, para_no: int) -> bool:
        """Whether a label such as "Quotation:" or "Quote:" introduces the quote."""
        if span.open_mark < 0:
            return False
        p_start = self.paras[para_no][0]
        before = self.text[max(p_start, span.open_mark - 30) : span.open_mark]
        if para_no > 0 and not before.strip():
            b_start, b_end = self.paras[para_no - 1]
            before = self.text[max(b_start, b_end - 30) : b_end]
        return _LABEL.search(before) is not None

    def indirect(self, cue: Token) -> Quote | None:
        """Reported speech, belief or topic: a speech verb with a clause, 'according to X,
        …', a belief or intention, or what a source spoke of or took a stance on."""
        content = self.clause(cue)
        if content is None:
            return None
        start, end = self._within_paragraph(cue.idx, *content[:2])
        start, end = _trim_clause(self.text, start, end)
        # A topic, or what is called for ("called for more investment"), is a noun phrase.
        phrase = content[2] == "topic" or cue.lemma_.lower() == "call"
        least = _MIN_TOPIC_WORDS if phrase else _MIN_CLAUSE_WORDS
        if self.where.words(start, end) < least or self.inside.overlap(start, end) > 0.8:
            return None
        speaker = speaker_of(self.doc, cue, None, self.index, self.state)
        # A belief or topic needs a person or a body; a finding may be a document's.
        strict = content[2] != "speech" and cue.lemma_.lower() not in FINDING_VERBS
        if speaker is None or not can_speak(speaker, strict=strict):
            return None
        if content[2] == "speech":
            self.state.record(start, speaker)  # who has spoken, for a later 'he'
        found = Quote.attributed(
            self.text, start, end, "indirect", _cue_text(cue), speaker,
            source_kind(self.doc, speaker),
        )  # fmt: skip
        return replace(found, reports=content[2])

    def _within_paragraph(self, pos: int, start: int, end: int) -> tuple[int, int]:
        """[start, end) cut to the paragraph around ``pos``: a parse can run past a heading."""
        p_start = self.where.blank_before(pos) + 1
        p_end = self.where.blank_after(pos)
        p_end = len(self.text) if p_end < 0 else p_end
        return max(start, p_start), min(end, p_end)


def _a_name(quoted: str) -> bool:
    """Whether quoted words read as a name or a title: two or more words, each
    capitalised but the small ones, and no sentence in them ("Make Your Kid a
    Millionaire", "The Steve Harvey Morning Show")."""
    words = quoted.strip(" ,.;:!?'\"’”").split()
    if len(words) < 2 or any(c in quoted for c in ".!?"):
        return False
    return all(w[:1].isupper() or w in _MINOR_WORDS for w in words) and words[0][:1].isupper()


def _as_speaker(m: Mention) -> Speaker:
    return Speaker(m.text, m.start, m.end, m.key, m.label)


def _stands_alone(text: str, span: QuoteSpan, p_start: int) -> bool:
    """True when the quote starts a sentence: at a paragraph start, after a colon or a
    sentence end, and begins with a capital (or an ellipsis/bracket)."""
    first = text[span.start : span.start + 1]
    if span.open_mark < 0:
        return True
    k = span.open_mark  # the end of the paragraph's text before the mark, spaces dropped
    while k > p_start and text[k - 1].isspace():
        k -= 1
    starts_sentence = (
        k <= p_start
        or text[k - 1] in ":.!?;—–"
        or "\n" in text[k : span.open_mark]  # a line of its own
        or (text[k - 1] in _CLOSING and k - 2 >= p_start and text[k - 2] in ".!?")
        or (k - p_start >= 4 and text[k - 4 : k] in ("said", "says"))
    )
    return starts_sentence and (first.isupper() or first in "…[(")


def _cue_text(token: Token) -> str:
    if token.lower_ == "according":
        return "according to"
    return token.text


def _reported_clause(doc: Doc, cue: Token) -> Content | None:
    """What ``cue`` reports: a clause or quoted words (speech), a belief, or a topic."""
    if cue.lower_ == "according":
        found = _rest_of_sentence(doc, cue)
        return (*found, "speech") if found is not None else None
    tag = _trailing_tag(doc, cue)
    if tag is not None:
        return tag
    if cue.pos_ == "NOUN":
        return noun_content(cue)
    if is_stance(cue):
        return stance_content(cue)
    clause = main_complement(cue)
    if (
        clause is not None
        and clause.i > cue.i
        and _reporting(clause)
        and _trailing_tag(doc, clause)
    ):
        clause = None  # "…, Ortega said, the Gazette has learned.": not what Ortega said
    if clause is None and cue.lemma_.lower() in _SPEECH_WITH_INFINITIVE:
        clause = _infinitive(cue)
    if clause is None and cue.dep_ == "parataxis":
        found = _rest_of_sentence(doc, cue)  # "For now, he wrote, he is focused on …"
        return (*found, "speech") if found is not None else None
    if clause is None:
        return topic(cue)  # "announced the arrest of …", "talked about the war"
    return (*_extent(doc, clause), "speech")


def _reporting(token: Token) -> bool:
    return token.lemma_.lower() in SPEECH_VERBS or is_stance(token)


def _trailing_tag(doc: Doc, cue: Token) -> Content | None:
    """ "…, the Riverside Gazette has learned.": a reporting verb with a subject and no
    complement, after a comma at the end of its sentence, reports the sentence before it."""
    kids = tree(doc).children_of(cue)
    if any(k.dep_ in _COMPLEMENTS for k in kids) or not any(k.dep_ == "nsubj" for k in kids):
        return None
    first, last = tree(doc).subtree_bounds(cue)
    sent = sentence_of(doc, cue.i)
    ends = last.i + 1 >= sent.end or (doc[last.i + 1].is_punct and last.i + 2 >= sent.end)
    if first.i <= sent.start or doc[first.i - 1].text != "," or not ends:
        return None
    found = _rest_of_sentence(doc, cue)
    return (*found, "speech" if not is_stance(cue) else "belief") if found is not None else None


def _infinitive(cue: Token) -> Token | None:
    """ "vowed not to send troops", "urged the West not to lump Belarus in with Russia",
    "asked for sanctions to be lifted"."""
    parse = tree(cue.doc)
    kids = parse.children_of(cue)
    clause = next((c for c in kids if c.dep_ == "xcomp"), None)
    if clause is None:
        obj = next((c for c in kids if c.dep_ == "dobj"), None)
        if obj is not None:
            clause = next((c for c in parse.children_of(obj) if c.dep_ == "xcomp"), None)
    if clause is None:
        clause = next(
            (
                c
                for c in kids
                if c.dep_ == "advcl" and any(m.lower_ == "for" for m in parse.children_of(c))
            ),
            None,
        )
    return clause


def _extent(doc: Doc, clause: Token) -> tuple[int, int]:
    """Where a reported clause runs: its subtree, cut before a second speech verb joined to
    it ("asked for sanctions to be lifted … and promised to release …": the second one
    reports its own clause)."""
    parse = tree(doc)
    first, last = parse.subtree_bounds(clause)
    end = last.idx + len(last.text)
    if not parse.summary(clause).ordered[clause.i]:
        return first.idx, _cut_in_order(parse.subtree_of(clause), clause, end)
    # The subtree is doc[first:last + 1]: cuts are found by bisection, not by scanning it.
    joined = parse.where(
        "speech-conj",
        lambda: parse.has("DEP", {"conj"}) & parse.has("LEMMA", SPEECH_VERBS, lower=True),
    )
    for k in range(bisect_right(joined, clause.i), bisect_right(joined, last.i)):
        cut = doc[joined[k]].left_edge.i
        before = parse.last_where(
            "clause-word", lambda: ~parse.has("DEP", {"cc"}) & ~parse.has("ORTH", {","}), cut
        )
        if before >= first.i:
            end = min(end, doc[before].idx + len(doc[before].text))
    return first.idx, end


def _cut_in_order(subtree: Iterator[Token], clause: Token, end: int) -> int:
    """``_extent``'s cut for a subtree the parse left out of order: read as spaCy yields it."""
    tokens = list(subtree)
    for token in tokens:
        if _speech_conj(token) and token.i > clause.i:
            cut = token.left_edge
            before = [t for t in tokens if t.i < cut.i and _clause_word(t)]
            if before:
                end = min(end, before[-1].idx + len(before[-1].text))
    return end


def _speech_conj(token: Token) -> bool:
    return token.dep_ == "conj" and token.lemma_.lower() in SPEECH_VERBS


def _clause_word(token: Token) -> bool:
    return token.dep_ != "cc" and token.text != ","


def _rest_of_sentence(doc: Doc, cue: Token) -> tuple[int, int] | None:
    """The statement an 'according to X' or a parenthetical 'he wrote' attributes: the
    longer part of the sentence outside the phrase, if it has a verb."""
    sent: Span = sentence_of(doc, cue.i)
    parse = tree(doc)
    first, last = parse.subtree_bounds(cue)
    before = doc[sent.start : first.i]
    after = doc[last.i + 1 : sent.end]
    part = after if len(after) >= len(before) else before
    if not parse.count("verb", lambda: parse.has("POS", {"VERB", "AUX"}), part.start, part.end):
        return None
    return part.start_char, part.end_char


def _trim_clause(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a leading 'that', commas and brackets, and the sentence's final stop."""
    while start < end and (text[start] in " ,;:–—(" or _that(text, start, end)):
        start += 5 if _that(text, start, end) else 1
    while end > start and text[end - 1] in " ,;:.–—)":
        end -= 1
    return start, end


def _that(text: str, start: int, end: int) -> bool:
    """``text[start:end].lower().startswith("that ")``, without copying the clause."""
    return end - start >= 5 and text[start : start + 5].lower() == "that "
