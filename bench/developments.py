"""One development, one observation: how well tocsin joins reports of one development.

On the backtest questions that carry gold developments (``developments.json``: which
gold-linked sentences report the same development, written by reading the articles), each
gold sentence becomes an evidence row as the linker would make it (its article's date and
outlet, its speaker or source chain and the independence key they give, the entities,
figures and days the evidence layer found in it), and the rows are clustered:

- **window only**: every report of one indicator and polarity within ``CLUSTER_DAYS`` of a
  development's first report is that development (tocsin before this change);
- **tocsin**: ``evidence.clusters`` as shipped (window, and a tie by wording, key entities,
  a figure or day, or the original source);
- variants: the wording measured by the sentence model's cosine instead of TF-IDF, and
  one tie at a time.

Scores are pairwise precision, recall and F1 of the joins over the pairs of reports of one
indicator, and B-cubed precision and recall. Only the questions tuned on carry gold
developments; the held-out ones are never read. Reproduce from the repository root:

    python bench/developments.py            # writes bench/results/developments.json

It is a benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

from tocsin.assess import developments as dev
from tocsin.assess import evidence as ev
from tocsin.assess.backtest import Question, load_shelf, overlap, prepare
from tocsin.assess.case import Case, load_case
from tocsin.assess.evidence import CLUSTER_DAYS, EvidenceRow, clusters, with_facts
from tocsin.assess.link import Unit, independence_key, units
from tocsin.assess.sources import SourceBook
from tocsin.store.db import Store
from tocsin.store.evidence import span_facts

ROOT = Path(__file__).resolve().parents[1]
SHELF = ROOT / "backtest"
JSON = ROOT / "bench" / "results" / "developments.json"
GOLD = "developments.json"


@dataclass(frozen=True)
class Gold:
    rows: list[EvidenceRow]
    development: dict[str, str]  # row id -> gold development label


def gold_rows(store: Store, question: Question, case: Case) -> Gold:
    """The gold sentences as evidence rows, with their gold development."""
    data = json.loads((question.folder / GOLD).read_text(encoding="utf-8"))["developments"]
    by_url = {a.url: a for a in store.articles(include_duplicates=False) if a.url}
    articles = {str(r["id"]): by_url.get(str(r["url"])) for r in question.articles()}
    candidates: dict[int, list[Unit]] = {}
    for unit in units(store, case):
        candidates.setdefault(unit.article.article_id, []).append(unit)
    book = SourceBook(case.sources)
    rows, labels = [], {}
    for n, g in enumerate(data):
        article = articles.get(g["article"])
        at = article.text.find(g["sentence"]) if article else -1
        if article is None or at < 0:
            continue  # a near-duplicate article is no candidate: the linker never sees it
        end = at + len(g["sentence"])
        near = [u for u in candidates.get(article.id, []) if overlap(u.start, u.end, at, end)]
        if not near:
            continue
        unit = max(near, key=lambda u: overlap(u.start, u.end, at, end))
        spoken = book.grade(unit.source, *reversed(unit.chain))
        grade = spoken if spoken.graded else book.grade(unit.article.outlet)
        row = EvidenceRow(
            id=f"G{n}",
            kind="link",
            text=g["sentence"],
            when=unit.article.published,
            indicator=g["indicator"],
            polarity=g["polarity"],
            status=unit.status,
            source=spoken.source if spoken.graded or unit.source else grade.source,
            reliability=grade.reliability,
            credibility=grade.credibility,
            score=1.0,
            weight=1.0,
            reason="gold",
            source_key=independence_key(
                g["indicator"], unit, spoken.source if spoken.graded else None
            ),
            article_id=article.id,
            start=at,
            end=end,
            likelihoods={"H1": 0.5, "H2": 0.5},
        )
        rows.append(row)
        labels[row.id] = g["development"]
    return Gold(with_facts(rows, span_facts(store)), labels)


def window_only(rows: Sequence[EvidenceRow], window: int = CLUSTER_DAYS) -> list[list[str]]:
    """tocsin's clusters before this change: the window alone."""
    found: list[list[EvidenceRow]] = []
    open_: dict[tuple[str | None, str], list[EvidenceRow]] = {}
    for row in sorted(rows, key=lambda r: (r.when, r.id)):
        assert row.when is not None
        current = open_.get((row.indicator, row.polarity))
        if current is None or current[0].when is None or (row.when - current[0].when).days > window:
            current = []
            open_[(row.indicator, row.polarity)] = current
            found.append(current)
        current.append(row)
    return [[r.id for r in c] for c in found]


