"""Alerts: a case's rules applied to its assessment before and after a watch cycle. Pure.

``evaluate`` compares the previous assessment of a case (None on the first cycle) with
the new one and returns an ``Alert`` for each rule that fires, with the sentences behind
it. What "new" means: a row of evidence (a link 'L12' or a hand-entered item) is new when
the previous assessment did not have it. On the first cycle everything is new, so the
rules that report evidence (indicator, absent, uncorroborated) report what is there, and
the rules that compare two posteriors (threshold, leader) report nothing: there is no
"before" to cross from. A move rule reads the new assessment's trajectory alone, so it
speaks on the first cycle too.

An alert's ``key`` makes repeats one alert: the store keeps the first of a key and drops
the rest (``store.alerts.record``), so evaluating the same two assessments twice, or a
watcher that restarts, sends nothing twice. docs/alerts.md gives each kind's key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tocsin.assess.alert_rules import AlertRule
from tocsin.assess.bayes import UNCORROBORATED_SHIFT
from tocsin.assess.case import Case
from tocsin.assess.evidence import EvidenceRow
from tocsin.assess.score import ArticleView, Assessment
from tocsin.models.alerts import Alert, AlertEvidence

MAX_EVIDENCE = 5  # sentences an alert carries: the strongest, or those that moved it most
MAX_KEY_IDS = 10  # row ids a key spells out; more are given by a digest of them all
QUOTE_CHARS = 200  # of a sentence quoted in an alert's detail


@dataclass(frozen=True)
class _Cycle:
    """What every rule reads: the case, the two assessments, the rows new since the first,
    and when the alert is made."""

    case: Case
    before: Assessment | None
    after: Assessment
    fired_at: datetime
    new: tuple[EvidenceRow, ...]

    @property
    def as_of(self) -> date | None:
        return assessed_to(self.after)

    @property
    def since(self) -> str:
        """The date the previous assessment spoke for, for "since ..." in details."""
        day = assessed_to(self.before) if self.before is not None else None
        return f" since {day.isoformat()}" if day else ""

    def title_of(self, hypothesis: str) -> str:
        return next((h.title for h in self.case.hypotheses if h.id == hypothesis), hypothesis)

    def alert(
        self, rule: AlertRule, title: str, detail: str, key: str, rows: Iterable[EvidenceRow]
    ) -> Alert:
        articles = {a.id: a for a in self.after.articles}
        return Alert(
            case_id=self.case.id,
            rule_id=rule.id,
            kind=rule.kind,
            title=title,
            detail=detail,
            key=f"{self.case.id}|{rule.id}|{key}",
            as_of=self.as_of,
            fired_at=self.fired_at,
            probabilities=dict(self.after.posterior.probabilities),
            evidence=tuple(carried(r, articles) for r in list(rows)[:MAX_EVIDENCE]),
        )


def evaluate(
    case: Case, before: Assessment | None, after: Assessment, fired_at: datetime
) -> list[Alert]:
    """The alerts of ``case``'s rules between ``before`` (None on the first cycle) and
    ``after``, in the order of the rules; made at ``fired_at`` (UTC)."""
    cycle = _Cycle(case, before, after, fired_at, tuple(new_rows(before, after)))
    return [alert for rule in case.alerts for alert in _RULES[rule.kind](cycle, rule)]


def new_rows(before: Assessment | None, after: Assessment) -> list[EvidenceRow]:
    """The rows of ``after`` that ``before`` did not have (all of them when it is None)."""
    known = {r.id for r in before.evidence} if before is not None else set()
    return [r for r in after.evidence if r.id not in known]


def assessed_to(a: Assessment) -> date | None:
    """The date an assessment speaks for: its cut-off, else its latest dated evidence."""
    if a.as_of is not None:
        return a.as_of
    return a.trajectory[-1][0] if a.trajectory else None


def carried(row: EvidenceRow, articles: Mapping[int, ArticleView]) -> AlertEvidence:
    """A row of evidence as an alert carries it, with its article's outlet and address when
    the row has an article (a hand-entered item has none)."""
    article = articles.get(row.article_id) if row.article_id is not None else None
    return AlertEvidence(
        id=row.id,
        text=" ".join(row.text.split()),
        source=row.source,
        outlet=article.outlet if article is not None else None,
        url=article.url if article is not None else None,
        published=row.when,
        reliability=row.reliability,
    )


def percent(p: float) -> str:
    return f"{p * 100:.1f}%"


def quoted(text: str) -> str:
    """A sentence on one line, cut to QUOTE_CHARS, between quotation marks."""
    one = " ".join(text.split())
    return f"“{one if len(one) <= QUOTE_CHARS else one[: QUOTE_CHARS - 1].rstrip() + '…'}”"


def _ids_key(rows: Sequence[EvidenceRow]) -> str:
    """The rows' ids, sorted, as part of a key; a digest of them when there are many."""
    ids = sorted(r.id for r in rows)
    if len(ids) <= MAX_KEY_IDS:
        return ",".join(ids)
    digest = hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16]
    return f"{len(ids)}rows:{digest}"


