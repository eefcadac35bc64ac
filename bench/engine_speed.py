"""Throughput and peak memory of ingest + extraction on the local engine and on Ray.

Reproduce with ``.venv/bin/python bench/engine_speed.py`` from the repository root
(``--articles 100000`` for the large run). It writes a seeded stream of N synthetic news
articles (random.Random(42); 2-3 KB each: people, places, organisations, figures, dates and
quotes drawn from word lists, with one numbered sentence so that no two are near-duplicates)
as JSONL shards of 500 records under a temporary folder, then, for each engine and CPU
count (local with 1 and 2 workers, Ray with 1 and 2 CPUs), ingests and extracts them into a
fresh store in a child process. The child times the engine's start (Ray's start-up is
reported apart, not counted in the throughput), the ingest and the extraction; this script
polls the RSS of the child's whole process tree (Ray's own processes included) every 0.1 s,
in total and by process role (the writer, the pool's or Ray's workers, Ray's services).
Each is run at two corpus sizes (N/4 and N) so that the table shows whether memory grows
with the corpus. It prints a table and writes bench/results/engine_speed.json. It is a
benchmark, not a test: it asserts nothing, it reports.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import math
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_extraction import replace_section

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "engine_speed.json"
COMMAND = ".venv/bin/python bench/engine_speed.py"
ARTICLES = 2_000
SHARD = 500  # records per JSONL file: ingest reads one file at a time
SEED = 42
MARKS = 10  # stretches of the stream whose rate and memory are told apart
RUNS = (("local", 1), ("local", 2), ("ray", 1), ("ray", 2))


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split("|")]


_PEOPLE = _names("""Alexander Lukashenko|Vladimir Putin|Viktor Khrenin|Sergei Shoigu|
Volodymyr Zelensky|Sviatlana Tsikhanouskaya|Jens Stoltenberg|Anna Kowalska|Pavel Novak|
Irina Bondar|Tomas Melnyk|Olga Petrova|Jan Lisowski|Marta Shevchenko|Andrei Ivanov""")
_PLACES = _names("""Belarus|Ukraine|Russia|Poland|Lithuania|Latvia|Minsk|Kyiv|Moscow|Warsaw|
Vilnius|Brest|Gomel|Grodno|Mozyr|Zhytomyr|Chernihiv|Baranovichi|Machulishchy|Luninets""")
_ORGS = _names("""NATO|the European Union|the Kremlin|the Pentagon|the Ministry of Defence|
the General Staff|the United Nations|the State Border Committee|Reuters|
the Institute for the Study of War""")
_UNITS = ("troops", "tanks", "soldiers", "trucks", "aircraft", "missiles", "refugees")
_VERBS = ("deployed", "moved", "sent", "withdrew", "announced", "ordered", "rejected")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip
_FILLER = """the border exercise railway column brigade officials reported analysts warned capital
region units convoy airfield garrison sanctions drills satellite images bridge embassy talks
mobilisation reserve battalion depot corridor negotiators artillery volunteers checkpoint
forest village governor parliament statement observers helicopters logistics""".split()


def _sentence(rng: random.Random) -> str:
    """One news-like sentence with something for each extractor to find."""
    person, place, org = rng.choice(_PEOPLE), rng.choice(_PLACES), rng.choice(_ORGS)
    n, unit, verb = rng.randint(2, 9000), rng.choice(_UNITS), rng.choice(_VERBS)
    day = f"{rng.randint(1, 28)} {rng.choice(_MONTHS)} 2022"
    words = " ".join(rng.choice(_FILLER) for _ in range(rng.randint(6, 14)))
    forms = (
        f"{person} said on {day} that {org} had {verb} {n} {unit} to {place}.",
        f'"We will not allow {words}," {person} told reporters in {place}.',
        f"According to {org}, about {n} {unit} crossed near {place} on {day}.",
        f"{org} {verb} a statement about {words} in {place}.",
        f"{person} met officials in {place} to discuss {words}.",
        f"{words.capitalize()} near {place}, {org} reported.",
    )
    chosen = rng.choice(forms)
    return chosen[0].upper() + chosen[1:]


def article(number: int, rng: random.Random) -> dict[str, str]:
    """The ``number``-th article of the stream: title, date, outlet and 5-7 paragraphs."""
    paragraphs = [
        " ".join(_sentence(rng) for _ in range(rng.randint(3, 5))) for _ in range(rng.randint(5, 7))
    ]
    paragraphs[0] += f" This is dispatch {number} of the series on {rng.choice(_PLACES)}."
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    return {
        "url": f"https://bench.invalid/articles/{number}",
        "title": f"{rng.choice(_PEOPLE)} on {rng.choice(_PLACES)}: dispatch {number}",
        "published": f"2022-{month:02d}-{day:02d}",
        "outlet": "Bench Wire",
        "text": "\n\n".join(paragraphs),
    }


def generate(folder: Path, count: int) -> int:
    """Write ``count`` articles as JSONL shards in ``folder``; returns the bytes written."""
    rng = random.Random(SEED)
    written = 0
    for start in range(0, count, SHARD):
        lines = [json.dumps(article(n, rng)) for n in range(start, min(count, start + SHARD))]
        data = ("\n".join(lines) + "\n").encode("utf-8")
        (folder / f"shard-{start // SHARD:05d}.jsonl").write_bytes(data)
        written += len(data)
    return written


def child(engine_name: str, cpus: int, corpus: Path, db: Path) -> None:
    """Run in the child process: start the engine, ingest, extract; print the timings."""
    from tocsin.config import Config
    from tocsin.engine import LocalEngine, RayEngine
    from tocsin.extract.run import extract
    from tocsin.ingest.pipeline import ingest
    from tocsin.store.db import Store

    started = time.perf_counter()
    engine = RayEngine(num_cpus=cpus) if engine_name == "ray" else LocalEngine(cpus)
    if isinstance(engine, RayEngine):
        engine.start()
    startup = time.perf_counter() - started
    with engine, Store.open(db) as store:
        begun = time.perf_counter()
        ingested = ingest([corpus], store=store, config=Config.load(workers=cpus), engine=engine)
        cleaned = time.perf_counter()
        extracted = extract(
            store, workers=cpus, engine=engine, progress=_marker(ingested.added_count)
        )
        done = time.perf_counter()
    print(json.dumps({
        "startup_seconds": round(startup, 2),
        "ingest_seconds": round(cleaned - begun, 2),
        "extract_seconds": round(done - cleaned, 2),
        "added": ingested.added_count,
        "ingest_failed": len(ingested.failures),
        "extracted": extracted.processed,
        "extract_failed": len(extracted.failed),
    }))  # fmt: skip


def _marker(total: int) -> Any:
    """Extraction's progress callback for the child: prints a mark (articles extracted so
    far, wall-clock time) at the start and at every tenth of ``total``, so that the parent
    can tell the rate and the memory of each stretch of the stream."""
    step, done = max(1, total // MARKS), 0
    print(json.dumps({"mark": 0, "at": time.time()}), flush=True)

    def tick(article_id: int, outcome: Any) -> None:
        nonlocal done
        done += 1
        if done % step == 0 or done == total:
            print(json.dumps({"mark": done, "at": time.time()}), flush=True)

    return tick


@dataclass
class Peak:
    samples: list[tuple[float, int, dict[str, int]]] = field(default_factory=list)
    # (time, tree RSS, RSS by role)

    @property
    def rss_sum(self) -> int:
        """The process tree's highest summed RSS (shared pages counted in each process)."""
        return max((total for _, total, _ in self.samples), default=0)

    @property
    def rss_main(self) -> int:
        """The writer process's highest RSS."""
        return max((by.get("writer", 0) for _, _, by in self.samples), default=0)