def shipped(rows: Sequence[EvidenceRow]) -> list[list[str]]:
    return [list(c.members) for c in clusters(rows, CLUSTER_DAYS)]


def scores(gold: Gold, found: Sequence[Sequence[str]]) -> dict[str, float]:
    """Pairwise precision, recall, F1 over pairs of reports of one indicator; B-cubed."""
    cluster_of = {m: k for k, members in enumerate(found) for m in members}
    indicator = {r.id: r.indicator for r in gold.rows}
    truth = gold.development
    tp = fp = fn = 0
    for a, b in combinations(sorted(truth), 2):
        if indicator[a] != indicator[b]:
            continue
        same, joined = truth[a] == truth[b], cluster_of[a] == cluster_of[b]
        tp += same and joined
        fp += joined and not same
        fn += same and not joined
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    b_p, b_r = [], []
    for a in truth:
        mine = {m for m in truth if cluster_of[m] == cluster_of[a]}
        theirs = {m for m in truth if truth[m] == truth[a]}
        b_p.append(len(mine & theirs) / len(mine))
        b_r.append(len(mine & theirs) / len(theirs))
    bp, br = sum(b_p) / len(b_p), sum(b_r) / len(b_r)
    return {
        "pairs_gold": tp + fn,
        "pairs_joined": tp + fp,
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "bcubed_precision": bp,
        "bcubed_recall": br,
        "bcubed_f1": 2 * bp * br / (bp + br) if bp + br else 0.0,
    }


@contextmanager
def patched(**values: Any) -> Any:
    """``developments`` with some of its numbers changed, for one variant."""
    old = {k: getattr(dev, k) for k in values}
    for k, v in values.items():
        setattr(dev, k, v)
    try:
        yield
    finally:
        for k, v in old.items():
            setattr(dev, k, v)


