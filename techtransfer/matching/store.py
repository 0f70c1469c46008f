"""The vectors of one kind of document, for fast nearest-neighbour search: a shared snapshot plus a delta.

The bulk of the vectors is the memory-mapped snapshot of techtransfer.matching.vector_index (one copy in
the page cache for every web and worker process, opened in milliseconds; searched by HNSW at scale). What
was embedded after the snapshot's high-water mark is the delta, held in memory per process and read from
DocumentVector incrementally: before a search, at most every MATCHING_STORE_CHECK_SECONDS, a cheap query
(the newest version) says whether anything changed, and the manifest whether a new snapshot was published.
A delta row overrides the snapshot's row of the same id (its vector, visibility and facets are newer).
Without a snapshot on disk everything is the delta: every vector in memory, exact cosine by one matrix
product, as before the snapshot existed.
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

from techtransfer.matching import vector_index
from techtransfer.matching.indexing import vector_from_bytes
from techtransfer.matching.models import DocumentVector
from techtransfer.search.api import FACETS as _FACETS
from techtransfer.search.api import MULTI_VALUED
from techtransfer.search.models import SearchDocument

LOAD_BATCH = 5000
CHECK_SECONDS = 5.0
RECOUNT_SECONDS = 600.0


@dataclass
class KindVectors:
    """Vectors held in memory: the delta over a snapshot (or all of them when there is none)."""

    kind: str
    embedder: str
    dim: int
    object_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    public: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    facets: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._row: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.object_ids)

    def clear(self) -> None:
        self._row = {}
        self.object_ids = np.zeros(0, dtype=np.int64)
        self.matrix = np.zeros((0, self.dim), dtype=np.float32)
        self.public = np.zeros(0, dtype=bool)
        self.facets = {f: np.zeros(0, dtype=object) for f in _FACETS}

    def _rows(self, since: Any) -> Any:
        qs = DocumentVector.objects.filter(kind=self.kind, embedder=self.embedder)
        if since is not None:
            qs = qs.filter(embedded_at__gt=since)
        return qs.values_list(
            "document__object_id", "vector", "document__is_public", *(f"document__{f}" for f in _FACETS)
        ).order_by("document_id")

    def load(self, since: Any = None, *, reset: bool = False) -> None:
        """Read all vectors (since=None) or those written after `since`, replacing rows in place.

        `reset` starts from nothing before reading those written after `since` (a delta over a snapshot).

        A full load counts its rows first and fills one pre-allocated matrix, so a million vectors cost
        their 2 GB once rather than again for each intermediate copy; repeated facet codes share one string.
        """
        if since is None or reset:
            self.clear()
        rows = self._rows(since)
        buffer = np.empty((rows.count() if not len(self) else 64, self.dim), dtype=np.float32)
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


class SharedVectors:
    """What `kind_vectors` returns: the mapped snapshot (if any) and this process's delta over it."""

    def __init__(self, kind: str, embedder: str, dim: int) -> None:
        self.kind, self.embedder, self.dim = kind, embedder, dim
        self.snapshot: vector_index.Snapshot | None = None
        self.generation = ""
        self.delta = KindVectors(kind=kind, embedder=embedder, dim=dim)
        self.dead_rows: set[int] = set()  # snapshot rows whose vector was deleted since it was built
        self.hidden = np.zeros(0, dtype=np.int64)  # snapshot rows not to return: overridden or deleted
        self.newest: Any = None  # the newest embedded_at when last looked
        self.checked = 0.0  # time.monotonic() of that look
        self.counted = 0.0  # time.monotonic() of the last count (which finds deleted rows)

    def __len__(self) -> int:
        snapshot_rows = len(self.snapshot) - len(self.hidden) if self.snapshot is not None else 0
        return snapshot_rows + len(self.delta)

    def _visible_rows(self) -> np.ndarray:
        assert self.snapshot is not None
        return np.setdiff1d(np.arange(len(self.snapshot)), self.hidden)

    @property
    def object_ids(self) -> np.ndarray:
        """Every id searched (snapshot, then delta); a copy, for inspection and tests."""
        if self.snapshot is None:
            return self.delta.object_ids
        return np.concatenate([self.snapshot.ids[self._visible_rows()], self.delta.object_ids])

    @property
    def matrix(self) -> np.ndarray:
        """Every vector searched, in the order of `object_ids`: a copy of the snapshot, for tests only."""
        if self.snapshot is None:
            return self.delta.matrix
        return np.vstack([self.snapshot.matrix[self._visible_rows()], self.delta.matrix])

    @property
    def snapshot_bytes(self) -> int:
        return 0 if self.snapshot is None else int(self.snapshot.matrix.nbytes)

    @property
    def delta_bytes(self) -> int:
        return int(self.delta.matrix.nbytes)

    def open(self) -> None:
        """Map the current snapshot and read the delta over it (everything when there is no snapshot)."""
        self.newest = _vectors(self.kind, self.embedder).aggregate(newest=Max("embedded_at"))["newest"]
        self.snapshot = vector_index.open_snapshot(self.kind, self.embedder, dim=self.dim)
        self.generation = self.snapshot.manifest["generation"] if self.snapshot is not None else ""
        since = vector_index.delta_since(self.snapshot.manifest) if self.snapshot is not None else None
        self.delta.load(since, reset=True)
        self.dead_rows = set()
        self._hide()

    def _hide(self) -> None:
        if self.snapshot is None:
            self.hidden = np.zeros(0, dtype=np.int64)
            return
        overridden = self.snapshot.rows_of(self.delta.object_ids)
        self.hidden = np.union1d(overridden, np.fromiter(self.dead_rows, dtype=np.int64, count=len(self.dead_rows)))

    def refresh(self, now: float) -> None:
        """Follow a newly published snapshot, read what was embedded since the last look, and every
        MATCHING_STORE_RECOUNT_SECONDS count the rows to notice deleted ones."""
        manifest = vector_index.read_manifest(self.kind, self.embedder)
        if (manifest or {}).get("generation", "") != self.generation:
            self.open()
            self.counted = now
            return
        newest = _vectors(self.kind, self.embedder).aggregate(newest=Max("embedded_at"))["newest"]
        if newest != self.newest:
            self.delta.load(since=self.newest)
            self._hide()
        self.newest = newest
        if now - self.counted >= _seconds("RECOUNT", RECOUNT_SECONDS):
            if _vectors(self.kind, self.embedder).count() != len(self):
                self._drop_deleted()
            self.counted = now

    def _drop_deleted(self) -> None:
        """Rows were deleted: re-read the delta and hide the snapshot rows whose id is gone (one id scan)."""
        since = vector_index.delta_since(self.snapshot.manifest) if self.snapshot is not None else None
        self.delta.load(since, reset=True)
        if self.snapshot is not None:
            live = np.fromiter(
                _vectors(self.kind, self.embedder).values_list("document__object_id", flat=True).iterator(),
                dtype=np.int64,
            )
            self.dead_rows = set(np.flatnonzero(~np.isin(self.snapshot.ids, live)).tolist())
        self._hide()

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
        if k <= 0:
            return []
        filters = filters or {}
        found = self.delta.search(query, k=k, public_only=public_only, filters=filters, exclude=exclude)
        if self.snapshot is not None:
            hidden = self.hidden
            if exclude:
                hidden = np.union1d(hidden, self.snapshot.rows_of(list(exclude)))
            allowed = self.snapshot.mask(public_only=public_only, filters=filters)
            found += self.snapshot.search(query, k=k, allowed=allowed, hidden=hidden)
        found.sort(key=lambda hit: -hit[1])
        return found[:k]

    def vector_of(self, object_id: int) -> np.ndarray | None:
        vector = self.delta.vector_of(object_id)
        if vector is not None or self.snapshot is None:
            return vector
        row = self.snapshot.row_of(object_id)
        return None if row is None or row in self.dead_rows else self.snapshot.vector_of(row)


