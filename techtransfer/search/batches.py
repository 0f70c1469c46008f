"""Keeping one kind's index entries in step with its records: one record, a list of ids, or all of them.

Each app's search.py says which records (a queryset factory that loads everything its document function
reads) and how a record becomes a `Document`; the batching, the upserts and the removal of entries whose
record is gone are the same for every kind, so they live here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet

from techtransfer.search import api as search_api
from techtransfer.search.registry import Progress

BATCH_SIZE = 500


@dataclass(frozen=True)
class KindIndexer:
    kind: str
    # The records with everything `document` reads loaded, so a batch costs a fixed number of queries.
    records: Callable[[], QuerySet[Any]]
    document: Callable[[Any], search_api.Document]

    def reindex(self, object_id: int) -> None:
        """Bring the entry of one record up to date, or drop it if the record is gone."""
        record = self.records().filter(pk=object_id).first()
        if record is None:
            search_api.remove_document(self.kind, object_id)
        else:
            search_api.index_document(self.document(record))

    def reindex_ids(self, *, ids: Sequence[int], batch_size: int = BATCH_SIZE) -> int:
        """Index the given records in batches; ids that no longer exist are removed. Returns how many were indexed."""
        done = 0
        for start in range(0, len(ids), batch_size):
            chunk = list(ids[start : start + batch_size])
            batch = list(self.records().filter(pk__in=chunk))
            search_api.index_documents((self.document(record) for record in batch), batch_size=batch_size)
            for missing in set(chunk) - {record.pk for record in batch}:
                search_api.remove_document(self.kind, missing)
            done += len(batch)
        return done

    def reindex_all(self, *, progress: Progress | None = None, batch_size: int = BATCH_SIZE) -> int:
        """Index every record in batches (keyset pagination, bulk upserts) and drop entries whose record is gone.

        `progress(done, total)` is called after each batch. Returns how many records were indexed.
        """
        model: type[Model] = self.records().model
        total = model._default_manager.count()
        done, last_pk = 0, 0
        while True:
            batch = list(self.records().filter(pk__gt=last_pk).order_by("pk")[:batch_size])
            if not batch:
                break
            search_api.index_documents((self.document(record) for record in batch), batch_size=batch_size)
            done += len(batch)
            last_pk = batch[-1].pk
            if progress is not None:
                progress(done, max(total, done))
        search_api.remove_documents_except(self.kind, model._default_manager.values("pk"))
        return done
