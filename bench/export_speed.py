"""Export speed: ``tocsin export --format parquet`` over a synthetic store, rows/s and memory.

Builds (or finds in bench/.cache/) the store of bench/synthetic_store.py for each size given
(default 10,000 articles: some 34 mentions, 3 figures, 3 dates, 3 quotes, 2 claims and 3
events each, 10 cases of links and forecasts), then exports every table to Parquet in a
fresh child process, so that the peak resident memory measured is the export's alone and
not the building's. For each size it prints the rows written per table, the time, rows per
second, the size of the files, and the child's peak RSS, also over that of a child that only
imports the same modules. Run two sizes to see that memory stays flat as the store grows:

    .venv/bin/python bench/export_speed.py --articles 2000 10000 [--batch-rows 10000]

It is a benchmark, not a test: it asserts nothing, and writes no docs page (the lead puts
the figures in docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ingest_speed
import synthetic_store
from eval_extraction import replace_section

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "export_speed.json"
DOC = ROOT / "docs" / "benchmarks.md"
COMMAND = ".venv/bin/python bench/export_speed.py"


def export_once(db: Path, out: Path, batch_rows: int) -> dict[str, Any]:
    """Export ``db`` into ``out`` in this process; the figures of that one run."""
    from tocsin.export import export_parquet
    from tocsin.store.db import Store

    started = time.perf_counter()
    with Store.open(db, read_only=True) as store:
        summary = export_parquet(store, out, batch_rows=batch_rows)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": summary.rows,
        "tables": {t.name: t.rows for t in summary.tables},
        "bytes": sum(t.path.stat().st_size for t in summary.tables),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "problems": summary.problem_count,
    }


def baseline_rss() -> float:
    """Peak RSS of a child that only imports what the export imports, MB."""
    code = (
        "import resource, tocsin.export, tocsin.store.db;"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout)


def measure(articles: int, batch_rows: int) -> dict[str, Any]:
    """Build or find the store of ``articles`` articles; export it in a child process."""
    db = synthetic_store.cached(articles)
    store_bytes = db.stat().st_size
    with tempfile.TemporaryDirectory(prefix="export-speed-") as folder:
        out = Path(folder) / "export"
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(db), str(out), str(batch_rows)],
            capture_output=True,
            text=True,
            check=True,
        )
        result: dict[str, Any] = json.loads(done.stdout)
    result["articles"] = articles
    result["store_mb"] = store_bytes / 1e6
    return result


def table(runs: list[dict[str, Any]], base: float) -> str:
    lines = [
        "| articles | store | rows | time | rows/s | Parquet | peak RSS | over imports |",
        "|---:" * 8 + "|",
    ]
    for r in runs:
        lines.append(
            f"| {r['articles']:,} | {r['store_mb']:,.0f} MB | {r['rows']:,} | {r['seconds']:.1f} s"
            f" | {r['rows'] / r['seconds']:,.0f} | {r['bytes'] / 1e6:,.1f} MB"
            f" | {r['peak_rss_mb']:,.0f} MB | {r['peak_rss_mb'] - base:,.0f} MB |"
        )
    return "\n".join(lines)


def section(runs: list[dict[str, Any]], base: float, batch_rows: int) -> str:
    m = ingest_speed.machine()
    head = f"`{COMMAND}` ({m['date']}, {m['cpu']}, {m['nproc']} cores, Python {m['python']}):"
    what = WHAT.format(batch=f"{batch_rows:,}", base=f"{base:.0f}")
    lines = ["## Parquet export", "", f"{head} {what}", "", table(runs, base), "", FLAT]
    return "\n".join(lines) + "\n"


WHAT = """`tocsin.export.export_parquet` of the synthetic stores of \
`bench/synthetic_store.py` (10 cases of 300 links, the articles' entities, quotes, claims, \
figures, dates and events) into one zstd Parquet file per table, in a child process whose \
peak RSS is sampled; record batches of {batch} rows. A child that only imports the modules \
peaks at {base} MB."""
FLAT = """Memory is the batch's, not the store's: the peak stays level while the store \
grows tenfold."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--batch-rows", type=int, default=10_000)
    parser.add_argument("--no-doc", action="store_true", help="print only")
    parser.add_argument("--child", nargs=3, metavar=("DB", "OUT", "BATCH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        db, out, batch = args.child
        print(json.dumps(export_once(Path(db), Path(out), int(batch))))
        return
    base = baseline_rss()
    print(f"batch of {args.batch_rows:,} rows; a child that only imports peaks at {base:.0f} MB")
    runs = [measure(n, args.batch_rows) for n in args.articles]
    print(table(runs, base))
    for r in runs:
        tables = ", ".join(f"{name} {rows:,}" for name, rows in r["tables"].items())
        print(f"{r['articles']:,} articles: {tables}; values written as null: {r['problems']}")
    if args.no_doc:
        return
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"command": COMMAND, "baseline_mb": base, "runs": runs},
                                  indent=2, default=str) + "\n", encoding="utf-8")  # fmt: skip
    doc = DOC.read_text(encoding="utf-8")
    DOC.write_text(replace_section(doc, section(runs, base, args.batch_rows)), encoding="utf-8")
    print(f"wrote {RESULTS} and the 'Parquet export' section of {DOC}")


if __name__ == "__main__":
    main()
