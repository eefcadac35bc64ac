"""Quotes and reported speech, with their speakers.

Written for tocsin, because the peers give up or guess: textacy's ``direct_quotations``
raises on any paragraph with an unbalanced quote mark (2 of the 5 seed articles), and
handles neither partial quotes nor 'according to'. Here:

1. Quote marks are paired per paragraph from the characters alone (curly, straight,
   guillemets, and single curly marks that are not apostrophes). A mark left open runs to
   the paragraph's end, which is how multi-paragraph quotes are written; a mixed pair
   (“ … ") still pairs. Nothing raises on unbalanced input.
2. Each quoted span is *direct* when it stands as a sentence (after a paragraph start, a
   colon or a full stop) and *partial* when the writer's own sentence runs into it.
   Short quoted terms that nobody is said to have said ("false-flag") are not quotes.
3. The speaker comes from the nearest speech cue outside the quote in the same sentence
   and paragraph (said, wrote, continued, according to …), as its grammatical subject
   ("…,” said Artyom Shraibman"; "He said: “…”"); a quote with no cue of its own
   continues the last quote's speaker in the paragraph or the one before.
4. Indirect speech is a speech verb with a clausal complement ("Viačorka said the army did
   not have the capacity …") or an 'according to X' phrase, when no direct quote covers it.
5. Pronouns and nominals ('he', 'the group') resolve to the last named speaker or
   mention of a fitting kind before them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from tocsin.extract.nlp import sentence_of, text_of
from tocsin.models.evidence import Mention, Quote, QuoteKind

# Lemmas of verbs that report speech or writing. Cognition verbs (think, believe) are left
# out: "he thinks X" is not a statement the article attributes as said.
SPEECH_VERBS = frozenset(
    "say speak talk tell state add continue write claim allege warn admit report note stress "
    "emphasise emphasize insist declare announce deny suggest complain argue explain assure "
    "promise threaten acknowledge confirm reiterate lament vow urge predict hint ask demand "
    "propose recall comment respond reply accuse conclude assess tweet post mention observe "
    "remark caution testify disclose reveal concede contend maintain point describe "
    "quip joke shout cry whisper".split()
)
# Speech verbs that report with an infinitive: "promised to release", "urged X to lift".
_SPEECH_WITH_INFINITIVE = frozenset(
    "promise vow urge ask demand pledge threaten call propose offer".split()
)
# Verbs that only count as cues with a clause after them: "X noted that …" yes, but
# "X added troops" no. The rest need a quote or a clause too, so this is all of them.
_PRONOUNS_PERSON = frozenset({"he", "she", "him", "her", "i"})
_PRONOUNS_PLURAL = frozenset({"they", "them", "we", "us"})
# Titles that stand for a person named before: "the Belarusian leader", "the president".
_TITLE_NOUNS = frozenset("leader president minister premier strongman dictator".split())
# Nominals that refer back to a named organisation: "the group reported" after "the
# Belarusian Hajun Project". Generic bodies ("the authorities") are not resolved.
_NOMINAL_ORG = frozenset(
    ["group", "organisation", "organization", "ministry", "agency", "monitor", "project", "outlet"]
)
_MARKS = frozenset('“”"«»„‘’')
_MIN_UNATTRIBUTED_WORDS = 5  # a shorter quoted phrase with no speaker is a term, not a quote
_WORD = re.compile(r"\w+")
# Nouns for what a source issues: "according to a briefing by the UK’s Ministry of Defence".
_DOCUMENT_NOUNS = frozenset(
    "briefing report statement interview letter study survey poll assessment analysis data "
    "announcement communique communiqué post tweet video".split()
)
# Nouns for people and bodies that make statements: "officials said", "the ministry said".
_SPEAKING_NOUNS = _NOMINAL_ORG | frozenset(
    "official analyst expert observer diplomat spokesman spokeswoman spokesperson source "
    "minister president leader adviser advisor sociologist critic activist witness resident "
    "journalist reporter representative authorities official people pentagon kremlin "
    "government army military forces council committee department office service party "
    "campaign".split()
)
_GLUED_PRONOUN = re.compile(r"^[A-Z]?[a-z]+(He|She|They|We|I)$")


@dataclass
class QuoteSpan:
    """Characters inside a pair of quote marks, within one paragraph."""

    start: int  # first character inside the opening mark
    end: int  # the closing mark's index (exclusive end of the content)
    open_mark: int  # index of the opening mark, or -1 when the quote runs on from before


def paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each paragraph: blocks separated by blank lines, or by single
    newlines when the text has no blank lines."""
    sep = re.compile(r"\n\s*\n") if "\n\n" in text else re.compile(r"\n")
    pos = 0
    for match in sep.finditer(text):
        if match.start() > pos:
            yield pos, match.start()
        pos = match.end()
    if pos < len(text):
        yield pos, len(text)


