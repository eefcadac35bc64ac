"""A case's evidence as the scoring reads it: stored links with the analyst's decisions
applied, and the items entered by hand in the case file.

Pure: stored link rows and a case in, evidence rows out.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from tocsin.assess import bayes, ties
from tocsin.assess.case import RATING_LIKELIHOOD, Case, Indicator, ManualEvidence
from tocsin.assess.developments import Likeness, Report, origins
from tocsin.assess.link import STATUS_WEIGHT
from tocsin.assess.sources import SourceBook
from tocsin.extract.names import normalise
from tocsin.models.assessment import LinkRow
from tocsin.models.evidence import SpanFact

RELEVANCE_WEIGHT = {"low": 0.5, "medium": 0.75, "high": 1.0}
# Reports of one indicator and polarity within this many days of a development's first
# report can be that development (issue #11: fitted on the backtest shelf,
# docs/backtest.md); what they say decides whether they are (``developments``).
CLUSTER_DAYS = 7


@dataclass(frozen=True)
class EvidenceRow:
    """One item of evidence as the report lists it: a link or a hand-entered item."""

    id: str  # 'L12' for stored link 12, or the case file's evidence id
    kind: str  # 'link' or 'manual'
    text: str
    when: date | None
    indicator: str | None
    polarity: str
    status: str | None
    source: str | None
    reliability: str
    credibility: int
    score: float
    weight: float
    reason: str
    source_key: str
    decision: str | None = None
    article_id: int | None = None
    start: int | None = None
    end: int | None = None
    likelihoods: dict[str, float] = field(default_factory=dict)
    # Would move the forecast alone, on one low-graded source: counted at a discount.
    uncorroborated: bool = False
    # What tells its event from others: the entities its sentence names (canonical names),
    # and the figures and single days it gives.
    entities: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()


def likelihoods(indicator: Indicator, polarity: str, hypotheses: Sequence[str]) -> dict[str, float]:
    if polarity == "negated":
        return {h: indicator.negated_likelihood(h) for h in hypotheses}
    return {h: indicator.likelihood(h) for h in hypotheses}


def row_from_link(
    row: LinkRow, indicators: Mapping[str, Indicator], hypotheses: Sequence[str]
) -> EvidenceRow | None:
    """A stored link with the analyst's decision applied; None when rejected or orphaned."""
    if row.decision == "reject":
        return None
    link = row.fields
    indicator_id = row.key.indicator_id
    source_key = link.source_key
    score = float(link.score)
    if row.decision in ("accept", "relink"):
        score = 1.0  # the analyst's word makes the link certain; its status still weighs
    if row.decision == "relink" and row.new_indicator:
        indicator_id = row.new_indicator
        source_key = f"{indicator_id}|{source_key.partition('|')[2]}"
    indicator = indicators.get(indicator_id)
    if indicator is None:
        return None
    polarity = row.decided_polarity or link.polarity
    if not indicator.negatable and not row.decided_polarity:
        polarity = "seen"  # moved to an indicator whose wording carries its own negation
    return EvidenceRow(
        id=row.label,
        kind="link",
        text=link.text,
        when=date.fromisoformat(link.published) if link.published else None,
        indicator=indicator_id,
        polarity=polarity,
        status=link.status,
        source=link.source,
        reliability=link.reliability,
        credibility=int(link.credibility),
        score=score,
        weight=score * STATUS_WEIGHT.get(link.status, STATUS_WEIGHT[None]),
        reason=link.reason,
        source_key=source_key,
        decision=row.decision,
        article_id=row.key.article_id,
        start=row.key.start,
        end=row.key.end,
        likelihoods=likelihoods(indicator, polarity, hypotheses),
    )


def manual_row(item: ManualEvidence, case: Case, book: SourceBook) -> EvidenceRow:
    grade = book.grade(item.source)
    hypotheses = case.hypothesis_ids()
    if item.likelihoods:
        given = {h: item.likelihoods.get(h, RATING_LIKELIHOOD["N"]) for h in hypotheses}
    else:
        given = {
            h: sum(RATING_LIKELIHOOD[r.get(h, "N")] for r in item.ratings.values())
            / max(1, len(item.ratings))
            for h in hypotheses
        }
    return EvidenceRow(
        id=item.id,
        kind="manual",
        text=item.text,
        when=item.date,
        indicator=None,
        polarity="seen",
        status="asserted",
        source=grade.source or item.source or None,
        reliability=grade.reliability,
        credibility=grade.credibility,
        score=1.0,
        weight=RELEVANCE_WEIGHT[item.relevance],
        reason="entered by hand in the case file",
        source_key=f"{bayes.MANUAL_KEY}{item.id}",
        likelihoods=given,
    )