def _strongest(rows: Iterable[EvidenceRow]) -> list[EvidenceRow]:
    """Heaviest first, then latest, then by id: the same rows in the same order each run."""
    return sorted(rows, key=lambda r: (-r.weight, -(r.when or date.min).toordinal(), r.id))


def _sources(rows: Sequence[EvidenceRow]) -> str:
    names = sorted({r.source or "unattributed" for r in rows})
    return f"{len(names)} source{'s' if len(names) != 1 else ''}"


def _reports(n: int, word: str = "report") -> str:
    return f"{n} new {word}{'s' if n != 1 else ''}"


def _bottom(cycle: _Cycle) -> str:
    leader = cycle.after.leader
    p = cycle.after.posterior.probabilities[leader]
    return f"The leading hypothesis is {leader} “{cycle.title_of(leader)}” at {percent(p)}."


# -- evidence rules -------------------------------------------------------------------------


def _indicator(cycle: _Cycle, rule: AlertRule) -> list[Alert]:
    """New reports of the rule's indicator, seen (indicator) or reported absent (absent)."""
    polarity = "seen" if rule.kind == "indicator" else "negated"
    rows = _strongest(
        r
        for r in cycle.new
        if r.indicator == rule.indicator
        and r.polarity == polarity
        and (rule.min_score is None or r.score >= rule.min_score)
    )
    if not rows:
        return []
    named = rule.indicator or ""
    about = next((i.description for i in cycle.case.indicators if i.id == named), named)
    state = "reported" if polarity == "seen" else "reported absent"
    lead = rows[0]
    title = f"{about} ({named}): {state}, {_reports(len(rows))}"
    detail = (
        f"{_reports(len(rows)).capitalize()} from {_sources(rows)}{cycle.since} "
        f"{'reports' if len(rows) == 1 else 'report'} the indicator {named} "
        f"{'seen' if polarity == 'seen' else 'absent'}. "
        f"The strongest: {quoted(lead.text)} ({lead.source or 'unattributed'}, graded "
        f"{lead.reliability}{lead.credibility}, {_day(lead.when)}). {_bottom(cycle)}"
    )
    return [cycle.alert(rule, title, detail, _ids_key(rows), rows)]


def _uncorroborated(cycle: _Cycle, rule: AlertRule) -> list[Alert]:
    """Claims newly flagged uncorroborated: one low-graded source that would move the
    forecast by itself (``bayes.uncorroborated``)."""
    flagged = {r.id for r in cycle.before.evidence if r.uncorroborated} if cycle.before else set()
    rows = _strongest(r for r in cycle.after.evidence if r.uncorroborated and r.id not in flagged)
    if not rows:
        return []
    lead = rows[0]
    title = (
        f"Uncorroborated: {quoted(lead.text)} ({lead.source or 'unattributed'}, {lead.reliability})"
    )
    detail = (
        f"{_reports(len(rows), 'claim').capitalize()}{cycle.since} "
        f"{'rests' if len(rows) == 1 else 'rest'} on one low-graded source and would move "
        f"the forecast by more than {UNCORROBORATED_SHIFT * 100:.0f} points if believed, "
        "so counts at a discount until another source confirms it. The strongest: "
        f"{quoted(lead.text)} "
        f"({lead.source or 'unattributed'}, graded {lead.reliability}{lead.credibility}, "
        f"{_day(lead.when)}). {_bottom(cycle)}"
    )
    return [cycle.alert(rule, title, detail, _ids_key(rows), rows)]


