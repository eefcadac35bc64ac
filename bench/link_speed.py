"""Linking speed: the linker's sentences per second beside the embedding model's own, in one run.

The target (issue #11): linking throughput at least 70% of the embedding model's own sentences
per second, measured in the same run. Reproduce from the repository root (the corpus must sit
beside the checkout):

    .venv/bin/python bench/link_speed.py                 # 3 rounds, writes the docs
    .venv/bin/python bench/link_speed.py --profile       # also print where the linker's time goes
    .venv/bin/python bench/link_speed.py --baseline bench/results/link_speed_before.json
    .venv/bin/python bench/link_speed.py --render --baseline ...  # the docs from the JSON

The sentences: the articles of the *tune* part of ``../shared/corpus/polnear-dev`` (split by
``bench/eval_polnear.part_of``; the check part's files are never opened), written as .txt
files, ingested into a temporary store and extracted (2 workers, untimed), then every
candidate sentence ``units(store, case)`` gives: the sentences of ``tocsin.text`` of at
least 25 characters, described by the evidence extraction found in them. The cases: the
bundled belarus-2022 case and the tuned backtest case kherson-2022; nothing is tuned here.

In one process, one embedder (onnxruntime on ``--threads`` threads), ``--repeat`` rounds; in
each round, for each case, these take turns in an order rotating from round to round:

(a) the embedding model alone: ``Embedder.encode`` of the sentences' texts;
(b) the whole linker, Units to Links: ``link_units(case, units, embedder)``, which embeds
    the sentences and the indicators' texts, then matches patterns and similarities;
(c) relink end to end: ``relink(store, case, embedder)`` on a fresh copy of the extracted
    store (its vector cache empty): candidates read from the store, embedded, cached,
    linked, links saved;
(d) the linker's own work: ``link_units`` given the vectors (b) computed;
(e) relink again on the same copy: the vectors come from the store's cache.

The medians over the rounds are reported, with b / a and c / a (the target's ratios) and
every round's own ratios; peak RSS is the process's high-water mark. It prints the figures
and writes bench/results/link_speed.json and the "Linking speed" section of
docs/benchmarks.md (other sections are kept). It is a benchmark, not a test: it asserts
nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import pstats
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

import psutil

from eval_extraction import ROOT, replace_section, rounded
from eval_polnear import CORPUS, part_of
from extract_speed import copy_db, write_txt
from ingest_speed import machine
from tocsin.assess.case import Case, bundled_case_path, load_case
from tocsin.assess.embed import MODEL_ID, Embedder
from tocsin.assess.link import Link, Unit, indicator_texts, link_units, units
from tocsin.assess.relink import relink
from tocsin.config import Config
from tocsin.extract.run import extract
from tocsin.ingest.pipeline import ingest
from tocsin.store.db import Store

RESULTS = ROOT / "bench" / "results" / "link_speed.json"
DOC = ROOT / "docs" / "benchmarks.md"
COMMAND = ".venv/bin/python bench/link_speed.py"
HEADING = "## Linking speed"
TARGET = 0.70  # linking sentences/s over the embedding model's own
WORKERS = 2  # for building the store (untimed)
CASES = {
    "belarus-2022 (bundled)": bundled_case_path(),
    "kherson-2022 (backtest, tuned)": ROOT / "backtest" / "kherson-2022" / "case.yaml",
}
STEPS = {
    "a": "(a) `Embedder.encode`, the sentences alone",
    "b": "(b) `link_units(case, units, embedder)`: Units to Links",
    "c": "(c) `relink(store, case, embedder)`, vector cache empty",
    "d": "(d) `link_units` given the vectors: the linker's own work",
    "e": "(e) `relink` again, vectors from the store's cache",
}
T = TypeVar("T")


def tune_texts(corpus: Path) -> list[str]:
    """The texts of the tune part's articles, in file-name order (check files are not read)."""
    paths = sorted((corpus / "text").glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in paths if part_of(p.stem) == "tune"]


def build_store(texts: Sequence[str], folder: Path) -> Path:
    """A store with ``texts`` ingested and extracted; its path."""
    write_txt(texts, folder / "texts")
    db = folder / "extracted.db"
    with Store.open(db) as store:
        ingest([folder / "texts"], store=store, config=Config.load(workers=WORKERS))
        extract(store, workers=WORKERS)
    return db


def timed(fn: Callable[[], T]) -> tuple[T, float, float]:
    """``fn()``, its wall seconds and this process's CPU seconds, garbage collected first.

    On a machine shared with other work the wall time also counts the waits for a core;
    the CPU time does not (onnxruntime runs on the calling thread with one thread).
    """
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, time.perf_counter() - started, time.process_time() - cpu


