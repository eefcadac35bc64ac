"""Quotes and speakers on unseen English news about the bundled question.

Reproduce with ``.venv/bin/python bench/eval_unseen.py`` from the repository root. The gold is
``tests/data/unseen-en/`` (30 dated news excerpts on the Belarus question, none a seed article;
gold quotes for all 30, in the seed gold's format; its README). Each article's whole file
(title line included, as the gold's offsets are) goes through ``analyse_text`` against the
gold's anchor; predicted quotes are matched to gold quotes as ``bench/eval_evidence.py``
matches them (overlap of at least half the shorter span, one to one, greedy by overlap).

The speaker is right when the predicted speaker (the name the speaker resolves to, else the
speaker as written) names the gold speaker (same canonical after the alias table, or the same
referent by name), or is one of the ways the gold writes that speaker in the article (pronouns
left out: "he" is no evidence of the right "he"), or when the predicted speaker's span
overlaps the gold's speaker as written (its occurrence nearest before the quote, else after
it), as PolNeAR's rule has it, unless that is a pronoun, and shares a word with the gold
speaker's name (or the gold source is an unnamed one): "State" taken from "State Secretary
… Valfovich" is wrong. Unnamed sources are scored by the
words the text gives them ("a Ukrainian government official"), never by a country.

The articles are split by parity (odd: tune, even: check; shelf.json). Results go to
``bench/results/unseen.json`` and the section "Unseen English news: quotes and speakers" of
docs/quality.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from eval_evidence import Item, Tally, _same_speaker, locate
from eval_extraction import save_results

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "data" / "unseen-en"
RESULTS = ROOT / "bench" / "results" / "unseen.json"
QUALITY_DOC = ROOT / "docs" / "quality.md"
COMMAND = ".venv/bin/python bench/eval_unseen.py"
SECTION = "Unseen English news: quotes and speakers"
PRONOUNS = frozenset("he she they it we i you him her them his its their".split())
PARTS = ("tune", "check", "all")


def load(folder: Path = GOLD) -> list[dict[str, Any]]:
    """The gold articles: number, split, anchor, whole text and located gold quotes."""
    shelf = {e["article"]: e for e in json.loads((folder / "shelf.json").read_text("utf-8"))}
    out = []
    for path in sorted(folder.glob("[0-9][0-9].json")):
        gold = json.loads(path.read_text("utf-8"))
        text = (folder / f"{path.stem}.txt").read_text("utf-8")
        quotes = [
            Item(*span, {**q, "speaker_span": _written_at(text, q.get("speaker_text"), span[0])})
            for q in gold["quotes"]
            for span in [locate(text, q["text"], q.get("occurrence", 1))]
        ]
        spellings: dict[str, set[str]] = {}
        for q in gold["quotes"]:
            written = (q.get("speaker_text") or "").strip()
            if q.get("speaker") and written and written.lower() not in PRONOUNS:
                spellings.setdefault(q["speaker"], set()).add(written.removeprefix("the "))
        out.append(
            {
                "article": gold["article"],
                "split": shelf[gold["article"]]["split"],
                "anchor": date.fromisoformat(gold["anchor"]),
                "text": text,
                "quotes": quotes,
                "spellings": spellings,
            }
        )
    return out


def _written_at(text: str, written: str | None, near: int) -> tuple[int, int] | None:
    """The occurrence of the speaker as written nearest before ``near`` (else after it);
    None for a pronoun or when it is not in the text."""
    if not written or written.strip().lower() in PRONOUNS:
        return None
    before = text.rfind(written, 0, near)
    at = before if before >= 0 else text.find(written, near)
    return (at, at + len(written)) if at >= 0 else None


def speaker_right(g: Item, p: Item, spellings: dict[str, set[str]]) -> bool:
    """By name (``_same_speaker``), or by the predicted speaker's span over the gold's."""
    if _same_speaker(g, p, spellings):
        return True
    span, start, end = g.attrs.get("speaker_span"), p.attrs.get("start"), p.attrs.get("end")
    if span is None or start is None or end is None or min(span[1], end) <= max(span[0], start):
        return False
    # Overlap alone would give "State" (of "State Secretary … Valfovich") the right speaker:
    # it must also share a word with the gold speaker, or the gold source be an unnamed one.
    gold = str(g.attrs.get("speaker") or "")
    words = {w for w in str(p.attrs.get("speaker_text") or "").lower().split() if len(w) > 2}
    return gold.startswith("unnamed") or bool(words & set(gold.lower().split()))


def predictions(text: str, anchor: date) -> list[Item]:
    """tocsin's quotes of one text, with the speaker's name where it resolved to one."""
    from tocsin.extract.run import analyse_text

    evidence = analyse_text(text, anchor)
    return [
        Item(
            q.start,
            q.end,
            {
                "speaker": q.speaker_key,
                "speaker_text": q.speaker_text,
                "kind": q.kind,
                "start": q.speaker_start,
                "end": q.speaker_end,
            },
        )
        for q in evidence.quotes
    ]


def evaluate(articles: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Quotes (all kinds; direct and partial) and speaker agreement per part."""
    tallies = {(part, kinds): Tally() for part in PARTS for kinds in ("all", "marked")}
    started = time.perf_counter()
    for a in articles:
        pred = predictions(a["text"], a["anchor"])

        def same(g: Item, p: Item, spellings: dict[str, set[str]] = a["spellings"]) -> bool:
            return speaker_right(g, p, spellings)

        marked_gold = [g for g in a["quotes"] if g.attrs["kind"] != "indirect"]
        marked_pred = [p for p in pred if p.attrs["kind"] != "indirect"]
        for part in (a["split"], "all"):
            tallies[(part, "all")].add(a["quotes"], pred, same)
            tallies[(part, "marked")].add(marked_gold, marked_pred, same)
    seconds = time.perf_counter() - started
    return {
        "articles": {p: sum(1 for a in articles if p in (a["split"], "all")) for p in PARTS},
        "seconds": seconds,
        "parts": {
            part: {kinds: tallies[(part, kinds)].result() for kinds in ("all", "marked")}
            for part in PARTS
        },
    }


