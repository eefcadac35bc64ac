"""The Russian pipeline: natasha's models and tocsin's rules, giving the English pipeline's records.

``analyse_russian`` reads one article: tocsin's sentences and paragraphs (``tocsin.text``),
natasha's tokens, morphology, dependencies and names (``document``), then tocsin's rules for
mentions with Latin keys (``entities``, ``translit``), quotes and reported speech with their
speakers (``marks``, ``speech``, ``quotes``, ``reported``), dates resolved against the anchor
(``dates``) and figures (``figures``). The result is an ``Evidence`` like the English one, so
the store, the resolution of entities across articles and every later stage treat it alike.
Claims and events are not extracted for Russian (empty lists); docs/languages.md says what
each language gets.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import cast

from tocsin.extract.aliases import AliasEntry, AliasTable
from tocsin.extract.names import normalise
from tocsin.extract.russian.dates import date_spans, find_dates
from tocsin.extract.russian.document import parse
from tocsin.extract.russian.entities import find_mentions
from tocsin.extract.russian.figures import find_figures
from tocsin.extract.russian.quotes import extract_quotes
from tocsin.models.evidence import EntityLabel, Evidence
from tocsin.text import segment

__all__ = ["PIPELINE", "analyse_russian", "russian_aliases"]

# What the store records as the model of a Russian extraction.
PIPELINE = "natasha"


@lru_cache(maxsize=2)
def russian_aliases(alias_files: tuple[Path, ...] = ()) -> AliasTable:
    """The shipped alias table and the user's files (``AliasTable.load``), with the Russian
    spellings of ``data/aliases_ru.toml`` added: to the entity of the same canonical name,
    keeping its spellings, or as new entities (cached per process)."""
    base = AliasTable.load(*alias_files)
    added = {normalise(e.canonical): e for e in russian_entries()}
    entries = []
    for entry in base.entries:
        extra = added.pop(normalise(entry.canonical), None)
        if extra is not None:
            entry = entry._replace(spellings=(*entry.spellings, *extra.spellings))
        entries.append(entry)
    return AliasTable([*entries, *added.values()])


def russian_entries() -> list[AliasEntry]:
    """The entities of the shipped ``aliases_ru.toml``."""
    shipped = resources.files("tocsin.extract") / "data" / "aliases_ru.toml"
    with resources.as_file(shipped) as path:
        AliasTable.load(path)  # checks the file as any alias file: InvalidInput when bad
    data = tomllib.loads(shipped.read_text("utf-8"))
    return [
        AliasEntry(e["canonical"], cast(EntityLabel, e["label"]), tuple(e["spellings"]))
        for e in data["entity"]
    ]


def analyse_russian(text: str, anchor: date | None, alias_files: Sequence[Path] = ()) -> Evidence:
    """The evidence of one Russian text; dates are resolved only with an ``anchor``."""
    aliases = russian_aliases(tuple(alias_files))
    layout = segment(text)
    doc = parse(text, layout.sentences, layout.paragraphs)
    mentions = find_mentions(doc, aliases)
    dates = find_dates(doc, anchor) if anchor is not None else []
    return Evidence(
        mentions=mentions,
        quotes=extract_quotes(doc, mentions),
        claims=[],
        quantities=find_figures(doc, date_spans(text)),
        dates=dates,
        events=[],
        sentences=list(layout.sentences),
        pipeline=PIPELINE,
    )
