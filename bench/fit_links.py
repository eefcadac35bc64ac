"""Fit the link models (tocsin.assess.link_model) on the gold links of the backtest shelf.

For every question tuned on (never a held-out one), builds the store, measures every candidate
sentence against every indicator (``link.pair_scores``), labels each pair by the gold (a gold
link of the indicator overlapping the sentence by half the shorter), and fits two logistic
regressions: one with the pattern feature (for indicators with patterns), one without.

Everything is measured leaving one question out: each question is scored with the models
fitted on the others. Each model's threshold is the one with the best pooled left-out F1.
Then the analyst's review is simulated: for each indicator of the left-out question, the 10
links the model is surest of are decided by the gold (accepted if right, rejected if not), the
question is linked again with what those decisions teach (``link.Lessons``: accepted
sentences as examples, rejected ones as counter-examples), and precision and recall are
measured on the pairs nobody decided; the counter-example factor with the best F0.5 there is
kept (that review's goal is precision). The models fitted on all the questions are written to
the "Links learned from the shelf" section of docs/backtest.md, bench/results/fit_links.json
and, with ``--ship``, src/tocsin/assess/data/link_model.json for the linker. Reproduce
from the repository root:

    .venv/bin/python bench/fit_links.py --ship
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from tocsin.assess.backtest import Question, gold_spans, load_shelf, overlap, prepare
from tocsin.assess.case import Case, load_case
from tocsin.assess.embed import Embedder
from tocsin.assess.link import Unit, link_units, pair_scores, units
from tocsin.assess.link_model import (
    FEATURES,
    MODEL_FILE,
    WITHOUT_PATTERN,
    Lessons,
    LinkModel,
    LinkModels,
    pair_features,
)
from tocsin.config import Config
from tocsin.store.db import Store

ROOT = Path(__file__).resolve().parents[1]
SHELF = ROOT / "backtest"
MODEL = ROOT / "src" / "tocsin" / "assess" / "data" / MODEL_FILE
JSON = ROOT / "bench" / "results" / "fit_links.json"
DOC = ROOT / "docs" / "backtest.md"
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.15, 0.65, 0.05))
COUNTER_FACTORS = (0.0, 0.25, 0.5, 1.0)
REVIEWED = 10  # decisions per indicator in the simulated review

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_extraction import replace_section, rounded  # noqa: E402


@dataclass
class Pairs:
    """One question's candidates, their features (sentences, indicators, F) and gold labels."""

    case: Case
    found: list[Unit]
    vectors: np.ndarray
    x: np.ndarray
    y: np.ndarray  # (sentences, indicators) bool


def question_pairs(question: Question, workdir: Path, embedder: Embedder) -> Pairs:
    case = load_case(question.case_path)
    db, _ = prepare(question, workdir)
    with Store.open(db) as store:
        found = list(units(store, case))
        spans = gold_spans(store, question)
    vectors = embedder.encode([u.text for u in found])
    x = pair_features(pair_scores(case, found, embedder, vectors))
    y = np.array(
        [
            [
                any(
                    overlap(u.start, u.end, a, b) >= 0.5
                    for a, b, _ in spans.get((u.article.article_id, ind.id), ())
                )
                for ind in case.indicators
            ]
            for u in found
        ],
        dtype=bool,
    ).reshape(len(found), len(case.indicators))
    return Pairs(case, found, vectors, x, y)


def prf(truth: np.ndarray, chosen: np.ndarray) -> dict[str, float]:
    tp = int((truth & chosen).sum())
    p = tp / int(chosen.sum()) if chosen.sum() else 0.0
    r = tp / int(truth.sum()) if truth.sum() else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def _f_half(score: dict[str, float]) -> float:
    p, r = score["precision"], score["recall"]
    return 1.25 * p * r / (0.25 * p + r) if p + r else 0.0


def fit(data: Sequence[Pairs], features: tuple[str, ...], threshold: float) -> LinkModel:
    """A logistic regression on every pair of ``data``, over ``features``."""
    k = len(features)
    x = np.vstack([p.x.reshape(-1, len(FEATURES))[:, :k] for p in data])
    y = np.concatenate([p.y.reshape(-1) for p in data])
    model = LogisticRegression(max_iter=2000).fit(x, y)
    return LinkModel(
        features,
        tuple(round(float(w), 6) for w in model.coef_[0]),
        round(float(model.intercept_[0]), 6),
        threshold,
    )