def link_keys(links: Sequence[Link]) -> list[tuple[Any, ...]]:
    """What identifies a link and what it says, for comparing two runs."""
    return sorted(
        (x.unit.article.article_id, x.unit.start, x.indicator_id, x.polarity, x.method, x.score)
        for x in links
    )


class Bench:
    """One case's candidates, an extracted store to copy, and the timed steps."""

    def __init__(self, case: Case, db: Path, work: Path, embedder: Embedder) -> None:
        self.case, self.db, self.work, self.embedder = case, db, work, embedder
        with Store.open(db) as store:
            self.units: list[Unit] = list(units(store, case))
        self.texts = [u.text for u in self.units]
        self.vectors = embedder.encode(self.texts)
        self.targets = embedder.encode(indicator_texts(case))
        self.links: dict[str, int] = {}
        self.keys: list[tuple[Any, ...]] | None = None

    def encode(self) -> None:
        self.embedder.encode(self.texts)

    def link(self) -> None:
        found = link_units(self.case, self.units, self.embedder)
        self._check(found)

    def link_given_vectors(self) -> None:
        found = link_units(self.case, self.units, self.embedder, self.vectors, self.targets)
        self.links["given vectors"] = len(found)

    def relink_cold_then_warm(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """(c) then (e): wall and CPU seconds of each."""
        copy = self.work / "relink.db"
        copy_db(self.db, copy)
        with Store.open(copy) as store:
            made, *cold = timed(lambda: relink(store, self.case, self.embedder))
            again, *warm = timed(lambda: relink(store, self.case, self.embedder))
        self.links["relink"], self.links["relink, cached"] = made, again
        return (cold[0], cold[1]), (warm[0], warm[1])

    def _check(self, found: list[Link]) -> None:
        """Every round must make the same links."""
        keys = link_keys(found)
        if self.keys is not None and keys != self.keys:
            raise RuntimeError(f"{self.case.id}: links differ between rounds")
        self.keys = keys
        self.links["link_units"] = len(found)


def one_round(bench: Bench, number: int) -> dict[str, float]:
    """Steps (a), (b), (c)+(e) and (d) once each, starting at a step that rotates by round:
    wall seconds under the step's letter, CPU seconds under "cpu " and the letter."""
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("a", bench.encode),
        ("b", bench.link),
        ("ce", bench.relink_cold_then_warm),
        ("d", bench.link_given_vectors),
    ]
    shift = number % len(steps)
    seconds: dict[str, float] = {}
    for name, fn in steps[shift:] + steps[:shift]:
        value, wall, cpu = timed(fn)
        if name == "ce":
            (seconds["c"], seconds["cpu c"]), (seconds["e"], seconds["cpu e"]) = value
        else:
            seconds[name], seconds[f"cpu {name}"] = wall, cpu
    return seconds


def summarise(runs: list[dict[str, float]], count: int) -> dict[str, Any]:
    """Medians, sentences/s and the ratios, from every round's seconds."""
    steps: dict[str, Any] = {}
    for key in STEPS:
        seconds, cpu = [r[key] for r in runs], [r[f"cpu {key}"] for r in runs]
        median, median_cpu = statistics.median(seconds), statistics.median(cpu)
        steps[key] = {
            "runs_seconds": seconds,
            "runs_cpu_seconds": cpu,
            "median_seconds": median,
            "median_cpu_seconds": median_cpu,
            "sentences_per_second": count / median,
            "sentences_per_cpu_second": count / median_cpu,
        }
    a, b, c, d = (steps[k]["median_seconds"] for k in "abcd")
    a_cpu, b_cpu, c_cpu, d_cpu = (steps[k]["median_cpu_seconds"] for k in "abcd")
    return {
        "steps": steps,
        "ratio_b_a": a / b,
        "ratio_c_a": a / c,
        "ratio_b_a_cpu": a_cpu / b_cpu,
        "ratio_c_a_cpu": a_cpu / c_cpu,
        "ratio_b_a_per_round": [r["a"] / r["b"] for r in runs],
        "ratio_c_a_per_round": [r["a"] / r["c"] for r in runs],
        "linker_share_of_b": d / b,
        "linker_share_of_b_cpu": d_cpu / b_cpu,
    }


def profile(bench: Bench, top: int) -> str:
    """cProfile of (d) and (e), the linker's own work, as text: the heaviest functions."""
    out = []
    for label, fn in (("link_units given vectors", bench.link_given_vectors),):
        profiler = cProfile.Profile()
        profiler.runcall(fn)
        stream = _Stream()
        pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(top)
        out.append(f"--- {bench.case.id}: {label}\n{stream.text}")
    copy = bench.work / "profile.db"
    copy_db(bench.db, copy)
    with Store.open(copy) as store:
        relink(store, bench.case, bench.embedder)  # fill the vector cache
        profiler = cProfile.Profile()
        profiler.runcall(relink, store, bench.case, bench.embedder)
    stream = _Stream()
    pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(top)
    out.append(f"--- {bench.case.id}: relink, vectors cached\n{stream.text}")
    return "\n".join(out)


