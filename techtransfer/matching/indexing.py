"""Keeping the vectors up to date: incremental, batched and resumable.

Whatever writes the search index (a saved demand, a published achievement, a rebuild) sends
`documents_indexed`; a background job then embeds every document whose vector is missing, stale (the
document changed since) or made by another embedder. Each batch commits on its own, so an interrupted run
loses at most one batch and the next run starts where it stopped. A document whose text did not change
(only its status or facets did) is not embedded again: its vector is just marked current.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from techtransfer.core import jobs
from techtransfer.matching.embeddings import Embedder, get_embedder
from techtransfer.matching.models import DocumentVector
from techtransfer.search.generation import index_changed
from techtransfer.search.models import SearchDocument
from techtransfer.search.registry import Progress, kind_label

EMBED_BATCH = 64
# Sentence encoders read a few hundred tokens at most; the start of a long abstract says what it is about.
TEXT_CHARS = 600
STORED_DTYPE = np.float16  # half the bytes of float32; cosines move by about 1e-3


def document_text(doc: SearchDocument) -> str:
    """What is embedded: the title, then the keywords, then the start of the body."""
    keywords = doc.keywords.replace(" ", "、") if doc.keywords else ""
    parts = [doc.title, keywords, doc.body]
    return "\n".join(part for part in parts if part)[:TEXT_CHARS]


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def vector_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=STORED_DTYPE).tobytes()


def vector_from_bytes(raw: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(raw), dtype=STORED_DTYPE).astype(np.float32)


def pending_documents(embedder_name: str, kinds: list[str] | None = None) -> QuerySet[SearchDocument]:
    """Documents without a current vector from this embedder (none, or one older than the document)."""
    current = DocumentVector.objects.filter(
        document=OuterRef("pk"), embedder=embedder_name, source_updated__gte=OuterRef("updated")
    )
    qs = SearchDocument.objects.filter(~Exists(current))
    return qs.filter(kind__in=kinds) if kinds else qs


@dataclass(frozen=True)
class IndexProgress:
    total: int  # documents in the search index
    current: int  # with an up-to-date vector
    jobs_pending: int

    @property
    def pending(self) -> int:
        return self.total - self.current

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 else int(100 * self.current / self.total)


def index_progress(embedder_name: str | None = None) -> IndexProgress:
    embedder_name = embedder_name or get_embedder().name
    total = SearchDocument.objects.count()
    pending = pending_documents(embedder_name).count()
    return IndexProgress(total=total, current=total - pending, jobs_pending=jobs.jobs_progress().pending)


@dataclass(frozen=True)
class KindProgress:
    """One kind of document in the index (achievements, demands...), named for people."""

    kind: str
    label: str
    total: int
    pending: int


def index_progress_by_kind(embedder_name: str | None = None) -> list[KindProgress]:
    """Documents and documents still waiting for a vector, per kind, in the order of their labels."""
    embedder_name = embedder_name or get_embedder().name
    totals = dict(SearchDocument.objects.values_list("kind").annotate(n=Count("pk")).order_by())
    pending = dict(pending_documents(embedder_name).values_list("kind").annotate(n=Count("pk")).order_by())
    rows = [KindProgress(kind, kind_label(kind), total, pending.get(kind, 0)) for kind, total in totals.items()]
    return sorted(rows, key=lambda row: row.label)


def _embed_batch(docs: list[SearchDocument], embedder: Embedder) -> tuple[int, int]:
    """Write current vectors for `docs`; returns (embedded, only re-stamped)."""
    existing = dict(
        DocumentVector.objects.filter(document__in=docs, embedder=embedder.name).values_list("document_id", "text_hash")
    )
    texts = {doc.pk: document_text(doc) for doc in docs}
    hashes = {pk: text_hash(text) for pk, text in texts.items()}
    to_embed = [doc for doc in docs if existing.get(doc.pk) != hashes[doc.pk]]
    unchanged = [doc for doc in docs if doc not in to_embed]
    rows: list[DocumentVector] = []
    if to_embed:
        matrix = embedder.embed([texts[doc.pk] for doc in to_embed])
        rows = [
            DocumentVector(
                document=doc,
                kind=doc.kind,
                embedder=embedder.name,
                text_hash=hashes[doc.pk],
                vector=vector_bytes(vector),
                source_updated=doc.updated,
            )
            for doc, vector in zip(to_embed, matrix, strict=True)
        ]
    with transaction.atomic():
        if rows:
            DocumentVector.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["document", "embedder"],
                update_fields=["kind", "text_hash", "vector", "source_updated", "embedded_at"],
            )
        for doc in unchanged:
            # Same text, new version (a status or facet change): the vector stands, its version moves on.
            DocumentVector.objects.filter(document=doc, embedder=embedder.name).update(
                source_updated=doc.updated, embedded_at=timezone.now()
            )
    if any(doc.is_public for doc in to_embed):
        index_changed()  # cached match panels used the vectors before these (a visibility change bumped it already)
    return len(rows), len(unchanged)


def embed_pending(
    *,
    kinds: list[str] | None = None,
    embedder: Embedder | None = None,
    batch_size: int = EMBED_BATCH,
    limit: int | None = None,
    progress: Progress | None = None,
) -> int:
    """Embed every pending document (or the first `limit`), a batch per transaction; returns how many.

    Walks the pending documents in id order from where the last batch ended, so a document that keeps
    failing, or one changed while the run goes on, cannot hold the run in a loop.
    """
    embedder = embedder or get_embedder()
    total = pending_documents(embedder.name, kinds).count()
    if limit is not None:
        total = min(total, limit)
    done, last_pk = 0, 0
    while done < total:
        size = min(batch_size, total - done)
        batch = list(pending_documents(embedder.name, kinds).filter(pk__gt=last_pk).order_by("pk")[:size])
        if not batch:
            break
        _embed_batch(batch, embedder)
        done += len(batch)
        last_pk = batch[-1].pk
        if progress is not None:
            progress(done, total)
    return done