def _is_open(text: str, i: int, para_start: int) -> bool:
    before = text[i - 1] if i > para_start else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    ch = text[i]
    if ch in "“«„":
        return True
    if ch in '"‘':
        return (before.isspace() or before in "([{—–-/:“") and not after.isspace()
    return False


def _is_close(text: str, i: int, para_end: int) -> bool:
    ch = text[i]
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < para_end else " "
    if ch in "”»":
        return True
    if ch == '"':
        return not before.isspace()
    if ch == "’":
        # An apostrophe sits between letters (it’s) or ends a plural possessive (Belarus’
        # borders); a closing mark is followed by a space, punctuation or the end.
        return not before.isspace() and not after.isalnum()
    return False


def find_quote_spans(text: str) -> list[QuoteSpan]:
    """Quoted spans of ``text``, paired per paragraph; tolerant of unbalanced marks."""
    spans: list[QuoteSpan] = []
    for p_start, p_end in paragraphs(text):
        spans.extend(_pair(text, p_start, p_end))
    return spans


def _pair(text: str, p_start: int, p_end: int) -> Iterator[QuoteSpan]:
    open_at = -1
    single = False
    for i in range(p_start, p_end):
        ch = text[i]
        if ch not in _MARKS:
            continue
        if open_at >= 0:
            # Inside a quote: a single mark nests inside a double one and is left alone.
            if (ch == "’" if single else ch in '”»"') and _is_close(text, i, p_end):
                yield QuoteSpan(open_at + 1, i, open_at)
                open_at = -1
            elif not single and ch in "“«„" and _is_open(text, i, p_start):
                # A new opening mark before any close: the first quote lost its closing
                # mark; end it here rather than swallow the rest of the paragraph.
                yield QuoteSpan(open_at + 1, _rstrip(text, i), open_at)
                open_at = i
            continue
        if _is_open(text, i, p_start):
            open_at, single = i, ch == "‘"
        elif ch in "”»" and not _opened_before(text, p_start, i):
            # A closing mark with no opening in the paragraph: the quote began at the
            # paragraph's start (a multi-paragraph quote's last paragraph, say).
            yield QuoteSpan(p_start, i, -1)
    if open_at >= 0 and not single:
        yield QuoteSpan(open_at + 1, _rstrip(text, p_end), open_at)


def _opened_before(text: str, p_start: int, i: int) -> bool:
    """True when an opening double mark precedes index ``i`` in the paragraph."""
    return any(c in "“«„" for c in text[p_start:i])


def _rstrip(text: str, end: int) -> int:
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end


