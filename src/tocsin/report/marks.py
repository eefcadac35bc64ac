"""Article text with the linked evidence spans marked, escaped piece by piece.

The text is cut at every span boundary, so overlapping spans become a flat run of
``<mark>`` elements (always well formed): each piece covered by a span is one mark, titled
with every indicator covering it, and the piece where a span starts carries that span's
anchor id ``a{article}-{start}``, the target of the evidence table's links.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from tocsin.text import Sentence

if TYPE_CHECKING:
    from tocsin.assess.evidence import EvidenceRow


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str  # "indicator, polarity"


def anchor(article_id: int, start: int) -> str:
    return f"a{article_id}-{start}"


def spans_by_article(rows: Iterable[EvidenceRow], texts: dict[int, str]) -> dict[int, list[Span]]:
    """The linked spans of each article in ``texts`` that lie inside its text."""
    out: dict[int, list[Span]] = defaultdict(list)
    for row in rows:
        if row.article_id is None or row.start is None or row.end is None:
            continue
        text = texts.get(row.article_id)
        if text is None or not 0 <= row.start < row.end <= len(text):
            continue
        out[row.article_id].append(Span(row.start, row.end, f"{row.indicator}, {row.polarity}"))
    return dict(out)


def _labels(spans: Sequence[Span], start: int, end: int) -> list[str]:
    labels: list[str] = []
    for span in spans:
        if span.start < end and start < span.end and span.label not in labels:
            labels.append(span.label)
    return labels


def marked(article_id: int, text: str, spans: Sequence[Span]) -> Markup:
    """``text`` escaped, with every span marked and anchored."""
    if not spans:
        return Markup(escape(text))
    starts = {s.start for s in spans}
    cuts = sorted({0, len(text), *starts, *(s.end for s in spans)})
    pieces: list[str] = []
    for start, end in itertools.pairwise(cuts):
        piece = escape(text[start:end])
        labels = _labels(spans, start, end)
        if not labels:
            pieces.append(piece)
            continue
        ident = f' id="{anchor(article_id, start)}"' if start in starts else ""
        title = escape("; ".join(labels))
        pieces.append(f'<mark{ident} title="{title}">{piece}</mark>')
    return Markup("".join(pieces))


def sentence_around(
    text: str, sentences: Sequence[Sentence], start: int, end: int
) -> tuple[str, str, str]:
    """The sentence holding ``text[start:end]`` (from the article's stored sentences),
    split as (before, the span, after); the span alone when no sentence holds it."""
    if not 0 <= start <= end <= len(text):
        return "", "", ""
    k = bisect_right([s.start for s in sentences], start) - 1
    if k < 0 or not sentences[k].start <= start < sentences[k].end:
        return "", text[start:end], ""
    sentence = sentences[k]
    stop = max(end, sentence.end)
    return text[sentence.start : start], text[start:end], text[end:stop]
