"""The on-disk vector snapshot of one (kind, embedder): memory-mapped, so every process shares one copy.

A snapshot is a generation directory under settings.MATCHING_INDEX_DIR/<kind>-<embedder>/ holding
  vectors.npy   float32 unit rows (np.load(mmap_mode="r"): the page cache is the one shared copy)
  ids.npy       int64 object id of each row; sorted_ids.npy / sorted_rows.npy find a row by id (binary search)
  public.npy    bool
  facet-<name>.npy  small integer codes into the code list kept in the manifest (transfer_modes: the whole
                "|a|b|" string is one code, so a filter tests the few distinct codes, not every row)
  hnsw.usearch  an approximate (HNSW) index over the rows, when there are MATCHING_ANN_MIN_ROWS of them
and manifest.json beside the generations names the current one. A build writes a new generation and then
swaps the manifest with os.replace, so a reader sees the old snapshot or the new one, never half of one;
processes that still map an old generation keep reading it (Linux keeps unlinked files alive).

The snapshot holds every vector embedded up to its high-water mark; what was embedded later is the
in-memory delta of techtransfer.matching.store, merged at search time.
"""

from __future__ import annotations

import datetime
import fcntl
import json
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Max

from techtransfer.matching.indexing import vector_from_bytes
from techtransfer.matching.models import DocumentVector
from techtransfer.search.api import FACETS, MULTI_VALUED

MANIFEST = "manifest.json"
BUILD_CHUNK = 5000
# HNSW: f16 holds the vectors exactly as stored (DocumentVector keeps float16). On 20,000 bench vectors it
# had the recall of f32 (0.9995@10) with a file of 25 MB instead of 44 and a faster build (28 s vs 33 s).
# Random 512-d unit vectors, the hardest case, gave recall@10 0.87 with 16 links and expansion 128, 0.97
# with 16 and 256, 0.999 with 32 and 256 (3,000 vectors); real embeddings cluster and do better.
ANN_DTYPE = "f16"
ANN_CONNECTIVITY = 32
ANN_EXPANSION_ADD = 128
# Searching wider costs little: at 1,000,000 bench vectors recall@10 against exact search was .75–.82 at 256,
# .91 at 1024 and .96 at 2048, for a search of 1.2–1.6, 3.6 and 5.5–7 ms p50 (bench/hnsw_expansion.py,
# BENCHMARKS.md).
ANN_EXPANSION_SEARCH = 2048
ANN_OVERSAMPLE = 4  # filtered HNSW search asks for k x this many, then drops the rows the filter refuses
ANN_ADD_BATCH = 10_000
ANN_SHUFFLE_SEED = 11
# The snapshot's rows are grouped by this facet, so that filtering on it reads one contiguous stretch of the
# matrix: a product over a slice, without first copying scattered rows (at 1,000,000 rows, a field of 77,000
# costs 19 ms instead of about 80).
GROUP_BY = "field"

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def index_root() -> Path:
    return Path(getattr(settings, "MATCHING_INDEX_DIR", Path(settings.BASE_DIR) / "var" / "vectors"))


def kind_dir(kind: str, embedder: str) -> Path:
    return index_root() / f"{kind}-{embedder}"


