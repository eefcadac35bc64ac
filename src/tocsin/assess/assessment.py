"""The assessment of a case from the store, in three steps: relink (writes the case's
links), score (pure: ``tocsin.assess.score``) and record (writes its forecasts).

``assess`` writes nothing unless asked: ``link`` recomputes the links first,
``relink_if_stale`` does so only when they are stale, and ``record`` keeps the forecasts of
a full assessment. A look back in time (``as_of``) or a what-if run reads only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from tocsin.assess.case import Case
from tocsin.assess.link_model import linking_note
from tocsin.assess.record import record as record_forecasts
from tocsin.assess.relink import embedder_name, lessons, links_stale, relink
from tocsin.assess.score import ArticleView, Assessment, CaseData, actor_model, score
from tocsin.assess.sources import article_facts
from tocsin.assess.track import as_dict
from tocsin.models import Article
from tocsin.models.evidence import EventRow, FigureRow
from tocsin.store import assessment as stored
from tocsin.store.db import Store
from tocsin.store.desk import save_case_file
from tocsin.store.evidence import dated_events, grouped_figures, span_facts
from tocsin.store.evidence import sentences as stored_sentences
from tocsin.text import sentences

if TYPE_CHECKING:
    from tocsin.assess.embed import Embedder
    from tocsin.engine import Engine


def load(
    store: Store,
    case: Case,
    *,
    texts: Literal["all", "linked"] = "all",
    figures: list[FigureRow] | None = None,
    events: list[EventRow] | None = None,
) -> CaseData:
    """What the store holds that the case's assessment reads: its links, the articles
    (one pass), figures, dated events, the other cases' forecasts and every outcome.

    ``texts`` 'all' reads every article's text and sentences, as the full report shows
    them. 'linked' reads those of the articles the case's links point into only; every
    other article comes with its title, date and outlet and no text. The assessment is the
    same (``to_dict``), for a fraction of the time and memory on a large store; what
    differs is the HTML report's text of the other articles (its list of articles, and
    the sentence around a conflicting figure), which is left empty (the desk's way).
    ``figures`` and ``events``, when given, are the store's as read for another case (they
    are every case's): the desk reads them once for all its cases.
    """
    links = stored.link_rows(store, case.id)
    linked = {row.key.article_id for row in links}
    if texts == "all":
        found = store.articles(include_duplicates=False)
        articles = [_view(store, case, article) for article in found]
    else:
        articles = [
            _view(store, case, store.article(head.id) or head) if head.id in linked
            else _view(store, case, head, cut=False)
            for head in stored.article_heads(store)
        ]  # fmt: skip
    return CaseData(
        links=links,
        articles=articles,
        figures=grouped_figures(store) if figures is None else figures,
        events=dated_events(store) if events is None else events,
        forecasts=[f for f in stored.forecasts(store) if f.case_id != case.id],
        resolutions=stored.resolutions(store),
        linking=linking_note(case, lessons(store, case), _embedded(store, case)),
        facts=span_facts(store, linked),  # facts tell linked sentences apart; none else
    )


def before(data: CaseData, newest: int) -> CaseData:
    """``data`` without what the articles after article ``newest`` brought."""
    return replace(
        data,
        links=[r for r in data.links if r.key.article_id <= newest],
        articles=[a for a in data.articles if a.id <= newest],
        figures=[f for f in data.figures if f.article_id <= newest],
        events=[e for e in data.events if e.article_id <= newest],
        facts=[f for f in data.facts if f.article_id <= newest],
    )


def _view(store: Store, case: Case, article: Article, *, cut: bool = True) -> ArticleView:
    """The article as the case sees it, with its sentences when ``cut``."""
    fact = article_facts(article, case)
    found = (stored_sentences(store, article.id) or sentences(article.text)) if cut else ()
    return ArticleView(
        article.id, fact.title, fact.published, fact.outlet, article.text, tuple(found),
        article.url,
    )  # fmt: skip


def _embedded(store: Store, case: Case) -> bool:
    """Whether the case's stored links were made with sentence embeddings."""
    state = stored.link_state(store, case.id)
    return state is not None and state.embedder != "none"


def assess(
    store: Store,
    case: Case,
    *,
    as_of: date | None = None,
    embedder: Embedder | None = None,
    link: bool = False,
    relink_if_stale: bool = False,
    record: bool = False,
    progress: Callable[[str], None] | None = None,
    engine: Engine | None = None,
    through: int | None = None,
) -> Assessment:
    """Score ``case`` from the store as of ``as_of`` (default: everything).

    ``link`` recomputes the links first; ``relink_if_stale`` does when they are stale
    (``links_stale``: another case file or linker, newer articles, or made without the
    given ``embedder``'s model). ``record`` keeps the forecasts of a full assessment and the
    case file's outcomes, and the case file's text as a version in the store (for the desk,
    ``tocsin serve``); it is refused with ``as_of``. ``engine``: where the linking runs
    (``relink``; Ray spreads it over a cluster, the same links).

    ``through``: the case as it stood when article ``through`` was the store's newest,
    from the links it has now (the later articles' links, figures and events left out):
    the watcher's assessment before the articles of a cycle that did not finish. Like
    ``as_of``, it records nothing.
    """
    say = progress or (lambda _message: None)
    if record and (as_of is not None or through is not None):
        raise ValueError("a look back (as_of, through) records nothing")
    say("running the actor model")  # first: a model it cannot run stops before any writes
    actor_result = actor_model(case)
    wanted = embedder_name(embedder) if embedder is not None else None
    if link or (relink_if_stale and links_stale(store, case, wanted)):
        say("linking evidence")
        relink(store, case, embedder, engine)
    say("scoring")
    data = load(store, case)
    result = score(case, data if through is None else before(data, through), as_of, actor_result)
    if record:
        record_forecasts(store, result)
        if case.text:  # the desk lists and edits the cases the store has assessed
            save_case_file(store, case.id, case.text, origin=case.origin or "case file")
    return result


def to_dict(a: Assessment) -> dict[str, Any]:
    """The assessment as JSON-ready data (the shape `tocsin assess --json` prints)."""
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
        "actor_vetoes": {
            "status_quo": a.actor_status_quo,
            "blocked": a.actor_blocked,
            "blocked_draws": a.actor_blocked_draws,
        },
        "model_gap": asdict(a.model_gap) if a.model_gap else None,
        "disagreements": [asdict(d) for d in a.disagreements],
        "timeline": [asdict(e) for e in a.timeline],
        "track_record": as_dict(a.track),
    }