class _Mentions:
    """Mentions in text order, for 'which entity is here' and 'the last one before'."""

    def __init__(
        self, mentions: Sequence[Mention], doc: Doc | None = None, quoted: _Inside | None = None
    ) -> None:
        self.items = sorted(mentions, key=lambda m: m.start)
        self.starts = [m.start for m in self.items]
        # Mentions that are the grammatical subject of their clause, outside quotes: the
        # likeliest antecedents of a later 'he' or 'they'.
        self.subjects: list[Mention] = []
        if doc is not None:
            quoted = quoted or _Inside(find_quote_spans(text_of(doc)))
            seen_sentences: set[int] = set()
            for m in self.items:
                span = doc.char_span(m.start, m.end, alignment_mode="expand")
                if span is None or not len(span) or quoted(m.start):
                    continue
                sentence = sentence_of(doc, span.root.i).start
                # One per sentence, the first: "Pavel Latushka said that Lukashenka had
                # agreed …" makes Latushka, not Lukashenka, the next 'he'.
                if span.root.dep_ in ("nsubj", "nsubjpass") and sentence not in seen_sentences:
                    seen_sentences.add(sentence)
                    self.subjects.append(m)

    def last_subject_before(self, pos: int, labels: frozenset[str]) -> Mention | None:
        for m in reversed(self.subjects):
            if m.end <= pos and m.label in labels:
                return m
        return None

    def around(self, pos: int) -> Mention | None:
        """The mention that contains character ``pos``."""
        i = bisect_right(self.starts, pos) - 1
        if i >= 0 and self.items[i].start <= pos < self.items[i].end:
            return self.items[i]
        return None

    def within(self, start: int, end: int) -> list[Mention]:
        i = max(0, bisect_right(self.starts, start) - 1)
        out = []
        while i < len(self.items) and self.items[i].start < end:
            if self.items[i].start >= start and self.items[i].end <= end:
                out.append(self.items[i])
            i += 1
        return out

    def last_before(self, pos: int, labels: frozenset[str]) -> Mention | None:
        i = bisect_right(self.starts, pos) - 1
        while i >= 0:
            if self.items[i].label in labels and self.items[i].end <= pos:
                return self.items[i]
            i -= 1
        return None


@dataclass
class _Speaker:
    text: str
    start: int
    end: int
    key: str | None
    label: str | None


def extract_quotes(doc: Doc, mentions: Sequence[Mention]) -> list[Quote]:
    """Direct, partial and indirect quotes in ``doc``, each with its speaker if found.

    Quoted spans and reported clauses are resolved in text order, so that a pronoun finds
    the speaker named last before it, whichever kind of quote named them.
    """
    text = text_of(doc)
    spans = find_quote_spans(text)
    inside = _Inside(spans)
    index = _Mentions(mentions, doc, inside)
    paras = list(paragraphs(text))
    found: list[tuple[int, QuoteSpan | None, Token | None]] = [(s.start, s, None) for s in spans]
    found += [(start, None, cue) for start, cue in _indirect_cues(doc, inside)]
    found.sort(key=lambda f: f[0])
    quotes: list[Quote] = []
    state = _State()
    for _, span, cue in found:
        if span is not None:
            quote = _direct(doc, span, paras, inside, index, state)
        else:
            assert cue is not None
            quote = _indirect(doc, cue, inside, index, state)
        if quote is not None:
            quotes.append(quote)
    return quotes


@dataclass
class _State:
    """What the pass has seen: the last quote's speaker and every speaker by position."""

    last: tuple[int, _Speaker] | None = None  # (paragraph number, speaker) of the last quote
    history: list[tuple[int, _Speaker]] = field(default_factory=list)

    def heard(self, pos: int, para_no: int, speaker: _Speaker) -> None:
        self.last = (para_no, speaker)
        self.history.append((pos, speaker))


def _direct(
    doc: Doc,
    span: QuoteSpan,
    paras: Sequence[tuple[int, int]],
    inside: _Inside,
    index: _Mentions,
    state: _State,
) -> Quote | None:
    text = text_of(doc)
    para_no = _paragraph_of(paras, span.start)
    p_start, p_end = paras[para_no]
    start, end = _trim(text, span.start, span.end)
    if end <= start:
        return None
    kind: QuoteKind = "direct" if _stands_alone(text, span, p_start) else "partial"
    cue = _find_cue(doc, span, p_start, p_end, inside)
    speaker = _speaker_of(doc, cue, span, index, state.history) if cue is not None else None
    if speaker is None and cue is None and state.last is not None and kind == "direct":
        # No cue of its own: a quote continues the speaker of the last quote in this
        # paragraph or the one before ("…,” he said. “…”; a quote running on).
        prev_para, prev = state.last
        if prev_para in (para_no, para_no - 1):
            speaker = prev
    words = len(_WORD.findall(text[start:end]))
    if (
        speaker is None
        and cue is None
        and (kind == "partial" or words < 3)
        and words < _MIN_UNATTRIBUTED_WORDS
    ):
        return None  # a highlighted term, not a quote
    if speaker is not None:
        state.heard(start, para_no, speaker)
    return _quote(text, start, end, kind, cue, speaker)


