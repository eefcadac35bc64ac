"""How much memory tocsin's bounded name caches hold when full: the ceiling a long-running
extraction worker's memory rises to as new names keep coming (docs/engine.md, issue #13).

Each cache is emptied, then filled to its bound with made-up names (seeded: 1-3 capitalised
words of 4-10 letters; single words for the token keys, which are given one token), and
tracemalloc measures what stays allocated: entries, keys and values. The names are not from
any corpus and nothing is tuned on them; real names are of a like length. A benchmark (it
asserts nothing); from the repository root:

    .venv/bin/python bench/cache_sizes.py
"""

from __future__ import annotations

import gc
import json
import random
import string
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eval_extraction import replace_section
from tocsin.extract import aliases, names

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "cache_sizes.json"
COMMAND = ".venv/bin/python bench/cache_sizes.py"
SEED = 5


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 10))).title()


def _name(rng: random.Random) -> str:
    return " ".join(_word(rng) for _ in range(rng.randint(1, 3)))


def fill(fn: Any, arguments: Callable[[random.Random], tuple[str, ...]]) -> dict[str, Any]:
    """Empty ``fn``'s cache, fill it to its bound; the MB that stay allocated."""
    rng = random.Random(SEED)
    fn.cache_clear()
    gc.collect()
    bound = fn.cache_info().maxsize
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    while fn.cache_info().currsize < bound:
        fn(*arguments(rng))
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return {"entries": bound, "mb": round(held / 2**20, 1)}


def main() -> None:
    aliases.default_aliases()  # the alias table is read once, not counted as a cache's
    names.normalise("warm")
    names.name_key("warm")
    caches = {
        "names.normalise": (names.normalise, lambda rng: (_name(rng),)),
        "names.name_key": (names.name_key, lambda rng: (_word(rng),)),
        "aliases.same_referent": (aliases.same_referent, lambda rng: (_name(rng), _name(rng))),
    }
    # same_referent calls the other two: they are full, so they only evict while it fills.
    results = {label: fill(fn, args) for label, (fn, args) in caches.items()}
    total = sum(r["mb"] for r in results.values())
    for label, r in results.items():
        print(f"{label:<24}{r['entries']:>8,} entries{r['mb']:>8.1f} MB")
    print(f"{'all three':<24}{'':>16}{total:>8.1f} MB")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    payload = {"command": COMMAND, "seed": SEED, "caches": results, "total_mb": round(total, 1)}
    RESULTS.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    doc = ROOT / "docs" / "benchmarks.md"
    doc.write_text(replace_section(doc.read_text(encoding="utf-8"), section(payload)), "utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)} and the 'Name caches' section of docs/benchmarks.md")


def section(payload: dict[str, Any]) -> str:
    rows = [
        f"| `{label}` | {r['entries']:,} | {r['mb']:.1f} MB |"
        for label, r in payload["caches"].items()
    ]
    return "\n".join([
        "## Name caches: the ceiling of a worker's growth", "",
        f"`{payload['command']}`: each of extraction's bounded name caches emptied, then"
        " filled to its bound with seeded made-up names (1–3 words of 4–10 letters; single"
        " words for the token keys), measured by tracemalloc (entries, keys and values). A"
        " worker's memory rises as these fill, and then stays: docs/engine.md.", "",
        "| cache | entries when full | memory held |", "|---|---:|---:|", *rows,
        f"| all three | | {payload['total_mb']:.1f} MB |", "",
    ])  # fmt: skip


if __name__ == "__main__":
    main()
