"""What a long-running extraction worker's memory does, article after article, and what in it
grows (docs/engine.md, issue #13).

The engine bench (bench/engine_speed.py) gives each process role's *peak* in each tenth of a
stream; this one looks inside one worker. Extraction's own task function (``_work``, batches
of ``BATCH`` articles) reads the engine bench's seeded stream (random.Random(42), the same
articles in the same order) two ways at once, one per core:

- **pool**: a spawned 1-process pool with the engine's own initializer (Ctrl-C ignored, glibc's
  heap held steady); every ``--step`` articles a probe task, queued behind the batches,
  reports the worker's RSS and the size of every tocsin cache in it;
- **inline**: a child process with the same malloc settings, no pool and no IPC, reporting the
  same at the same points.

Each cache's memory is estimated from its entries at the per-entry size that
bench/cache_sizes.py measured when full. A benchmark (it asserts nothing); from the
repository root:

    .venv/bin/python bench/worker_memory.py [--articles 10000] [--step 1000]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engine_speed import SEED, article, commit
from eval_extraction import replace_section
from tocsin.extract.report import Options
from tocsin.extract.run import BATCH, _work
from tocsin.models.evidence import ArticleText
from tocsin.parallel import _init_worker, steady_malloc

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "worker_memory.json"
SIZES = ROOT / "bench" / "results" / "cache_sizes.json"
COMMAND = ".venv/bin/python bench/worker_memory.py"
ARTICLES = 10_000
STEP = 1_000
SECONDS_PER_ARTICLE = 2.0  # the deadline: well over the 0.1-0.2 s an article takes here
NAMED = ("names.normalise", "names.name_key", "aliases.same_referent")
OPTIONS = Options()


def batches(count: int) -> Iterator[list[ArticleText]]:
    """The engine bench's first ``count`` articles, as extraction's tasks."""
    rng = random.Random(SEED)
    batch: list[ArticleText] = []
    for number in range(count):
        a = article(number, rng)
        batch.append(ArticleText(number, a["text"], date.fromisoformat(a["published"]), "en"))
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def caches() -> dict[str, int]:
    """Entries in every tocsin cache loaded in this process, by module and name."""
    found: dict[str, int] = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith("tocsin.") or module is None:
            continue
        for attr, value in vars(module).items():
            info = getattr(value, "cache_info", None)
            if callable(info) and getattr(value, "__module__", None) == name:
                found[f"{name.removeprefix('tocsin.extract.')}.{attr}"] = info().currsize
    return dict(sorted(found.items()))


def sample(articles: int) -> dict[str, Any]:
    """This process's RSS and caches after ``articles`` articles."""
    rss = psutil.Process().memory_info().rss / 2**20
    return {"articles": articles, "rss_mb": round(rss, 1), "caches": caches()}


def tasks(count: int, step: int) -> Iterator[tuple[int, list[ArticleText] | None]]:
    """(articles read before it, batch) for each batch, and (articles read, None) for a
    sample every ``step`` articles and at the end."""
    done = 0
    for batch in batches(count):
        yield done, batch
        done += len(batch)
        if done % step == 0 or done == count:
            yield done, None


def task(item: tuple[int, list[ArticleText] | None]) -> dict[str, Any] | None:
    """Extract a batch (None back), or sample this process."""
    done, batch = item
    if batch is None:
        return sample(done)
    _work(batch, OPTIONS)
    return None


def inline(count: int, step: int) -> list[dict[str, Any]]:
    """The stream through ``_work`` in this process, sampled every ``step`` articles."""
    steady_malloc()
    return [s for s in map(task, tasks(count, step)) if s is not None]


def pooled(count: int, step: int) -> list[dict[str, Any]]:
    """The stream through a spawned 1-process pool, its worker sampled every ``step``
    articles by a task queued behind the batches."""
    samples = []
    context = get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context, initializer=_init_worker) as pool:
        deadline = SECONDS_PER_ARTICLE * count + 600
        for result in pool.map(task, tasks(count, step), timeout=deadline):
            if result is not None:
                samples.append(result)
                print(f"pool: {result['articles']:,} articles, {result['rss_mb']} MB", flush=True)
    return samples


def per_entry() -> dict[str, float]:
    """Bytes per entry of each name cache when full (bench/cache_sizes.py)."""
    measured = json.loads(SIZES.read_text(encoding="utf-8"))["caches"]
    return {label: c["mb"] * 2**20 / c["entries"] for label, c in measured.items()}