def _quote(
    text: str, start: int, end: int, kind: QuoteKind, cue: Token | None, speaker: _Speaker | None
) -> Quote:
    return Quote(
        start=start,
        end=end,
        text=text[start:end],
        kind=kind,
        cue=_cue_text(cue) if cue is not None else None,
        speaker_text=speaker.text if speaker else None,
        speaker_start=speaker.start if speaker else None,
        speaker_end=speaker.end if speaker else None,
        speaker_key=speaker.key if speaker else None,
    )


class _Inside:
    """Which characters lie inside a quote."""

    def __init__(self, spans: Sequence[QuoteSpan]) -> None:
        self.spans = sorted((s.start, s.end) for s in spans)
        self.starts = [s for s, _ in self.spans]

    def __call__(self, pos: int) -> bool:
        i = bisect_right(self.starts, pos) - 1
        return i >= 0 and self.spans[i][0] <= pos < self.spans[i][1]

    def overlap(self, start: int, end: int) -> float:
        """Share of [start, end) that lies inside quotes."""
        if end <= start:
            return 0.0
        covered = sum(max(0, min(end, e) - max(start, s)) for s, e in self.spans)
        return covered / (end - start)


def _paragraph_of(paras: Sequence[tuple[int, int]], pos: int) -> int:
    starts = [s for s, _ in paras]
    return max(0, bisect_right(starts, pos) - 1)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == ","):
        end -= 1
    return start, end


def _stands_alone(text: str, span: QuoteSpan, p_start: int) -> bool:
    """True when the quote starts a sentence: at a paragraph start, after a colon or a
    sentence end, and begins with a capital (or an ellipsis/bracket)."""
    first = text[span.start : span.start + 1]
    if span.open_mark < 0:
        return True
    before = text[p_start : span.open_mark].rstrip()
    starts_sentence = not before or before[-1] in ":.!?;—–" or before.endswith(("said", "says"))
    return starts_sentence and (first.isupper() or first in "…[(")


def _find_cue(doc: Doc, span: QuoteSpan, p_start: int, p_end: int, inside: _Inside) -> Token | None:
    """The speech cue nearest the quote, outside any quote, in its sentences and paragraph.

    The frame is the sentences the quote touches, plus the next one when the quote ends
    with a comma or the text after it runs on in lower case (", he continued").
    """
    text = text_of(doc)
    first = doc.char_span(span.start, max(span.start + 1, span.end), alignment_mode="expand")
    if first is None or not len(first):
        return None
    lo = sentence_of(doc, first[0].i).start_char
    hi = sentence_of(doc, first[-1].i).end_char
    after = text[span.end + 1 : span.end + 40].lstrip(' ”"’»')
    ends_with_comma = text[max(span.start, span.end - 1) : span.end] == ","
    if (ends_with_comma or after[:1].islower()) and hi < len(text):
        # The cue follows in what the parser may take for the next sentence.
        nxt = _token_at(doc, hi)
        if nxt is not None:
            hi = max(hi, sentence_of(doc, nxt.i).end_char)
    lo, hi = max(lo, p_start), min(hi, p_end)
    best: tuple[int, Token] | None = None
    for token in doc.char_span(lo, hi, alignment_mode="expand") or ():
        if inside(token.idx) or not _is_cue(token):
            continue
        distance = min(
            abs(token.idx - span.end),
            abs(token.idx - span.open_mark if span.open_mark >= 0 else span.start),
        )
        if best is None or distance < best[0]:
            best = (distance, token)
    return best[1] if best else None


def _token_at(doc: Doc, pos: int) -> Token | None:
    """The token at character ``pos``, or the first one after the whitespace there."""
    text = text_of(doc)
    while pos < len(text) and text[pos].isspace():
        pos += 1
    span = doc.char_span(pos, min(pos + 1, len(text)), alignment_mode="expand")
    return span[0] if span is not None and len(span) else None


def _is_cue(token: Token) -> bool:
    if token.lower_ == "according" and any(c.lower_ == "to" for c in token.children):
        return True
    return (
        token.pos_ in ("VERB", "AUX")
        and token.lemma_.lower() in SPEECH_VERBS
        and token.pos_ != "AUX"
    )


