"""The bundled case, measured: probabilities as of each article's date, scores, links, time.

Builds the demo store afresh (ingest and extract the five bundled articles), links them to
the belarus-2022 case with and without sentence embeddings, and assesses the case as of
each article's publication date (as the case file states it). Prints the figures, writes
bench/results/belarus_case.json and the "## The bundled case, measured" section of
docs/assessment.md (the rest of that file is kept). Reproduce from the repository root:

    .venv/bin/python bench/belarus_case.py

It is a benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tocsin.assess.assessment import assess
from tocsin.assess.case import bundled_case_path, load_case
from tocsin.assess.embed import Embedder
from tocsin.assess.relink import relink
from tocsin.assess.sources import article_facts
from tocsin.config import Config
from tocsin.demo import run_demo
from tocsin.extract.run import extract
from tocsin.store import assessment as queries
from tocsin.store.db import Store

ROOT = Path(__file__).resolve().parents[1]
JSON = ROOT / "bench" / "results" / "belarus_case.json"
DOC = ROOT / "docs" / "assessment.md"
REPEAT = 3

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_extraction import replace_section  # noqa: E402


def _timed(fn: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def measure() -> dict[str, Any]:
    case = load_case(bundled_case_path())
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "belarus.db"
        run_demo(db, Config.load(workers=1))
        with Store.open(db) as store:
            extract(store, workers=1)
            threads = Config.load().worker_count  # as `tocsin assess` runs it
            embedder, load_s = _timed(lambda: Embedder(threads=threads))
            times = []
            for _ in range(REPEAT):
                _, seconds = _timed(lambda: relink(store, case, embedder))
                times.append(seconds)
            methods = Counter(r.fields.method for r in queries.link_rows(store, case.id))
            dates = sorted(
                {f.published for a in store.articles() if (f := article_facts(a, case)).published}
            )
            by_date = []
            for when in dates:
                a = assess(store, case, as_of=when, relink_if_stale=True)
                by_date.append(
                    {
                        "as_of": when.isoformat(),
                        "items": len(a.evidence),
                        "posterior": a.posterior.probabilities,
                    }
                )
            full, assess_s = _timed(lambda: assess(store, case, relink_if_stale=True, record=True))
            scores = [
                {
                    "question": s.question_id,
                    "method": s.method,
                    "outcome": s.outcome,
                    "brier": s.brier,
                    "log": s.log,
                    "mean_brier": s.mean_brier,
                    "forecast": s.last.get(s.outcome, 0.0),
                    "as_of": s.last_as_of.isoformat(),
                }
                for s in full.track.scores
            ]
            # Descriptions and examples alone, every regular expression taken out (#11).
            bare = case.model_copy(
                update={
                    "indicators": [i.model_copy(update={"patterns": []}) for i in case.indicators]
                }
            )
            relink(store, bare, embedder)
            no_patterns = assess(store, bare, embedder=embedder, relink_if_stale=True)
            relink(store, case, None)
            patterns_only = assess(store, case, relink_if_stale=True)
    return {
        "links": {"total": sum(methods.values()), "by_method": dict(methods)},
        "no_patterns": {
            "links": sum(e.kind == "link" for e in no_patterns.evidence),
            "posterior": no_patterns.posterior.probabilities,
        },
        "patterns_only": {
            "links": sum(e.kind == "link" for e in patterns_only.evidence),
            "posterior": patterns_only.posterior.probabilities,
        },
        "priors": case.priors(),
        "by_date": by_date,
        "posterior": full.posterior.probabilities,
        "actor_model": full.actor_probabilities,
        "pivotal": list(full.sensitivity.pivotal),
        "scores": scores,
        "seconds": {
            "embedder_load": load_s,
            "embedding_threads": threads,
            "link_cold": times[0],
            "link_warm_median": statistics.median(times[1:]),
            "link_runs": times,
            "assess_without_linking": assess_s,
        },
    }


def _row(values: dict[str, float]) -> str:
    return " | ".join(f"{values[h]:.3f}" for h in ("H1", "H2", "H3"))


def section(r: dict[str, Any]) -> str:
    lines = [
        "## The bundled case, measured",
        "",
        "Written by `bench/belarus_case.py` from a fresh demo store (five articles; the dates",
        "are those the case file gives). H1 Belarusian forces join the fighting; H2 Belarus",
        "stays a platform for Russia; H3 Belarus distances itself. The case resolved as H2.",
        "",
        "| as of | evidence items | P(H1) | P(H2) | P(H3) |",
        "|---|---:|---:|---:|---:|",
        f"| prior | 0 | {_row(r['priors'])} |",
    ]
    lines += [f"| {d['as_of']} | {d['items']} | {_row(d['posterior'])} |" for d in r["by_date"]]
    lines += [
        "",
        f"The actor model's Monte Carlo gives {_row(r['actor_model'])} for H1 | H2 | H3.",
        f"Linked by patterns only, the final posterior is {_row(r['patterns_only']['posterior'])}"
        f" ({r['patterns_only']['links']} links, against {r['links']['total']} with embeddings:"
        f" {', '.join(f'{k} {v}' for k, v in sorted(r['links']['by_method'].items()))}).",
        f"Without its regular expressions (descriptions and examples matched by embedding"
        f" only), the final posterior is {_row(r['no_patterns']['posterior'])}"
        f" ({r['no_patterns']['links']} links).",
        f"Pivotal evidence groups (removing one changes the leader): "
        f"{', '.join(r['pivotal']) or 'none'}.",
        "",
        "| question | method | outcome | last forecast of it | Brier | log score | mean Brier |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {s['question']} | {s['method']} | {s['outcome']} | {s['forecast']:.3f}"
        f" ({s['as_of']}) | {s['brier']:.3f} | {s['log']:.3f} | {s['mean_brier']:.3f} |"
        for s in r["scores"]
    ]
    sec = r["seconds"]
    lines += [
        "",
        f"Time on this machine: loading the embedding model {sec['embedder_load']:.2f} s"
        f" ({sec['embedding_threads']} threads); linking the five articles (about 300"
        f" sentences against 13 indicators) {sec['link_cold']:.2f} s cold and"
        f" {sec['link_warm_median']:.2f} s with the sentence vectors cached (median of"
        f" {len(sec['link_runs']) - 1});"
        f" assessing without relinking {sec['assess_without_linking']:.2f} s"
        ".",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    results = measure()
    JSON.parent.mkdir(parents=True, exist_ok=True)
    JSON.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    text = section(results)
    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else "# The assessment\n"
    DOC.write_text(replace_section(doc, text), encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
