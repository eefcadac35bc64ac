"""Backtests: resolved questions assessed as of every article date, and scored against what
happened and against gold evidence links.

A *shelf* is a folder with one sub-folder per question and a ``shelf.json`` naming the
questions held out from tuning. A question's folder holds its case file as written when the
question opened (``case.yaml``), what happened (``resolution.json``), its dated articles
(``articles.jsonl``, tocsin's JSONL input) and, optionally, gold links (``links.json``: per
article id, the sentences that report an indicator, with their polarity). The format is in
docs/backtest.md.

Each question is assessed in a store of its own, built afresh: the articles are ingested
and extracted, the case is linked, and the case is assessed as of each publication date.
The forecasts are scored with the Brier score (summed over the hypotheses, 0 best, 2 worst)
and the logarithmic score of the outcome, the prior forecast beside them; the links are
scored against the gold, a predicted link agreeing with a gold one when they name the same
indicator and their spans overlap by at least half of the shorter.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from tocsin.assess import bayes
from tocsin.assess.assessment import assess, load
from tocsin.assess.case import Case, load_case
from tocsin.assess.embed import Embedder
from tocsin.assess.evidence import EvidenceRow, items
from tocsin.assess.fitting import Replay, brier
from tocsin.assess.relink import relink
from tocsin.assess.score import actor_model, score
from tocsin.assess.sources import article_facts
from tocsin.config import Config
from tocsin.extract.run import extract
from tocsin.ingest.pipeline import IngestReport, ingest
from tocsin.models.assessment import LinkRow
from tocsin.store import assessment as queries
from tocsin.store.db import Store
from tocsin.store.evidence import article_evidence

SHELF_INDEX = "shelf.json"
LOG_FLOOR = 1e-6  # the probability a log score reads for an outcome given none
MATCH_OVERLAP = 0.5  # share of the shorter span two spans must share to be one sentence


class ShelfError(ValueError):
    """A shelf or question folder that cannot be read, with the file and the reason."""


@dataclass(frozen=True)
class GoldLink:
    article: str  # the article's id in articles.jsonl
    sentence: str  # an exact substring of that article's text
    indicator: str
    polarity: str  # 'seen' or 'negated'


@dataclass(frozen=True)
class Question:
    qid: str
    folder: Path
    held_out: bool
    outcome: str
    resolved_on: date

    @property
    def case_path(self) -> Path:
        return self.folder / "case.yaml"

    @property
    def articles_path(self) -> Path:
        return self.folder / "articles.jsonl"

    def articles(self) -> list[dict[str, Any]]:
        """The article records, in file order."""
        lines = self.articles_path.read_text("utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def gold(self) -> list[GoldLink] | None:
        """The gold links, or None when the question has none."""
        path = self.folder / "links.json"
        if not path.exists():
            return None
        data = json.loads(path.read_text("utf-8"))
        return [
            GoldLink(str(article), g["sentence"], g["indicator"], g["polarity"])
            for article, links in data.items()
            for g in links
        ]


def load_shelf(folder: Path, only: Iterable[str] = ()) -> list[Question]:
    """The questions of the shelf at ``folder`` (those named in ``only``, if any), by id."""
    index_path = folder / SHELF_INDEX
    if not index_path.exists():
        raise ShelfError(f"{index_path}: no shelf index")
    index = json.loads(index_path.read_text("utf-8"))
    held = set(index.get("held_out", []))
    wanted = set(only)
    out = []
    for sub in sorted(p for p in folder.iterdir() if (p / "case.yaml").exists()):
        if wanted and sub.name not in wanted:
            continue
        out.append(_question(sub, sub.name in held))
    unknown = wanted - {q.qid for q in out}
    if unknown:
        raise ShelfError(f"{folder}: no question {', '.join(sorted(unknown))}")
    return out


def _question(folder: Path, held_out: bool) -> Question:
    path = folder / "resolution.json"
    try:
        resolution = json.loads(path.read_text("utf-8"))
        return Question(
            folder.name,
            folder,
            held_out,
            str(resolution["outcome"]),
            date.fromisoformat(resolution["resolved_on"]),
        )
    except (OSError, KeyError, ValueError) as exc:
        raise ShelfError(f"{path}: {exc}") from exc


REQUIRED = ("id", "url", "outlet", "published", "title", "text")


def check_question(question: Question) -> list[str]:
    """What is wrong with a question's files, one line a fault (none: an empty list)."""
    faults: list[str] = []
    case = load_case(question.case_path)
    hypotheses = {h.id for h in case.hypotheses}
    if question.outcome not in hypotheses:
        faults.append(f"resolution.json: outcome {question.outcome} is no hypothesis")
    texts: dict[str, str] = {}
    for n, record in enumerate(question.articles(), 1):
        missing = [k for k in REQUIRED if not record.get(k)]
        if missing:
            faults.append(f"articles.jsonl:{n}: missing {', '.join(missing)}")
        texts[str(record.get("id"))] = str(record.get("text", ""))
    indicators = {i.id for i in case.indicators}
    for g in question.gold() or []:
        if g.article not in texts:
            faults.append(f"links.json: no article {g.article}")
        elif g.sentence not in texts[g.article]:
            faults.append(f"links.json: {g.article}: not in the text: {g.sentence[:60]!r}")
        if g.indicator not in indicators:
            faults.append(f"links.json: {g.article}: no indicator {g.indicator}")
        if g.polarity not in ("seen", "negated"):
            faults.append(f"links.json: {g.article}: polarity {g.polarity!r}")
    return faults


