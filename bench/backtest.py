"""The backtest: every question of the shelf assessed as of every article date, scored.

For each question of ``backtest/`` (``tocsin.assess.backtest``: a case file written when the
question opened, dated articles, what happened, gold links), builds a store afresh, ingests
and extracts the articles, links the case with sentence embeddings (as ``tocsin assess``
does) and assesses it as of each publication date; scores the actor model's one forecast
per question beside the evidence forecast. Prints a table and writes
``bench/results/backtest.json``, the results section of ``docs/backtest.md`` (the questions
held out from tuning apart from the others) and ``src/tocsin/data/actor_record.json``, the
actor model's and the evidence forecast's record on the questions tuned on, which the
reports cite when the two disagree. Reproduce from the repository root:

    ./dev backtest                 # every question
    ./dev backtest --only kherson-2022 --no-embeddings

It is a benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from tocsin.assess.actor_record import RECORD_FILE, ShelfRecord
from tocsin.assess.backtest import Result, load_shelf, log_score, mean, reliability, run_question
from tocsin.assess.bayes import Update
from tocsin.assess.embed import Embedder
from tocsin.assess.fitting import Params, brier, fit, grid, leave_one_out, score_table
from tocsin.assess.track import CalibrationBin
from tocsin.config import Config
from tocsin.report import charts

ROOT = Path(__file__).resolve().parents[1]
SHELF = ROOT / "backtest"
JSON = ROOT / "bench" / "results" / "backtest.json"
DOC = ROOT / "docs" / "backtest.md"
RECORD = ROOT / "src" / "tocsin" / "data" / RECORD_FILE  # the actor model's record, shipped
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
    ("prior_brier", "Brier, prior alone"),
    ("naive_brier", "Brier, naive Bayes"),
    ("latest_brier", "Brier, latest only"),
    ("max_wrong", "highest P(wrong)"),
    ("link_precision", "links P"),
    ("link_recall", "links R"),
    ("polarity_right", "polarity right"),
    ("leak_published_later", "used before published"),
    ("leak_names_later_date", "names a later date"),
    ("leak_later_event", "reports a later event"),
)
AVERAGED = ("final_outcome", "mean_brier", "final_brier", "prior_brier", "naive_brier",
            "latest_brier", "max_wrong", "link_precision", "link_recall",
            "polarity_right", "leak_published_later", "leak_names_later_date",
            "leak_later_event")  # fmt: skip
FORECASTERS = ("tocsin", "prior", "naive Bayes", "latest only")
ACTOR_COLUMNS = (
    ("question", "question"),
    ("outcome", "outcome"),
    ("actor_outcome", "actor model: P(outcome)"),
    ("actor_leader", "actor model: leader"),
    ("actor_brier", "actor model: Brier"),
    ("actor_log", "actor model: log"),
    ("actor_brier_without_vetoes", "actor model without vetoes: Brier"),
    ("actor_blocked", "draws blocked by a veto"),
    ("first_brier", "evidence: Brier, first date"),
    ("mean_brier", "evidence: Brier, mean over dates"),
    ("mean_log", "evidence: log, mean over dates"),
    ("prior_brier", "prior alone: Brier"),
)
ACTOR_AVERAGED = tuple(k for k, _ in ACTOR_COLUMNS[2:] if k != "actor_leader")


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]] = COLUMNS) -> str:
    head = "| " + " | ".join(title for _, title in columns) + " |"
    rule = "|" + "|".join("---" if k in ("question", "outcome") or k.endswith("leader")
                          else "---:" for k, _ in columns) + "|"  # fmt: skip
    lines = [head, rule]
    lines += ["| " + " | ".join(_cell(r.get(k)) for k, _ in columns) + " |" for r in rows]
    return "\n".join(lines)


def averages(
    rows: Sequence[dict[str, Any]], label: str, keys: Sequence[str] = AVERAGED
) -> dict[str, Any]:
    out: dict[str, Any] = {"question": f"**mean, {label}**", "articles": sum(
        r["articles"] for r in rows)}  # fmt: skip
    out.update({k: mean([r.get(k) for r in rows]) for k in keys})
    return out


def actor_section(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The actor model's one forecast per question beside the evidence forecast, the
    questions tuned on apart from those held out."""
    out = [
        "### The actor model beside the evidence",
        "",
        "The actor model reads the case file alone, so it makes one forecast per question, "
        "as of its opening; the evidence forecast is scored as above (its mean over the "
        "as-of dates, and as of the first article date). *Without vetoes*: the same Monte "
        "Carlo with the case's veto players ignored. *Draws blocked*: the share of the "
        "Monte Carlo's draws a veto player blocked (they count as the status quo).",
        "",
    ]
    for held, label in ((False, "tuned on"), (True, "held out")):
        chosen = [r for r in rows if r["held_out"] == held and r.get("actor_brier") is not None]
        if chosen:
            averaged = averages(chosen, label, ACTOR_AVERAGED)
            out += [f"#### Questions {label}", "", table([*chosen, averaged], ACTOR_COLUMNS), ""]
    record = actor_record(rows)
    if record is not None:
        out += [
            f"Shipped as tocsin's record (`src/tocsin/data/{RECORD_FILE}`, from the questions "
            f"tuned on only): mean Brier {record.actor_brier:.3f} for the actor model against "
            f"{record.evidence_brier:.3f} for the evidence forecast over "
            f"{len(record.questions)} questions; the actor model had the lower Brier on "
            f"{record.actor_better} of them, the evidence on {record.evidence_better}. The "
            "assessment report cites it when the two disagree by more than 30 points.",
            "",
        ]
    return out


