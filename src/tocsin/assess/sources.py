"""Who said it and how far to trust them: the case's source grades and article notes.

A name in the store (a quote's speaker, the innermost link of a claim's source chain, an
article's outlet) is matched to the case file's graded sources with the same spelling rules
as entities (``Lukashenka`` finds the source ``Alexander Lukashenko``). An ungraded source
gets Admiralty F6: reliability and credibility cannot be judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tocsin.assess.case import ArticleNote, Case, Source
from tocsin.extract.aliases import same_referent
from tocsin.extract.names import normalise
from tocsin.models import Article

UNGRADED = ("F", 6)


@dataclass(frozen=True)
class Grade:
    """The Admiralty grade given to one item, and the source it was taken from."""

    reliability: str
    credibility: int
    source: str | None  # the graded source's name, or the ungraded name as found
    graded: bool


class SourceBook:
    """The case's graded sources, looked up by any spelling of a name."""

    def __init__(self, sources: list[Source]) -> None:
        self._sources = sources
        self._cache: dict[str, Source | None] = {}

    def find(self, name: str | None) -> Source | None:
        """The graded source ``name`` refers to, if any."""
        if not name or not name.strip():
            return None
        key = normalise(name)
        if key not in self._cache:
            self._cache[key] = next((s for s in self._sources if _names(s, name)), None)
        return self._cache[key]

    def grade(self, *names: str | None) -> Grade:
        """The grade of the first of ``names`` that is graded; else F6 for the first name."""
        for name in names:
            found = self.find(name)
            if found is not None:
                return Grade(found.reliability, found.credibility, found.name, True)
        first = next((n for n in names if n and n.strip()), None)
        return Grade(*UNGRADED, first, False)


def _names(source: Source, name: str) -> bool:
    return any(same_referent(candidate, name) for candidate in (source.name, *source.aliases))


@dataclass(frozen=True)
class ArticleFacts:
    """An article's date and outlet as the assessment uses them (case notes win)."""

    article_id: int
    title: str
    published: date | None
    outlet: str | None
    original_id: int  # the article this one near-duplicates, else itself


def article_facts(article: Article, case: Case) -> ArticleFacts:
    note = _note_for(article.title or "", case.articles)
    published = note.published if note and note.published else article.published
    outlet = note.outlet if note and note.outlet else article.outlet
    return ArticleFacts(
        article.id,
        article.title or "",
        published,
        outlet,
        article.duplicate_of or article.id,
    )


def _note_for(title: str, notes: list[ArticleNote]) -> ArticleNote | None:
    folded = _fold(title)
    return next((n for n in notes if _fold(n.title) in folded), None)


def _fold(text: str) -> str:
    return " ".join(text.replace("’", "'").casefold().split())
