"""Every quality figure of tocsin in one run, side by side: the seeds, PolNeAR, unseen news.

Reproduce with ``./dev quality`` (or ``.venv/bin/python bench/quality.py``) from the
repository root, with the shared corpora beside the checkout. It runs each scoring script in
turn, as a subprocess on this interpreter (each writes its own results JSON and its own
section of docs/quality.md), stops at the first that fails, and then writes the section
"All figures of one run" at the top of docs/quality.md from the JSON files the run wrote:
the data each figure comes from, whether tocsin's rules were developed on it, and the
figure. ``--speed`` adds the extraction speed benchmark (about four minutes; run it on a quiet
machine). ``--summary`` only rewrites the section from the JSON files already there.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from eval_extraction import replace_section

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
QUALITY_DOC = ROOT / "docs" / "quality.md"
SECTION = "All figures of one run"
# Script, then its arguments: the order is cheapest first, so a broken setup fails fast.
SCRIPTS: tuple[tuple[str, ...], ...] = (
    ("eval_extraction.py",),
    ("eval_pasted.py",),
    ("eval_evidence.py",),
    ("eval_polnear.py", "--models", "sm", "md"),
    ("eval_unseen.py", "--before", "bench/results/unseen_before.json"),
    ("eval_events.py", "--before", "bench/results/events_before.json"),
    ("eval_figures.py",),
    ("eval_entities.py",),
    ("eval_russian.py",),
    ("eval_linking.py",),
)
SPEED = ("extract_speed.py", "--model", "sm", "--repeat", "3")


def run_scripts(scripts: Sequence[Sequence[str]]) -> None:
    """Each script in a subprocess, in order; the first failure stops the run."""
    for script, *args in scripts:
        print(f"== {script} {' '.join(args)}", file=sys.stderr, flush=True)
        done = subprocess.run([sys.executable, str(BENCH / script), *args], cwd=ROOT)
        if done.returncode:
            raise SystemExit(f"{script} failed with status {done.returncode}")


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text("utf-8")) if path.exists() else None


def _f(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def _get(data: dict[str, Any] | None, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _seed_rows(ev: dict[str, Any] | None) -> list[str]:
    sm = _get(ev, "models", "sm")
    tasks = _get(sm, "tasks") or {}
    quotes = _get(tasks, "quotes (all kinds)", "tocsin")
    return [
        "| the 5 seed articles (the rules were first written on them) | quotes F1, speaker right"
        f" | {_f(_get(quotes, 'f1'))}, {_f(_get(quotes, 'agreement'))} | | |",
        "| same | figures F1, dates F1, entity clusters B³"
        f" | {_f(_get(tasks, 'figures', 'tocsin', 'f1'))},"
        f" {_f(_get(tasks, 'dates', 'tocsin', 'f1'))},"
        f" {_f(_get(sm, 'entities', 'tocsin', 'f1'))} | | |",
    ]


def _split_row(label: str, what: str, cell: Any, data: dict[str, Any] | None) -> str:
    """A row with a tune and a check figure (``cell(part_data)`` formats one part)."""
    return f"| {label} | {what} | | {cell(_get(data, 'tune'))} | {cell(_get(data, 'check'))} |"


def _polnear_rows(pn: dict[str, Any] | None) -> list[str]:
    rows = []
    for system in ("tocsin", "textacy direct_quotations", "spaCy speech-verb baseline"):
        parts = _get(pn, "models", "sm", "systems", system)

        def cell(p: Any) -> str:
            return (
                f"{_f(_get(p, 'all', 'f1'))} / {_f(_get(p, 'direct', 'f1'))}"
                f" / {_f(_get(p, 'speaker_right'))}"
            )

        rows.append(
            _split_row(
                f"PolNeAR dev, 84 US political articles: {system}",
                "all attributions F1 / direct F1 / speaker right",
                cell,
                parts,
            )
        )
    return rows


def _unseen_rows(un: dict[str, Any] | None, evs: dict[str, Any] | None) -> list[str]:
    def quotes(p: Any) -> str:
        return f"{_f(_get(p, 'all', 'f1'))} / {_f(_get(p, 'all', 'agreement'))}"

    def events(p: Any) -> str:
        return (
            f"{_f(_get(p, 'category', 'precision'))} / {_f(_get(p, 'category', 'recall'))}"
            f" / {_f(_get(p, 'category and mode', 'precision'))}"
        )

    label = "unseen English news on the Belarus question (all 30 with gold)"
    return [
        _split_row(label, "quotes F1 / speaker right", quotes, _get(un, "parts")),
        _split_row(label, "event category P / R; category and mode P", events, _get(evs, "splits")),
    ]


def _russian_rows(ru: dict[str, Any] | None) -> list[str]:
    def cell(p: Any) -> str:
        t = _get(p, "tasks") or {}
        return (
            f"{_f(_get(t, 'quotes (all kinds)', 'f1'))} / "
            f"{_f(_get(t, 'quotes (all kinds)', 'agreement'))} / "
            f"{_f(_get(t, 'entity mentions', 'f1'))} / {_f(_get(t, 'dates', 'f1'))} / "
            f"{_f(_get(t, 'figures', 'f1'))}"
        )

    return [
        _split_row(
            "Russian news, 12 excerpts of our own gold",
            "quotes F1 / speaker right / entity mentions F1 / dates F1 / figures F1",
            cell,
            _get(ru, "results"),
        )
    ]


def _other_rows(pasted: Any, figures: Any, entities: Any, html: Any, linking: Any) -> list[str]:
    def paste(p: Any) -> str:
        return (
            f"{_f(_get(p, 'title'))} / {_f(_get(p, 'body_f1'))} / {_f(_get(p, 'date'))}"
            f" / {_f(_get(p, 'stated'))}"
        )

    g, c = _get(figures, "grouping"), _get(figures, "conflicts")
    return [
        _split_row(
            "24 pasted pages composed of our own sentences",
            "title / body F1 / date / stated-or-estimated right",
            paste,
            _get(pasted, "halves"),
        ),
        f"| 41 figures in our own sentences | grouping P / R; conflicts shown that are true"
        f" | {_f(_get(g, 'precision'))} / {_f(_get(g, 'recall'))};"
        f" {_get(c, 'true')} of {_get(c, 'shown')} | | |",
        f"| 91 real pages (article-extraction) | non-names among the top 50 names;"
        f" organisation pairs wrongly merged (10 texts of our gold)"
        f" | {_get(entities, 'bodies', 'not_names')}; {_get(entities, 'gold', 'merged')} | | |",
        f"| same | HTML main-text F1 (trafilatura beside it)"
        f" | {_f(_get(html, 'extractors', 'tocsin', 'f1'))}"
        f" ({_f(_get(html, 'extractors', 'trafilatura (plain)', 'f1'))}) | | |",
        f"| the seeds' 110 gold links | evidence linking F1 (P, R)"
        f" | {_f(_get(linking, 'systems', 'tocsin', 'f1'))}"
        f" ({_f(_get(linking, 'systems', 'tocsin', 'precision'))},"
        f" {_f(_get(linking, 'systems', 'tocsin', 'recall'))}) | | |",
    ]


def _speed_row(speed: dict[str, Any] | None) -> list[str]:
    sm = _get(speed, "models", "sm")
    return [
        f"| 96 texts, en_core_web_sm | extraction time / spaCy's `nlp.pipe` (same components),"
        f" in one process; with 2 workers | {_f(_get(sm, 'in_process', 'ratio_c_b'))};"
        f" {_f(_get(sm, 'cli', 'ratio'))} (measured {_get(sm, 'machine', 'date')}) | | |"
    ]


def summary(today: str) -> str:
    """The section, from the results files as they are now."""
    rows = [
        "| data | figure | all | tune | check |",
        "|---|---|---|---|---|",
        *_seed_rows(_load("evidence")),
        *_polnear_rows(_load("polnear")),
        *_unseen_rows(_load("unseen"), _load("events")),
        *_russian_rows(_load("russian")),
        *_other_rows(
            _load("pasted"), _load("figures"), _load("entities"), _load("extraction"),
            _load("linking"),
        ),
        *_speed_row(_load("extract_speed")),
    ]  # fmt: skip
    table = "\n".join(rows)
    return f"""## {SECTION}

Written on {today} by `bench/quality.py` (`./dev quality`) from the results of the scripts it
ran, in one run; each script's own section below gives its method, peers and details. *Tune* is
the part of a corpus the rules were developed on, *check* the part that was only scored, in
aggregate; a figure in the *all* column comes from data the rules were written on (the seeds) or
from a set with no split. The seeds' figures show only that behaviour there did not change.

{table}
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", action="store_true", help="also run the speed benchmark")
    parser.add_argument("--summary", action="store_true", help="only rewrite the summary")
    args = parser.parse_args(argv)
    if not args.summary:
        run_scripts([*SCRIPTS, *([SPEED] if args.speed else [])])
    section = summary(date.today().isoformat())
    doc = QUALITY_DOC.read_text("utf-8")
    heading = "## HTML extraction"
    if f"## {SECTION}\n" in doc:
        doc = replace_section(doc, section)
    else:  # first run: the summary goes first, before every script's own section
        doc = doc.replace(heading, section.rstrip("\n") + "\n\n" + heading, 1)
    QUALITY_DOC.write_text(doc, "utf-8")
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