def _day(when: date | None) -> str:
    return when.isoformat() if when else "undated"


# -- the posterior's rules -----------------------------------------------------------------


def movers(
    a: Assessment, rows: Sequence[EvidenceRow], hypothesis: str, sign: float
) -> list[EvidenceRow]:
    """Of ``rows``, one per independent group (its heaviest), the groups ranked by how far
    each moves ``hypothesis`` in the direction ``sign`` (+1 up, -1 down): the posterior with
    the group against the posterior without it (``a.sensitivity``). Groups that moved it
    the other way come last, so that an alert always names some of its evidence."""
    p = a.posterior.probabilities.get(hypothesis, 0.0)
    effect = {g.source_key: (p - g.without.get(hypothesis, p)) * sign for g in a.sensitivity.groups}
    group_of = {m: key for key, members in a.posterior.groups.items() for m in members}
    best: dict[str, EvidenceRow] = {}
    for row in _strongest(rows):
        best.setdefault(group_of.get(row.id, row.id), row)
    ranked = sorted(best.items(), key=lambda kv: (-effect.get(kv[0], 0.0), kv[0]))
    return [row for _, row in ranked[:MAX_EVIDENCE]]


def _threshold(cycle: _Cycle, rule: AlertRule) -> list[Alert]:
    """The hypothesis crossing a line between the two assessments (nothing on the first)."""
    if cycle.before is None or rule.hypothesis is None:
        return []
    h = rule.hypothesis
    then = cycle.before.posterior.probabilities.get(h)
    now = cycle.after.posterior.probabilities.get(h)
    if then is None or now is None:
        return []
    out = []
    for line, direction in ((rule.above, "above"), (rule.below, "below")):
        if line is None:
            continue
        up = direction == "above"
        if not ((then <= line < now) if up else (then >= line > now)):
            continue
        day = _crossed(cycle, h, line, up)
        verb = "rose" if up else "fell"
        title = f"P({h}) {verb} {direction} {percent(line)}: now {percent(now)}"
        detail = (
            f"P({h}) “{cycle.title_of(h)}” {verb} from {percent(then)} to {percent(now)}"
            f"{cycle.since}, crossing {percent(line)}"
            f"{f' on {day.isoformat()}' if day else ''}. {_bottom(cycle)}"
        )
        rows = movers(cycle.after, cycle.new, h, 1.0 if up else -1.0)
        key = f"{direction}|{_day(day)}"
        out.append(cycle.alert(rule, title, detail, key, rows))
    return out


def _crossed(cycle: _Cycle, h: str, line: float, up: bool) -> date | None:
    """The first day of the new trajectory, after the previous assessment's date, on which
    ``h`` lies across ``line``; else the date the new assessment speaks for."""
    start = assessed_to(cycle.before) if cycle.before is not None else None
    for day, probabilities in cycle.after.trajectory:
        p = probabilities.get(h, 0.0)
        if (start is None or day > start) and (p > line if up else p < line):
            return day
    return cycle.as_of


