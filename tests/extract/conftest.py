"""The English model, loaded once per test session (about 2 s)."""

from __future__ import annotations

import pytest
from spacy.language import Language

from tocsin.extract.nlp import load_model


@pytest.fixture(scope="session")
def nlp() -> Language:
    return load_model("sm")