def table(results: dict[str, Any], before: dict[str, Any] | None = None) -> str:
    rows = [
        "| part | articles | quotes F1 (P, R) | speaker right | direct and partial F1"
        " | speaker right |" + (" before: quotes F1, speaker right |" if before else ""),
        "|---|---:|---|---:|---:|---:|" + ("---|" if before else ""),
    ]
    for part in PARTS:
        r = results["parts"][part]
        a, m = r["all"], r["marked"]
        row = (
            f"| {part} | {results['articles'][part]} | {a['f1']:.3f} ({a['precision']:.3f},"
            f" {a['recall']:.3f}) | {a['agreement']:.3f} ({round(a['agreement'] * a['matched'])}"
            f" of {a['matched']}) | {m['f1']:.3f} | {m['agreement']:.3f} |"
        )
        if before:
            b = before["parts"][part]["all"]
            row += f" {b['f1']:.3f}, {b['agreement']:.3f} |"
        rows.append(row)
    return "\n".join(rows)


def section(results: dict[str, Any], before: dict[str, Any] | None) -> str:
    note = (
        f"*Before* is the same script run on `{before['code']}` ({before['date']})."
        if before
        else ""
    )
    return f"""## {SECTION}

Measured on {results["date"]} with `{COMMAND}` on the gold quotes of `tests/data/unseen-en/`
(all 30 articles: dated English news excerpts on the Belarus question, none a seed article;
tune = odd, check = even). Each whole file goes through `analyse_text` against the gold's
anchor; quotes match when they overlap by at least half the shorter span. The speaker is right
when the predicted speaker names the gold one (canonical name, alias table, or one of the ways
the gold writes that speaker in the article, pronouns left out); unnamed sources count by the
words the text gives them, never by a country. The rules were developed on PolNeAR's tune part
and on the tune articles here; the check articles were scored, never read. {note}

{table(results, before)}
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=GOLD, help="folder of the shelf and gold")
    parser.add_argument("--no-write", action="store_true", help="print only; write no files")
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write the results")
    parser.add_argument("--before", type=Path, help="results of an earlier run, shown beside")
    parser.add_argument("--code", default="", help="the commit measured, for the record")
    args = parser.parse_args(argv)
    results = evaluate(load(args.gold))
    results.update(date=date.today().isoformat(), command=COMMAND, code=args.code)
    before = json.loads(args.before.read_text("utf-8")) if args.before else None
    print(table(results, before))
    if not args.no_write:
        save_results(args.json, results, QUALITY_DOC, section(results, before))
        print(f"wrote {args.json} and {QUALITY_DOC}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