class _Stream:
    def __init__(self) -> None:
        self.text = ""

    def write(self, s: str) -> int:
        self.text += s
        return len(s)


def measure(corpus: Path, repeat: int, threads: int, show_profile: bool) -> dict[str, Any]:
    texts = tune_texts(corpus)
    load_before = os.getloadavg()
    embedder = Embedder(threads=threads)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="tocsin-link-speed-") as tmp:
        work = Path(tmp)
        db = build_store(texts, work)
        benches = {name: Bench(load_case(path), db, work, embedder) for name, path in CASES.items()}
        rss_ready = psutil.Process().memory_info().rss
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in benches}
        for number in range(repeat):
            for name, bench in benches.items():
                runs[name].append(one_round(bench, number))
                print(f"round {number + 1}, {name}: {json.dumps(runs[name][-1])}", flush=True)
        for name, bench in benches.items():
            count = len(bench.units)
            results[name] = {
                "case": bench.case.id,
                "indicators": len(bench.case.indicators),
                "indicator_texts": len(bench.targets),
                "patterns": sum(len(i.patterns) for i in bench.case.indicators),
                "sentences": count,
                "links": bench.links,
                **summarise(runs[name], count),
            }
        if show_profile:
            for bench in benches.values():
                print(profile(bench, 15))
    return {
        "command": COMMAND,
        "machine": machine(),
        "load_average_before": load_before[0],
        "load_average_after": os.getloadavg()[0],
        "repeat": repeat,
        "embedding": {"model": MODEL_ID, "threads": threads, "onnxruntime": version("onnxruntime")},
        "corpus": {"articles": len(texts), "part": "tune"},
        "rss_before_rounds_mb": rss_ready / 1024**2,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "cases": results,
    }


def _cell(step: dict[str, Any]) -> str:
    return (
        f"{step['median_seconds']:.2f} s, {step['sentences_per_second']:,.0f}/s; "
        f"CPU {step['median_cpu_seconds']:.2f} s"
    )


def table(results: dict[str, Any], baseline: dict[str, Any] | None) -> str:
    """One column per case (and per case before the optimisation, when given)."""
    columns = [(name, r) for name, r in results["cases"].items()]
    if baseline:
        columns += [(f"{name}, before", r) for name, r in baseline["cases"].items()]
    lines = [
        "| median of the rounds | " + " | ".join(name for name, _ in columns) + " |",
        "|---|" + "---:|" * len(columns),
        "| sentences (candidates) | "
        + " | ".join(f"{r['sentences']:,}" for _, r in columns)
        + " |",
    ]
    for key, label in STEPS.items():
        lines.append(
            f"| {label} | " + " | ".join(_cell(r["steps"][key]) for _, r in columns) + " |"
        )
    for key, label in (
        ("ratio_b_a", f"**b / a**, linking over encoding, sentences/s (target ≥ {TARGET:.2f})"),
        ("ratio_b_a_cpu", "b / a in CPU time"),
        ("ratio_c_a", "**c / a**, relink end to end over encoding, sentences/s"),
        ("ratio_c_a_cpu", "c / a in CPU time"),
        ("linker_share_of_b_cpu", "d / b in CPU time: the share of (b) that is not embedding"),
    ):
        cells = [f"{r[key]:.3f}" if key in r else "" for _, r in columns]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("| links made by (b) | " + " | ".join(
        str(r["links"].get("link_units", "")) for _, r in columns) + " |")  # fmt: skip
    return "\n".join(lines)


