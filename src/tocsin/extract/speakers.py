"""Who speaks: the speech cue nearest a quote, its subject, and what a pronoun stands for.

The speaker comes from the nearest speech cue outside the quote in the same sentence and
paragraph (said, wrote, continued, according to …), as its grammatical subject ("…,” said
Artyom Shraibman"; "He said: “…”"). Pronouns and nominals ('he', 'the group') resolve to
the last named speaker or mention of a fitting kind before them. Cues are read only in
sentences the parse can be trusted with (``syntax.MAX_SENTENCE_CHARS``).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from tocsin.extract.cue_words import (
    ATTITUDE_VERBS,
    BELIEF_NOUNS,
    BELIEF_VERBS,
    DOCUMENT_NOUNS,
    INTENTION_VERBS,
    NOMINAL_ORG,
    PRONOUNS_PERSON,
    PRONOUNS_PLURAL,
    QUANTIFIERS,
    RELATIVE_PRONOUNS,
    SPEAKING_NOUNS,
    SPEECH_NOUNS,
    STANCE_ADJECTIVES,
    TITLE_NOUNS,
)
from tocsin.extract.cue_words import SPEECH_VERBS as SPEECH_VERBS  # claims and quotes read it here
from tocsin.extract.lookup import LatestBefore, Ordered, text_index
from tocsin.extract.nlp import sentence_of, text_of
from tocsin.extract.quote_marks import Inside, QuoteSpan, find_quote_spans
from tocsin.extract.stances import noun_source
from tocsin.extract.subjects import according_object, subject_of
from tocsin.extract.subjects import cited as cited_source
from tocsin.extract.syntax import tree
from tocsin.extract.titles import Titles, title_words
from tocsin.models.evidence import Mention, SourceKind

_BODIES = ("PERSON", "ORG")
_CLIMB = 12  # heads climbed from a quote to the cue that governs it
_REPORTING_NOUNS = SPEECH_NOUNS | BELIEF_NOUNS
_STANCE_VERBS = BELIEF_VERBS | INTENTION_VERBS | ATTITUDE_VERBS
_TAG_TOKENS = 12  # "Tulsa police Chief Chuck Jordan said Monday."
_MARK = re.compile('[“”"«»„]')
_NAMING = frozenset({"NORP", "GPE", "ORG"})  # what makes a plural someone's: "Belarusian"
_MAX_GROUP_WORDS = 8  # "many prominent Democrats in the House": longer is not a bare plural
_GLUED_PRONOUN = re.compile(r"^[A-Z]?[a-z]+(He|She|They|We|I)$")
_PERSON = frozenset({"PERSON"})


class Mentions:
    """Mentions in text order, for 'which entity is here' and 'the last one before'."""

    def __init__(
        self, mentions: Sequence[Mention], doc: Doc | None = None, quoted: Inside | None = None
    ) -> None:
        self.items = sorted(mentions, key=lambda m: m.start)
        self.starts = [m.start for m in self.items]
        self._ordered = Ordered(self.items)
        self._doc = doc
        self._titles: Titles | None = None
        self._labels: dict[str, list[int]] = {}
        self._before: dict[str, LatestBefore[tuple[int, Mention]]] = {}
        for k, m in enumerate(self.items):
            self._labels.setdefault(m.label, []).append(k)
            self._before.setdefault(m.label, LatestBefore(strict=False)).add(m.end, (k, m))
        # Mentions that are the grammatical subject of their clause, outside quotes: the
        # likeliest antecedents of a later 'he' or 'they'.
        self._subjects: dict[str, LatestBefore[tuple[int, Mention]]] = {}
        if doc is not None:
            for k, m in enumerate(self._subjects_in(doc, quoted)):
                self._subjects.setdefault(m.label, LatestBefore(strict=False)).add(m.end, (k, m))

    def _subjects_in(self, doc: Doc, quoted: Inside | None) -> list[Mention]:
        quoted = quoted or Inside(find_quote_spans(text_of(doc)))
        parse = tree(doc)
        seen_sentences: set[int] = set()
        subjects = []
        for m in self.items:
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is None or not len(span) or quoted(m.start):
                continue
            root = parse.span_root(span.start, span.end)
            sentence = sentence_of(doc, root.i).start
            # One per sentence, the first: "Pavel Latushka said that Lukashenka had
            # agreed …" makes Latushka, not Lukashenka, the next 'he'.
            if root.dep_ in ("nsubj", "nsubjpass") and sentence not in seen_sentences:
                seen_sentences.add(sentence)
                subjects.append(m)
        return subjects

    def last_subject_before(self, pos: int, labels: frozenset[str]) -> Mention | None:
        """The last subject mention (of one of ``labels``) that ends by ``pos``."""
        return _latest(self._subjects, pos, labels)

    def last_before(self, pos: int, labels: frozenset[str]) -> Mention | None:
        """The last mention (of one of ``labels``) that ends by ``pos``."""
        return _latest(self._before, pos, labels)

    def around(self, pos: int) -> Mention | None:
        """The mention that contains character ``pos``."""
        i = bisect_right(self.starts, pos) - 1
        if i >= 0 and self.items[i].start <= pos < self.items[i].end:
            return self.items[i]
        return None

    def best_within(
        self, start: int, end: int, labels: Sequence[str] | None = None
    ) -> Mention | None:
        """The first person within [start, end), else the first organisation, else the
        first mention there (of ``labels`` only, when given)."""
        if not self._ordered.fast:
            rank = {"PERSON": 0, "ORG": 1}
            found = sorted(
                (m for m in self._within(start, end) if labels is None or m.label in labels),
                key=lambda m: (rank.get(m.label, 2), m.start),
            )
            return found[0] if found else None
        span = self._ordered.within(start, end)
        if not span:
            return None
        for label in ("PERSON", "ORG"):
            ks = self._labels.get(label, [])
            k = bisect_left(ks, span[0])
            if k < len(ks) and ks[k] < span[-1] + 1:
                return self.items[ks[k]]
        return self.items[span[0]] if labels is None else None

    def titled(self, head: Token) -> Mention | None:
        """The person a title such as 'the Belarusian leader' (``head``: 'leader') stands
        for: the last one before it given that title, or one of its modifiers."""
        if self._doc is None:
            return None
        if self._titles is None:
            self._titles = Titles(self._doc, self.items)
        return self._titles.person(head.idx, *title_words(head))

    def _within(self, start: int, end: int) -> list[Mention]:
        i = max(0, bisect_right(self.starts, start) - 1)
        out = []
        while i < len(self.items) and self.items[i].start < end:
            if self.items[i].start >= start and self.items[i].end <= end:
                out.append(self.items[i])
            i += 1
        return out


def _latest(
    index: dict[str, LatestBefore[tuple[int, Mention]]], pos: int, labels: frozenset[str]
) -> Mention | None:
    found = [f for label in labels if label in index and (f := index[label].latest(pos))]
    return max(found, key=lambda f: f[0])[1] if found else None


@dataclass
class Speaker:
    text: str
    start: int
    end: int
    key: str | None
    label: str | None
    noun: str = ""  # the lemma of the phrase's head word, for a speaker no name resolves
    proper: bool = False  # whether that head is a proper noun ("BelTA", "Republicans")
    source: SourceKind | None = None  # its kind, when known from what it stands for


@dataclass
class State:
    """What the pass has seen: the last quote's speaker and every speaker by position."""

    last: tuple[int, Speaker] | None = None  # (paragraph number, speaker) of the last quote
    # the speakers with a key, by position: any of them, and those that may be a person
    _named: LatestBefore[tuple[int, str]] = field(default_factory=lambda: LatestBefore(strict=True))
    _people: LatestBefore[tuple[int, str]] = field(
        default_factory=lambda: LatestBefore(strict=True)
    )

    def heard(self, pos: int, para_no: int, speaker: Speaker) -> None:
        self.last = (para_no, speaker)
        self.record(pos, speaker)

    def record(self, pos: int, speaker: Speaker) -> None:
        if speaker.key:
            self._named.add(pos, (speaker.start, speaker.key))
            if speaker.label in (None, "PERSON"):
                self._people.add(pos, (speaker.start, speaker.key))

    def last_key_before(self, pos: int, *, person: bool) -> str | None:
        """The key of the last speaker heard before ``pos`` (a possible person's, if so)."""
        found = (self._people if person else self._named).latest(pos)
        return found[1] if found else None

    def last_before(self, pos: int, *, person: bool) -> tuple[int, str] | None:
        """Where the last speaker heard before ``pos`` was named, and their key."""
        return (self._people if person else self._named).latest(pos)


