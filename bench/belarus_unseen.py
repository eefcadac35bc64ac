"""The bundled case on news it was not written from: the belarus-2022 case file, unchanged,
assessed on the 30 dated English excerpts of ``tests/data/unseen-en/`` (2021-11 to 2023-09,
28 outlets, none a seed article), as of every article date, with each linker.

The question resolved H2 (Belarus did not join the fighting). Nothing in the assessment was
tuned on these articles (their gold is of quotes and events, used by the evidence layer's
benchmarks); this script only measures. Writes bench/results/belarus_unseen.json and the
"## The bundled case on unseen news" section of docs/backtest.md. Reproduce from the
repository root:

    .venv/bin/python bench/belarus_unseen.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from tocsin.assess.assessment import assess
from tocsin.assess.backtest import log_score
from tocsin.assess.case import bundled_case_path, load_case
from tocsin.assess.embed import Embedder
from tocsin.assess.relink import relink
from tocsin.assess.sources import article_facts
from tocsin.config import Config
from tocsin.extract.run import extract
from tocsin.ingest.pipeline import ingest
from tocsin.store.db import Store

ROOT = Path(__file__).resolve().parents[1]
SHELF = ROOT / "tests" / "data" / "unseen-en"
JSON = ROOT / "bench" / "results" / "belarus_unseen.json"
DOC = ROOT / "docs" / "backtest.md"
OUTCOME = "H2"

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_extraction import save_results  # noqa: E402


def articles_jsonl(folder: Path) -> Path:
    """The shelf's articles as the JSONL tocsin ingests, in ``folder``."""
    out = folder / "unseen.jsonl"
    with out.open("w", encoding="utf-8") as f:
        for entry in json.loads((SHELF / "shelf.json").read_text("utf-8")):
            text = (SHELF / f"{entry['article']:02d}.txt").read_text("utf-8")
            title, body = text.split("\n\n", 1)
            record = {"id": f"{entry['article']:02d}", "url": entry["source_url"],
                      "outlet": entry["outlet"], "published": entry["published"],
                      "title": title, "text": body}  # fmt: skip
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return out


def brier(probabilities: dict[str, float], outcome: str) -> float:
    return sum((p - (h == outcome)) ** 2 for h, p in probabilities.items())


def run(linker: str, embedder: Embedder) -> dict[str, Any]:
    case = load_case(bundled_case_path()).model_copy(update={"linker": linker})
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "unseen.db"
        with Store.open(db) as store:
            ingest([articles_jsonl(Path(folder))], store=store, config=Config.load(workers=1))
            extract(store, workers=1)
            relink(store, case, embedder)
            final = assess(store, case)
            days = sorted({f.published for a in store.articles()
                           if (f := article_facts(a, case)).published})  # fmt: skip
            path = [(d, assess(store, case, as_of=d).posterior.probabilities) for d in days]
    briers = [brier(p, OUTCOME) for _, p in path]
    return {
        "linker": linker,
        "links": len([e for e in final.evidence if e.kind == "link"]),
        "final": final.posterior.probabilities,
        "leader": final.leader,
        "dates": len(path),
        "mean_brier": sum(briers) / len(briers) if briers else None,
        "last_brier": briers[-1] if briers else None,
        "prior_brier": brier(case.priors(), OUTCOME),
        "mean_log": sum(log_score(p, OUTCOME) for _, p in path) / len(path) if path else None,
        "highest_wrong": max((p[h] for _, p in path for h in p if h != OUTCOME), default=0.0),
        "trajectory": [(d.isoformat(), p[OUTCOME]) for d, p in path],
    }


def section(rows: list[dict[str, Any]]) -> str:
    table = [
        "| linker | links | P(H1) last | P(H2) last | P(H3) last | leader last | mean Brier | "
        "Brier last | prior's Brier | highest P(wrong) |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        f = r["final"]
        table.append(
            f"| {r['linker']} | {r['links']} | {f['H1']:.3f} | {f['H2']:.3f} | {f['H3']:.3f} | "
            f"{r['leader']} | {r['mean_brier']:.3f} | {r['last_brier']:.3f} | "
            f"{r['prior_brier']:.3f} | {r['highest_wrong']:.3f} |"
        )
    paths = [
        f"- **{r['linker']}**: " + ", ".join(f"{d} {p:.2f}" for d, p in r["trajectory"])
        for r in rows
    ]
    return "\n".join(
        [
            "## The bundled case on unseen news",
            "",
            f"Measured on {date.today().isoformat()} with `.venv/bin/python "
            "bench/belarus_unseen.py`: the belarus-2022 case file, unchanged, on the 30 dated "
            "English excerpts of `tests/data/unseen-en/` (none a seed article; nothing in the "
            "assessment tuned on them), as of every article date. The question resolved H2.",
            "",
            *table,
            "",
            "P(H2) by date:",
            "",
            *paths,
            "",
        ]
    )


def main() -> int:
    embedder = Embedder(threads=Config.load().worker_count)
    rows = [run(linker, embedder) for linker in ("rules", "model")]
    text = section(rows)
    print(text)
    save_results(JSON, {"rows": rows}, DOC, text)
    print(f"wrote {JSON} and {DOC}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
