"""The whole assessment of a case from the store: links, ACH, Bayes, actors, track record.

``assess(store, case)`` links the stored articles to the case's indicators (unless told to
reuse the stored links), applies the analyst's decisions, and scores everything as of a
date: only what was published by then counts. Every number in the result can be traced to
a link (and so to a sentence) or to an entry of the case file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from tocsin.assess import ach, actors, bayes
from tocsin.assess.case import RATING_LIKELIHOOD, Case, Indicator, ManualEvidence
from tocsin.assess.link import (
    LINKER_VERSION,
    STATUS_WEIGHT,
    Link,
    Match,
    Unit,
    indicator_texts,
    link_units,
    make_link,
    units,
)
from tocsin.assess.sources import ArticleFacts, SourceBook, article_facts
from tocsin.assess.track import Forecast, TrackRecord, question_forecast, track_record
from tocsin.parallel import chunks
from tocsin.store import assessment as queries
from tocsin.store.db import Store

if TYPE_CHECKING:
    from tocsin.assess.embed import Embedder

# ACH ratings of an indicator from its likelihoods, by the ratio to their mean: twice as
# likely as average is very consistent, under half is very inconsistent.
_RATIO_RATINGS = ((1.6, "CC"), (1.15, "C"), (0.87, "N"), (0.5, "I"))
RELEVANCE_WEIGHT = {"low": 0.5, "medium": 0.75, "high": 1.0}
# A/B sources are of high credibility for ACH, C medium, D-F low.
_ACH_CREDIBILITY = {"A": "high", "B": "high", "C": "medium", "D": "low", "E": "low", "F": "low"}
TOCSIN_ANALYST = "tocsin"  # the analyst name under which linked evidence is rated


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


@dataclass(frozen=True)
class IndicatorState:
    id: str
    description: str
    state: str  # 'seen', 'seen negated', 'mixed' or 'not seen'
    seen: int
    negated: int
    last_seen: date | None
    sources: int  # independent sources among the links


@dataclass
class Assessment:
    case: Case
    as_of: date | None
    priors: dict[str, float]
    evidence: list[EvidenceRow]
    posterior: bayes.Posterior
    trajectory: list[tuple[date, dict[str, float]]]
    sensitivity: bayes.Sensitivity
    ach: ach.Matrix
    indicators: list[IndicatorState]
    actor_rounds: list[actors.Round]
    actor_probabilities: dict[str, float]
    actor_outcomes: list[float]
    disagreements: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    track: TrackRecord
    articles: list[dict[str, Any]]

    @property
    def leader(self) -> str:
        return self.posterior.leader


# -- evidence rows ----------------------------------------------------------------------


def _row_from_link(
    row: Mapping[str, Any], indicators: Mapping[str, Indicator], hypotheses: Sequence[str]
) -> EvidenceRow | None:
    """A stored link with the analyst's decision applied; None when rejected or orphaned."""
    decision = row.get("decision")
    if decision == "reject":
        return None
    indicator_id = row["indicator_id"]
    source_key = row["source_key"]
    score = float(row["score"])
    if decision in ("accept", "relink"):
        score = 1.0  # the analyst's word makes the link certain; its status still weighs
    if decision == "relink" and row.get("new_indicator"):
        indicator_id = row["new_indicator"]
        source_key = f"{indicator_id}|{source_key.partition('|')[2]}"
    indicator = indicators.get(indicator_id)
    if indicator is None:
        return None
    polarity = row.get("decided_polarity") or row["polarity"]
    if not indicator.negatable and not row.get("decided_polarity"):
        polarity = "seen"  # moved to an indicator whose wording carries its own negation
    status = row["status"]
    when = date.fromisoformat(row["published"]) if row["published"] else None
    return EvidenceRow(
        id=f"L{row['id']}",
        kind="link",
        text=row["text"],
        when=when,
        indicator=indicator_id,
        polarity=polarity,
        status=status,
        source=row["source"],
        reliability=row["reliability"],
        credibility=int(row["credibility"]),
        score=score,
        weight=score * STATUS_WEIGHT.get(status, STATUS_WEIGHT[None]),
        reason=row["reason"],
        source_key=source_key,
        decision=decision,
        article_id=row["article_id"],
        start=row["start"],
        end=row["end"],
        likelihoods=_likelihoods(indicator, polarity, hypotheses),
    )


def _likelihoods(
    indicator: Indicator, polarity: str, hypotheses: Sequence[str]
) -> dict[str, float]:
    if polarity == "negated":
        return {h: indicator.negated_likelihood(h) for h in hypotheses}
    return {h: indicator.likelihood(h) for h in hypotheses}