def embedding_wording(
    vectors: dict[str, np.ndarray],
) -> Callable[[Sequence[EvidenceRow]], list[list[str]]]:
    """tocsin's clusters with the wording measured by the sentence model's cosine."""

    def run(rows: Sequence[EvidenceRow]) -> list[list[str]]:
        dated = sorted(rows, key=lambda r: (r.when, r.id))
        matrix = np.stack([vectors[r.id] for r in dated])
        cosines = matrix @ matrix.T

        class Embedded(dev.Likeness):
            def wording(self, i: int, j: int) -> float:
                return float(cosines[i, j])

            def wordings(self, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
                return np.asarray(cosines[np.ix_(rows, columns)], dtype=np.float64)

        original = ev.Likeness
        ev.Likeness = Embedded  # type: ignore[misc]
        try:
            return shipped(rows)
        finally:
            ev.Likeness = original  # type: ignore[misc]

    return run


def variants(
    vectors: dict[str, np.ndarray] | None,
) -> dict[str, Callable[[Sequence[EvidenceRow]], list[list[str]]]]:
    never = 9.0

    def with_(**values: Any) -> Callable[[Sequence[EvidenceRow]], list[list[str]]]:
        def run(rows: Sequence[EvidenceRow]) -> list[list[str]]:
            with patched(**values):
                return shipped(rows)

        return run

    out: dict[str, Callable[[Sequence[EvidenceRow]], list[list[str]]]] = {
        "window only (before)": window_only,
        "tocsin (after)": shipped,
    }
    for close in (0.3, 0.4, 0.5, 0.6, 0.7):
        out[f"TF-IDF close wording {close}"] = with_(CLOSE_WORDING=close)
    for share in (0.1, 0.2, 0.3, 0.5):
        out[f"topical share {share}"] = with_(TOPICAL_SHARE=share)
    out["no entities"] = with_(TOPICAL_SHARE=0.0, TOPICAL_MIN=0)
    out["ties only (no unless-apart)"] = with_(UNLESS_APART=False)
    for share in (0.1, 0.3, 0.5):
        out[f"ties only, topical share {share}"] = with_(UNLESS_APART=False, TOPICAL_SHARE=share)
    out["no wording"] = with_(CLOSE_WORDING=never, NEAR_IDENTICAL=never)
    if vectors is not None:
        for close in (0.5, 0.6, 0.7, 0.8):
            out[f"embedding close wording {close}"] = _chain(
                embedding_wording(vectors), CLOSE_WORDING=close
            )
            out[f"ties only, embedding close wording {close}"] = _chain(
                embedding_wording(vectors), CLOSE_WORDING=close, UNLESS_APART=False
            )
    return out


def _chain(
    run: Callable[[Sequence[EvidenceRow]], list[list[str]]], **values: Any
) -> Callable[[Sequence[EvidenceRow]], list[list[str]]]:
    def inner(rows: Sequence[EvidenceRow]) -> list[list[str]]:
        with patched(**values):
            return run(rows)

    return inner


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--no-embeddings", action="store_true", help="TF-IDF wording only")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    questions = [q for q in load_shelf(SHELF) if not q.held_out and (q.folder / GOLD).is_file()]
    embedder = None
    if not args.no_embeddings:
        from tocsin.assess.embed import Embedder

        embedder = Embedder()
    results: dict[str, dict[str, dict[str, float]]] = {}
    pooled: dict[str, list[tuple[Gold, list[list[str]]]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for q in questions:
            print(f"== {q.qid}", file=sys.stderr, flush=True)
            db, _ = prepare(q, Path(tmp))
            with Store.open(db) as store:
                gold = gold_rows(store, q, load_case(q.case_path))
            vectors = None
            if embedder is not None:
                found = embedder.encode([r.text for r in gold.rows])
                vectors = {r.id: np.asarray(v) for r, v in zip(gold.rows, found, strict=True)}
            for name, run in variants(vectors).items():
                clustered = run(gold.rows)
                results.setdefault(name, {})[q.qid] = scores(gold, clustered)
                pooled.setdefault(name, []).append((gold, clustered))
            results.setdefault("_rows", {})[q.qid] = {"rows": len(gold.rows)}
    for name, parts in pooled.items():
        results[name]["all"] = _pooled(parts)
    print(table(results, [q.qid for q in questions]))
    if not args.no_write:
        JSON.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {JSON}", file=sys.stderr)
    return 0


def _pooled(parts: Sequence[tuple[Gold, list[list[str]]]]) -> dict[str, float]:
    """One score over the questions' pairs together (ids are prefixed per question)."""
    rows: list[EvidenceRow] = []
    truth: dict[str, str] = {}
    found: list[list[str]] = []
    for k, (gold, clustered) in enumerate(parts):
        from dataclasses import replace

        rows += [replace(r, id=f"{k}:{r.id}", indicator=f"{k}:{r.indicator}") for r in gold.rows]
        truth.update({f"{k}:{i}": f"{k}:{d}" for i, d in gold.development.items()})
        found += [[f"{k}:{m}" for m in c] for c in clustered]
    return scores(Gold(rows, truth), found)


def table(results: dict[str, dict[str, dict[str, float]]], qids: Sequence[str]) -> str:
    head = "| clustering | " + " | ".join(f"{q} P / R" for q in qids)
    head += " | all: pairwise P / R / F1 | all: B-cubed P / R / F1 |"
    lines = [head, "|---|" + "---:|" * (len(qids) + 2)]
    for name, per in results.items():
        if name.startswith("_"):
            continue
        cells = [f"{per[q]['precision']:.3f} / {per[q]['recall']:.3f}" for q in qids]
        a = per["all"]
        cells.append(f"{a['precision']:.3f} / {a['recall']:.3f} / {a['f1']:.3f}")
        cells.append(
            f"{a['bcubed_precision']:.3f} / {a['bcubed_recall']:.3f} / {a['bcubed_f1']:.3f}"
        )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
