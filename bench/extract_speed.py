"""Extraction speed: tocsin's evidence extraction beside spaCy's own ``nlp.pipe`` on the same texts.

The target (from the issue): extraction costs at most 25% more time than spaCy's ``nlp.pipe``
with the same model and the same components on the same texts. Reproduce from the repository
root (the corpus must sit beside the checkout):

    .venv/bin/python bench/extract_speed.py               # en_core_web_sm
    .venv/bin/python bench/extract_speed.py --model md    # en_core_web_md, shown beside sm
    .venv/bin/python bench/extract_speed.py --render      # rewrite the docs from the JSON

The texts are every non-empty articleBody of the 91-page article-extraction benchmark and the
clean texts of the five bundled demo articles. In one process, ``--repeat`` runs (the median is
reported, every run is kept in the JSON), each on pipelines loaded afresh and warmed up on the
first batch:

(a) spaCy alone: ``spacy.load`` of the bare model, ``list(nlp.pipe(batch, batch_size=16))``;
(b) the same with tocsin's components: ``pipeline(model)[0]``, the model and its gazetteer;
(c) tocsin's extraction: ``analyse(doc, aliases, anchor)`` on each Doc of tocsin's pipeline as
    it comes, as a worker does.

(a), (b) and (c) take turns batch by batch of 16 texts (rotating), so that the machine's drift
in speed over minutes falls on all three alike; each figure is the sum over the batches. The
rule functions are then timed one by one on (b)'s Docs, to show where c - b goes.

(d) end to end: the texts are ingested as .txt files into a database, then the wall time of
``tocsin extract --workers 2`` in a subprocess is set beside a subprocess running spaCy's
``nlp.pipe(n_process=2, batch_size=16)`` with the same components over the same stored texts
(both include interpreter start-up and model loading).

It prints the figures and writes bench/results/extract_speed.json (results keyed by model: a
run replaces only its own model's entry) and the "Extraction speed" section of
docs/benchmarks.md (other sections are kept). It is a benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from datetime import date
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from eval_extraction import CORPUS, ROOT, replace_section
from ingest_speed import cli_command, machine
from tocsin.config import Config
from tocsin.demo import run_demo
from tocsin.extract import aliases, names
from tocsin.extract.aliases import AliasTable
from tocsin.extract.article import analyse, pipeline
from tocsin.extract.claims import extract_claims
from tocsin.extract.entities import find_mentions
from tocsin.extract.events import extract_events
from tocsin.extract.nlp import load_model, model_location
from tocsin.extract.quantities import find_quantities
from tocsin.extract.quotes import extract_quotes
from tocsin.extract.timex import resolve_dates
from tocsin.models.evidence import Evidence

RESULTS = ROOT / "bench" / "results" / "extract_speed.json"
DOC = ROOT / "docs" / "benchmarks.md"
COMMAND = ".venv/bin/python bench/extract_speed.py"
HEADING = "## Extraction speed"
BATCH = 16  # nlp.pipe batch size, as tocsin's workers use (tocsin.extract.run.BATCH)
WORKERS = 2
ANCHOR = date(2022, 10, 12)
TARGET_RATIO = 1.25
MODEL_ORDER = ("sm", "md")
# In the order ``analyse`` calls them; each is timed on its own in ``time_rules``.
RULES = (
    "find_mentions",
    "extract_quotes",
    "resolve_dates",
    "extract_claims",
    "find_quantities",
    "extract_events",
)
T = TypeVar("T")

# spaCy's own multi-process pipe over the stored texts: the baseline of the CLI run (d).
SPACY_HELPER = """\
import sqlite3
import sys
from contextlib import closing

from tocsin.extract.article import pipeline


def main() -> None:
    db, model, workers, batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    nlp = pipeline(model)[0]
    with closing(sqlite3.connect(db)) as conn:
        texts = [t for (t,) in conn.execute("SELECT text FROM articles ORDER BY id")]
    print(sum(1 for _ in nlp.pipe(texts, n_process=workers, batch_size=batch)))


if __name__ == "__main__":
    main()
"""


def demo_texts() -> list[str]:
    """The clean texts of the bundled demo articles, as ingest stores them."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        run_demo(db, Config.load(workers=1))  # five articles: no worker pool needed
        with closing(sqlite3.connect(db)) as conn:
            return [t for (t,) in conn.execute("SELECT text FROM articles ORDER BY id")]


