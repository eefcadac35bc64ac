"""YAML read safely and within limits, its faults named by key path and line.

Only plain data is read (PyYAML's safe loader, YAML 1.2 booleans). Nesting and the entries
of a list or mapping are bounded while the file is composed, so that an oversized file is
refused at the first entry over a limit rather than after all of it; an alias repeats a
node without copying it, and every check below visits a shared node once. Numbers and
dates that cannot be read, or lie out of range, are faults: Python refuses to read an
integer of more than 4,300 digits, and such a number is never handed to it.

A fault is a key path and a message; ``describe`` adds the line each path sits on
(``hypotheses[1].prior (line 14): ...``). Text quoted from the file is shown as written,
with control characters escaped, so a message cannot drive the terminal.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from tocsin.errors import InvalidInput

Loc = list[int | str]
Fault = tuple[Loc, str]
# What a refused number or date is read as: validation goes on, and its own fault about
# this value repeats one already reported (callers drop it).
REFUSED = "<refused>"
_CHECKED_TAGS = {
    "tag:yaml.org,2002:int": "number",
    "tag:yaml.org,2002:float": "number",
    "tag:yaml.org,2002:timestamp": "date",
}
_MAX_NUMBER_CHARS = 40  # a longer number is out of range however it is written
_SCALARS = yaml.constructor.SafeConstructor()


@dataclass(frozen=True)
class Limits:
    """How deep, how many entries and how large a number a file may have; ``lists`` gives
    lower limits for lists by their keys (``indicators[3].patterns``: indicators, patterns).
    """

    depth: int
    entries: int
    number: float
    lists: Mapping[tuple[str, ...], int]

    def list_limit(self, loc: Loc) -> int:
        """The most items the list at ``loc`` may hold."""
        keys = tuple(part for part in loc if isinstance(part, str))
        return self.lists.get(keys, self.entries)


def listed(names: list[str], most: int = 10) -> str:
    """``names`` joined by commas as ``shown``, the first ``most`` and a count of the rest."""
    more = f" and {len(names) - most:,} more" if len(names) > most else ""
    return ", ".join(shown(n) for n in names[:most]) + more


def shown(text: str) -> str:
    """``text`` as written, with control and formatting characters as escapes (\\u001b):
    a message quoting a file never moves the terminal's cursor or reorders its text."""
    return "".join(
        c if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp") else f"\\u{ord(c):04x}"
        for c in text
    )


class _Refused(Exception):
    """A file over a limit of nesting or entries, refused while it is composed."""

    def __init__(self, loc: Loc, line: int, message: str) -> None:
        super().__init__(message)
        self.fault: Fault = (loc, message)
        self.line = line


class _Loader(yaml.SafeLoader):
    """The safe loader with YAML 1.2 booleans (only true and false, so a title 'No' or
    'Yes' stays text), checking nesting and entries as each node is composed."""

    def __init__(self, stream: str, limits: Limits) -> None:
        super().__init__(stream)
        self.limits = limits
        self._loc: Loc = []  # the key path of the node being composed

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        step: object = index  # an int in a list, the key's node in a mapping, None for a key
        if parent is not None:
            self._check_entries(parent, step)
        if len(self._loc) >= self.limits.depth:
            line = parent.start_mark.line + 1 if parent is not None else 1
            raise _Refused(list(self._loc), line, f"nested deeper than {self.limits.depth} levels")
        self._loc.append(_step(step))
        try:
            return super().compose_node(parent, index)
        finally:
            self._loc.pop()

    def _check_entries(self, parent: yaml.Node, step: object) -> None:
        if isinstance(parent, yaml.SequenceNode) and isinstance(step, int):
            count, limit = step, self.limits.list_limit(self._loc)
        elif isinstance(parent, yaml.MappingNode) and step is not None:
            count, limit = len(parent.value), self.limits.entries
        else:
            return
        if count >= limit:
            message = f"over the limit of {limit:,} entries"
            raise _Refused(list(self._loc), parent.start_mark.line + 1, message)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _step(step: object) -> int | str:
    """A node's part of the key path: its index in a list, or its key's text."""
    if isinstance(step, yaml.ScalarNode):
        return str(step.value)
    return step if isinstance(step, int) else ""


