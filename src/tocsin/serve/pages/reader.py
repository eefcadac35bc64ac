"""The article reader: one article's clean text with its evidence highlighted, where it came
from (the raw bytes downloadable), its near-duplicates and the other copies of its story;
and the case indicators the reader's "add as evidence" form offers.

Entity mentions, quotes (with their speakers), figures, dates and the spans any case links
to an indicator are marked in the text (``article_text``); every sentence is an element
with its offsets, which the page's script (``static/reader.js``) posts to
``/cases/{case}/evidence`` when the analyst adds one as evidence.

**Near-duplicates** are the article's near-duplicate group as the ingest found it (MinHash
Jaccard at or above the store's threshold to a first-seen original), and the inputs whose
text was this article's word for word. **Other copies of the story** (wire copies) are
found by a simple rule, in the store as it is now:

* an article sharing a locality-sensitive band of the article's MinHash whose Jaccard
  estimate is at least ``WIRE_SIMILARITY`` (much of the wording in common), or
* an article whose text holds, word for word, one of the article's ``PASSAGES`` most
  telling long sentences (``PASSAGE_WORDS`` words or more, most long words first): an
  outlet that runs a wire story cuts and tops it, but keeps its sentences.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tocsin.errors import NotFound
from tocsin.ingest import dedupe
from tocsin.models import Article
from tocsin.serve.pages.article_text import LEGEND, Mark, render
from tocsin.serve.web import desk, handled_sync, page
from tocsin.store import browse
from tocsin.store import desk as kept
from tocsin.store import evidence as stored
from tocsin.store.db import Store
from tocsin.text import Sentence, segment

WIRE_SIMILARITY = 0.3  # MinHash Jaccard estimate: a third of the 4-word shingles shared
PASSAGES = 3  # sentences looked up word for word
PASSAGE_WORDS = 15  # words a sentence needs to be looked up: shorter ones recur by chance
LONG_WORD = 7  # letters: sentences with more such words are more telling
MAX_RELATED = 20  # articles listed per kind


@dataclass(frozen=True)
class Related:
    """Another article of the same story, and why it is listed."""

    line: browse.ArticleLine
    reason: str


def _sentences(store: Store, article: Article) -> list[Sentence]:
    """The stored sentences; the text model's own before the article is extracted."""
    return stored.sentences(store, article.id) or list(segment(article.text).sentences)


def _marks(found: dict[str, list[dict[str, Any]]], links: list[browse.ArticleLink]) -> list[Mark]:
    marks = [
        Mark(e["start"], e["end"], "entity", f"{e['canonical']} ({e['label']})", e["entity_id"])
        for e in found["entities"]
    ]
    for q in found["quotes"]:
        speaker = q["speaker"] or q["speaker_text"]
        said = f"{q['kind']} quote, {q['reports']}" + (f" ({q['cue']})" if q["cue"] else "")
        title = f"{said}: {speaker or 'no speaker found'}"
        marks.append(Mark(q["start"], q["end"], "quote", title, speaker=speaker))
    for f in found["quantities"]:
        marks.append(Mark(f["start"], f["end"], "figure", _figure(f)))
    for d in found["dates"]:
        first, last = d["date_start"], d["date_end"]
        when = first if first == last else f"{first} to {last}"
        marks.append(Mark(d["start"], d["end"], "date", f"date: {when}"))
    for link in links:
        name = f"{link.case_id} {link.indicator}" + (f" L{link.id}" if link.id else "")
        state = link.decision or "undecided"
        title = f"{name}: {link.polarity}, {state}"
        marks.append(Mark(link.start, link.end, "link", title, link=name))
    return marks


def _figure(f: dict[str, Any]) -> str:
    if f["value"] is not None:
        amount = f"{float(f['value']):g}"
    else:
        amount = f"{f['low']:g} to {f['high']:g}" if f["low"] is not None else "?"
    words = [f["qualifier"], amount, f["unit"], f["measure"] and f"({f['measure']})"]
    return "figure: " + " ".join(str(w) for w in words if w)


