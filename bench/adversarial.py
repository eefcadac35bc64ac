"""Extraction time on hostile inputs: the slowest each class runs, per 100,000 characters.

Every rule should be linear or near-linear in the text's length (issue 9). Each input class
below is a text made of one hostile pattern (runs of quote marks, nested brackets, chains
of 'according to X,', endless numbers, runs of dates ...), built at 25,000, 50,000, 100,000
and 200,000 characters. Each is extracted in a worker process by the pipeline of
``analyse_text`` (en_core_web_sm, one process), timed in two parts: spaCy's parse, and
tocsin's rules on the parsed Doc. A class's figure is its slowest size in seconds per
100,000 characters: a class that grows linearly shows about the same figure at every size.
For comparison, ordinary news: the five bundled demo articles, concatenated and repeated to
each size (measured on them, never tuned on them).

Reproduce from the repository root:

    .venv/bin/python bench/adversarial.py
    .venv/bin/python bench/adversarial.py --sizes 25000 50000 100000 --timeout 120
    .venv/bin/python bench/adversarial.py --render    # rewrite the docs from the JSON

A size that runs past ``--timeout`` seconds is recorded as such, and the class's larger
sizes are skipped (they could only be slower). ``--baseline LABEL`` keeps the run as the
baseline the table compares with (run it on an older checkout, e.g. with PYTHONPATH
pointing at that checkout's src). It prints a table and writes
bench/results/adversarial.json and the "Adversarial inputs" section of docs/benchmarks.md
(other sections are kept). It is a benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from importlib.metadata import version
from multiprocessing.connection import Connection
from typing import Any

from eval_extraction import ROOT, replace_section
from ingest_speed import machine

RESULTS = ROOT / "bench" / "results" / "adversarial.json"
DOC = ROOT / "docs" / "benchmarks.md"
DEMO = ROOT / "src" / "tocsin" / "demo" / "articles"
COMMAND = ".venv/bin/python bench/adversarial.py"
SIZES = (25_000, 50_000, 100_000, 200_000)
ANCHOR = date(2022, 10, 12)
PER = 100_000  # characters the figures are given per
ORDINARY = "ordinary news (the demo articles)"


def _repeat(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


def _sentences(unit: str, end: str, n: int, length: int = 1_900) -> str:
    """Sentences of about ``length`` characters: ``unit`` repeated, then ``end``."""
    sentence = _repeat(unit, length - len(end)).rsplit(" ", 1)[0] + " " + end + " "
    return _repeat(sentence, n)


def _random_unicode(n: int) -> str:
    rng = random.Random(9)
    return "".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(n))


def _pseudo_names(n: int) -> str:
    rng = random.Random(7)
    syllables = "ka lo mir vet ro sky an dre vich ol ga ny ter bo zan ski ne va".split()
    parts: list[str] = []
    total = 0
    while total < n:
        first = "".join(rng.choice(syllables) for _ in range(2)).capitalize()
        last = "".join(rng.choice(syllables) for _ in range(3)).capitalize()
        parts.append(f"{first} {last} met {last}. ")
        total += len(parts[-1])
    return "".join(parts)[:n]


def _ordinary(n: int) -> str:
    texts = [p.read_text(encoding="utf-8") for p in sorted(DEMO.glob("*.txt"))]
    return _repeat("\n\n".join(texts) + "\n\n", n)


# name -> (how the text is made, the function that makes it at n characters)
CLASSES: dict[str, tuple[str, Callable[[int], str]]] = {
    "straight quote marks": ('`"` repeated', lambda n: '"' * n),
    "curly quote marks": ("`“` repeated", lambda n: "“" * n),
    "curly marks between words": ("`“a ` repeated", lambda n: _repeat("“a ", n)),
    "closing curly marks between words": ("`a” ` repeated", lambda n: _repeat("a” ", n)),
    "single curly marks": ("`‘a’ ` repeated", lambda n: _repeat("‘a’ ", n)),
    "guillemets": ("`«` repeated", lambda n: "«" * n),
    "nested parentheses": ("n/2 `(` then n/2 `)`", lambda n: "(" * (n // 2) + ")" * (n // 2)),
    "nested parentheses between words": (
        "`( 5 ` repeated, then `) ` repeated",
        lambda n: _repeat("( 5 ", n // 2) + _repeat(") ", n // 2),
    ),
    "closing brackets after numbers": ("`1) ` repeated", lambda n: _repeat("1) ", n)),
    "according to": ("`according to ` repeated", lambda n: _repeat("according to ", n)),
    "a chain of according to X": (
        "`according to Ivan Petrov, ` repeated, one sentence",
        lambda n: _repeat("according to Ivan Petrov, ", n - 21) + "the army will attack.",
    ),
    "chains of according to X in sentences": (
        "sentences of 1,900 characters of `according to Ivan Petrov, `",
        lambda n: _sentences("according to Ivan Petrov, ", "the army will attack.", n),
    ),
    "chains of said that in sentences": (
        "sentences of 1,900 characters of `Ivan said that `",
        lambda n: _sentences("Ivan said that ", "the army will attack.", n),
    ),
    "said": ("`said ` repeated", lambda n: _repeat("said ", n)),
    "told": ("`told ` repeated", lambda n: _repeat("told ", n)),
    "quotes with a speaker": (
        "`“We will win,” he said. ` repeated",
        lambda n: _repeat("“We will win,” he said. ", n),
    ),
    "long digit string": ("`1` repeated", lambda n: "1" * n),
    "many thousands separators": (
        "`1` then `,000` repeated",
        lambda n: "1" + _repeat(",000", n - 1),
    ),
    "numbers in long sentences": (
        "sentences of 1,900 characters of `5, `",
        lambda n: _sentences("5, ", "6 tanks.", n),
    ),
    "number words": (
        "`twenty-five thousand ` repeated",
        lambda n: _repeat("twenty-five thousand ", n),
    ),
    "month names": (
        "`January February March ` repeated",
        lambda n: _repeat("January February March ", n),
    ),
    "dates": ("`1 January 2022 to ` repeated", lambda n: _repeat("1 January 2022 to ", n)),
    "month days": ("`January 5, ` repeated", lambda n: _repeat("January 5, ", n)),
    "distinct names": ("`Kalomir Vetrosky met Vetrosky. ` with made-up names", _pseudo_names),
    "one endless token": ("`a` repeated", lambda n: "a" * n),
    "random unicode": ("code points 32-0x2FFF, seeded", _random_unicode),
    ORDINARY: ("the five bundled demo articles, concatenated and repeated", _ordinary),
}


def _worker(name: str, sizes: Sequence[int], conn: Connection) -> None:
    """Extract the class's text at each size; send (size, spaCy s, rules s) after each."""
    from tocsin.extract.article import analyse, pipeline

    nlp, aliases = pipeline("sm")
    warm = "On 10/12/2022 the ministry said that 5 troops had left, “as planned”, he said."
    analyse(nlp(warm), aliases, ANCHOR)  # loads what the rules load on first use
    make = CLASSES[name][1]
    for size in sizes:
        text = make(size)
        started = time.perf_counter()
        doc = nlp(text)
        parsed = time.perf_counter()
        analyse(doc, aliases, ANCHOR)
        done = time.perf_counter()
        conn.send((len(text), parsed - started, done - parsed))
    conn.close()