def _leader(cycle: _Cycle, rule: AlertRule) -> list[Alert]:
    """The leading hypothesis changing between the two assessments (nothing on the first)."""
    if cycle.before is None or cycle.before.leader == cycle.after.leader:
        return []
    old, new = cycle.before.leader, cycle.after.leader
    after = cycle.after.posterior.probabilities
    before = cycle.before.posterior.probabilities
    title = f"{new} “{cycle.title_of(new)}” now leads at {percent(after[new])}"
    detail = (
        f"The leading hypothesis changed{cycle.since}: {new} “{cycle.title_of(new)}” rose "
        f"from {percent(before.get(new, 0.0))} to {percent(after[new])}; {old} "
        f"“{cycle.title_of(old)}” went from {percent(before[old])} to "
        f"{percent(after.get(old, 0.0))}."
    )
    rows = movers(cycle.after, cycle.new, new, 1.0)
    return [cycle.alert(rule, title, detail, f"{new}|{_day(cycle.as_of)}", rows)]


@dataclass(frozen=True)
class Move:
    """A hypothesis's largest move within a window of the trajectory: from ``start`` (the
    value in force at the window's first day, or the prior) to the latest point."""

    hypothesis: str
    start: date | None  # None: from the prior
    end: date
    opens: date  # the window's first day
    then: float
    now: float

    @property
    def points(self) -> float:
        return (self.now - self.then) * 100


def largest_move(a: Assessment, hypothesis: str, days: int) -> Move | None:
    """How far ``hypothesis`` moved within the last ``days`` days of ``a``'s trajectory:
    from the point of the window (or the value in force as it opens) farthest from the
    latest one. None without a trajectory."""
    if not a.trajectory:
        return None
    end, last = a.trajectory[-1]
    opens = end - timedelta(days=days)
    before = [(d, p) for d, p in a.trajectory if d <= opens]
    start: tuple[date | None, float] = (
        (before[-1][0], before[-1][1].get(hypothesis, 0.0))
        if before
        else (None, a.priors.get(hypothesis, 0.0))
    )
    window = [start] + [(d, p.get(hypothesis, 0.0)) for d, p in a.trajectory if d > opens]
    now = last.get(hypothesis, 0.0)
    day, then = max(window, key=lambda point: abs(now - point[1]))
    return Move(hypothesis, day, end, opens, then, now)


def _move(cycle: _Cycle, rule: AlertRule) -> list[Alert]:
    """The hypothesis (or the one of all that moved most) moving more than ``points``
    percentage points within the last ``days`` days of the new trajectory."""
    if rule.points is None or rule.days is None:
        return []
    watched = [rule.watched] if rule.watched else cycle.case.hypothesis_ids()
    found = [m for h in watched if (m := largest_move(cycle.after, h, rule.days)) is not None]
    moved = [m for m in found if abs(m.points) > rule.points]
    if not moved:
        return []
    m = max(moved, key=lambda x: (abs(x.points), -watched.index(x.hypothesis)))
    verb, sign = ("rose", 1.0) if m.points > 0 else ("fell", -1.0)
    since = (
        "before any evidence (the prior)"
        if m.start is None
        else f"on {m.start.isoformat()}"
        if m.start > m.opens
        else f"as the window opened on {m.opens.isoformat()}"
    )
    h = m.hypothesis
    title = (
        f"P({h}) {verb} {abs(m.points):.1f} points within {rule.days} days: now {percent(m.now)}"
    )
    detail = (
        f"P({h}) “{cycle.title_of(h)}” {verb} from {percent(m.then)} {since} to "
        f"{percent(m.now)} on {m.end.isoformat()}: {abs(m.points):.1f} percentage points, "
        f"more than the rule's {rule.points:g} within {rule.days} days. {_bottom(cycle)}"
    )
    opened = m.start or date.min
    rows = [r for r in cycle.after.evidence if r.when is not None and opened < r.when <= m.end]
    key = f"{h}|{'up' if sign > 0 else 'down'}|{m.start.isoformat() if m.start else 'prior'}"
    return [cycle.alert(rule, title, detail, key, movers(cycle.after, rows, h, sign))]


_RULES: dict[str, Callable[[_Cycle, AlertRule], list[Alert]]] = {
    "indicator": _indicator,
    "absent": _indicator,
    "uncorroborated": _uncorroborated,
    "threshold": _threshold,
    "leader": _leader,
    "move": _move,
}
