"""Who speaks in Russian text: speech cues, their subjects, and what pronouns and titles stand for.

A speech cue is a verb whose lemma reports speech or writing (заявить, сказать, отметить,
подчеркнуть, сообщить, написать …). Its speaker is its grammatical subject in natasha's
parse (nsubj), or the subject of the verb it is coordinated with. The subject phrase gives
the speaker:

- a named mention inside it ('Президент Беларуси Александр Лукашенко'): a person first,
  then an organisation, then a place (a capital standing for its government);
- a personal pronoun (он, она) or a title that stands for a person named before (президент,
  глава государства, белорусский лидер, министр …): the last person named in the nominative
  outside quotes, of the pronoun's gender, or the last speaker when that is nearer; Russian
  marks the subject by case, so 'Лукашенко … с Путиным' leaves Лукашенко, not Путиным, for a
  later 'он';
- a noun for a body (ведомство, министерство, пресс-служба): the last organisation named;
- anything else: the phrase as written, with no entity.

Channels are not speakers: 'передает БелТА', 'Об этом пишут СМИ' relay someone else's words
(``is_relay``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from tocsin.extract.russian.document import RuDoc
from tocsin.extract.russian.marks import QuotedIndex
from tocsin.models.evidence import Mention

# Lemmas (as pymorphy3 gives them) of verbs that report speech or writing, both aspects.
# Verbs of belief (считать, полагать, думать) are left out, as in English: a view held is
# not a statement made.
SPEECH_LEMMAS = frozenset(
    """
    заявить заявлять сказать говорить отметить отмечать подчеркнуть подчеркивать сообщить
    сообщать написать рассказать рассказывать добавить добавлять пояснить пояснять уточнить
    уточнять объявить объявлять заметить замечать указать указывать акцентировать признать
    признавать констатировать напомнить напоминать предупредить предупреждать пообещать
    обещать ответить отвечать заверить заверять утверждать подтвердить подтверждать
    опровергнуть отрицать призвать призывать высказаться высказываться прокомментировать
    комментировать продолжить резюмировать возразить пожаловаться посетовать сообщаться
    информировать проинформировать процитировать цитировать
    """.split()
)
# Verbs that pass on what others said: their subject is a channel, not a speaker.
RELAY_LEMMAS = frozenset({"передать", "передавать", "писать"})
# Verbs that attribute quoted words without reporting a statement: 'назвал ситуацию «…»'.
NAMING_LEMMAS = frozenset({"назвать", "называть", "охарактеризовать", "характеризовать"})
_PRONOUNS = {"он": "Masc", "она": "Fem", "его": "Masc", "ее": "Fem", "её": "Fem"}
# Head nouns of titles that stand for a person named before.
TITLE_LEMMAS = frozenset(
    """
    президент глава лидер министр премьер премьер-министр правитель председатель руководитель
    спикер госсекретарь секретарь генсек канцлер губернатор посол политик оппозиционер
    командующий начальник замминистра вице-премьер представитель пресс-секретарь депутат
    диктатор
    """.split()
)
# Head nouns that stand for an organisation named before.
BODY_LEMMAS = frozenset(
    "ведомство министерство пресс-служба служба штаб совет комитет правительство".split()
)
_SUBJECT = ("nsubj", "nsubj:pass")
_PRIORITY = {"PERSON": 0, "ORG": 1, "GPE": 2, "LOC": 2}
_MAX_SUBJECT_TOKENS = 8  # a longer subject phrase is written as its head word only
_LOOK_BACK = 50  # people looked back over for a pronoun of the right gender


def is_cue(doc: RuDoc, i: int) -> bool:
    """Whether token ``i`` is a speech verb (not a relay)."""
    t = doc.tokens[i]
    return t.pos in ("VERB", "AUX") and t.lemma in SPEECH_LEMMAS


def is_relay(doc: RuDoc, i: int) -> bool:
    """'передает БелТА', 'пишут СМИ': a channel passes the words on."""
    t = doc.tokens[i]
    if t.lemma in {"передать", "передавать"}:
        return True
    return t.lemma == "писать" and t.feats.get("Number") == "Plur"


@dataclass(frozen=True)
class Speaker:
    text: str
    start: int
    end: int
    key: str | None
    label: str | None = None


class Antecedents:
    """Mentions in text order, and the people named in the nominative outside quotes."""

    def __init__(self, doc: RuDoc, mentions: Sequence[Mention], inside: QuotedIndex) -> None:
        self.items = sorted(mentions, key=lambda m: m.start)
        self.starts = [m.start for m in self.items]
        self.people: list[tuple[int, Mention, str | None]] = []  # (end, mention, gender)
        self.bodies: list[tuple[int, Mention]] = []
        for m in self.items:
            if inside(m.start):
                continue
            if m.label == "ORG":
                self.bodies.append((m.end, m))
            if m.label != "PERSON":
                continue
            head = doc.tokens[min(doc.token_from(m.start), len(doc.tokens) - 1)]
            last = doc.tokens[max(0, min(doc.token_before(m.end), len(doc.tokens) - 1))]
            if "Nom" in (head.feats.get("Case"), last.feats.get("Case")):
                self.people.append((m.end, m, last.feats.get("Gender")))
        self.people_ends = [p[0] for p in self.people]
        self.body_ends = [b[0] for b in self.bodies]

    def within(self, start: int, end: int) -> Mention | None:
        """The best mention inside [start, end): a person, else an organisation, else a place."""
        k = bisect_left(self.starts, start)
        best: Mention | None = None
        while k < len(self.items) and self.items[k].start < end:
            m = self.items[k]
            if m.end <= end and (best is None or _PRIORITY[m.label] < _PRIORITY[best.label]):
                best = m
            k += 1
        return best

    def person_before(self, pos: int, gender: str | None = None) -> Mention | None:
        """The last person named in the nominative before ``pos``, of ``gender`` if known,
        among the last ``_LOOK_BACK`` such people."""
        k = bisect_left(self.people_ends, pos + 1) - 1
        for _ in range(_LOOK_BACK):
            if k < 0:
                break
            _, m, g = self.people[k]
            if gender is None or g is None or g == gender:
                return m
            k -= 1
        return None

    def body_before(self, pos: int) -> Mention | None:
        k = bisect_left(self.body_ends, pos + 1) - 1
        return self.bodies[k][1] if k >= 0 else None


class Speakers:
    """Speakers of cues, with the last one heard (for pronouns and titles)."""

    def __init__(self, doc: RuDoc, antecedents: Antecedents) -> None:
        self.doc, self.names = doc, antecedents
        self.last: tuple[int, Speaker] | None = None  # (position, speaker)

    def heard(self, pos: int, speaker: Speaker) -> None:
        if speaker.key is not None and speaker.label == "PERSON":
            self.last = (pos, speaker)

    def of_cue(self, cue: int) -> Speaker | None:
        """The speaker of the speech verb at token ``cue``, from its subject."""
        s = subject(self.doc, cue)
        return self.of_phrase(s) if s is not None else None

    def of_phrase(self, head: int) -> Speaker:
        """The speaker a subject phrase (headed by token ``head``) names or stands for."""
        doc = self.doc
        first, last = doc.edges(head)
        # A subject phrase is read near its head: a subtree the parse made huge is no name.
        first, last = max(first, head - _MAX_SUBJECT_TOKENS), min(last, head + _MAX_SUBJECT_TOKENS)
        start, end = doc.tokens[first].start, doc.tokens[last].end
        named = self.names.within(start, end)
        if named is not None:
            return Speaker(named.text, named.start, named.end, named.key, named.label)
        t = doc.tokens[head]
        if last - first + 1 > _MAX_SUBJECT_TOKENS:
            start, end = t.start, t.end
        written = doc.text[start:end]
        lemma = t.lemma
        if lemma in _PRONOUNS or t.text.lower() in _PRONOUNS:
            return self.person(start, end, written, _PRONOUNS.get(t.text.lower()))
        if lemma in TITLE_LEMMAS:
            return self.person(start, end, written, None)
        if lemma in BODY_LEMMAS:
            body = self.names.body_before(start)
            key = body.key if body is not None else None
            return Speaker(written, start, end, key, "ORG" if key else None)
        return Speaker(written, start, end, None)

    def person(self, start: int, end: int, written: str, gender: str | None) -> Speaker:
        """A pronoun or title at [start, end) resolved to the person it stands for."""
        named = self.names.person_before(start, gender)
        candidates: list[tuple[int, str | None]] = []
        if named is not None:
            candidates.append((named.start, named.key))
        if self.last is not None and self.last[0] < start:
            candidates.append((self.last[0], self.last[1].key))
        if not candidates:
            return Speaker(written, start, end, None)
        _, key = max(candidates, key=lambda c: c[0])
        return Speaker(written, start, end, key, "PERSON")


def subject(doc: RuDoc, verb: int) -> int | None:
    """The subject of ``verb``, or of the verb it is coordinated with."""
    for k in doc.kids[verb]:
        if doc.tokens[k].rel in _SUBJECT:
            return k
    t = doc.tokens[verb]
    if t.rel == "conj" and t.head >= 0:
        for k in doc.kids[t.head]:
            if doc.tokens[k].rel in _SUBJECT:
                return k
    return None
