"""The records that flow through tocsin: raw inputs, cleaned articles, stored articles.

Later stages add Entity, Quote, Claim, Quantity, DateMention, Event, EvidenceLink and
Assessment records; each refers to an article by id and to its text by character offsets,
which is why ``Article.text`` is immutable once stored for a given cleaner version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tocsin.config import Config
from tocsin.errors import InputError

# Bump when cleaning changes what it produces, so stale articles can be found and redone.
CLEANER_VERSION = "3"

# How precise a stated publication date is: a day, or a whole month or year given alone.
DatePrecision = Literal["day", "month", "year"]

InputKind = Literal["html", "text", "jsonl", "feed", "warc", "url"]


class RawItem(BaseModel):
    """One input as read or fetched, before decoding: the unit of work and of failure."""

    model_config = ConfigDict(frozen=True)

    locator: str = Field(
        description="Where it came from: a path, URL, 'path#record' or 'path:line'."
    )
    kind: InputKind
    data: bytes = b""
    url: str | None = None
    content_type: str | None = None
    hints: dict[str, object] = Field(
        default_factory=dict, description="Metadata the container gave."
    )
    sha256: str | None = Field(default=None, description="Hash of data, once computed.")


class DateEstimate(BaseModel):
    """A publication date that is stated, or estimated from the text with its bounds."""

    value: date
    estimated: bool
    low: date
    high: date
    method: str
    precision: DatePrecision = Field(
        default="day", description="Of a stated date: a day, or a month or year stated alone."
    )


class CleanArticle(BaseModel):
    """What the cleaner produces from one input: clean text and the metadata it could find."""

    text: str
    title: str | None = None
    authors: list[str] = Field(default_factory=list)
    published: DateEstimate | None = None
    outlet: str | None = None
    language: str | None = None
    url: str | None = None
    removed: list[str] = Field(default_factory=list, description="Boilerplate blocks dropped.")
    warnings: list[str] = Field(
        default_factory=list, description="What the input gave that could not be used."
    )


class ArticleFields(BaseModel):
    """The fields of an article that the JSONL export carries (docs/formats.md)."""

    id: int
    source: str = Field(description="The file path or URL the article came from.")
    url: str | None
    title: str | None
    authors: list[str]
    published: date | None
    published_estimated: bool
    published_range: tuple[date, date] | None
    published_precision: DatePrecision | None = Field(
        default=None, description="day, or month or year when only that was stated"
    )
    outlet: str | None
    language: str | None
    text: str
    duplicate_of: int | None


class Article(ArticleFields):
    """An article as stored."""

    words: int = 0


@dataclass(frozen=True)
class NewArticle:
    """An article as the ingest writer hands it to the store: the cleaned text and metadata,
    its fingerprints, and what it near-duplicates."""

    source_id: int
    url: str | None
    title: str | None
    authors: list[str]
    published: DateEstimate | None
    outlet: str | None
    language: str | None
    text: str
    text_sha256: str
    words: int
    minhash: bytes
    duplicate_of: int | None
    similarity: float | None
    removed: list[str]
    warnings: list[str] = field(default_factory=list)
    cleaner_version: str = CLEANER_VERSION


@dataclass(frozen=True)
class CleanOptions:
    """What the cleaning workers are told besides the item: the period the collection
    covers (bounds date estimates), today's date, and the settings."""

    period: tuple[date, date] | None
    today: date
    config: Config


@dataclass
class Processed:
    """What a worker returns for one RawItem: a cleaned article, or the reason it failed.

    Defined here rather than beside the cleaner so that the parent process can unpickle it
    without importing the cleaner's libraries (trafilatura, lxml, CLD2).
    """

    item: RawItem  # without its data: the parent has it and only needs the compressed copy
    sha256: str
    size: int
    compressed: bytes
    article: CleanArticle | None = None
    error: InputError | None = None
    text_sha256: str = ""
    words: int = 0
    shingles: bytes = b""  # uint32 hashes of the text's word 4-shingles, for the MinHash


@dataclass(frozen=True)
class Failure:
    """An input that failed, as the store keeps it: where, why, and how many tries."""

    id: int
    locator: str
    kind: str
    error_code: str | None
    error: str | None
    attempts: int
    updated_at: str


@dataclass(frozen=True)
class ExtractionFailure:
    """An article the evidence layer could not read, with the reason."""

    article_id: int
    title: str | None
    error: str
    extracted_at: str


@dataclass(frozen=True)
class Provenance:
    """Where an article came from and how it was made, beyond its export record."""

    published_method: str | None
    removed: list[str]
    similarity: float | None
    cleaner_version: str
    created_at: str
    kind: str
    raw_sha256: str | None
    raw_size: int | None
    content_type: str | None
    meta: dict[str, object]


@dataclass(frozen=True)
class IngestWarning:
    """Something an input gave that could not be used (a date that cannot be read), kept
    with the article it was stored as."""

    article_id: int
    locator: str
    message: str
