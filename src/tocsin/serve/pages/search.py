"""Search: full-text (FTS5) over the stored articles, with filters by outlet, publication
date, language, entity mentioned and speaker quoted, fifty hits a page.

The query words use FTS5's syntax (words, "a phrase", OR, NOT, NEAR, prefix*); one that
does not parse is answered with the reason, status 422. Hits are marked in titles and
snippets by SQLite with markers made fresh for each request (so that no article can hold
them), the text is escaped, and only then are the markers turned into ``<mark>``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from markupsafe import Markup, escape
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tocsin.errors import InvalidInput
from tocsin.extract.names import normalise
from tocsin.serve.web import desk, handled_sync, int_param, page
from tocsin.store import browse
from tocsin.store import entities as entity_store
from tocsin.store import evidence as stored
from tocsin.store.db import Store

PAGE = 50
MAX_QUERY = 500  # characters of query words
MAX_NAMED = 50  # entities one name may stand for in a filter


@dataclass(frozen=True)
class Hit:
    """One result, with its title and snippet as safe markup."""

    id: int
    title: Markup
    outlet: str | None
    published: str | None
    language: str | None
    snippet: Markup


@dataclass(frozen=True)
class Named:
    """What an entity or speaker filter was read as."""

    given: str
    entities: list[str]  # 'Alexander Lukashenko (PERSON)', for the page


def marked(text: str | None, marks: tuple[str, str]) -> Markup:
    """``text`` escaped, with the hit markers turned into ``<mark>`` elements."""
    escaped = str(escape(text or ""))
    return Markup(escaped.replace(marks[0], "<mark>").replace(marks[1], "</mark>"))


def _date(params: QueryParams, name: str) -> str | None:
    value = (params.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise InvalidInput(f"{name} must be a date (YYYY-MM-DD), not {value!r}") from exc


def _text(params: QueryParams, name: str) -> str | None:
    return (params.get(name) or "").strip() or None


def _named(store: Store, given: str | None) -> tuple[tuple[int, ...] | None, Named | None]:
    """The entity ids an entity or speaker filter names: an id, or a name matched by any
    spelling's normal form or by the canonical name."""
    if given is None:
        return None, None
    if given.isdigit():
        ids = [int(given)]
    else:
        ids = entity_store.entity_ids_named(store, normalise(given), given)[:MAX_NAMED]
    found = [e for e in (stored.entity(store, i) for i in ids) if e is not None]
    names = [f"{e.canonical} ({e.label})" for e in found]
    return tuple(e.id for e in found), Named(given, names)


def _query(store: Store, params: QueryParams) -> tuple[browse.SearchQuery, dict[str, Named]]:
    words = (params.get("q") or "").strip()
    if len(words) > MAX_QUERY:
        raise InvalidInput(f"the query is longer than {MAX_QUERY} characters")
    entities, entity = _named(store, _text(params, "entity"))
    speakers, speaker = _named(store, _text(params, "speaker"))
    named = {k: v for k, v in (("entity", entity), ("speaker", speaker)) if v is not None}
    since, until = _date(params, "from"), _date(params, "to")
    if since and until and since > until:
        raise InvalidInput(f"the date range is empty: from {since} is after to {until}")
    query = browse.SearchQuery(
        words=words,
        outlet=_text(params, "outlet"),
        since=since,
        until=until,
        language=_text(params, "lang"),
        entities=entities,
        speakers=speakers,
    )
    return query, named


FIELDS = ("q", "outlet", "from", "to", "lang", "entity", "speaker")


@handled_sync
def search_page(request: Request) -> Response:
    """The search form and one page of results."""
    params = request.query_params
    form = {name: params.get(name, "") for name in FIELDS}
    request.scope["nav"] = "search"
    number = int_param(params, "page", 1)
    if number < 1:
        raise InvalidInput("page must be 1 or more")
    marks = (f"\ue000{secrets.token_hex(8)}\ue001", f"\ue002{secrets.token_hex(8)}\ue003")
    try:
        with desk(request).store() as store:
            query, named = _query(store, params)
            found = browse.search(
                store, query, limit=PAGE + 1, offset=(number - 1) * PAGE, marks=marks
            )
    except InvalidInput as exc:
        return page(request, "search.html.j2", status=422, form=form, problem=str(exc))
    hits = [
        Hit(r.id, marked(r.title, marks), r.outlet, r.published, r.language,
            marked(r.snippet, marks))
        for r in found.rows[:PAGE]
    ]  # fmt: skip
    kept = {k: v for k, v in form.items() if v}
    links = {
        "previous": f"/search?{urlencode({**kept, 'page': number - 1})}" if number > 1 else "",
        "next": f"/search?{urlencode({**kept, 'page': number + 1})}"
        if len(found.rows) > PAGE
        else "",
    }
    return page(
        request, "search.html.j2", form=form, problem=None, hits=hits, named=named,
        number=number, capped=found.capped, links=links, searched=bool(kept),
        window=browse.RANK_WINDOW, page_size=PAGE,
    )  # fmt: skip


routes: list[BaseRoute] = [Route("/search", search_page, name="search")]