def load_texts(corpus: Path) -> tuple[list[str], dict[str, int]]:
    """The benchmark's article bodies then the demo texts, and how many came from each."""
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    bodies = [e["articleBody"] for e in truth.values() if (e.get("articleBody") or "").strip()]
    demo = demo_texts()
    return [*bodies, *demo], {"benchmark": len(bodies), "demo": len(demo)}


def count_words(texts: Sequence[str]) -> int:
    """Whitespace-separated words: a measure independent of any tokenizer."""
    return sum(len(t.split()) for t in texts)


def timed(fn: Callable[..., T], *args: Any) -> tuple[T, float, float]:
    """``fn(*args)``, its wall seconds and this process's CPU seconds; garbage collected first.

    CPU time beside wall time tells a run that waited (for a core, for I/O) from one that
    computed more slowly: on a shared virtual machine one run's time varies by several percent.
    """
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    value = fn(*args)
    return value, time.perf_counter() - started, time.process_time() - cpu


def clear_name_caches() -> None:
    """Empty the rules' per-name memo caches, so every timed run starts as cold as a worker."""
    for fn in (names.normalise, names.name_key, aliases.same_referent):
        fn.cache_clear()


def fresh_pipeline(model: str) -> tuple[Language, AliasTable]:
    """``pipeline(model)`` built anew (its cache and the model's cleared), like a new worker's."""
    pipeline.cache_clear()
    load_model.cache_clear()
    return pipeline(model)


def spacy_pipe(nlp: Language, texts: Sequence[str]) -> list[Doc]:
    return list(nlp.pipe(texts, batch_size=BATCH))


def extract_all(nlp: Language, aliases: AliasTable, texts: Sequence[str]) -> list[Evidence]:
    """What a worker does: ``nlp.pipe`` over the texts, ``analyse`` on each Doc as it comes."""
    return [analyse(doc, aliases, ANCHOR) for doc in nlp.pipe(texts, batch_size=BATCH)]


def time_rules(docs: Sequence[Doc], aliases: AliasTable) -> dict[str, float]:
    """Seconds spent in each rule function over ``docs``, called as ``analyse`` calls them."""
    spent = dict.fromkeys(RULES, 0.0)
    clock = time.perf_counter
    for doc in docs:
        stamps = [clock()]
        mentions = find_mentions(doc, aliases)
        stamps.append(clock())
        quotes = extract_quotes(doc, mentions)
        stamps.append(clock())
        dates = resolve_dates(doc, ANCHOR)
        stamps.append(clock())
        extract_claims(doc, quotes, mentions)
        stamps.append(clock())
        find_quantities(doc)
        stamps.append(clock())
        extract_events(doc, mentions, quotes, dates)
        stamps.append(clock())
        for name, start, end in zip(RULES, stamps, stamps[1:], strict=False):
            spent[name] += end - start
    return spent


def in_process_round(model: str, texts: Sequence[str], number: int) -> dict[str, Any]:
    """One run of (a), (b) and (c) over every text, then the rule functions on (b)'s Docs.

    (a), (b) and (c) take turns batch by batch (16 texts, a worker's task), in an order that
    rotates, each on its own freshly loaded pipeline. This machine's speed drifts by several
    percent over minutes, as much as the rules cost: whole passes half a minute apart would
    each catch the drift differently, turns of a few seconds catch it alike.
    """
    bare, load, _ = timed(spacy.load, model_location(model))
    nlp_b, _ = fresh_pipeline(model)
    nlp_c, aliases = fresh_pipeline(model)
    steps: dict[str, Callable[[Sequence[str]], list[Any]]] = {
        "a": partial(spacy_pipe, bare),
        "b": partial(spacy_pipe, nlp_b),
        "c": partial(extract_all, nlp_c, aliases),
    }
    for step in steps.values():  # warm-up, untimed
        step(texts[:BATCH])
    clear_name_caches()
    wall, cpu = dict.fromkeys(steps, 0.0), dict.fromkeys(steps, 0.0)
    docs: list[Doc] = []
    for k, start in enumerate(range(0, len(texts), BATCH)):
        shift = (number + k) % len(steps)
        for name in [*steps][shift:] + [*steps][:shift]:
            out, seconds, cpu_seconds = timed(steps[name], texts[start : start + BATCH])
            wall[name] += seconds
            cpu[name] += cpu_seconds
            if name == "b":
                docs.extend(out)
    clear_name_caches()
    gc.collect()
    return {
        **wall,
        **{f"{name}_cpu": seconds for name, seconds in cpu.items()},
        "load": load,
        "rules": time_rules(docs, aliases),
        "components": list(bare.pipe_names),
    }