def _speaker_of(
    doc: Doc,
    cue: Token,
    span: QuoteSpan | None,
    index: _Mentions,
    history: Sequence[tuple[int, _Speaker]],
) -> _Speaker | None:
    """The one who speaks through ``cue``: its subject, or the object of 'according to'."""
    head: Token | None = None
    if cue.lower_ == "according":
        to = next((c for c in cue.children if c.lower_ == "to"), None)
        head = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
    else:
        inner = _inner_speaker(cue)
        subjects = [inner] if inner is not None else []
        subjects = subjects or [c for c in cue.children if c.dep_ in ("nsubj", "nsubjpass")]
        agent = next((c for c in cue.children if c.dep_ == "agent"), None)
        if agent is not None:
            subjects = [c for c in agent.children if c.dep_ == "pobj"] or subjects
        up, steps = cue, 0
        while not subjects and up.head != up and steps < 4:
            # "…, at times saying that …", "such as claiming that …": a participle or
            # infinitive speaks through the subject of the clause it hangs from.
            # Climbing, only an active subject speaks: in "asked for sanctions to be lifted
            # … and promised to release …" the sanctions promise nothing.
            up, steps = up.head, steps + 1
            subjects = [c for c in up.children if c.dep_ == "nsubj"]
        head = subjects[0] if subjects else None
        if head is None:
            # "…,” said Shraibman: a parse that misses the inverted subject.
            for token in doc[cue.i + 1 : cue.i + 3]:
                if token.ent_type_ in ("PERSON", "ORG"):
                    head = token
                    break
    if head is None:
        return None
    if span is not None and span.start <= head.idx < span.end:
        return None  # the subject is inside the quote: not the speaker
    return _resolve(doc, head, index, history)


def _resolve(
    doc: Doc, head: Token, index: _Mentions, history: Sequence[tuple[int, _Speaker]]
) -> _Speaker:
    text = text_of(doc)
    lower = head.lower_
    if lower in _PRONOUNS_PERSON or lower in _PRONOUNS_PLURAL:
        person = lower not in _PRONOUNS_PLURAL
        target = _last_speaker_or_mention(head.idx, index, history, person=person)
        return _Speaker(head.text, head.idx, head.idx + len(head.text), target, None)
    glued = _GLUED_PRONOUN.search(head.text)
    if glued and index.around(head.idx) is None:
        # "GraphicHe said": a caption glued to the pronoun that starts the next line.
        target = _last_speaker_or_mention(head.idx, index, history, person=True)
        start = head.idx + glued.start(1)
        return _Speaker(glued[1], start, start + len(glued[1]), target, "PERSON")
    if _possessor_of_a_thing(head):
        return _Speaker(head.text, head.idx, head.idx + len(head.text), None, None)
    mention = _speaker_mention(head, index)
    if mention is not None:
        return _Speaker(mention.text, mention.start, mention.end, mention.key, mention.label)
    if (
        head.lemma_.lower() in _TITLE_NOUNS
        and head.left_edge.lower_ == "the"
        and not any(t.pos_ == "PROPN" for t in head.subtree)
    ):
        # "the Belarusian leader said": a title standing for the person last named.
        named = index.last_subject_before(head.idx, frozenset({"PERSON"}))
        left = head.left_edge
        return _Speaker(
            text[left.idx : head.idx + len(head.text)],
            left.idx,
            head.idx + len(head.text),
            named.key if named else None,
            "PERSON" if named else None,
        )
    # A nominal: "the Belarusian defence ministry", "the group".
    left = head.left_edge
    s = left.idx
    e = head.idx + len(head.text)
    key = None
    if lower in _NOMINAL_ORG or head.lemma_.lower() in _NOMINAL_ORG:
        before = index.last_before(s, frozenset({"ORG"}))
        key = before.key if before else None
    return _Speaker(text[s:e], s, e, key, None)


def _possessor_of_a_thing(head: Token) -> bool:
    """True for "Russia and Belarus’s joint military doctrine", parsed with the possessor
    as the head: the source is the doctrine, which says nothing."""
    last = max(t.i for t in head.subtree)
    doc = head.doc
    if doc[last].tag_ != "POS":
        last += 1
    if last >= len(doc) or doc[last].tag_ != "POS":
        return False
    for token in doc[last + 1 : last + 7]:
        if token.pos_ == "NOUN":
            return token.lemma_.lower() not in _SPEAKING_NOUNS | _DOCUMENT_NOUNS
    return False