def rounds_table(results: dict[str, Any]) -> str:
    lines = [
        "| case | round | (a) s | (b) s | (c) s | (d) s | (e) s | b / a | c / a "
        "| (a) CPU s | (b) CPU s | (c) CPU s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in results["cases"].items():
        for i in range(len(r["ratio_b_a_per_round"])):
            cells = [f"{r['steps'][k]['runs_seconds'][i]:.2f}" for k in STEPS]
            ratios = [f"{r[k][i]:.3f}" for k in ("ratio_b_a_per_round", "ratio_c_a_per_round")]
            cpu = [f"{r['steps'][k]['runs_cpu_seconds'][i]:.2f}" for k in "abc"]
            lines.append(f"| {name} | {i + 1} | " + " | ".join(cells + ratios + cpu) + " |")
    return "\n".join(lines)


def verdict(results: dict[str, Any]) -> str:
    lines = []
    for name, r in results["cases"].items():
        met = "met" if r["ratio_b_a"] >= TARGET else "NOT met"
        lines.append(
            f"- {name}: the linker handles {r['steps']['b']['sentences_per_second']:.0f} "
            f"sentences/s against the model's own {r['steps']['a']['sentences_per_second']:.0f}: "
            f"{r['ratio_b_a']:.0%} (target ≥ {TARGET:.0%}, {met}; {r['ratio_b_a_cpu']:.0%} in "
            f"CPU time); relink end to end {r['ratio_c_a']:.0%} ({r['ratio_c_a_cpu']:.0%} in CPU "
            "time). Without the embedding the linker's own work takes "
            f"{r['steps']['d']['median_cpu_seconds'] * 1000 / r['sentences']:.3f} ms of CPU a "
            "sentence."
        )
    return "\n".join(lines)


def section(results: dict[str, Any], baseline: dict[str, Any] | None) -> str:
    m, e = results["machine"], results["embedding"]
    before = ""
    if baseline:
        before = (
            "\n\nThe columns marked *before* are the same benchmark run on "
            f"{baseline['machine']['date']} on the linker as it was before its optimisation "
            "(load average "
            f"{baseline['load_average_before']:.2f}), kept in "
            "`bench/results/link_speed_before.json`."
        )
    return f"""{HEADING}

The target (issue #11): linking throughput at least {TARGET:.0%} of the embedding model's own
sentences per second, in the same run. `{COMMAND}`, {results["repeat"]} rounds, measured on
{m["date"]}: {m["nproc"]} CPUs ({m["cpu"]}), Python {m["python"]}, load average
{results["load_average_before"]:.2f} before the run and {results["load_average_after"]:.2f}
after; {e["model"]} on onnxruntime {e["onnxruntime"]}, {e["threads"]} thread(s).

The sentences: the {results["corpus"]["articles"]} articles of PolNeAR-dev's *tune* part
(`bench/eval_polnear.part_of`; the check part is not read), ingested as .txt files and
extracted into a temporary store (untimed); the candidates are what `units(store, case)`
gives (sentences of at least 25 characters). The cases: the bundled belarus-2022 case and the
backtest's kherson-2022; nothing was tuned on these sentences, and no number of the linker
was changed for this benchmark. In each round, for each case, the steps take turns in an
order rotating from round to round; the table gives the medians of the rounds.

- (a) the embedding model alone, `Embedder.encode` of the candidates' texts.
- (b) the whole linker from Units to Links, `link_units(case, units, embedder)`: it embeds the
  sentences and the indicators' descriptions and examples, then matches.
- (c) `relink(store, case, embedder)` on a fresh copy of the extracted store: candidates read
  from the store, embedded, cached in the store, linked, the links saved.
- (d) `link_units` given the vectors: what the linker costs beside the model.
- (e) `relink` once more on that copy: the vectors come from the store's cache.

{table(results, baseline)}

{verdict(results)}

Wall time on a machine shared with other work also counts the waits for a core, and the
load average above says how much other work there was; CPU time does not (onnxruntime runs
on the calling thread), so the ratios in CPU time are the steadier figures. PolNeAR's
sentences are US politics, off the topic of both cases: few patterns match them, and the
linker's own work is smaller there than on a case's own news, where more sentences pass the
pattern screen and link.

Peak RSS of the process: {results["peak_rss_mb"]:.0f} MB ({results["rss_before_rounds_mb"]:.0f} MB
with the model loaded and the candidates built, before the first round). Every round:

{rounds_table(results)}{before}
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=3, help="rounds")
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime threads")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="polnear-dev folder")
    parser.add_argument("--profile", action="store_true", help="print cProfile of (d) and (e)")
    parser.add_argument("--baseline", type=Path, help="earlier results to show beside")
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write the results")
    parser.add_argument("--no-doc", action="store_true", help="write no docs section")
    parser.add_argument(
        "--render", action="store_true", help="only rewrite the docs from the saved results"
    )
    args = parser.parse_args(argv)
    baseline = json.loads(args.baseline.read_text(encoding="utf-8")) if args.baseline else None
    if args.render:
        saved = json.loads(args.json.read_text(encoding="utf-8"))
        write_doc(section(saved, baseline))
        return 0
    if not (args.corpus / "text").is_dir():
        parser.error(f"no polnear-dev corpus at {args.corpus}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    results = rounded(measure(args.corpus, args.repeat, args.threads, args.profile))
    print(table(results, baseline), verdict(results), sep="\n\n")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if not args.no_doc:
        write_doc(section(results, baseline))
    return 0


def write_doc(text: str) -> None:
    """Put the section into docs/benchmarks.md, keeping the other sections."""
    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    DOC.write_text(replace_section(doc, text), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
