"""Which of a cycle's new articles an alert rule waits for, so that the watcher reads them
first.

Extraction is what a cycle spends its time on (about 0.1 s an article on one core), so an
article that would fire an alert should not wait behind a thousand that cannot. Before
extracting anything, the cycle asks, for each case it touches that has an ``indicator``
or ``absent`` alert rule, which new articles hold a sentence the rules linker would link
to one of those indicators, reading the article's text alone (its sentences as the text
model splits them, no extraction and no embeddings: a few milliseconds an article).
Those articles are extracted, linked and assessed first and their alerts rung at once;
the rest follow in the same cycle, or in the next when a source falls due first
(``cycle``). The triage only orders the work: every link is made from the extracted
article, as without it.

A case's hypothesis rules (threshold, move, leader, uncorroborated) can be moved by any
indicator, so they do not make an article urgent: they are evaluated when the cycle's
articles are all linked, as every rule is.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from tocsin.assess.case import Case
from tocsin.assess.link import link_units, units
from tocsin.assess.relink import LINK_CHUNK, article_chunks
from tocsin.store.db import Store

_WATCHED_KINDS = frozenset({"indicator", "absent"})


def watched_indicators(case: Case) -> frozenset[str]:
    """The indicators the case's alert rules watch for a report."""
    return frozenset(r.indicator for r in case.alerts if r.kind in _WATCHED_KINDS and r.indicator)


def urgent(store: Store, cases: Sequence[Case], pending: Collection[int]) -> set[int]:
    """The ``pending`` articles (stored, not extracted) that one of ``cases``' watched
    indicators links by its patterns."""
    if not pending:
        return set()
    wanted = set(pending)
    found: set[int] = set()
    for case in cases:
        watched = watched_indicators(case)
        if not watched:
            continue
        candidates = units(store, case, after=min(wanted) - 1, only=wanted - found)
        for chunk in article_chunks(candidates, LINK_CHUNK):
            found.update(
                link.unit.article.article_id
                for link in link_units(case, chunk, None, models=None)
                if link.indicator_id in watched
            )
    return found
