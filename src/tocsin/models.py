"""The records that flow through tocsin: raw inputs, cleaned articles, stored articles.

Later stages add Entity, Quote, Claim, Quantity, DateMention, Event, EvidenceLink and
Assessment records; each refers to an article by id and to its text by character offsets,
which is why ``Article.text`` is immutable once stored for a given cleaner version.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

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


class DateEstimate(BaseModel):
    """A publication date that is stated, or estimated from the text with its bounds."""

    value: date
    estimated: bool
    low: date
    high: date
    method: str


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


class Article(BaseModel):
    """An article as stored and exported (the JSONL export format, see docs/formats.md)."""

    id: int
    source: str
    url: str | None
    title: str | None
    authors: list[str]
    published: date | None
    published_estimated: bool
    published_range: tuple[date, date] | None
    outlet: str | None
    language: str | None
    text: str
    duplicate_of: int | None
    words: int = 0