def read(text: str, where: str, limits: Limits) -> tuple[yaml.Node | None, Any, list[Fault]]:
    """The node tree and the data of ``text``, and the faults of its numbers, dates and
    list lengths (each set aside so that the rest can be checked). A file that is not
    YAML, or is nested or grows past a limit, raises InvalidInput with its line."""
    loader = _Loader(text, limits)
    try:
        node = loader.get_single_node()
        faults = _bounds(node, limits)
        return node, loader.construct_document(node) if node is not None else None, faults
    except _Refused as exc:
        raise InvalidInput(describe([exc.fault], None, where, exc.line)) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise InvalidInput(f"{shown(where)}:{line} not valid YAML: {exc}") from exc
    except (ValueError, OverflowError) as exc:  # a value the checks did not foresee
        raise InvalidInput(f"{shown(where)}: not valid YAML: {exc}") from exc
    finally:
        loader.dispose()


def _bounds(root: yaml.Node | None, limits: Limits) -> list[Fault]:
    """Numbers and dates that cannot be read or are out of range anywhere in the tree (a
    node that aliases share is looked at once), and lists over their limits where the
    limits apply. Each fault is set aside: a number or date becomes REFUSED, a list is cut."""
    if root is None:
        return []
    faults = [fault for keys in limits.lists for fault in _length_faults(root, keys, limits)]
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, Loc]] = [(root, [])]
    while stack:
        node, loc = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            faults += _scalar_fault(node, loc, limits.number)
        elif isinstance(node, yaml.SequenceNode):
            stack += [(item, [*loc, n]) for n, item in enumerate(node.value)]
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += [(key, loc), (value, [*loc, _step(key)])]
    return faults


def _length_faults(root: yaml.Node, keys: tuple[str, ...], limits: Limits) -> list[Fault]:
    """The lists at ``keys`` (through the items of the lists on the way) over their limit,
    whether written there or reached through an alias; each is cut to its limit."""
    faults: list[Fault] = []
    level: list[tuple[yaml.Node, Loc]] = [(root, [])]
    for key in keys:
        found = [(v, [*loc, key]) for node, loc in level for v in _values(node, key)]
        level = []
        for node, loc in found:
            if isinstance(node, yaml.SequenceNode) and key != keys[-1]:
                level += [(item, [*loc, n]) for n, item in enumerate(node.value)]
            elif key == keys[-1]:
                faults += _length_fault(node, loc, limits.list_limit(loc))
    return faults


def _values(node: yaml.Node, key: str) -> list[yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        return []
    return [v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key]


def _length_fault(node: yaml.Node, loc: Loc, limit: int) -> list[Fault]:
    if not isinstance(node, yaml.SequenceNode) or len(node.value) <= limit:
        return []
    count = len(node.value)
    node.value = node.value[:limit]
    return [(loc, f"{count:,} entries, over the limit of {limit:,}")]


def _scalar_fault(node: yaml.ScalarNode, loc: Loc, largest: float) -> list[Fault]:
    kind = _CHECKED_TAGS.get(node.tag)
    problem = _scalar_problem(node, kind, largest) if kind else None
    if problem is None:
        return []
    node.tag, node.value = "tag:yaml.org,2002:str", REFUSED
    return [(loc, problem)]


def _scalar_problem(node: yaml.ScalarNode, kind: str, largest: float) -> str | None:
    span = f"finite and lie between -{largest:g} and {largest:g}"
    if len(node.value) > _MAX_NUMBER_CHARS:
        return f"a {kind} written with {len(node.value):,} characters; numbers are {span}"
    try:
        value = _SCALARS.yaml_constructors[node.tag](_SCALARS, node)
    except (ValueError, OverflowError) as exc:
        return f"{shown(node.value)} is not a valid {kind} ({exc})"
    if isinstance(value, int | float) and not (math.isfinite(value) and abs(value) <= largest):
        return f"the number {shown(node.value)} is out of range; numbers are {span}"
    return None


def describe(
    faults: list[Fault],
    node: yaml.Node | None,
    where: str,
    line: int | None = None,
    most: int = 100,
) -> str:
    """One line per fault, in the order of the file (key path, line, what is wrong); the
    first ``most``, then how many more. ``line`` is every fault's line when given."""
    located = sorted(
        ((line or line_of(node, loc), loc, message) for loc, message in faults),
        key=lambda fault: fault[0] or math.inf,
    )
    lines = [f"{shown(where)}: {len(faults)} error(s)"]
    for at, loc, message in located[:most]:
        where_in = f" (line {at})" if at else ""
        lines.append(f"  {shown(key_path(loc)) or '<top>'}{where_in}: {message}")
    if len(faults) > most:
        lines.append(f"  ... and {len(faults) - most:,} more")
    return "\n".join(lines)


def key_path(loc: Loc) -> str:
    """``loc`` as written in messages: ``indicators[3].patterns``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def line_of(node: yaml.Node | None, loc: Loc) -> int | None:
    """The 1-based line of the deepest node of ``loc`` found in the composed YAML."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if str(k.value) == str(part)), None)
            if node is None:
                break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line