def is_cue(token: Token) -> bool:
    """A speech verb, or 'according' with its 'to', in a sentence the parse can be read in."""
    parse = tree(token.doc)
    if not parse.readable(token.i):
        return False
    if token.lower_ == "according" and any(c.lower_ == "to" for c in parse.children_of(token)):
        return True
    return token.pos_ == "VERB" and token.lemma_.lower() in SPEECH_VERBS


class Cues:
    """The speech cues outside quotes, in text order."""

    def __init__(self, doc: Doc, inside: Inside) -> None:
        parse = tree(doc)
        candidates = parse.where(
            "cue-candidate",
            lambda: (
                (parse.has("POS", {"VERB"}) & parse.has("LEMMA", SPEECH_VERBS, lower=True))
                | parse.has("LOWER", {"according"})
            ),
        )
        found = (doc[i] for i in candidates)
        self.tokens = [t for t in found if not inside(t.idx) and is_cue(t)]
        self.index = [t.i for t in self.tokens]
        self.at = frozenset(self.index)
        self.chars = [t.idx for t in self.tokens]
        # Beliefs, intentions and stances: they report a clause, never a quote's words.
        stances = parse.where(
            "stance-candidate",
            lambda: (
                (
                    parse.has("POS", {"VERB"})
                    & parse.has(
                        "LEMMA", BELIEF_VERBS | INTENTION_VERBS | ATTITUDE_VERBS, lower=True
                    )
                    & ~parse.has("LEMMA", SPEECH_VERBS, lower=True)
                )
                | (parse.has("POS", {"ADJ"}) & parse.has("LOWER", STANCE_ADJECTIVES))
                | (parse.has("POS", {"NOUN"}) & parse.has("LEMMA", _REPORTING_NOUNS, lower=True))
            ),
        )
        self.stances = [doc[i] for i in stances if not inside(doc[i].idx) and parse.readable(i)]

    def reporting(self) -> list[Token]:
        """Every cue that may report a clause, speech or stance, in text order."""
        return sorted([*self.tokens, *self.stances], key=lambda t: t.i)

    def governing(self, token: Token, first: int, end: int) -> Token | None:
        """The nearest cue in tokens [first, end) that ``token`` hangs from: in "McCrory
        said it would be “improper” for him to speak", 'said' and not the nearer 'speak'."""
        heads = tree(token.doc).heads
        up = token.i
        for _ in range(_CLIMB):
            if heads[up] == up:
                return None
            up = heads[up]
            if up in self.at and first <= up < end:
                return token.doc[up]
        return None

    def nearest(self, first: int, end: int, span: QuoteSpan) -> Token | None:
        """The cue in tokens [first, end) nearest the quote's closing or opening mark; for
        a quote with no opening mark, the distance to its start is ``span.start`` itself."""
        lo, hi = bisect_left(self.index, first), bisect_left(self.index, end)
        if lo >= hi:
            return None
        found = {lo}
        for point in (span.end, span.open_mark) if span.open_mark >= 0 else (span.end,):
            k = bisect_left(self.chars, point, lo, hi)
            found.update(x for x in (k - 1, k) if lo <= x < hi)

        def distance(k: int) -> tuple[int, int]:
            idx = self.chars[k]
            other = abs(idx - span.open_mark) if span.open_mark >= 0 else span.start
            return min(abs(idx - span.end), other), k

        return self.tokens[min(found, key=distance)]


