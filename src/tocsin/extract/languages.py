"""Which pipeline reads an article, by its language: English, Russian, or none.

Ingest records each article's language (the page's ``lang`` attribute, else CLD2's reading;
``tocsin.ingest.clean``). English articles go through spaCy's English model and tocsin's
English rules, Russian ones through natasha and tocsin's Russian rules
(``tocsin.extract.russian``). Any other language is never run through either: the article
stays stored and searchable, and is marked "not extracted (language xx)". An article whose
language could not be told goes to the English pipeline when most of its letters are Latin
(short English texts often leave CLD2 unsure), to the Russian one when it is written in
the Russian alphabet (``russian_letters``), and is not extracted otherwise ("language
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
_RUSSIAN_ONLY = frozenset("ыэ")
_OTHER_CYRILLIC = frozenset("іїєґўјљњћџѓќѕәөүңқғһҗҫҙҡӣӯҳҷ")


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
    if mostly_latin(text):
        return Route(ENGLISH)
    return Route(RUSSIAN) if russian_letters(text) else Route(None, "language unknown")


def russian_letters(text: str) -> bool:
    """Whether a Cyrillic text is written in the Russian alphabet: it has ы or э, which
    Ukrainian, Bulgarian, Serbian and Macedonian lack, and none of the letters of the other
    Cyrillic alphabets (і ї є ґ ў ј љ њ ћ џ ѓ ќ ѕ, and those of Kazakh, Tatar, Mongolian …).
    CLD2 leaves short texts undetected; their letters still tell Russian apart."""
    sample = text[:_SAMPLE].lower()
    return bool(_RUSSIAN_ONLY & set(sample)) and not _OTHER_CYRILLIC & set(sample)


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
