"""The case editor: a case file edited in the browser, validated on save, every version kept.

- ``GET/POST /cases/{case_id}/edit``: the newest version's text; a save is validated by
  ``parse_case`` (the faults ``tocsin case check`` prints, each linked to its line, and the
  analyst's text kept), refused when another version was saved since the one edited (the
  diff shown, nothing overwritten), and kept by ``store.desk.save_case_file`` (a text equal
  to the newest version's adds no version). The case file's id must stay the page's case:
  saving under another id would start a new case, which ``/new-case`` does (refusing an id
  the store has).
- ``POST /cases/{case_id}/relink``: the links were made from an earlier file; new or
  changed indicator patterns apply only once the case is relinked (new likelihoods and
  ratings apply at once).
- ``/cases/{case_id}/versions``: every version, each with its diff (``versions`` module).
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from tocsin.assess.case import parse_case, template
from tocsin.assess.relink import embedder_name, relink
from tocsin.errors import InvalidInput, NotFound
from tocsin.serve.pages import versions
from tocsin.serve.pages.casefile import (
    DiffLine,
    Fault,
    diff_lines,
    faults,
    id_line,
    normalised,
    notice_for,
)
from tocsin.serve.web import analyst, desk, handled, handled_sync, int_param, page
from tocsin.store import desk as kept

MAX_NOTE = 500  # characters of a save's note
WHERE = "case file"  # how the faults name the text being saved


@dataclass(frozen=True)
class Draft:
    """What the analyst submitted: the text, the version it was edited from, the note."""

    text: str
    base: int
    note: str


@dataclass(frozen=True)
class Conflict:
    """Another version saved since the one edited: theirs against the draft, and what
    they changed from the draft's base."""

    theirs: kept.CaseVersion
    base: int
    against_draft: list[DiffLine]
    their_changes: list[DiffLine]


async def _draft(request: Request) -> Draft:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    text = normalised(fields.get("text", ""))
    note = " ".join(fields.get("note", "").split())[:MAX_NOTE]
    return Draft(text, int_param(fields, "base_version"), note)


def check(text: str, case_id: str | None) -> tuple[str, list[Fault]]:
    """The draft's faults, as ``case check`` lists them (none: it may be saved); with
    ``case_id``, a file naming another case is a fault too."""
    try:
        case = parse_case(text, WHERE)
    except InvalidInput as exc:
        return faults(str(exc))
    if case_id is not None and case.id != case_id:
        line = id_line(text)
        at = f" (line {line})" if line else ""
        message = (
            f"id{at}: this file is case {case.id!r}, not {case_id!r}: the editor saves the case"
            " it opened (start another case with New case)"
        )
        return f"{WHERE}: 1 error(s)", [Fault(message, "id", line)]
    return "", []


def _editor(
    request: Request,
    *,
    case_id: str | None,
    draft: Draft,
    newest: kept.CaseVersion | None,
    status: int = 200,
    header: str = "",
    found: list[Fault] | None = None,
    conflict: Conflict | None = None,
) -> Response:
    """The editor page (``case_id`` None: a new case)."""
    notice, embedded = None, request.app.state.embedding.enabled
    if case_id is not None and newest is not None and not found and conflict is None:
        notice = notice_for(desk(request), case_id)
    relinked = request.query_params.get("relinked")
    request.scope["nav"] = "cases"
    return page(
        request,
        "editor.html.j2",
        status=status,
        case_id=case_id,
        action=f"/cases/{case_id}/edit" if case_id else "/new-case",
        draft=draft,
        newest=newest,
        header=header,
        faults=found or [],
        conflict=conflict,
        notice=notice,
        embedded=embedded,
        relinked=int(relinked) if relinked and relinked.isdigit() else None,
        lines=draft.text.split("\n") if found else [],
    )


@handled_sync
def edit_page(request: Request) -> Response:
    """The newest version of the case file, to edit."""
    case_id = request.path_params["case_id"]
    with desk(request).store() as store:
        newest = kept.case_file(store, case_id)
    if newest is None:
        raise NotFound(f"no case {case_id!r} in this store")
    draft = Draft(newest.text, newest.version, "")
    return _editor(request, case_id=case_id, draft=draft, newest=newest)


@handled
async def edit_save(request: Request) -> Response:
    """Validate and keep the analyst's version (see the module's docstring)."""
    draft = await _draft(request)
    return await run_in_threadpool(_save_edit, request, request.path_params["case_id"], draft)