def write_txt(texts: Sequence[str], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for number, text in enumerate(texts):
        (folder / f"text{number:03d}.txt").write_text(text, encoding="utf-8")


def run(argv: Sequence[str]) -> tuple[subprocess.CompletedProcess[bytes], float]:
    """A subprocess and its wall seconds; a failure stops the benchmark with its stderr."""
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, check=False, cwd=ROOT)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{argv[:3]} exited {done.returncode}: {done.stderr.decode()[-2000:]}")
    return done, wall


def copy_db(source: Path, target: Path) -> None:
    """A consistent copy of an SQLite database (WAL included), via SQLite's backup API."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def cli_rounds(model: str, texts: Sequence[str], repeat: int) -> dict[str, Any]:
    """(d): ``tocsin extract`` and spaCy's multi-process pipe in subprocesses, wall time."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        write_txt(texts, base / "texts")
        stored = base / "stored.db"
        argv = [*cli_command(), "ingest", str(base / "texts"), "--db", str(stored)]
        ingested, _ = run([*argv, "--no-extract", "-q", "--json", "--workers", str(WORKERS)])
        with closing(sqlite3.connect(stored)) as conn:
            rows = conn.execute("SELECT text, published FROM articles ORDER BY id").fetchall()
        helper = base / "spacy_pipe.py"
        helper.write_text(SPACY_HELPER, encoding="utf-8")
        extract_s, spacy_s, internal_s, report = [], [], [], {}
        for _ in range(repeat):
            db = base / "run.db"
            copy_db(stored, db)
            extract_argv = [*cli_command(), "extract", "--db", str(db), "-q", "--json"]
            done, wall = run([*extract_argv, "--workers", str(WORKERS), "--model", model])
            report = json.loads(done.stdout)
            extract_s.append(wall)
            internal_s.append(report["seconds"])
            helper_argv = [sys.executable, str(helper), str(stored), model, str(WORKERS)]
            done, wall = run([*helper_argv, str(BATCH)])
            spacy_s.append(wall)
            if int(done.stdout) != len(rows):
                raise RuntimeError(f"spaCy returned {done.stdout!r} Docs for {len(rows)} texts")
    words = count_words([text for text, _ in rows])
    extract, baseline = summary(extract_s, words), summary(spacy_s, words)
    return {
        "workers": WORKERS,
        "ingest_report": {k: json.loads(ingested.stdout)[k] for k in ("added", "failed")},
        "articles": len(rows),
        "dated_articles": sum(1 for _, published in rows if published),
        "words": words,
        "extract": extract,
        "extract_internal_seconds": [round(s, 3) for s in internal_s],
        "spacy": baseline,
        "ratio": round(extract["median_seconds"] / baseline["median_seconds"], 3),
        "processed": report["processed"],
        "failed": len(report["failed"]),
        "counts": report["counts"],
    }


def summary(
    seconds: Sequence[float], words: int, cpu: Sequence[float] | None = None
) -> dict[str, Any]:
    """Every run's seconds, their median and the words per second at the median (and CPU)."""
    median = statistics.median(seconds)
    out: dict[str, Any] = {
        "runs_seconds": [round(s, 3) for s in seconds],
        "median_seconds": round(median, 3),
        "words_per_second": round(words / median) if median and words else None,
    }
    if cpu is not None:
        out["runs_cpu_seconds"] = [round(s, 3) for s in cpu]
        out["median_cpu_seconds"] = round(statistics.median(cpu), 3)
    return out


