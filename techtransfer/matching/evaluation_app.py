"""Evaluation of the application's own matching engine on a JSONL corpus (`evaluate_matching --engine app`).

The corpus is written to the real search index (the configured database: SQLite FTS5 or PostgreSQL) and
embedded by the real indexing code, inside one transaction that is rolled back at the end, so the index is
throw-away and nothing stays behind. Every query then goes through `engine.match` three ways: lexical only,
semantic only, and the hybrid the pages use.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from django.db import transaction

from techtransfer.core import jobs
from techtransfer.matching import store
from techtransfer.matching.embeddings import Embedder
from techtransfer.matching.engine import Source, match
from techtransfer.matching.evaluation import CorpusDoc, EvalQuery, _top_grade_ids, metrics_mean, percentile
from techtransfer.matching.indexing import EMBED_BATCH, document_text, text_hash, vector_bytes
from techtransfer.matching.models import DocumentVector
from techtransfer.matching.vectors import VectorIndex
from techtransfer.search import api as search_api
from techtransfer.search.models import SearchDocument

KIND = "evaluation"
TOP = 10


def _write_corpus(corpus: Sequence[CorpusDoc]) -> None:
    search_api.index_documents(
        search_api.Document(
            kind=KIND,
            object_id=number,
            title=doc.title,
            body=doc.abstract,
            keywords=doc.keywords,
            field=doc.field[:64],
            is_public=True,
        )
        for number, doc in enumerate(corpus)
    )


def _embed_corpus(
    corpus: Sequence[CorpusDoc],
    embedder: Embedder,
    vectors_path: Path | None,
    progress: Callable[[int, int], None] | None,
) -> None:
    """Vectors of the indexed corpus, as the indexing code computes them (or from the cache file)."""
    docs = list(SearchDocument.objects.filter(kind=KIND).order_by("object_id"))
    ids = [corpus[doc.object_id].id for doc in docs]
    cached = VectorIndex.load(vectors_path) if vectors_path is not None and vectors_path.exists() else None
    if cached is not None and (cached.dim != embedder.dim or cached.ids != ids):
        cached = None
    if cached is None:
        cached = VectorIndex(dim=embedder.dim)
        for start in range(0, len(docs), EMBED_BATCH):
            batch = docs[start : start + EMBED_BATCH]
            cached.add(ids[start : start + len(batch)], embedder.embed([document_text(doc) for doc in batch]))
            if progress:
                progress(start + len(batch), len(docs))
        if vectors_path is not None:
            cached.save(vectors_path)
    DocumentVector.objects.bulk_create(
        [
            DocumentVector(
                document=doc,
                kind=KIND,
                embedder=embedder.name,
                text_hash=text_hash(document_text(doc)),
                vector=vector_bytes(vector),
                source_updated=doc.updated,
            )
            for doc, vector in zip(docs, cached.matrix, strict=True)
        ],
        batch_size=1000,
    )


def evaluate_app(
    *,
    corpus: Sequence[CorpusDoc],
    queries: Sequence[EvalQuery],
    embedder: Embedder,
    depth: int,
    progress: Callable[[int, int], None] | None = None,
    vectors_path: Path | None = None,
    runs_path: Path | None = None,
) -> dict[str, Any]:
    """The report `evaluate_matching` prints, measured on the application's engine."""
    with transaction.atomic():
        SearchDocument.objects.filter(kind=KIND).delete()  # a crashed earlier run cannot have left any, but
        started = time.perf_counter()
        with jobs.suppressed():  # the vectors are written below, not by the background job
            _write_corpus(corpus)
        _embed_corpus(corpus, embedder, vectors_path, progress)
        store.clear_cache()
        index_seconds = time.perf_counter() - started

        known = {doc.id for doc in corpus}
        runs: dict[str, list[list[str]]] = {"hybrid": [], "lexical": [], "semantic": []}
        relevants: list[dict[str, float]] = []
        query_ids: list[str] = []
        latencies_ms: list[float] = []
        for query in queries:
            if not _top_grade_ids(query.relevant) & known:
                continue  # its target is not in the corpus (see evaluation.evaluate)
            relevants.append({doc: grade for doc, grade in query.relevant.items() if doc in known})
            query_ids.append(query.id)
            tick = time.perf_counter()
            vector: np.ndarray = embedder.embed([query.text], is_query=True)[0]
            source = Source(text=query.text, vector=vector)
            hybrid = match(source, kind=KIND, limit=TOP, depth=depth, embedder=embedder)
            latencies_ms.append((time.perf_counter() - tick) * 1000)
            lexical = match(source, kind=KIND, limit=TOP, depth=depth, semantic=False, embedder=embedder)
            semantic = match(source, kind=KIND, limit=TOP, depth=depth, lexical=False, embedder=embedder)
            for name, found in (("hybrid", hybrid), ("lexical", lexical), ("semantic", semantic)):
                runs[name].append([corpus[m.object_id].id for m in found])
        transaction.set_rollback(True)
    store.clear_cache()
    if runs_path is not None:
        with runs_path.open("w", encoding="utf-8") as out:
            for number, query_id in enumerate(query_ids):
                row = {"query": query_id, **{name: found[number] for name, found in runs.items()}}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return {
        "hybrid": metrics_mean(runs["hybrid"], relevants),
        "lexical": metrics_mean(runs["lexical"], relevants),
        "semantic": metrics_mean(runs["semantic"], relevants),
        "index_seconds": round(index_seconds, 3),
        "query_p50_ms": round(percentile(latencies_ms, 50), 2),
        "query_p95_ms": round(percentile(latencies_ms, 95), 2),
    }
