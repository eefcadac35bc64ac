"""The JSONL export's line, as pydantic models; its JSON Schema ships in the package.

``python -m tocsin.schema`` rewrites ``src/tocsin/data/export.schema.json`` and
``docs/export.schema.json`` from these models; a test checks both are current and that the
demo's export validates against them.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tocsin.models import ArticleFields

SCHEMA_ID = "https://github.com/tocsin/tocsin/export.schema.json"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Offsets(_Strict):
    text: str = Field(description="The span as written: article text[start:end].")
    start: int = Field(ge=0, description="Offset of the first character (code points).")
    end: int = Field(ge=0, description="Offset after the last character.")


class EntityMention(_Offsets):
    label: Literal["PERSON", "ORG", "GPE", "LOC", "NORP"]
    entity_id: int = Field(description="Canonical entity, shared across articles.")
    canonical: str = Field(description="The canonical entity's name.")


class QuoteRecord(_Offsets):
    kind: Literal["direct", "partial", "indirect"]
    reports: Literal["speech", "belief", "topic"] = Field(
        description="Words said or written; a belief, intention or finding; or a topic."
    )
    source_kind: Literal["speaker", "group", "document"] = Field(
        description="A person or body, an unnamed group ('analysts'), or a document or poll."
    )
    cue: str | None = Field(description="Speech verb or phrase: 'said', 'according to'.")
    speaker_text: str | None = Field(description="The speaker as written, e.g. 'he'.")
    speaker_start: int | None
    speaker_end: int | None
    speaker: str | None = Field(description="Canonical name of the resolved speaker.")
    speaker_entity_id: int | None


class ClaimRecord(_Offsets):
    status: Literal["asserted", "reported", "alleged", "denied", "speculative"]
    source: str | None = Field(description="Who the claim is attributed to, if anyone.")
    source_chain: list[str] = Field(description="Who passed it to whom, outermost first.")


class QuantityRecord(_Offsets):
    value: float | None = Field(description="A single figure; null for a range.")
    low: float | None
    high: float | None
    unit: str | None
    qualifier: str | None = Field(description="'at least', 'up to', 'more than' …")
    measure: str | None = Field(description="What is counted or measured.")
    group_id: int | None = Field(description="Figures on the same measure share a group.")


class DateRecord(_Offsets):
    date_start: date
    date_end: date = Field(description="Inclusive.")


class EventRecord(_Offsets):
    actor: str | None
    action: str
    target: str | None
    category: str | None = Field(
        description="PLOVER category of what took place, e.g. MOBILIZE; REJECT for a refused "
        "or denied action, THREATEN for a threatened one."
    )
    mode: Literal[
        "asserted", "denied", "refused", "threatened", "planned", "hypothetical", "reported"
    ] = Field(description="How the sentence reports the action.")
    action_category: str | None = Field(
        description="PLOVER category of the action itself, whatever its mode."
    )
    date_start: date | None
    date_end: date | None


class ExtractionRecord(_Strict):
    state: Literal["pending", "extracted", "failed", "not extracted"]
    pipeline: str | None = Field(
        description="What read it: 'sm' or 'md' (spaCy English), 'natasha' (Russian)."
    )
    reason: str | None = Field(
        description="Why it failed, or why no pipeline read it: 'language hr'."
    )
    extractor_version: str | None


class ExportLine(ArticleFields):
    """One article of `tocsin export --format jsonl`."""

    model_config = ConfigDict(extra="forbid", title="tocsin export line")

    extraction: ExtractionRecord
    entities: list[EntityMention]
    quotes: list[QuoteRecord]
    claims: list[ClaimRecord]
    quantities: list[QuantityRecord]
    dates: list[DateRecord]
    events: list[EventRecord]


def export_schema() -> dict[str, Any]:
    schema = ExportLine.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def shipped_schema() -> dict[str, Any]:
    """The schema file in the installed package."""
    text = resources.files("tocsin").joinpath("data/export.schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def render() -> str:
    return json.dumps(export_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the schema to the package and to docs/ (run from the repository root)."""
    text = render()
    for path in (Path("src/tocsin/data/export.schema.json"), Path("docs/export.schema.json")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
