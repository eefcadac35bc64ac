"""``tocsin watch``: poll the sources of a sources file and keep the cases assessed."""

from __future__ import annotations

import json
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tocsin.commands.assess import embeddings_option, load_embedder, resolve_case
from tocsin.commands.common import (
    EXIT_FAILED_INPUTS,
    EXIT_INTERRUPTED,
    allow_option,
    db_option,
    engine_option,
    json_option,
    open_store,
    ray_address_option,
    show,
    with_allowed,
    workers_option,
)
from tocsin.config import Config
from tocsin.engine import make_engine
from tocsin.report import terminal

if TYPE_CHECKING:
    from tocsin.watch.cycle import CycleResult
    from tocsin.watch.ring import Rung


def summary(result: CycleResult) -> str:
    """One line about a cycle: what it polled, stored, extracted and assessed."""
    polled = len(result.polls)
    urgent = " (urgent articles first)" if result.stage == "urgent" else ""
    parts = [
        f"cycle {result.cycle_id}{urgent}: {polled} source{'s' * (polled != 1)} polled",
        f"{result.new_articles} new article{'s' * (result.new_articles != 1)}",
        f"{result.extracted} extracted",
    ]
    for case_id, (before, after) in result.cases.items():
        then = (
            f"{before.leader} {before.posterior.probabilities[before.leader]:.0%}"
            if before
            else "-"
        )
        now = f"{after.leader} {after.posterior.probabilities[after.leader]:.0%}"
        parts.append(f"{case_id}: {then} -> {now}")
    if result.failures:
        parts.append(
            f"{len(result.failures)} failed ({result.failures[0][0]}: {result.failures[0][1]})"
        )
    if result.recovered:
        parts.append("the last cycle was interrupted: every case re-assessed")
    if result.deferred:
        parts.append(f"{result.deferred} left for the next cycle (a source fell due)")
    if result.stopped:
        parts.append("stopped")
    return "; ".join(parts)


def alerts_summary(rung: Rung) -> str:
    """What a cycle's alerting did, in a few words."""
    said = f"{rung.new} new alert{'s' * (rung.new != 1)}"
    if rung.held:
        said += f" ({rung.held} held back by their rule's rate)"
    for name, count in sorted(rung.sent.items()):
        said += f"; {count} sent by {name}"
    for name, count in sorted(rung.failed.items()):
        said += f"; {count} failed on {name}"
    return said


@click.command("watch")
@click.option(
    "--sources",
    "sources_file",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The sources file (YAML; docs/watch.md).",
)
@db_option
@click.option("--once", is_flag=True, help="Run one cycle (the due sources) and exit: for cron.")
@click.option(
    "--cycles",
    type=click.IntRange(1, 1_000_000),
    default=None,
    help="Stop after this many cycles.",
)
@click.option(
    "--case",
    "case_refs",
    multiple=True,
    metavar="CASE",
    help="A case file (or bundled case) to keep in the store and watch; repeatable.",
)
@click.option(
    "--briefs",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write each touched case's 'what changed' brief (Markdown) into this folder.",
)
@allow_option
@embeddings_option
@workers_option
@engine_option
@ray_address_option
@json_option
def watch_cli(
    sources_file: Path,
    db: Path,
    once: bool,
    cycles: int | None,
    case_refs: tuple[str, ...],
    briefs: Path | None,
    allow_address: tuple[str, ...],
    embeddings: bool,
    workers: int | None,
    engine: str,
    ray_address: str | None,
    as_json: bool,
) -> None:
    """Poll the sources as they fall due; take what is new through ingest, extraction,
    linking and assessment for the cases it touches. One line per cycle (JSON with --json).
    SIGTERM stops it after the current step; Ctrl-C at once (what was done is kept)."""
    from tocsin.store.desk import save_case_file
    from tocsin.watch.channels import parse_channels
    from tocsin.watch.cycle import CycleOptions
    from tocsin.watch.loop import one_watcher, watch
    from tocsin.watch.ring import ring
    from tocsin.watch.sources import load_sources

    if once and cycles is not None:
        raise click.UsageError("--once is one cycle: give --once or --cycles, not both")
    sources = load_sources(sources_file)
    cases = [resolve_case(ref) for ref in case_refs]
    config = with_allowed(Config.load(workers=workers), allow_address)
    channels = parse_channels(sources.channels, base_dir=sources_file.parent)
    runner = make_engine(engine, config.worker_count, ray_address)
    failed = False
    rungs: dict[int, Rung] = {}  # by cycle: rung before the cycle is recorded done

    def on_assessed(result: CycleResult) -> None:
        rungs[result.cycle_id] = ring(store, result.cases, channels, datetime.now(UTC), briefs)

    def on_cycle(result: CycleResult) -> None:
        nonlocal failed
        if result.stage == "done":
            failed = failed or bool(result.failures)  # a stop asked for is no failure
            rung = rungs.pop(result.cycle_id)
        else:  # the urgent stage
            rung = ring(store, result.cases, channels, datetime.now(UTC), briefs)
        if as_json:
            line = result.to_dict() | {"alerts": rung.to_dict()}
            click.echo(json.dumps(line, ensure_ascii=False, default=str))
        else:
            show(terminal.safe(f"{summary(result)}; {alerts_summary(rung)}"))

    options = CycleOptions(config=config, embedder=load_embedder(embeddings), engine=runner,
                           on_stage=on_cycle, on_assessed=on_assessed)  # fmt: skip
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda _n, _f: stop.set())
    try:
        with runner, open_store(db, create=True) as store, one_watcher(db):
            for case in cases:
                save_case_file(store, case.id, case.text, origin=case.origin or "case file")
            watch(
                store, sources.sources, options, cycles=1 if once else cycles, stop=stop,
                on_cycle=on_cycle,
            )  # fmt: skip
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)
    if once and failed:
        sys.exit(EXIT_FAILED_INPUTS)