def actor_record(rows: Sequence[dict[str, Any]]) -> ShelfRecord | None:
    """The record the reports cite, from the questions tuned on (never the held-out)."""
    tuned = [r for r in rows if not r["held_out"] and r.get("actor_brier") is not None]
    if not tuned:
        return None
    ece, table = reliability([tuple(p) for r in tuned for p in r["pairs"]["tocsin"]])
    return ShelfRecord(
        questions=tuple(r["question"] for r in tuned),
        actor_brier=sum(r["actor_brier"] for r in tuned) / len(tuned),
        evidence_brier=sum(r["mean_brier"] for r in tuned) / len(tuned),
        actor_log=sum(r["actor_log"] for r in tuned) / len(tuned),
        evidence_log=sum(r["mean_log"] for r in tuned) / len(tuned),
        actor_better=sum(r["actor_brier"] < r["mean_brier"] for r in tuned),
        evidence_better=sum(r["mean_brier"] < r["actor_brier"] for r in tuned),
        measured=date.today().isoformat(),
        ece=ece,
        reliability=tuple(table),
    )


def section(payload: dict[str, Any]) -> str:
    rows = payload["questions"]
    linker = payload.get("linker")
    parts = [
        f"## Results, every case linked by the {linker} linker" if linker else "## Results",
        "",
        f"Measured on {payload['date']} with `{COMMAND}"
        f"{f' --linker {linker}' if linker else ''}`"
        f"{' (no embeddings)' if not payload['embeddings'] else ''}, model `sm`. "
        "Each question in a store of its own; forecasts as of each article date. "
        + (
            "The link model was fitted on the gold of the questions tuned on, so their rows "
            "here are in-sample; only the held-out rows measure it on questions it never saw. "
            if linker == "model"
            else ""
        )
        + (
            f"Wall time on this machine ({os.cpu_count()} CPUs): "
            f"{payload['seconds']['assessing']:.0f} s to build the stores, link and assess, "
            f"{payload['seconds']['fitting']:.0f} s to fit the update."
            if "seconds" in payload
            else ""
        ),
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
        parts += calibration(chosen, label, linker)
    parts += actor_section(rows)
    parts += fitting_section(payload.get("fitted", {}))
    trajectories = ["### Forecast of the outcome by date", ""]
    for r in rows:
        points = ", ".join(f"{d} {p:.2f}" for d, p in r["trajectory"])
        trajectories.append(f"- **{r['question']}** ({r['outcome']}): {points}")
    return "\n".join(parts + trajectories) + "\n"


def summarise(result: Result) -> dict[str, Any]:
    row = result.summary()
    outcome = result.question.outcome
    row["naive_brier"] = row["baseline_mean_brier"]["naive Bayes"]
    row["latest_brier"] = row["baseline_mean_brier"]["latest only"]
    row["trajectory"] = [
        (f.as_of.isoformat(), f.probabilities.get(outcome, 0.0)) for f in result.forecasts
    ]
    # Every as-of forecast of every hypothesis, with whether it came true: for calibration.
    row["pairs"] = {
        name: [
            (p, h == outcome)
            for f in result.forecasts
            for h, p in (f.probabilities if name == "tocsin" else f.baselines[name]).items()
        ]
        for name in FORECASTERS
    }
    row["failed_inputs"] = result.failures
    first = result.forecasts[0].probabilities if result.forecasts else result.priors
    row["first_brier"] = brier(first, outcome)
    row["first_log"] = log_score(first, outcome)
    return row


def diagram_name(label: str, linker: str | None) -> str:
    """The file of the reliability diagram of one part of the shelf, beside the doc."""
    return f"backtest-reliability-{label.replace(' ', '-')}{f'-{linker}' if linker else ''}.svg"


def diagrams(payload: dict[str, Any]) -> dict[str, str]:
    """Each part's reliability diagram as SVG, by ``diagram_name``."""
    out = {}
    for held, label in ((False, "tuned on"), (True, "held out")):
        pairs = [tuple(p) for r in payload["questions"] if r["held_out"] == held
                 for p in r["pairs"]["tocsin"]]  # fmt: skip
        bins = [CalibrationBin(low, low + 0.1, n, p, t) for low, p, t, n in reliability(pairs)[1]]
        svg = charts.reliability(bins, "reliability", f"Reliability of tocsin's forecasts, {label}")
        if svg is not None:
            out[diagram_name(label, payload.get("linker"))] = svg + "\n"
    return out


def calibration(rows: Sequence[dict[str, Any]], label: str, linker: str | None = None) -> list[str]:
    """ECE of each forecaster over the rows' pooled as-of forecasts, and tocsin's
    reliability table and diagram."""
    out = [f"#### Calibration, {label}", ""]
    eces = []
    for name in FORECASTERS:
        pairs = [tuple(p) for r in rows for p in r["pairs"][name]]
        ece, _ = reliability(pairs)
        eces.append(f"{name} {ece:.3f}")
    out += [f"Expected calibration error (10 bins): {', '.join(eces)}.", ""]
    pairs = [tuple(p) for r in rows for p in r["pairs"]["tocsin"]]
    _, table = reliability(pairs)
    out += ["| tocsin's forecast | mean forecast | share that came true | forecasts |",
            "|---|---:|---:|---:|"]  # fmt: skip
    out += [f"| {low:.1f}–{low + 0.1:.1f} | {p:.3f} | {t:.3f} | {n} |" for low, p, t, n in table]
    name = diagram_name(label, linker)
    out += ["", f"![Reliability diagram of tocsin's forecasts, {label}]({name})"]
    return [*out, ""]


def fitted(results: Sequence[Result]) -> dict[str, Any]:
    """The update fitted on the questions tuned on, each of them scored leave-one-out,
    and the held-out questions scored with the update fitted on all the others."""
    tuned = [r.replay for r in results if r.replay and not r.question.held_out]
    held = [r.replay for r in results if r.replay and r.question.held_out]
    if len(tuned) < 2:
        return {}
    plain = Params(Update(), -1)  # no reports joined: every source counts (before #11)
    options = grid()
    table = score_table(tuned, options)
    best = fit(tuned, options, table)
    return {
        "params": {**best.update.__dict__, "window": best.window},
        "described": best.describe(),
        "fitted_on": [r.qid for r in tuned],
        "leave_one_out": [
            {
                "question": h.qid,
                "params": h.params.describe(),
                "mean_brier": h.mean_brier,
                "plain": next(r for r in tuned if r.qid == h.qid).mean_brier(plain),
            }
            for h in leave_one_out(tuned, options, table)
        ],
        "held_out": [
            {"question": r.qid, "mean_brier": r.mean_brier(best), "plain": r.mean_brier(plain)}
            for r in held
        ],
    }


def fitting_section(fit_result: dict[str, Any]) -> list[str]:
    if not fit_result:
        return []
    out = [
        "### The update's own error, fitted",
        "",
        f"Fitted on {', '.join(fit_result['fitted_on'])} (mean over questions of each "
        f"one's mean Brier over its as-of dates): {fit_result['described']}. Each question "
        "scored with the parameters fitted on the *other* questions (leave one question "
        "out), beside the plain update (every source independent, no tempering):",
        "",
        "| question | fitted on the others | mean Brier, left out | mean Brier, plain |",
        "|---|---|---:|---:|",
    ]
    out += [
        f"| {h['question']} | {h['params']} | {h['mean_brier']:.3f} | {h['plain']:.3f} |"
        for h in fit_result["leave_one_out"]
    ]
    if fit_result["held_out"]:
        out += ["", "Held-out questions with the update fitted on all the questions tuned on:", ""]
        out += [
            f"- {h['question']}: mean Brier {h['mean_brier']:.3f} (plain {h['plain']:.3f})"
            for h in fit_result["held_out"]
        ]
    return [*out, ""]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--shelf", type=Path, default=SHELF, help="the shelf's folder")
    parser.add_argument("--only", nargs="*", default=[], help="question ids to run")
    parser.add_argument("--no-embeddings", action="store_true", help="link by patterns only")
    parser.add_argument("--no-write", action="store_true", help="print only; write no files")
    parser.add_argument(
        "--linker",
        choices=("rules", "model"),
        default=None,
        help="link every question this way, whatever its case file says (written apart)",
    )
    args = parser.parse_args(argv)
    questions = load_shelf(args.shelf, args.only)
    embedder = None if args.no_embeddings else Embedder(threads=Config.load().worker_count)
    started = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for q in questions:
            print(f"== {q.qid}", file=sys.stderr, flush=True)
            results.append(run_question(q, Path(folder), embedder, linker=args.linker))
    assessed = time.perf_counter() - started
    fit_result = fitted(results)
    payload = {
        "command": COMMAND,
        "date": date.today().isoformat(),
        "embeddings": embedder is not None,
        "linker": args.linker,
        "questions": [summarise(r) for r in results],
        "fitted": fit_result,
        "seconds": {"assessing": assessed, "fitting": time.perf_counter() - started - assessed},
    }
    print(section(payload))
    if not args.no_write and not args.only:
        out = JSON.with_name(f"backtest_{args.linker}.json") if args.linker else JSON
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(rounded(payload), indent=2) + "\n", encoding="utf-8")
        record = actor_record(payload["questions"]) if args.linker is None else None
        if record is not None:
            RECORD.write_text(
                json.dumps(rounded(record.to_json(), 6), indent=2) + "\n", encoding="utf-8"
            )
        for name, svg in diagrams(payload).items():
            (DOC.parent / name).write_text(svg, encoding="utf-8")
        doc = DOC.read_text("utf-8")
        DOC.write_text(replace_section(doc, section(payload)), encoding="utf-8")
        print(f"wrote {out}, {RECORD if record else 'no record'} and {DOC}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
