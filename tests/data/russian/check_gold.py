"""Check the Russian gold: every snippet at its occurrence, every date a valid ISO range.

Run from anywhere: ``python3 tests/data/russian/check_gold.py``. Exits 1 and lists every fault
(file, field, value) when one is found; prints the counts per article otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
KEYS = [
    "article",
    "title",
    "source_url",
    "outlet",
    "published",
    "anchor",
    "split",
    "quotes",
    "entities",
    "dates",
    "figures",
    "notes",
]
QUOTE_KEYS = ["text", "occurrence", "kind", "speaker", "speaker_text", "cue"]
DATE_KEYS = ["text", "occurrence", "date_start", "date_end"]
FIGURE_KEYS = ["text", "occurrence", "value", "low", "high", "unit", "qualifier", "measure"]
KINDS = {"direct", "partial", "indirect"}
LABELS = {"PERSON", "ORG", "GPE", "LOC"}
QUALIFIERS = {None, "at least", "up to", "more than", "less than", "between", "vague"}
LATIN = re.compile(r"^[A-Za-z][A-Za-z .'-]*[A-Za-z0-9]$")


def locate(text: str, snippet: str, occurrence: int) -> tuple[int, int]:
    """Offsets of the occurrence-th non-overlapping hit of snippet (1-based), as in the README."""
    start = -len(snippet)
    for _ in range(occurrence):
        start = text.index(snippet, start + len(snippet))
    return start, start + len(snippet)


def iso_day(value: object) -> dt.date | None:
    """The date of a strict YYYY-MM-DD string; None for anything else."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def check_snippet(text: str, item: dict[str, Any], where: str) -> list[str]:
    snippet, occurrence = item.get("text"), item.get("occurrence")
    if not isinstance(snippet, str) or not snippet or snippet != snippet.strip():
        return [f"{where}: text {snippet!r} is empty or has outer spaces"]
    if not isinstance(occurrence, int) or occurrence < 1:
        return [f"{where}: occurrence {occurrence!r} of {snippet!r} is not a positive int"]
    try:
        locate(text, snippet, occurrence)
    except ValueError:
        found = text.count(snippet)
        return [f"{where}: {snippet!r} occurrence {occurrence} not found ({found} in text)"]
    return []


def check_quotes(text: str, quotes: list[dict[str, Any]], name: str) -> list[str]:
    faults: list[str] = []
    for i, q in enumerate(quotes):
        where = f"{name} quotes[{i}]"
        if list(q) != QUOTE_KEYS:
            faults.append(f"{where}: keys {list(q)} != {QUOTE_KEYS}")
            continue
        faults += check_snippet(text, q, where)
        if q["kind"] not in KINDS:
            faults.append(f"{where}: kind {q['kind']!r}")
        speaker = q["speaker"]
        if speaker is not None and not (isinstance(speaker, str) and LATIN.match(speaker)):
            faults.append(f"{where}: speaker {speaker!r} is not a Latin-script name or null")
        for key in ("speaker_text", "cue"):
            value = q[key]
            if value is not None and (not isinstance(value, str) or value not in text):
                faults.append(f"{where}: {key} {value!r} does not occur in the text")
        if q["kind"] != "indirect" and q["cue"] is None:
            faults.append(f"{where}: a {q['kind']} quote needs a cue")
    return faults


def check_entities(text: str, entities: list[dict[str, Any]], name: str) -> list[str]:
    faults: list[str] = []
    canonicals = Counter(e.get("canonical") for e in entities)
    faults += [f"{name}: canonical {c!r} listed twice" for c, n in canonicals.items() if n > 1]
    for i, e in enumerate(entities):
        where = f"{name} entities[{i}]"
        if list(e) != ["canonical", "label", "spellings"]:
            faults.append(f"{where}: keys {list(e)}")
            continue
        if not isinstance(e["canonical"], str) or not LATIN.match(e["canonical"]):
            faults.append(f"{where}: canonical {e['canonical']!r} is not in Latin script")
        if e["label"] not in LABELS:
            faults.append(f"{where}: label {e['label']!r}")
        spellings = e["spellings"]
        if not spellings or len(set(spellings)) != len(spellings):
            faults.append(f"{where}: spellings {spellings!r} empty or repeated")
        for s in spellings:
            if not re.search(r"(?<!\w)" + re.escape(s) + r"(?!\w)", text):
                faults.append(f"{where}: spelling {s!r} not found as a word in the text")
    return faults


def check_speakers(gold: dict[str, Any], name: str) -> list[str]:
    """Every speaker is the canonical name of one of the file's entities."""
    canonicals = {e.get("canonical") for e in gold["entities"] if isinstance(e, dict)}
    return [
        f"{name} quotes[{i}]: speaker {q['speaker']!r} is not an entity of the file"
        for i, q in enumerate(gold["quotes"])
        if isinstance(q, dict) and q.get("speaker") is not None and q["speaker"] not in canonicals
    ]


