"""How long grouping a crowded day's reports into developments takes: the array form
(``assess/ties.py``) against the pairwise scan it replaces, on the same reports.

The reports are random and seeded (random.Random(3)): short sentences drawn from a word
list (some copied whole, as a wire copy is, some with one word changed), up to two of eight
place and person names (and "Belarus", the question's topic, in most), a figure or a day in
some, one of nine sources (none, or a name in one of two spellings), one of eight articles;
all of one indicator, one polarity and one day, the case where the scan is quadratic. For
each size the array form is timed, and the scan too up to ``--scan-max`` reports (it grows
with the square), and the two results are compared whole (developments, members, joins and
reasons). Nothing here is fitted: the reports are made up to be crowded.

    .venv/bin/python bench/developments_speed.py [--sizes 1000 4000 11000] [--scan-max 4000]

Prints a table, writes bench/results/developments_speed.json and the "Developments
grouping speed" section of docs/benchmarks.md. A benchmark: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_extraction import replace_section
from tocsin.assess import evidence
from tocsin.assess.evidence import EvidenceRow, clusters

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "developments_speed.json"
DAY = date(2024, 3, 1)
WORDS = (
    "troops border exercise brigade column tanks moved rail convoy drills airfield bridge "
    "river division missiles artillery officials denied mobilisation reserve"
).split()
NAMES = ["Russia", "Gomel", "Brest", "Mozyr", "Lukashenko", "Shoigu", "Minsk"]
SOURCES = [None, None, "the ministry", "the Belarusian defence ministry", "Reuters",
           "Viktor Khrenin", "Khrenin", "Lukashenko", "Lukashenka"]  # fmt: skip
FIGURES = ["2024-03-02", "300", "12", "5000"]


def reports(n: int, seed: int = 3, varied: bool = False) -> list[EvidenceRow]:
    """``n`` random reports of one indicator and one day; ``varied``: of two indicators (and
    none), two polarities, days up to 12 apart, and some entered by hand, as the tests of
    the array form take them (tests/assess/test_ties.py)."""
    rng = random.Random(seed)
    base = EvidenceRow(
        id="", kind="link", text="", when=DAY, indicator="a", polarity="seen",
        status="reported", source=None, reliability="B", credibility=2, score=1.0,
        weight=1.0, reason="", source_key="",
    )  # fmt: skip
    texts: list[str] = []
    rows = []
    for k in range(n):
        if texts and rng.random() < 0.15:
            text = rng.choice(texts)  # a wire copy
        elif texts and rng.random() < 0.2:
            words = rng.choice(texts).split() or [rng.choice(WORDS)]
            words[rng.randrange(len(words))] = rng.choice(WORDS)  # a close rewording
            text = " ".join(words)
        else:
            text = " ".join(rng.choices(WORDS, k=rng.randint(0, 9)))
        texts.append(text)
        row = replace(
            base,
            id=f"L{k}",
            text=text,
            source=rng.choice(SOURCES),
            article_id=rng.choice([None, 1, 2, 3, 4, 5, 6, 7, 8]),
            # Belarus in most: the question's topic, not a tie (``Likeness.topical``)
            entities=tuple(rng.sample(NAMES, rng.randint(0, 2)))
            + (("Belarus",) if rng.random() < 0.6 else ()),
            figures=tuple(rng.sample(FIGURES, rng.choice([0, 0, 1, 2]))),
        )
        if varied:
            row = replace(
                row,
                when=DAY + timedelta(days=rng.choice([0, 0, 0, 1, 2, 5, 9, 12])),
                indicator=rng.choice(["a", "a", "b", None]),
                polarity=rng.choice(["seen", "seen", "absent"]),
                kind="link" if rng.random() > 0.05 else "manual",
            )
        rows.append(row)
    return rows


def timed(rows: list[EvidenceRow], crowded: int) -> tuple[float, list[Any]]:
    evidence.CROWDED = crowded
    started = time.perf_counter()
    found = clusters(rows)
    return time.perf_counter() - started, found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000, 11000])
    parser.add_argument("--scan-max", type=int, default=4000, help="largest size scanned")
    args = parser.parse_args(argv)
    shipped = evidence.CROWDED
    timed(reports(200), shipped)  # imports and first calls out of the timings
    runs = []
    for n in args.sizes:
        rows = reports(n)
        arrays, found = timed(rows, 0)
        run: dict[str, Any] = {"reports": n, "arrays_s": round(arrays, 2),
                               "developments": len(found)}  # fmt: skip
        if n <= args.scan_max:
            scan, scanned = timed(rows, 10**9)
            run.update(scan_s=round(scan, 2), same=scanned == found)
        runs.append(run)
        print(json.dumps(run), flush=True)
    evidence.CROWDED = shipped
    result = {
        "command": ".venv/bin/python bench/developments_speed.py " + " ".join(sys.argv[1:]),
        "date": time.strftime("%Y-%m-%d"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "runs": runs,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    doc = ROOT / "docs" / "benchmarks.md"
    doc.write_text(replace_section(doc.read_text(encoding="utf-8"), section(result)), "utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)} and the section of docs/benchmarks.md")
    return 0


def section(result: dict[str, Any]) -> str:
    rows = ["| reports (one indicator, one day) | array form | pairwise scan | same result |",
            "|---:|---:|---:|---|"]  # fmt: skip
    for r in result["runs"]:
        scan = f"{r['scan_s']} s" if "scan_s" in r else "not run"
        same = ("yes" if r["same"] else "**no**") if "same" in r else "–"
        rows.append(f"| {r['reports']:,} | {r['arrays_s']} s | {scan} | {same} |")
    head = (
        f"`{result['command'].strip()}` ({result['date']}, {result['machine']['cpus']} cores,"
        f" load average {result['load_average']} at the end): grouping random, seeded reports"
        " of one indicator and one day into developments (`evidence.clusters`), with the"
        " array form (`assess/ties.py`) and with the pairwise scan it replaces for crowded"
        " windows; the two results are compared whole."
    )
    return "\n".join(["## Developments grouping speed", "", head, "", *rows, ""]) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