def derived(p: dict[str, Any]) -> dict[str, Any]:
    """The ratios of an "in_process" result, from its runs (so --render recomputes them)."""
    a, b, c = (
        p[k]["runs_seconds"]
        for k in ("a_spacy_bare", "b_spacy_tocsin_components", "c_tocsin_extraction")
    )
    rules = p["rules_total"]["runs_seconds"]
    med = statistics.median
    per_run = [x / y for x, y in zip(c, b, strict=True)]
    summed = [(y + r) / y for y, r in zip(b, rules, strict=True)]
    cpu_b = med(p["b_spacy_tocsin_components"]["runs_cpu_seconds"])
    cpu_c = med(p["c_tocsin_extraction"]["runs_cpu_seconds"])
    return {
        "c_minus_b_seconds": round(med(c) - med(b), 3),
        "ratio_c_b": round(med(c) / med(b), 3),
        "ratio_c_b_per_run": [round(x, 3) for x in per_run],
        "ratio_c_b_median_of_runs": round(med(per_run), 3),
        "ratio_c_b_cpu": round(cpu_c / cpu_b, 3),
        "ratio_b_plus_rules_b_per_run": [round(x, 3) for x in summed],
        "ratio_b_plus_rules_b": round(med(summed), 3),
        "ratio_c_a": round(med(c) / med(a), 3),
    }


def measure(model: str, corpus: Path, repeat: int) -> dict[str, Any]:
    """Every figure of one model, in one process (and the subprocesses of (d))."""
    load_average = os.getloadavg()[0]
    texts, sources = load_texts(corpus)
    words = count_words(texts)
    rounds = []
    for number in range(repeat):
        rounds.append(in_process_round(model, texts, number))
        r = rounds[-1]
        print(
            f"{model} run {number + 1}/{repeat}: a {r['a']:.2f} s, "
            f"b {r['b']:.2f} s, c {r['c']:.2f} s, rules {sum(r['rules'].values()):.2f} s",
            flush=True,
        )
    a, b, c = (
        summary([r[k] for r in rounds], words, [r[f"{k}_cpu"] for r in rounds])
        for k in ("a", "b", "c")
    )
    rule_runs = {name: [r["rules"][name] for r in rounds] for name in RULES}
    rules = {name: summary(runs, words) for name, runs in rule_runs.items()}
    rules_total = summary([sum(r["rules"].values()) for r in rounds], words)
    cli = cli_rounds(model, texts, repeat)
    print(
        f"{model} (d): tocsin extract {cli['extract']['runs_seconds']} s, "
        f"spaCy {cli['spacy']['runs_seconds']} s"
    )
    nlp, _ = pipeline(model)
    in_process: dict[str, Any] = {
        "load_bare_model": summary([r["load"] for r in rounds], 0),
        "a_spacy_bare": a,
        "b_spacy_tocsin_components": b,
        "c_tocsin_extraction": c,
        "rules": rules,
        "rules_total": rules_total,
    }
    in_process.update(derived(in_process))
    return {
        "machine": machine(),
        "load_average_before": round(load_average, 2),
        "spacy": version("spacy"),
        "model": {
            "name": f"{nlp.meta['lang']}_{nlp.meta['name']}",
            "version": nlp.meta["version"],
            "location": str(model_location(model)),
        },
        "components": {
            "bare": rounds[0]["components"],
            "tocsin": list(nlp.pipe_names),
        },
        "texts": {**sources, "count": len(texts), "words": words},
        "repeat": repeat,
        "batch_size": BATCH,
        "anchor": ANCHOR.isoformat(),
        "in_process": in_process,
        "cli": cli,
    }


def ordered(results: dict[str, Any]) -> list[str]:
    """The models measured, sm before md."""
    return sorted(results, key=lambda m: (MODEL_ORDER.index(m) if m in MODEL_ORDER else 99, m))


def _row(label: str, cells: Sequence[str]) -> str:
    return f"| {label} | {' | '.join(cells)} |"


def _header(first: str, models: Sequence[str], columns: Sequence[str]) -> list[str]:
    names = [f"{m}: {c}" for m in models for c in columns]
    return [_row(first, names), "|---|" + "---:|" * len(names)]


def _timing(entry: dict[str, Any]) -> list[str]:
    return [f"{entry['median_seconds']:.2f}", f"{entry['words_per_second']:,}"]