def _speaker_mention(head: Token, index: _Mentions) -> Mention | None:
    """The mention naming the subject: the one at its head word, else the first person
    in its phrase ("the defence minister, Viktor Khrenin"), else the first mention there."""
    own = index.around(head.idx)
    if own is not None:
        return own
    subtree = list(head.subtree)
    s, e = subtree[0].idx, subtree[-1].idx + len(subtree[-1].text)
    inside = index.within(s, e)
    if head.pos_ == "NOUN" and head.lemma_.lower() not in _SPEAKING_NOUNS | _DOCUMENT_NOUNS:
        return None  # "Russia and Belarus’s joint military doctrine" speaks for no one
    rank = {"PERSON": 0, "ORG": 1}
    found = sorted(inside, key=lambda m: (rank.get(m.label, 2), m.start))
    return found[0] if found else None


def _last_speaker_or_mention(
    pos: int, index: _Mentions, history: Sequence[tuple[int, _Speaker]], *, person: bool
) -> str | None:
    """What a pronoun at ``pos`` refers to: the last person (or, for 'they', body or
    person) that was the subject of a clause outside quotes, else the last speaker, else the
    last such mention."""
    labels = frozenset({"PERSON"} if person else {"PERSON", "ORG", "GPE"})
    subject = index.last_subject_before(pos, labels)
    if subject is not None:
        return subject.key
    for start, speaker in reversed(history):
        if start < pos and speaker.key and (speaker.label in (None, "PERSON") or not person):
            return speaker.key
    mention = index.last_before(pos, labels)
    return mention.key if mention else None


def _indirect_cues(doc: Doc, inside: _Inside) -> Iterator[tuple[int, Token]]:
    """Speech cues outside quotes, with where the clause they report starts."""
    for token in doc:
        if inside(token.idx) or not _is_cue(token):
            continue
        content = _reported_clause(doc, token)
        if content is not None:
            yield _trim_clause(text_of(doc), *content)[0], token


def _indirect(
    doc: Doc, cue: Token, inside: _Inside, index: _Mentions, state: _State
) -> Quote | None:
    """Reported speech: a speech verb with a clause, or 'according to X, …'."""
    text = text_of(doc)
    content = _reported_clause(doc, cue)
    if content is None:
        return None
    start, end = _within_paragraph(text, cue.idx, *content)
    start, end = _trim_clause(text, start, end)
    if len(_WORD.findall(text[start:end])) < 4 or inside.overlap(start, end) > 0.8:
        return None
    speaker = _speaker_of(doc, cue, None, index, state.history)
    if speaker is None or not _can_speak(doc, speaker):
        return None
    if speaker.key is None and _unnamed_plural(doc, speaker):
        return None  # "according to military analysts": nobody in particular
    state.history.append((start, speaker))
    return _quote(text, start, end, "indirect", cue, speaker)


def _within_paragraph(text: str, pos: int, start: int, end: int) -> tuple[int, int]:
    """[start, end) cut to the paragraph around ``pos``: a parse can run past a heading."""
    p_start = text.rfind("\n\n", 0, pos) + 1
    p_end = text.find("\n\n", pos)
    p_end = len(text) if p_end < 0 else p_end
    return max(start, p_start), min(end, p_end)


def _unnamed_plural(doc: Doc, speaker: _Speaker) -> bool:
    """'analysts', 'military analysts', 'videos': a bare plural with no article or name."""
    span = doc.char_span(speaker.start, speaker.end, alignment_mode="expand")
    if span is None or not len(span):
        return False
    root = span.root
    return root.tag_ in ("NNS",) and not any(t.pos_ in ("DET", "PRON", "PROPN") for t in span)


def _can_speak(doc: Doc, speaker: _Speaker) -> bool:
    """Whether the subject is someone who can say things: a named entity, a personal
    pronoun, or a noun for a person or body; not 'the evidence', 'videos' or 'which'."""
    if speaker.key is not None or speaker.label is not None:
        return True
    words = speaker.text.lower().split()
    if not words:
        return False
    if len(words) == 1 and words[0] in _PRONOUNS_PERSON | _PRONOUNS_PLURAL:
        return True
    last = words[-1]
    return last.rstrip("s") in _SPEAKING_NOUNS or last in _SPEAKING_NOUNS


