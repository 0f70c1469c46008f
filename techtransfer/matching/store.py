"""The vectors of one kind of document, held in memory for fast nearest-neighbour search.

Loaded from DocumentVector on first use and kept per process. Before each search a cheap query (count
and newest version) says whether anything changed; new and changed vectors are then read incrementally,
and a full reload happens only when rows disappeared. Exact cosine by one matrix product: about a
million 512-dimension vectors fit in 2 GB and are searched in well under a second on two cores.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Max

from techtransfer.matching.indexing import vector_from_bytes
from techtransfer.matching.models import DocumentVector
from techtransfer.search.api import FACETS as _FACETS
from techtransfer.search.api import MULTI_VALUED

LOAD_BATCH = 5000
CHECK_SECONDS = 5.0
RECOUNT_SECONDS = 600.0


@dataclass
class KindVectors:
    kind: str
    embedder: str
    dim: int
    object_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    public: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    facets: dict[str, np.ndarray] = field(default_factory=dict)
    newest: Any = None  # the newest embedded_at when last looked
    checked: float = 0.0  # time.monotonic() of that look
    counted: float = 0.0  # time.monotonic() of the last count (which finds deleted rows)

    def __post_init__(self) -> None:
        self._row: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.object_ids)

    def _rows(self, since: Any) -> Any:
        qs = DocumentVector.objects.filter(kind=self.kind, embedder=self.embedder)
        if since is not None:
            qs = qs.filter(embedded_at__gt=since)
        return qs.values_list(
            "document__object_id", "vector", "document__is_public", *(f"document__{f}" for f in _FACETS)
        ).order_by("document_id")

    def load(self, since: Any = None) -> None:
        """Read all vectors (since=None) or those written after `since`, replacing rows in place.

        A full load counts its rows first and fills one pre-allocated matrix, so a million vectors cost
        their 2 GB once rather than again for each intermediate copy; repeated facet codes share one string.
        """
        if since is None:
            self._row = {}
            self.object_ids = np.zeros(0, dtype=np.int64)
            self.matrix = np.zeros((0, self.dim), dtype=np.float32)
            self.public = np.zeros(0, dtype=bool)
            self.facets = {f: np.zeros(0, dtype=object) for f in _FACETS}
        rows = self._rows(since)
        buffer = np.empty((rows.count() if since is None else 64, self.dim), dtype=np.float32)
        codes: dict[str, str] = {}
        new_ids: list[int] = []
        new_public: list[bool] = []
        new_facets: dict[str, list[str]] = {f: [] for f in _FACETS}
        for object_id, raw, is_public, *facet_values in rows.iterator(chunk_size=LOAD_BATCH):
            vector = vector_from_bytes(raw)
            if vector.shape[0] != self.dim:
                continue  # written by an embedder of another size under the same name: skipped, not mixed
            facet_values = [codes.setdefault(value, value) for value in facet_values]
            row = self._row.get(object_id)
            if row is not None:
                self.matrix[row] = vector
                self.public[row] = is_public
                for name, value in zip(_FACETS, facet_values, strict=True):
                    self.facets[name][row] = value
                continue
            if len(new_ids) == len(buffer):  # more rows than counted (written meanwhile): grow
                buffer = np.concatenate([buffer, np.empty((max(64, len(buffer)), self.dim), dtype=np.float32)])
            buffer[len(new_ids)] = vector
            self._row[object_id] = len(self.object_ids) + len(new_ids)
            new_ids.append(object_id)
            new_public.append(is_public)
            for name, value in zip(_FACETS, facet_values, strict=True):
                new_facets[name].append(value)
        if new_ids:
            added = buffer[: len(new_ids)]
            self.matrix = added if not len(self.matrix) else np.vstack([self.matrix, added])
            self.object_ids = np.concatenate([self.object_ids, np.array(new_ids, dtype=np.int64)])
            self.public = np.concatenate([self.public, np.array(new_public, dtype=bool)])
            for name in _FACETS:
                self.facets[name] = np.concatenate([self.facets[name], np.array(new_facets[name], dtype=object)])

    def mask(self, *, public_only: bool, filters: Mapping[str, Sequence[str]]) -> np.ndarray | None:
        """Rows allowed by visibility and facet filters (None: all rows)."""
        mask = self.public.copy() if public_only else None
        for name, values in filters.items():
            if not values:
                continue
            column = self.facets[name]
            if name in MULTI_VALUED:
                wanted = [f"|{v}|" for v in values]
                allowed = np.fromiter((any(w in (c or "") for w in wanted) for c in column), bool, len(column))
            else:
                allowed = np.isin(column, list(values))
            mask = allowed if mask is None else mask & allowed
        return mask

    def search(
        self,
        query: np.ndarray,
        *,
        k: int,
        public_only: bool = True,
        filters: Mapping[str, Sequence[str]] | None = None,
        exclude: Sequence[int] = (),
    ) -> list[tuple[int, float]]:
        """The `k` object ids nearest to the unit vector `query`, best first, with their cosine."""
        if not len(self) or k <= 0:
            return []
        scores = self.matrix @ np.asarray(query, dtype=np.float32).reshape(-1)
        mask = self.mask(public_only=public_only, filters=filters or {})
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        for object_id in exclude:
            row = self._row.get(object_id)
            if row is not None:
                scores[row] = -np.inf
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(self.object_ids[row]), float(scores[row])) for row in top if np.isfinite(scores[row])]

    def vector_of(self, object_id: int) -> np.ndarray | None:
        row = self._row.get(object_id)
        return None if row is None else self.matrix[row]


_cache: dict[tuple[str, str], KindVectors] = {}
_lock = threading.Lock()


def _vectors(kind: str, embedder: str) -> Any:
    return DocumentVector.objects.filter(kind=kind, embedder=embedder)


def kind_vectors(kind: str, *, embedder: str, dim: int) -> KindVectors:
    """This process's up-to-date vectors of `kind` (loads or refreshes them when the table changed).

    New and changed vectors are looked for at most every MATCHING_STORE_CHECK_SECONDS, with one index
    look-up (the newest `embedded_at`). Deleted ones are found by a count, which over a million rows takes
    about half a second, so only every MATCHING_STORE_RECOUNT_SECONDS; until then a deleted record may stay
    among the candidates, and is dropped when the results are loaded from the database.
    """
    with _lock:
        now = time.monotonic()
        store = _cache.get((kind, embedder))
        if store is not None and store.dim == dim and now - store.checked < _seconds("CHECK", CHECK_SECONDS):
            return store
        newest = _vectors(kind, embedder).aggregate(newest=Max("embedded_at"))["newest"]
        if store is None or store.dim != dim:
            store = KindVectors(kind=kind, embedder=embedder, dim=dim)
            store.load()
            store.counted = now
        else:
            if newest != store.newest:
                store.load(since=store.newest)
            if now - store.counted >= _seconds("RECOUNT", RECOUNT_SECONDS):
                if _vectors(kind, embedder).count() != len(store):
                    store.load()  # rows were deleted: start again rather than guess which
                store.counted = now
        store.newest = newest
        store.checked = now
        _cache[(kind, embedder)] = store
        return store


def _seconds(name: str, default: float) -> float:
    return float(getattr(settings, f"MATCHING_STORE_{name}_SECONDS", default))


def clear_cache() -> None:
    with _lock:
        _cache.clear()