# Scores of forecasts.


def ratio(part: int, whole: int) -> float:
    """``part / whole``, 0 when there is no whole."""
    return part / whole if whole else 0.0


def log_score(probabilities: dict[str, float], outcome: str) -> float:
    """Minus the natural log of the probability given the outcome (0 best)."""
    return 0.0 - math.log(max(probabilities.get(outcome, 0.0), LOG_FLOOR))


@dataclass(frozen=True)
class Forecast:
    as_of: date
    probabilities: dict[str, float]
    items: int  # evidence items counted
    # The same date's forecasts of the baselines (BASELINES), from the same evidence.
    baselines: dict[str, dict[str, float]] = field(default_factory=dict)


BASELINES = ("prior", "naive Bayes", "latest only")


def baselines(
    priors: dict[str, float], evidence: Sequence[bayes.Item], as_of: date
) -> dict[str, dict[str, float]]:
    """What simpler forecasters say as of ``as_of`` from the same dated evidence: the
    prior alone; the plain Bayes update with every source independent (tocsin before
    issue #11); and the plain update on the evidence of the latest date only."""
    known = [replace(i, cluster="") for i in evidence if i.when is not None and i.when <= as_of]
    latest = max((i.when for i in known if i.when is not None), default=None)
    return {
        "prior": dict(priors),
        "naive Bayes": bayes.posterior(priors, known).probabilities,
        "latest only": bayes.posterior(
            priors, [i for i in known if i.when == latest]
        ).probabilities,
    }


@dataclass(frozen=True)
class LinkScore:
    predicted: int  # distinct (article, span, indicator) links
    gold: int  # distinct (article, sentence, indicator) gold links
    right: int  # predicted links agreeing with a gold one
    found: int  # gold links some predicted link agrees with
    polarity_right: int  # among those found, with the gold's polarity

    @property
    def precision(self) -> float:
        return ratio(self.right, self.predicted)

    @property
    def recall(self) -> float:
        return ratio(self.found, self.gold)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Leaks:
    """What the as-of forecasts used that they should not have known: over every (as-of
    date D, evidence item used as of D) pair, those whose article the question's file dates
    after D, those whose sentence names a date after D (plans and deadlines included), and
    those whose sentence reports an event that happened (asserted or reported, not planned,
    threatened or hypothetical) dated after D: evidence describing what came later."""

    pairs: int
    published_later: int
    names_later_date: int
    describes_later_event: int = 0

    @property
    def share_published_later(self) -> float:
        return ratio(self.published_later, self.pairs)

    @property
    def share_names_later_date(self) -> float:
        return ratio(self.names_later_date, self.pairs)

    @property
    def share_describes_later_event(self) -> float:
        return ratio(self.describes_later_event, self.pairs)


