"""The review queue: a case's links, one decision at a time from the keyboard, and the
analyst's own evidence.

``GET /cases/{case}/queue`` lists the links (pending by default; ``show=decided`` or
``all``) in order of how far rejecting each would move the leading hypothesis
(``order=impact``, the default), of how near each stood to not being linked
(``order=uncertainty``) or newest first (``order=date``); ``queue_order`` says how both
measures are made. Each item shows its whole sentence marked inside its paragraph, the
article, outlet, source, grade, date, indicator, polarity, score and the linker's reason,
the decision in force with who made it and when, and where analysts disagree.

``POST /cases/{case}/links/{id}/decision`` takes JSON ``{"decision", "new_indicator",
"polarity", "note"}`` and replies with the link as it now stands and the case's new bottom
line (the desk re-reads the links only). Besides accept, reject and relink:

- ``"flip"`` keeps the link with the opposite polarity: an accept, or the same relink,
  with the polarity opposite to the one it counts with now;
- no decision (or ``"note"``) with a note keeps the decision in force, and its author's
  name becomes this analyst's, with the new note. A link not decided yet is refused (422):
  a note alone would either decide it silently or be lost at the next relink, so the note
  goes with the decision instead (the queue's script sends the note field with each one);
- ``"withdraw"`` takes the decision back: the link is pending again, as the linker made it
  (the queue's undo, ``u``, of a first decision; undoing a later one sends the decision it
  replaced).

``POST /cases/{case}/evidence`` takes JSON ``{"article_id", "start", "end", "indicator",
"polarity", "note"}``: a sentence the linker missed, kept as an accepted link of method
'analyst' with its snapshot, so that it survives relinking (``store.assessment.add_link``).
The article reader calls it.

Every decision is the store's (``store.assessment.decide``), which keeps who made it and
logs it with the time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tocsin.assess.candidates import unit_at
from tocsin.assess.case import Case
from tocsin.assess.evidence import EvidenceRow, row_from_link
from tocsin.assess.link import Match, make_link
from tocsin.assess.score import Assessment
from tocsin.assess.sources import SourceBook
from tocsin.errors import InvalidInput, NotFound
from tocsin.models.assessment import DECISIONS, LinkKey, LinkRow
from tocsin.report.common import grade
from tocsin.serve.pages.casedesk import standing_verdicts, summary_json
from tocsin.serve.pages.queue_order import ORDERS, certainty, ordered, queue_facts
from tocsin.serve.web import analyst, desk, handled, handled_sync, int_param, json_object, page
from tocsin.store import assessment as stored
from tocsin.store import desk as kept
from tocsin.store.desk import AuditEntry
from tocsin.text import paragraphs

SHOWS = ("pending", "decided", "all")
MAX_ITEMS = 200  # items on one page of the queue; ``limit`` asks for more, up to MAX_LIMIT
MAX_LIMIT = 2000
CONTEXT_CHARS = 700  # of the paragraph shown on each side of the sentence, at most
MAX_NOTE = 2000  # characters of an analyst's note
MAX_SPAN = 5000  # characters of a span added as evidence: a sentence or a few
NOTE_FIRST = (
    "a note goes with a decision: accept, reject, flip or relink the link and the note is "
    "kept with it"
)
POLARITIES = ("seen", "negated")


@dataclass(frozen=True)
class QueueItem:
    """One link as the queue shows it."""

    link: LinkRow
    indicator: str  # the indicator it counts for now (a relink's new one)
    description: str
    polarity: str  # the polarity it counts with now
    counted: bool  # whether it counts in the assessment now
    impact: float  # the leader's probability now less with the link rejected
    certainty: float
    title: str
    outlet: str
    date: str
    grade: str
    paragraph: Markup
    state: str  # 'pending', 'accepted', 'rejected' or 'relinked to X'
    decided_at: str
    verdicts: tuple[tuple[str, str], ...]  # each analyst's latest decision on it

    @property
    def disagree(self) -> bool:
        return len({v for _, v in self.verdicts}) > 1

    def as_json(self) -> dict[str, Any]:
        """What the queue's script updates an item from."""
        return {
            **self.link.as_dict(),
            "label": self.link.label,
            "in_force": {
                "counted": self.counted,
                "indicator": self.indicator,
                "description": self.description,
                "polarity": self.polarity,
            },
            "state": self.state,
            "decided_at": self.decided_at,
            "verdicts": [list(v) for v in self.verdicts],
            "disagree": self.disagree,
        }