RAY_SCRIPTS = {"setup_worker": "ray workers", "default_worker": "ray workers"}


def role(p: psutil.Process, root: int) -> str:
    """What a process of the run is: the writer, Ray's workers, the local engine's pool
    workers, Ray's own services by their program or script name."""
    if p.pid == root:
        return "writer"
    name = p.name()
    if name.startswith("ray::"):
        return "ray workers"
    command = p.cmdline()
    if any("multiprocessing" in part for part in command):
        return "pool workers"
    scripts = [Path(part) for part in command if part.endswith(".py")]
    if scripts:  # a Ray worker is started by setup_worker.py, which execs default_worker.py
        return RAY_SCRIPTS.get(scripts[0].stem) or f"{scripts[0].parent.name}/{scripts[0].stem}"
    return name


def watch(proc: subprocess.Popen[bytes]) -> Peak:
    """Poll the RSS of ``proc`` and its descendants every 0.1 s until it exits, in total
    and by the role of each process (``role``; a pid's role is read once)."""
    peak = Peak()
    roles: dict[int, str] = {}
    with contextlib.suppress(psutil.NoSuchProcess):
        root = psutil.Process(proc.pid)
        while proc.poll() is None:
            sizes: dict[str, int] = {}
            for p in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # a process may end while measured
                    rss = p.memory_info().rss
                    if p.pid not in roles:
                        roles[p.pid] = role(p, root.pid)
                    sizes[roles[p.pid]] = sizes.get(roles[p.pid], 0) + rss
            peak.samples.append((time.time(), sum(sizes.values()), sizes))
            time.sleep(0.1)
    proc.wait()
    return peak


