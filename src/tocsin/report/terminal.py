"""Everything tocsin shows in a terminal, built with rich from ``Text`` objects.

Text from an article, a feed, a case file or a file name is never markup here: it goes in
through ``safe``, which makes a ``Text`` (so ``[bold]`` or ``[link=…]`` is shown as written)
after neutralising terminal control sequences and bidirectional overrides, each shown as a
visible escape (``\\x1b``, ``\\u202e``) so that a hostile title can neither recolour the
terminal, move the cursor, plant a hyperlink nor reorder what the analyst reads. Only this
module's own fixed strings carry style.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from tocsin.report.common import (
    as_of_text,
    bottom_line,
    day,
    gap_text,
    grade,
    number,
    percent,
    short,
    strongest,
    veto_text,
)

if TYPE_CHECKING:
    from tocsin.assess.actors import Round
    from tocsin.assess.score import Assessment
    from tocsin.assess.track import TrackRecord
    from tocsin.extract.report import ExtractReport
    from tocsin.ingest.pipeline import IngestReport
    from tocsin.models import Article, ExtractionFailure, Failure, IngestWarning, Provenance
    from tocsin.models.assessment import LinkRow
    from tocsin.models.evidence import EntitySummary, ExtractionState, QuoteRow
    from tocsin.store.db import SearchHit
    from tocsin.store.watch import CycleRow, SourceState

TOP_EVIDENCE = 5
SUMMARY_ROWS = 50  # articles listed after an ingest
_STATE_STYLE = {"seen": "green", "seen negated": "red", "mixed": "yellow", "not seen": "dim"}
# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional and invisible
# format characters that can make text read other than it is.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)


def neutralised(text: str) -> str:
    """``text`` with every control and bidi character written as a visible escape."""
    return _UNSAFE.sub(lambda m: _escape(m.group(0)), text)


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: object, style: str = "") -> Text:
    """Untrusted text as a rich ``Text``: never markup, no control sequences."""
    return Text(neutralised(str(text)), style=style)


def _table(title: str, columns: Sequence[str], **options: object) -> Table:
    table = Table(title=safe(title), title_justify="left", **options)  # type: ignore[arg-type]
    for name in columns:
        table.add_column(name, overflow="fold")
    return table


def line(*parts: str | Text) -> Text:
    """A line assembled from styled fixed words (``Text``) and untrusted strings (``str``)."""
    out = Text()
    for part in parts:
        out.append(part if isinstance(part, Text) else safe(part))
    return out


def error_line(message: str) -> Text:
    return line(Text("error: ", style="red"), message)


# -- ingest and extraction ------------------------------------------------------------------


def ingest_report(report: IngestReport, db: object) -> RenderableType:
    """The articles added, the duplicates and failures, and the counts of an ingest run."""
    parts: list[RenderableType] = []
    if report.added:
        table = _table(
            "Articles added", ("id", "title", "outlet", "published", "words", "duplicate of")
        )
        for a in report.added[:SUMMARY_ROWS]:
            when = _row_date(a.published, a.estimated, a.precision)
            dup = "" if a.duplicate_of is None else f"#{a.duplicate_of} ({a.similarity:.0%})"
            table.add_row(safe(a.id), safe(a.title or "(no title)"), safe(a.outlet or "—"),
                          safe(when), safe(a.words), safe(dup))  # fmt: skip
        parts.append(table)
        if report.added_count > SUMMARY_ROWS:
            more = report.added_count - SUMMARY_ROWS
            parts.append(safe(f"… and {more} more (tocsin export lists them all)"))
    for source, article in report.duplicates[:SUMMARY_ROWS]:
        parts.append(line(Text("duplicate ", style="yellow"), f"{source} = article #{article}"))
    if report.failures:
        table = _table("Failed inputs", ("input", "code", "reason"), title_style="red")
        for source, code, reason in report.failures:
            table.add_row(safe(source), safe(code), safe(reason))
        parts.append(table)
    if report.warnings:
        table = _table("Warnings", ("input", "warning"), title_style="yellow")
        for source, warning in report.warnings:
            table.add_row(safe(source), safe(warning))
        parts.append(table)
    parts.append(safe(
        f"{report.added_count} added ({report.near_duplicates} near-duplicates), "
        f"{len(report.duplicates)} exact duplicates, {report.unchanged} already stored, "
        f"{report.skipped} skipped, {len(report.failures)} failed, "
        f"{report.warning_count} warnings "
        f"in {report.seconds:.1f}s. Database: {db}"
    ))  # fmt: skip
    if report.interrupted:
        parts.append(line(Text("Interrupted", style="yellow"),
                          ": what was done is stored; run again to finish."))  # fmt: skip
    return Group(*parts)


def extract_report(report: ExtractReport) -> RenderableType:
    counts = ", ".join(f"{n} {name}" for name, n in report.counts.items())
    parts: list[RenderableType] = [safe(
        f"Extracted {report.processed} articles ({len(report.failed)} failed) with model "
        f"{report.model}, extractor {report.version} in {report.seconds:.1f}s: "
        f"{counts or 'nothing'}"
    )]  # fmt: skip
    for article_id, error in report.failed:
        parts.append(line(Text("failed ", style="red"), f"article #{article_id}: {error}"))
    for reason, n in report.not_extracted.items():
        parts.append(line(Text("not extracted ", style="yellow"),
                          f"({reason}): {n} article{'s' if n != 1 else ''}"))  # fmt: skip
    if report.interrupted:
        parts.append(line(Text("Interrupted", style="yellow"),
                          ": run `tocsin extract` again to finish."))  # fmt: skip
    return Group(*parts)


# -- the store --------------------------------------------------------------------------------


def status(
    db: object,
    counts: Mapping[str, int],
    extraction: Mapping[str, int],
    failures: Sequence[Failure],
    extraction_failures: Sequence[ExtractionFailure],
    warnings: Sequence[IngestWarning] = (),
    not_extracted: Mapping[str, int] | None = None,
    watched: Sequence[SourceState] = (),
    cycles: Sequence[CycleRow] = (),
) -> RenderableType:
    """Counts by state (articles no pipeline reads counted by reason), then every failed
    input, every article extraction failed on, each with its reason, every warning of the
    ingest, and the watcher's sources and last cycles."""
    table = _table(f"tocsin store {db}", ("state", "count"))
    for key, value in counts.items():
        table.add_row(key.replace("_", " "), str(value))
    for key, value in extraction.items():
        if key == "not_extracted":
            continue  # one row per reason below
        table.add_row(f"articles {key}" + (" (older extractor)" if key == "stale" else ""),
                      str(value))  # fmt: skip
    for reason, value in (not_extracted or {}).items():
        table.add_row(safe(f"articles not extracted ({reason})"), str(value))
    parts: list[RenderableType] = [table]
    if failures:
        failed = _table("Failed inputs", ("id", "input", "code", "reason", "attempts"),
                        title_style="red")  # fmt: skip
        for f in failures:
            failed.add_row(safe(f.id), safe(f.locator), safe(f.error_code or ""),
                           safe(f.error or "(no reason recorded)"), safe(f.attempts))  # fmt: skip
        parts.append(failed)
    if extraction_failures:
        failed = _table("Articles extraction failed on", ("article", "title", "reason"),
                        title_style="red")  # fmt: skip
        for e in extraction_failures:
            failed.add_row(safe(e.article_id), safe(e.title or "(no title)"), safe(e.error))
        parts.append(failed)
    if warnings:
        warned = _table("Ingest warnings", ("article", "input", "warning"), title_style="yellow")
        for w in warnings:
            warned.add_row(safe(w.article_id), safe(w.locator), safe(w.message))
        parts.append(warned)
    parts += _watch(watched, cycles)
    return Group(*parts)