def measure_class(name: str, sizes: Sequence[int], timeout: float) -> list[dict[str, Any]]:
    """One row per size: characters and seconds, or the timeout it ran past."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    worker = context.Process(target=_worker, args=(name, sizes, send))
    worker.start()
    send.close()
    runs: list[dict[str, Any]] = []
    for size in sizes:
        if not receive.poll(timeout + (60 if not runs else 0)):  # the first waits for the model
            runs.append({"chars": size, "timeout": timeout})
            break
        chars, spacy_s, rules_s = receive.recv()
        runs.append({"chars": chars, "spacy_s": spacy_s, "rules_s": rules_s})
        print(f"  {name}: {chars:,} characters, spaCy {spacy_s:.2f} s, rules {rules_s:.2f} s")
    worker.terminate()
    worker.join()
    return runs


def per_100k(runs: Sequence[dict[str, Any]], key: str) -> float | None:
    """The slowest run of a class in seconds per 100,000 characters; None if none finished."""
    rates = [
        (run["spacy_s"] + run["rules_s"] if key == "total" else run[key]) * PER / run["chars"]
        for run in runs
        if "timeout" not in run
    ]
    return max(rates) if rates else None


def summary(runs: list[dict[str, Any]], description: str) -> dict[str, Any]:
    timed_out = next((run for run in runs if "timeout" in run), None)
    return {
        "description": description,
        "runs": runs,
        "max_s_per_100k": per_100k(runs, "total"),
        # of the sizes that finished: a timeout leaves the parse and the rules unseparated
        "max_rules_s_per_100k": per_100k(runs, "rules_s"),
        # a timeout at n characters: more than timeout * 100,000 / n seconds per 100,000
        "timed_out_at": timed_out["chars"] if timed_out else None,
        "timeout": timed_out["timeout"] if timed_out else None,
    }


def _figure(entry: dict[str, Any] | None, key: str = "max_s_per_100k") -> str:
    if entry is None:
        return "—"
    if entry.get("timed_out_at") and key == "max_s_per_100k":
        bound = entry["timeout"] * PER / entry["timed_out_at"]
        return f"≥ {max(bound, entry.get(key) or 0):,.0f}"
    value = entry.get(key)
    return "—" if value is None else f"{value:,.1f}"


def _cell(runs: Sequence[dict[str, Any]], size: int) -> str:
    run = next((r for r in runs if r["chars"] == size), None)
    if run is None:
        return ""
    if "timeout" in run:
        return f"> {run['timeout']:,.0f}"
    return f"{run['spacy_s'] + run['rules_s']:,.1f}"


def table(results: dict[str, Any]) -> str:
    sizes = results["sizes"]
    baseline = (results.get("baseline") or {}).get("classes", {})
    head = [
        "input class",
        *(f"{s // 1000}k chars (s)" for s in sizes),
        "max s per 100k chars",
        "of which rules",
        "before (max s per 100k)",
    ]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for name, entry in results["classes"].items():
        cells = [
            name,
            *(_cell(entry["runs"], s) for s in sizes),
            _figure(entry),
            _figure(entry, "max_rules_s_per_100k"),
            _figure(baseline.get(name)),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def section(results: dict[str, Any]) -> str:
    """The "Adversarial inputs" section of docs/benchmarks.md."""
    m = results["machine"]
    baseline = results.get("baseline")
    before = (
        f"The last column is the same measurement on {baseline['label']}, sizes "
        f"{', '.join(f'{s:,}' for s in baseline['sizes'])}, timeout "
        f"{baseline['timeout']:,.0f} s. '≥ x': a size ran past the timeout, so the slowest "
        "rate is at least x, the larger of the finished sizes' rates and timeout × 100,000 / "
        "size; a '> t' cell is a size that ran past t seconds."
        if baseline
        else "No baseline was recorded."
    )
    classes = "\n".join(f"- {name}: {e['description']}" for name, e in results["classes"].items())
    return f"""## Adversarial inputs

