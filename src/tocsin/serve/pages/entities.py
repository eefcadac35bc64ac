"""The entities: every canonical entity with its spellings, mentions and quotes, searchable;
one entity's page (its spellings, its mentions in their sentences, the quotes it is the
speaker of); and the analysts' corrections: merge an entity into another, or split a
spelling off into an entity of its own.

A merge or a split changes the stored records at once and is kept as a spelling override,
so that a later extraction decides the same (``tocsin.extract.overrides``); each is one
transaction, logged under the analyst's name. Either may be posted as a form (with the
page's CSRF field) or as JSON. JSON is answered by the entity the records went to; a form
by a redirect to the entity merged into, or back to the entity a spelling was split off.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from tocsin.errors import InvalidInput, NotFound
from tocsin.extract import overrides
from tocsin.extract.names import normalise
from tocsin.models.evidence import EntityName
from tocsin.serve.web import analyst, desk, handled, handled_sync, int_param, json_object, page
from tocsin.store import entities as entity_store
from tocsin.store import evidence as stored

PAGE = 100  # entities a page
ROWS = 50  # mentions or quotes a page


def _page_number(request: Request, name: str) -> int:
    number = int_param(request.query_params, name, 1)
    if number < 1:
        raise InvalidInput(f"{name} must be 1 or more")
    return number


def _pager(request: Request, name: str, number: int, more: bool) -> dict[str, str]:
    """Links to the previous and next pages of one list, keeping the other parameters."""
    kept = {k: v for k, v in request.query_params.items() if k != name and v}
    path = request.url.path
    return {
        "previous": f"{path}?{urlencode({**kept, name: number - 1})}" if number > 1 else "",
        "next": f"{path}?{urlencode({**kept, name: number + 1})}" if more else "",
    }


@handled_sync
def entities_page(request: Request) -> Response:
    """Entities by mentions, most first, searchable by spelling and label."""
    q = (request.query_params.get("q") or "").strip()
    label = (request.query_params.get("label") or "").strip() or None
    number = _page_number(request, "page")
    with desk(request).store() as store:
        rows = entity_store.entity_lines(
            store, normal=normalise(q) or None, label=label, limit=PAGE + 1,
            offset=(number - 1) * PAGE,
        )  # fmt: skip
        labels = entity_store.entity_labels(store)
    request.scope["nav"] = "entities"
    return page(
        request, "entities.html.j2", rows=rows[:PAGE], q=q, label=label or "", labels=labels,
        pager=_pager(request, "page", number, len(rows) > PAGE), number=number,
    )  # fmt: skip


@handled_sync
def entity_page(request: Request) -> Response:
    """One entity: its spellings, mentions and quotes, and the merge and split forms."""
    entity_id = int(request.path_params["entity_id"])
    mentions_page = _page_number(request, "page")
    quotes_page = _page_number(request, "quotes")
    with desk(request).store() as store:
        entity = stored.entity(store, entity_id)
        if entity is None:
            raise NotFound(f"no entity {entity_id} in this store (merged into another?)")
        spellings, counted = entity_store.spelling_counts(store, entity_id)
        mentions, quoted = entity_store.mention_count(store, entity_id)
        found = entity_store.entity_mentions(
            store, entity_id, limit=ROWS + 1, offset=(mentions_page - 1) * ROWS
        )
        quotes = entity_store.speaker_quotes(
            store, entity_id, limit=ROWS + 1, offset=(quotes_page - 1) * ROWS
        )
        candidates = entity_store.merge_candidates(store, entity_id)
    request.scope["nav"] = "entities"
    return page(
        request, "entity.html.j2", entity=entity, spellings=spellings, counted=counted,
        canonical_normal=normalise(entity.canonical), mentions=found[:ROWS], total=mentions,
        quoted=quoted, quotes=quotes[:ROWS], candidates=candidates,
        mention_pager=_pager(request, "page", mentions_page, len(found) > ROWS),
        quote_pager=_pager(request, "quotes", quotes_page, len(quotes) > ROWS),
    )  # fmt: skip


async def _fields(request: Request) -> dict[str, Any]:
    """The posted fields, from JSON or a form."""
    if request.headers.get("content-type", "").startswith("application/json"):
        return await json_object(request)
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _reply(request: Request, entity: EntityName, action: str, back: int) -> Response:
    """JSON: the entity the records went to; a form: a redirect to entity ``back``."""
    if request.headers.get("content-type", "").startswith("application/json"):
        found = {"id": entity.id, "canonical": entity.canonical, "label": entity.label}
        return JSONResponse({"action": action, "entity": found, "url": f"/entities/{entity.id}"})
    return RedirectResponse(f"/entities/{back}", status_code=303)


def _forget_assessments(request: Request) -> None:
    """The desk's cached assessments read entities: they are read again."""
    d = desk(request)
    for case_id in d.case_ids():
        d.forget(case_id)


@handled
async def merge_entity(request: Request) -> Response:
    """Merge this entity into another (``into``: its id)."""
    source = int(request.path_params["entity_id"])
    into = (await _fields(request)).get("into")
    try:
        target = int(str(into).strip())
    except ValueError as exc:
        raise InvalidInput(f"into must be an entity id, not {into!r}") from exc
    who = analyst(request)

    def run() -> EntityName:
        with desk(request).store() as store:
            merged = overrides.merge(store, source, target, who)
        _forget_assessments(request)
        return merged

    merged = await run_in_threadpool(run)
    return _reply(request, merged, "merge", merged.id)


@handled
async def split_entity(request: Request) -> Response:
    """Split one spelling of this entity off into an entity of its own."""
    entity_id = int(request.path_params["entity_id"])
    spelling = (await _fields(request)).get("spelling")
    if not isinstance(spelling, str) or not spelling.strip():
        raise InvalidInput("spelling is required: the spelling to split off")
    who = analyst(request)

    def run() -> EntityName:
        with desk(request).store() as store:
            split = overrides.split(store, entity_id, spelling, who)
        _forget_assessments(request)
        return split

    split_off = await run_in_threadpool(run)
    return _reply(request, split_off, "split", entity_id)


routes: list[BaseRoute] = [
    Route("/entities", entities_page, name="entities"),
    Route("/entities/{entity_id:int}", entity_page, name="entity"),
    Route("/entities/{entity_id:int}/merge", merge_entity, methods=["POST"], name="merge"),
    Route("/entities/{entity_id:int}/split", split_entity, methods=["POST"], name="split"),
]
