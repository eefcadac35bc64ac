"""Event quality of tocsin on unseen news: category and mode against a gold sample.

Reproduce with ``.venv/bin/python bench/eval_events.py`` from the repository root. It reads
the shelf of unseen English news in ``tests/data/unseen-en/`` (``NN.txt``, its gold
``NN.json`` with an ``events`` list, and ``shelf.json`` with each article's split; the
format is in that folder's README), runs tocsin's extraction on each gold article's whole
file (title line included: the gold's offsets are into it) with the gold's anchor date,
and scores the events per split (``tune``, ``check``, all). ``--gold DIR`` reads another
folder of the same format.

A gold event is a sentence or clause (``text`` + ``occurrence``) with a ``category`` (the
category of the action in tocsin's set), a ``plover`` category where the annotator gave one
(a refused action is a REJECT, a threatened one a THREATEN) and a ``mode``. A tocsin event
is a sentence; it *holds* a gold event when at least half of the gold text lies inside it.

- **events**: precision is the share of tocsin's events whose sentence holds a gold event,
  recall the share of gold events held by a tocsin event; whatever the category.
- **category**: the same, counting only pairs whose categories agree: tocsin's
  ``action_category`` against the gold's ``category``;
- **category and mode**: and the modes agree too;
- **PLOVER category**: tocsin's ``category`` (refusals and denials folded into REJECT,
  threats into THREATEN) against the gold's ``plover``, its finer labels joined as tocsin's
  set joins them (FIGHT is ASSAULT, SANCTION is COERCE, AGREE and SUPPORT are COOPERATE,
  DISAPPROVE is ACCUSE, REQUEST is DEMAND).

Code that predates ``mode`` and ``action_category`` (run with ``PYTHONPATH`` at an older
tree) is scored with its ``category`` as the action's and every mode ``asserted``.
It prints a table and writes ``bench/results/events.json`` and the "Events and claims"
section of docs/quality.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from eval_extraction import rounded, save_results

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "data" / "unseen-en"
RESULTS = ROOT / "bench" / "results" / "events.json"
QUALITY_DOC = ROOT / "docs" / "quality.md"
COMMAND = ".venv/bin/python bench/eval_events.py"
SPLITS = ("tune", "check", "all")
# The gold's PLOVER labels that tocsin's set joins (the shelf README's mapping); REJECT and
# THREATEN stay, being what tocsin's ``category`` folds refusals, denials and threats into.
COARSE = {
    "FIGHT": "ASSAULT",
    "SANCTION": "COERCE",
    "AGREE": "COOPERATE",
    "SUPPORT": "COOPERATE",
    "DISAPPROVE": "ACCUSE",
    "REQUEST": "DEMAND",
}


@dataclass(frozen=True)
class Span:
    """An event as the scorer sees it: where it lies and what it says."""

    start: int
    end: int
    category: str | None  # the action's category
    plover: str | None  # the category of what took place
    mode: str


def locate(text: str, snippet: str, occurrence: int = 1) -> tuple[int, int]:
    """Offsets of the ``occurrence``-th of the non-overlapping copies of ``snippet`` in
    ``text``, as the shelf's README counts them."""
    start = -len(snippet)
    for _ in range(occurrence):
        start = text.find(snippet, start + len(snippet))
        if start < 0:
            raise ValueError(f"gold snippet not in text: {snippet!r} (occurrence {occurrence})")
    return start, start + len(snippet)


def _coarse(label: str | None) -> str | None:
    return COARSE.get(label, label) if label else label


def holds(sentence: Span, gold: Span) -> bool:
    """Whether at least half of the gold text lies inside the sentence."""
    inside = min(sentence.end, gold.end) - max(sentence.start, gold.start)
    return inside > 0 and 2 * inside >= gold.end - gold.start