def _manual_row(item: ManualEvidence, case: Case, book: SourceBook) -> EvidenceRow:
    grade = book.grade(item.source)
    hypotheses = case.hypothesis_ids()
    if item.likelihoods:
        likelihoods = {h: item.likelihoods.get(h, RATING_LIKELIHOOD["N"]) for h in hypotheses}
    else:
        likelihoods = {
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
        source_key=f"manual:{item.id}",
        likelihoods=likelihoods,
    )


def evidence_rows(store: Store, case: Case) -> list[EvidenceRow]:
    """The case's evidence: stored links (decisions applied), then hand-entered items."""
    indicators = {i.id: i for i in case.indicators}
    hypotheses = case.hypothesis_ids()
    # A link relinked onto an indicator its sentence already links to is one link: the
    # analyst's (relinked, then accepted) wins over the linker's.
    rank = {"relink": 0, "accept": 1}
    best: dict[tuple[int | None, int | None, int | None, str | None], EvidenceRow] = {}
    for stored in queries.link_rows(store, case.id):
        row = _row_from_link(stored, indicators, hypotheses)
        if row is None:
            continue
        key = (row.article_id, row.start, row.end, row.indicator)
        held = best.get(key)
        if held is None or rank.get(row.decision or "", 2) < rank.get(held.decision or "", 2):
            best[key] = row
    rows = list(best.values())
    book = SourceBook(case.sources)
    rows += [_manual_row(item, case, book) for item in case.evidence]
    return rows


def _items(rows: Sequence[EvidenceRow]) -> list[bayes.Item]:
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
        )
        for row in rows
    ]


# -- ACH ----------------------------------------------------------------------------------


def rating_from_likelihoods(likelihoods: Mapping[str, float]) -> dict[str, str]:
    """An ACH rating per hypothesis from how likely the evidence is under each."""
    mean = sum(likelihoods.values()) / len(likelihoods)
    out = {}
    for h, value in likelihoods.items():
        ratio = value / mean
        out[h] = next((r for floor, r in _RATIO_RATINGS if ratio >= floor), "II")
    return out


def _ach(case: Case, rows: Sequence[EvidenceRow]) -> ach.Matrix:
    """One ACH row per independent observation group, plus each hand-entered item."""
    hypotheses = case.hypothesis_ids()
    groups: dict[str, list[EvidenceRow]] = defaultdict(list)
    for row in rows:
        groups[row.source_key].append(row)
    evidence: list[ach.Evidence] = []
    votes: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)
    manual = {m.id: m for m in case.evidence}
    for key, members in groups.items():
        lead = max(members, key=lambda r: r.weight)
        if lead.kind == "manual":
            item = manual[lead.id]
            evidence.append(ach.Evidence(lead.id, item.credibility, item.relevance))
            ballots: Mapping[str, Mapping[str, str]] = item.ratings or {
                TOCSIN_ANALYST: rating_from_likelihoods(lead.likelihoods)
            }
            for analyst, ratings in ballots.items():
                votes[analyst].update({(lead.id, h): str(r) for h, r in ratings.items()})
            continue
        relevance = "high" if lead.score >= 0.95 else "medium" if lead.score >= 0.7 else "low"
        evidence.append(ach.Evidence(key, _ACH_CREDIBILITY[lead.reliability], relevance))
        for h, rating in rating_from_likelihoods(lead.likelihoods).items():
            votes[TOCSIN_ANALYST][(key, h)] = rating
    return ach.analyse(hypotheses, evidence, votes)


# -- indicators, figures, events ------------------------------------------------------------


def indicator_board(case: Case, rows: Sequence[EvidenceRow]) -> list[IndicatorState]:
    by_indicator: dict[str, list[EvidenceRow]] = defaultdict(list)
    for row in rows:
        if row.indicator is not None:
            by_indicator[row.indicator].append(row)
    board = []
    for indicator in case.indicators:
        mine = by_indicator.get(indicator.id, [])
        seen = [r for r in mine if r.polarity == "seen"]
        negated = [r for r in mine if r.polarity == "negated"]
        state = (
            "not seen"
            if not mine
            else "mixed"
            if seen and negated
            else "seen"
            if seen
            else "seen negated"
        )
        dates = [r.when for r in mine if r.when]
        board.append(
            IndicatorState(
                indicator.id,
                indicator.description,
                state,
                len(seen),
                len(negated),
                max(dates) if dates else None,
                len({r.source_key for r in mine}),
            )
        )
    return board


