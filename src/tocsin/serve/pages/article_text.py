"""An article's clean text as the reader shows it: paragraphs, every sentence an element of
its own, and the evidence layer's spans highlighted, all of it escaped piece by piece.

Each sentence is ``<span class="sentence" id="s{start}" data-start data-end>`` around
exactly ``text[start:end]``: what the page's script adds as evidence is the sentence's
offsets, never text read back from the page. Inside a sentence the text is cut at every
span boundary, and each piece is wrapped in one element per kind of span covering it,
always in the same order (link, quote, entity, figure, date), so overlapping spans nest
and the markup is always well formed; a span that crosses a sentence's end is cut there.
Only these elements are written: every string from the article, the extraction or the
case files passes through ``markupsafe.escape`` (the text, titles, data attributes), and
an entity's address is made of its integer id. A quote's speaker is shown by the
stylesheet from ``data-speaker`` (generated content is not part of the text, so a
sentence's text stays its slice of the article).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from tocsin.text import Sentence

# Outermost first: a piece inside a quote and a mention is <span quote><a entity>…</a></span>.
KINDS = ("link", "quote", "entity", "figure", "date")
LEGEND = {
    "link": "linked to an indicator",
    "quote": "quote (speaker shown)",
    "entity": "entity",
    "figure": "figure",
    "date": "date",
}


@dataclass(frozen=True)
class Mark:
    """A span of the text to highlight, with what its element says of it."""

    start: int
    end: int
    kind: str  # one of KINDS
    title: str
    entity_id: int | None = None  # an entity mention's entity
    speaker: str | None = None  # a quote's speaker
    link: str | None = None  # a link's "case indicator L12", for the sentence's data-links


def _attr(name: str, value: object) -> str:
    return f' {name}="{escape(str(value))}"'


def _open(kind: str, marks: Sequence[Mark], piece_start: int) -> tuple[str, str]:
    """The opening and closing tags of one kind of span over a piece."""
    title = _attr("title", "; ".join(dict.fromkeys(m.title for m in marks)))
    if kind == "entity":
        inner = min(marks, key=lambda m: (m.end - m.start, m.start))
        ident = int(inner.entity_id or 0)
        return (
            f'<a class="hl entity" data-kind="entity" href="/entities/{ident}"'
            f' data-entity-id="{ident}"{title}>',
            "</a>",
        )
    css = f"hl {kind}"
    extra = ""
    if kind == "quote":
        starting = [m for m in marks if m.start == piece_start]
        if starting:
            css += " quote-start"
            speaker = starting[0].speaker or "unattributed"
            extra = _attr("data-speaker", speaker)
    tag = "mark" if kind == "link" else "span"
    return f'<{tag} class="{css}" data-kind="{kind}"{extra}{title}>', f"</{tag}>"


def _piece(text: str, start: int, end: int, covering: Sequence[Mark]) -> str:
    inner = str(escape(text[start:end]))
    if not covering:
        return inner
    opened, closed = [], []
    for kind in KINDS:
        of_kind = [m for m in covering if m.kind == kind]
        if of_kind:
            head, tail = _open(kind, of_kind, start)
            opened.append(head)
            closed.append(tail)
    return "".join(opened) + inner + "".join(reversed(closed))


def _sentence(text: str, s: Sentence, marks: Sequence[Mark]) -> str:
    inside = [m for m in marks if m.start < s.end and s.start < m.end]
    cuts = sorted(
        {s.start, s.end} | {p for m in inside for p in (m.start, m.end) if s.start < p < s.end}
    )
    pieces = [
        _piece(text, a, b, [m for m in inside if m.start < b and a < m.end])
        for a, b in itertools.pairwise(cuts)
    ]
    links = [m.link for m in inside if m.kind == "link" and m.link]
    css = "sentence linked" if links else "sentence"
    data = _attr("data-links", " | ".join(dict.fromkeys(links))) if links else ""
    return (
        f'<span class="{css}" id="s{s.start}" data-start="{s.start}" data-end="{s.end}"'
        f"{data}>{''.join(pieces)}</span>"
    )


def _paragraphs(sentences: Sequence[Sentence]) -> list[list[Sentence]]:
    """Consecutive sentences of one paragraph index, in text order."""
    ordered = sorted(sentences, key=lambda s: s.start)
    return [list(group) for _, group in itertools.groupby(ordered, key=lambda s: s.paragraph)]


def _gap(text: str, start: int, end: int) -> str:
    """Text between paragraphs: nothing when it is white space (it always is for the text
    model's sentences), else its own escaped paragraph, so no text is ever lost."""
    between = text[start:end]
    return f'<p class="gap">{escape(between)}</p>' if between.strip() else ""


class _Sweep:
    """The marks that reach into each sentence in turn, found in one pass over the marks
    (sorted by start): a long article costs its sentences plus its marks, not their product."""

    def __init__(self, marks: list[Mark]) -> None:
        self.marks = marks
        self.next = 0
        self.active: list[Mark] = []

    def over(self, s: Sentence) -> list[Mark]:
        while self.next < len(self.marks) and self.marks[self.next].start < s.end:
            self.active.append(self.marks[self.next])
            self.next += 1
        self.active = [m for m in self.active if m.end > s.start]
        return [m for m in self.active if m.start < s.end]


def render(text: str, sentences: Sequence[Sentence], marks: Iterable[Mark]) -> Markup:
    """``text`` as paragraphs of sentence elements, with ``marks`` highlighted."""
    sweep = _Sweep(sorted((m for m in marks if 0 <= m.start < m.end <= len(text)), key=_order))
    out: list[str] = []
    position = 0
    for paragraph in _paragraphs([s for s in sentences if 0 <= s.start < s.end <= len(text)]):
        out.append(_gap(text, position, paragraph[0].start))
        body: list[str] = []
        at = max(position, paragraph[0].start)
        for s in paragraph:
            if s.start < at:  # overlapping stored sentences: never repeat text
                continue
            body.append(str(escape(text[at : s.start])))
            body.append(_sentence(text, s, sweep.over(s)))
            at = s.end
        out.append(f"<p>{''.join(body)}</p>")
        position = at
    out.append(_gap(text, position, len(text)))
    return Markup("".join(out))


def _order(m: Mark) -> tuple[int, int]:
    return m.start, -m.end
