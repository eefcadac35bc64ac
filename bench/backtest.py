"""The backtest: every question of the shelf assessed as of every article date, scored.

For each question of ``backtest/`` (``tocsin.assess.backtest``: a case file written when the
question opened, dated articles, what happened, gold links), builds a store afresh, ingests
and extracts the articles, links the case with sentence embeddings (as ``tocsin assess``
does) and assesses it as of each publication date. Prints a table and writes
``bench/results/backtest.json`` and the results section of ``docs/backtest.md``, the
questions held out from tuning apart from the others. Reproduce from the repository root:

    ./dev backtest                 # every question
    ./dev backtest --only kherson-2022 --no-embeddings

It is a benchmark, not a test: it asserts nothing.
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

from tocsin.assess.backtest import Result, load_shelf, mean, run_question
from tocsin.assess.embed import Embedder
from tocsin.config import Config

ROOT = Path(__file__).resolve().parents[1]
SHELF = ROOT / "backtest"
JSON = ROOT / "bench" / "results" / "backtest.json"
DOC = ROOT / "docs" / "backtest.md"
COMMAND = "./dev backtest"

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_extraction import replace_section, rounded  # noqa: E402

COLUMNS = (
    ("question", "question"),
    ("hypotheses", "hyp."),
    ("outcome", "outcome"),
    ("articles", "articles"),
    ("prior_outcome", "P(outcome) prior"),
    ("final_outcome", "P(outcome) last"),
    ("final_leader", "leader last"),
    ("mean_brier", "Brier, mean over dates"),
    ("final_brier", "Brier last"),
    ("prior_brier", "Brier of the prior"),
    ("max_wrong", "highest P(wrong)"),
    ("link_precision", "links P"),
    ("link_recall", "links R"),
    ("polarity_right", "polarity right"),
)
AVERAGED = ("final_outcome", "mean_brier", "final_brier", "prior_brier", "max_wrong",
            "link_precision", "link_recall", "polarity_right")  # fmt: skip


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def table(rows: Sequence[dict[str, Any]]) -> str:
    head = "| " + " | ".join(title for _, title in COLUMNS) + " |"
    rule = "|" + "|".join("---" if k in ("question", "outcome", "final_leader") else "---:"
                          for k, _ in COLUMNS) + "|"  # fmt: skip
    lines = [head, rule]
    lines += ["| " + " | ".join(_cell(r.get(k)) for k, _ in COLUMNS) + " |" for r in rows]
    return "\n".join(lines)


def averages(rows: Sequence[dict[str, Any]], label: str) -> dict[str, Any]:
    out: dict[str, Any] = {"question": f"**mean, {label}**", "articles": sum(
        r["articles"] for r in rows)}  # fmt: skip
    out.update({k: mean([r.get(k) for r in rows]) for k in AVERAGED})
    return out


def section(payload: dict[str, Any]) -> str:
    rows = payload["questions"]
    parts = [
        "## Results",
        "",
        f"Measured on {payload['date']} with `{COMMAND}`"
        f"{' (no embeddings)' if not payload['embeddings'] else ''}, model `sm`. "
        "Each question in a store of its own; forecasts as of each article date.",
        "",
    ]
    if not rows:
        parts.append("No question on the shelf yet.")
        return "\n".join(parts) + "\n"
    for held, label in ((False, "tuned on"), (True, "held out")):
        chosen = [r for r in rows if r["held_out"] == held]
        if not chosen:
            continue
        parts += [f"### Questions {label}", "", table([*chosen, averages(chosen, label)]), ""]
    trajectories = ["### Forecast of the outcome by date", ""]
    for r in rows:
        points = ", ".join(f"{d} {p:.2f}" for d, p in r["trajectory"])
        trajectories.append(f"- **{r['question']}** ({r['outcome']}): {points}")
    return "\n".join(parts + trajectories) + "\n"


def summarise(result: Result) -> dict[str, Any]:
    row = result.summary()
    outcome = result.question.outcome
    row["trajectory"] = [
        (f.as_of.isoformat(), f.probabilities.get(outcome, 0.0)) for f in result.forecasts
    ]
    row["failed_inputs"] = result.failures
    return row


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--shelf", type=Path, default=SHELF, help="the shelf's folder")
    parser.add_argument("--only", nargs="*", default=[], help="question ids to run")
    parser.add_argument("--no-embeddings", action="store_true", help="link by patterns only")
    parser.add_argument("--no-write", action="store_true", help="print only; write no files")
    args = parser.parse_args(argv)
    questions = load_shelf(args.shelf, args.only)
    embedder = None if args.no_embeddings else Embedder(threads=Config.load().worker_count)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for q in questions:
            print(f"== {q.qid}", file=sys.stderr, flush=True)
            rows.append(summarise(run_question(q, Path(folder), embedder)))
    payload = {
        "command": COMMAND,
        "date": date.today().isoformat(),
        "embeddings": embedder is not None,
        "questions": rows,
    }
    print(section(payload))
    if not args.no_write and not args.only:
        JSON.parent.mkdir(parents=True, exist_ok=True)
        JSON.write_text(json.dumps(rounded(payload), indent=2) + "\n", encoding="utf-8")
        doc = DOC.read_text("utf-8")
        DOC.write_text(replace_section(doc, section(payload)), encoding="utf-8")
        print(f"wrote {JSON} and {DOC}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
