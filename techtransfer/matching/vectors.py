"""A flat vector index: a float32 matrix of unit rows and their ids, searched by one matrix product.

Exact cosine top-k; fine to about a million 512-dimension rows in memory (2 GB). Saved as one .npz.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class VectorIndex:
    """Row i of `matrix` is the unit vector of `ids[i]`."""

    dim: int
    ids: list[str] = field(default_factory=list)
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))

    def __post_init__(self) -> None:
        if self.matrix.size == 0:
            self.matrix = np.zeros((0, self.dim), dtype=np.float32)
        self._position = {id_: row for row, id_ in enumerate(self.ids)}

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        """Add or replace the vectors of `ids` (a changed record is re-embedded and replaced in place)."""
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.shape != (len(ids), self.dim):
            raise ValueError(f"Expected {len(ids)} vectors of dimension {self.dim}, got shape {vectors.shape}.")
        new_rows: list[np.ndarray] = []
        for id_, vector in zip(ids, vectors, strict=True):
            row = self._position.get(id_)
            if row is not None:
                self.matrix[row] = vector
            else:
                self._position[id_] = len(self.ids)
                self.ids.append(id_)
                new_rows.append(vector)
        if new_rows:
            self.matrix = np.vstack([self.matrix, np.stack(new_rows)])

    def search(self, query: np.ndarray, k: int = 10) -> list[tuple[str, float]]:
        """The `k` ids nearest to the unit vector `query`, best first, with their cosine."""
        if not self.ids or k <= 0:
            return []
        scores = self.matrix @ np.asarray(query, dtype=np.float32).reshape(-1)
        k = min(k, len(scores))
        # argpartition finds the top k in linear time; only those k are sorted.
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[row], float(scores[row])) for row in top]

    def save(self, path: Path | str) -> None:
        np.savez(path, matrix=self.matrix, ids=np.array(self.ids, dtype=str))

    @classmethod
    def load(cls, path: Path | str) -> VectorIndex:
        with np.load(path, allow_pickle=False) as data:
            matrix = data["matrix"].astype(np.float32, copy=False)
            ids = [str(id_) for id_ in data["ids"]]
        return cls(dim=matrix.shape[1], ids=ids, matrix=matrix)
