"""One cycle of the watcher: poll the due sources, ingest what is new, extract it, and
re-assess the cases it could touch.

Every step writes in its own short transactions and skips what an earlier step (or an
earlier, killed cycle) did: ingest skips stored items, extraction takes the articles not
yet extracted, relinking runs when a case's links are stale. So a cycle killed at any
point leaves a consistent store, and the next one finishes the work without doubling
anything. The cycle is recorded in ``watch_cycles``: 'running' while it works, 'done' or
'failed' after, and 'done' only once its bell has rung (``CycleOptions.on_assessed``). A
cycle that finds the one before it did not end 'done' (killed: still 'running', which it
marks failed "interrupted"; or stopped) re-assesses every case, since it cannot know which
the lost cycle had reached, from the case as it stood before the lost cycle's articles: so
the alerts it did not ring ring now.

``CycleResult.cases`` is the seam for alerts: for each case assessed, the assessment
before the cycle's new evidence (None if the case was never assessed) and after it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Collection, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from tocsin.assess.assessment import assess
from tocsin.assess.case import Case, parse_case
from tocsin.assess.relink import embedder_name, link_new, links_stale
from tocsin.config import Config
from tocsin.engine import Engine
from tocsin.errors import InvalidInput, TocsinError
from tocsin.extract.report import Options
from tocsin.extract.run import extract
from tocsin.ingest.pipeline import ingest
from tocsin.store import assessment as stored
from tocsin.store import watch as state
from tocsin.store.db import Store
from tocsin.store.desk import case_file, case_ids
from tocsin.store.evidence import unextracted
from tocsin.watch.expand import Clients, expand
from tocsin.watch.sources import Source
from tocsin.watch.urgent import urgent, watched_indicators

if TYPE_CHECKING:
    import httpx

    from tocsin.assess.embed import Embedder
    from tocsin.assess.score import Assessment

# How ingest marks an input that failed in an earlier run and was not tried again.
RECORDED_BEFORE = "(recorded before)"
MAX_REASON = 500  # characters of an error kept in the store
DUE_SLACK = 0.1  # a source is due this fraction of its interval early ...
MAX_SLACK = 60.0  # ... and at most this many seconds early


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class SourcePoll:
    """One due source's poll: how many inputs it gave, what ingest made of them."""

    name: str
    inputs: int = 0
    added: int = 0
    unchanged: int = 0
    failed: int = 0
    error: str | None = None  # the source could not be read at all
    note: str = ""
    next_due: datetime | None = None
    refused: list[tuple[str, str]] = field(default_factory=list)  # inputs failed anew

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "inputs": self.inputs,
            "added": self.added,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "error": self.error,
            "note": self.note,
            "next_due": self.next_due.isoformat() if self.next_due else None,
        }


@dataclass
class CycleResult:
    """What one cycle did. ``cases`` maps each case assessed to its assessment before the
    cycle's new evidence (None: never assessed) and after it: the alerts compare them."""

    cycle_id: int
    started_at: datetime
    finished_at: datetime | None = None
    polls: list[SourcePoll] = field(default_factory=list)
    new_articles: int = 0
    extracted: int = 0
    cases: dict[str, tuple[Assessment | None, Assessment]] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (what, why)
    recovered: bool = False  # the cycle before did not finish: every case re-assessed
    deferred: int = 0  # articles left unextracted for the next cycle (a source fell due)
    stage: str = "done"  # 'urgent' while the urgent articles' alerts are rung
    stopped: bool = False  # asked to stop before its last step

    @property
    def ok(self) -> bool:
        return not self.failures and not self.stopped

    def to_dict(self) -> dict[str, Any]:
        return {
            "cycle": self.cycle_id,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "sources": [p.to_dict() for p in self.polls],
            "new_articles": self.new_articles,
            "extracted": self.extracted,
            "cases": {
                case_id: {
                    "before": _leading(before),
                    "after": _leading(after),
                    "posterior": after.posterior.probabilities,
                }
                for case_id, (before, after) in self.cases.items()
            },
            "failures": [{"what": w, "reason": r} for w, r in self.failures],
            "recovered": self.recovered,
            "deferred": self.deferred,
            "stage": self.stage,
            "stopped": self.stopped,
        }