_cache: dict[tuple[str, str], SharedVectors] = {}
_lock = threading.Lock()


def _vectors(kind: str, embedder: str) -> Any:
    return DocumentVector.objects.filter(kind=kind, embedder=embedder)


def kind_vectors(kind: str, *, embedder: str, dim: int) -> SharedVectors:
    """This process's up-to-date vectors of `kind`: the shared snapshot and the delta over it.

    New and changed vectors are looked for at most every MATCHING_STORE_CHECK_SECONDS, with one index
    look-up (the newest `embedded_at`) and one small file read (the snapshot's manifest). Deleted ones are
    found by a count, which over a million rows takes about half a second, so only every
    MATCHING_STORE_RECOUNT_SECONDS; until then a deleted record may stay among the candidates, and is
    dropped when the results are loaded from the database.
    """
    with _lock:
        now = time.monotonic()
        store = _cache.get((kind, embedder))
        if store is not None and store.dim == dim and now - store.checked < _seconds("CHECK", CHECK_SECONDS):
            return store
        if store is None or store.dim != dim:
            store = SharedVectors(kind, embedder, dim)
            store.open()
            store.counted = now
        else:
            store.refresh(now)
        store.checked = now
        _cache[(kind, embedder)] = store
        return store


_documents: dict[str, tuple[float, int]] = {}  # kind -> (when counted, documents in the index)


def coverage(kind: str, *, embedder: str, dim: int) -> float:
    """The share of `kind`'s indexed documents that `embedder` has a vector for (0 when there are none, so
    that an empty kind stays with the default embedder rather than loading another model for nothing).
    The document count is taken at most every MATCHING_STORE_RECOUNT_SECONDS: a count of a million rows is
    not free, and the share moves slowly."""
    now = time.monotonic()
    with _lock:
        counted = _documents.get(kind)
    if counted is None or now - counted[0] >= _seconds("RECOUNT", RECOUNT_SECONDS):
        counted = (now, SearchDocument.objects.filter(kind=kind).count())
        with _lock:
            _documents[kind] = counted
    total = counted[1]
    return 0.0 if total == 0 else min(1.0, len(kind_vectors(kind, embedder=embedder, dim=dim)) / total)


def _seconds(name: str, default: float) -> float:
    return float(getattr(settings, f"MATCHING_STORE_{name}_SECONDS", default))


def clear_cache() -> None:
    with _lock:
        _cache.clear()
        _documents.clear()
