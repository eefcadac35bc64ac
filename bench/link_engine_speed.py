"""Linking on the local engine and on Ray: relink time, the links made, and peak memory.

Reproduce with ``.venv/bin/python bench/link_engine_speed.py`` from the repository root (the
corpus must sit beside the checkout). The sentences: the articles of the *tune* part of
``../shared/corpus/polnear-dev`` (as ``bench/link_speed.py``; the check part's files are never
opened), ingested and extracted once into a store (2 workers, untimed). Then, for each case
(the bundled belarus-2022 and the backtest's kherson-2022; nothing is tuned here) and each
engine, a child process relinks a fresh copy of that store twice:

- *cold*: its vector cache empty, so every candidate sentence is embedded;
- *warm*: again, the vectors now from the cache.

The engines: *local*, linking in the calling process with onnxruntime on 2 threads (what
``tocsin assess`` does); *ray*, a local Ray of 1 and of 2 CPUs (``relink(..., engine=)``, one
task per run of 512 sentences, the model loaded once per worker). Ray's start is timed apart
and left out. This script samples the RSS of the child's whole process tree every 0.1 s.
Each run's stored links are compared with the local run's: the table says whether they are
the same. It prints a table and writes bench/results/link_engine_speed.json and the
"Linking on the engines" section of docs/benchmarks.md. A benchmark, not a test: it asserts
nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from engine_speed import watch
from eval_extraction import ROOT, replace_section

# The child re-runs this module: what only the parent needs (tocsin's stages, spaCy) is
# imported in the parent's functions, so that the child's memory is the linking's own.

RESULTS = ROOT / "bench" / "results" / "link_engine_speed.json"
DOC = ROOT / "docs" / "benchmarks.md"
COMMAND = ".venv/bin/python bench/link_engine_speed.py"
RUNS = (("local", 2), ("ray", 1), ("ray", 2))


def child(engine_name: str, cpus: int, case_path: Path, db: Path) -> None:
    """In the child: relink ``db`` cold then warm on the engine; print the figures."""
    from tocsin.assess.case import load_case
    from tocsin.assess.embed import Embedder
    from tocsin.assess.link import units
    from tocsin.assess.relink import relink
    from tocsin.engine import RayEngine
    from tocsin.store import assessment as queries
    from tocsin.store.db import Store

    case = load_case(case_path)
    started = time.perf_counter()
    engine = RayEngine(num_cpus=cpus) if engine_name == "ray" else None
    if engine is not None:
        engine.start()
    startup = time.perf_counter() - started
    with Store.open(db) as store:
        sentences = sum(1 for _ in units(store, case))
        begun = time.perf_counter()  # cold counts loading the model, here or in each worker
        # Linking here embeds on every core; on Ray the writer embeds only the indicators.
        embedder = Embedder(threads=cpus if engine is None else 1)
        made = relink(store, case, embedder, engine)
        cold = time.perf_counter() - begun
        begun = time.perf_counter()
        relink(store, case, embedder, engine)
        warm = time.perf_counter() - begun
        rows = [
            {k: v for k, v in r.as_dict().items() if k != "id"}
            for r in queries.link_rows(store, case.id)
        ]
    if engine is not None:
        engine.close()
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()
    print(json.dumps({
        "startup_seconds": round(startup, 2),
        "sentences": sentences,
        "links": made,
        "cold_seconds": round(cold, 2),
        "warm_seconds": round(warm, 2),
        "links_digest": digest[:16],
    }))  # fmt: skip


def measure(engine: str, cpus: int, case: str, db: Path, work: Path) -> dict[str, Any]:
    """One child run on a fresh copy of the extracted store."""
    from extract_speed import copy_db
    from link_speed import CASES

    copy = work / f"{engine}-{cpus}.db"
    copy_db(db, copy)
    argv = [sys.executable, __file__, "--child", engine, str(cpus), str(CASES[case]), str(copy)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), *sys.path[1:]])}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=ROOT)
        peak = watch(proc)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise RuntimeError(f"{engine} {cpus} exited {proc.returncode}: {stderr.decode()[-2000:]}")
    found: dict[str, Any] = json.loads(stdout.decode().strip().splitlines()[-1])
    cold = found["cold_seconds"]
    return {
        "case": case,
        "engine": engine,
        "cpus": cpus,
        **found,
        "cold_sentences_per_second": round(found["sentences"] / cold, 1) if cold else None,
        "peak_rss_tree_mb": round(peak.rss_sum / 1024 / 1024, 1),
    }


def table(runs: list[dict[str, Any]]) -> str:
    rows = [
        "| case | engine | CPUs | sentences | links | start s | cold s | sentences/s cold"
        " | warm s | links as local's | tree RSS |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    local = {r["case"]: r["links_digest"] for r in runs if r["engine"] == "local"}
    for r in runs:
        same = "yes" if r["links_digest"] == local.get(r["case"]) else "**no**"
        rows.append(
            f"| {r['case']} | {r['engine']} | {r['cpus']} | {r['sentences']:,} | {r['links']:,}"
            f" | {r['startup_seconds']} | {r['cold_seconds']} | {r['cold_sentences_per_second']}"
            f" | {r['warm_seconds']} | {same} | {r['peak_rss_tree_mb']:,.0f} MB |"
        )
    return "\n".join(rows)


def section(result: dict[str, Any]) -> str:
    m = result["machine"]
    start, end = result["loadavg"]
    head = (
        f"`{result['command']}` ({result['date']}, {m['cpu']}, {m['nproc']} cores, Python"
        f" {m['python']}; load average {start} at the start, {end} at the end): {WHAT}"
    )
    return "\n".join(["## Linking on the engines", "", head, "", table(result["runs"]), "",
                      READ]) + "\n"  # fmt: skip


WHAT = """each case's links remade from the tune part of polnear-dev (ingested and \
extracted once, untimed) in a child process, on a fresh copy of the store: *cold* with the \
vector cache empty (every sentence embedded, the model's loading counted, in each worker for \
Ray), then *warm* (vectors from the cache). Both cases use the rules linker. *local* \
links in the calling process with onnxruntime on 2 threads, as `tocsin assess` does; *ray* \
hands runs of 512 sentences to a local Ray of 1 or 2 CPUs, its start (*start s*) left out. \
*Links as local's*: whether every stored link, field by field, equals the local run's. \
*Tree RSS* sums every process of the run (Ray's own included, shared pages counted in each)."""
READ = """Linking is embedding, in the main: on one machine Ray adds the trip of each run \
and its vectors through the object store, and the writer waits on the slowest run of its \
window; its use is spreading the embedding over more cores than one machine has."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--from-json", action="store_true", help="the docs from the last run")
    args = parser.parse_args()
    if args.child:
        engine, cpus, case_path, db = args.child
        child(engine, int(cpus), Path(case_path), Path(db))
        return
    if args.from_json:
        result = json.loads(RESULTS.read_text(encoding="utf-8"))
    else:
        from eval_polnear import CORPUS
        from ingest_speed import machine
        from link_speed import CASES, build_store, tune_texts

        load_start = os.getloadavg()[0]
        runs = []
        with tempfile.TemporaryDirectory(prefix="link-engines-") as tmp:
            work = Path(tmp)
            db = build_store(tune_texts(CORPUS), work)
            for case in CASES:
                for engine, cpus in RUNS:
                    print(f"{case}: {engine} on {cpus} CPU(s) ...", file=sys.stderr)
                    runs.append(measure(engine, cpus, case, db, work))
        result = {
            "command": COMMAND,
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": machine(),
            "loadavg": [round(load_start, 1), round(os.getloadavg()[0], 1)],
            "runs": runs,
        }
        RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(table(result["runs"]))
    DOC.write_text(replace_section(DOC.read_text(encoding="utf-8"), section(result)), "utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)} and the section of {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