# -- the items ------------------------------------------------------------------------------


def in_force(case: Case, link: LinkRow) -> tuple[EvidenceRow | None, str, str]:
    """The evidence row the link makes now (None when rejected or its indicator is gone),
    with the indicator and polarity it counts, or would count, with."""
    indicators = {i.id: i for i in case.indicators}
    hypotheses = case.hypothesis_ids()
    row = row_from_link(link, indicators, hypotheses)
    if row is not None:
        return row, row.indicator or link.key.indicator_id, row.polarity
    undecided = row_from_link(replace(link, decision=None), indicators, hypotheses)
    polarity = link.decided_polarity or link.fields.polarity
    if link.decision == "reject" and undecided is not None:
        polarity = undecided.polarity
    indicator = link.new_indicator if link.decision == "relink" else None
    return None, indicator or link.key.indicator_id, polarity


def _state(link: LinkRow) -> str:
    if link.decision is None:
        return "pending"
    if link.decision == "relink":
        return f"relinked to {link.new_indicator}"
    return f"{link.decision}ed"


def marked_paragraph(text: str, start: int, end: int) -> Markup:
    """The paragraph holding ``text[start:end]``, escaped, with that span in a ``<mark>``;
    at most ``CONTEXT_CHARS`` of it on each side."""
    if not 0 <= start < end <= len(text):
        return Markup("")
    lo, hi = start, end
    for p_start, p_end in paragraphs(text):
        if p_start <= start < p_end:
            lo, hi = p_start, max(p_end, end)
            break
    before, after = text[lo:start], text[end:hi]
    if len(before) > CONTEXT_CHARS:
        before = "… " + before[-CONTEXT_CHARS:].split(" ", 1)[-1]
    if len(after) > CONTEXT_CHARS:
        after = after[:CONTEXT_CHARS].rsplit(" ", 1)[0] + " …"
    return Markup("{}<mark>{}</mark>{}").format(before, text[start:end], after)


def queue_item(
    a: Assessment, link: LinkRow, audit: Mapping[str, AuditEntry], sure: float
) -> QueueItem:
    """The link as the queue shows it, from the assessment and the audit log (``audit``:
    each analyst's latest entry on the link)."""
    facts = queue_facts(a)
    row, indicator, polarity = in_force(a.case, link)
    descriptions = {i.id: i.description for i in a.case.indicators}
    article = facts.articles.get(link.key.article_id)
    f = link.fields
    by = audit.get(link.analyst or "") if link.decision else None
    return QueueItem(
        link=link,
        indicator=indicator,
        description=descriptions.get(indicator, "(not in the case file)"),
        polarity=polarity,
        counted=row is not None,
        impact=facts.impacts.get(link.label, 0.0) if row is not None else 0.0,
        certainty=sure,
        title=article.title if article else f"article {link.key.article_id}",
        outlet=(article.outlet if article else None) or "",
        date=f.published or "",
        grade=grade(f.reliability, int(f.credibility)),
        paragraph=marked_paragraph(article.text, link.key.start, link.key.end)
        if article
        else Markup("<mark>{}</mark>").format(f.text),
        state=_state(link),
        decided_at=by.at if by else "",
        verdicts=tuple(sorted(standing_verdicts(audit).items())),
    )


def _audit(request: Request, case_id: str, targets: list[str] | None = None) -> dict[str, Any]:
    with desk(request).store() as store:
        return kept.latest_by_analyst(store, case_id, "link.", targets)


def _shown(links: list[LinkRow], show: str) -> list[LinkRow]:
    if show == "pending":
        return [r for r in links if r.decision is None]
    if show == "decided":
        return [r for r in links if r.decision is not None]
    return links


