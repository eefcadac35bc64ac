"""A case's evidence as the scoring reads it: stored links with the analyst's decisions
applied, and the items entered by hand in the case file.

Pure: stored link rows and a case in, evidence rows out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from tocsin.assess import bayes
from tocsin.assess.case import RATING_LIKELIHOOD, Case, Indicator, ManualEvidence
from tocsin.assess.link import STATUS_WEIGHT
from tocsin.assess.sources import SourceBook
from tocsin.models.assessment import LinkRow

RELEVANCE_WEIGHT = {"low": 0.5, "medium": 0.75, "high": 1.0}
# Reports of one indicator and polarity within this many days of a development's first
# report are that development (issue #11: fitted on the backtest shelf, docs/backtest.md).
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


def evidence_rows(case: Case, links: Iterable[LinkRow]) -> list[EvidenceRow]:
    """The case's evidence: stored links (decisions applied), then hand-entered items."""
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
    rows = list(best.values())
    book = SourceBook(case.sources)
    rows += [manual_row(item, case, book) for item in case.evidence]
    return rows


@dataclass(frozen=True)
class Cluster:
    """Reports of one development: one indicator, one polarity, dated within ``window``
    days of its first report."""

    key: str
    indicator: str
    polarity: str
    first: date
    members: tuple[str, ...]  # row ids, in date order

    def why(self, window: int) -> str:
        return (
            f"{len(self.members)} reports of {self.indicator} ({self.polarity}) within "
            f"{window} days of {self.first.isoformat()}"
        )


def clusters(rows: Sequence[EvidenceRow], window: int = CLUSTER_DAYS) -> list[Cluster]:
    """The developments the linked rows report, in order of their first report: a dated
    row joins the open cluster of its indicator and polarity when it is at most ``window``
    days after that cluster's first report, else opens one. Hand-entered and undated rows
    are developments of their own and are not listed; a negative ``window`` joins nothing."""
    if window < 0:
        return []
    found: list[list[EvidenceRow]] = []
    open_: dict[tuple[str, str], list[EvidenceRow]] = {}
    dated = [r for r in rows if r.kind == "link" and r.when is not None and r.indicator]
    for row in sorted(dated, key=lambda r: (r.when, r.id)):
        assert row.when is not None
        assert row.indicator is not None
        key = (row.indicator, row.polarity)
        current = open_.get(key)
        if current is None or current[0].when is None or (row.when - current[0].when).days > window:
            current = []
            open_[key] = current
            found.append(current)
        current.append(row)
    out = []
    for members in found:
        head = members[0]
        assert head.when is not None
        assert head.indicator is not None
        out.append(
            Cluster(
                key=f"{head.indicator}|{head.polarity}|{head.when.isoformat()}",
                indicator=head.indicator,
                polarity=head.polarity,
                first=head.when,
                members=tuple(r.id for r in members),
            )
        )
    return out


def items(rows: Sequence[EvidenceRow], window: int = CLUSTER_DAYS) -> list[bayes.Item]:
    """The rows as the Bayesian update takes them, each with its development."""
    cluster_of = {m: c.key for c in clusters(rows, window) for m in c.members}
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
        )
        for row in rows
    ]