def find_cue(doc: Doc, span: QuoteSpan, p_start: int, p_end: int, cues: Cues) -> Token | None:
    """The speech cue nearest the quote, outside any quote, in its sentences and paragraph.

    The frame is the sentences the quote touches, plus the next one when the quote ends
    with a comma or the text after it runs on in lower case (", he continued"), or when
    that one is a short tag with no quote of its own ("Graham asked.").
    """
    text = text_of(doc)
    first = doc.char_span(span.start, max(span.start + 1, span.end), alignment_mode="expand")
    if first is None or not len(first):
        return None
    lo = sentence_of(doc, first[0].i).start_char
    hi = sentence_of(doc, first[-1].i).end_char
    after = text[span.end + 1 : span.end + 40].lstrip(" ”\"’»'")
    ends_with_comma = text[max(span.start, span.end - 1) : span.end] == ","
    if (ends_with_comma or after[:1].islower()) and hi < len(text):
        # The cue follows in what the parser may take for the next sentence.
        nxt = _token_at(doc, hi)
        if nxt is not None:
            hi = max(hi, sentence_of(doc, nxt.i).end_char)
    frame = doc.char_span(max(lo, p_start), min(hi, p_end), alignment_mode="expand")
    found = cues.nearest(frame.start, frame.end, span) if frame is not None else None
    if found is not None and frame is not None:
        found = cues.governing(first[0], frame.start, frame.end) or found
    if found is None and hi < min(p_end, len(text)):
        # “…?” Graham asked. “…”: a short tag of its own after the quote names the speaker.
        nxt = _token_at(doc, hi)
        tag = sentence_of(doc, nxt.i) if nxt is not None else None
        if tag is not None and len(tag) <= _TAG_TOKENS and not _MARK.search(tag.text):
            found = cues.nearest(tag.start, tag.end, span)
            found = found if found is not None and found.dep_ == "ROOT" else None
    return found


