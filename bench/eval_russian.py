"""Russian evidence-extraction quality, on the Russian gold (tests/data/russian/).

Reproduce with ``.venv/bin/python bench/eval_russian.py`` from the repository root
(``--gold DIR`` reads the gold from elsewhere). It ingests the gold's texts as JSONL (text as
given, ``published`` = the gold's anchor) into a temporary database, so that the language is
detected and the article routed as any other; runs ``tocsin extract``; and scores the stored
evidence against the gold (format in its README), per split (tune, check) and overall:

* quotes: all kinds, and direct and partial only: F1, and speaker agreement on the matched;
* entities: mention F1 (every word-bounded occurrence of a gold spelling is a gold mention;
  label agreement with GPE and LOC as one), and B³ of the clusters of (article, spelling)
  across all articles, for PERSON and ORG (as bench/eval_evidence.py) and for all labels;
* dates: F1 and interval agreement; figures: F1 and value agreement.

Matching is bench/eval_evidence.py's: overlap of at least half of the shorter span,
one-to-one, greedily; figures agree to the four decimals the gold writes. It then ingests
one English paragraph written for this check and reports which of its names land in the
same entity as their Cyrillic spellings (Lukashenka = Лукашенко). It prints a table,
writes ``bench/results/russian.json`` and the "Russian" section of docs/quality.md.
``--details`` prints tune articles' records one by one (never the check articles': those
are scored only in aggregate).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from pathlib import Path
from typing import Any

from eval_evidence import (
    Item,
    Tally,
    _same_dates,
    _same_speaker,
    bcubed,
    locate,
)
from eval_extraction import replace_section, rounded

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "data" / "russian"
RESULTS = ROOT / "bench" / "results" / "russian.json"
QUALITY_DOC = ROOT / "docs" / "quality.md"
COMMAND = ".venv/bin/python bench/eval_russian.py"
SPLITS = ("tune", "check", "all")
_PLACES = {"GPE", "LOC"}
# English text written for the cross-script check (our own words, no source).
ENGLISH_CHECK = (
    "Alexander Lukashenko met Vladimir Putin again. Sviatlana Tsikhanouskaya said that "
    "Belarus must stay out of the war, and Pavel Latushka agreed with her. Lukashenka later "
    "spoke about Ukraine, Russia and the Kremlin."
)
ENGLISH_NAMES = (
    ("Alexander Lukashenko", "Lukashenka"),
    ("Vladimir Putin",),
    ("Sviatlana Tsikhanouskaya",),
    ("Pavel Latushka",),
    ("Belarus",),
    ("Ukraine",),
    ("Russia",),
    ("Kremlin",),
)


@dataclass
class GoldArticle:
    number: int
    split: str
    anchor: date
    text: str
    quotes: list[Item]
    entities: list[dict[str, Any]]
    figures: list[Item]
    dates: list[Item]


def load_gold(folder: Path) -> list[GoldArticle]:
    out = []
    for path in sorted(folder.glob("[0-9][0-9].json")):
        data = json.loads(path.read_text("utf-8"))
        text = _as_stored(path.with_suffix(".txt").read_text("utf-8"))

        def items(key: str, d: dict[str, Any] = data, t: str = text) -> list[Item]:
            return [Item(*locate(t, r["text"], r.get("occurrence", 1)), r) for r in d.get(key, [])]

        out.append(
            GoldArticle(
                number=int(data["article"]),
                split=str(data["split"]),
                anchor=date.fromisoformat(data["anchor"]),
                text=text,
                quotes=items("quotes"),
                entities=data.get("entities", []),
                figures=items("figures"),
                dates=items("dates"),
            )
        )
    return out


def _as_stored(text: str) -> str:
    """The text as JSONL ingest stores it: paragraphs joined by one blank line."""
    return "\n\n".join(p.strip() for p in text.split("\n") if p.strip())


def build_store(db: Path, gold: Sequence[GoldArticle]) -> dict[int, int]:
    """Ingest the gold texts (and the English check paragraph, last); gold number -> id."""
    from tocsin.config import Config
    from tocsin.ingest.pipeline import ingest
    from tocsin.store.db import Store

    with tempfile.TemporaryDirectory() as tmp:
        lines = [{"text": g.text, "published": g.anchor.isoformat()} for g in gold]
        lines.append({"text": ENGLISH_CHECK, "published": "2022-06-30"})
        source = Path(tmp) / "russian-gold.jsonl"
        source.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
        with Store.open(db) as store:
            report = ingest([source], store=store, config=Config.load(workers=1))
            if report.failures:
                raise RuntimeError(f"ingest failed: {report.failures}")
            rows = store.conn.execute("SELECT id, text FROM articles ORDER BY id").fetchall()
    by_text = {str(t): int(i) for i, t in rows}
    return {g.number: by_text[g.text] for g in gold}


def predictions(db: Path) -> tuple[dict[int, Any], dict[int, str | None], dict[str, Any]]:
    """Every article's stored evidence, its language, and the extraction report."""
    from tocsin.extract.run import extract
    from tocsin.store.db import Store
    from tocsin.store.evidence import article_evidence

    with Store.open(db) as store:
        report = extract(store, workers=1, redo=True)
        if report.failed:
            raise RuntimeError(f"extraction failed: {report.failed}")
        rows = store.conn.execute("SELECT id, language FROM articles ORDER BY id").fetchall()
        evidence = {int(i): article_evidence(store, int(i)) for i, _ in rows}
        languages = {int(i): lang for i, lang in rows}
    return evidence, languages, report.to_dict()


