"""Long articles: time and peak memory of extracting one article, by its length.

Reproduce from the repository root (the shared corpus must sit beside the checkout):

    .venv/bin/python bench/long_articles.py

The article is ordinary news: the true texts of the 91 pages of
``shared/corpus/article-extraction`` joined as paragraphs, repeated as needed and cut at a
paragraph to each length. Each measurement runs in a fresh process (so its peak resident
memory, ``ru_maxrss``, is its own, model included):

- **pieces**: tocsin's extraction, ``extract_article`` (the text cut into paragraph-aligned
  pieces of at most ``PIECE_CHARS`` characters, each parsed and read, then freed);
- **whole**: what tocsin did before: the whole text parsed in one pass of spaCy (its
  ``max_length`` raised to allow it) and read, for the lengths where that is bearable.

It writes bench/results/long_articles.json and the "Long articles" section of
docs/benchmarks.md (other sections are kept). It is a benchmark, not a test: it asserts
nothing.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from eval_extraction import CORPUS, ROOT, replace_section

DOC = ROOT / "docs" / "benchmarks.md"
RESULTS = ROOT / "bench" / "results" / "long_articles.json"
LENGTHS = (50_000, 200_000, 1_000_000, 3_000_000)
WHOLE_UP_TO = 1_000_000  # beyond, the old way needs more memory than is sensible to ask
COMMAND = ".venv/bin/python bench/long_articles.py"

_CHILD = """
import json, resource, sys, time
from tocsin.extract.article import analyse, extract_article, pipeline
text = open(sys.argv[1], encoding="utf-8").read()
nlp, aliases = pipeline("sm")
started = time.perf_counter()
if sys.argv[2] == "pieces":
    found = extract_article(nlp, aliases, text, None, None)
else:
    nlp.max_length = len(text) + 1
    found = analyse(nlp(text), aliases, None)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "mentions": len(found.mentions),
                  "quotes": len(found.quotes)}))
"""


def news_text(length: int) -> str:
    """``length`` characters of real news, cut at a paragraph end."""
    truth = json.loads((CORPUS / "ground-truth.json").read_text(encoding="utf-8"))
    paragraphs = [p.strip() for v in truth.values() for p in v["articleBody"].split("\n")]
    paragraphs = [p for p in paragraphs if len(p) > 40]
    out: list[str] = []
    size = 0
    while size < length:
        for p in paragraphs:
            out.append(p)
            size += len(p) + 2
            if size >= length:
                break
    return "\n\n".join(out)[:length].rsplit("\n\n", 1)[0]


def measure(text: str, mode: str, work: Path) -> dict[str, Any]:
    path = work / "article.txt"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), mode],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["per_100k"] = result["seconds"] * 100_000 / len(text)
    return result


def section(rows: list[dict[str, Any]], when: str) -> str:
    lines = [
        "## Long articles",
        "",
        f"Measured on {when} with `{COMMAND}` ({platform.machine()}, one process, "
        "en_core_web_sm): one article of ordinary news of each length, each run in a fresh "
        "process; peak memory is that process's resident peak, the model included "
        "(docstring of the script for the method).",
        "",
        "| characters | way | seconds | seconds per 100k characters | peak memory (MB) |",
        "|---:|---|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['chars']:,} | {r['mode']} | {r['seconds']:.1f} | {r['per_100k']:.2f} | "
            f"{r['peak_mb']:.0f} |"
        )
    lines += [
        "",
        "*pieces* is tocsin's extraction (paragraph-aligned pieces of at most 50,000 "
        "characters); *whole* is one pass of spaCy over the whole text, as before issue #9. "
        "Seconds depend on what else the machine is doing (compare rows of one run only); "
        "the peak memory does not.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    if not (CORPUS / "ground-truth.json").exists():
        raise SystemExit(f"the corpus is not at {CORPUS}")
    work = ROOT / "bench" / ".long-articles"
    work.mkdir(exist_ok=True)
    rows = []
    for length in LENGTHS:
        text = news_text(length)
        for mode in ("pieces", "whole"):
            if mode == "whole" and length > WHOLE_UP_TO:
                continue
            row = {"chars": len(text), "mode": mode, **measure(text, mode, work)}
            print(json.dumps(row))
            rows.append(row)
    when = date.today().isoformat()
    RESULTS.write_text(json.dumps({"date": when, "command": COMMAND, "rows": rows}, indent=2)
                       + "\n", encoding="utf-8")  # fmt: skip
    doc = DOC.read_text(encoding="utf-8")
    DOC.write_text(replace_section(doc, section(rows, when)), encoding="utf-8")
    (work / "article.txt").unlink(missing_ok=True)
    work.rmdir()


if __name__ == "__main__":
    main()
