"""Quotes in Russian text, direct and reported, with their speakers.

Quotation marks are paired with nesting (``marks``). A quoted span is *direct* when it
stands as a sentence (at a paragraph's start, or after a colon, a full stop or a dash, and
beginning with a capital) and *partial* when the writer's sentence runs into it ('назвал
обстановку «непростой»'). Its speaker comes from the cue around it, in Russian order:

- after it: '«…», — заявил Лукашенко.', '«…» — сказал он.', '«…», — добавил президент.';
- before it: 'Лукашенко заявил: «…»', or a name and a colon, 'Латушко: «…»';
- for a partial quote, the speech (or naming) verb of its sentence;
- with no cue of its own, a direct quote continues the last speaker of its paragraph or the
  one before; a quotation inside another takes no speaker from around it.

A short quoted phrase with no speaker (a name, a term: «ФедералПресс», "Россия-1") is not a
quote. Reported speech comes from ``reported``; both are read sentence by sentence in text
order, so a pronoun or a title finds the last person named or heard before it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from tocsin.extract.russian.document import RuDoc
from tocsin.extract.russian.marks import Quoted, QuotedIndex, find_quoted
from tocsin.extract.russian.reported import Finder, Reported
from tocsin.extract.russian.speech import (
    NAMING_LEMMAS,
    Antecedents,
    Speaker,
    Speakers,
    is_cue,
)
from tocsin.models.evidence import Mention, Quote, QuoteKind
from tocsin.text import trim_span

_MIN_UNATTRIBUTED_WORDS = 5  # a shorter quoted phrase with no speaker is a term
_AFTER_REACH = 4  # tokens after a closing mark (and its punctuation) where a cue may stand
_BEFORE_REACH = 15  # tokens before a colon where the cue of 'X заявил: «…»' may stand
_PUNCT_AFTER = frozenset(',.!?…—–-−»“”"')  # characters of the tokens skipped after a closing mark
_JOINS = frozenset(",—–-−")
_STANDS_AFTER = ":.!?…—–-"


def extract_quotes(doc: RuDoc, mentions: Sequence[Mention]) -> list[Quote]:
    """Direct, partial and indirect quotes of ``doc``, in text order."""
    quoted = find_quoted(doc.text, doc.paragraphs)
    inside = QuotedIndex(quoted)
    speakers = Speakers(doc, Antecedents(doc, mentions, inside))
    return _Reader(doc, quoted, inside, speakers).run()


class _Reader:
    def __init__(
        self, doc: RuDoc, quoted: list[Quoted], inside: QuotedIndex, speakers: Speakers
    ) -> None:
        self.doc, self.quoted, self.inside, self.speakers = doc, quoted, inside, speakers
        self.text = doc.text
        self.finder = Finder(doc, inside, speakers)
        self.para_of = [s.paragraph for s in doc.sentences]
        self.last_para: int | None = None  # the paragraph of the last speaker heard
        self._cues: dict[int, list[int]] = {}

    def run(self) -> list[Quote]:
        out: list[Quote] = []
        attributed: set[int] = set()  # sentences with an attributed record
        reported: dict[int, Reported] = {}  # sentence -> its last reported speech
        k = 0
        for s in range(len(self.doc.sentences)):
            sent_end = self.doc.sentences[s].end
            while k < len(self.quoted) and self.quoted[k].start < sent_end:
                quote = self._direct(self.quoted[k])
                if quote is not None:
                    out.append(quote)
                    if quote.cue is not None or quote.speaker_text is not None:
                        attributed.update(self._sentences(quote.start, quote.end))
                k += 1
            for found in self.finder.sentence(s, s - 1 in attributed, reported.get(s - 1)):
                out.append(self._reported(found, s))
                attributed.add(s)
                reported[s] = found
        out.sort(key=lambda q: (q.start, q.end))
        return out

    def _sentences(self, start: int, end: int) -> range:
        return range(self.doc.sentence_at(start), self.doc.sentence_at(max(start, end - 1)) + 1)

    def _reported(self, found: Reported, s: int) -> Quote:
        if found.speaker is not None:
            self._heard(found.start, found.speaker, self.para_of[s])
        return Quote.attributed(
            self.text, found.start, found.end, "indirect", found.cue, found.speaker
        )

    def _heard(self, pos: int, speaker: Speaker, para: int) -> None:
        self.speakers.heard(pos, speaker)
        if speaker.key is not None and speaker.label == "PERSON":
            self.last_para = para

    # -- direct and partial quotes ------------------------------------------------------------

    def _direct(self, q: Quoted) -> Quote | None:
        start, end = trim_span(self.text, q.start, q.end)
        if end <= start:
            return None
        words = len(self.text[start:end].split())
        kind: QuoteKind = "direct" if self._stands_alone(q, start) else "partial"
        if kind == "partial" and self._a_name(start, end, words):
            return None  # «ФедералПресс», "Россия-1": a name in quotation marks
        cue: str | None = None
        speaker: Speaker | None = None
        if q.depth == 0:
            cue, speaker = self._after(q)
            if cue is None:
                cue, speaker = self._before(q)
            if cue is None and kind == "partial":
                cue, speaker = self._in_sentence(q)
        para = self.para_of[self.doc.sentence_at(start)] if self.doc.sentences else 0
        if cue is None and speaker is None and kind == "direct" and q.depth == 0:
            speaker = self._continued(para)
        if speaker is None and cue is None and words < _MIN_UNATTRIBUTED_WORDS:
            return None  # a name or a term in quotation marks
        if speaker is not None:
            self._heard(start, speaker, para)
        return Quote.attributed(self.text, start, end, kind, cue, speaker)

    def _a_name(self, start: int, end: int, words: int) -> bool:
        """The quoted words are a name: one capitalised word, or all of one mention."""
        if words == 1 and self.text[start : start + 1].isupper():
            return True
        named = self.speakers.names.within(start, end)
        return named is not None and named.start <= start and named.end >= end

    def _stands_alone(self, q: Quoted, start: int) -> bool:
        first = self.text[start : start + 1]
        k = q.open_mark
        while k > 0 and self.text[k - 1] in " \t":
            k -= 1
        before = self.text[k - 1] if k > 0 else "\n"
        return (before == "\n" or before in _STANDS_AFTER) and (first.isupper() or first in "…(")

    def _after(self, q: Quoted) -> tuple[str | None, Speaker | None]:
        """'«…», — заявил X': a speech verb right after the closing mark and a comma or dash."""
        if q.close_mark < 0:
            return None, None
        doc = self.doc
        i = doc.token_from(q.close_mark + 1)
        joined = False
        stop = min(len(doc.tokens), i + _AFTER_REACH)
        while i < stop and set(doc.tokens[i].text) <= _PUNCT_AFTER:
            joined = joined or bool(set(doc.tokens[i].text) & _JOINS)
            i += 1
        if not joined or i >= len(doc.tokens):
            return None, None
        sentence = doc.tokens[i].sent
        for k in range(i, min(i + _AFTER_REACH, len(doc.tokens))):
            if doc.tokens[k].sent != sentence or self.inside(doc.tokens[k].start):
                break
            if is_cue(doc, k):
                return doc.tokens[k].text, self._speaker(k)
        return None, None

    def _before(self, q: Quoted) -> tuple[str | None, Speaker | None]:
        """'X заявил: «…»' or 'X: «…»'."""
        doc = self.doc
        k = q.open_mark
        while k > 0 and self.text[k - 1].isspace():
            k -= 1
        if k == 0 or self.text[k - 1] != ":":
            return None, None
        colon = doc.token_before(k)
        if colon < 0:
            return None, None
        sentence = doc.tokens[colon].sent
        for i in range(colon - 1, max(-1, colon - _BEFORE_REACH), -1):
            if doc.tokens[i].sent != sentence or self.inside(doc.tokens[i].start):
                break
            if is_cue(doc, i):
                return doc.tokens[i].text, self._speaker(i)
        near = doc.tokens[max(colon - _BEFORE_REACH, doc.sent_first[sentence])].start
        named = self.speakers.names.within(near, doc.tokens[colon].start)
        if named is not None and named.end >= doc.tokens[colon].start - 1:
            return ":", Speaker(named.text, named.start, named.end, named.key, named.label)
        return None, None

    def _in_sentence(self, q: Quoted) -> tuple[str | None, Speaker | None]:
        """A partial quote's cue: the speech or naming verb of its sentence nearest to it
        (found by bisection among the sentence's cues, listed once)."""
        doc = self.doc
        cues = self._sentence_cues(doc.sentence_at(q.start))
        k = bisect_left(cues, q.open_mark, key=lambda i: doc.tokens[i].start)
        near = [cues[j] for j in (k - 1, k) if 0 <= j < len(cues)]
        if not near:
            return None, None
        best = min(near, key=lambda i: _distance(doc.tokens[i].start, q))
        return doc.tokens[best].text, self._speaker(best)

    def _sentence_cues(self, s: int) -> list[int]:
        """The speech and naming verbs of sentence ``s`` outside quotes (cached)."""
        if s not in self._cues:
            doc = self.doc
            self._cues[s] = [
                i
                for i in doc.sentence_range(s)
                if not self.inside(doc.tokens[i].start)
                and (is_cue(doc, i) or doc.tokens[i].lemma in NAMING_LEMMAS)
            ]
        return self._cues[s]

    def _speaker(self, verb: int) -> Speaker | None:
        """The subject of a cue, else the first name after it in its sentence."""
        found = self.speakers.of_cue(verb)
        if found is not None:
            return found
        doc = self.doc
        t = doc.tokens[verb]
        end = doc.sentences[t.sent].end
        named = self.speakers.names.within(t.end, end)
        if named is not None:
            return Speaker(named.text, named.start, named.end, named.key, named.label)
        return None

    def _continued(self, para: int) -> Speaker | None:
        """The last speaker, when heard in this paragraph or the one before."""
        last = self.speakers.last
        if last is None or self.last_para is None or para - self.last_para > 1:
            return None
        return last[1]


def _distance(pos: int, q: Quoted) -> int:
    return q.open_mark - pos if pos < q.open_mark else pos - q.end
