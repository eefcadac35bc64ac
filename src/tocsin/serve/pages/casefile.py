"""What the editor pages know of case files: a validation message as a list of faults, the
diff of two versions as rows of lines, and whether the stored links were made from the
indicators the newest version has.

The faults come from ``parse_case``'s message, the one ``tocsin case check`` prints (one
line per fault: key path, line, what is wrong), so the desk and the command line cannot
drift apart; the page only adds a link to each fault's line.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

from tocsin.assess.case import Case, parse_case
from tocsin.assess.link_model import Lessons
from tocsin.assess.relink import case_hash, linker_version, links_stale
from tocsin.errors import InvalidInput
from tocsin.serve.state import Desk
from tocsin.store import assessment as stored
from tocsin.store import desk as kept
from tocsin.store.db import Store

CONTEXT_LINES = 3  # unchanged lines shown around each change of a diff
PARSED_KEPT = 64  # parsed case files kept (by text) for the links' staleness check

_FAULT = re.compile(r"^  (?P<key>.*?)(?: \(line (?P<line>\d+)\))?: (?P<message>.*)$")
_COUNT = re.compile(r"^.*: \d+ error\(s\)$")
_YAML_LINE = re.compile(r"^.*?: line (\d+) not valid YAML")


@dataclass(frozen=True)
class Fault:
    """One fault of a case file: its line as ``case check`` prints it, the key path and the
    file's line it names (None when it names none)."""

    text: str
    key: str
    line: int | None


def faults(message: str) -> tuple[str, list[Fault]]:
    """``parse_case``'s message as its first line and the faults it lists. A file that is
    not YAML at all is one fault: the parser's whole message, with its line."""
    first, _, rest = message.partition("\n")
    if not _COUNT.match(first):
        found = _YAML_LINE.match(first)
        return "", [Fault(message, "", int(found.group(1)) if found else None)]
    out = []
    for row in rest.splitlines():
        match = _FAULT.match(row)
        if match is None:
            out.append(Fault(row.strip(), "", None))
            continue
        line = match.group("line")
        out.append(Fault(row.strip(), match.group("key"), int(line) if line else None))
    return first, out


def id_line(text: str) -> int | None:
    """The line of the file's top-level ``id:`` key, if it has one."""
    found = re.search(r"(?m)^id\s*:", text)
    return None if found is None else text.count("\n", 0, found.start()) + 1