def _token_at(doc: Doc, pos: int) -> Token | None:
    """The token at character ``pos``, or the first one after the whitespace there."""
    text = text_of(doc)
    pos = text_index(doc).next_non_space(pos)
    span = doc.char_span(pos, min(pos + 1, len(text)), alignment_mode="expand")
    return span[0] if span is not None and len(span) else None


def speaker_of(
    doc: Doc, cue: Token, span: QuoteSpan | None, index: Mentions, state: State
) -> Speaker | None:
    """The one who speaks through ``cue``: its subject, or the object of 'according to'."""

    def outside(t: Token) -> bool:
        return span is None or not span.start <= t.idx < span.end

    if cue.lower_ == "according":
        head = according_object(cue)
    elif cue.pos_ == "NOUN":
        head = noun_source(cue)  # "the police's claim that …"
    else:
        head = subject_of(doc, cue, outside)
        cited = cited_source(cue)
        head = cited if cited is not None and outside(cited) else head
    if head is None or not outside(head):
        return None  # a subject inside the quote is not its speaker
    return _resolve(doc, head, index, state, cue)


def _resolve(
    doc: Doc, head: Token, index: Mentions, state: State, cue: Token | None = None
) -> Speaker:
    lower = head.lower_
    end = head.idx + len(head.text)
    if lower in PRONOUNS_PERSON or lower in PRONOUNS_PLURAL:
        person = lower not in PRONOUNS_PLURAL
        target = _last_speaker_or_mention(head.idx, index, state, person=person)
        return Speaker(head.text, head.idx, end, target, None, lower)
    if lower in RELATIVE_PRONOUNS and cue is not None and cue.dep_ == "relcl":
        # "Ms. Moore, who said …": as written, for the one the clause describes.
        named = _resolve(doc, cue.head, index, state)
        kind = source_kind(doc, named)
        return Speaker(head.text, head.idx, end, named.key, named.label, lower, source=kind)
    glued = _GLUED_PRONOUN.search(head.text)
    if glued and index.around(head.idx) is None:
        # "GraphicHe said": a caption glued to the pronoun that starts the next line.
        target = _last_speaker_or_mention(head.idx, index, state, person=True)
        start = head.idx + glued.start(1)
        return Speaker(glued[1], start, start + len(glued[1]), target, "PERSON")
    if _possessor_of_a_thing(head):
        return Speaker(head.text, head.idx, end, None, None)
    mention = _speaker_mention(head, index)
    if mention is not None and (head.pos_ != "NOUN" or mention.label == "PERSON"):
        return Speaker(mention.text, mention.start, mention.end, mention.key, mention.label)
    if mention is not None and index.around(head.idx) is mention:
        return Speaker(mention.text, mention.start, mention.end, mention.key, mention.label)
    return _nominal(doc, head, index, state, mention)


def _nominal(doc: Doc, head: Token, index: Mentions, state: State, body: Mention | None) -> Speaker:
    """A speaker no name stands for: a title ("the Belarusian leader"), a body ("the
    group", "officials at the ministry") or someone unnamed ("a U.S. official"), kept as
    written."""
    left = head.left_edge
    end = head.idx + len(head.text)
    text = text_of(doc)[left.idx : end]
    lemma = head.lemma_.lower()
    proper = head.pos_ == "PROPN"
    if lemma in TITLE_NOUNS and left.lower_ == "the":
        # "the Belarusian leader said": a title standing for the person it was given to.
        named = index.titled(head)
        if named is None:
            found = state.last_before(head.idx, person=True)
            subject = index.last_subject_before(head.idx, _PERSON)
            if found is not None and (subject is None or found[0] > subject.start):
                return Speaker(text, left.idx, end, found[1], "PERSON", lemma, proper)
            named = subject
        key = named.key if named else None
        return Speaker(text, left.idx, end, key, "PERSON" if named else None, lemma, proper)
    if body is not None:  # "officials at the ministry": unnamed, for the body named
        return Speaker(text, left.idx, end, body.key, body.label, lemma, proper)
    key = None
    if lower_in(head, NOMINAL_ORG):  # "the group": the body named last
        before = index.last_before(left.idx, frozenset({"ORG"}))
        key = before.key if before else None
    return Speaker(text, left.idx, end, key, None, lemma, proper)


def lower_in(token: Token, words: frozenset[str]) -> bool:
    return token.lower_ in words or token.lemma_.lower() in words