def _save_edit(request: Request, case_id: str, draft: Draft) -> Response:
    d = desk(request)
    with d.store() as store:
        newest = kept.case_file(store, case_id)
    if newest is None:
        raise NotFound(f"no case {case_id!r} in this store")
    header, found = check(draft.text, case_id)
    if newest.version != draft.base and newest.text != draft.text:
        return _conflicted(request, case_id, draft, newest, header, found)
    if found:
        return _editor(request, case_id=case_id, draft=draft, newest=newest, status=422,
                       header=header, found=found)  # fmt: skip
    with d.store() as store:
        saved = kept.save_case_file(
            store, case_id, draft.text, origin="desk", analyst=analyst(request),
            note=draft.note, base=draft.base,
        )  # fmt: skip
    if saved.text != draft.text:  # saved by someone else between the check and the write
        return _conflicted(request, case_id, draft, saved, header, found)
    d.forget(case_id)
    outcome = "unchanged" if saved.version == newest.version else "saved"
    return RedirectResponse(f"/cases/{case_id}/versions/{saved.version}?{outcome}=1", 303)


def _conflicted(
    request: Request,
    case_id: str,
    draft: Draft,
    theirs: kept.CaseVersion,
    header: str,
    found: list[Fault],
) -> Response:
    """The draft refused (409): someone saved a version since the one it was edited from.
    The draft is kept in the editor, now based on theirs, beside the diffs."""
    with desk(request).store() as store:
        base = kept.case_file(store, case_id, draft.base) if draft.base > 0 else None
    conflict = Conflict(
        theirs,
        draft.base,
        diff_lines(theirs.text, draft.text),
        diff_lines(base.text, theirs.text) if base is not None else [],
    )
    rebased = Draft(draft.text, theirs.version, draft.note)
    return _editor(request, case_id=case_id, draft=rebased, newest=theirs, status=409,
                   header=header, found=found, conflict=conflict)  # fmt: skip


# -- a new case ---------------------------------------------------------------------------


@handled_sync
def new_page(request: Request) -> Response:
    """A new case, from the commented template ``tocsin case new`` writes."""
    return _editor(request, case_id=None, draft=Draft(template(), 0, ""), newest=None)


@handled
async def new_save(request: Request) -> Response:
    draft = await _draft(request)
    return await run_in_threadpool(_save_new, request, Draft(draft.text, 0, draft.note))


def _save_new(request: Request, draft: Draft) -> Response:
    """Keep a new case's first version; an id the store has already is a fault."""
    header, found = check(draft.text, None)
    if found:
        return _editor(request, case_id=None, draft=draft, newest=None, status=422,
                       header=header, found=found)  # fmt: skip
    case = parse_case(draft.text, WHERE)
    with desk(request).store() as store:
        taken = kept.case_file(store, case.id) is not None
        saved = None if taken else kept.save_case_file(
            store, case.id, draft.text, origin="desk", analyst=analyst(request),
            note=draft.note, base=0,
        )  # fmt: skip
    if saved is None or saved.version != 1 or saved.text != draft.text:
        line = id_line(draft.text)
        at = f" (line {line})" if line else ""
        message = f"id{at}: the store has a case {case.id!r} already: edit it instead"
        found = [Fault(message, "id", line)]
        return _editor(request, case_id=None, draft=draft, newest=None, status=409,
                       header=f"{WHERE}: 1 error(s)", found=found)  # fmt: skip
    return RedirectResponse(f"/cases/{case.id}/versions/1?saved=1", 303)


# -- relinking ----------------------------------------------------------------------------


@handled
async def relink_case(request: Request) -> Response:
    """Relink the case from its newest file (by pattern, and by meaning when the desk was
    started with its embedding model), logged as 'case.relink'."""
    return await run_in_threadpool(_relink, request, request.path_params["case_id"])


def _relink(request: Request, case_id: str) -> Response:
    d = desk(request)
    case = d.case(case_id)
    with d.store() as store, request.app.state.embedding.using() as embedder:
        version = kept.case_file(store, case_id)
        count = relink(store, case, embedder)
        detail = {
            "version": version.version if version else None,
            "links": count,
            "embedder": embedder_name(embedder),
        }
        target = f"case:v{version.version}" if version else ""
        kept.log(store, analyst(request), "case.relink", case_id=case_id, target=target,
                 detail=detail)  # fmt: skip
    return RedirectResponse(f"/cases/{case_id}/edit?relinked={count}", 303)


routes: list[BaseRoute] = [
    Route("/new-case", new_page, methods=["GET"], name="new_case"),
    Route("/new-case", new_save, methods=["POST"]),
    Route("/cases/{case_id}/edit", edit_page, methods=["GET"], name="edit"),
    Route("/cases/{case_id}/edit", edit_save, methods=["POST"]),
    Route("/cases/{case_id}/relink", relink_case, methods=["POST"], name="relink"),
    *versions.routes,
]
