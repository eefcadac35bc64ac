"""Fit the link model (tocsin.assess.link_model) on the gold links of the backtest shelf.

For every question tuned on (never a held-out one), builds the store, scores every candidate
sentence against every indicator (cosine to the nearest description or example, margin,
nearest, pattern), labels each pair by the gold (a gold link of the indicator overlapping
the sentence by half the shorter), and fits a logistic regression. Each question is scored
with the model fitted on the others (leave one question out), with and without the pattern
feature; then the model fitted on all of them is printed, written to the "Links learned from the
shelf" section of docs/backtest.md, and with ``--ship`` to
src/tocsin/assess/data/link_model.json for the linker. Reproduce from the repository root:

    .venv/bin/python bench/fit_links.py
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from tocsin.assess.backtest import gold_spans, load_shelf, overlap, prepare
from tocsin.assess.case import load_case
from tocsin.assess.embed import Embedder
from tocsin.assess.link import pattern_matrix, similarity_matrix, units
from tocsin.assess.link_model import FEATURES, MODEL_FILE, LinkModel, pair_features
from tocsin.config import Config
from tocsin.store.db import Store

ROOT = Path(__file__).resolve().parents[1]
SHELF = ROOT / "backtest"
MODEL = ROOT / "src" / "tocsin" / "assess" / "data" / MODEL_FILE
JSON = ROOT / "bench" / "results" / "fit_links.json"
DOC = ROOT / "docs" / "backtest.md"
THRESHOLD = 0.5

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_extraction import replace_section, rounded  # noqa: E402
from eval_linking import tfidf_cosines  # noqa: E402


def question_pairs(
    question: Any, workdir: Path, embedder: Embedder
) -> tuple[np.ndarray, np.ndarray]:
    """Features (pairs, F) and gold labels (pairs,) of one question."""
    case = load_case(question.case_path)
    db, _ = prepare(question, workdir)
    with Store.open(db) as store:
        found = list(units(store, case))
        spans = gold_spans(store, question)
    sims = similarity_matrix(case, found, embedder)
    hits = pattern_matrix(case, found)
    x = pair_features(sims, hits, tfidf_cosines(case, found)).reshape(-1, len(FEATURES))
    labels = np.array(
        [
            any(
                overlap(u.start, u.end, a, b) >= 0.5
                for a, b, _ in spans.get((u.article.article_id, ind.id), ())
            )
            for u in found
            for ind in case.indicators
        ],
        dtype=bool,
    )
    return x, labels


def prf(truth: np.ndarray, chosen: np.ndarray) -> dict[str, float]:
    tp = int((truth & chosen).sum())
    p = tp / int(chosen.sum()) if chosen.sum() else 0.0
    r = tp / int(truth.sum()) if truth.sum() else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def _model(x: np.ndarray, y: np.ndarray) -> LogisticRegression:
    return LogisticRegression(max_iter=1000).fit(x, y)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--no-write", action="store_true", help="print only; write no files")
    parser.add_argument(
        "--ship", action="store_true", help="also write the fitted model for the linker to use"
    )
    args = parser.parse_args(argv)
    questions = [q for q in load_shelf(SHELF) if not q.held_out]
    embedder = Embedder(threads=Config.load().worker_count)
    data: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for q in questions:
            print(f"== {q.qid}", file=sys.stderr, flush=True)
            data[q.qid] = question_pairs(q, Path(folder), embedder)
    rows = []
    no_pattern = [k for k, f in enumerate(FEATURES) if f != "pattern"]
    variants: list[tuple[str, Any]] = [
        ("embeddings, patterns", [0, 1, 2, 3]),
        ("embeddings", [0, 1, 2]),
        ("embeddings, TF-IDF, patterns", list(range(len(FEATURES)))),
        ("embeddings, TF-IDF", no_pattern),
    ]
    for variant, columns in variants:
        pooled_truth, pooled_chosen = [], []
        for qid, (x, y) in data.items():
            train = [data[o] for o in data if o != qid]
            model = _model(np.vstack([t[0][:, columns] for t in train]),
                           np.concatenate([t[1] for t in train]))  # fmt: skip
            chosen = model.predict_proba(x[:, columns])[:, 1] >= THRESHOLD
            rows.append({"variant": variant, "question": qid, **prf(y, chosen)})
            pooled_truth.append(y)
            pooled_chosen.append(chosen)
        rows.append(
            {"variant": variant, "question": "all, pooled",
             **prf(np.concatenate(pooled_truth), np.concatenate(pooled_chosen))}
        )  # fmt: skip
    x_all = np.vstack([d[0] for d in data.values()])
    y_all = np.concatenate([d[1] for d in data.values()])
    final = _model(x_all, y_all)
    model = LinkModel(
        weights=tuple(round(float(w), 6) for w in final.coef_[0]),
        bias=round(float(final.intercept_[0]), 6),
        threshold=THRESHOLD,
        fitted=(
            f"logistic regression (scikit-learn) on {len(y_all)} (sentence, indicator) pairs, "
            f"{int(y_all.sum())} gold links, of the backtest questions {', '.join(data)}; "
            f"{date.today().isoformat()}, bench/fit_links.py"
        ),
    )
    table = ["| model | left-out question | P | R | F1 |", "|---|---|---:|---:|---:|"]
    table += [
        f"| {r['variant']} | {r['question']} | {r['precision']:.3f} | {r['recall']:.3f} | "
        f"{r['f1']:.3f} |"
        for r in rows
    ]
    section = "\n".join(
        [
            "## Links learned from the shelf",
            "",
            f"Measured on {date.today().isoformat()} with `.venv/bin/python bench/fit_links.py`: "
            "every candidate sentence against every indicator of its case (multi-label), "
            "features " + ", ".join(FEATURES) + f"; a link when P(right) ≥ {THRESHOLD}. Each "
            "question scored with the model fitted on the other questions tuned on:",
            "",
            *table,
            "",
            f"Model fitted on all of them (not used by the linker yet: the pooled F1 is below "
            "the current linker's; `--ship` writes it for the linker): weights "
            f"{dict(zip(FEATURES, model.weights, strict=True))}, "
            f"bias {model.bias}; {model.fitted}.",
            "",
        ]
    )
    print(section)
    if args.ship:
        MODEL.write_text(json.dumps(model.as_dict(), indent=2) + "\n", encoding="utf-8")
    if not args.no_write:
        JSON.write_text(
            json.dumps(rounded({"rows": rows, "model": model.as_dict()}), indent=2) + "\n", "utf-8"
        )
        DOC.write_text(replace_section(DOC.read_text("utf-8"), section), encoding="utf-8")
        print(f"wrote {JSON} and {DOC}", file=sys.stderr)
    if args.ship:
        print(f"wrote {MODEL}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
