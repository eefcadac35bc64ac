"""Exact duplicates by content hash; near-duplicates by MinHash over word shingles with LSH.

datasketch computes the signatures; the LSH bands live in SQLite (``lsh_bands``) rather than
in datasketch's in-memory index, so near-duplicates are found across separate ingest runs.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from functools import lru_cache
from typing import Any

import numpy as np

# Calibrated together: 4-word shingles, 128 permutations in 32 bands of 4 rows find pairs with
# Jaccard 0.6 with probability 0.99 and pairs with Jaccard 0.2 with probability 0.05.
SHINGLE = 4
NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
_SEED = 7
# Signatures are stored, so datasketch's permutation scheme is pinned, not left to its default.
SCHEME = "affine32"
# Odd 64-bit multipliers that mix a shingle's four word hashes (position-dependent).
_MIX = tuple(
    np.uint64(m)
    for m in (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93)
)
_WORD = re.compile(r"\w+")


def normalized_words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def text_hash(text: str) -> str:
    """Hash of the text's words, so whitespace and case changes are still exact duplicates."""
    return _words_hash(normalized_words(text))


def _words_hash(words: list[str]) -> str:
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


def fingerprint(text: str) -> tuple[str, int, np.ndarray]:
    """Exact-duplicate hash, word count and shingle hashes, splitting the text into words once."""
    words = normalized_words(text)
    return _words_hash(words), len(words), _shingles(words)


def shingle_hashes(text: str) -> np.ndarray:
    """32-bit hashes of the text's distinct word 4-shingles, computed with numpy.

    Each word is hashed once (crc32, stable across processes, unlike ``hash``) and four
    neighbours are mixed by multiply-xor, so shingles cost no Python call each.
    """
    return _shingles(normalized_words(text))


def _shingles(words: list[str]) -> np.ndarray:
    if not words:
        return np.zeros(1, dtype=np.uint64)
    w = np.fromiter((zlib.crc32(x.encode("utf-8")) for x in words), np.uint64, len(words))
    if len(w) < SHINGLE:
        w = np.concatenate([w, np.zeros(SHINGLE - len(w), dtype=np.uint64)])
    n = len(w) - SHINGLE + 1
    h = np.zeros(n, dtype=np.uint64)
    for i, mult in enumerate(_MIX):
        h ^= w[i : i + n] * mult
    return np.unique((h ^ (h >> np.uint64(29))) & np.uint64(0xFFFFFFFF))


def signature(text: str) -> np.ndarray:
    """MinHash signature (uint32) of the text's word shingles."""
    return minhash_of(shingle_hashes(text))


def minhash_of(hashes: np.ndarray) -> np.ndarray:
    """MinHash signature (uint32) of precomputed shingle hashes (see ``shingle_hashes``)."""
    mh = _minhash_class()(
        num_perm=NUM_PERM, seed=_SEED, hashfunc=int, permutations=_perms(), scheme=SCHEME
    )
    mh.update_batch(hashes)
    return np.asarray(mh.hashvalues, dtype=np.uint32)


@lru_cache(maxsize=1)
def _minhash_class() -> Any:
    # Imported on first use: datasketch loads scipy (50 MB), which workers never need.
    from datasketch import MinHash

    return MinHash


@lru_cache(maxsize=1)
def _perms() -> Any:
    """datasketch's permutations for our seed, drawn once instead of per signature."""
    return _minhash_class()(num_perm=NUM_PERM, seed=_SEED, scheme=SCHEME).permutations


def band_keys(sig: np.ndarray) -> list[tuple[int, int]]:
    """(band, key) pairs: articles sharing any pair are candidate near-duplicates."""
    keys = []
    for band in range(BANDS):
        chunk = sig[band * ROWS : (band + 1) * ROWS].tobytes()
        key = int.from_bytes(hashlib.blake2b(chunk, digest_size=8).digest(), "big", signed=True)
        keys.append((band, key))
    return keys


def similarity(a: np.ndarray | bytes, b: np.ndarray | bytes) -> float:
    """Estimated Jaccard similarity of two signatures."""
    x = np.frombuffer(a, dtype=np.uint32) if isinstance(a, bytes) else a
    y = np.frombuffer(b, dtype=np.uint32) if isinstance(b, bytes) else b
    return float(np.mean(x == y))
