"""Article-body extraction quality of tocsin beside baselines, on the shared 91-page benchmark.

Reproduce with ``.venv/bin/python bench/eval_extraction.py`` from the repository root. It prints
a table, writes bench/results/extraction.json and the "HTML extraction" section of
docs/quality.md. The scoring follows /work/shared/corpus/README.md (the article-extraction
benchmark's rule): ``\\w+`` tokens, 4-token shingles with counts, TP/FP/FN normalised per page,
precision and recall averaged over pages, F1 from the two averages. One deliberate difference:
a page where an extractor returns nothing (None, an exception, or no ``\\w+`` token) scores
precision 0 and recall 0, instead of being left out of the precision average.
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "article-extraction"
RESULTS = ROOT / "bench" / "results" / "extraction.json"
QUALITY_DOC = ROOT / "docs" / "quality.md"
COMMAND = ".venv/bin/python bench/eval_extraction.py"
SHINGLE = 4
_TOKEN = re.compile(r"\w+")

# Figures the README quotes for the whole benchmark (181 pages); not measured here.
PUBLISHED: dict[str, dict[str, float]] = {
    "trafilatura 2.0": {"f1": 0.958, "precision": 0.938, "recall": 0.978},
    "newspaper4k": {"f1": 0.949},
    "readability-lxml": {"f1": 0.922},
    "goose3": {"f1": 0.896},
    "jusText": {"f1": 0.804},
    "whole page text": {"f1": 0.665},
}


@dataclass(frozen=True)
class Page:
    """One benchmark page: raw HTML bytes, its URL and the human-marked article body."""

    id: str
    url: str | None
    html: bytes
    truth: str

    @property
    def html_str(self) -> str:
        """The HTML as text; every page of the set is UTF-8, as the upstream runners assume."""
        return self.html.decode("utf-8", errors="replace")


Extractor = Callable[[Page], str | None]


def load_pages(corpus: Path = CORPUS) -> list[Page]:
    """All pages of the benchmark, in ground-truth order."""
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        Page(
            id=key,
            url=entry.get("url"),
            html=gzip.decompress((corpus / "html" / f"{key}.html.gz").read_bytes()),
            truth=entry["articleBody"],
        )
        for key, entry in truth.items()
    ]


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """4-token shingles with counts; a text shorter than 4 tokens is one shorter shingle."""
    tokens = _TOKEN.findall(text)
    count = max(1, len(tokens) - SHINGLE + 1)
    return Counter(tuple(tokens[i : i + SHINGLE]) for i in range(count) if tokens)


def shingle_counts(pred: str, truth: str) -> tuple[int, int, int]:
    """Raw (TP, FP, FN) shingle counts of a prediction against the truth."""
    predicted, true = shingles(pred), shingles(truth)
    tp = sum((predicted & true).values())
    return tp, predicted.total() - tp, true.total() - tp


def score(pred: str, truth: str) -> tuple[float, float, float]:
    """(TP, FP, FN) normalised to sum to 1, so a long page weighs no more than a short one."""
    counts = shingle_counts(pred, truth)
    total = sum(counts)
    if total == 0:
        return 0.0, 0.0, 0.0
    tp, fp, fn = (c / total for c in counts)
    return tp, fp, fn


def precision_recall(tp: float, fp: float, fn: float) -> tuple[float, float]:
    """Per-page precision and recall; an empty prediction (TP+FP = 0) scores 0 and 0."""
    if tp + fp == 0:
        return 0.0, 0.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return tp / (tp + fp), recall


def _run_one(extractor: Extractor, page: Page) -> tuple[str, bool]:
    """The extractor's text for one page ("" for None or an exception), and whether it raised."""
    try:
        return extractor(page) or "", False
    except Exception:
        return "", True


def measure(extractor: Extractor, pages: Sequence[Page]) -> dict[str, Any]:
    """F1, P, R, empty pages, wall time and per-page (P, R) of one extractor."""
    started = time.perf_counter()
    per_page: dict[str, tuple[float, float]] = {}
    empty: set[str] = set()
    errors = 0
    for page in pages:
        text, raised = _run_one(extractor, page)
        errors += raised
        if not _TOKEN.search(text):
            empty.add(page.id)
        per_page[page.id] = precision_recall(*score(text, page.truth))
    seconds = time.perf_counter() - started
    p, r, f1 = _averages(list(per_page.values()))
    # The upstream script leaves empty predictions out of the precision average.
    upstream_p, _, _ = _averages([pr for pid, pr in per_page.items() if pid not in empty])
    upstream_f1 = 2 * upstream_p * r / (upstream_p + r) if upstream_p + r else 0.0
    return {
        "f1": f1,
        "precision": p,
        "recall": r,
        "f1_upstream_rule": upstream_f1,
        "empty": len(empty),
        "errors": errors,
        "seconds": seconds,
        "per_page": per_page,
    }


