"""Reported (indirect) speech in Russian news, sentence by sentence.

The forms read, each with the speaker found by ``speech.Speakers``:

1. a speech verb with a что-clause: 'Лукашенко заявил, что …', 'сообщил о том, что …',
   'указал на то, что …'; the clause runs to the sentence's end or to the next speech verb
   ('…, и добавил, что …' reports a clause of its own);
2. 'по словам X, …', 'по его словам, …', 'по мнению X, …': the rest of the sentence (the
   part before, when the phrase ends it; the whole sentence, when it interrupts it);
3. 'как сообщил X, …', '…, как заявил X': the same;
4. a speech verb after the clause it reports: '…, заявил он в интервью' (the subject after
   the verb, as Russian writes it); a clause that is mostly a quotation is left to the
   direct-quote rules;
5. a line 'X: …' whose part before the colon is a name with its title ('Лукашенко: Минск
   перебросил …', 'Совбез Белоруссии: …'), the headline form of attribution (cue ':');
6. a line '…, - белорусский оппозиционер Латушко': content, a dash, a name with its title
   and no verb (cue '-');
7. 'Об этом X заявил …' after a sentence with no attribution of its own: that sentence is
   X's reported content. With a relay verb ('Об этом передает БелТА', 'пишут СМИ') it is
   no record;
8. a sentence opening with 'При этом' or 'Причём' right after reported speech, with no cue
   of its own, carries the same speaker's words on (cue None).

A record needs at least ``MIN_WORDS`` words of content outside quotation marks' full cover.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from tocsin.extract.russian.document import RuDoc
from tocsin.extract.russian.marks import QuotedIndex
from tocsin.extract.russian.speech import Speaker, Speakers, is_cue, is_relay, subject

MIN_WORDS = 3
_THAT_REACH = 8  # tokens between a speech verb and its 'что'
_PHRASE_REACH = 12  # tokens of 'по словам X,' or 'как сообщил X,' up to its comma
_POSTPOSED_CUES = 8  # speech verbs of one sentence tried as '…, заявил он'
_HEAD_REACH = 7  # tokens before the colon of a headline attribution
_MOSTLY_QUOTED = 0.8
_DASHES = frozenset({"—", "–", "-", "−"})
_OPENERS = frozenset({"а", "и", "но", "однако", "также", "при", "этом"})
_TRIM_LEAD = " \t\n,;:—–-"
_TRIM_TAIL = " \t\n.,;:—–-"
_POSSESSIVE = {"его": "Masc", "ее": "Fem", "её": "Fem", "их": None}
# Openers of a sentence that carries on the reported speech before it: 'При этом', 'Причём'.
_CONTINUATIONS = frozenset({"при", "причем", "причём"})
_TITLE_POS = frozenset({"NOUN", "PROPN", "ADJ"})  # the words of "белорусский оппозиционер X"


@dataclass(frozen=True)
class Reported:
    start: int
    end: int
    cue: str | None  # None for a continuation
    speaker: Speaker | None


class Finder:
    """The reported speech of each sentence of one document."""

    def __init__(self, doc: RuDoc, inside: QuotedIndex, speakers: Speakers) -> None:
        self.doc, self.inside, self.speakers = doc, inside, speakers
        self.text = doc.text

    def sentence(
        self, s: int, attributed_before: bool, reported_before: Reported | None = None
    ) -> list[Reported]:
        """The records of sentence ``s``. 'Об этом' reaches back only when the sentence
        before has no attribution of its own; a continuation carries on ``reported_before``,
        the reported speech of the sentence before."""
        r = self.doc.sentence_range(s)
        if not len(r):
            return []
        found: list[Reported] = []
        for rule in (self._by_words, self._as_says, self._that_clauses, self._postposed):
            found += [f for f in rule(r) if not _overlaps_any(f, found)]
        if not found:
            found += self._headline(s, r) or self._dash_headline(r)
        if not found and not attributed_before:
            found += self._about_this(s, r)
        if not found and reported_before is not None:
            found += self._continued(r, reported_before)
        return [f for f in found if self._worth(f)]

    def _continued(self, r: range, before: Reported) -> list[Reported]:
        """'При этом …', 'Причём …' right after reported speech, with no cue of its own: the
        same speaker's words carried on (cue None)."""
        if self._low(r.start) not in _CONTINUATIONS or any(True for _ in self._cues(r)):
            return []
        if self._low(r.start) == "при" and (
            r.start + 1 >= r.stop or self._low(r.start + 1) != "этом"
        ):
            return []
        start, end = self._span(r.start, r.stop - 1)
        return [Reported(start, end, None, before.speaker)]

    # -- helpers ---------------------------------------------------------------------------

    def _tok(self, i: int) -> str:
        return self.doc.tokens[i].text

    def _low(self, i: int) -> str:
        return self.doc.tokens[i].text.lower()

    def _free(self, i: int) -> bool:
        """Token ``i`` is outside quotation marks."""
        return not self.inside(self.doc.tokens[i].start)

    def _cues(self, r: range) -> Iterator[int]:
        return (i for i in r if is_cue(self.doc, i) and self._free(i))

    def _span(self, first: int, last: int) -> tuple[int, int]:
        """Offsets of tokens ``first``..``last`` (inclusive), trimmed."""
        return trim(self.text, self.doc.tokens[first].start, self.doc.tokens[last].end)

    def _worth(self, f: Reported) -> bool:
        words = len(self.text[f.start : f.end].split())
        return words >= MIN_WORDS and self.inside.share(f.start, f.end) < _MOSTLY_QUOTED

    def _next_comma(self, i: int, r: range) -> int | None:
        """The first comma from ``i`` within ``_PHRASE_REACH`` tokens: where a phrase such
        as 'по словам X' ends (a bounded look, however long the sentence)."""
        stop = min(r.stop, i + _PHRASE_REACH)
        return next((k for k in range(i, stop) if self._tok(k) == ","), None)

    # -- 1. что-clauses --------------------------------------------------------------------

    def _that_clauses(self, r: range) -> Iterator[Reported]:
        cues = list(self._cues(r))
        for n, verb in enumerate(cues):
            that = self._that_after(verb, r)
            if that is None or that + 1 >= r.stop:
                continue
            stop = cues[n + 1] if n + 1 < len(cues) else r.stop
            last = self._clause_last(that, stop, r)
            start, end = self._span(that + 1, last)
            yield Reported(start, end, self._tok(verb), self.speakers.of_cue(verb))

    def _that_after(self, verb: int, r: range) -> int | None:
        for k in range(verb + 1, min(verb + _THAT_REACH, r.stop)):
            low = self._low(k)
            if low in ("что", "чтобы") and self._tok(k - 1) == ",":
                return k
            if self.doc.tokens[k].pos == "VERB" or self._tok(k) in _DASHES:
                return None
        return None

    def _clause_last(self, that: int, stop: int, r: range) -> int:
        """The last token of the clause after ``that``: before the next speech verb's
        ', и' or ',' when one follows in the sentence, else the sentence's last token."""
        if stop >= r.stop:
            return r.stop - 1
        k = stop - 1
        while k > that + 1 and (self._low(k) in ("и", ",", "а") or self._tok(k) in _DASHES):
            k -= 1
        return k

    # -- 2. по словам X --------------------------------------------------------------------

    def _by_words(self, r: range) -> Iterator[Reported]:
        for i in r:
            if self._low(i) != "по" or i + 1 >= r.stop or not self._free(i):
                continue
            nxt = self._low(i + 1)
            if nxt in _POSSESSIVE and i + 2 < r.stop and self._low(i + 2) in ("словам", "мнению"):
                phrase_end = i + 2
                pos = self.doc.tokens[i + 1].start
                end_pos = self.doc.tokens[i + 1].end
                speaker = self.speakers.person(pos, end_pos, self._tok(i + 1), _POSSESSIVE[nxt])
            elif nxt in ("словам", "мнению") and i + 2 < r.stop:
                comma = self._next_comma(i + 2, r)
                if comma is None and r.stop - i > _PHRASE_REACH:
                    continue  # no comma near: no phrase that ends the sentence either
                phrase_end = (comma - 1) if comma is not None else r.stop - 1
                speaker = self._named_phrase(i + 2, phrase_end)
            else:
                continue
            cue = self.text[self.doc.tokens[i].start : self.doc.tokens[min(i + 2, r.stop - 1)].end]
            yield from self._around(i, phrase_end, r, cue, speaker)

    def _named_phrase(self, first: int, last: int) -> Speaker:
        """The speaker a phrase of tokens ``first``..``last`` names ('Александра Лукашенко',
        'главы государства')."""
        doc = self.doc
        named = self.speakers.names.within(doc.tokens[first].start, doc.tokens[last].end)
        if named is not None:
            return Speaker(named.text, named.start, named.end, named.key, named.label)
        return self.speakers.of_phrase(first)

    def _around(
        self, first: int, last: int, r: range, cue: str, speaker: Speaker | None
    ) -> Iterator[Reported]:
        """The content a phrase at tokens ``first``..``last`` attributes: what follows it when
        it opens the sentence, what precedes when it closes it, else the whole sentence."""
        opens = all(self._low(k) in _OPENERS for k in range(r.start, first))
        if opens and last + 1 < r.stop:
            yield Reported(*self._span(last + 1, r.stop - 1), cue, speaker)
        elif last + 2 >= r.stop and first > r.start:
            yield Reported(*self._span(r.start, first - 1), cue, speaker)
        elif first > r.start:
            yield Reported(*self._span(r.start, r.stop - 1), cue, speaker)

    # -- 3. как сообщил X ------------------------------------------------------------------

    def _as_says(self, r: range) -> Iterator[Reported]:
        for i in r:
            if self._low(i) != "как" or i + 1 >= r.stop or not is_cue(self.doc, i + 1):
                continue
            if i > r.start and self._tok(i - 1) != ",":
                continue
            comma = self._next_comma(i + 1, r)
            if comma is None and r.stop - i > _PHRASE_REACH:
                continue
            last = (comma - 1) if comma is not None else r.stop - 1
            cue = self._tok(i) + " " + self._tok(i + 1)
            yield from self._around(i, last, r, cue, self.speakers.of_cue(i + 1))

    # -- 4. a speech verb after its clause -------------------------------------------------

    def _postposed(self, r: range) -> Iterator[Reported]:
        for verb in islice(self._cues(r), _POSTPOSED_CUES):
            k = verb - 1
            while k > r.start and self._tok(k) in _DASHES:
                k -= 1
            if k <= r.start or self._tok(k) != ",":
                continue
            s = subject(self.doc, verb)
            if s is not None and s < verb:
                continue  # 'X, который …, заявил': the subject comes first, no clause before
            start, end = self._span(r.start, k - 1)
            if self.inside.share(start, end) >= _MOSTLY_QUOTED:
                continue  # a quotation: the direct-quote rules give it its speaker
            yield Reported(start, end, self._tok(verb), self.speakers.of_cue(verb))
            return

    # -- 5 and 6. headline attributions ----------------------------------------------------

    def _headline(self, s: int, r: range) -> list[Reported]:
        doc = self.doc
        colon = next((k for k in range(r.start, min(r.stop, r.start + _HEAD_REACH))
                      if self._tok(k) == ":"), None)  # fmt: skip
        if colon is None or colon == r.start or colon + 1 >= r.stop:
            return []
        after = doc.tokens[colon + 1].text[:1]
        if after in '«„“"':
            return []  # 'X: «…»' is a direct quote
        named = self.speakers.names.within(doc.tokens[r.start].start, doc.tokens[colon].start)
        if named is None or named.label not in ("PERSON", "ORG"):
            return []
        if any(doc.tokens[k].pos in ("VERB", "AUX") for k in range(r.start, colon)):
            return []
        start, end = self._span(colon + 1, r.stop - 1)
        speaker = Speaker(named.text, named.start, named.end, named.key, named.label)
        return [Reported(start, end, ":", speaker)]

    def _dash_headline(self, r: range) -> list[Reported]:
        doc = self.doc
        dash = next((k for k in range(r.stop - 1, r.start, -1) if self._tok(k) in _DASHES), None)
        if dash is None or dash + 1 >= r.stop or not self._free(dash) or self._tok(dash - 1) != ",":
            return []
        last = r.stop - 1
        while last > dash and self._tok(last) in ".!?…":
            last -= 1
        if any(doc.tokens[k].pos not in _TITLE_POS for k in range(dash + 1, last + 1)):
            return []  # only a name and its title after the dash: no verb, no preposition
        named = self.speakers.names.within(doc.tokens[dash + 1].start, doc.tokens[last].end)
        if (
            named is None
            or named.label not in ("PERSON", "ORG")
            or named.end < doc.tokens[last].end
        ):
            return []
        start, end = self._span(r.start, dash - 2)
        speaker = Speaker(named.text, named.start, named.end, named.key, named.label)
        return [Reported(start, end, self._tok(dash), speaker)]

    # -- 7. Об этом X заявил ---------------------------------------------------------------

    def _about_this(self, s: int, r: range) -> list[Reported]:
        doc = self.doc
        if s == 0 or doc.sentences[s - 1].paragraph != doc.sentences[s].paragraph:
            return []
        about = next((k for k in r if self._low(k) == "об" and k + 1 < r.stop
                      and self._low(k + 1) == "этом"), None)  # fmt: skip
        if about is None:
            return []
        verb = next((k for k in range(about + 2, r.stop) if doc.tokens[k].pos in ("VERB", "AUX")),
                    None)  # fmt: skip
        if verb is None or is_relay(doc, verb) or not is_cue(doc, verb):
            return []
        before = doc.sentences[s - 1]
        start, end = trim(self.text, before.start, before.end)
        return [Reported(start, end, self._tok(verb), self.speakers.of_cue(verb))]


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) without leading commas and dashes or a trailing full stop."""
    while start < end and text[start] in _TRIM_LEAD:
        start += 1
    while end > start and text[end - 1] in _TRIM_TAIL:
        end -= 1
    return start, end


def _overlaps_any(f: Reported, found: list[Reported]) -> bool:
    return any(f.start < g.end and g.start < f.end for g in found)