def _watch(watched: Sequence[SourceState], cycles: Sequence[CycleRow]) -> list[Table]:
    """The watched sources (polled, next due, last error) and the last cycles."""
    parts = []
    if watched:
        table = _table("Watched sources (times in UTC)", ("source", "kind", "last polled",
                                                          "next due", "last error"))  # fmt: skip
        for s in watched:
            table.add_row(safe(s.name), safe(s.kind), _moment(s.last_polled),
                          _moment(s.next_due), safe(s.last_error or "—"))  # fmt: skip
        parts.append(table)
    if cycles:
        table = _table("Last cycles (times in UTC)", ("cycle", "started", "status", "new",
                                                      "extracted", "cases", "error"))  # fmt: skip
        for c in cycles:
            counts = (str(c.new_articles), str(c.extracted), str(c.cases_assessed))
            table.add_row(str(c.id), _moment(c.started_at), c.status, *counts,
                          safe(c.error or "—"))  # fmt: skip
        parts.append(table)
    return parts


def _moment(when: datetime | None) -> str:
    """A time in a table, to the second (the store keeps UTC)."""
    return when.strftime("%Y-%m-%d %H:%M:%S") if when is not None else "—"


def _row_date(value: date | None, estimated: bool, precision: str | None) -> str:
    """A publication date in a table: the day, the month or year stated, or an estimate."""
    if value is None:
        return "—"
    if estimated:
        return f"{value.isoformat()} (est.)"
    return {"month": value.isoformat()[:7], "year": str(value.year)}.get(
        precision or "day", value.isoformat()
    )


def _date_text(
    value: date | None,
    estimated: bool,
    span: tuple[date, date] | None,
    precision: str | None = "day",
) -> str | None:
    if value is None:
        return None
    if not estimated and precision in ("month", "year") and span:
        shown = _row_date(value, False, precision)
        return f"{shown} (only the {precision} stated: {span[0]} to {span[1]})"
    if not estimated:
        return value.isoformat()
    return f"{value.isoformat()} (estimated, between {span[0]} and {span[1]})" if span else None