def _choice_param(request: Request, name: str, allowed: tuple[str, ...]) -> str:
    value = request.query_params.get(name) or allowed[0]
    if value not in allowed:
        raise InvalidInput(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


@handled_sync
def queue_page(request: Request) -> Response:
    """The case's review queue."""
    case_id = request.path_params["case_id"]
    order = _choice_param(request, "order", ORDERS)
    show = _choice_param(request, "show", SHOWS)
    limit = min(MAX_LIMIT, max(1, int_param(request.query_params, "limit", MAX_ITEMS)))
    d = desk(request)
    a = d.bottom_line(case_id)  # the queue shows no trajectory: at once after decisions
    with d.store() as store:
        links = stored.link_rows(store, case_id)
    audit = _audit(request, case_id)
    facts = queue_facts(a)
    sure = {r.id: certainty(r, facts.model_bars) for r in links}
    chosen = ordered(_shown(links, show), order, facts.impacts, sure)
    shown = [
        queue_item(a, r, audit.get(stored.link_target(r.key), {}), sure[r.id])
        for r in chosen[:limit]
    ]
    request.scope["nav"] = "cases"
    return page(
        request,
        "queue.html.j2",
        a=a,
        s=summary_json(a),
        items=shown,
        total=len(chosen),
        pending=sum(1 for r in links if r.decision is None),
        decided=sum(1 for r in links if r.decision is not None),
        order=order,
        show=show,
        orders=ORDERS,
        shows=SHOWS,
        indicators=[(i.id, i.description) for i in a.case.indicators],
    )


# -- decisions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """A decision as the store takes it."""

    decision: str
    new_indicator: str | None
    polarity: str | None
    note: str


def _text(body: Mapping[str, Any], name: str, default: str = "") -> str:
    value = body.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text")
    if len(value) > MAX_NOTE:
        raise InvalidInput(f"{name} is {len(value)} characters; at most {MAX_NOTE}")
    return value.strip()


def _polarity(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if value not in POLARITIES:
        raise InvalidInput(f"polarity must be 'seen', 'negated' or null, not {value!r}")
    return str(value)


def _indicator(case: Case, value: Any, what: str) -> str:
    ids = [i.id for i in case.indicators]
    if not isinstance(value, str) or value not in ids:
        raise InvalidInput(
            f"{what} {value!r} is no indicator of case {case.id!r} (one of: {', '.join(ids)})"
        )
    return value


def choice(case: Case, link: LinkRow, body: Mapping[str, Any]) -> Choice:
    """What the request asks the store to record on ``link`` (see the module's docstring);
    InvalidInput when it asks for something impossible."""
    note = _text(body, "note", link.note or "")
    decision = body.get("decision")
    polarity = _polarity(body.get("polarity"))
    if decision is None or decision in ("", "note"):
        if link.decision is None:
            raise InvalidInput(NOTE_FIRST)
        return Choice(link.decision, link.new_indicator, link.decided_polarity, note)
    if decision == "flip":
        now = in_force(case, link)[2]
        opposite = "seen" if now == "negated" else "negated"
        if link.decision == "relink":
            return Choice("relink", link.new_indicator, opposite, note)
        return Choice("accept", None, opposite, note)
    if decision not in DECISIONS:
        raise InvalidInput(
            f"decision must be one of {', '.join((*DECISIONS, 'flip'))}, not {decision!r}"
        )
    if decision == "reject":
        return Choice("reject", None, None, note)
    if decision == "relink":
        target = _indicator(case, body.get("new_indicator"), "new_indicator")
        if target != link.key.indicator_id:
            return Choice("relink", target, polarity, note)
    return Choice("accept", None, polarity, note)


def _reply(request: Request, case_id: str, link_id: int, status: int = 200) -> JSONResponse:
    """The link as it now stands, with the case's new bottom line."""
    d = desk(request)
    a = d.bottom_line(case_id)
    with d.store() as store:
        link = stored.link_row(store, case_id, link_id)
        links = stored.link_rows(store, case_id)
    if link is None:  # relinked away between the write and this read
        raise NotFound(f"link L{link_id} is gone from case {case_id!r}: reload the queue")
    audit = _audit(request, case_id, [stored.link_target(link.key)])
    facts = queue_facts(a)
    item = queue_item(
        a, link, audit.get(stored.link_target(link.key), {}), certainty(link, facts.model_bars)
    )
    body = {
        "link": item.as_json(),
        "summary": summary_json(a),
        "pending": sum(1 for r in links if r.decision is None),
        # Every counted link's impact now (a rejected one has none): the queue's figures
        # follow the decision.
        "impacts": {label: round(v, 6) for label, v in facts.impacts.items()},
    }
    return JSONResponse(body, status_code=status)


def _decide(request: Request, body: dict[str, Any]) -> Response:
    case_id = request.path_params["case_id"]
    link_id: int = request.path_params["link_id"]
    d = desk(request)
    case = d.case(case_id)
    with d.store() as store:
        link = stored.link_row(store, case_id, link_id)
        if link is None:
            raise NotFound(f"no link L{link_id} in case {case_id!r}")
        if body.get("decision") == "withdraw":  # the undo of a first decision
            stored.withdraw(store, case_id, link_id, analyst=analyst(request))
            return _reply(request, case_id, link_id)
        chosen = choice(case, link, body)
        stored.decide(
            store,
            case_id,
            link_id,
            chosen.decision,
            new_indicator=chosen.new_indicator,
            polarity=chosen.polarity,
            analyst=analyst(request),
            note=chosen.note,
        )
    return _reply(request, case_id, link_id)


@handled
async def decide_link(request: Request) -> Response:
    """One decision on one link; the reply carries the new bottom line."""
    body = await json_object(request)
    return await run_in_threadpool(_decide, request, body)


# -- the analyst's own evidence ---------------------------------------------------------------


def _whole(body: Mapping[str, Any], name: str) -> int:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{name} must be a whole number, not {value!r}")
    return value


def span(text: str, start: int, end: int) -> tuple[int, int]:
    """``start`` and ``end`` without the white space at either end; InvalidInput unless they
    hold some text inside ``text``, at most ``MAX_SPAN`` characters."""
    if not 0 <= start < end <= len(text):
        raise InvalidInput(
            f"the span {start}-{end} is not inside the article's text (0-{len(text)})"
        )
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise InvalidInput("the span holds no text")
    if end - start > MAX_SPAN:
        raise InvalidInput(f"the span is {end - start} characters; at most {MAX_SPAN}")
    return start, end


def _add(request: Request, body: dict[str, Any]) -> Response:
    case_id = request.path_params["case_id"]
    d = desk(request)
    case = d.case(case_id)
    article_id = _whole(body, "article_id")
    start, end = _whole(body, "start"), _whole(body, "end")
    indicator = _indicator(case, body.get("indicator"), "indicator")
    polarity = _polarity(body.get("polarity")) or "seen"
    note = _text(body, "note")
    who = analyst(request)
    with d.store() as store:
        article = store.article(article_id)
        if article is None:
            raise NotFound(f"no article {article_id} in this store")
        start, end = span(article.text, start, end)
        unit = unit_at(store, case, article, start, end)
        found = Match(1.0, "analyst", f"added by {who} from the article", polarity == "negated")
        fields = make_link(unit, indicator, found, SourceBook(case.sources)).stored()
        key = LinkKey(article_id, start, end, indicator)
        added = stored.add_link(
            store, case_id, key, fields, polarity=polarity, analyst=who, note=note
        )
    return _reply(request, case_id, added.id, status=201)


@handled
async def add_evidence(request: Request) -> Response:
    """A sentence the linker missed, added as accepted evidence for an indicator."""
    body = await json_object(request)
    return await run_in_threadpool(_add, request, body)


routes: list[BaseRoute] = [
    Route("/cases/{case_id}/queue", queue_page, name="queue"),
    Route(
        "/cases/{case_id}/links/{link_id:int}/decision",
        decide_link,
        methods=["POST"],
        name="decision",
    ),
    Route("/cases/{case_id}/evidence", add_evidence, methods=["POST"], name="add_evidence"),
]
