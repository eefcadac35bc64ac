"""The evidence found in one article: every record points into ``Article.text`` by offsets.

``start``/``end`` are Python string offsets (code points, end exclusive) into the article's
clean text, so ``text[start:end]`` is the record's ``text``. The field names are those of
the JSONL export (docs/formats.md); ``export.py`` adds the canonical names and ids that only
the store knows (an entity's id is shared across articles).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Protocol

from tocsin.text import Sentence

EntityLabel = Literal["PERSON", "ORG", "GPE", "LOC", "NORP"]
QuoteKind = Literal["direct", "partial", "indirect"]
# What an attribution reports: words said or written; what the source believes, knows,
# has found, wants or intends ("X fears that …", "X plans to …", "the poll shows …"); or
# the topic a source spoke of or took a stance on ("criticised the plan", "talked about
# the war").
Reported = Literal["speech", "belief", "topic"]
# Who it is attributed to: a person or an identifiable body (named, a pronoun, a title, "a
# U.S. official", "the ministry"), an unnamed group ("analysts", "sources", "many
# Democrats"), or a document, poll or data set ("the report", "a poll").
SourceKind = Literal["speaker", "group", "document"]
ClaimStatus = Literal["asserted", "reported", "alleged", "denied", "speculative"]
# How a sentence reports an event's action: done, denied, refused, threatened, planned,
# hypothetical, or passed on from a source (tocsin.extract.modality).
EventMode = Literal[
    "asserted", "denied", "refused", "threatened", "planned", "hypothetical", "reported"
]
EVENT_MODES: tuple[EventMode, ...] = (
    "asserted", "denied", "refused", "threatened", "planned", "hypothetical", "reported"
)  # fmt: skip


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Mention(Span):
    """A named mention of a person, organisation or place, and the cluster it belongs to.

    ``key`` names the mention's referent within the article (the longest spelling seen,
    e.g. 'Alexander Lukashenko' for a later 'Lukashenko'); the store maps keys to shared
    canonical entities.
    """

    label: EntityLabel
    key: str


class SpeakerSpan(Protocol):
    """What a quote rule knows of a speaker: as written, where, and the mention key."""

    @property
    def text(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def key(self) -> str | None: ...


@dataclass(frozen=True)
class Quote(Span):
    kind: QuoteKind
    cue: str | None = None  # the speech verb or phrase: 'said', 'according to'
    speaker_text: str | None = None  # as written: 'he', 'the Belarusian defence ministry'
    speaker_start: int | None = None
    speaker_end: int | None = None
    speaker_key: str | None = None  # the Mention.key it resolves to, when it does
    reports: Reported = "speech"
    source_kind: SourceKind = "speaker"

    @classmethod
    def attributed(
        cls,
        text: str,
        start: int,
        end: int,
        kind: QuoteKind,
        cue: str | None,
        speaker: SpeakerSpan | None,
        source_kind: SourceKind = "speaker",
    ) -> Quote:
        """The quote ``text[start:end]`` given to ``speaker`` (None: nobody found)."""
        return cls(
            start=start,
            end=end,
            text=text[start:end],
            kind=kind,
            cue=cue,
            speaker_text=speaker.text if speaker else None,
            speaker_start=speaker.start if speaker else None,
            speaker_end=speaker.end if speaker else None,
            speaker_key=speaker.key if speaker else None,
            source_kind=source_kind,
        )


@dataclass(frozen=True)
class Claim(Span):
    status: ClaimStatus
    source_key: str | None = None  # who the claim is attributed to, as a Mention.key
    source_text: str | None = None  # or as written, when it is no named entity
    source_chain: tuple[str, ...] = ()  # outermost reporter first: ('Viačorka', 'Makei')


@dataclass(frozen=True)
class Quantity(Span):
    value: float | None  # a single figure, or None for a range
    low: float | None
    high: float | None
    unit: str | None  # 'percent', 'km', 'USD', 'troops' ... None for a bare count
    qualifier: str | None  # 'at least', 'up to', 'more than', 'about', 'less than', 'range'
    measure: str | None  # what is counted: the head noun or measure, lemmatised
    # which of them: whose, where, or what people did ('Russia, in Belarus'; 'detain')
    scope: str | None = None


@dataclass(frozen=True)
class DateMention(Span):
    date_start: date
    date_end: date  # inclusive


@dataclass(frozen=True)
class Event(Span):
    """An action between actors, as one sentence reports it.

    ``category`` is the PLOVER category of what the sentence says took place: a refused or
    denied action is a REJECT, a threatened one a THREATEN. ``action_category`` is the
    category of the action itself, whatever its mode: "Minsk won't send troops" is REJECT of
    MOBILIZE, mode ``refused``.
    """

    actor: str | None
    action: str  # the verb's lemma
    target: str | None
    category: str | None  # a PLOVER category: MOBILIZE, COOPERATE, THREATEN, REJECT ...
    date_start: date | None = None
    date_end: date | None = None
    actor_key: str | None = None
    mode: EventMode = "asserted"
    action_category: str | None = None


@dataclass
class Evidence:
    """Everything extracted from one article, with the sentences it was read in."""

    mentions: list[Mention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    pipeline: str | None = None  # what read it, when not the English model: 'natasha'


# -- as the store gives them back ---------------------------------------------------------


@dataclass(frozen=True)
class ArticleText:
    """An article to extract: its id, clean text, publication date (the anchor of relative
    dates) and language (which pipeline reads it)."""

    article_id: int
    text: str
    published: date | None
    language: str | None = None


@dataclass(frozen=True)
class NotExtracted:
    """An article no pipeline reads, with why ('language hr') and its sentences (the text
    model is the same in every language)."""

    reason: str
    sentences: tuple[Sentence, ...] = ()


@dataclass(frozen=True)
class ExtractionState:
    """Where an article stands with the evidence layer (`tocsin show`, the export)."""

    state: Literal["pending", "extracted", "failed", "not extracted"]
    pipeline: str | None = None  # the model that read it: 'sm', 'md' (English), 'natasha'
    reason: str | None = None  # why it failed, or why it is not extracted ('language hr')
    extractor_version: str | None = None

    def describe(self) -> str:
        """'extracted (natasha, extractor 2)', 'not extracted (language hr)', 'failed: …'."""
        if self.state == "extracted":
            return f"extracted ({self.pipeline}, extractor {self.extractor_version})"
        if self.state == "failed":
            return f"failed: {self.reason}"
        if self.state == "not extracted":
            return f"not extracted ({self.reason})"
        return "pending"


@dataclass(frozen=True)
class EntityName:
    """A canonical entity as stored: shared by every article that mentions it."""

    id: int
    canonical: str
    label: str


@dataclass(frozen=True)
class Spelling:
    """One spelling of an entity, with the keys it is found by."""

    text: str
    normal: str
    surname_key: str


@dataclass(frozen=True)
class EntitySummary:
    """A canonical entity with its mention counts and spellings (`tocsin entities`)."""

    id: int
    canonical: str
    label: str
    mentions: int
    articles: int
    spellings: dict[str, int]


@dataclass(frozen=True)
class QuoteRow:
    """A stored quote with its speaker as written and as resolved (`tocsin quotes`)."""

    article_id: int
    text: str
    kind: str
    cue: str | None
    speaker_text: str | None
    speaker: str | None  # the canonical entity, when the speaker resolved to one


@dataclass(frozen=True)
class FigureRow:
    """A stored figure with the measure group it belongs to across articles."""

    article_id: int
    start: int
    end: int
    text: str
    value: float | None
    low: float | None
    high: float | None
    unit: str | None
    qualifier: str | None
    measure: str | None
    key: str  # the measure group, across articles


@dataclass(frozen=True)
class EventRow:
    """A stored event that has a date."""

    article_id: int
    start: int
    end: int
    text: str
    actor: str | None
    action: str
    target: str | None
    category: str | None
    date_start: date
    date_end: date | None
    mode: str  # an EventMode
    action_category: str | None


@dataclass(frozen=True)
class SpanRecord:
    """What the evidence layer says of a stretch of an article: a quote (with its speaker),
    a claim (with its status and source chain) or an event (with its mode)."""

    kind: str  # 'quote', 'claim' or 'event'
    start: int
    end: int
    status: str | None = None
    source: str | None = None
    chain: tuple[str, ...] = ()
    mode: str | None = None  # an event's EventMode


@dataclass(frozen=True)
class SpanFact:
    """A fact the evidence layer found at a place in an article that tells one event from
    another: an entity (its canonical name, the same for every spelling), a figure (its
    value, with its unit) or a day named in the text (ISO date)."""

    article_id: int
    start: int
    end: int
    kind: Literal["entity", "figure", "day"]
    value: str