def article(
    a: Article, extra: Provenance | None, extraction: ExtractionState | None = None
) -> RenderableType:
    """One article: title, metadata, provenance and evidence state, then its clean text."""
    rows = {
        "source": a.source,
        "url": a.url,
        "outlet": a.outlet,
        "authors": ", ".join(a.authors) or None,
        "published": _date_text(
            a.published, a.published_estimated, a.published_range, a.published_precision
        ),
        "dated by": extra.published_method if extra else None,
        "language": a.language,
        "words": a.words,
        "duplicate of": a.duplicate_of,
        "boilerplate removed": len(extra.removed) if extra else 0,
        "evidence": extraction.describe() if extraction else None,
    }
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", justify="right", no_wrap=True)
    grid.add_column(overflow="fold")
    for key, value in rows.items():
        if value not in (None, ""):
            grid.add_row(key, safe(value))
    title = safe(f"#{a.id} {a.title or '(no title)'}", style="bold")
    return Group(title, grid, Text(), safe(a.text))


def search_hits(hits: Sequence[SearchHit]) -> RenderableType:
    if not hits:
        return Text("no matches")
    parts: list[RenderableType] = []
    for h in hits:
        parts.append(line(Text(f"#{h.article_id} ", style="bold"), h.title or "(no title)",
                          Text(f" ({h.score:.3g})", style="dim")))  # fmt: skip
        parts.append(line("    ", h.snippet))
    return Group(*parts)


def entities(rows: Iterable[EntitySummary]) -> RenderableType:
    table = _table("Entities", ("id", "entity", "label", "mentions", "articles", "spellings"))
    for r in rows:
        spellings = ", ".join(f"{s} ({n})" for s, n in r.spellings.items())
        table.add_row(safe(r.id), safe(r.canonical), safe(r.label), safe(r.mentions),
                      safe(r.articles), safe(spellings))  # fmt: skip
    return table


def speakers(rows: Iterable[QuoteRow]) -> RenderableType:
    """How many quotes of each kind each speaker has."""
    per: dict[str, dict[str, int]] = {}
    for r in rows:
        name = r.speaker or (f"({r.speaker_text})" if r.speaker_text else "(unattributed)")
        per.setdefault(name, {"direct": 0, "partial": 0, "indirect": 0})[r.kind] += 1
    table = Table(title="Quotes per speaker", title_justify="left")
    for col in ("speaker", "direct", "partial", "indirect", "total"):
        table.add_column(col, justify="left" if col == "speaker" else "right")
    for name, kinds in sorted(per.items(), key=lambda kv: -sum(kv[1].values())):
        cells = [str(kinds[k]) for k in ("direct", "partial", "indirect")]
        table.add_row(safe(name), *cells, str(sum(kinds.values())))
    return table


def quotes(rows: Iterable[QuoteRow], speaker: str | None = None) -> RenderableType:
    table = _table("Quotes" + (f" of {speaker}" if speaker else ""),
                   ("article", "speaker", "kind", "cue", "quote"))  # fmt: skip
    for r in rows:
        who = r.speaker or r.speaker_text or "—"
        table.add_row(safe(r.article_id), safe(who), safe(r.kind), safe(r.cue or ""), safe(r.text))
    return table


# -- the assessment ---------------------------------------------------------------------------


def links(rows: Sequence[LinkRow], case_id: str) -> RenderableType:
    """A case's stored links, one block each: the id every evidence command accepts (L12),
    date, indicator, polarity, score, grade, source and decision on one line, then the
    whole sentence, wrapped, so that nothing is cut at any terminal width."""
    if not rows:
        return safe(f"no links for case {case_id}: run `tocsin assess` or `evidence link`")
    parts: list[RenderableType] = [safe(f"Evidence links of {case_id}: {len(rows)}", "bold")]
    for r in rows:
        link = r.fields
        moved = f" → {r.new_indicator}" if r.new_indicator else ""
        polarity = r.decided_polarity or link.polarity
        head = line(
            Text(r.label, style="bold"),
            f"  {link.published or 'undated'}  {r.key.indicator_id}{moved} ({polarity}, "
            f"{link.score:.2f})  {grade(link.reliability, link.credibility)}",
            f"  {link.source}" if link.source else "",
            Text(f"  [{r.decision}]", style="yellow") if r.decision else "",
        )
        parts += [head, Padding(safe(link.text), (0, 0, 0, 4))]
    return Group(*parts)