def gold_mentions(g: GoldArticle) -> list[Item]:
    """Every word-bounded occurrence of a gold spelling, longest first, none overlapping."""
    found: list[Item] = []
    spans = []
    for e in g.entities:
        for s in e["spellings"]:
            for m in re.finditer(rf"(?<!\w){re.escape(s)}(?!\w)", g.text):
                spans.append((m.start(), m.end(), e["label"], e["canonical"]))
    taken: list[tuple[int, int]] = []
    for start, end, label, canonical in sorted(spans, key=lambda x: (x[0] - x[1], x[0])):
        if any(start < b and a < end for a, b in taken):
            continue
        taken.append((start, end))
        found.append(Item(start, end, {"label": label, "canonical": canonical}))
    return sorted(found, key=lambda i: i.start)


def _same_figure(g: Item, p: Item) -> bool:
    """Same value, low and high, to the four decimals the gold writes ('a third = 0.3333')."""
    keys = ("value",) if g.attrs.get("qualifier") == "vague" else ("value", "low", "high")
    return all(_near(g.attrs.get(k), p.attrs.get(k)) for k in keys)


def _near(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= max(5e-5, 1e-6 * max(abs(a), abs(b)))


def _same_label(g: Item, p: Item) -> bool:
    a, b = g.attrs["label"], p.attrs["label"]
    return bool(a == b or {a, b} <= _PLACES)


def _items(records: Sequence[dict[str, Any]]) -> list[Item]:
    return [Item(r["start"], r["end"], r) for r in records]


def evaluate(
    gold: Sequence[GoldArticle], ids: dict[int, int], predicted: dict[int, Any]
) -> dict[str, Any]:
    """The scores per split."""
    tallies: dict[str, dict[str, Tally]] = {s: {} for s in SPLITS}

    def tally(split: str, task: str) -> Tally:
        return tallies[split].setdefault(task, Tally())

    for g in gold:
        ev = predicted[ids[g.number]]
        names = {e["canonical"]: {e["canonical"], *e["spellings"]} for e in g.entities}

        def speaker(a: Item, b: Item, names: dict[str, set[str]] = names) -> bool:
            return _same_speaker(a, b, names)

        quotes = _items(ev["quotes"])
        marked = [q for q in g.quotes if q.attrs["kind"] != "indirect"]
        for split in (g.split, "all"):
            tally(split, "quotes (all kinds)").add(g.quotes, quotes, speaker)
            tally(split, "quotes (direct and partial)").add(
                marked, [q for q in quotes if q.attrs["kind"] != "indirect"], speaker
            )
            tally(split, "entity mentions").add(
                gold_mentions(g), _items(ev["entities"]), _same_label
            )
            tally(split, "dates").add(g.dates, _items(ev["dates"]), _same_dates)
            tally(split, "figures").add(g.figures, _items(ev["quantities"]), _same_figure)
    results: dict[str, Any] = {}
    for split in SPLITS:
        chosen = [g for g in gold if split in (g.split, "all")]
        results[split] = {
            "articles": len(chosen),
            "tasks": {t: x.result() for t, x in tallies[split].items()},
            "clusters (PERSON, ORG)": clusters(chosen, ids, predicted, {"PERSON", "ORG"}),
            "clusters (all labels)": clusters(chosen, ids, predicted, None),
        }
    return results


def clusters(
    gold: Sequence[GoldArticle],
    ids: dict[int, int],
    predicted: dict[int, Any],
    labels: set[str] | None,
) -> dict[str, float]:
    """B³ over (article, spelling) items, across the articles, as bench/eval_evidence.py."""
    gold_cluster: dict[tuple[int, str], str] = {}
    for g in gold:
        for e in g.entities:
            if labels is None or e["label"] in labels:
                for s in e["spellings"]:
                    gold_cluster[(g.number, s)] = e["canonical"]
    votes: dict[tuple[int, str], Counter[int]] = {}
    for g in gold:
        for m in predicted[ids[g.number]]["entities"]:
            votes.setdefault((g.number, m["text"]), Counter())[m["entity_id"]] += 1
    pred = {item: c.most_common(1)[0][0] for item, c in votes.items()}
    return bcubed(gold_cluster, pred) if gold_cluster else {}


def cross_script(
    gold: Sequence[GoldArticle], ids: dict[int, int], predicted: dict[int, Any]
) -> dict[str, Any]:
    """Whether the English paragraph's names share an entity with their Cyrillic spellings."""
    english = predicted[max(predicted)]["entities"]
    by_text: dict[str, set[int]] = {}
    for m in english:
        by_text.setdefault(m["text"], set()).add(m["entity_id"])
    out: dict[str, Any] = {}
    for names in ENGLISH_NAMES:
        canonical = names[0]
        cyrillic: set[int] = set()
        spellings: set[str] = set()
        for g in gold:
            wanted = {s for e in g.entities if e["canonical"] == canonical for s in e["spellings"]}
            for m in predicted[ids[g.number]]["entities"]:
                if m["text"] in wanted:
                    cyrillic.add(m["entity_id"])
                    spellings.add(m["text"])
        latin = set().union(*(by_text.get(n, set()) for n in names))
        out[canonical] = {
            "english": sorted(n for n in names if n in by_text),
            "cyrillic": sorted(spellings),
            "joined": bool(latin) and bool(cyrillic) and len(latin | cyrillic) == 1,
        }
    return out


def format_table(results: dict[str, Any]) -> str:
    lines = [
        "| task | split | precision | recall | F1 | attribute agreement "
        "| matched / predicted / gold |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    what = {"quotes": "speaker", "entity": "label", "dates": "interval", "figures": "value"}
    for task in results["all"]["tasks"]:
        attr = next(v for k, v in what.items() if task.startswith(k))
        for split in SPLITS:
            r = results[split]["tasks"][task]
            lines.append(
                f"| {task} | {split} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | "
                f"{r['agreement']:.3f} ({attr}) | {r['matched']} / {r['predicted']} / {r['gold']} |"
            )
    for name in ("clusters (PERSON, ORG)", "clusters (all labels)"):
        for split in SPLITS:
            r = results[split][name]
            if r:
                lines.append(
                    f"| entity {name}, B³ | {split} | {r['precision']:.3f} | {r['recall']:.3f} | "
                    f"{r['f1']:.3f} | — | {r['found']} of {r['spellings']} spellings found |"
                )
    return "\n".join(lines)


def quality_section(payload: dict[str, Any]) -> str:
    results = payload["results"]
    joins = payload["cross_script"]
    join_lines = "\n".join(
        f"- {'✓' if j['joined'] else '✗'} {name}: {', '.join(j['english']) or '—'} = "
        f"{', '.join(j['cyrillic']) or '(no Cyrillic spelling found)'}"
        for name, j in joins.items()
    )
    versions = ", ".join(f"{n} {version(n)}" for n in ("natasha", "slovnet", "pymorphy3"))
    tune, check = results["tune"]["articles"], results["check"]["articles"]
    detected = ", ".join(
        f"{n} {'undetected (routed by its letters)' if lang == 'None' else lang}"
        for lang, n in sorted(payload["languages"].items())
    )
    return f"""## Russian

Measured on {payload["date"]} on the {results["all"]["articles"]} articles of the Russian gold
in `tests/data/russian/` (format, sources and splits in its README: {tune} tune, {check}
check), through the whole path: JSONL ingest, language detection ({detected}), `tocsin
extract`, the store. Versions: {versions}.

```sh
{COMMAND}
```

{format_table(results)}

The rules were written on text of our own and on the tune articles, so the tune figures
measure fit; the check articles were scored only in aggregate and are the figures to
quote. Claims and events are not extracted for Russian ([languages.md](languages.md)).

English spellings in one English paragraph written for the check, and the Cyrillic
spellings of the gold, in one entity:

{join_lines}

`tests/extract/test_russian_gate.py` fails if the figures fall below the floors in
`tests/data/russian_floors.json`.
"""


def details(gold: Sequence[GoldArticle], ids: dict[int, int], predicted: dict[int, Any]) -> None:
    """The tune articles' records, for development (check articles are never shown)."""
    for g in gold:
        if g.split != "tune":
            continue
        ev = predicted[ids[g.number]]
        print(f"\n## {g.number:02d}")
        for q in ev["quotes"]:
            who = q["speaker"] or q["speaker_text"]
            print(f"  Q {q['kind']:8} {q['cue']!s:12} {who!s:24} {q['text'][:70]}")
        for e in ev["entities"]:
            print(f"  E {e['label']:6} {e['text']:28} -> {e['canonical']}")
        for d in ev["dates"]:
            print(f"  D {d['text']:28} {d['date_start']} {d['date_end']}")
        for f in ev["quantities"]:
            numbers = f"{f['value']} {f['low']}-{f['high']} {f['unit']}"
            print(f"  F {f['text']:28} {numbers} {f['qualifier']} {f['measure']}")


def run(folder: Path, show: bool = False) -> dict[str, Any]:
    gold = load_gold(folder)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "russian.db"
        ids = build_store(db, gold)
        predicted, languages, report = predictions(db)
    if show:
        details(gold, ids, predicted)
    return {
        "date": date.today().isoformat(),
        "languages": dict(Counter(str(languages[i]) for i in ids.values())),
        "extract": {k: report[k] for k in ("processed", "not_extracted", "counts", "seconds")},
        "results": evaluate(gold, ids, predicted),
        "cross_script": cross_script(gold, ids, predicted),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--gold", type=Path, default=GOLD, help="folder of the Russian gold")
    parser.add_argument("--no-write", action="store_true", help="print only; write no files")
    parser.add_argument("--details", action="store_true", help="print the tune articles' records")
    args = parser.parse_args(argv)
    if not any(args.gold.glob("[0-9][0-9].json")):
        print(f"no Russian gold in {args.gold}", file=sys.stderr)
        return 2
    payload = run(args.gold, args.details)
    print(format_table(payload["results"]))
    for name, j in payload["cross_script"].items():
        print(("ok  " if j["joined"] else "BAD ") + name, j["english"], j["cyrillic"])
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(
            json.dumps(rounded({"command": COMMAND, **payload}), indent=2, ensure_ascii=False)
            + "\n",
            encoding="utf-8",
        )
        doc = QUALITY_DOC.read_text("utf-8") if QUALITY_DOC.exists() else "# Quality\n"
        QUALITY_DOC.write_text(replace_section(doc, quality_section(payload)), encoding="utf-8")
        print(f"wrote {RESULTS.relative_to(ROOT)} and {QUALITY_DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