def with_facts(rows: Sequence[EvidenceRow], facts: Sequence[SpanFact]) -> list[EvidenceRow]:
    """The rows with the entities, figures and days the evidence layer found inside their
    sentences (``facts`` sorted by article and start, as ``store.evidence.span_facts``
    gives them)."""
    by_article: dict[int, list[SpanFact]] = {}
    for fact in facts:
        by_article.setdefault(fact.article_id, []).append(fact)
    starts = {k: [f.start for f in v] for k, v in by_article.items()}
    out = []
    for row in rows:
        found = by_article.get(row.article_id or -1)
        if not found or row.start is None or row.end is None:
            out.append(row)
            continue
        lo = bisect.bisect_left(starts[row.article_id or -1], row.start)
        inside = [f for f in found[lo:] if f.start < row.end and f.end <= row.end]
        entities = tuple(dict.fromkeys(f.value for f in inside if f.kind == "entity"))
        figures = tuple(dict.fromkeys(f.value for f in inside if f.kind != "entity"))
        out.append(replace(row, entities=entities, figures=figures))
    return out


def evidence_rows(
    case: Case, links: Iterable[LinkRow], facts: Sequence[SpanFact] = ()
) -> list[EvidenceRow]:
    """The case's evidence: stored links (decisions applied), each with the entities,
    figures and days of its sentence (``facts``), then hand-entered items."""
    indicators = {i.id: i for i in case.indicators}
    hypotheses = case.hypothesis_ids()
    # A link relinked onto an indicator its sentence already links to is one link: the
    # analyst's (relinked, then accepted) wins over the linker's.
    rank = {"relink": 0, "accept": 1}
    best: dict[tuple[int | None, int | None, int | None, str | None], EvidenceRow] = {}
    for stored in links:
        row = row_from_link(stored, indicators, hypotheses)
        if row is None:
            continue
        key = (row.article_id, row.start, row.end, row.indicator)
        held = best.get(key)
        if held is None or rank.get(row.decision or "", 2) < rank.get(held.decision or "", 2):
            best[key] = row
    rows = with_facts(list(best.values()), facts)
    book = SourceBook(case.sources)
    rows += [manual_row(item, case, book) for item in case.evidence]
    return rows


@dataclass(frozen=True)
class Join:
    """One report joining a development: the earlier report it was tied to, and why."""

    member: str
    to: str
    reason: str


@dataclass(frozen=True)
class Cluster:
    """Reports of one development: one indicator, one polarity, dated within ``window``
    days of its first report, each tied to an earlier one by what it says (``joins``)."""

    key: str
    indicator: str
    polarity: str
    first: date
    members: tuple[str, ...]  # row ids, in date order
    joins: tuple[Join, ...] = ()

    def why(self, window: int) -> str:
        head = (
            f"{len(self.members)} reports of {self.indicator} ({self.polarity}) within "
            f"{window} days of {self.first.isoformat()}"
        )
        reasons = list(dict.fromkeys(j.reason for j in self.joins))
        return f"{head}: {'; '.join(reasons)}" if reasons else head


def _report(row: EvidenceRow) -> Report:
    named = None if bayes.in_the_press(row.source_key) else row.source
    return Report(row.text, frozenset(row.entities), frozenset(row.figures), named, row.article_id)


def clusters(rows: Sequence[EvidenceRow], window: int = CLUSTER_DAYS) -> list[Cluster]:
    """The developments the linked rows report, in order of their first report.

    In date order, a dated row joins the open development of its indicator and polarity
    (first reported at most ``window`` days before it) to one of whose reports it is tied
    by what it says (``developments.Likeness``: wording, key entities, a figure or day, the
    original source), the most strongly tied if several, the first met if tied equally;
    else it opens one. Hand-entered and undated rows are developments of their own and are
    not listed; a negative ``window`` joins nothing.

    An indicator whose windows hold few reports is scanned pair by pair; one with a crowded
    window (a day of a thousand reports) is compared with array arithmetic (``ties``),
    which gives the same developments and reasons."""
    if window < 0:
        return []
    dated = sorted(
        (r for r in rows if r.kind == "link" and r.when is not None and r.indicator),
        key=lambda r: (r.when, r.id),
    )
    likeness = Likeness([_report(r) for r in dated])
    groups: dict[tuple[str | None, str], list[int]] = {}
    for i, row in enumerate(dated):
        groups.setdefault((row.indicator, row.polarity), []).append(i)
    found: list[list[int]] = []
    joins: dict[int, Join] = {}  # by the joining row's index
    for positions in groups.values():
        days = [_day(dated[i]) for i in positions]
        crowded = _crowded(days, window)
        grouped = _arrays if crowded else _scanned
        for members, tied in grouped(likeness, positions, days, window):
            found.append(members)
            joins.update((m, Join(dated[m].id, dated[t].id, why)) for m, t, why in tied)
    found.sort(key=lambda members: members[0])
    return _named([([dated[i] for i in m], [joins[i] for i in m[1:]]) for m in found])


# (members, [(joining report, the report it is tied to, why)]) per development, as indices
# into the likeness's reports.
_Found = list[tuple[list[int], list[tuple[int, int, str]]]]
CROWDED = 64  # a window of more reports than this is compared with arrays (``ties``)


