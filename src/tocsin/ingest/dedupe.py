"""Exact duplicates by content hash; near-duplicates by MinHash over word shingles with LSH.

datasketch computes the signatures; the LSH bands live in SQLite (``lsh_bands``) rather than
in datasketch's in-memory index, so near-duplicates are found across separate ingest runs.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
from datasketch import MinHash

# Calibrated together: 4-word shingles, 128 permutations in 32 bands of 4 rows find pairs with
# Jaccard 0.6 with probability 0.99 and pairs with Jaccard 0.2 with probability 0.05.
SHINGLE = 4
NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
_SEED = 7
_WORD = re.compile(r"\w+")


def normalized_words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def text_hash(text: str) -> str:
    """Hash of the text's words, so whitespace and case changes are still exact duplicates."""
    return hashlib.sha256(" ".join(normalized_words(text)).encode("utf-8")).hexdigest()


def signature(text: str) -> np.ndarray:
    """MinHash signature (uint32) of the text's word shingles."""
    words = normalized_words(text)
    grams = {
        " ".join(words[i : i + SHINGLE]).encode("utf-8")
        for i in range(max(1, len(words) - SHINGLE + 1))
    }
    mh = MinHash(num_perm=NUM_PERM, seed=_SEED)
    mh.update_batch(list(grams))
    return np.asarray(mh.hashvalues, dtype=np.uint32)


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