def disagreements(
    store: Store, facts: Mapping[int, ArticleFacts], as_of: date | None
) -> list[dict[str, Any]]:
    """Figures on one measure that differ between articles or sources, side by side."""
    rows = store.conn.execute(
        """SELECT q.article_id, q.start, q."end", q.text, q.value, q.low, q.high, q.unit,
                  q.measure, g.key FROM quantities q JOIN measure_groups g ON g.id = q.group_id
           ORDER BY g.key, q.article_id, q.start"""
    ).fetchall()
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        fact = facts.get(row["article_id"])
        if fact is None or not _known_by(fact.published, as_of):
            continue
        item = dict(row)
        item["published"] = fact.published
        item["outlet"] = fact.outlet
        item["title"] = fact.title
        by_group[row["key"]].append(item)
    out = []
    for key, items in by_group.items():
        values = {(i["value"], i["low"], i["high"]) for i in items}
        if len(values) > 1:
            out.append({"measure": key, "figures": items})
    return out


def timeline(
    store: Store, facts: Mapping[int, ArticleFacts], as_of: date | None
) -> list[dict[str, Any]]:
    """Dated events of the stored articles, in date order."""
    rows = store.conn.execute(
        """SELECT article_id, start, "end", text, actor, action, target, category, date_start,
                  date_end FROM events WHERE date_start IS NOT NULL
           ORDER BY date_start, article_id, start"""
    ).fetchall()
    out = []
    for row in rows:
        fact = facts.get(row["article_id"])
        if fact is None or not _known_by(fact.published, as_of):
            continue
        out.append({**dict(row), "outlet": fact.outlet, "published": fact.published})
    return out


# -- actors -------------------------------------------------------------------------------


def _actors(case: Case) -> tuple[list[actors.Round], dict[str, float], list[float]]:
    model = case.actor_model
    if model is None or len(case.actors) < 2:
        return [], {}, []
    best = [
        actors.Actor(a.name, a.capability.point, a.position.point, a.salience.point)
        for a in case.actors
    ]
    rounds = actors.simulate(best, model.rounds, variant=model.variant)
    ranges = [
        actors.ActorRange(
            a.name,
            (a.capability.low, a.capability.high),
            (a.position.low, a.position.high),
            (a.salience.low, a.salience.high),
        )
        for a in case.actors
    ]
    outcomes = actors.monte_carlo(
        ranges, samples=model.samples, rounds=model.rounds, seed=model.seed, variant=model.variant
    )
    binned = actors.bin_probabilities(outcomes, model.outcomes)
    probabilities = {h: binned.get(h, 0.0) for h in case.hypothesis_ids()}  # case order
    return rounds, probabilities, [float(x) for x in outcomes]


# -- the whole ------------------------------------------------------------------------------


def relink(store: Store, case: Case, embedder: Embedder | None = None) -> int:
    """Recompute and store the case's links; return how many were made.

    A link the analyst accepted or relinked that the linker no longer makes is rebuilt
    from its sentence, with today's dates and grades, and the analyst's polarity and score.
    """
    model = embedder_name(embedder)
    targets = embedder.encode(indicator_texts(case)) if embedder else None  # once, not per chunk
    kept = queries.kept_decisions(store, case.id)
    spans = {key[:3] for key in kept}
    found: dict[tuple[int, int, int], Unit] = {}
    links: list[Link] = []
    for chunk in chunks(units(store, case), LINK_CHUNK):
        vectors = sentence_vectors(store, chunk, embedder, model) if embedder else None
        links += link_units(case, chunk, embedder, vectors, targets)
        found.update(
            {s: u for u in chunk if (s := (u.article.article_id, u.start, u.end)) in spans}
        )
    made = {(k.unit.article.article_id, k.unit.start, k.unit.end, k.indicator_id) for k in links}
    book = SourceBook(case.sources)
    restored = {
        key: _restored(found.get(key[:3]), key[3], snapshot, book)
        for key, snapshot in kept.items()
        if key not in made
    }
    state = (case_hash(case), LINKER_VERSION, model, queries.last_article(store))
    queries.save_links(store, case.id, links, LINKER_VERSION, state, restored)
    return len(links)


_KEPT = "kept by the analyst's decision; no longer linked"


