"""Recording: the last of an assessment's three steps. The forecasts of a full assessment
replace the case's recorded ones, and the outcomes its case file states go into the store
(those recorded with `tocsin resolve` win)."""

from __future__ import annotations

from tocsin.assess.case import Case
from tocsin.assess.score import Assessment
from tocsin.models.assessment import Resolution
from tocsin.store import assessment as stored
from tocsin.store.db import Store


def record(store: Store, assessment: Assessment) -> None:
    """Keep what ``assessment`` forecast; a look back in time (``as_of``) is no forecast."""
    if assessment.as_of is not None:
        raise ValueError("a look back in time records no forecasts")
    stored.record_forecasts(store, assessment.case.id, assessment.forecasts)
    sync_resolutions(store, assessment.case)


def sync_resolutions(store: Store, case: Case) -> None:
    """Outcomes the case file states go into the store; `tocsin resolve`'s own win."""
    resolved = {r.question_id for r in stored.resolutions(store, case.id) if r.origin == "resolve"}
    stated = [("main", case.outcome, case.resolution.deadline)] + [
        (q.id, None if q.outcome is None else "yes" if q.outcome else "no", q.deadline)
        for q in case.questions
    ]
    for question_id, outcome, deadline in stated:
        if question_id in resolved or outcome is None:
            continue
        stored.record_resolution(
            store,
            Resolution(case.id, question_id, outcome, deadline, "from the case file", "case"),
        )
    stored.forget_case_outcomes(
        store, case.id, keep={q for q, outcome, _ in stated if outcome is not None}
    )
