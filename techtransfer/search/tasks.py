"""Jobs that keep the tantivy engine (search/engine_tantivy.py) in step with search_searchdocument.

With settings.SEARCH_ENGINE = "tantivy", apps.py connects the api's two signals to `engine_sync` and
`engine_remove` through the job runner (core/jobs). Both are safe to run twice. Each batch takes the
index's writer lock only for itself; a lock held elsewhere too long raises EngineBusy, and the db and
redis job backends run the job again later (the inline backend logs it; the next sync catches up on
upserts, as it reads everything changed since its high-water mark, not just what its signal named).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from techtransfer.core import jobs
from techtransfer.search import engine_tantivy as engine
from techtransfer.search.api import documents_indexed, documents_removed
from techtransfer.search.models import SearchDocument

SYNC_BATCH = 1000
REBUILD_BATCH = 20_000
REBUILD_HEAP = 256_000_000
# A sync re-reads the rows changed in this span before its high-water mark: a transaction that stamped
# `updated` before the last sync but committed after it is still picked up (an upsert is idempotent).
SYNC_OVERLAP = datetime.timedelta(minutes=2)

Progress = Callable[[int, int], None]


def _as_time(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


def _changed_rows(
    kind: str, since: datetime.datetime | None, after: tuple[datetime.datetime, int] | None, size: int
) -> list[Any]:
    rows = SearchDocument.objects.filter(kind=kind)
    if after is not None:
        rows = rows.filter(Q(updated__gt=after[0]) | Q(updated=after[0], id__gt=after[1]))
    elif since is not None:
        rows = rows.filter(updated__gte=since)
    return list(rows.order_by("updated", "id").values(*engine.ROW_FIELDS, "updated")[:size])


def engine_sync(kinds: Iterable[str] | None = None) -> int:
    """Copy the documents of `kinds` (default: every kind in the table) changed since the engine last saw
    them into the index, a committed batch at a time; returns how many were written."""
    if kinds is None:
        kinds = SearchDocument.objects.order_by().values_list("kind", flat=True).distinct()
    written = 0
    for kind in sorted(set(kinds)):
        after: tuple[datetime.datetime, int] | None = None
        size = SYNC_BATCH
        while True:
            with engine.writer() as handle:
                # Read under the lock, so that two processes syncing at once do not move the mark backwards.
                state = engine.read_state()
                mark = _as_time(state.get("synced", {}).get(kind))
                rows = _changed_rows(kind, mark - SYNC_OVERLAP if mark else None, after, size)
                if not rows:
                    break
                engine.upsert(handle, rows)
                handle.commit()
                newest = rows[-1]["updated"]
                state = engine.read_state()
                synced = state.setdefault("synced", {})
                if mark is None or newest > mark:
                    synced[kind] = newest.isoformat()
                engine.write_state(state)
            written += len(rows)
            after = (newest, rows[-1]["id"])
            # A backlog (a bulk load, the catch-up after a rebuild) goes in ever larger batches: in an index
            # of 1,000,000, 30,000 changed documents synced at 259/s a thousand at a time, at 1,804/s so.
            size = min(size * 2, REBUILD_BATCH) if len(rows) == size else SYNC_BATCH
    return written


def engine_remove(kind: str, object_ids: list[int]) -> None:
    """Take these documents out of the index."""
    if not object_ids:
        return
    with engine.writer() as handle:
        engine.delete(handle, kind, object_ids)
        handle.commit()


@dataclass(frozen=True)
class RebuildResult:
    indexed: int  # documents written by this run
    total: int  # documents in the table
    resumed_after_id: int  # 0 for a fresh start
    seconds: float

    @property
    def per_second(self) -> float:
        return self.indexed / self.seconds if self.seconds > 0 else 0.0


def rebuild_engine(
    *, batch_size: int = REBUILD_BATCH, restart: bool = False, progress: Progress | None = None
) -> RebuildResult:
    """Index every search document, in id order, a committed batch at a time.

    The last committed id is kept in the engine's state file, so a run that was interrupted (killed,
    Ctrl-C) resumes after it; `restart` (or a finished previous run) starts over from an emptied index.
    Documents changed meanwhile are picked up by the sync that follows: its mark is the rebuild's start.
    """
    began = time.perf_counter()
    state = engine.read_state()
    previous = state.get("rebuild") or {}
    fresh = restart or not previous or previous.get("finished")
    rebuild: dict[str, Any] = (
        {"last_id": 0, "started": timezone.now().isoformat(), "finished": False} if fresh else previous
    )
    resumed_after = int(rebuild["last_id"])
    total = SearchDocument.objects.count()
    done = SearchDocument.objects.filter(id__lte=resumed_after).count() if resumed_after else 0
    indexed = 0
    if progress is not None:
        progress(done, total)
    first = fresh
    while True:
        rows = list(
            SearchDocument.objects.filter(id__gt=rebuild["last_id"])
            .order_by("id")
            .values(*engine.ROW_FIELDS)[:batch_size]
        )
        if not rows and not first:
            break
        with engine.writer(heap_size=REBUILD_HEAP, num_threads=2) as handle:
            if first:
                handle.delete_all_documents()  # committed with the first batch: never an empty index alone
            engine.upsert(handle, rows)
            handle.commit()
            if rows:
                rebuild["last_id"] = rows[-1]["id"]
            state = engine.read_state()
            state["rebuild"] = rebuild
            engine.write_state(state)
        first = False
        indexed += len(rows)
        done += len(rows)
        if progress is not None:
            progress(done, total)
        if not rows:
            break
    with engine.writer() as handle:
        state = engine.read_state()
        rebuild["finished"] = True
        state["rebuild"] = rebuild
        kinds = SearchDocument.objects.order_by().values_list("kind", flat=True).distinct()
        state["synced"] = {**state.get("synced", {}), **dict.fromkeys(kinds, rebuild["started"])}
        engine.write_state(state)
    return RebuildResult(
        indexed=indexed, total=total, resumed_after_id=resumed_after, seconds=time.perf_counter() - began
    )


# --- signals ---------------------------------------------------------------------------------------------


def _on_indexed(sender: Any, *, kinds: Iterable[str], **kwargs: Any) -> None:
    jobs.enqueue("techtransfer.search.tasks.engine_sync", kinds=sorted(kinds))


def _on_removed(sender: Any, *, kind: str, object_ids: Iterable[int], **kwargs: Any) -> None:
    jobs.enqueue("techtransfer.search.tasks.engine_remove", kind=kind, object_ids=[int(i) for i in object_ids])


def connect_signals() -> None:
    documents_indexed.connect(_on_indexed, dispatch_uid="search_engine_sync")
    documents_removed.connect(_on_removed, dispatch_uid="search_engine_remove")


def disconnect_signals() -> None:
    documents_indexed.disconnect(dispatch_uid="search_engine_sync")
    documents_removed.disconnect(dispatch_uid="search_engine_remove")