def _restored(
    unit: Unit | None, indicator_id: str, snapshot: dict[str, Any], book: SourceBook
) -> dict[str, Any]:
    """The stored fields of a decided link the linker no longer makes."""
    reason = str(snapshot["reason"])
    if not reason.startswith(_KEPT):
        reason = f"{_KEPT} ({reason})"
    if unit is None:  # the sentence itself is gone from the candidates: keep the copy
        return {**snapshot, "method": "analyst", "reason": reason}
    found = Match(float(snapshot["score"]), "analyst", reason, snapshot["polarity"] == "negated")
    return queries.link_fields(make_link(unit, indicator_id, found, book), LINKER_VERSION)


def embedder_name(embedder: Any) -> str:
    """What links were made with: the model's id, 'none' for patterns only."""
    if embedder is None:
        return "none"
    return str(getattr(embedder, "model_id", None) or "unnamed")


def links_stale(store: Store, case: Case, embedder: str | None = None) -> bool:
    """Whether the stored links were made from another case file or linker, or before the
    latest article, or (when ``embedder`` names one, as ``embedder_name`` does) with
    another embedding model or none. ``embedder`` None: any model will do."""
    state = queries.link_state(store, case.id)
    if state is None:
        return True
    made_from, version, model, last = state
    current = (case_hash(case), LINKER_VERSION, queries.last_article(store))
    if (made_from, version, last) != current:
        return True
    return embedder is not None and model != embedder


LINK_CHUNK = 4096  # sentences linked at a time: memory stays flat however large the store


def sentence_vectors(
    store: Store, candidates: Sequence[Unit], embedder: Any, model: str = "unnamed"
) -> Any:
    """The candidates' embeddings, from the store's cache where it has them. The cache is
    keyed by the model's id; an embedder without one ('unnamed') is never cached."""
    import numpy as np

    if model == "unnamed":
        return None  # link_units embeds them itself
    keys = [(u.article.article_id, u.start, u.end) for u in candidates]
    cached = queries.cached_vectors(store, keys, model)
    missing = [i for i, key in enumerate(keys) if key not in cached]
    if missing:
        fresh = embedder.encode([candidates[i].text for i in missing])
        new = {keys[i]: fresh[n] for n, i in enumerate(missing)}
        queries.store_vectors(store, new, model)
        cached.update({k: v.astype(np.float16).astype(np.float32) for k, v in new.items()})
    return np.stack([cached[key] for key in keys])


def assess(
    store: Store,
    case: Case,
    *,
    as_of: date | None = None,
    embedder: Embedder | None = None,
    link: bool = True,
    record: bool = True,
    progress: Callable[[str], None] | None = None,
    relink_if_stale: bool = True,
) -> Assessment:
    """Score ``case`` from the store as of ``as_of`` (default: everything).

    ``link`` recomputes the links first; without it the stored links are reused, unless
    ``relink_if_stale`` and they are stale (``links_stale``): for another case file, linker
    or newer articles, or made without the given ``embedder``'s model. Without an embedder,
    links made with one are reused while otherwise current.
    """
    say = progress or (lambda _message: None)
    say("running the actor model")  # first: a model it cannot run stops before any writes
    rounds, actor_probs, outcomes = _actors(case)
    wanted = embedder_name(embedder) if embedder is not None else None
    if link or (relink_if_stale and links_stale(store, case, wanted)):
        say("linking evidence")
        relink(store, case, embedder)
    rows = [r for r in evidence_rows(store, case) if _known_by(r.when, as_of)]
    priors = case.priors()
    items = _items(rows)
    say("scoring")
    post = bayes.posterior(priors, items)
    # Undated items count in the assessment on all the evidence only: when they became
    # known is not known, so neither a date's assessment nor the trajectory takes them.
    dated = [i for i in items if i.when is not None]
    dates = sorted({i.when for i in dated if i.when})
    path = bayes.trajectory(priors, dated, dates) if dates else []
    forecasts = _forecast_rows(case, path, actor_probs, as_of)
    facts, texts = _articles(store, case)
    if record and as_of is None:  # a look back in time is no new forecast
        queries.record_forecasts(store, case.id, forecasts)
        _sync_resolutions(store, case)
    return Assessment(
        case=case,
        as_of=as_of,
        priors=priors,
        evidence=rows,
        posterior=post,
        trajectory=path,
        sensitivity=bayes.sensitivity(priors, items),
        ach=_ach(case, rows),
        indicators=indicator_board(case, rows),
        actor_rounds=rounds,
        actor_probabilities=actor_probs,
        actor_outcomes=outcomes,
        disagreements=disagreements(store, facts, as_of),
        timeline=timeline(store, facts, as_of),
        # A look back scores what it would have said then, against every known outcome.
        track=track_record(store, {case.id: case}, None if record and as_of is None else forecasts),
        articles=[t for t in texts if _known_by(t["published"], as_of)],
    )