def measure(engine: str, cpus: int, corpus: Path, work: Path) -> dict[str, Any]:
    """One child run on a fresh store: its timings, throughput and peak memory."""
    db = work / f"{engine}-{cpus}-{corpus.name}.db"
    argv = [sys.executable, __file__, "--child", engine, str(cpus), str(corpus), str(db)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), *sys.path[1:]])}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=ROOT)
        peak = watch(proc)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise RuntimeError(f"{engine} {cpus} exited {proc.returncode}: {stderr.decode()[-2000:]}")
    lines = [json.loads(line) for line in stdout.decode().strip().splitlines()]
    found: dict[str, Any] = lines[-1]
    marks = [line for line in lines if "mark" in line]
    seconds = found["ingest_seconds"] + found["extract_seconds"]
    rate = found["added"] / seconds if seconds else 0.0
    mb = 1024 * 1024
    return {
        "engine": engine,
        "cpus": cpus,
        "articles": found["added"],
        **found,
        "wall_seconds": round(wall, 2),
        "articles_per_second": round(rate, 2),
        "articles_per_second_per_core": round(rate / cpus, 2),
        "peak_rss_tree_mb": round(peak.rss_sum / mb, 1),
        "peak_rss_writer_mb": round(peak.rss_main / mb, 1),
        "peak_rss_by_role_mb": by_role(peak.samples),
        "stream": stretches(marks, peak.samples),
    }


def commit() -> str | None:
    """The commit of the code measured (its short hash, with "+" when src/ has changes)."""

    def git(*args: str) -> str:
        run = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True)
        return run.stdout.strip()

    try:
        return git("rev-parse", "--short", "HEAD") + "+" * bool(git("status", "--porcelain", "src"))
    except (OSError, subprocess.CalledProcessError):
        return None


def by_role(samples: list[Any]) -> dict[str, float]:
    """Each role's highest summed RSS over ``samples``, in MB."""
    most: dict[str, int] = {}
    for _, _, by in samples:
        for name, rss in by.items():
            most[name] = max(most.get(name, 0), rss)
    return {k: round(v / 1024 / 1024, 1) for k, v in sorted(most.items())}


def stretches(marks: list[dict[str, Any]], samples: list[Any]) -> list[Any]:
    """Each stretch of the extraction between two marks: articles extracted by its end,
    seconds since extraction began, its rate, and the tree's peak RSS within it, in total
    and by role."""
    mb = 1024 * 1024
    out = []
    for before, after in itertools.pairwise(marks):
        inside = [s for s in samples if before["at"] < s[0] <= after["at"]]
        seconds = after["at"] - before["at"]
        out.append({
            "articles": after["mark"],
            "seconds": round(after["at"] - marks[0]["at"], 1),
            "articles_per_second": round((after["mark"] - before["mark"]) / seconds, 2)
            if seconds > 0 else None,
            "peak_rss_tree_mb": round(max((s[1] for s in inside), default=0) / mb, 1),
            "peak_rss_by_role_mb": by_role(inside),
        })  # fmt: skip
    return out