def _leading(a: Assessment | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {"leader": a.leader, "probability": a.posterior.probabilities.get(a.leader)}


@dataclass
class CycleOptions:
    """How a cycle works: the settings, the embedder for linking (None: patterns only),
    extraction's options, and ``transport`` for tests that stand in for the network."""

    config: Config = field(default_factory=Config.load)
    embedder: Embedder | None = None
    extract_options: Options = field(default_factory=Options)
    transport: httpx.BaseTransport | None = None
    clock: Callable[[], datetime] = utc_now
    engine: Engine | None = None  # where cleaning, extraction and linking run (None: here)
    # Each case's assessment at the end of the last cycle, and what it was scored from: the
    # next cycle's 'before' when nothing but new articles came since (``assess_case``).
    last: dict[str, Scored] = field(default_factory=dict)
    # Told of the cycle's result when the urgent articles' alerts can ring (``urgent``),
    # before the rest is extracted.
    on_stage: Callable[[CycleResult], None] | None = None
    # Told of the cycle's result once its cases are assessed, before the cycle is recorded
    # done: the bell rings there, so that a crash before it has rung leaves the cycle
    # unfinished, and the next one rings what it lost.
    on_assessed: Callable[[CycleResult], None] | None = None


@dataclass(frozen=True)
class Scored:
    """An assessment, the case file text it scored, and the store's marks it scored at
    (``store.assessment.marks``; the articles' part aside: new articles carry no link)."""

    assessment: Assessment
    case_text: str
    marks: stored.Marks

    def holds(self, store: Store, case: Case) -> bool:
        """Whether scoring ``case`` from the store now would give this assessment's
        evidence and probabilities: the same case file, links, decisions, other cases'
        forecasts and outcomes."""
        return self.case_text == case.text and _unlinked(stored.marks(store, case.id)) == (
            self.marks
        )


def _unlinked(marks: stored.Marks) -> stored.Marks:
    """The marks without the articles' part."""
    return replace(marks, articles=())


def due(sources: Sequence[Source], store: Store, now: datetime) -> list[Source]:
    """The sources to poll at ``now``: never polled, or due within their slack (a tenth of
    their interval, a minute at most), so that a timer firing a moment early, as timers
    do, does not leave a source for a whole interval more."""
    known = state.source_states(store)
    return [s for s in sources if _due_at(s, known.get(s.name), now) <= now]


def _due_at(source: Source, known: state.SourceState | None, now: datetime) -> datetime:
    """When ``source`` is next due, its slack taken off; ``now`` if never polled."""
    if known is None or known.next_due is None:
        return now
    slack = timedelta(seconds=min(source.every * DUE_SLACK, MAX_SLACK))
    return known.next_due - slack


def next_due(sources: Sequence[Source], store: Store, now: datetime) -> datetime | None:
    """When the next of ``sources`` is due (None: no sources)."""
    known = state.source_states(store)
    return min((_due_at(s, known.get(s.name), now) for s in sources), default=None)


def run_cycle(
    store: Store,
    sources: Sequence[Source],
    now: datetime,
    options: CycleOptions | None = None,
    *,
    stop: threading.Event | None = None,
    all_sources: bool = False,
    defer: bool = False,
) -> CycleResult:
    """Poll the sources due at ``now`` (every one with ``all_sources``), take what is new
    through ingest and extraction, and re-assess the cases it could touch. ``stop``, when
    set, ends the cycle after its current step (recorded 'failed', "stopped"). Bad input
    never raises: a source that cannot be read, an item that fails, a case that cannot be
    assessed are recorded in the result and the cycle goes on.

    The articles an alert rule waits for are read first and their alerts rung through
    ``options.on_stage`` (``urgent``). With ``defer`` (a watcher whose next cycle follows),
    extraction stops when a source falls due and the cycle ends with what it has: the next
    one polls first, then goes on with the rest."""
    options = options or CycleOptions()
    stop = stop or threading.Event()
    recovered = _previous_unfinished(store, now)
    result = CycleResult(state.start_cycle(store, now), now, recovered=recovered)
    try:
        _cycle(store, sources, now, options, stop, all_sources, result, defer)
        if options.on_assessed is not None:
            options.on_assessed(result)
    except BaseException as exc:  # recorded, then let through (Ctrl-C, a broken store)
        why = state.INTERRUPTED if isinstance(exc, KeyboardInterrupt) else _reason(exc)
        with suppress(sqlite3.Error, TocsinError):  # the store's own fault goes up, not this
            _finish(store, result, options, why)
        raise
    _finish(store, result, options, "stopped" if result.stopped else None)
    return result


def _finish(store: Store, result: CycleResult, options: CycleOptions, error: str | None) -> None:
    result.finished_at = options.clock()
    state.finish_cycle(
        store, result.cycle_id, result.finished_at, new_articles=result.new_articles,
        extracted=result.extracted, cases_assessed=len(result.cases), error=error,
    )  # fmt: skip


def _previous_unfinished(store: Store, now: datetime) -> bool:
    """Mark a killed cycle failed; True when the last cycle did not end 'done'."""
    state.fail_interrupted(store, now)
    last = state.cycles(store, limit=1)
    return bool(last) and last[0].status != "done"


def _cycle(
    store: Store,
    sources: Sequence[Source],
    now: datetime,
    options: CycleOptions,
    stop: threading.Event,
    all_sources: bool,
    result: CycleResult,
    defer: bool,
) -> None:
    touched: set[str] = set()
    every_case = case_ids(store)
    backlog = bool(unextracted(store))  # left by a cycle that yielded to a due source
    newest = stored.last_article(store)  # the articles above it are this cycle's
    clients = Clients(options.config, options.transport)
    try:
        for source in list(sources) if all_sources else due(sources, store, now):
            if stop.is_set():
                result.stopped = True
                return
            poll = _poll(store, source, now, options, clients)
            result.polls.append(poll)
            result.new_articles += poll.added
            if poll.error:
                result.failures.append((f"source {source.name}", poll.error))
            result.failures += [(f"input {what}", why) for what, why in poll.refused]
            if poll.added:
                touched.update(source.cases if source.cases is not None else every_case)
    finally:
        clients.close()
    if stop.is_set():
        result.stopped = True
        return
    if result.recovered or backlog:
        touched.update(every_case)
    cases = sorted(touched)
    # After an unfinished cycle, 'before' leaves out the articles it (or they) brought.
    since = state.unfinished_since(store) if result.recovered else None
    # The articles a rule waits for among this cycle's (a backlog was triaged when it came;
    # all of them after an unfinished cycle).
    fresh = [i for i in unextracted(store) if result.recovered or i > newest]
    first = urgent(store, _cases(store, cases), fresh)
    if first:
        _extract(store, options, result, only=first)
        _assess_cases(store, cases, options, stop, result, since, articles=first)
        if result.cases and options.on_stage is not None:
            options.on_stage(replace(result, stage="urgent", cases=dict(result.cases)))
    until = (lambda: bool(due(sources, store, options.clock()))) if defer else None
    _extract(store, options, result, until=until)
    _assess_cases(store, cases, options, stop, result, since)


def _extract(
    store: Store,
    options: CycleOptions,
    result: CycleResult,
    *,
    only: Collection[int] | None = None,
    until: Callable[[], bool] | None = None,
) -> None:
    """Extract the articles never tried (of ``only``; until ``until`` says so)."""
    extracted = extract(store, workers=options.config.worker_count,
                        options=options.extract_options, engine=options.engine, only=only,
                        until=until)  # fmt: skip
    result.extracted += extracted.processed
    if extracted.interrupted:
        raise KeyboardInterrupt
    result.failures += [(f"article {a}", why) for a, why in extracted.failed]
    if extracted.cut_short:
        result.deferred = len(unextracted(store))


def _poll(
    store: Store, source: Source, now: datetime, options: CycleOptions, clients: Clients
) -> SourcePoll:
    """Expand and ingest one source, and remember the poll; never raises for bad input."""
    before = state.source_state(store, source.name)
    poll = SourcePoll(source.name, next_due=now + timedelta(seconds=source.every))
    kept = before or state.SourceState(source.name, source.kind, source.locator)
    try:
        expansion = expand(source, before, clients)
    except (TocsinError, OSError, ValueError) as exc:
        poll.error = _reason(exc)
        state.save_poll(store, _polled(kept, source, now, poll, ok=False))
        return poll
    poll.inputs, poll.note = len(expansion.targets), expansion.note
    if expansion.targets:
        report = ingest(expansion.targets, store=store, config=options.config,
                        engine=options.engine)  # fmt: skip
        poll.added, poll.unchanged = report.added_count, report.unchanged
        poll.failed = len(report.failures)
        poll.refused = [
            (locator, f"{code}: {reason}")
            for locator, code, reason in report.failures
            if not reason.endswith(RECORDED_BEFORE)  # told in an earlier cycle
        ]
        if report.interrupted:
            raise KeyboardInterrupt
    remembered = state.SourceState(
        source.name, source.kind, source.locator, etag=expansion.etag,
        last_modified=expansion.last_modified, seen_until=expansion.seen_until,
    )  # fmt: skip
    state.save_poll(store, _polled(remembered, source, now, poll, ok=True))
    return poll


def _polled(
    kept: state.SourceState, source: Source, now: datetime, poll: SourcePoll, *, ok: bool
) -> state.SourceState:
    return state.SourceState(
        source.name, source.kind, source.locator, last_polled=now, next_due=poll.next_due,
        last_ok=now if ok else kept.last_ok, last_error=None if ok else poll.error,
        etag=kept.etag, last_modified=kept.last_modified, seen_until=kept.seen_until,
    )  # fmt: skip


def _assess_cases(
    store: Store,
    case_list: list[str],
    options: CycleOptions,
    stop: threading.Event,
    result: CycleResult,
    since: int | None,
    articles: Collection[int] | None = None,
) -> None:
    """Assess each case (``assess_case``, 'before' through article ``since`` when given);
    with ``articles``, the urgent ones only, for the cases whose rules watch an indicator."""
    for case_id in case_list:
        if stop.is_set():
            result.stopped = True
            return
        try:
            case = stored_case(store, case_id)
            if articles is not None and not watched_indicators(case):
                continue
            last = options.last.pop(case_id, None)
            done = assess_case(store, case, options.embedder, last, articles, options.engine, since)
            if done is not None:
                result.cases[case_id] = done
            elif last is not None:
                options.last[case_id] = last
        except (TocsinError, ValueError) as exc:
            if articles is None:  # the whole stage says it
                result.failures.append((f"case {case_id}", _reason(exc)))
    for case_id, (_, after) in result.cases.items():  # marked once every case recorded
        options.last[case_id] = Scored(
            after, after.case.text, _unlinked(stored.marks(store, case_id))
        )


def _cases(store: Store, case_list: Sequence[str]) -> list[Case]:
    """The cases of ``case_list`` the store keeps (one it cannot read is told later, by
    ``_assess_cases``)."""
    out = []
    for case_id in case_list:
        with suppress(TocsinError, ValueError):
            out.append(stored_case(store, case_id))
    return out


def stored_case(store: Store, case_id: str) -> Case:
    """The newest case file the store keeps for ``case_id``; InvalidInput if none."""
    version = case_file(store, case_id)
    if version is None:
        raise InvalidInput(
            f"no case '{case_id}' in the store: give its file with --case, or assess it once"
        )
    return parse_case(version.text, f"{case_id} (version {version.version} in the store)")


def assess_case(
    store: Store,
    case: Case,
    embedder: Embedder | None,
    last: Scored | None = None,
    articles: Collection[int] | None = None,
    engine: Engine | None = None,
    since: int | None = None,
) -> tuple[Assessment | None, Assessment] | None:
    """The case's assessment before the new evidence and after it (the new articles linked
    and added to the case's links when nothing else changed, ``relink.link_new``; relinked
    whole when the links are stale otherwise), its forecasts recorded as ``tocsin assess``
    records them.

    'Before' is scored from the links the case has now, made before the cycle's articles
    came (None when the case was never linked): the new articles carry no link yet, so it
    is the assessment the last cycle left, and that assessment itself (``last``) when it
    still holds (``Scored.holds``), which saves scoring the case twice a cycle. After
    cycles that did not finish, 'before' is the case as it stood when they began (``since``:
    the newest article then; ``store.watch.unfinished_since``), scored from the links it
    has now: what they linked, and may not have rung, is new again. Their alerts' keys
    repeat those of any they did ring, which the store drops.

    ``articles``: the urgent ones (``urgent``) only, linked ahead of the rest and assessed
    without recording; None when the links must be remade first (the whole stage does).
    Without, the new articles are linked as far as extraction went: one it has not reached
    (the cycle yielded to a due source) is linked by a later cycle, not relinked now."""
    if last is not None and last.holds(store, case):
        before: Assessment | None = last.assessment
    elif stored.link_state(store, case.id) is not None:
        before = assess(store, case, through=since)
    else:
        before = None
    if articles is not None:
        if link_new(store, case, embedder, articles, engine) is None:
            return None
        return before, assess(store, case)
    wanted = embedder_name(embedder) if embedder is not None else None
    relink = links_stale(store, case, wanted)
    if relink and link_new(store, case, embedder, engine=engine) is not None:
        # Only new articles made the links stale: theirs are added, the rest kept as made.
        relink = False
    after = assess(store, case, embedder=embedder, link=relink, record=True, engine=engine)
    return before, after


def _reason(exc: BaseException) -> str:
    return (str(exc) or type(exc).__name__)[:MAX_REASON]
