"""Which pipeline reads an article, by its language: English, Russian, or none.

Ingest records each article's language (the page's ``lang`` attribute, else CLD2's reading;
``tocsin.ingest.clean``). English articles go through spaCy's English model and tocsin's
English rules, Russian ones through natasha and tocsin's Russian rules
(``tocsin.extract.russian``). Any other language is never run through either: the article
stays stored and searchable, and is marked "not extracted (language xx)". An article whose
language could not be told goes to the English pipeline when most of its letters are Latin
(short English texts often leave CLD2 unsure), and is not extracted otherwise ("language
unknown").

Light to import: the command line shows the routes without loading any model.
"""

from __future__ import annotations

from dataclasses import dataclass

ENGLISH = "en"
RUSSIAN = "ru"
LANGUAGES = (ENGLISH, RUSSIAN)  # the languages with a pipeline
_SAMPLE = 5_000  # characters read to tell the script of an undetected text
_LATIN_SHARE = 0.5


@dataclass(frozen=True)
class Route:
    """The pipeline for one article (``en`` or ``ru``), or why there is none."""

    language: str | None
    reason: str | None = None

    @property
    def extracted(self) -> bool:
        return self.language is not None


def route(language: str | None, text: str) -> Route:
    """The route of an article in ``language`` (an ISO 639-1 code, or None) with ``text``."""
    code = (language or "").strip().lower().replace("_", "-").split("-")[0]
    if code in LANGUAGES:
        return Route(code)
    if code:
        return Route(None, f"language {code}")
    return Route(ENGLISH) if mostly_latin(text) else Route(None, "language unknown")


def mostly_latin(text: str) -> bool:
    """Whether at least half of the letters at the start of ``text`` are Latin (an empty
    or letterless text counts as Latin)."""
    letters = latin = 0
    for ch in text[:_SAMPLE]:
        if ch.isalpha():
            letters += 1
            latin += ch.isascii() or "\u00c0" <= ch <= "\u024f"
    return not letters or latin >= _LATIN_SHARE * letters


def not_extracted(reason: str) -> str:
    """How an article no pipeline read is described: 'not extracted (language hr)'."""
    return f"not extracted ({reason})"