def overheads(runs: list[dict[str, Any]], size: int) -> dict[str, float]:
    """Ray's time over the local engine's at the same CPU count (1.10: 10% slower), for runs
    of the same commit only: runs of different calls may have had a faster or slower host
    (the same code has run the same stream 40% faster in one session than in another)."""
    at = {(r["engine"], r["cpus"]): r for r in runs if r["articles"] == size}
    out = {}
    for cpus in sorted({c for _, c in at}):
        local, ray = at.get(("local", cpus)), at.get(("ray", cpus))
        if local and ray and local.get("commit") != ray.get("commit"):
            continue
        if local and ray and local["articles_per_second"]:
            out[f"{cpus}_cpu"] = round(local["articles_per_second"] / ray["articles_per_second"], 3)
    return out


def table(runs: list[dict[str, Any]]) -> str:
    head = (f"{'engine':<7}{'cpus':>5}{'articles':>10}{'start s':>9}{'ingest s':>10}"
            f"{'extract s':>11}{'art/s':>8}{'art/s/core':>12}{'tree RSS MB':>13}"
            f"{'writer MB':>11}")  # fmt: skip
    lines = [head, "-" * len(head)]
    for r in runs:
        lines.append(
            f"{r['engine']:<7}{r['cpus']:>5}{r['articles']:>10}{r['startup_seconds']:>9}"
            f"{r['ingest_seconds']:>10}{r['extract_seconds']:>11}{r['articles_per_second']:>8}"
            f"{r['articles_per_second_per_core']:>12}{r['peak_rss_tree_mb']:>13}"
            f"{r['peak_rss_writer_mb']:>11}"
        )
    return "\n".join(lines)


DAILY = 500_000  # articles a day the projection is for (issue #13)
PEAK = 3.0  # the busiest hour's rate over the day's mean: news does not arrive evenly
MEAN = DAILY / 86_400  # articles a second on average


def machines(rate: float, cpus: int) -> tuple[float, int]:
    """The cores the busiest hour needs at ``rate`` articles/s per core, and how many
    machines of ``cpus`` cores that is."""
    cores = PEAK * MEAN / rate
    return cores, math.ceil(cores / cpus)


def projection(result: dict[str, Any]) -> str:
    """How many cores of this machine's kind ``DAILY`` articles a day need, from each
    engine's per-core rate at its largest corpus size with the most CPUs (a machine busy
    on every core runs slower per core than one worker alone, as the table shows)."""
    lines = []
    for engine in sorted({str(r["engine"]) for r in result["runs"]}):
        own = [r for r in result["runs"] if r["engine"] == engine]
        r = max(own, key=lambda r: (r["articles"], r["cpus"]))
        rate, cpus = float(r["articles_per_second_per_core"]), int(r["cpus"])
        if rate <= 0:
            continue
        cores, needed = machines(rate, cpus)
        lines.append(
            f"- **{engine}**: {rate:.2f} articles/s per core with {cpus} CPUs busy, at"
            f" {r['articles']:,} articles; so {DAILY:,} a day ({MEAN:.1f}/s on average) need"
            f" {cores / PEAK:.1f} cores busy all day, and {cores:.1f} to keep up with a busiest"
            f" hour at {PEAK:g}× the mean: {needed} machine{'s' * (needed != 1)} of"
            f" {cpus} cores like this one."
        )
    return "\n".join([*lines, _spread(result)])


def _spread(result: dict[str, Any]) -> str:
    """The projection at the slowest per-core rate of any run of 10,000 articles or more
    with every CPU busy: the host's speed varies between sessions, and planning takes the
    low end."""
    cpus = max(int(r["cpus"]) for r in result["runs"])
    rates = [float(r["articles_per_second_per_core"]) for r in result["runs"]
             if r["articles"] >= 10_000 and r["cpus"] == cpus]  # fmt: skip
    if not rates or min(rates) <= 0:
        return ""
    cores, needed = machines(min(rates), cpus)
    return (
        f"- **At the low end**: the runs of 10,000 articles or more on {cpus} CPUs in the"
        f" table ran at {min(rates):.2f}–{max(rates):.2f} articles/s per core (a run's host"
        f" is not equally fast in every session); at {min(rates):.2f}, the busiest"
        f" hour needs {cores:.1f} cores: {needed} machine{'s' * (needed != 1)} of {cpus}"
        " cores."
    )


