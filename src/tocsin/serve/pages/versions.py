"""Every kept version of a case file: the list, one version's text with its diff against
the one before (or any other, ``?against=m``), and the version as a download.

The diffs are difflib's unified diff as rows of a table (``casefile.diff_lines``); every
line of a case file is the analyst's text and reaches the page escaped.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tocsin.errors import NotFound
from tocsin.serve.pages.casefile import diff_counts, diff_lines, notice_for
from tocsin.serve.web import desk, handled_sync, int_param, page
from tocsin.store import desk as kept


def _versions(request: Request, case_id: str) -> list[kept.CaseVersion]:
    with desk(request).store() as store:
        found = kept.case_versions(store, case_id)
    if not found:
        raise NotFound(f"no case {case_id!r} in this store")
    return found


@handled_sync
def versions_page(request: Request) -> Response:
    """Every version of the case file, newest first."""
    case_id = request.path_params["case_id"]
    request.scope["nav"] = "cases"
    return page(request, "versions.html.j2", case_id=case_id, versions=_versions(request, case_id))


@handled_sync
def version_page(request: Request) -> Response:
    """One version's text and its diff against version n-1 or ``?against=m``."""
    case_id = request.path_params["case_id"]
    n = request.path_params["n"]
    every = _versions(request, case_id)
    by_number = {v.version: v for v in every}
    version = by_number.get(n)
    if version is None:
        raise NotFound(f"case {case_id!r} has no version {n} (it has 1 to {every[0].version})")
    against = int_param(request.query_params, "against", n - 1)
    other = by_number.get(against)
    if other is None and against != 0:
        raise NotFound(f"case {case_id!r} has no version {against} to compare with")
    rows = diff_lines(other.text, version.text) if other is not None else []
    request.scope["nav"] = "cases"
    return page(
        request,
        "versions.html.j2",
        case_id=case_id,
        versions=every,
        version=version,
        other=other,
        rows=rows,
        counts=diff_counts(rows),
        lines=version.text.split("\n"),
        notice=notice_for(desk(request), case_id) if version is every[0] else None,
        embedded=request.app.state.embedding.enabled,
        saved="saved" in request.query_params,
        unchanged="unchanged" in request.query_params,
    )


@handled_sync
def version_download(request: Request) -> Response:
    """One version of the case file as YAML, as saved."""
    case_id = request.path_params["case_id"]
    n = request.path_params["n"]
    with desk(request).store() as store:
        version = kept.case_file(store, case_id, n)
    if version is None:
        raise NotFound(f"case {case_id!r} has no version {n}")
    name = re.sub(r"[^\w.-]", "_", f"{case_id}-v{n}.yaml")
    disposition = f'attachment; filename="{name}"'
    return Response(
        version.text,
        media_type="application/yaml; charset=utf-8",
        headers={"content-disposition": disposition},
    )


routes: list[BaseRoute] = [
    Route("/cases/{case_id}/versions", versions_page, name="versions"),
    Route("/cases/{case_id}/versions/{n:int}", version_page, name="version"),
    Route("/cases/{case_id}/versions/{n:int}.yaml", version_download, name="version_yaml"),
]
