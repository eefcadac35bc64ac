"""Wording and labels shared by every report format: estimative words, percentages,
Admiralty grades, readable names for independence groups, and dates."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

from tocsin.assess.actor_record import note
from tocsin.assess.bayes import CREDIBILITY, RELIABILITY, GroupSensitivity, Sensitivity

if TYPE_CHECKING:
    from tocsin.assess.evidence import EvidenceRow
    from tocsin.assess.score import Assessment

# Words of estimative probability after ICD 203 (2015): the upper bound of each band.
# The bands are symmetric about 50%: "very unlikely", "roughly even" and "very likely"
# include their upper bound.
WEP: tuple[tuple[float, bool, str], ...] = (
    (0.05, False, "almost no chance"),
    (0.20, True, "very unlikely"),
    (0.45, False, "unlikely"),
    (0.55, True, "roughly even chance"),
    (0.80, False, "likely"),
    (0.95, True, "very likely"),
    (1.00, True, "almost certain"),
)
# Okabe-Ito colours, colour-blind safe; hypotheses take them in case order.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)


def estimative(p: float) -> str:
    """The ICD 203 phrase for probability ``p``."""
    for bound, inclusive, words in WEP:
        if p < bound or (inclusive and p == bound):
            return words
    return WEP[-1][2]


def percent(p: float | None) -> str:
    """``p`` as a percentage that never rounds a real chance to 0% or 100%."""
    if p is None:
        return "–"
    if 0 < p < 0.001:
        return "<0.1%"
    if 0.999 < p < 1:
        return ">99.9%"
    return f"{p * 100:.1f}%"


def number(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def grade(reliability: str, credibility: int) -> str:
    """The Admiralty grade, e.g. ``B2``: source reliability, then information credibility."""
    return f"{reliability}{credibility}"


def day(value: date | str | None) -> str:
    if value is None:
        return "–"
    return value.isoformat() if isinstance(value, date) else str(value)


def span_of_days(start: str | None, end: str | None) -> str:
    """A date range as tersely as it allows: a day, a month, a year, or start – end."""
    if not start:
        return "–"
    if not end or end == start:
        return start
    if start[:4] == end[:4] and start[5:] == "01-01" and end[5:] == "12-31":
        return start[:4]
    if start[:7] == end[:7] and start[8:] == "01":
        return start[:7]
    return f"{start} – {end}"


def hypothesis_names(a: Assessment) -> dict[str, str]:
    return {h.id: h.title for h in a.case.hypotheses}


def colours(hypotheses: Sequence[str]) -> dict[str, str]:
    return {h: PALETTE[i % len(PALETTE)] for i, h in enumerate(hypotheses)}


def as_of_text(a: Assessment) -> str:
    """The date the assessment speaks for: the cut-off, else the latest evidence."""
    if a.as_of is not None:
        return a.as_of.isoformat()
    if a.trajectory:
        return f"{a.trajectory[-1][0].isoformat()} (latest evidence)"
    return "no dated evidence"


def evidence_span(a: Assessment) -> str:
    """What the assessment rests on, for the bottom line: "the evidence to DATE", or all
    of it with its undated items counted (they are in no dated assessment)."""
    if a.as_of is not None:
        return f"the evidence to {a.as_of.isoformat()}"
    undated = sum(e.when is None for e in a.evidence)
    if not undated:
        return f"the evidence to {as_of_text(a)}" if a.trajectory else "no evidence"
    items = f"{undated} undated item{'s' if undated > 1 else ''}"
    if not a.trajectory:
        return f"all the evidence ({items})"
    return f"all the evidence (the latest dated {a.trajectory[-1][0].isoformat()}; {items})"


def bottom_line(a: Assessment) -> str:
    """One sentence: the leading hypothesis in estimative words, with its probability."""
    leader = a.leader
    p = a.posterior.probabilities[leader]
    title = hypothesis_names(a).get(leader, leader)
    return (
        f"On {evidence_span(a)}, the leading hypothesis is {leader}, “{title}”: "
        f"{estimative(p)} ({percent(p)})."
    )


def short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _group_label(key: str, lead: EvidenceRow) -> str:
    indicator, _, rest = key.partition("|")
    if rest.startswith("outlet:"):
        outlet, _, article = rest.removeprefix("outlet:").partition("|")
        name = lead.source or outlet
        return f"{indicator} · {name} (article {article})" if article else f"{indicator} · {name}"
    if rest.startswith("article:"):
        return f"{indicator} · article {rest.removeprefix('article:')} (unattributed)"
    return f"{indicator} · {lead.source or rest}"


def group_labels(rows: Iterable[EvidenceRow]) -> dict[str, str]:
    """A readable, unique label for each independence key (an ACH row, a tornado bar)."""
    leads: dict[str, EvidenceRow] = {}
    for row in rows:
        if row.source_key not in leads or row.weight > leads[row.source_key].weight:
            leads[row.source_key] = row
    out: dict[str, str] = {}
    taken: set[str] = set()
    for key, lead in leads.items():
        if lead.kind == "manual":
            label = f"{lead.id}: {short(lead.text, 48)}"
        else:
            label = _group_label(key, lead)
        unique, n = label, 2
        while unique in taken:
            unique, n = f"{label} ({n})", n + 1
        taken.add(unique)
        out[key] = unique
    return out


def ach_labels(a: Assessment) -> dict[str, str]:
    """Labels of the ACH rows: manual items appear under their own id there."""
    labels = group_labels(a.evidence)
    for row in a.evidence:
        if row.kind == "manual":
            labels[row.id] = labels.pop(row.source_key, row.id)
    return {e: labels.get(e, e) for e in a.ach.evidence}


def distribution(probabilities: Mapping[str, float]) -> str:
    """``H1 4.0% · H2 96.0%``: a forecast in one line."""
    return " · ".join(f"{k} {percent(v)}" for k, v in probabilities.items())


def strength(row: EvidenceRow) -> float:
    """How far an item can move the odds: its trust (grades × link weight) times the spread
    of its log-likelihoods across the hypotheses."""
    trust = (
        RELIABILITY.get(row.reliability, 0.5)
        * CREDIBILITY.get(row.credibility, 0.5)
        * min(1.0, max(0.0, row.weight))
    )
    values = [v for v in row.likelihoods.values() if v > 0]
    spread = math.log(max(values) / min(values)) if values else 0.0
    return trust * spread


def strongest(rows: Iterable[EvidenceRow], n: int) -> list[EvidenceRow]:
    """The ``n`` items with the most :func:`strength`, ties by date then id."""
    return sorted(rows, key=lambda r: (-strength(r), r.when is None, r.when or date.min, r.id))[:n]


# Below this change in probability (0.05 points) a move is not worth a number in points:
# the posterior is saturated, and the log-odds say what the group weighs.
SATURATED = 0.0005


def movers(sensitivity: Sensitivity, n: int) -> list[GroupSensitivity]:
    """The ``n`` groups that move the leader's probability most; when the posterior is so
    saturated that none moves it by 0.05 points, those that weigh most in log-odds."""
    groups = list(sensitivity.tornado)
    if groups and max(abs(g.delta) for g in groups) < SATURATED:
        groups.sort(key=lambda g: (-abs(g.log_odds), g.source_key))
    return groups[:n]


def movement(group: GroupSensitivity) -> str:
    """How far one group moves the leader: in points, or in log-odds once saturated."""
    if abs(group.delta) >= SATURATED:
        return f"{group.delta * 100:+.1f} points"
    return f"under 0.1 point, the posterior being saturated; log-odds {group.log_odds:+.2f}"


def veto_text(a: Assessment) -> str | None:
    """The actor model's veto players in one sentence: whose consent each outcome needs,
    how many draws each blocked, and what a blocked draw counts as (None without any)."""
    players = [actor for actor in a.case.actors if actor.veto]
    if not players or a.actor_status_quo is None:
        return None
    draws = len(a.actor_outcomes)
    parts = [
        f"{actor.name} (consent needed for {', '.join(actor.veto)}) blocked "
        f"{a.actor_blocked.get(actor.id, 0):,} of {draws:,} draws"
        for actor in players
    ]
    return (
        f"Veto players: {'; '.join(parts)}. The {a.actor_blocked_draws:,} blocked draws count "
        f"as the status quo, {a.actor_status_quo}."
    )


def gap_text(a: Assessment) -> str | None:
    """The note on a disagreement between the actor model and the evidence (None when
    they agree within 30 points on every hypothesis)."""
    return None if a.model_gap is None else note(a.model_gap)