def normalised(text: str) -> str:
    """A textarea's text as the file's: browsers send lines ended by CR LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


# -- diffs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffLine:
    """One row of a diff: 'hunk' (the @@ header), 'del', 'add' or 'same', with the line's
    number in the old and the new text."""

    kind: str
    old: int | None
    new: int | None
    text: str


def diff_lines(old: str, new: str, context: int = CONTEXT_LINES) -> list[DiffLine]:
    """The unified diff of two texts (difflib's, as ``diff -u`` groups it) as rows."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[DiffLine] = []
    for group in difflib.SequenceMatcher(None, a, b).get_grouped_opcodes(context):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        rows.append(DiffLine("hunk", None, None, f"@@ -{_range(i1, i2)} +{_range(j1, j2)} @@"))
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                rows += [
                    DiffLine("same", a1 + k + 1, b1 + k + 1, a[a1 + k]) for k in range(a2 - a1)
                ]
                continue
            rows += [DiffLine("del", n + 1, None, a[n]) for n in range(a1, a2)]
            rows += [DiffLine("add", None, n + 1, b[n]) for n in range(b1, b2)]
    return rows


def _range(start: int, stop: int) -> str:
    """A hunk's range as ``diff -u`` writes it (difflib's own format)."""
    length = stop - start
    first = start + 1 if length else start
    return str(first) if length == 1 else f"{first},{length}"


def diff_counts(rows: list[DiffLine]) -> tuple[int, int]:
    """Lines added and removed."""
    return sum(r.kind == "add" for r in rows), sum(r.kind == "del" for r in rows)


# -- the links and the case file ----------------------------------------------------------


@dataclass(frozen=True)
class LinkNotice:
    """How the stored links stand against the newest case file.

    ``state``: 'never' (the case has no links), 'indicators' (the indicators the linker
    reads changed since the links were made: relink to apply), 'linker' (tocsin's linker
    changed since), 'articles' (articles came after the links), 'current' (nothing the
    linker reads changed; new likelihoods and ratings apply at once). ``changed`` names
    what changed; ``version`` is the version the links were made from, when the store can
    tell."""

    state: str
    changed: tuple[str, ...] = ()
    version: int | None = None

    @property
    def relink(self) -> bool:
        return self.state != "current"


@functools.lru_cache(maxsize=PARSED_KEPT)
def _parsed(text: str) -> Case | None:
    try:
        return parse_case(text, "case file")
    except InvalidInput:
        return None


def linked_from(store: Store, case_id: str) -> tuple[kept.CaseVersion, Case] | None:
    """The kept version the case's links were made from: the one whose fingerprint, with
    the decisions standing when they were made, is the link run's; failing that (a file the
    store does not keep, a decision since replaced), the newest saved before the links were
    made, else the oldest (``assess`` keeps the file it linked right after linking)."""
    state = stored.link_state(store, case_id)
    at = kept.linked_at(store, case_id)
    if state is None or at is None:
        return None
    decided = stored.decided_texts(store, case_id, until=at)
    parsed = []
    for version in kept.case_versions(store, case_id):
        case = _parsed(version.text)
        if case is None:
            continue
        if case_hash(case, Lessons.of(case, decided)) == state.case_hash:
            return version, case
        parsed.append((version, case))
    before = [(v, c) for v, c in parsed if v.saved_at <= at]
    if before:
        return before[0]
    return parsed[-1] if parsed else None


def indicator_changes(old: Case, new: Case) -> tuple[str, ...]:
    """What the linker reads that differs between two case files: indicators (their
    description, patterns, examples, counter-examples, negatability), the linker chosen,
    the evidence entered by hand for an indicator."""

    def reads(case: Case) -> dict[str, object]:
        return {
            i.id: (i.description, i.patterns, i.examples, i.counter_examples, i.negatable)
            for i in case.indicators
        }

    a, b = reads(old), reads(new)
    out = [
        f"{key} ({'new' if key not in a else 'removed' if key not in b else 'changed'})"
        for key in sorted(a.keys() | b.keys())
        if a.get(key) != b.get(key)
    ]
    if old.linker != new.linker:
        out.append(f"linker ({old.linker} → {new.linker})")
    examples = [{(e.indicator, e.text) for e in c.evidence if e.indicator} for c in (old, new)]
    if examples[0] != examples[1]:
        out.append("evidence entered for an indicator")
    return tuple(out)


def link_notice(store: Store, case: Case) -> LinkNotice:
    """How the stored links stand against ``case`` (the newest case file)."""
    state = stored.link_state(store, case.id)
    if state is None:
        return LinkNotice("never")
    if not links_stale(store, case):
        return LinkNotice("current")
    if state.linker_version != linker_version(case):
        return LinkNotice("linker")
    found = linked_from(store, case.id)
    if found is None:
        return LinkNotice("indicators", ("the links were made from a file the store lacks",))
    version, old = found
    changed = indicator_changes(old, case)
    if changed:
        return LinkNotice("indicators", changed, version.version)
    if state.last_article < stored.last_article(store):
        return LinkNotice("articles", (), version.version)
    return LinkNotice("current", (), version.version)


def notice_for(desk: Desk, case_id: str) -> LinkNotice | None:
    """How the case's links stand against its newest file (None: that file does not parse,
    so the desk cannot tell)."""
    try:
        case = desk.case(case_id)
    except InvalidInput:
        return None
    with desk.store() as store:
        return link_notice(store, case)