def read_manifest(kind: str, embedder: str) -> dict[str, Any] | None:
    try:
        manifest: dict[str, Any] = json.loads((kind_dir(kind, embedder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest


def high_water(manifest: Mapping[str, Any] | None) -> datetime.datetime | None:
    if not manifest or not manifest.get("high_water"):
        return None
    return datetime.datetime.fromisoformat(manifest["high_water"])


def delta_since(manifest: Mapping[str, Any] | None) -> datetime.datetime | None:
    """Vectors embedded after this belong to the in-memory delta (None: no snapshot, all of them do).

    It is MATCHING_INDEX_MARGIN_SECONDS before the high-water mark: on PostgreSQL a vector stamped just
    before the build read its rows but committed just after would otherwise be in neither. Reading a few
    rows twice is harmless (the delta's copy wins).
    """
    mark = high_water(manifest)
    margin = float(getattr(settings, "MATCHING_INDEX_MARGIN_SECONDS", 30))
    return None if mark is None else mark - datetime.timedelta(seconds=margin)


def _vectors(kind: str, embedder: str) -> Any:
    return DocumentVector.objects.filter(kind=kind, embedder=embedder)


def delta_rows(kind: str, embedder: str, *, cap: int) -> int:
    """How many vectors were embedded after the snapshot (all of them without one), counted up to `cap`."""
    since = delta_since(read_manifest(kind, embedder))
    qs = _vectors(kind, embedder)
    if since is not None:
        qs = qs.filter(embedded_at__gt=since)
    return len(qs.values_list("pk", flat=True)[:cap])


class Snapshot:
    """One generation, memory-mapped. Rows are addressed 0..rows-1 (the HNSW keys are the row numbers)."""

    def __init__(self, path: Path, manifest: Mapping[str, Any]) -> None:
        self.path = path
        self.manifest = dict(manifest)
        self.rows = int(manifest["rows"])
        self.dim = int(manifest["dim"])
        self.high_water = high_water(manifest)

        def load(name: str) -> np.ndarray:
            array: np.ndarray = np.load(path / f"{name}.npy", mmap_mode="r")
            return array[: self.rows]

        self.matrix = load("vectors")
        self.ids = load("ids")
        self.public = load("public")
        self.sorted_ids = load("sorted_ids")
        self.sorted_rows = load("sorted_rows")
        self.codes = {name: load(f"facet-{name}") for name in FACETS}
        self.code_values: dict[str, list[str]] = manifest["facet_values"]
        self.ann: Any = None
        if manifest.get("ann") and (path / "hnsw.usearch").exists():
            from usearch.index import Index

            self.ann = Index.restore(str(path / "hnsw.usearch"), view=True)
            self.ann.expansion_search = ANN_EXPANSION_SEARCH

    def __len__(self) -> int:
        return self.rows

    def rows_of(self, object_ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """The rows of those of `object_ids` that are in the snapshot."""
        wanted = np.asarray(object_ids, dtype=np.int64)
        if not len(wanted) or not self.rows:
            return np.zeros(0, dtype=np.int64)
        at = np.searchsorted(self.sorted_ids, wanted)
        at = np.minimum(at, self.rows - 1)
        found = self.sorted_ids[at] == wanted
        return np.asarray(self.sorted_rows[at[found]], dtype=np.int64)

    def row_of(self, object_id: int) -> int | None:
        rows = self.rows_of([object_id])
        return int(rows[0]) if len(rows) else None

    def mask(self, *, public_only: bool, filters: Mapping[str, Sequence[str]]) -> np.ndarray | None:
        """Rows allowed by visibility and facet filters (None: all rows): tests the codes, not the rows."""
        mask = np.array(self.public, dtype=bool) if public_only else None
        for name, values in filters.items():
            if not values:
                continue
            known = self.code_values[name]
            if name in MULTI_VALUED:
                wanted = [f"|{v}|" for v in values]
                allowed_codes = [code for code, text in enumerate(known) if any(w in text for w in wanted)]
            else:
                chosen = set(values)
                allowed_codes = [code for code, text in enumerate(known) if text in chosen]
            allowed = np.isin(self.codes[name], np.array(allowed_codes, dtype=np.int64))
            mask = allowed if mask is None else mask & allowed
        return mask

    def search(
        self, query: np.ndarray, *, k: int, allowed: np.ndarray | None, hidden: np.ndarray
    ) -> list[tuple[int, float]]:
        """The best `k` (object id, cosine) among rows `allowed` (None: all) and not `hidden` (row numbers).

        HNSW when the snapshot has one and the filter leaves many rows; exact otherwise. A selective filter
        goes straight to exact search over its few rows, which is cheap; HNSW results that the filter
        refuses are dropped, and when fewer than `k` remain the search is done exactly after all.
        """
        if not self.rows or k <= 0:
            return []
        query = np.asarray(query, dtype=np.float32).reshape(-1)
        if allowed is not None and len(hidden):
            allowed = allowed.copy()
            allowed[hidden] = False
        candidates = self.rows - len(hidden) if allowed is None else int(allowed.sum())
        if self.ann is not None and candidates * ANN_OVERSAMPLE >= self.rows:
            found = self._ann_search(query, k=min(k, candidates), allowed=allowed, hidden=hidden)
            if found is not None:
                return found
        return self._exact_search(query, k=k, allowed=allowed, hidden=hidden)

    def _ann_search(
        self, query: np.ndarray, *, k: int, allowed: np.ndarray | None, hidden: np.ndarray
    ) -> list[tuple[int, float]] | None:
        count = k * ANN_OVERSAMPLE
        for _ in range(2):  # a second, wider try before giving up to exact search
            matches = self.ann.search(query, min(self.rows, count))
            rows = np.asarray(matches.keys, dtype=np.int64)
            scores = 1.0 - np.asarray(matches.distances, dtype=np.float32)  # "ip" distance is 1 - dot
            keep = allowed[rows] if allowed is not None else ~np.isin(rows, hidden)
            rows, scores = rows[keep], scores[keep]
            if len(rows) >= k:
                return [(int(self.ids[row]), float(score)) for row, score in zip(rows[:k], scores[:k], strict=True)]
            count *= ANN_OVERSAMPLE
        return None

    def _exact_search(
        self, query: np.ndarray, *, k: int, allowed: np.ndarray | None, hidden: np.ndarray
    ) -> list[tuple[int, float]]:
        rows: np.ndarray | None = None
        if allowed is None:
            scores = self.matrix @ query
            if len(hidden):
                scores[hidden] = -np.inf
        else:
            rows = np.flatnonzero(allowed)
            low, high = (int(rows[0]), int(rows[-1]) + 1) if len(rows) else (0, 0)
            if high - low <= 3 * len(rows):  # mostly one stretch (a field): multiply that slice, no copy
                scores = self.matrix[low:high] @ query
                scores[~allowed[low:high]] = -np.inf
                rows = np.arange(low, high)
            elif len(rows) * 4 < self.rows:  # few rows, scattered: multiply only those
                scores = np.asarray(self.matrix[rows]) @ query
            else:
                scores = np.where(allowed, self.matrix @ query, -np.inf)
                rows = None
        k = min(k, len(scores))
        if k <= 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        picked = top if rows is None else rows[top]
        return [
            (int(self.ids[row]), float(scores[at]))
            for row, at in zip(picked, top, strict=True)
            if np.isfinite(scores[at])
        ]

    def vector_of(self, row: int) -> np.ndarray:
        return np.array(self.matrix[row])


def open_snapshot(kind: str, embedder: str, *, dim: int) -> Snapshot | None:
    """The current snapshot of (kind, embedder), memory-mapped; None when there is none (or of another dim)."""
    manifest = read_manifest(kind, embedder)
    if manifest is None or int(manifest.get("dim", -1)) != dim:
        return None
    path = kind_dir(kind, embedder) / manifest["generation"]
    try:
        return Snapshot(path, manifest)
    except (OSError, ValueError, KeyError):
        return None  # removed under us (a rebuild and a long pause): the caller runs on the delta alone


@contextmanager
def _build_lock(kind: str, embedder: str) -> Iterator[bool]:
    """One build per (kind, embedder) at a time, across processes; yields False when another holds it."""
    folder = kind_dir(kind, embedder)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".build.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass(frozen=True)
class BuildResult:
    kind: str
    embedder: str
    rows: int
    dim: int
    seconds: float
    ann: bool
    generation: str
    skipped: str = ""  # why nothing was built


def _dim_of(kind: str, embedder: str) -> int | None:
    raw = _vectors(kind, embedder).values_list("vector", flat=True).first()
    return None if raw is None else len(vector_from_bytes(raw))


def _save_small(path: Path, array: np.ndarray) -> None:
    np.save(path, array, allow_pickle=False)


def build_snapshot(
    kind: str,
    embedder: str,
    *,
    dim: int | None = None,
    ann_min_rows: int | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Write a new generation of (kind, embedder) from DocumentVector and make it current.

    Rows are read in id-ordered chunks straight into a preallocated memory-mapped file, never the whole
    table in a list. Safe to interrupt: the manifest still names the previous generation until the swap.
    """
    started = time.monotonic()
    ann_min_rows = int(getattr(settings, "MATCHING_ANN_MIN_ROWS", 200_000) if ann_min_rows is None else ann_min_rows)
    with _build_lock(kind, embedder) as locked:
        if not locked:
            return BuildResult(kind, embedder, 0, dim or 0, 0.0, False, "", skipped="another build is running")
        dim = dim or _dim_of(kind, embedder)
        mark = _vectors(kind, embedder).aggregate(newest=Max("embedded_at"))["newest"]
        if dim is None or mark is None:
            return BuildResult(kind, embedder, 0, dim or 0, 0.0, False, "", skipped="no vectors")
        source = _vectors(kind, embedder).filter(embedded_at__lte=mark)
        total = source.count()
        folder = kind_dir(kind, embedder)
        generation = f"gen-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{secrets.token_hex(3)}"
        path = folder / generation
        path.mkdir(parents=True)
        matrix = np.lib.format.open_memmap(path / "vectors.npy", mode="w+", dtype=np.float32, shape=(total, dim))
        ids = np.zeros(total, dtype=np.int64)
        public = np.zeros(total, dtype=bool)
        codes = {name: np.zeros(total, dtype=np.int32) for name in FACETS}
        code_of: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        row, last_pk = 0, None
        columns = ("document_id", "document__object_id", "vector", "document__is_public")
        while row < total:
            chunk = source.order_by("document_id")
            if last_pk is not None:
                chunk = chunk.filter(document_id__gt=last_pk)
            batch = list(chunk.values_list(*columns, *(f"document__{f}" for f in FACETS))[:BUILD_CHUNK])
            if not batch:
                break  # rows re-embedded meanwhile left the snapshot's range: the delta has them
            for pk, object_id, raw, is_public, *facet_values in batch:
                last_pk = pk
                vector = vector_from_bytes(raw)
                if vector.shape[0] != dim or row >= total:
                    continue  # another size under the same embedder name: skipped, as the store does
                matrix[row] = vector
                ids[row] = object_id
                public[row] = is_public
                for name, value in zip(FACETS, facet_values, strict=True):
                    known = code_of[name]
                    codes[name][row] = known.setdefault(value or "", len(known))
                row += 1
            if progress is not None:
                progress("vectors", row, total)
        matrix.flush()
        del matrix
        grouping = np.argsort(codes[GROUP_BY][:row], kind="stable")  # rows by field, then id
        _group_rows(path / "vectors.npy", grouping, progress=progress)
        ids, public = ids[:row][grouping], public[:row][grouping]
        order = np.argsort(ids, kind="stable")
        _save_small(path / "ids.npy", ids)
        _save_small(path / "public.npy", public)
        _save_small(path / "sorted_ids.npy", ids[order])
        _save_small(path / "sorted_rows.npy", order.astype(np.int64))
        for name in FACETS:
            width = np.uint8 if len(code_of[name]) < 256 else np.uint16 if len(code_of[name]) < 65536 else np.int32
            _save_small(path / f"facet-{name}.npy", codes[name][:row][grouping].astype(width))
        vectors_seconds = time.monotonic() - started
        ann = row >= ann_min_rows > 0
        if ann:
            _build_ann(path, rows=row, dim=dim, progress=progress)
        manifest = {
            "kind": kind,
            "embedder": embedder,
            "generation": generation,
            "rows": row,
            "dim": dim,
            "high_water": mark.isoformat(),
            "built_at": datetime.datetime.now(datetime.UTC).isoformat(),
            "build_seconds": round(time.monotonic() - started, 2),
            "vectors_seconds": round(vectors_seconds, 2),
            "ann": ann,
            "ann_dtype": ANN_DTYPE if ann else None,
            "facet_values": {name: list(code_of[name]) for name in FACETS},
        }
        previous = read_manifest(kind, embedder)
        temporary = folder / f".{MANIFEST}.{os.getpid()}"
        temporary.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, folder / MANIFEST)
        _remove_old_generations(folder, keep={generation, (previous or {}).get("generation", "")})
        return BuildResult(kind, embedder, row, dim, round(time.monotonic() - started, 2), ann, generation)


def _group_rows(path: Path, grouping: np.ndarray, *, progress: Progress | None) -> None:
    """Rewrite the matrix at `path` with its rows in the order `grouping` (chunk by chunk, not in memory)."""
    source = np.load(path, mmap_mode="r")
    temporary = path.with_name(f"grouped-{path.name}")
    target = np.lib.format.open_memmap(temporary, mode="w+", dtype=source.dtype, shape=(len(grouping), source.shape[1]))
    for start in range(0, len(grouping), BUILD_CHUNK * 10):
        stop = min(len(grouping), start + BUILD_CHUNK * 10)
        block = grouping[start:stop]
        ascending = np.argsort(block)  # read the source in file order
        rows = np.empty((len(block), source.shape[1]), dtype=source.dtype)
        rows[ascending] = source[block[ascending]]
        target[start:stop] = rows
        if progress is not None:
            progress("grouping", stop, len(grouping))
    target.flush()
    del target, source
    os.replace(temporary, path)


def _build_ann(path: Path, *, rows: int, dim: int, progress: Progress | None) -> None:
    from usearch.index import Index

    matrix = np.load(path / "vectors.npy", mmap_mode="r")
    index = Index(
        ndim=dim,
        metric="ip",  # the rows are unit vectors: inner product is the cosine
        dtype=ANN_DTYPE,
        connectivity=ANN_CONNECTIVITY,
        expansion_add=ANN_EXPANSION_ADD,
        expansion_search=ANN_EXPANSION_SEARCH,
    )
    # Rows go in shuffled: the matrix is grouped by field, and a graph built one cluster after another links
    # the clusters poorly (recall@10 at 1,000,000 bench rows: .88 added in row order, .92 shuffled; the build
    # took 238 s instead of 148).
    order = np.random.default_rng(ANN_SHUFFLE_SEED).permutation(rows)
    for start in range(0, rows, ANN_ADD_BATCH):
        stop = min(rows, start + ANN_ADD_BATCH)
        keys = np.sort(order[start:stop])
        index.add(keys.astype(np.uint64), np.asarray(matrix[keys]))
        if progress is not None:
            progress("hnsw", stop, rows)
    index.save(str(path / "hnsw.usearch"))


def _remove_old_generations(folder: Path, *, keep: set[str]) -> None:
    """Generations other than the current and the one it replaced (still mapped by readers until they look
    again); the replaced one goes at the next build. Unfinished builds go too (the build lock is held)."""
    for child in folder.iterdir():
        if child.is_dir() and child.name.startswith("gen-") and child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)