@dataclass(frozen=True)
class ActorForecast:
    """The actor model's forecast of a question: one per question, as of its opening (the
    model reads the case file alone), with and without the case's veto players."""

    probabilities: dict[str, float]
    without_vetoes: dict[str, float]
    blocked_draws: int
    draws: int


def actor_forecast(case: Case) -> ActorForecast | None:
    """The actor model's forecast of ``case``, or None when it has no actor model."""
    run = actor_model(case)
    if not run.probabilities:
        return None
    plain = case.model_copy(
        update={"actors": [a.model_copy(update={"veto": []}) for a in case.actors]}
    )
    without = actor_model(plain).probabilities if run.status_quo else run.probabilities
    return ActorForecast(run.probabilities, without, run.blocked_draws, len(run.outcomes))


@dataclass(frozen=True)
class Result:
    question: Question
    case_id: str
    hypotheses: list[str]
    priors: dict[str, float]
    forecasts: list[Forecast]
    articles: int
    stored: int
    links: int
    link_score: LinkScore | None
    seconds: float
    failures: list[str] = field(default_factory=list)
    replay: Replay | None = None  # what fitting the update needs of this question
    leaks: Leaks | None = None
    actors: ActorForecast | None = None  # the actor model's one forecast (None: no model)

    @property
    def final(self) -> dict[str, float]:
        return self.forecasts[-1].probabilities if self.forecasts else self.priors

    def briers(self) -> list[float]:
        return [brier(f.probabilities, self.question.outcome) for f in self.forecasts]

    def summary(self) -> dict[str, Any]:
        """The figures of the question, as plain data."""
        outcome = self.question.outcome
        briers = self.briers()
        wrong = [p for f in self.forecasts for h, p in f.probabilities.items() if h != outcome]
        leader = max(self.final, key=lambda h: self.final[h]) if self.final else None
        score = self.link_score
        return {
            "question": self.question.qid,
            "held_out": self.question.held_out,
            "outcome": outcome,
            "hypotheses": len(self.hypotheses),
            "articles": self.articles,
            "stored": self.stored,
            "links": self.links,
            "prior_outcome": self.priors.get(outcome, 0.0),
            "final_outcome": self.final.get(outcome, 0.0),
            "final_leader": leader,
            "final_brier": brier(self.final, outcome),
            "prior_brier": brier(self.priors, outcome),
            "mean_brier": sum(briers) / len(briers) if briers else brier(self.priors, outcome),
            "final_log": log_score(self.final, outcome),
            "mean_log": (
                sum(log_score(f.probabilities, outcome) for f in self.forecasts)
                / len(self.forecasts)
                if self.forecasts
                else log_score(self.priors, outcome)
            ),
            "baseline_mean_brier": {
                name: (
                    sum(brier(f.baselines[name], outcome) for f in self.forecasts)
                    / len(self.forecasts)
                    if self.forecasts
                    else None
                )
                for name in BASELINES
            },
            "max_wrong": max(wrong, default=0.0),
            "link_precision": score.precision if score else None,
            "link_recall": score.recall if score else None,
            "link_f1": score.f1 if score else None,
            "polarity_right": score.polarity_right / score.found if score and score.found else None,
            "failures": len(self.failures),
            "leak_published_later": self.leaks.share_published_later if self.leaks else None,
            "leak_names_later_date": self.leaks.share_names_later_date if self.leaks else None,
            "leak_later_event": self.leaks.share_describes_later_event if self.leaks else None,
            "leak_pairs": self.leaks.pairs if self.leaks else 0,
            "seconds": self.seconds,
            **self.actor_summary(),
        }

    def actor_summary(self) -> dict[str, Any]:
        """The actor model's figures of the question (None each when it has no model)."""
        found = self.actors
        if found is None:
            keys = ("actor_outcome", "actor_leader", "actor_brier", "actor_log",
                    "actor_brier_without_vetoes", "actor_blocked")  # fmt: skip
            return dict.fromkeys(keys)
        outcome = self.question.outcome
        probabilities = found.probabilities
        return {
            "actor_outcome": probabilities.get(outcome, 0.0),
            "actor_leader": max(probabilities, key=lambda h: probabilities[h]),
            "actor_brier": brier(probabilities, outcome),
            "actor_log": log_score(probabilities, outcome),
            "actor_brier_without_vetoes": brier(found.without_vetoes, outcome),
            "actor_blocked": ratio(found.blocked_draws, found.draws),
        }