def check_labels(golds: dict[str, dict[str, Any]]) -> list[str]:
    """One label per canonical name across the files (one referent, one name, one label)."""
    labels: dict[str, set[str]] = {}
    for gold in golds.values():
        for e in gold["entities"]:
            labels.setdefault(e["canonical"], set()).add(e["label"])
    return [
        f"canonical {c!r} has labels {sorted(found)} across the files"
        for c, found in sorted(labels.items())
        if len(found) > 1
    ]


def check_dates(text: str, dates: list[dict[str, Any]], name: str) -> list[str]:
    faults: list[str] = []
    for i, d in enumerate(dates):
        where = f"{name} dates[{i}]"
        if list(d) != DATE_KEYS:
            faults.append(f"{where}: keys {list(d)} != {DATE_KEYS}")
            continue
        faults += check_snippet(text, d, where)
        start, end = iso_day(d["date_start"]), iso_day(d["date_end"])
        if start is None or end is None:
            faults.append(f"{where}: {d['date_start']!r}..{d['date_end']!r} is not ISO YYYY-MM-DD")
        elif start > end:
            faults.append(f"{where}: range {start}..{end} runs backwards")
    return faults


def check_figures(text: str, figures: list[dict[str, Any]], name: str) -> list[str]:
    faults: list[str] = []
    for i, f in enumerate(figures):
        where = f"{name} figures[{i}]"
        if list(f) != FIGURE_KEYS:
            faults.append(f"{where}: keys {list(f)} != {FIGURE_KEYS}")
            continue
        faults += check_snippet(text, f, where)
        numbers = [f[k] for k in ("value", "low", "high") if f[k] is not None]
        if any(not isinstance(n, int | float) or isinstance(n, bool) for n in numbers):
            faults.append(f"{where}: value/low/high must be numbers or null")
        if f["value"] is None and (f["low"] is None) != (f["high"] is None):
            faults.append(f"{where}: a range needs both low and high")
        if f["qualifier"] not in QUALIFIERS:
            faults.append(f"{where}: qualifier {f['qualifier']!r}")
        if not isinstance(f["measure"], str) or not f["measure"]:
            faults.append(f"{where}: measure missing")
    return faults


def check_article(path: Path) -> tuple[list[str], dict[str, Any]]:
    name = path.name
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:  # also UnicodeDecodeError
        return [f"{name}: not valid UTF-8 JSON ({error})"], {}
    text_path = path.with_suffix(".txt")
    if not text_path.exists():
        return [f"{name}: no {text_path.name}"], gold
    text = text_path.read_text(encoding="utf-8")
    if not isinstance(gold, dict):
        return [f"{name}: the top level is not a JSON object"], {}
    if list(gold) != KEYS:
        return [f"{name}: keys {list(gold)} != {KEYS}"], gold
    faults: list[str] = []
    if gold["article"] != int(path.stem):
        faults.append(f"{name}: article {gold['article']!r} != {int(path.stem)}")
    if gold["title"] != text.split("\n", 1)[0]:
        faults.append(f"{name}: title is not the first line of {text_path.name}")
    if not text.startswith(gold["title"] + "\n\n"):
        faults.append(f"{name}: the title line is not followed by one blank line")
    for key in ("published", "anchor"):
        if iso_day(gold[key]) is None:
            faults.append(f"{name}: {key} {gold[key]!r} is not ISO YYYY-MM-DD")
    expected_split = "tune" if gold["article"] % 2 else "check"
    if gold["split"] != expected_split:
        faults.append(f"{name}: split {gold['split']!r}, expected {expected_split!r}")
    faults += check_quotes(text, gold["quotes"], name)
    faults += check_entities(text, gold["entities"], name)
    faults += check_speakers(gold, name)
    faults += check_dates(text, gold["dates"], name)
    faults += check_figures(text, gold["figures"], name)
    return faults, gold


def check_directory(directory: Path) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """Every fault of the NN.json files in directory, and the files that have none by name."""
    paths = sorted(directory.glob("[0-9][0-9].json"))
    faults: list[str] = [] if paths else [f"no NN.json files in {directory}"]
    golds: dict[str, dict[str, Any]] = {}
    for path in paths:
        found, gold = check_article(path)
        faults += found
        if not found:
            golds[path.name] = gold
    faults += check_labels(golds)
    return faults, golds


def main() -> int:
    faults, golds = check_directory(HERE)
    print("file     direct partial indirect entities spellings dates figures")
    for name, gold in golds.items():
        kinds = Counter(q["kind"] for q in gold["quotes"])
        spellings = sum(len(e["spellings"]) for e in gold["entities"])
        print(
            f"{name:8} {kinds['direct']:6} {kinds['partial']:7} {kinds['indirect']:8} "
            f"{len(gold['entities']):8} {spellings:9} {len(gold['dates']):5} "
            f"{len(gold['figures']):7}"
        )
    for fault in faults:
        print("FAULT", fault, file=sys.stderr)
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main())
