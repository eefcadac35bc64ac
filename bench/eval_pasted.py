"""Pasted-page cleaning and publication dates, scored on the composed pages of tests/data/pasted.

Reproduce with ``.venv/bin/python bench/eval_pasted.py`` from the repository root. Each page
goes through tocsin's own ingest path for pasted text (``tocsin.ingest.clean.process`` on a
text item: decode, normalise, clean, date, with today fixed at TODAY and no period), and is
scored against its truth (tests/data/pasted/README.md):

- title: the title equals the true headline (spaces collapsed);
- body: token F1 of the clean text against the true body, the article-extraction score
  (``\\w+`` tokens, 4-token shingles with counts, TP/FP/FN normalised per page, precision and
  recall averaged over pages, F1 from the two averages: bench/eval_extraction.py);
- date: a page that states its date must come out stated with exactly that day (or month);
  on a page that does not, the estimate's range must hold the true day and its value be
  within DATE_SLACK_DAYS of it;
- stated: the date is marked stated exactly when the page states it.

The tune and check halves are reported apart: rules are developed on tune only. Prints a
table, writes bench/results/pasted.json and the "Pasted pages and dates" section of
docs/quality.md.
"""

from __future__ import annotations

import argparse
import calendar
import json
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from eval_extraction import precision_recall, replace_section, rounded, score

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "tests" / "data" / "pasted"
RESULTS = ROOT / "bench" / "results" / "pasted.json"
QUALITY_DOC = ROOT / "docs" / "quality.md"
COMMAND = ".venv/bin/python bench/eval_pasted.py"
HALVES = ("tune", "check")
TODAY = date(2026, 11, 23)  # the day the estimates are made: fixed, so the figures repeat
DATE_SLACK_DAYS = 14  # an estimate this close to the true day counts as right
# The cleaner before issue #10 (main at f12c991) on the same pages, measured with this script
# (its own clean.process on the same inputs), for comparison; not re-measured here.
BEFORE: dict[str, dict[str, float]] = {
    "tune": {"title": 0.583, "body_f1": 0.9007, "date": 0.250, "stated": 0.333},
    "check": {"title": 0.583, "body_f1": 0.9059, "date": 0.417, "stated": 0.417},
}


@dataclass(frozen=True)
class Page:
    """One composed page: the paste, and the truth about it."""

    name: str
    half: str
    paste: str
    title: str
    body: str
    published: tuple[date, date]  # the true day, or the first and last day of a stated month
    stated: bool


def load_page(path: Path) -> Page:
    """Read a ``.page`` file (format in tests/data/pasted/README.md)."""
    header: dict[str, str] = {}
    paste: list[str] = []
    titles: list[str] = []
    body: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.startswith("# "):
            key, _, value = raw[2:].partition(":")
            header[key.strip()] = value.strip()
            continue
        mark, text = raw[:1], raw[2:]
        if mark not in ("T", "B", "-", ""):
            raise ValueError(f"{path}: line does not start with 'T ', 'B ' or '- ': {raw!r}")
        paste.append(text)
        if mark == "T":
            titles.append(text)
        elif mark == "B":
            body.append(text)
    if len(titles) != 1:
        raise ValueError(f"{path}: {len(titles)} title lines, want exactly one")
    return Page(
        name=path.stem,
        half=path.parent.name,
        paste="\n".join(paste) + "\n",
        title=titles[0],
        body="\n\n".join(body),
        published=_true_range(header["published"]),
        stated=header["stated"] == "yes",
    )


def _true_range(value: str) -> tuple[date, date]:
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        day = date(*parts)
        return day, day
    year, month = parts
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def load_pages(root: Path = PAGES) -> list[Page]:
    """Every page of both halves, tune first, in file-name order."""
    return [load_page(p) for half in HALVES for p in sorted((root / half).glob("*.page"))]


def clean_page(page: Page) -> Any:
    """The page through tocsin's ingest path for pasted text; the CleanArticle."""
    from tocsin.config import Config
    from tocsin.ingest.clean import process
    from tocsin.models import CleanOptions, RawItem

    item = RawItem(locator=f"{page.name}.txt", kind="text", data=page.paste.encode("utf-8"))
    result = process(item, CleanOptions(None, TODAY, Config.load()))
    if result.error is not None:
        raise RuntimeError(f"{page.name}: {result.error}")
    return result.article


def judge(page: Page, article: Any) -> dict[str, Any]:
    """The four verdicts on one page, with what tocsin found."""
    pub = article.published
    low, high = page.published
    if pub is None:
        date_ok = False
    elif page.stated:
        date_ok = not pub.estimated and (pub.low, pub.high) == (low, high)
    else:
        date_ok = pub.low <= low <= pub.high and abs((pub.value - low).days) <= DATE_SLACK_DAYS
    p, r = precision_recall(*score(article.text, page.body))
    return {
        "title": " ".join((article.title or "").split()) == " ".join(page.title.split()),
        "precision": p,
        "recall": r,
        "date": date_ok,
        "stated": pub is not None and pub.estimated != page.stated,
        "found": {
            "title": article.title,
            "published": [pub.low.isoformat(), pub.high.isoformat()] if pub else None,
            "estimated": pub.estimated if pub else None,
            "authors": article.authors,
        },
    }