def _averages(per_page: Sequence[tuple[float, float]]) -> tuple[float, float, float]:
    """Mean precision, mean recall, and F1 from those two means."""
    if not per_page:
        return 0.0, 0.0, 0.0
    p = statistics.fmean(pr[0] for pr in per_page)
    r = statistics.fmean(pr[1] for pr in per_page)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def evaluate(extractors: Mapping[str, Extractor], pages: Sequence[Page]) -> dict[str, Any]:
    """Every extractor measured on the same pages in this run, in the order given."""
    return {
        "pages": len(pages),
        "date": date.today().isoformat(),
        "extractors": {name: measure(fn, pages) for name, fn in extractors.items()},
    }


def tocsin_extract(page: Page) -> str:
    """tocsin's own path: decode() the bytes, then clean_html() with the page's URL."""
    from tocsin.ingest.decode import decode
    from tocsin.ingest.html import clean_html

    text, _ = decode(page.html)
    return clean_html(text, page.url).text


def trafilatura_plain(page: Page) -> str | None:
    """trafilatura.extract with its defaults: the baseline tocsin must not fall below."""
    import trafilatura

    result: str | None = trafilatura.extract(page.html_str, url=page.url)
    return result


def justext_extract(page: Page) -> str:
    """jusText with the English stop list and the parameters of the benchmark's own runner."""
    import justext

    paragraphs = justext.justext(
        page.html, justext.get_stoplist("English"), 50, 200, 0.1, 0.2, 0.2, 200, True
    )
    return "\n\n".join(p.text for p in paragraphs if not p.is_boilerplate)


_INVISIBLE_TAGS = ("head", "script", "style", "noscript", "template")
_BLOCK_TAGS = frozenset(
    (
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    )
)


def whole_page_text(page: Page) -> str:
    """All text a reader could see: the body without scripts, styles and comments."""
    import lxml.html
    from lxml import etree

    root = lxml.html.document_fromstring(page.html, parser=lxml.html.HTMLParser(encoding="utf-8"))
    etree.strip_elements(root, *_INVISIBLE_TAGS, with_tail=False)
    for element in root.iter():
        if element.tag in _BLOCK_TAGS:  # keep words of adjacent blocks apart
            element.tail = "\n" + (element.tail or "")
    return str(root.text_content())


EXTRACTORS: dict[str, Extractor] = {
    "tocsin": tocsin_extract,
    "trafilatura (plain)": trafilatura_plain,
    "jusText": justext_extract,
    "whole page text": whole_page_text,
}