def _crowded(days: Sequence[int], window: int) -> bool:
    """Whether some report has more than ``CROWDED`` reports within ``window`` days before
    it (``days``: sorted day numbers)."""
    return any(n - bisect.bisect_left(days, d - window) > CROWDED for n, d in enumerate(days))


def _scanned(
    likeness: Likeness, positions: Sequence[int], days: Sequence[int], window: int
) -> _Found:
    """One indicator's developments, pair by pair."""
    found: _Found = []
    opened: list[int] = []  # each development's first day
    live: list[int] = []  # indices into found, oldest first
    for n, i in enumerate(positions):
        live = [k for k in live if days[n] - opened[k] <= window]
        best: tuple[float, int, int, str] | None = None
        for k in live:
            for j in found[k][0]:
                why = likeness.reason(j, i)
                if why is not None and (best is None or why.strength > best[0]):
                    best = (why.strength, k, j, why.text)
        if best is None:
            live.append(len(found))
            opened.append(days[n])
            found.append(([i], []))
        else:
            found[best[1]][0].append(i)
            found[best[1]][1].append((i, best[2], best[3]))
    return found


def _arrays(
    likeness: Likeness, positions: Sequence[int], days: Sequence[int], window: int
) -> _Found:
    """One indicator's developments, the pairs of each window compared at once
    (``ties.Window``)."""
    w = ties.Window(likeness, positions, days)
    n = len(positions)
    first = w.first(window)
    development = np.full(n, -1, dtype=np.int64)  # of each report
    opened = np.zeros(n, dtype=np.int64)  # each development's first day
    found: _Found = []
    for a, b, lo, block in w.blocks(window):
        for p in range(a, b):
            start = int(first[p])
            member_of = development[start:p]
            scored = w.strengths(block, p - a, p, lo, start)
            scored.strength[w.days[p] - opened[member_of] > window] = -np.inf
            candidates = np.arange(start, p, dtype=np.int64)
            tie = ties.strongest(w, p, candidates, member_of * n + candidates, scored)
            if tie is None:
                development[p] = len(found)
                opened[len(found)] = w.days[p]
                found.append(([positions[p]], []))
            else:
                k = int(development[tie.to])
                development[p] = k
                found[k][0].append(positions[p])
                found[k][1].append((positions[p], positions[tie.to], tie.reason.text))
    return found


def _day(row: EvidenceRow) -> int:
    assert row.when is not None
    return row.when.toordinal()


def _named(found: Sequence[tuple[list[EvidenceRow], list[Join]]]) -> list[Cluster]:
    """The developments with their keys ('indicator|polarity|first day', '#2' and on for
    further developments of one indicator, polarity and day)."""
    out = []
    seen: dict[str, int] = {}
    for members, joins in found:
        head = members[0]
        assert head.when is not None
        assert head.indicator is not None
        key = f"{head.indicator}|{head.polarity}|{head.when.isoformat()}"
        seen[key] = seen.get(key, 0) + 1
        out.append(
            Cluster(
                key=key if seen[key] == 1 else f"{key}#{seen[key]}",
                indicator=head.indicator,
                polarity=head.polarity,
                first=head.when,
                members=tuple(r.id for r in members),
                joins=tuple(joins),
            )
        )
    return out


def cluster_origins(rows: Mapping[str, EvidenceRow], cluster: Cluster) -> dict[str, str]:
    """Each member's original source as the update counts it (``bayes.Item.origin``):
    reports in an outlet's own voice, and named sources that are one of the
    development's outlets ("Reuters reported"), are the press; "the ministry" is the one
    fuller name it can be in the development; spellings of one name are one. ``rows``: the
    rows by id."""
    members = [rows[m] for m in cluster.members]
    outlets = [r.source for r in members if bayes.in_the_press(r.source_key) and r.source]
    named = [None if bayes.in_the_press(r.source_key) else r.source for r in members]
    press = f"{cluster.indicator}|press"
    return {
        r.id: f"{cluster.indicator}|{normalise(found)}" if found else press
        for r, found in zip(members, origins(named, outlets), strict=True)
    }


def items(rows: Sequence[EvidenceRow], window: int = CLUSTER_DAYS) -> list[bayes.Item]:
    """The rows as the Bayesian update takes them, each with its development and, inside
    it, its original source."""
    cluster_of: dict[str, str] = {}
    origin_of: dict[str, str] = {}
    by_id = {r.id: r for r in rows}
    for c in clusters(rows, window):
        cluster_of.update(dict.fromkeys(c.members, c.key))
        origin_of.update(cluster_origins(by_id, c))
    return [
        bayes.Item(
            id=row.id,
            when=row.when,
            source_key=row.source_key,
            reliability=row.reliability,
            credibility=row.credibility,
            likelihoods=row.likelihoods,
            weight=min(1.0, max(0.0, row.weight)),
            label=row.text[:120],
            cluster=cluster_of.get(row.id, ""),
            origin=origin_of.get(row.id, ""),
        )
        for row in rows
    ]