def left_out(data: dict[str, Pairs], features: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Each question's P(right) of every pair by the model fitted on the others."""
    return {
        qid: fit([p for o, p in data.items() if o != qid], features, 0.5).probability(
            pairs.x[..., : len(features)]
        )
        for qid, pairs in data.items()
    }


def best_threshold(data: dict[str, Pairs], probability: dict[str, np.ndarray]) -> float:
    truth = np.concatenate([data[q].y.reshape(-1) for q in data])
    p = np.concatenate([probability[q].reshape(-1) for q in data])
    return max(THRESHOLDS, key=lambda t: (prf(truth, p >= t)["f1"], t))


def review(pairs: Pairs, probability: np.ndarray) -> tuple[Lessons, np.ndarray]:
    """The simulated analyst: per indicator, the ``REVIEWED`` pairs the model is surest of,
    decided by the gold. Returns what they teach and which pairs were decided."""
    decided = np.zeros_like(pairs.y)
    taught = []
    for j, indicator in enumerate(pairs.case.indicators):
        for i in np.argsort(-probability[:, j], kind="stable")[:REVIEWED]:
            decided[i, j] = True
            verdict = "accept" if pairs.y[i, j] else "reject"
            taught.append((verdict, indicator.id, None, pairs.found[i].text))
    return Lessons.of(pairs.case, taught), decided


def linked(pairs: Pairs, models: LinkModels, lessons: Lessons, embedder: Embedder) -> np.ndarray:
    """Which pairs the linker links, (sentences, indicators)."""
    index = {id(u): i for i, u in enumerate(pairs.found)}
    columns = {ind.id: j for j, ind in enumerate(pairs.case.indicators)}
    out = np.zeros_like(pairs.y)
    for link in link_units(
        pairs.case, pairs.found, embedder, pairs.vectors, lessons=lessons, models=models
    ):
        out[index[id(link.unit)], columns[link.indicator_id]] = True
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--no-write", action="store_true", help="print only; write no files")
    parser.add_argument(
        "--ship", action="store_true", help="also write the fitted models for the linker to use"
    )
    args = parser.parse_args(argv)
    questions = [q for q in load_shelf(SHELF) if not q.held_out]
    embedder = Embedder(threads=Config.load().worker_count)
    data: dict[str, Pairs] = {}
    with tempfile.TemporaryDirectory() as folder:
        for q in questions:
            print(f"== {q.qid}", file=sys.stderr, flush=True)
            data[q.qid] = question_pairs(q, Path(folder), embedder)

    rows: list[dict[str, Any]] = []
    chosen: dict[str, float] = {}
    probabilities: dict[str, dict[str, np.ndarray]] = {}
    for variant, features in (("with patterns", FEATURES), ("without patterns", WITHOUT_PATTERN)):
        probability = left_out(data, features)
        probabilities[variant] = probability
        chosen[variant] = best_threshold(data, probability)
        for qid, pairs in data.items():
            rows.append({"variant": variant, "question": qid,
                         **prf(pairs.y, probability[qid] >= chosen[variant])})  # fmt: skip
        truth = np.concatenate([p.y.reshape(-1) for p in data.values()])
        pooled = np.concatenate([probability[q].reshape(-1) for q in data])
        rows.append({"variant": variant, "question": "all, pooled",
                     **prf(truth, pooled >= chosen[variant])})  # fmt: skip

    # The simulated review, per variant and counter-example factor, left out as above.
    reviews: list[dict[str, Any]] = []
    for variant, features in (("with patterns", FEATURES), ("without patterns", WITHOUT_PATTERN)):
        for factor in COUNTER_FACTORS:
            truth_all, before_all, after_all = [], [], []
            for qid, pairs in data.items():
                others = [p for o, p in data.items() if o != qid]
                model = fit(others, features, chosen[variant])
                models = LinkModels(model, model, factor, "left out")
                if variant == "without patterns":
                    pairs = replace(pairs, case=_without_patterns(pairs.case))
                lessons, decided = review(pairs, probabilities[variant][qid])
                before = linked(pairs, models, Lessons(), embedder)
                after = linked(pairs, models, lessons, embedder)
                rest = ~decided
                truth_all.append(pairs.y[rest])
                before_all.append(before[rest])
                after_all.append(after[rest])
            truth = np.concatenate(truth_all)
            reviews.append(
                {
                    "variant": variant,
                    "counter_factor": factor,
                    "before": prf(truth, np.concatenate(before_all)),
                    "after": prf(truth, np.concatenate(after_all)),
                }
            )
            print(reviews[-1], file=sys.stderr, flush=True)
    # The review's goal is precision: the factor with the best F0.5 after it, without patterns.
    factor = max(
        (r for r in reviews if r["variant"] == "without patterns"),
        key=lambda r: (_f_half(r["after"]), r["counter_factor"]),
    )["counter_factor"]

    everything = list(data.values())
    n_pairs = sum(p.y.size for p in everything)
    n_gold = sum(int(p.y.sum()) for p in everything)
    shipped = LinkModels(
        fit(everything, FEATURES, chosen["with patterns"]),
        fit(everything, WITHOUT_PATTERN, chosen["without patterns"]),
        factor,
        fitted=(
            f"logistic regressions (scikit-learn) on {n_pairs} (sentence, indicator) pairs, "
            f"{n_gold} gold links, of the backtest questions {', '.join(data)}; thresholds "
            f"by left-out F1, the counter-example factor by left-out F0.5 after the review; "
            f"{date.today().isoformat()}, bench/fit_links.py"
        ),
    )
    section = _section(rows, reviews, shipped)
    print(section)
    if args.ship:
        MODEL.write_text(json.dumps(shipped.as_dict(), indent=2) + "\n", encoding="utf-8")
        print(f"wrote {MODEL}", file=sys.stderr)
    if not args.no_write:
        JSON.write_text(
            json.dumps(
                rounded({"rows": rows, "reviews": reviews, "models": shipped.as_dict()}), indent=2
            )
            + "\n",
            "utf-8",
        )
        DOC.write_text(replace_section(DOC.read_text("utf-8"), section), encoding="utf-8")
        print(f"wrote {JSON} and {DOC}", file=sys.stderr)
    return 0


def _without_patterns(case: Case) -> Case:
    return case.model_copy(
        update={"indicators": [i.model_copy(update={"patterns": []}) for i in case.indicators]}
    )


def _section(rows: list[dict[str, Any]], reviews: list[dict[str, Any]], models: LinkModels) -> str:
    table = ["| model | left-out question | P | R | F1 |", "|---|---|---:|---:|---:|"]
    table += [
        f"| {r['variant']} | {r['question']} | {r['precision']:.3f} | {r['recall']:.3f} | "
        f"{r['f1']:.3f} |"
        for r in rows
    ]
    review = [
        "| model | counter-example factor | P before | R before | P after | R after | F1 after |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    review += [
        f"| {r['variant']} | {r['counter_factor']} | {r['before']['precision']:.3f} | "
        f"{r['before']['recall']:.3f} | {r['after']['precision']:.3f} | "
        f"{r['after']['recall']:.3f} | {r['after']['f1']:.3f} |"
        for r in reviews
    ]
    weights = {
        name: dict(zip(m.features, m.weights, strict=True))
        for name, m in (("with patterns", models.patterns), ("without patterns", models.plain))
    }
    return "\n".join(
        [
            "## Links learned from the shelf",
            "",
            f"Measured on {date.today().isoformat()} with `.venv/bin/python bench/fit_links.py "
            "--ship`: every candidate sentence against every indicator of its case "
            "(multi-label), features " + ", ".join(FEATURES) + ". Each question is scored "
            "with the models fitted on the other questions tuned on, at the threshold with "
            "the best pooled left-out F1 (the model without patterns is measured on the case "
            "with its patterns removed):",
            "",
            *table,
            "",
            f"The analyst's review, simulated: per indicator the {REVIEWED} links the model "
            "is surest of are decided by the gold, the question is linked again with what "
            "they teach (accepted sentences become examples, rejected ones counter-examples), "
            "and P and R are measured on the pairs nobody decided (left out as above); the "
            "factor shipped is the one with the best F0.5 without patterns:",
            "",
            *review,
            "",
            f"Shipped (src/tocsin/assess/data/link_model.json): with patterns, threshold "
            f"{models.patterns.threshold}, weights {weights['with patterns']}, bias "
            f"{models.patterns.bias}; without patterns, threshold {models.plain.threshold}, "
            f"weights {weights['without patterns']}, bias {models.plain.bias}; "
            f"counter-example factor {models.counter_factor}; {models.fitted}.",
            "",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