# Running a question.


def prepare(question: Question, workdir: Path, workers: int = 1) -> tuple[Path, IngestReport]:
    """A fresh store under ``workdir`` with the question's articles ingested and extracted,
    after checking the question's files."""
    faults = check_question(question)
    if faults:
        raise ShelfError(f"{question.folder}: " + "; ".join(faults))
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / f"{question.qid}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    with Store.open(db) as store:
        report = ingest([question.articles_path], store=store, config=Config.load(workers=workers))
        extract(store, workers=workers)
    return db, report


def gold_spans(
    store: Store, question: Question, gold: Sequence[GoldLink] | None = None
) -> dict[tuple[int, str], set[tuple[int, int, str]]]:
    """The gold links (``gold``, else the question's) located in the store: (article id,
    indicator) -> {(start, end, polarity)}; an article or sentence not found is left out."""
    if gold is None:
        gold = question.gold() or []
    by_url = {a.url: a for a in store.articles() if a.url}
    spans: dict[tuple[int, str], set[tuple[int, int, str]]] = {}
    for record in question.articles():
        stored = by_url.get(str(record.get("url")))
        if stored is None:
            continue
        for g in (g for g in gold if g.article == str(record.get("id"))):
            at = stored.text.find(g.sentence)
            if at >= 0:
                key = (stored.id, g.indicator)
                spans.setdefault(key, set()).add((at, at + len(g.sentence), g.polarity))
    return spans


def run_question(
    question: Question,
    workdir: Path,
    embedder: Embedder | None,
    workers: int = 1,
    linker: str | None = None,
) -> Result:
    """Assess ``question`` in a fresh store under ``workdir`` as of each article date;
    ``linker`` ("rules" or "model") overrides the case file's."""
    started = time.perf_counter()
    case = load_case(question.case_path)
    if linker is not None:
        case = case.model_copy(update={"linker": linker})
    db, report = prepare(question, workdir, workers)
    with Store.open(db) as store:
        relink(store, case, embedder)
        forecasts, rows_seen = _forecasts(store, case, embedder)
        leaks = _leaks(store, question, rows_seen, [f.as_of for f in forecasts])
        rows = queries.link_rows(store, case.id)
        score = _link_score(store, question, rows)
        stored = sum(1 for _ in store.articles())
    return Result(
        question=question,
        case_id=case.id,
        hypotheses=[h.id for h in case.hypotheses],
        priors=case.priors(),
        forecasts=forecasts,
        articles=len(question.articles()),
        stored=stored,
        links=len(rows),
        link_score=score,
        seconds=time.perf_counter() - started,
        failures=[": ".join(f[:2]) for f in report.failures],
        leaks=leaks,
        actors=actor_forecast(case),
        replay=Replay(
            question.qid,
            case.priors(),
            question.outcome,
            tuple(f.as_of for f in forecasts),
            tuple(r for r in rows_seen if r.when is not None),
        ),
    )


def _forecasts(
    store: Store, case: Case, embedder: Embedder | None
) -> tuple[list[Forecast], list[EvidenceRow]]:
    dates = sorted(
        {f.published for a in store.articles() if (f := article_facts(a, case)).published}
    )
    everything = assess(store, case, embedder=embedder, relink_if_stale=True)
    evidence = items(everything.evidence)
    # The links are fresh now: each date is scored from the same stored data and one run
    # of the actor model (which depends on the case alone), as `assess --as-of` scores it.
    data = load(store, case)
    actors = actor_model(case)
    out = []
    for when in dates:
        found = score(case, data, when, actors)
        out.append(
            Forecast(
                when,
                dict(found.posterior.probabilities),
                len(found.evidence),
                baselines(everything.priors, evidence, when),
            )
        )
    return out, everything.evidence


def _leaks(
    store: Store, question: Question, rows: Sequence[EvidenceRow], dates: Sequence[date]
) -> Leaks:
    published, mentions, happened = _article_dates(store, question, rows)
    pairs = later = named = described = 0
    for d in dates:
        for r in rows:
            if r.when is None or r.when > d or r.article_id is None:
                continue
            pairs += 1
            later += published.get(r.article_id, r.when) > d
            span = (r.start or 0, r.end or 0)
            named += _dated_after(mentions[r.article_id], span, d)
            described += _dated_after(happened[r.article_id], span, d)
    return Leaks(pairs, later, named, described)