def format_table(results: dict[str, Any]) -> str:
    """A Markdown table of the figures per extractor."""
    lines = [
        "| extractor | F1 | precision | recall | empty pages | F1, upstream rule | seconds |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, m in results["extractors"].items():
        empty = f"{m['empty']} ({m['errors']} raised)" if m["errors"] else str(m["empty"])
        lines.append(
            f"| {name} | {m['f1']:.4f} | {m['precision']:.4f} | {m['recall']:.4f} "
            f"| {empty} | {m['f1_upstream_rule']:.4f} | {m['seconds']:.1f} |"
        )
    return "\n".join(lines)


def _published_table() -> str:
    lines = ["| extractor | F1 | precision | recall |", "|---|---:|---:|---:|"]
    for name, fig in PUBLISHED.items():
        p, r = (f"{fig[k]:.3f}" if k in fig else "—" for k in ("precision", "recall"))
        lines.append(f"| {name} | {fig['f1']:.3f} | {p} | {r} |")
    return "\n".join(lines)


def _versions() -> dict[str, str]:
    names = ("trafilatura", "justext", "lxml")
    return {"python": platform.python_version(), **{n: version(n) for n in names}}


def quality_section(results: dict[str, Any]) -> str:
    """The "HTML extraction" section of docs/quality.md for these results."""
    v = _versions()
    libs = ", ".join(f"{k} {val}" for k, val in v.items())
    return f"""## HTML extraction

Measured on {results["date"]} on the {results["pages"]} pages of
`shared/corpus/article-extraction/` (half of a public article-body benchmark), every
extractor in the same run on the same pages.
Versions: {libs}.

Reproduce from the repository root (the corpus must sit beside the checkout):

```sh
{COMMAND}
```

{format_table(results)}

- **tocsin**: `decode()` then `clean_html(text, url)`, the path the ingest pipeline takes.
- **trafilatura (plain)**: `trafilatura.extract(html, url=url)` with its defaults.
- **jusText**: English stop list, with the parameters of the benchmark's own runner.
- **whole page text**: all text of the page body without scripts, styles and comments (lxml).

Score, as the corpus README states it: `\\w+` tokens, 4-token shingles with counts,
TP/FP/FN per page normalised to sum to 1, precision and recall averaged over pages, F1 from
the two averages. Unlike the upstream script, a page where an extractor returns nothing (None,
an exception, or no word) counts as precision 0 and recall 0 rather than being left out of the
precision average; the column "F1, upstream rule" leaves them out, as the upstream script
does. "seconds" is one process, one page after another, HTML bytes to text. Per-page
[precision, recall] pairs are in `bench/results/extraction.json`;
`tests/ingest/test_quality_gate.py` fails if tocsin falls below the floors in
`tests/data/quality_floors.json` or below plain trafilatura.

Published figures on the **whole** benchmark (181 pages, same score), quoted from the corpus
README for context; **not measured here**, and not directly comparable with the table above:

{_published_table()}
"""


def replace_section(doc: str, section: str) -> str:
    """``doc`` with the section that ``section``'s first line heads replaced (or appended)."""
    heading = section.splitlines()[0]
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(doc):
        return pattern.sub(lambda _: section.rstrip("\n") + "\n\n", doc).rstrip("\n") + "\n"
    return doc.rstrip("\n") + "\n\n" + section


def write_outputs(results: dict[str, Any], json_path: Path, doc_path: Path) -> None:
    """Write the JSON results and the docs section."""
    json_path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"command": COMMAND, "versions": _versions(), **results}
    json_path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    doc = doc_path.read_text(encoding="utf-8") if doc_path.exists() else "# Quality\n"
    doc_path.parent.mkdir(parents=True, exist_ok=True)
    doc_path.write_text(replace_section(doc, quality_section(results)), encoding="utf-8")


def save_results(json_path: Path, results: dict[str, Any], doc_path: Path, section: str) -> None:
    """Write the rounded ``results`` as JSON and put ``section`` into the doc at ``doc_path``
    (replacing the section of the same heading): what every quality script writes."""
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(rounded(results), indent=2) + "\n", encoding="utf-8")
    doc = doc_path.read_text(encoding="utf-8") if doc_path.exists() else "# Quality\n"
    doc_path.write_text(replace_section(doc, section), encoding="utf-8")


def save_or_baseline(
    results: dict[str, Any],
    baseline: Path | None,
    saved_baseline: Path,
    json_path: Path,
    doc_path: Path,
    section: Callable[[dict[str, Any], dict[str, Any] | None], str],
) -> None:
    """With ``baseline``, keep ``results`` there as the 'before' figures and write nothing
    else; otherwise write them and their doc section beside the saved baseline, if any."""
    if baseline is not None:
        baseline.parent.mkdir(parents=True, exist_ok=True)
        baseline.write_text(json.dumps(rounded(results), indent=2) + "\n", encoding="utf-8")
        return
    before = json.loads(saved_baseline.read_text("utf-8")) if saved_baseline.exists() else None
    save_results(json_path, results, doc_path, section(results, before))


def rounded(results: dict[str, Any], digits: int = 4) -> Any:
    """A copy of the results with floats rounded, for a readable JSON file."""
    if isinstance(results, dict):
        return {k: rounded(v, digits) for k, v in results.items()}
    if isinstance(results, list | tuple):
        return [rounded(v, digits) for v in results]
    return round(results, digits) if isinstance(results, float) else results


def main(argv: Sequence[str] | None = None) -> int:
    """Run the comparison, print the table and write the result files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="article-extraction folder")
    parser.add_argument(
        "--only", nargs="+", choices=list(EXTRACTORS), help="measure only these extractors"
    )
    parser.add_argument("--no-write", action="store_true", help="print only; write no files")
    args = parser.parse_args(argv)
    if not (args.corpus / "ground-truth.json").exists():
        parser.error(f"no benchmark at {args.corpus}")
    chosen = {n: f for n, f in EXTRACTORS.items() if not args.only or n in args.only}
    results = evaluate(chosen, load_pages(args.corpus))
    print(f"{results['pages']} pages, {results['date']}\n{format_table(results)}")
    if not args.no_write:
        write_outputs(rounded(results), RESULTS, QUALITY_DOC)
        print(f"wrote {RESULTS.relative_to(ROOT)} and {QUALITY_DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