def summarise(verdicts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Accuracies and body P/R/F1 over some pages."""
    n = len(verdicts)
    p = statistics.fmean(v["precision"] for v in verdicts) if n else 0.0
    r = statistics.fmean(v["recall"] for v in verdicts) if n else 0.0
    return {
        "pages": n,
        "title": sum(v["title"] for v in verdicts) / n if n else 0.0,
        "body_f1": 2 * p * r / (p + r) if p + r else 0.0,
        "body_precision": p,
        "body_recall": r,
        "date": sum(v["date"] for v in verdicts) / n if n else 0.0,
        "stated": sum(v["stated"] for v in verdicts) / n if n else 0.0,
    }


def evaluate(pages: Sequence[Page]) -> dict[str, Any]:
    """Every page cleaned and judged; figures per half and over all pages."""
    verdicts = {p.name if p.half == "tune" else f"check/{p.name}": judge(p, clean_page(p))
                for p in pages}  # fmt: skip
    halves = {p.name if p.half == "tune" else f"check/{p.name}": p.half for p in pages}
    return {
        "date": date.today().isoformat(),
        "today": TODAY.isoformat(),
        "halves": {
            half: summarise([v for k, v in verdicts.items() if halves[k] == half])
            for half in HALVES
        },
        "all": summarise(list(verdicts.values())),
        "per_page": {k: v for k, v in verdicts.items() if halves[k] == "tune"},
    }


def format_table(results: dict[str, Any]) -> str:
    lines = [
        "| pages | n | title | body F1 | body P | body R | date | stated/estimated |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = {**results["halves"], "all": results["all"]}
    for name, m in rows.items():
        lines.append(
            f"| {name} | {m['pages']} | {m['title']:.3f} | {m['body_f1']:.4f} "
            f"| {m['body_precision']:.4f} | {m['body_recall']:.4f} | {m['date']:.3f} "
            f"| {m['stated']:.3f} |"
        )
    return "\n".join(lines)


def quality_section(results: dict[str, Any]) -> str:
    """The "Pasted pages and dates" section of docs/quality.md."""
    return f"""## Pasted pages and dates

Measured on {results["date"]} on the composed pasted pages of `tests/data/pasted/` (our own
text laid out as browsers paste news pages: menus, glued and all-capitals bylines with dates,
captions with dates, "Read also" teasers, appended stories, runs of headlines, author boxes,
comment forms, a headline and standfirst shown twice; see its README). Rules were developed
on the tune half only; the check half is scored here in aggregate. Each page goes through the
ingest path for pasted text, with the estimates made as of {results["today"]}.

```sh
{COMMAND}
```

{format_table(results)}

The cleaner before issue #10 (commit f12c991), same pages and script: {_before()}.

- **title**: the title equals the true headline.
- **body F1**: the article-extraction score of the clean text against the true body.
- **date**: a stated date is read exactly (the day, or the month when only a month is
  stated); an undated page's estimate holds the true day and is within {DATE_SLACK_DAYS} days
  of it.
- **stated/estimated**: the date is marked stated exactly when the page states it.

Per-page verdicts of the tune half are in `bench/results/pasted.json`;
`tests/ingest/test_pasted_gate.py` holds the figures to the floors in
`tests/data/quality_floors.json`.
"""


def _before() -> str:
    return "; ".join(
        f"{half} title {m['title']:.3f}, body F1 {m['body_f1']:.4f}, date {m['date']:.3f}, "
        f"stated/estimated {m['stated']:.3f}"
        for half, m in BEFORE.items()
    )


def write_outputs(results: dict[str, Any], json_path: Path, doc_path: Path) -> None:
    json_path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"command": COMMAND, **results}
    json_path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    doc = doc_path.read_text(encoding="utf-8") if doc_path.exists() else "# Quality\n"
    doc_path.write_text(replace_section(doc, quality_section(results)), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pages", type=Path, default=PAGES, help="folder with tune/ and check/")
    parser.add_argument("--no-write", action="store_true", help="print only; write no files")
    parser.add_argument(
        "--show-tune", action="store_true", help="print the verdicts on each tune page"
    )
    args = parser.parse_args(argv)
    results = evaluate(load_pages(args.pages))
    if args.show_tune:
        for name, v in results["per_page"].items():
            wrong = [k for k in ("title", "date", "stated") if not v[k]]
            print(f"{name}: P {v['precision']:.3f} R {v['recall']:.3f} wrong {wrong} {v['found']}")
    print(format_table(results))
    if not args.no_write:
        write_outputs(rounded(results), RESULTS, QUALITY_DOC)
        print(f"wrote {RESULTS.relative_to(ROOT)} and {QUALITY_DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