def format_in_process(results: dict[str, Any]) -> str:
    """(a), (b), (c) and the ratios, one group of columns per model."""
    models = ordered(results)
    runs = {m: results[m]["in_process"] for m in models}
    lines = _header("in one process (medians)", models, ("seconds", "words/s", "CPU s"))
    for label, key in (
        ("(a) spaCy `nlp.pipe`, bare model", "a_spacy_bare"),
        ("(b) spaCy `nlp.pipe`, model + tocsin's gazetteer", "b_spacy_tocsin_components"),
        ("(c) tocsin extraction: (b) + `analyse()` per Doc", "c_tocsin_extraction"),
        ("rule functions alone, timed one by one on (b)'s Docs", "rules_total"),
    ):
        cells = []
        for m in models:
            entry = runs[m][key]
            cpu = entry.get("median_cpu_seconds")
            cells += [*_timing(entry), "" if cpu is None else f"{cpu:.2f}"]
        lines.append(_row(label, cells))
    for label, key, digits in (
        (f"**c / b**, ratio of the medians (target ≤ {TARGET_RATIO:.2f})", "ratio_c_b", 3),
        ("c / b, median of each run's own c / b", "ratio_c_b_median_of_runs", 3),
        ("c / b in CPU time, ratio of the medians", "ratio_c_b_cpu", 3),
        ("c − b, seconds (medians)", "c_minus_b_seconds", 2),
        ("(b + rules alone) / b, for comparison with c / b", "ratio_b_plus_rules_b", 3),
        ("c / a", "ratio_c_a", 3),
        ("loading the bare model (`spacy.load`, not in (a)), seconds", "load_bare_model", 2),
    ):
        cells = []
        for m in models:
            value = runs[m][key]
            value = value["median_seconds"] if isinstance(value, dict) else value
            cells += [f"{value:.{digits}f}", "", ""]
        lines.append(_row(label, cells))
    return "\n".join(lines)