def section(result: dict[str, Any]) -> str:
    m = result["machine"]
    rows = [
        "| engine | CPUs | articles | start s | ingest s | extract s | articles/s | per core"
        " | tree RSS | writer RSS |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["runs"]:
        rows.append(
            f"| {r['engine']} | {r['cpus']} | {r['articles']:,} | {r['startup_seconds']}"
            f" | {r['ingest_seconds']} | {r['extract_seconds']} | {r['articles_per_second']}"
            f" | {r['articles_per_second_per_core']} | {r['peak_rss_tree_mb']:,.0f} MB"
            f" | {r['peak_rss_writer_mb']:,.0f} MB |"
        )
    load = ""
    if "loadavg" in result:
        start, end = result["loadavg"]
        load = f"; load average {start} at the start, {end} at the end"
    over = "; ".join(
        f"{size} articles: " + ", ".join(f"{k.replace('_', ' ')} {v:.2f}×" for k, v in o.items())
        for size, o in result["ray_time_over_local"].items()
        if o
    )
    head = (
        f"`{result['command']}` ({m['cpus']} cores, {m['ram_gb']} GB, Python {m['python']}"
        f"{load}): {WHAT}"
    )
    lines = ["## Engines: local processes and Ray", "", head, "", *rows, ""]
    lines += [f"Ray's time over the local engine's at the same CPU count: {over} (runs of one"
              " commit only: the host's speed differs between sessions).", ""]  # fmt: skip
    lines += [f"**Projection: {DAILY:,} articles a day.** {BASIS}", "", projection(result), ""]
    return "\n".join([*lines, flat(result), *growth(result), *streams(result)]) + "\n"


def flat(result: dict[str, Any]) -> str:
    """What the runs show of memory as the corpus grows, and which reached the largest size."""
    size = max(result["sizes"])
    runs = result["runs"]
    writer = [r["peak_rss_writer_mb"] for r in runs]
    text = (
        f"Memory by corpus size: the writer's peak stays between {min(writer):,.0f} and"
        f" {max(writer):,.0f} MB in every run, from {min(result['sizes']):,} to {size:,}"
        " articles."
    )
    for r in runs:
        marks = r.get("stream") or []
        if r["articles"] != size or len(marks) < 2:
            continue
        first, last = marks[0], marks[-1]
        rise = last["peak_rss_tree_mb"] - first["peak_rss_tree_mb"]
        per = 1000 * rise / max(1, last["articles"] - first["articles"])
        text += (
            f" Within the {size:,}-article run of {r['engine']} with {r['cpus']} CPUs the"
            f" whole tree's peak went from {first['peak_rss_tree_mb']:,.0f} MB in the first"
            f" tenth to {last['peak_rss_tree_mb']:,.0f} MB in the last, {per:.2f} MB per 1,000"
            f" articles{'' if 'peak_rss_by_role_mb' in first else UNMEASURED}."
        )
    at_size = sorted({f"{r['engine']} with {r['cpus']} CPUs" for r in runs
                      if r["articles"] == size})  # fmt: skip
    return (
        f"{text} The {size:,}-article stream was run for {', '.join(at_size)}; each other"
        " engine and CPU count has its largest run in the table. Rows of a size run with only"
        " some engines come from `--runs` and `--sizes` (the others kept from the run before)."
    )


def growth(result: dict[str, Any]) -> list[str]:
    """Every run that measured memory by process: each role's peak in the first, the middle
    (fifth) and the last tenth of its stream, and the rise per 1,000 articles from the first
    and from the middle to the last (the second leaves out what the first stretches warm)."""
    rows = []
    for r in [*result.get("superseded", []), *result["runs"]]:
        if not _by_process(r):
            continue
        marks = r["stream"]
        first, middle, last = marks[0], marks[(len(marks) - 1) // 2], marks[-1]
        for name in sorted(r.get("peak_rss_by_role_mb", {})):
            at = [m["peak_rss_by_role_mb"].get(name, 0.0) for m in (first, middle, last)]
            rises = [
                1000 * (at[2] - mb) / max(1, last["articles"] - m["articles"])
                for mb, m in ((at[0], first), (at[1], middle))
            ]
            rows.append(
                f"| {r['engine']} | {r['cpus']} | {r['articles']:,} | {r.get('commit') or '–'}"
                f" | {name} | {' | '.join(f'{mb:,.0f} MB' for mb in at)}"
                f" | {rises[0]:+.2f} | {rises[1]:+.2f} | {r['peak_rss_by_role_mb'][name]:,.0f} MB |"
            )
    if not rows:
        return []
    head = [
        "", f"**Memory by process, tenth by tenth.** {GROWTH}", "",
        "| engine | CPUs | articles | commit | process | first tenth | middle tenth | last tenth"
        " | MB per 1,000 articles, first to last | middle to last | whole run |",
        "|---|---:|---:|---|---|---:|---:|---:|---:|---:|---:|",
    ]  # fmt: skip
    return [*head, *rows]


def streams(result: dict[str, Any]) -> list[str]:
    """Stretch by stretch, the largest run of each engine that has its marks: the rate and
    the tree's peak memory as the store grows, within one run."""
    size = max(result["sizes"])
    runs = [r for r in result["runs"] if r["articles"] == size and r.get("stream")]
    if not runs:
        return []
    out = ["", f"**The {size:,}-article stream, stretch by stretch.** {STREAM}", ""]
    for r in runs:
        out += [f"*{r['engine']}, {r['cpus']} CPUs*", "",
                "| extracted | seconds | articles/s in the stretch | tree RSS peak |",
                "|---:|---:|---:|---:|"]  # fmt: skip
        out += [
            f"| {m['articles']:,} | {m['seconds']:,} | {m['articles_per_second']}"
            f" | {m['peak_rss_tree_mb']:,.0f} MB |"
            for m in r["stream"]
        ]
        out += [""]
    return out[:-1]


WHAT = """ingest and extraction of a seeded stream of synthetic news articles (2–3 KB \
each) into a fresh store, in a child process, with the local engine (1 and 2 worker \
processes) and with Ray (a local Ray of 1 and 2 CPUs), at several corpus sizes. Throughput \
leaves out the engine's start (Ray's own processes: the *start* column). *Tree RSS* sums \
every process of the run (Ray's raylet, GCS and workers included, shared pages counted in \
each)."""
UNMEASURED = "; this run predates the bench's memory by process, so where it grew is not known"
GROWTH = """Each role's peak RSS (summed over its processes) in the first, the middle \
(fifth) and the last tenth of a run's stream, and the rise per 1,000 articles extracted from \
the first and from the middle to the last: the first stretches also fill bounded caches \
(the name normaliser's keeps up to 65,536 names a worker; new names come ever more \
slowly). *commit* is the code measured; extraction reads each article in a spaCy memory \
zone from commit 0c3d0e3 on, so runs of earlier commits show the vocabulary's growth in the \
workers. The roles: the writer, the local engine's pool workers, Ray's workers, and Ray's own \
services by name."""
BASIS = """From each engine's per-core rate at its largest run (ingest and extraction; \
linking and assessment run per case and are not in these figures):"""
STREAM = """Extraction prints a mark at each tenth of the stream; each row is the stretch \
that ends there (the store holds every article from the first, and the extracted ones up to \
the row's count): its rate, and the highest RSS of the whole process tree sampled in it. \
Where the run measured memory by process, its roles are in the table above."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=ARTICLES, help="the larger corpus size")
    parser.add_argument("--runs", default=None,
                        help="engines and CPU counts, e.g. local:2,ray:2 (default: all four);"
                             " the others' results are kept from the last run")  # fmt: skip
    parser.add_argument("--sizes", default=None,
                        help="corpus sizes, e.g. 2500,10000 (default: N/4 and N)")  # fmt: skip
    parser.add_argument("--from-json", action="store_true",
                        help="write the docs section from the last results")  # fmt: skip
    parser.add_argument("--child", nargs=4, metavar=("ENGINE", "CPUS", "CORPUS", "DB"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args()
    if args.from_json:
        write_doc(json.loads(RESULTS.read_text(encoding="utf-8")))
        return
    if args.child:
        engine, cpus, corpus, db = args.child
        child(engine, int(cpus), Path(corpus), Path(db))
        return
    sizes = sorted({max(1, args.articles // 4), args.articles})
    if args.sizes:
        sizes = sorted({int(x) for x in args.sizes.split(",")})
    chosen = RUNS
    if args.runs:
        chosen = tuple((e, int(c)) for e, c in (x.split(":") for x in args.runs.split(",")))
    load_start = os.getloadavg()[0]
    made_at = commit()  # the code every run of this call measures
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="engine-speed-") as tmp:
        work = Path(tmp)
        corpora = {}
        for size in sizes:
            corpora[size] = work / f"corpus-{size}"
            corpora[size].mkdir()
            mb = generate(corpora[size], size) / 1024 / 1024
            print(f"generated {size} articles ({mb:.1f} MB)", file=sys.stderr)
        for size in sizes:
            for engine, cpus in chosen:
                print(f"{engine} on {cpus} CPU(s), {size} articles ...", file=sys.stderr)
                runs.append(measure(engine, cpus, corpora[size], work))
    runs = [{**r, "commit": made_at} for r in runs]
    print(table(runs))
    runs, superseded = _merged(runs) if args.runs or args.sizes else (runs, [])
    sizes = sorted({int(r["articles"]) for r in runs})
    command = " ".join(sys.argv[1:]) or f"--articles {args.articles}"
    result = {
        "command": f"{COMMAND} {command}",
        "machine": {
            "cpus": os.cpu_count(),
            "ram_gb": round(psutil.virtual_memory().total / 1024**3, 1),
            "python": platform.python_version(),
        },
        "sizes": sizes,
        "loadavg": [round(load_start, 1), round(os.getloadavg()[0], 1)],
        "runs": runs,
        "superseded": superseded,
        "ray_time_over_local": {str(s): overheads(runs, s) for s in sizes},
        "notes": (
            "Throughput excludes the engine's start-up (startup_seconds: Ray's own processes). "
            "Tree RSS sums every process of the run, Ray's raylet, GCS and workers included, "
            "shared pages counted once per process."
        ),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"Ray's time over local's: {result['ray_time_over_local']}")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    write_doc(result)


def _merged(runs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``runs`` with the last results' runs of other engines, CPU counts or sizes; and the
    runs they replace that measured memory by process, kept for the memory table (a run of
    an earlier commit is what a change is measured against)."""
    if not RESULTS.exists():
        return runs, []
    made = {(r["engine"], r["cpus"], r["articles"]) for r in runs}
    last = json.loads(RESULTS.read_text(encoding="utf-8"))
    older = [r for r in last["runs"] if (r["engine"], r["cpus"], r["articles"]) not in made]
    replaced = [
        r
        for r in last["runs"]
        if (r["engine"], r["cpus"], r["articles"]) in made and _by_process(r)
    ]
    merged = sorted([*older, *runs], key=lambda r: (r["articles"], r["engine"], r["cpus"]))
    return merged, [*last.get("superseded", []), *replaced]


def _by_process(run: dict[str, Any]) -> bool:
    marks = run.get("stream") or []
    return len(marks) >= 3 and "peak_rss_by_role_mb" in marks[0]


def write_doc(result: dict[str, Any]) -> None:
    """The "Engines" section of docs/benchmarks.md from ``result``."""
    doc = ROOT / "docs" / "benchmarks.md"
    doc.write_text(replace_section(doc.read_text(encoding="utf-8"), section(result)), "utf-8")
    print(projection(result))
    print(f"wrote the 'Engines' section of {doc.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