def estimated_mb(point: dict[str, Any], sizes: dict[str, float]) -> float:
    return sum(point["caches"].get(label, 0) * size for label, size in sizes.items()) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=ARTICLES)
    parser.add_argument("--step", type=int, default=STEP)
    parser.add_argument("--inline", action="store_true", help="(the child: print its samples)")
    parser.add_argument("--from-json", action="store_true", help="only rewrite the docs section")
    args = parser.parse_args()
    if args.inline:
        print(json.dumps(inline(args.articles, args.step)))
        return
    if args.from_json:
        write_doc(json.loads(RESULTS.read_text(encoding="utf-8")))
        return
    started = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, __file__, "--inline", "--articles", str(args.articles),
         "--step", str(args.step)],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        pool = pooled(args.articles, args.step)
        out, _ = child.communicate(timeout=SECONDS_PER_ARTICLE * args.articles + 600)
    finally:
        if child.poll() is None:
            child.kill()
    if child.returncode != 0:
        sys.exit(f"the inline child failed with exit code {child.returncode}")
    result = {
        "command": COMMAND, "commit": commit(), "seed": SEED, "articles": args.articles,
        "step": args.step, "batch": BATCH,
        "seconds": round(time.monotonic() - started, 1), "pool": pool,
        "inline": json.loads(out),
    }  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    write_doc(result)
    print(f"wrote {RESULTS.relative_to(ROOT)} and the section of docs/benchmarks.md")


def rises(result: dict[str, Any], sizes: dict[str, float]) -> dict[str, float]:
    """MB per 1,000 articles from the middle sample to the last, of each measure."""
    out: dict[str, float] = {}
    for mode in ("pool", "inline"):
        points = result[mode]
        middle, last = points[(len(points) - 1) // 2], points[-1]
        span = (last["articles"] - middle["articles"]) / 1000
        if span <= 0:
            continue
        out[f"{mode} RSS"] = (last["rss_mb"] - middle["rss_mb"]) / span
        grown = estimated_mb(last, sizes) - estimated_mb(middle, sizes)
        out[f"{mode} name caches (estimated)"] = grown / span
    return out


def section(result: dict[str, Any]) -> str:
    sizes = per_entry()
    rows = []
    for pool, alone in zip(result["pool"], result["inline"], strict=True):
        counts = " | ".join(f"{pool['caches'].get(label, 0):,}" for label in NAMED)
        rows.append(
            f"| {pool['articles']:,} | {pool['rss_mb']:.1f} | {alone['rss_mb']:.1f} | {counts}"
            f" | {estimated_mb(pool, sizes):.1f} |"
        )
    grown = [f"- {label}: {mb:+.2f} MB" for label, mb in rises(result, sizes).items()]
    others = {k: v for k, v in result["pool"][-1]["caches"].items() if k not in NAMED and v}
    listed = ", ".join(f"`{k}` {v:,}" for k, v in others.items()) or "none"
    return "\n".join([
        "## Worker memory, article after article", "",
        f"`{result['command']} --articles {result['articles']} --step {result['step']}` at"
        f" {result['commit']}: the engine bench's seeded stream (seed {result['seed']})"
        f" through extraction's task function in batches of {result['batch']}, two ways at"
        " once, one per core: a spawned 1-process pool with the engine's initializer, its"
        f" worker probed every {result['step']:,}"
        " articles by a task queued behind the batches; and one process with the same malloc"
        " settings, no pool and no IPC. RSS is sampled at those points, not a peak. The name"
        " caches' memory is estimated from their entries at the per-entry size the 'Name"
        " caches' section measured when full.", "",
        "| articles | pool worker RSS, MB | inline RSS, MB | `names.normalise` |"
        " `names.name_key` | `aliases.same_referent` | the three, estimated MB |",
        "|---:|---:|---:|---:|---:|---:|---:|", *rows, "",
        "Rise per 1,000 articles from the middle sample to the last:", "", *grown, "",
        f"Other caches in the worker at the end (entries): {listed}.", "",
    ])  # fmt: skip


def write_doc(result: dict[str, Any]) -> None:
    doc = ROOT / "docs" / "benchmarks.md"
    written = section(result)
    doc.write_text(replace_section(doc.read_text(encoding="utf-8"), written), encoding="utf-8")
    print(written.split("\n\n", 2)[2])


if __name__ == "__main__":
    main()
