"""What the Parquet export writes: one declaration per file, with its columns' Arrow types.

Each ``Table`` names the file, the store table it reads (a missing one gives an empty file
with the same schema), the query that reads it in a stable order, and every column with its
type, the SQL that gives it and one line of meaning. docs/formats.md lists the same tables
and columns; a test checks that the two agree, so the documentation cannot drift from the
code. Types: ``int64``, ``float64``, ``bool`` (SQLite 0/1), ``string``, ``date32`` (ISO
dates), ``timestamp[us, tz=UTC]`` (the store's ISO times), ``list<string>`` (JSON arrays
of strings in the store). JSON objects of open shape (feed metadata, probabilities, an audit
entry's fields) stay JSON text in a ``string`` column: readers parse them with their own
JSON functions (DuckDB ``json_extract``, Spark ``from_json``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa  # type: ignore[import-untyped]  # no stubs or py.typed

INT = pa.int64()
FLOAT = pa.float64()
BOOL = pa.bool_()
TEXT = pa.string()
DATE = pa.date32()
TIME = pa.timestamp("us", tz="UTC")
NAMES = pa.list_(pa.string())


@dataclass(frozen=True)
class Column:
    """One column of an exported table. ``sql`` is its expression in the table's query
    (the store column of the same name when empty); ``json`` marks JSON text kept as is."""

    name: str
    type: pa.DataType
    doc: str
    sql: str = ""
    json: bool = False

    @property
    def expression(self) -> str:
        return self.sql or f't."{self.name}"'


@dataclass(frozen=True)
class Table:
    """One exported file, ``<name>.parquet``. ``store_table`` is what it reads (as ``t``);
    ``joins`` adds other tables; ``needs`` lists every store table the query touches, so a
    store without one of them gives an empty file. ``article`` is the column holding an
    article id, for leaving out near-duplicates' rows. ``wide`` names the columns that hold
    whole documents: batches are bounded by their size as well as by rows."""

    name: str
    store_table: str
    doc: str
    columns: tuple[Column, ...]
    order: str
    joins: str = ""
    article: str = ""
    needs: tuple[str, ...] = field(default=())
    wide: tuple[str, ...] = field(default=())

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.type) for c in self.columns])

    @property
    def required(self) -> tuple[str, ...]:
        return (self.store_table, *self.needs)

    def query(self, *, include_duplicates: bool = True) -> str:
        """The SELECT that reads this table, in its order."""
        select = ", ".join(c.expression for c in self.columns)
        where = ""
        if not include_duplicates and self.article:
            where = f" WHERE {self.article} IN (SELECT id FROM articles WHERE duplicate_of IS NULL)"
        source = f"{self.store_table} AS t {self.joins}"
        return f"SELECT {select} FROM {source}{where} ORDER BY {self.order}"


def _span(what: str) -> tuple[Column, ...]:
    """The columns every evidence record starts with: its id, article and text span."""
    return (
        Column("id", INT, f"the {what}'s id in the store"),
        Column("article_id", INT, "the article it is in (articles.id)"),
        Column("start", INT, "offset of its first character in the article's text"),
        Column("end", INT, "offset just past its last character (end exclusive)"),
        Column("text", TEXT, "the text, equal to the article's text[start:end]"),
    )


ARTICLES = Table(
    "articles",
    "articles",
    "clean articles, one row each (near-duplicates left out with --no-duplicates)",
    (
        Column("id", INT, "article id in the store"),
        Column("source_id", INT, "the input it was made from (sources.id)"),
        Column("source", TEXT, "that input's file path or URL", "s.locator"),
        Column("url", TEXT, "the article's URL, when known"),
        Column("title", TEXT, "headline"),
        Column("authors", NAMES, "bylines, possibly empty"),
        Column("published", DATE, "stated or estimated publication date"),
        Column("published_estimated", BOOL, "true when published is an estimate"),
        Column("published_low", DATE, "first day the date can be"),
        Column("published_high", DATE, "last day the date can be"),
        Column("published_precision", TEXT, "day, month or year (an estimate is day)"),
        Column("published_method", TEXT, "how the date was found"),
        Column("outlet", TEXT, "site name or host"),
        Column("language", TEXT, "ISO 639-1 code"),
        Column("text", TEXT, "clean text; evidence offsets point into it"),
        Column("text_sha256", TEXT, "SHA-256 of the text"),
        Column("words", INT, "number of words"),
        Column("duplicate_of", INT, "the first-seen article this one nearly repeats"),
        Column("similarity", FLOAT, "estimated Jaccard similarity to duplicate_of"),
        Column("removed", NAMES, "boilerplate blocks the cleaner dropped"),
        Column("warnings", NAMES, "what the input gave that could not be used"),
        Column("cleaner_version", TEXT, "version of the cleaner that made it"),
        Column("created_at", TIME, "when it was stored"),
    ),
    "t.id",
    joins="LEFT JOIN sources AS s ON s.id = t.source_id",
    article="t.id",
    needs=("sources",),
    wide=("text",),
)

SOURCES = Table(
    "sources",
    "sources",
    "every input, ingested or failed: the provenance of the articles (raw bytes left out)",
    (
        Column("id", INT, "source id in the store"),
        Column("locator", TEXT, "file path or URL (path:line, path#id for records in a file)"),
        Column("kind", TEXT, "what the input was: text, html, feed, jsonl, warc, url ..."),
        Column("raw_sha256", TEXT, "SHA-256 of the raw bytes; null when none were read"),
        Column("raw_size", INT, "size of the raw bytes"),
        Column("url", TEXT, "URL, when fetched or given"),
        Column("content_type", TEXT, "the content type given with it"),
        Column(
            "meta", TEXT, "JSON object: what its container said (feed fields, WARC date)", json=True
        ),
        Column("status", TEXT, "ok, duplicate or failed"),
        Column("error_code", TEXT, "why it failed (docs/cli.md lists the codes)"),
        Column("error", TEXT, "the failure's reason in words"),
        Column("attempts", INT, "how many times it was tried"),
        Column("article_id", INT, "the article it gave (articles.id)"),
        Column("created_at", TIME, "when it was first seen"),
        Column("updated_at", TIME, "when it was last tried"),
    ),
    "t.id",
)

ENTITIES = Table(
    "entities",
    "entities",
    "canonical entities shared by all articles, with every spelling seen",
    (
        Column("id", INT, "entity id in the store"),
        Column("canonical", TEXT, "canonical name"),
        Column("label", TEXT, "PERSON, ORG, GPE or LOC"),
        Column(
            "spellings",
            NAMES,
            "every spelling it was seen under, sorted",
            "(SELECT json_group_array(spelling) FROM (SELECT spelling FROM entity_spellings"
            " WHERE entity_id = t.id ORDER BY spelling))",
        ),
        Column("created_at", TIME, "when it was first stored"),
    ),
    "t.id",
    needs=("entity_spellings",),
)

MENTIONS = Table(
    "mentions",
    "mentions",
    "named mentions of entities in articles",
    (
        *_span("mention"),
        Column("label", TEXT, "PERSON, ORG, GPE or LOC"),
        Column("entity_id", INT, "the canonical entity (entities.id)"),
    ),
    "t.id",
    article="t.article_id",
)

QUOTES = Table(
    "quotes",
    "quotes",
    "attributions: direct, partial and indirect quotes with their sources",
    (
        *_span("quote"),
        Column("kind", TEXT, "direct, partial or indirect"),
        Column("reports", TEXT, "speech, belief or topic"),
        Column("source_kind", TEXT, "speaker, group or document"),
        Column("cue", TEXT, "the verb or phrase of attribution as written"),
        Column("speaker_text", TEXT, "the source as written"),
        Column("speaker_start", INT, "offset of the source as written"),
        Column("speaker_end", INT, "end offset of the source as written"),
        Column("speaker_entity_id", INT, "the resolved speaker (entities.id)"),
    ),
    "t.id",
    article="t.article_id",
)

CLAIMS = Table(
    "claims",
    "claims",
    "attributed statements and hedged sentences with an epistemic status",
    (
        *_span("claim"),
        Column("status", TEXT, "asserted, reported, alleged, denied or speculative"),
        Column("source_entity_id", INT, "the resolved source (entities.id)"),
        Column("source_text", TEXT, "the source as written"),
        Column("source_chain", NAMES, "who passed it to whom, outermost first"),
    ),
    "t.id",
    article="t.article_id",
)

FIGURES = Table(
    "figures",
    "quantities",
    "figures with qualifiers, ranges, units and what they count (the store's quantities)",
    (
        *_span("figure"),
        Column("value", FLOAT, "a single figure"),
        Column("low", FLOAT, "lower bound of a range or a vague number"),
        Column("high", FLOAT, "upper bound of a range or a vague number"),
        Column("unit", TEXT, "percent, km, USD, day ...; null for a count"),
        Column("qualifier", TEXT, "at least, up to, more than, less than, about, range, vague"),
        Column("measure", TEXT, "what is counted, lemmatised"),
        Column("group_id", INT, "figures on the same measure across articles share it"),
        Column("group_key", TEXT, "that group's key", "g.key"),
    ),
    "t.id",
    joins="LEFT JOIN measure_groups AS g ON g.id = t.group_id",
    article="t.article_id",
    needs=("measure_groups",),
)

DATES = Table(
    "dates",
    "date_mentions",
    "date expressions resolved to intervals",
    (
        *_span("date mention"),
        Column("date_start", DATE, "first day of the interval"),
        Column("date_end", DATE, "last day of the interval"),
    ),
    "t.id",
    article="t.article_id",
)

EVENTS = Table(
    "events",
    "events",
    "sentence-level actions with actor, target, category, mode and date",
    (
        *_span("event"),
        Column("actor", TEXT, "the actor as written"),
        Column("actor_entity_id", INT, "the resolved actor (entities.id)"),
        Column("action", TEXT, "the action, lemmatised"),
        Column("target", TEXT, "what it acts on, as written"),
        Column("category", TEXT, "category of what took place"),
        Column("action_category", TEXT, "category of the action itself"),
        Column("mode", TEXT, "asserted, denied, refused, threatened, planned, ..."),
        Column("date_start", DATE, "first day it is dated to"),
        Column("date_end", DATE, "last day it is dated to"),
    ),
    "t.id",
    article="t.article_id",
)

_DECIDED = (
    "d.case_id = t.case_id AND d.article_id = t.article_id AND d.start = t.start"
    ' AND d."end" = t."end" AND d.indicator_id = t.indicator_id'
)

LINKS = Table(
    "links",
    "evidence_links",
    "links from sentences to a case's indicators, with the analyst's decision in force",
    (
        Column("id", INT, "link id in the store"),
        Column("case_id", TEXT, "the case"),
        Column("article_id", INT, "the article (articles.id)"),
        Column("start", INT, "offset of the linked text"),
        Column("end", INT, "end offset of the linked text"),
        Column("text", TEXT, "the linked text"),
        Column("indicator_id", TEXT, "the indicator the linker chose"),
        Column("polarity", TEXT, "seen or negated, as linked"),
        Column("score", FLOAT, "the linker's score"),
        Column("method", TEXT, "pattern, embedding or pattern+embedding"),
        Column("reason", TEXT, "why the linker made it"),
        Column("kind", TEXT, "claim, quote, event or sentence"),
        Column("status", TEXT, "the claim's epistemic status, if any"),
        Column("source", TEXT, "who the text is attributed to"),
        Column("source_key", TEXT, "independence key: same key, one observation"),
        Column("reliability", TEXT, "Admiralty reliability grade of the source (A-F)"),
        Column("credibility", INT, "Admiralty credibility grade of the information (1-6)"),
        Column("published", DATE, "publication date the assessment counts it from"),
        Column("linker_version", TEXT, "version of the linker"),
        Column("decision", TEXT, "accept, reject or relink; null when undecided", "d.decision"),
        Column("decided_indicator", TEXT, "the indicator a relink moved it to", "d.new_indicator"),
        Column("decided_polarity", TEXT, "the polarity the analyst set", "d.polarity"),
        Column("analyst", TEXT, "who decided", "d.analyst"),
        Column("note", TEXT, "the analyst's note", "d.note"),
        Column("decided_at", TIME, "when the decision was made", "d.decided_at"),
    ),
    "t.id",
    joins=f"LEFT JOIN link_decisions AS d ON {_DECIDED}",
    article="t.article_id",
    needs=("link_decisions",),
)

FORECASTS = Table(
    "forecasts",
    "forecasts",
    "the forecasts of each case's latest assessment, one per date, question and method",
    (
        Column("case_id", TEXT, "the case"),
        Column("question_id", TEXT, "main for the case's question, else a side question"),
        Column("as_of", DATE, "the date of the forecast"),
        Column("method", TEXT, "bayes, actors or analyst"),
        Column("probabilities", TEXT, "JSON object: outcome -> probability", json=True),
        Column("deadline", DATE, "the question's deadline"),
        Column("made_at", TIME, "when the assessment made it"),
    ),
    "t.case_id, t.question_id, t.as_of, t.method",
)

RESOLUTIONS = Table(
    "resolutions",
    "resolutions",
    "how questions resolved",
    (
        Column("case_id", TEXT, "the case"),
        Column("question_id", TEXT, "main for the case's question, else a side question"),
        Column("outcome", TEXT, "a hypothesis id, or yes / no"),
        Column("resolved_on", DATE, "when it resolved"),
        Column("note", TEXT, "the note recorded with it"),
        Column("origin", TEXT, "resolve (the command) or case (the case file)"),
        Column("recorded_at", TIME, "when it was recorded"),
    ),
    "t.case_id, t.question_id",
)

CASE_FILES = Table(
    "case_files",
    "case_files",
    "every saved version of every case file",
    (
        Column("case_id", TEXT, "the case"),
        Column("version", INT, "1, 2, ... per case"),
        Column("text", TEXT, "the YAML as saved"),
        Column("sha256", TEXT, "SHA-256 of the text"),
        Column("origin", TEXT, "the file it was read from, or desk"),
        Column("analyst", TEXT, "who saved it"),
        Column("note", TEXT, "the note saved with it"),
        Column("saved_at", TIME, "when it was saved"),
    ),
    "t.case_id, t.version",
    wide=("text",),
)

AUDIT_LOG = Table(
    "audit_log",
    "audit_log",
    "every analyst's every action, in order",
    (
        Column("id", INT, "entry id, in order of the actions"),
        Column("at", TIME, "when it was done"),
        Column("analyst", TEXT, "who did it"),
        Column("action", TEXT, "link.accept, case.save, entity.merge ..."),
        Column("case_id", TEXT, "the case, if any"),
        Column("target", TEXT, "what it acted on"),
        Column("detail", TEXT, "JSON object: the action's fields", json=True),
    ),
    "t.id",
)

ALERTS = Table(
    "alerts",
    "alerts",
    "alerts the watcher fired (migration 0011; empty for a store without it)",
    (
        Column("id", INT, "alert id in the store"),
        Column("case_id", TEXT, "the case"),
        Column("rule_id", TEXT, "the case file's rule that fired"),
        Column("kind", TEXT, "what kind of rule"),
        Column("key", TEXT, "deduplication key, unique"),
        Column("title", TEXT, "one line"),
        Column("detail", TEXT, "what happened, in words"),
        Column("as_of", DATE, "the date assessed, if any"),
        Column("fired_at", TIME, "when it fired"),
        Column("probabilities", TEXT, "JSON object: outcome -> probability", json=True),
        Column(
            "evidence", TEXT, "JSON list: the sentences, sources and links behind it", json=True
        ),
    ),
    "t.id",
)

TABLES: tuple[Table, ...] = (
    ARTICLES,
    SOURCES,
    ENTITIES,
    MENTIONS,
    QUOTES,
    CLAIMS,
    FIGURES,
    DATES,
    EVENTS,
    LINKS,
    FORECASTS,
    RESOLUTIONS,
    CASE_FILES,
    AUDIT_LOG,
    ALERTS,
)

TYPE_NAMES = {
    INT: "int64",
    FLOAT: "float64",
    BOOL: "bool",
    TEXT: "string",
    DATE: "date32",
    TIME: "timestamp[us, UTC]",
    NAMES: "list<string>",
}


def markdown() -> str:
    """The tables of docs/formats.md's "Parquet export" section, made from the declarations;
    a test checks that the page holds exactly this (and prints it when it does not)."""
    out = []
    for table in TABLES:
        out.append(f"### `{table.name}.parquet`\n\nFrom the store's `{table.store_table}`: ")
        out.append(f"{table.doc}.\n\n| column | type | meaning |\n|---|---|---|\n")
        for c in table.columns:
            kind = TYPE_NAMES[c.type] + " (JSON)" * c.json
            out.append(f"| `{c.name}` | {kind} | {c.doc} |\n")
        out.append("\n")
    return "".join(out).rstrip("\n") + "\n"