def _passages(text: str, sentences: list[Sentence]) -> list[str]:
    """The article's most telling long sentences (see the module's docstring)."""
    long = []
    for s in sentences:
        words = text[s.start : s.end].split()
        if len(words) >= PASSAGE_WORDS:
            telling = sum(1 for w in words if sum(c.isalpha() for c in w) >= LONG_WORD)
            long.append((-telling, s.start, text[s.start : s.end]))
    return [passage for *_, passage in sorted(long)[:PASSAGES]]


def related(store: Store, article: Article, sentences: list[Sentence]) -> dict[str, Any]:
    """The article's near-duplicate group, its word-for-word inputs and its wire copies."""
    group = browse.duplicate_group(store, article.id)
    skip = {article.id, *(g.id for g in group)}
    reasons: dict[int, str] = {}
    signature = browse.minhash(store, article.id)
    if signature is not None:
        mine = np.frombuffer(signature, dtype=np.uint32)
        for c in store.candidates(dedupe.band_keys(mine)):
            alike = dedupe.similarity(mine, c.minhash)
            if c.article_id not in skip and alike >= WIRE_SIMILARITY:
                reasons[c.article_id] = f"wording {alike:.0%} alike (MinHash)"
    for passage in _passages(article.text, sentences):
        for other in browse.containing_phrase(store, passage, article.id, MAX_RELATED):
            if other not in skip:
                short = " ".join(passage.split()[:8])
                reasons.setdefault(other, f"repeats the sentence “{short} …”")
    lines = browse.article_lines(store, sorted(reasons)[:MAX_RELATED])
    return {
        "group": group,
        "original": store.original_of(article.id),
        "same_text": browse.same_text_sources(store, article.id),
        "wire": [Related(lines[i], reasons[i]) for i in sorted(lines)],
    }


@handled_sync
def article_page(request: Request) -> Response:
    """One article, read with its evidence."""
    article_id = int(request.path_params["article_id"])
    with desk(request).store() as store:
        article = store.article(article_id)
        if article is None:
            raise NotFound(f"no article {article_id} in this store")
        provenance = store.article_extra(article_id)
        source = browse.raw_source(store, article_id)
        sentences = _sentences(store, article)
        found = stored.article_evidence(store, article_id)
        links = browse.article_links(store, article_id)
        state = stored.extraction_state(store, article_id)
        copies = related(store, article, sentences)
        cases = kept.case_ids(store)
    request.scope["nav"] = "search"
    return page(
        request,
        "reader.html.j2",
        article=article,
        provenance=provenance,
        source=source,
        state=state,
        text=render(article.text, sentences, _marks(found, links)),
        legend=LEGEND,
        links=links,
        quotes=found["quotes"],
        related=copies,
        cases=cases,
    )


@handled_sync
def raw_bytes(request: Request) -> Response:
    """The article's raw input bytes as the ingest kept them, as a download."""
    article_id = int(request.path_params["article_id"])
    with desk(request).store() as store:
        source = browse.raw_source(store, article_id)
        if source is None:
            raise NotFound(f"no article {article_id} in this store")
        if source.sha256 is None:
            raise NotFound(f"the store keeps no raw bytes of article {article_id}")
        try:
            data = store.blob(source.sha256)
        except KeyError as exc:
            raise NotFound(f"the raw bytes of article {article_id} are missing") from exc
    name = f"article-{article_id}-{source.sha256[:12]}.raw"
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


@handled_sync
def case_indicators(request: Request) -> Response:
    """The case's indicators, for the reader's "add as evidence" form."""
    case = desk(request).case(request.path_params["case_id"])
    return JSONResponse([{"id": i.id, "description": i.description} for i in case.indicators])


routes: list[BaseRoute] = [
    Route("/articles/{article_id:int}", article_page, name="article"),
    Route("/articles/{article_id:int}/raw", raw_bytes, name="article_raw"),
    Route("/cases/{case_id}/indicators.json", case_indicators, name="indicators"),
]