Dated = dict[int, list[tuple[int, int, date]]]


def _article_dates(
    store: Store, question: Question, rows: Sequence[EvidenceRow]
) -> tuple[dict[int, date], Dated, Dated]:
    """For each article the rows come from: its date by the question's file, its dated
    mentions, and its dated events that took place."""
    true_date = {
        str(r.get("url")): date.fromisoformat(str(r["published"])[:10]) for r in question.articles()
    }
    by_id = {a.id: a for a in store.articles()}
    published: dict[int, date] = {}
    mentions: Dated = {}
    happened: Dated = {}
    for article_id in {r.article_id for r in rows if r.article_id is not None}:
        found = true_date.get(str(by_id[article_id].url)) if article_id in by_id else None
        if found is not None:
            published[article_id] = found
        evidence = article_evidence(store, article_id)
        mentions[article_id] = _dated(evidence["dates"])
        happened[article_id] = _dated(e for e in evidence["events"] if e.get("mode") in _HAPPENED)
    return published, mentions, happened


def _dated_after(spans: list[tuple[int, int, date]], span: tuple[int, int], day: date) -> bool:
    """Whether one of ``spans`` overlapping ``span`` is dated after ``day``."""
    start, end = span
    return any(a < end and b > start and when > day for a, b, when in spans)


_HAPPENED = ("asserted", "reported")  # event modes of what took place


def _dated(records: Iterable[dict[str, Any]]) -> list[tuple[int, int, date]]:
    """(start, end, first day) of the records that carry a date."""
    return [
        (int(m["start"]), int(m["end"]), date.fromisoformat(str(m["date_start"])[:10]))
        for m in records
        if m.get("date_start")
    ]


def _link_score(store: Store, question: Question, rows: Sequence[LinkRow]) -> LinkScore | None:
    gold = question.gold()
    if gold is None:
        return None
    spans = gold_spans(store, question, gold)
    predicted = {(r.key.article_id, r.key.start, r.key.end, r.key.indicator_id): r for r in rows}
    right = 0
    hit: dict[tuple[int, str, int, int], str] = {}
    for (article, start, end, indicator), row in predicted.items():
        agreeing = [
            (a, b, pol)
            for a, b, pol in spans.get((article, indicator), ())
            if overlap(start, end, a, b) >= MATCH_OVERLAP
        ]
        right += bool(agreeing)
        for a, b, pol in agreeing:
            polarity = row.decided_polarity or row.fields.polarity
            hit[(article, indicator, a, b)] = (
                "right" if polarity == pol else hit.get((article, indicator, a, b), "wrong")
            )
    total_gold = sum(len(v) for v in spans.values())
    return LinkScore(
        predicted=len(predicted),
        gold=total_gold,
        right=right,
        found=len(hit),
        polarity_right=sum(v == "right" for v in hit.values()),
    )


def overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> float:
    shared = min(a_end, b_end) - max(a_start, b_start)
    shorter = min(a_end - a_start, b_end - b_start)
    return shared / shorter if shared > 0 and shorter > 0 else 0.0


def reliability(
    pairs: Sequence[tuple[float, bool]], bins: int = 10
) -> tuple[float, list[tuple[float, float, float, int]]]:
    """Expected calibration error and the reliability table of (probability, came true)
    pairs: per bin of equal width, (low, mean probability, share true, count); ECE is the
    count-weighted mean gap between the last two."""
    table: list[tuple[float, float, float, int]] = []
    total = len(pairs)
    ece = 0.0
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [(p, t) for p, t in pairs if low <= p < high or (b == bins - 1 and p == 1.0)]
        if not inside:
            continue
        mean_p = sum(p for p, _ in inside) / len(inside)
        share = sum(t for _, t in inside) / len(inside)
        table.append((low, mean_p, share, len(inside)))
        ece += len(inside) / total * abs(mean_p - share)
    return ece, table


def mean(values: Sequence[float | None]) -> float | None:
    """The mean of the values that are known, or None when none is."""
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None