def _cue_text(token: Token) -> str:
    if token.lower_ == "according":
        return "according to"
    return token.text


def _reported_clause(doc: Doc, cue: Token) -> tuple[int, int] | None:
    if cue.lower_ == "according":
        return _rest_of_sentence(doc, cue)
    clause = _main_complement(cue)
    if clause is None and cue.lemma_.lower() in _SPEECH_WITH_INFINITIVE:
        # "vowed not to send troops", "urged the West not to lump Belarus in with Russia",
        # "asked for sanctions to be lifted"
        clause = next((c for c in cue.children if c.dep_ == "xcomp"), None)
        if clause is None:
            obj = next((c for c in cue.children if c.dep_ == "dobj"), None)
            clause = next((c for c in obj.children if c.dep_ == "xcomp"), None) if obj else None
        if clause is None:
            clause = next(
                (
                    c
                    for c in cue.children
                    if c.dep_ == "advcl" and any(m.lower_ == "for" for m in c.children)
                ),
                None,
            )
    if clause is None and cue.dep_ == "parataxis":
        return _rest_of_sentence(doc, cue)  # "For now, he wrote, he is focused on …"
    if clause is None:
        return None
    tokens = list(clause.subtree)
    end = tokens[-1].idx + len(tokens[-1].text)
    for token in tokens:
        # "asked for sanctions to be lifted … and promised to release …": the second
        # speech verb reports its own clause.
        if token.dep_ == "conj" and token.lemma_.lower() in SPEECH_VERBS and token.i > clause.i:
            cut = token.left_edge
            before = [t for t in tokens if t.i < cut.i and t.dep_ != "cc" and t.text != ","]
            if before:
                end = min(end, before[-1].idx + len(before[-1].text))
    return tokens[0].idx, end


def _main_complement(cue: Token) -> Token | None:
    """The clause a speech verb reports. With two ("Makei allegedly hinted, said Viačorka,
    that it is now necessary …"), the one that is not itself a speech verb, or that opens
    with 'that'."""
    clauses = [c for c in cue.children if c.dep_ == "ccomp"]
    if len(clauses) <= 1:
        return clauses[0] if clauses else None

    def rank(c: Token) -> tuple[bool, bool, int]:
        return (
            c.lemma_.lower() not in SPEECH_VERBS,
            any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children),
            len(list(c.subtree)),
        )

    return max(clauses, key=rank)


def _inner_speaker(cue: Token) -> Token | None:
    """In "Makei allegedly hinted, said Viačorka, that …", the words are Makei's, passed on
    by Viačorka: the subject of a speech verb that is the cue's other complement."""
    main = _main_complement(cue)
    if main is None or main.i < cue.i:
        return None
    for c in cue.children:
        if c.dep_ == "ccomp" and c.i < cue.i and c.lemma_.lower() in SPEECH_VERBS:
            subject = next((s for s in c.children if s.dep_ == "nsubj"), None)
            if subject is not None:
                return subject
    return None


def _rest_of_sentence(doc: Doc, cue: Token) -> tuple[int, int] | None:
    """The statement an 'according to X' or a parenthetical 'he wrote' attributes: the
    longer part of the sentence outside the phrase, if it has a verb."""
    sent: Span = sentence_of(doc, cue.i)
    phrase = list(cue.subtree)
    p_start, p_end = phrase[0].i, phrase[-1].i + 1
    before = doc[sent.start : p_start]
    after = doc[p_end : sent.end]
    part = after if len(after) >= len(before) else before
    if not any(t.pos_ in ("VERB", "AUX") for t in part):
        return None
    return part.start_char, part.end_char


def _trim_clause(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a leading 'that', commas and brackets, and the sentence's final stop."""
    while start < end and (text[start] in " ,;:–—(" or text[start:end].lower().startswith("that ")):
        start += 5 if text[start:end].lower().startswith("that ") else 1
    while end > start and text[end - 1] in " ,;:.–—)":
        end -= 1
    return start, end