Extraction time on hostile texts, the slowest size of each class in seconds per 100,000
characters: the whole of `analyse_text` (spaCy's parse with en_core_web_sm, then tocsin's
rules, in one process), and the rules alone. Every rule is linear or near-linear in the
text's length, so a class shows about the same rate at every size; what stays high is
spaCy's parse of a text with one token per character (about five times the tokens of prose).
Ordinary news is the last row. The rules column is over the sizes that finished.

{before}

Measured on {m["date"]}: {m["nproc"]} CPUs ({m["cpu"]}), Python {m["python"]}, spaCy
{results["spacy"]}, sizes {", ".join(f"{s:,}" for s in results["sizes"])} characters,
timeout {results["timeout"]:,.0f} s per size. Reproduce with `{COMMAND}`.

{table(results)}

The classes (each text cut to the size):

{classes}

`tests/extract/test_adversarial.py` checks the same classes without a clock: the lines of
extraction code the rules run on 4,000 characters are at most six times those on 1,000.
"""


def load() -> dict[str, Any]:
    if RESULTS.exists():
        saved: dict[str, Any] = json.loads(RESULTS.read_text(encoding="utf-8"))
        return saved
    return {}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per size")
    parser.add_argument("--only", nargs="+", choices=list(CLASSES), help="measure only these")
    parser.add_argument("--baseline", metavar="LABEL", help="keep this run as the baseline")
    parser.add_argument("--no-write", action="store_true", help="print only; write no files")
    parser.add_argument("--render", action="store_true", help="only rewrite the docs section")
    args = parser.parse_args(argv)
    if args.render:
        saved = load()
        current = {**saved["current"], "baseline": saved.get("baseline")}
        doc = DOC.read_text(encoding="utf-8")
        DOC.write_text(replace_section(doc, section(current)), encoding="utf-8")
        return 0
    classes: dict[str, Any] = {}
    for name, (description, _) in CLASSES.items():
        if args.only and name not in args.only:
            continue
        print(name, flush=True)
        classes[name] = summary(measure_class(name, args.sizes, args.timeout), description)
    run = {
        "machine": machine(),
        "spacy": version("spacy"),
        "sizes": args.sizes,
        "timeout": args.timeout,
        "classes": classes,
    }
    saved = load()
    kept = "baseline" if args.baseline else "current"
    if args.only and kept in saved:  # measured again: these classes replace their rows
        run["classes"] = {**saved[kept]["classes"], **classes}
        run["classes"] = {name: run["classes"][name] for name in CLASSES if name in run["classes"]}
    if args.baseline:
        saved["baseline"] = {"label": args.baseline, **run}
        results = {**saved.get("current", run), "baseline": saved["baseline"]}
    else:
        saved["current"] = run
        results = {**run, "baseline": saved.get("baseline")}
    print(table(results))
    if not args.no_write:
        saved["command"] = COMMAND
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(saved, indent=2) + "\n", encoding="utf-8")
        if "current" in saved:
            current = {**saved["current"], "baseline": saved.get("baseline")}
            doc = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
            DOC.write_text(replace_section(doc, section(current)), encoding="utf-8")
        print(
            f"wrote {RESULTS.relative_to(ROOT)}"
            + (f" and {DOC.relative_to(ROOT)}" if "current" in saved else "")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