def load(folder: Path) -> list[dict[str, Any]]:
    """The gold articles: number, split, anchor, text and events."""
    shelf = {int(a["article"]): a for a in json.loads((folder / "shelf.json").read_text("utf-8"))}
    out = []
    for path in sorted(folder.glob("[0-9][0-9].json")):
        data = json.loads(path.read_text("utf-8"))
        if "events" not in data:
            continue
        number = int(data["article"])
        text = (folder / f"{number:02d}.txt").read_text("utf-8")
        events = [
            Span(
                *locate(text, e["text"], e.get("occurrence", 1)),
                category=e.get("category"),
                plover=_coarse(e.get("plover") or e.get("category")),
                mode=e.get("mode", "asserted"),
            )
            for e in data["events"]
        ]
        anchor = data.get("anchor") or shelf[number]["published"]
        out.append(
            {
                "article": number,
                "split": shelf[number]["split"],
                "anchor": date.fromisoformat(anchor),
                "text": text,
                "events": events,
            }
        )
    return out


def predict(text: str, anchor: date) -> list[Span]:
    """tocsin's events in one text."""
    from tocsin.extract.run import analyse_text

    found = analyse_text(text, anchor=anchor).events
    return [
        Span(
            e.start,
            e.end,
            category=getattr(e, "action_category", None) or e.category,
            plover=e.category,
            mode=getattr(e, "mode", "asserted"),
        )
        for e in found
    ]


Same = Callable[[Span, Span], bool]
MEASURES: dict[str, Same] = {
    "events": lambda p, g: True,
    "category": lambda p, g: p.category == g.category,
    "category and mode": lambda p, g: p.category == g.category and p.mode == g.mode,
    "PLOVER category": lambda p, g: p.plover == g.plover,
}


def score(pairs: Sequence[tuple[list[Span], list[Span]]], same: Same) -> dict[str, float]:
    """Precision over predicted events, recall over gold events, summed over articles."""
    right = found = n_pred = n_gold = 0
    for pred, gold in pairs:
        n_pred += len(pred)
        n_gold += len(gold)
        right += sum(any(holds(p, g) and same(p, g) for g in gold) for p in pred)
        found += sum(any(holds(p, g) and same(p, g) for p in pred) for g in gold)
    precision = right / n_pred if n_pred else 0.0
    recall = found / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "right": right,
        "predicted": n_pred,
        "found": found,
        "gold": n_gold,
    }


def evaluate(folder: Path) -> dict[str, Any]:
    articles = load(folder)
    predicted = {a["article"]: predict(a["text"], a["anchor"]) for a in articles}
    results: dict[str, Any] = {"date": date.today().isoformat(), "splits": {}}
    for split in SPLITS:
        chosen = [a for a in articles if split == "all" or a["split"] == split]
        pairs = [(predicted[a["article"]], a["events"]) for a in chosen]
        results["splits"][split] = {
            "articles": [a["article"] for a in chosen],
            **{name: score(pairs, same) for name, same in MEASURES.items()},
        }
    results["modes"] = _mode_counts(articles, predicted)
    return results


def _mode_counts(
    articles: Sequence[dict[str, Any]], predicted: dict[int, list[Span]]
) -> dict[str, dict[str, int]]:
    """How many events of each mode, in the gold and in tocsin's output (all articles)."""
    counts: dict[str, dict[str, int]] = {"gold": {}, "tocsin": {}}
    for a in articles:
        for e in a["events"]:
            counts["gold"][e.mode] = counts["gold"].get(e.mode, 0) + 1
        for e in predicted[a["article"]]:
            counts["tocsin"][e.mode] = counts["tocsin"].get(e.mode, 0) + 1
    return counts