def track(record: TrackRecord) -> RenderableType:
    table = Table(title="Track record", title_justify="left")
    for col in ("case", "question", "method", "outcome", "forecast", "Brier", "log", "mean Brier"):
        table.add_column(col)
    for s in record.scores:
        table.add_row(
            safe(s.case_id), safe(s.question_id), safe(s.method), safe(s.outcome),
            f"{s.last.get(s.outcome, 0.0):.2f} on {s.last_as_of}",
            f"{s.brier:.3f}", f"{s.log:.3f}", f"{s.mean_brier:.3f}",
        )  # fmt: skip
    cal = Table(title="Calibration (every forecast as binary events)", title_justify="left")
    for col in ("bin", "events", "mean forecast", "observed"):
        cal.add_column(col, justify="right")
    for b in record.calibration:
        cal.add_row(f"{b.low:.1f}-{b.high:.1f}", str(b.count), f"{b.mean_forecast:.2f}",
                    f"{b.observed:.2f}")  # fmt: skip
    return Group(table, cal)


def rounds(history: Sequence[Round], variant: str) -> Table:
    """Every round of the bargaining model: mean, median and each actor's position."""
    names = list(history[0].positions)
    table = Table(title=f"Bargaining rounds ({variant})", title_justify="left")
    table.add_column("round", justify="right")
    table.add_column("mean", justify="right")
    table.add_column("median", justify="right")
    for name in names:
        table.add_column(safe(name), justify="right", no_wrap=True)
    for r in history:
        cells = [f"{r.positions[name]:.3f}" for name in names]
        table.add_row(str(r.number), f"{r.mean:.6f}", f"{r.median:.3f}", *cells)
    return table


def _hypotheses(a: Assessment) -> Table:
    table = Table(title="Hypotheses", title_justify="left", show_edge=False)
    table.add_column("Id")
    table.add_column("Hypothesis", overflow="fold")
    for name in ("Prior", "Posterior", "Actors"):
        table.add_column(name, justify="right")
    for h in a.case.hypotheses:
        actors = percent(a.actor_probabilities.get(h.id)) if a.actor_probabilities else "–"
        style = "bold" if h.id == a.leader else ""
        table.add_row(
            safe(h.id, style),
            safe(h.title, style),
            Text(percent(a.priors.get(h.id))),
            Text(percent(a.posterior.probabilities.get(h.id)), style=style),
            Text(actors),
        )
    return table


def _indicators(a: Assessment) -> Table:
    table = Table(title="Indicators", title_justify="left", show_edge=False)
    for name in ("Indicator", "State"):
        table.add_column(name)
    for name in ("Seen", "Negated", "Sources"):
        table.add_column(name, justify="right")
    table.add_column("Last seen")
    for i in a.indicators:
        table.add_row(
            safe(i.id),
            Text(i.state, style=_STATE_STYLE.get(i.state, "")),
            Text(str(i.seen)),
            Text(str(i.negated)),
            Text(str(i.sources)),
            Text(day(i.last_seen)),
        )
    return table


def _evidence(a: Assessment) -> Table:
    table = Table(
        title=f"Strongest evidence (top {TOP_EVIDENCE})", title_justify="left", show_edge=False
    )
    for name in ("Id", "Date", "Indicator", "Grade", "Weight"):
        table.add_column(name, no_wrap=True)
    table.add_column("Text", overflow="fold")
    for r in strongest(a.evidence, TOP_EVIDENCE):
        polarity = " (negated)" if r.polarity == "negated" else ""
        table.add_row(
            safe(r.id),
            Text(day(r.when)),
            safe((r.indicator or "hand-entered") + polarity),
            safe(
                grade(r.reliability, r.credibility)
                + (" uncorroborated" if r.uncorroborated else "")
            ),
            Text(number(r.weight, 2)),
            safe(short(r.text, 200)),
        )
    return table


def summary(a: Assessment) -> RenderableType:
    """Bottom line, hypotheses, indicator board and the strongest evidence."""
    parts: list[RenderableType] = [
        line(Text("Bottom line: ", style="bold"), a.case.question),
        safe(bottom_line(a)),
    ]
    if a.actor_probabilities:
        best = max(a.actor_probabilities, key=lambda h: a.actor_probabilities[h])
        share = percent(a.actor_probabilities[best])
        parts.append(safe(f"Actor model: {best} in {share} of runs.", style="dim"))
        vetoes = veto_text(a)
        if vetoes:
            parts.append(safe(vetoes, style="dim"))
    gap = gap_text(a)
    if gap:
        parts.append(safe(gap, style="yellow"))
    parts.append(safe(f"As of {as_of_text(a)}.", style="dim"))
    for note in (a.shelf_calibration, a.linking):
        if note:
            parts.append(safe(note, style="dim"))
    parts += [Text(), _hypotheses(a)]
    if a.indicators:
        parts += [Text(), _indicators(a)]
    if a.evidence:
        parts += [Text(), _evidence(a)]
    return Group(*parts)