def format_runs(results: dict[str, Any]) -> str:
    """Every in-process run, to show how much one run's time varies."""
    lines = [
        "| model | run | (a) s | (b) s | (c) s | rules alone s | c / b "
        "| (a) CPU s | (b) CPU s | (c) CPU s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in ordered(results):
        r = results[m]["in_process"]
        a, b, c = r["a_spacy_bare"], r["b_spacy_tocsin_components"], r["c_tocsin_extraction"]
        for i in range(len(b["runs_seconds"])):
            cells = [
                m,
                str(i + 1),
                *(f"{x['runs_seconds'][i]:.2f}" for x in (a, b, c)),
                f"{r['rules_total']['runs_seconds'][i]:.2f}",
                f"{r['ratio_c_b_per_run'][i]:.3f}",
                *(f"{x['runs_cpu_seconds'][i]:.2f}" for x in (a, b, c)),
            ]
            lines.append(f"| {' | '.join(cells)} |")
    return "\n".join(lines)


def format_rules(results: dict[str, Any]) -> str:
    """Milliseconds per article and share of the rules' time of each rule function."""
    models = ordered(results)
    lines = _header("rule function", models, ("ms per article", "share"))
    per_model = {}
    for m in models:
        rules, count = results[m]["in_process"]["rules"], results[m]["texts"]["count"]
        total = sum(r["median_seconds"] for r in rules.values()) or 1.0
        per_model[m] = {
            name: (r["median_seconds"] / count * 1000, r["median_seconds"] / total)
            for name, r in rules.items()
        }
    for name in RULES:
        cells = []
        for m in models:
            ms, share = per_model[m].get(name, (0.0, 0.0))
            cells += [f"{ms:.1f}", f"{share:.0%}"]
        lines.append(_row(f"`{name}`", cells))
    totals = []
    for m in models:
        seconds = results[m]["in_process"]["rules_total"]["median_seconds"]
        totals += [f"{seconds / results[m]['texts']['count'] * 1000:.1f}", ""]
    lines.append(_row("all six (median of the runs' totals)", totals))
    return "\n".join(lines)


def format_cli(results: dict[str, Any]) -> str:
    """(d): the CLI beside spaCy's multi-process pipe, one pair of columns per model."""
    models = ordered(results)
    cli = {m: results[m]["cli"] for m in models}
    lines = _header(f"subprocess, {WORKERS} workers, wall time", models, ("seconds", "words/s"))
    lines.append(
        _row(
            f"`tocsin extract --workers {WORKERS}`",
            [cell for m in models for cell in _timing(cli[m]["extract"])],
        )
    )
    lines.append(
        _row(
            f"spaCy `nlp.pipe(n_process={WORKERS})`, same components",
            [cell for m in models for cell in _timing(cli[m]["spacy"])],
        )
    )
    lines.append(
        _row(
            "**tocsin / spaCy**", [cell for m in models for cell in (f"{cli[m]['ratio']:.3f}", "")]
        )
    )
    inner = [
        cell
        for m in models
        for cell in (f"{statistics.median(cli[m]['extract_internal_seconds']):.2f}", "")
    ]
    lines.append(_row("`tocsin extract`'s own timer (after start-up)", inner))
    return "\n".join(lines)


def verdict(results: dict[str, Any]) -> str:
    """One line per model: c / b, the target met or not, and the CLI's ratio."""
    lines = []
    for m in ordered(results):
        r = results[m]["in_process"]
        ratio = r["ratio_c_b"]
        met = "met" if ratio <= TARGET_RATIO else "NOT met"
        lines.append(
            f"- {m}: extraction takes {ratio:.2f}× the time of spaCy's `nlp.pipe` with the same "
            f"model and components (median of the runs' own ratios "
            f"{r['ratio_c_b_median_of_runs']:.2f}×), target ≤ {TARGET_RATIO:.2f}×: {met}. End to "
            f"end with {WORKERS} workers, `tocsin extract` takes "
            f"{results[m]['cli']['ratio']:.2f}× spaCy's multi-process pipe."
        )
    return "\n".join(lines)


def spread_note(results: dict[str, Any]) -> str:
    """How much (b)'s wall time varied over the runs, beside what the rules cost."""
    parts, waited = [], 0.0
    for m in ordered(results):
        r = results[m]["in_process"]
        b = r["b_spacy_tocsin_components"]
        spread = (max(b["runs_seconds"]) - min(b["runs_seconds"])) / b["median_seconds"]
        rules = r["rules_total"]["median_seconds"] / b["median_seconds"]
        if len(b["runs_seconds"]) > 1:  # one run has no spread
            parts.append(
                f"for {m}, (b)'s slowest and fastest runs are {spread:.0%} of its median apart, "
                f"while the rules cost {rules:.0%} of (b)"
            )
        for key in ("a_spacy_bare", "b_spacy_tocsin_components", "c_tocsin_extraction"):
            walls, cpus = r[key]["runs_seconds"], r[key]["runs_cpu_seconds"]
            waited = max(waited, *((w - c) / w for w, c in zip(walls, cpus, strict=True)))
    note = "; ".join(parts).capitalize() + "." if parts else ""
    if waited < 0.03:
        note += (
            f" CPU time stays within {waited:.1%} of wall time in every run: the runs did not "
            "wait for a core, the machine computed at different speeds."
        )
    return note.strip()


def _measured(m: str, r: dict[str, Any]) -> str:
    mach, runs = r["machine"], "1 run" if r["repeat"] == 1 else f"{r['repeat']} runs"
    return (
        f"- {m}: {r['model']['name']} {r['model']['version']}, spaCy {r['spacy']}, "
        f"{runs} of each measurement; measured on {mach['date']}: {mach['nproc']} "
        f"CPUs ({mach['cpu']}), Python {mach['python']}, load average "
        f"{r['load_average_before']:.2f} before the run; pipeline "
        f"{', '.join(r['components']['tocsin'])}."
    )


def extract_section(results: dict[str, Any]) -> str:
    """The "Extraction speed" section of docs/benchmarks.md, every measured model side by side."""
    models = ordered(results)
    first = results[models[0]]
    t, more = first["texts"], f"{TARGET_RATIO - 1:.0%}"
    n, n_bench, n_demo, words = t["count"], t["benchmark"], t["demo"], f"{t['words']:,}"
    cli = first["cli"]
    counts = "; ".join(
        f"{m}: " + ", ".join(f"{v:,} {k}" for k, v in results[m]["cli"]["counts"].items())
        for m in models
    )
    commands = "\n".join(f"{COMMAND} --model {m} --repeat {results[m]['repeat']}" for m in models)
    return f"""{HEADING}

The target: extraction costs at most {more} more time than spaCy's own `nlp.pipe` with
the same model and the same components on the same texts. Each model's figures come from its
own run:

{chr(10).join(_measured(m, results[m]) for m in models)}

Reproduce from the repository root (the corpus must sit beside the checkout; each run replaces
only its own model's figures):

```sh
{commands}
```

The texts: {n}, the {n_bench} non-empty article bodies of the article-extraction benchmark
and the clean texts of the {n_demo} bundled demo articles, {words} words (whitespace-separated;
words/s counts these). The tables show the median of each measurement's runs (every run is in
`bench/results/extract_speed.json`). In one process, each run loads three pipelines afresh,
one each for (a), (b) and (c), and warms them up, untimed, on the first batch of {BATCH} texts;
the rules' per-name caches are then emptied, so they start as cold as a new worker's. The three
then take turns, batch by batch of {BATCH} texts (a worker's task), in an order rotating from
batch to batch; each figure is the sum over the batches. The anchor date is {first["anchor"]}.

- (a) `spacy.load` of the bare model, then `list(nlp.pipe(batch, batch_size={BATCH}))`.
- (b) the same with tocsin's pipeline, `pipeline(model)[0]`: the model with tocsin's gazetteer
  (an EntityRuler) before `ner` — the same model and the same components.
- (c) tocsin's extraction as a worker runs it: (b)'s `nlp.pipe` with `analyse(doc, aliases,
  anchor)` on each Doc as it comes (mentions, quotes, dates, claims, figures, events).

{format_in_process(results)}

{verdict(results)}

(a), (b) and (c) take turns batch by batch, because this machine's speed drifts by several
percent over minutes, as much as the rules cost, and whole passes half a minute apart caught
it differently (an earlier version of this benchmark, timing whole passes, found c / b between
1.04 and 1.28 within one run on 2026-11-28). {spread_note(results)} Every run:

{format_runs(results)}

### Where the rules' time goes

Each rule function timed on its own over (b)'s Docs after the turns, the per-name caches
emptied again, called in the order and with the arguments `analyse` uses; whichever first asks
for a Doc's sentences pays for finding them (they are then cached in the Doc).

{format_rules(results)}

### End to end, {WORKERS} workers

The texts written as .txt files and stored with
`tocsin ingest DIR --db X --no-extract -q --workers {WORKERS}`: {cli["articles"]} articles,
{cli["words"]:,} words, {cli["dated_articles"]} of them with a publication date (stated or
estimated). The CLI resolves dates against that date, so the undated articles get no date
resolution, unlike (c). Then, on a fresh copy of that database per run, the wall time of
`tocsin extract --db X -q --json --workers {WORKERS}` (spawned workers that each load the model,
evidence written to SQLite) beside a subprocess that loads the same pipeline and runs spaCy's
`nlp.pipe(texts, n_process={WORKERS}, batch_size={BATCH})` over the same stored texts (spaCy forks
its workers after loading the model and sends the Docs back). Both include interpreter start-up
and model loading.

{format_cli(results)}

Evidence stored by `tocsin extract`: {counts}.
"""


def load_results() -> dict[str, Any]:
    if RESULTS.exists():
        saved: dict[str, Any] = json.loads(RESULTS.read_text(encoding="utf-8"))
        return saved
    return {"command": COMMAND, "models": {}}


def write_outputs(saved: dict[str, Any]) -> None:
    """The JSON results and this benchmark's section of docs/benchmarks.md."""
    for result in saved["models"].values():
        result["in_process"].update(derived(result["in_process"]))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(saved, indent=2) + "\n", encoding="utf-8")
    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(replace_section(doc, extract_section(saved["models"])), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Measure one model, print its figures, and update the saved results and docs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--model", choices=MODEL_ORDER, default="sm", help="spaCy model")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="article-extraction folder")
    parser.add_argument("--no-write", action="store_true", help="print only; write no files")
    parser.add_argument(
        "--render", action="store_true", help="only rewrite the docs from the saved results"
    )
    args = parser.parse_args(argv)
    if args.render:
        write_outputs(load_results())  # the ratios are derived again from the saved runs
        return 0
    if not (args.corpus / "ground-truth.json").exists():
        parser.error(f"no benchmark corpus at {args.corpus}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    result = measure(args.model, args.corpus, args.repeat)
    single = {args.model: result}
    print(format_in_process(single), verdict(single), format_rules(single), sep="\n\n")
    print(format_cli(single))
    if not args.no_write:
        saved = load_results()
        saved["command"] = COMMAND
        saved.setdefault("models", {})[args.model] = result
        write_outputs(saved)
        print(f"wrote {RESULTS.relative_to(ROOT)} and {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