def _known_by(when: date | None, as_of: date | None) -> bool:
    """Whether something published on ``when`` counts as of ``as_of`` (None: everything)."""
    return as_of is None or (when is not None and when <= as_of)


def case_hash(case: Case) -> str:
    """A fingerprint of the case file's content: links made from another one are stale."""
    import hashlib

    return hashlib.sha256(case.model_dump_json().encode("utf-8")).hexdigest()[:16]


def _forecast_rows(
    case: Case,
    path: Sequence[tuple[date, dict[str, float]]],
    actor_probs: Mapping[str, float],
    as_of: date | None,
) -> list[Forecast]:
    """Forecasts of every question at each point of the trajectory (and of the actors)."""
    main = case.resolution.deadline
    out: list[Forecast] = []
    for when, probabilities in path:
        out.append((case.id, "main", when, "bayes", dict(probabilities), main))
        for q in case.questions:
            if q.given:
                p = question_forecast(q, probabilities)
                out.append((case.id, q.id, when, "bayes", {"yes": p, "no": 1 - p}, q.deadline))
    for q in case.questions:
        for when, p in q.forecasts.items():
            if _known_by(when, as_of):
                yes_no = {"yes": p, "no": 1 - p}
                out.append((case.id, q.id, when, "analyst", yes_no, q.deadline))
    if actor_probs and path:
        out.append((case.id, "main", as_of or path[-1][0], "actors", dict(actor_probs), main))
    return out


def _sync_resolutions(store: Store, case: Case) -> None:
    """Outcomes the case file states go into the store; `tocsin resolve`'s own win."""
    resolved = {
        r["question_id"] for r in queries.resolutions(store, case.id) if r["origin"] == "resolve"
    }
    stated = [("main", case.outcome, case.resolution.deadline)] + [
        (q.id, None if q.outcome is None else "yes" if q.outcome else "no", q.deadline)
        for q in case.questions
    ]
    for question_id, outcome, deadline in stated:
        if question_id in resolved:
            continue
        if outcome is not None:
            queries.record_resolution(
                store, case.id, question_id, outcome, deadline, "from the case file", "case"
            )
    queries.forget_case_outcomes(
        store, case.id, keep={q for q, outcome, _ in stated if outcome is not None}
    )


def _articles(store: Store, case: Case) -> tuple[dict[int, ArticleFacts], list[dict[str, Any]]]:
    """One pass over the stored articles: what the case knows of each, and their texts."""
    facts: dict[int, ArticleFacts] = {}
    texts = []
    for article in store.articles(include_duplicates=False):
        fact = facts[article.id] = article_facts(article, case)
        texts.append(
            {
                "id": article.id,
                "title": fact.title,
                "published": fact.published,
                "outlet": fact.outlet,
                "text": article.text,
            }
        )
    return facts, texts


def to_dict(a: Assessment) -> dict[str, Any]:
    """The assessment as JSON-ready data (the shape `tocsin assess --json` prints)."""
    from dataclasses import asdict

    from tocsin.assess.track import as_dict

    return {
        "case": a.case.id,
        "question": a.case.question,
        "as_of": a.as_of,
        "leader": a.leader,
        "priors": a.priors,
        "posterior": a.posterior.probabilities,
        "actor_model": a.actor_probabilities,
        "trajectory": [{"date": d, "probabilities": p} for d, p in a.trajectory],
        "indicators": [asdict(i) for i in a.indicators],
        "evidence": [asdict(e) for e in a.evidence],
        "ach": {
            "parc": {h: asdict(s) for h, s in a.ach.parc.items()},
            "inconsistency": a.ach.inconsistency,
            "diagnosticity": a.ach.diagnosticity,
        },
        "sensitivity": {
            "leader": a.sensitivity.leader,
            "pivotal": list(a.sensitivity.pivotal),
            "tornado": [
                {
                    "source_key": g.source_key,
                    "members": list(g.members),
                    "delta": g.delta,
                    "log_odds": g.log_odds,
                    "pivotal": g.pivotal,
                    "best_flips": g.best_flips,
                    "worst_flips": g.worst_flips,
                }
                for g in a.sensitivity.tornado
            ],
        },
        "actor_rounds": [asdict(r) for r in a.actor_rounds],
        "disagreements": a.disagreements,
        "timeline": a.timeline,
        "track_record": as_dict(a.track),
    }