def _possessor_of_a_thing(head: Token) -> bool:
    """True for "Russia and Belarus’s joint military doctrine", parsed with the possessor
    as the head: the source is the doctrine, which says nothing."""
    doc = head.doc
    last = tree(doc).summary(head).highest[head.i]
    if doc[last].tag_ != "POS":
        last += 1
    if last >= len(doc) or doc[last].tag_ != "POS":
        return False
    for token in doc[last + 1 : last + 7]:
        if token.pos_ == "NOUN":
            return token.lemma_.lower() not in SPEAKING_NOUNS | DOCUMENT_NOUNS
    return False


def _speaker_mention(head: Token, index: Mentions) -> Mention | None:
    """The mention naming the subject: the one at its head word, else the first person
    in its phrase ("the defence minister, Viktor Khrenin"), else, for a noun, the first
    body there ("officials at the ministry"), for a name the first mention there. A
    country is not the speaker of "a U.S. official"."""
    own = index.around(head.idx)
    if own is not None:
        return own
    if head.pos_ == "NOUN" and head.lemma_.lower() not in SPEAKING_NOUNS | DOCUMENT_NOUNS:
        return None  # "Russia and Belarus’s joint military doctrine" speaks for no one
    if _an_untagged_name(head):
        return None  # "State Secretary of the Security Council Aliaksandr Valfovich"
    first, last = tree(head.doc).subtree_bounds(head)
    labels = _BODIES if head.pos_ == "NOUN" else None
    return index.best_within(first.idx, last.idx + len(last.text), labels)


def _an_untagged_name(head: Token) -> bool:
    """A capitalised name the tagger missed, ending a phrase of other names: its own
    words, not a body named before it ("Security Council"), are the speaker."""
    kids = tree(head.doc).children_of(head)
    return (
        head.pos_ == "PROPN"
        and not head.ent_type_
        and head.text[:1].isupper()
        and head.lemma_.lower() not in TITLE_NOUNS
        and any(c.dep_ == "compound" and c.pos_ == "PROPN" for c in kids)
    )


def _last_speaker_or_mention(
    pos: int, index: Mentions, state: State, *, person: bool
) -> str | None:
    """What a pronoun at ``pos`` refers to: the person (or, for 'they', body or person)
    last made the subject of a clause outside quotes or last heard as a speaker, whichever
    came later ("According to the President … he said"), else the last such mention."""
    labels = frozenset({"PERSON"} if person else {"PERSON", "ORG", "GPE"})
    subject = index.last_subject_before(pos, labels)
    spoken = state.last_before(pos, person=person)
    if spoken is not None and (subject is None or spoken[0] > subject.start):
        return spoken[1]
    if subject is not None:
        return subject.key
    mention = index.last_before(pos, labels)
    return mention.key if mention else None


def can_speak(speaker: Speaker, *, strict: bool = False) -> bool:
    """Whether the subject is someone who can say things: a named entity, a pronoun, a
    name, or a noun for a person, a body or (unless ``strict``, as for beliefs and
    intentions) a document; not 'the evidence' or 'videos'."""
    if speaker.key is not None or speaker.label is not None or speaker.proper:
        return True
    noun = speaker.noun or speaker.text.lower()
    if noun in PRONOUNS_PERSON | PRONOUNS_PLURAL | RELATIVE_PRONOUNS | QUANTIFIERS:
        return True
    if noun in SPEAKING_NOUNS:
        return True
    return not strict and noun in DOCUMENT_NOUNS


def source_kind(doc: Doc, speaker: Speaker | None) -> SourceKind:
    """A document, poll or data ('the report', 'a poll', 'data'); an unnamed group ('analysts',
    'many Democrats', 'others', 'sources'): a bare plural or a quantifier, with no name,
    article or possessive; else a speaker (a person or an identifiable body)."""
    if speaker is None or speaker.key is not None or speaker.label is not None:
        return "speaker"
    if speaker.source is not None:
        return speaker.source
    if speaker.noun in DOCUMENT_NOUNS:
        return "document"
    if speaker.noun in QUANTIFIERS:
        return "group"
    span = doc.char_span(speaker.start, speaker.end, alignment_mode="expand")
    if span is None or not len(span):
        return "speaker"
    if len(span) > _MAX_GROUP_WORDS or tree(doc).span_root(span.start, span.end).tag_ not in (
        "NNS",
        "NNPS",
    ):
        return "speaker"
    # "the analysts", "their aides", "U.S. officials", "Belarusian authorities": named
    named = any(
        t.pos_ in ("DET", "PRON") or t.tag_ == "NNP" or t.ent_type_ in _NAMING for t in span
    )
    return "speaker" if named else "group"