def format_table(results: dict[str, Any]) -> str:
    lines = [
        "| split | measure | precision | recall | F1 | right / predicted | found / gold |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for split, r in results["splits"].items():
        n = len(r["articles"])
        for name in MEASURES:
            m = r[name]
            lines.append(
                f"| {split} ({n}) | {name} | {m['precision']:.3f} | {m['recall']:.3f} "
                f"| {m['f1']:.3f} | {m['right']} / {m['predicted']} | {m['found']} / {m['gold']} |"
            )
    return "\n".join(lines)


def quality_section(results: dict[str, Any], before: dict[str, Any] | None) -> str:
    modes = results["modes"]
    mode_line = ", ".join(
        f"{m} {modes['gold'].get(m, 0)} / {modes['tocsin'].get(m, 0)}"
        for m in sorted(set(modes["gold"]) | set(modes["tocsin"]))
    )
    earlier = ""
    if before is not None:
        earlier = (
            "\nThe same scorer on the code before modes (events of the verb lexicon, every "
            f"one asserted, none inside quotes), measured {before['date']} with `PYTHONPATH` "
            "at that tree and `--json` elsewhere, then passed here with `--before`:\n\n"
            f"{format_table(before)}\n"
        )
    tune, check = (results["splits"][k]["category"] for k in ("tune", "check"))
    versus = ""
    if before is not None:
        old = [before["splits"][k]["category"]["recall"] for k in ("tune", "check")]
        versus = (
            f" Against the code before, category recall goes from {old[0]:.3f} to "
            f"{tune['recall']:.3f} on tune and from {old[1]:.3f} to {check['recall']:.3f} "
            "on check."
        )
    gap = (
        f"Category precision is {check['precision']:.3f} on the check articles against "
        f"{tune['precision']:.3f} on tune: the light verbs, event nouns, verbs of movement "
        "and leaving were chosen while reading the tune articles' events, so the tune "
        f"figures flatter and the check figures are the ones to quote.{versus} A "
        'refusal or denial of something that is no event noun ("rejected the proposal") '
        "keeps REJECT as its action's category, which the gold's set has not, and so never "
        "agrees on *category*."
    )
    return f"""## Events and claims

Events measured on {results["date"]} against the gold events of the unseen English shelf
(`tests/data/unseen-en/`, its README gives the format and the split), model `sm`, each
article's whole file with its gold anchor date. A tocsin event (a sentence) holds a gold
event (a sentence or clause) when at least half of the gold text lies inside it.
Precision: the share of tocsin's events that hold a gold event agreeing on the measure;
recall: the share of gold events held by a tocsin event that agrees. *category* compares
the category of the action (tocsin's `action_category`, the gold's `category`); *category
and mode* adds the mode; *PLOVER category* compares the category of what took place
(tocsin's `category`: REJECT for a refused or denied action, THREATEN for a threatened one)
with the gold's `plover`, its finer labels joined as tocsin's set joins them (FIGHT is
ASSAULT, SANCTION is COERCE, AGREE and SUPPORT are COOPERATE, DISAPPROVE is ACCUSE,
REQUEST is DEMAND). Rules were developed on the tune articles only; the check
articles were scored, never read.

```sh
{COMMAND}
```

{format_table(results)}

Events by mode, gold / tocsin (all articles): {mode_line}.

{gap}
{earlier}
Claims have no gold on this shelf; their statuses and source chains are held by
`tests/extract/test_claims_events.py` (relayed announcements `reported` with their chain,
denials, allegations, hedges), on sentences of our own.
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--gold", type=Path, default=GOLD, help="folder of the gold shelf")
    parser.add_argument("--no-write", action="store_true", help="print only; write no files")
    parser.add_argument(
        "--before", type=Path, help="results JSON of the code before, shown beside (optional)"
    )
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write the results")
    args = parser.parse_args(argv)
    if not (args.gold / "shelf.json").exists():
        print(f"no gold shelf in {args.gold}", file=sys.stderr)
        return 2
    results = evaluate(args.gold)
    print(format_table(results))
    if not args.no_write:
        payload = {"command": COMMAND, **results}
        before = json.loads(args.before.read_text("utf-8")) if args.before else None
        if args.json == RESULTS:
            save_results(args.json, payload, QUALITY_DOC, quality_section(results, before))
        else:  # an earlier tree's figures, kept for --before: no section of its own
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(rounded(payload), indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
