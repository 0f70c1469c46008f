#!/usr/bin/env python
"""Benchmark: the matching engine's index build rate, query speed and memory at 100,000 and 1,000,000 records.

    nice -n 10 .venv/bin/python bench/matching_scale.py --docs 100000            # SQLite (var/bench/)
    nice -n 10 .venv/bin/python bench/matching_scale.py --docs 1000000 --reuse   # resume / reuse a built DB
    nice -n 10 .venv/bin/python bench/matching_scale.py --docs 100000 --reuse --blas-threads 1  # 1 BLAS thread
    nice -n 10 .venv/bin/python bench/matching_scale.py --docs 100000 \
        --database-url postgres://postgres@127.0.0.1:5432/tt_bench_match          # PostgreSQL

Three parts, in a throw-away database:
1. Build rate, real records: the first `--real` CSL papers (title, keywords, abstract) are written as
   search documents of kind "bench" through search_api.index_documents (segmentation + full-text index),
   then embedded with `embed_pending` and the real embedder (fuse, 512-d) in committed batches. The
   embedding run is interrupted on purpose part-way (an exception from the progress callback) and run
   again, to show that the second run embeds only what the first left pending.
2. Scale: synthetic documents up to `--docs`. Their texts recombine the CSL titles (first half of one,
   second half of another of the same discipline), keywords and abstract sentences with a seeded RNG, so
   the full-text index sees realistic Chinese term statistics. Their vectors are not embedded: each is the
   real fuse vector of its base paper mixed with its partner's, plus small seeded noise, re-normalised,
   written directly as DocumentVector rows (float16). Each chunk (documents + vectors) commits on its own;
   an interrupted run resumes after the last chunk with `--reuse`.
3. Queries, in a fresh process (so that its peak RSS is the query server's, not the loader's): the first
   load of the vector store, then ~200 held-out CSL titles (from the train split, never in the corpus) and
   20 English queries through `engine.match` — hybrid, lexical only, semantic only, and hybrid with a field
   filter — plus a profile of the parts (query embedding, store freshness check, matrix product, lexical SQL).

Results go to bench/results/matching_scale-<vendor>-<docs>[-blas<n>].json and the "Matching engine: speed
and memory" section of BENCHMARKS.md is regenerated from every such file. OpenBLAS threading decides much of
the embedding and query time on a busy machine, so `--blas-threads` measures the same database with another
setting (the table says which setting the build and the queries ran with).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KIND = "bench"
DATA = ROOT.parent / "shared" / "data" / "csl"
RESULTS = ROOT / "bench" / "results"
CHUNK = 5000  # synthetic documents per committed chunk
NOISE = 0.012  # per-dimension standard deviation of the noise added to a synthetic vector (512-d unit vectors)
PARTNER_WEIGHT = 0.35  # share of the partner paper's vector in a synthetic document's vector
DISTRICTS = ["110101", "110102", "110105", "110106", "110107", "110108", "110109", "110111", "110112", "110114"]
# Free-text queries in English (the corpus is Chinese: the lexical side finds little, the semantic side
# is cross-lingual), each with the CSL category used for the filtered run.
ENGLISH_QUERIES = [
    ("deep learning for image recognition", "工学"),
    ("lithium battery electrode materials", "工学"),
    ("membrane treatment of industrial wastewater", "工学"),
    ("drought resistance and crop yield", "农学"),
    ("finite element analysis of bridge structures", "工学"),
    ("traffic flow prediction with neural networks", "工学"),
    ("gene expression in tumour cells", "医学"),
    ("fault diagnosis in power grids", "工学"),
    ("remediation of heavy metal pollution in soil", "农学"),
    ("education policy in rural schools", "教育学"),
    ("carbon emissions and economic growth", "经济学"),
    ("clinical trial of traditional Chinese medicine", "医学"),
    ("land use classification from remote sensing images", "理学"),
    ("path planning for mobile robots", "工学"),
    ("corrosion resistant coatings for steel", "工学"),
    ("supply chain management and inventory", "管理学"),
    ("energy efficiency of wireless sensor networks", "工学"),
    ("strength of concrete at high temperature", "工学"),
    ("risk factors of type 2 diabetes", "医学"),
    ("image encryption with chaotic systems", "工学"),
]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000, help="Documents in the index (real + synthetic).")
    parser.add_argument("--real", type=int, default=1000, help="Real CSL records embedded for the build rate.")
    parser.add_argument("--queries", type=int, default=200, help="Held-out CSL titles (plus 20 English queries).")
    parser.add_argument("--profile-queries", type=int, default=100, help="Queries used for the parts profile.")
    parser.add_argument("--embedder", default="fuse")
    parser.add_argument("--embed-batch", type=int, default=None, help="Default: indexing.EMBED_BATCH.")
    parser.add_argument("--body-sentences", type=int, default=3, help="Abstract sentences per synthetic body.")
    parser.add_argument("--database-url", default=None, help="Default: sqlite:///var/bench/matching-<docs>.sqlite3")
    parser.add_argument("--reuse", action="store_true", help="Keep the database: resume or reuse what is built.")
    parser.add_argument(
        "--blas-threads",
        type=int,
        help="Set OPENBLAS_NUM_THREADS (and OMP/MKL) for this run; default: the library's (one per core).",
    )
    parser.add_argument(
        "--search-engine", choices=["database", "tantivy"], default="database",
        help="The lexical side's engine while querying (tantivy: built from the documents with rebuild_search_engine).",
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-markdown", action="store_true", help="Do not update BENCHMARKS.md.")
    parser.add_argument("--query-only", metavar="OUT", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args(argv)
    if args.database_url is None:
        # One database per embedder: a --reuse run must not find another embedder's vectors.
        suffix = f"-{args.embedder}" if args.embedder != "fuse" else ""
        args.database_url = f"sqlite:///{ROOT / 'var' / 'bench' / f'matching-{args.docs}{suffix}.sqlite3'}"
    return args


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(values: Sequence[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(values, 0.50), 1),
        "p95": round(percentile(values, 0.95), 1),
        "max": round(max(values), 1) if values else float("nan"),
        "n": len(values),
    }


def rss_mb() -> dict[str, int]:
    """Peak (getrusage) and current (VmRSS) resident memory of this process, MB."""
    current = 0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                current = int(line.split()[1]) // 1024
    except OSError:
        pass
    figures = {"peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, "current": current}
    figures.update(private_mb())
    return figures


def private_mb() -> dict[str, int]:
    """This process's own memory, MB: anonymous (RssAnon) and private (smaps_rollup Private_*), and what it
    maps from files (RssFile: the shared vector snapshot shows here, held once in the page cache)."""
    figures: dict[str, int] = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("RssAnon", "RssFile"):
                figures[name.lower().replace("rss", "rss_")] = int(value.split()[0]) // 1024
        private = 0
        for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("Private_Clean", "Private_Dirty"):
                private += int(value.split()[0])
        figures["private"] = private // 1024
    except OSError:
        pass
    return figures


# --- data -----------------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[。；;！？!?])|(?<=[^\d\s]\.)(?=\D)")


def load_csl(limit: int | None = None) -> list[dict[str, Any]]:
    """The CSL dev papers (title, abstract, keywords, discipline, category), in file order."""
    with (DATA / "csl_dev.jsonl").open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return rows[:limit] if limit else rows


def load_queries(count: int, seed: int) -> list[tuple[str, str]]:
    """(text, category): `count` CSL train titles (held out: the corpus is built from the dev split), seeded
    sample, then the English queries."""
    with (DATA / "csl_train_titles.tsv").open(encoding="utf-8") as handle:
        next(handle)
        titles = [(t, c) for _, t, c in (line.rstrip("\n").split("\t") for line in handle if line.strip()) if t]
    rng = random.Random(seed)
    return rng.sample(titles, min(count, len(titles))) + ENGLISH_QUERIES


def real_documents(rows: Sequence[dict[str, Any]], seed: int) -> list[Any]:
    """The CSL papers as search documents of kind "bench", object ids 1..len(rows)."""
    from techtransfer.search.api import Document

    rng = random.Random(seed)
    published = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    return [
        Document(
            kind=KIND,
            object_id=number,
            title=row["title"],
            body=row.get("abstract") or "",
            keywords=row.get("keywords") or [],
            field=row.get("category") or "",
            district=rng.choice(DISTRICTS),
            is_public=True,
            published_at=published,
        )
        for number, row in enumerate(rows, start=1)
    ]


@dataclass
class Material:
    """What synthetic documents are made of: the real papers' parts, grouped by discipline."""

    rows: list[dict[str, Any]]
    title_terms: list[list[str]]
    sentences: dict[str, list[str]]  # discipline -> abstract sentences
    by_discipline: dict[str, list[int]]  # discipline -> row indexes

    @classmethod
    def from_rows(cls, rows: list[dict[str, Any]]) -> Material:
        import rjieba

        sentences: dict[str, list[str]] = defaultdict(list)
        by_discipline: dict[str, list[int]] = defaultdict(list)
        for index, row in enumerate(rows):
            discipline = row.get("discipline") or ""
            by_discipline[discipline].append(index)
            for sentence in _SENTENCE_END.split(row.get("abstract") or ""):
                if len(sentence.strip()) >= 8:
                    sentences[discipline].append(sentence.strip())
        return cls(
            rows=rows,
            title_terms=[list(rjieba.cut(row["title"])) for row in rows],
            sentences=dict(sentences),
            by_discipline=dict(by_discipline),
        )


def synthetic_chunk(
    material: Material, start: int, stop: int, *, seed: int, body_sentences: int
) -> tuple[list[Any], list[int], list[int]]:
    """Documents with object ids start..stop-1 and, for each, its base and partner paper (row indexes).

    Deterministic per chunk start, so a resumed run writes what an uninterrupted one would have."""
    from techtransfer.search.api import Document

    rng = random.Random(f"{seed}:{start}")
    published = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    docs, bases, partners = [], [], []
    count = len(material.rows)
    for object_id in range(start, stop):
        base = rng.randrange(count)
        row = material.rows[base]
        discipline = row.get("discipline") or ""
        partner = rng.choice(material.by_discipline[discipline])
        head, tail = material.title_terms[base], material.title_terms[partner]
        title = "".join(head[: max(1, len(head) // 2)] + tail[len(tail) // 2 :])
        pool = list(dict.fromkeys([*(row.get("keywords") or []), *(material.rows[partner].get("keywords") or [])]))
        keywords = rng.sample(pool, min(len(pool), rng.randint(3, 5)))
        sentences = material.sentences.get(discipline) or [row.get("abstract") or ""]
        body = "".join(rng.choice(sentences) for _ in range(body_sentences))
        docs.append(
            Document(
                kind=KIND,
                object_id=object_id,
                title=title,
                body=body,
                keywords=keywords,
                field=row.get("category") or "",
                district=rng.choice(DISTRICTS),
                is_public=True,
                published_at=published + datetime.timedelta(minutes=object_id),
            )
        )
        bases.append(base)
        partners.append(partner)
    return docs, bases, partners


def synthetic_vectors(base: Any, bases: list[int], partners: list[int], *, seed: int, start: int) -> Any:
    """Each row: the base paper's real vector mixed with the partner's, plus seeded noise, unit length."""
    import numpy as np

    rng = np.random.default_rng([seed, start])
    mixed = (1 - PARTNER_WEIGHT) * base[bases] + PARTNER_WEIGHT * base[partners]
    mixed += rng.normal(0.0, NOISE, size=mixed.shape).astype(np.float32)
    return mixed / np.linalg.norm(mixed, axis=1, keepdims=True)


# --- part 1: build rate on real records --------------------------------------------------------------


class Interrupted(Exception):
    """Raised from the progress callback to stop an embedding run part-way, as a crash or Ctrl-C would."""


def build_phase(rows: list[dict[str, Any]], *, embedder: Any, batch_size: int, seed: int) -> dict[str, Any]:
    """Index the real records (lexical), then embed them in two runs, the first interrupted part-way."""
    from techtransfer.core import jobs
    from techtransfer.matching.indexing import embed_pending, pending_documents
    from techtransfer.matching.models import DocumentVector
    from techtransfer.search import api as search_api

    docs = real_documents(rows, seed)
    load_before = os.getloadavg()[0]
    started, cpu = time.perf_counter(), time.process_time()
    with jobs.suppressed():
        written = search_api.index_documents(docs)
    lexical_seconds = time.perf_counter() - started
    lexical_cpu = time.process_time() - cpu

    started = time.perf_counter()
    embedder.embed(["预热 warm-up"])  # loads the model; timed apart from the indexing
    model_load_seconds = time.perf_counter() - started

    stop_at = max(1, (len(docs) * 2 // 5) // batch_size) * batch_size  # about 40%, at a batch boundary

    def interrupt(done: int, total: int) -> None:
        if done >= stop_at:
            raise Interrupted

    started, cpu = time.perf_counter(), time.process_time()
    try:
        embed_pending(kinds=[KIND], embedder=embedder, batch_size=batch_size, progress=interrupt)
    except Interrupted:
        pass
    first_seconds = time.perf_counter() - started
    after_first = DocumentVector.objects.filter(kind=KIND, embedder=embedder.name).count()
    pending_after_first = pending_documents(embedder.name, [KIND]).count()

    started = time.perf_counter()
    second = embed_pending(kinds=[KIND], embedder=embedder, batch_size=batch_size)
    second_seconds = time.perf_counter() - started
    third = embed_pending(kinds=[KIND], embedder=embedder, batch_size=batch_size)
    embed_seconds = first_seconds + second_seconds
    embed_cpu = time.process_time() - cpu  # includes the third (empty) run: a few queries
    chars = sum(len(row["title"]) + len(row.get("abstract") or "") for row in rows)
    return {
        "records": written,
        "mean_chars": round(chars / max(1, len(rows))),
        "embedder": embedder.name,
        "dim": embedder.dim,
        "batch_size": batch_size,
        "lexical_seconds": round(lexical_seconds, 2),
        "lexical_per_second": round(written / lexical_seconds, 1),
        "model_load_seconds": round(model_load_seconds, 2),
        "embed_seconds": round(embed_seconds, 2),
        "embed_per_second": round(written / embed_seconds, 1),
        "total_per_second": round(written / (lexical_seconds + embed_seconds), 1),
        # CPU seconds of this process (all its threads): what the work costs whatever else runs on the machine.
        "lexical_cpu_seconds": round(lexical_cpu, 2),
        "lexical_per_cpu_second": round(written / max(lexical_cpu, 1e-6)),
        "embed_cpu_seconds": round(embed_cpu, 2),
        "embed_per_cpu_second": round(written / max(embed_cpu, 1e-6), 1),
        "total_per_cpu_second": round(written / max(lexical_cpu + embed_cpu, 1e-6), 1),
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "resume": {
            "interrupted_at": stop_at,
            "vectors_after_interruption": after_first,
            "pending_after_interruption": pending_after_first,
            "embedded_by_second_run": second,
            "embedded_by_third_run": third,
        },
    }


def real_vectors(count: int, embedder_name: str, dim: int) -> Any:
    """The stored vectors of the real records, row i = object id i + 1."""
    import numpy as np

    from techtransfer.matching.indexing import vector_from_bytes
    from techtransfer.matching.models import DocumentVector

    matrix = np.zeros((count, dim), dtype=np.float32)
    found = 0
    for object_id, raw in DocumentVector.objects.filter(
        kind=KIND, embedder=embedder_name, document__object_id__lte=count
    ).values_list("document__object_id", "vector"):
        matrix[object_id - 1] = vector_from_bytes(raw)
        found += 1
    if found != count:
        raise RuntimeError(f"Expected {count} real vectors, found {found}: run without --reuse.")
    return matrix


# --- part 2: the synthetic scale corpus ---------------------------------------------------------------


def write_synthetic(
    material: Material,
    base: Any,
    *,
    total: int,
    embedder_name: str,
    seed: int,
    body_sentences: int,
    chunk: int = CHUNK,
    progress: Callable[[int, int, float], None] | None = None,
) -> dict[str, Any]:
    """Write documents len(rows)+1..total and their vectors, a committed chunk at a time, resuming after
    the highest object id already written. Returns counts and timings of this run."""
    from django.db import transaction
    from django.db.models import Max

    from techtransfer.core import jobs
    from techtransfer.matching.indexing import document_text, text_hash, vector_bytes
    from techtransfer.matching.models import DocumentVector
    from techtransfer.search import api as search_api
    from techtransfer.search.models import SearchDocument

    first = len(material.rows) + 1
    highest = SearchDocument.objects.filter(kind=KIND).aggregate(m=Max("object_id"))["m"] or 0
    start = max(first, highest + 1)
    resumed_from = start
    seconds = {"generate": 0.0, "index_documents": 0.0, "vectors": 0.0}
    written = 0
    began = time.perf_counter()
    while start <= total:
        stop = min(total + 1, start + chunk - (start - first) % chunk)  # chunk boundaries fixed by `first`
        t0 = time.perf_counter()
        docs, bases, partners = synthetic_chunk(material, start, stop, seed=seed, body_sentences=body_sentences)
        matrix = synthetic_vectors(base, bases, partners, seed=seed, start=start)
        t1 = time.perf_counter()
        with transaction.atomic(), jobs.suppressed():
            search_api.index_documents(docs)
            t2 = time.perf_counter()
            rows = SearchDocument.objects.filter(kind=KIND, object_id__gte=start, object_id__lt=stop).only(
                "id", "object_id", "title", "keywords", "body", "updated"
            )
            vectors = []
            for doc in rows:
                vectors.append(
                    DocumentVector(
                        document_id=doc.pk,
                        kind=KIND,
                        embedder=embedder_name,
                        text_hash=text_hash(document_text(doc)),
                        vector=vector_bytes(matrix[doc.object_id - start]),
                        source_updated=doc.updated,
                    )
                )
            DocumentVector.objects.bulk_create(vectors, batch_size=1000)
        t3 = time.perf_counter()
        seconds["generate"] += t1 - t0
        seconds["index_documents"] += t2 - t1
        seconds["vectors"] += t3 - t2
        written += stop - start
        start = stop
        if progress is not None:
            progress(start - 1, total, time.perf_counter() - began)
    elapsed = time.perf_counter() - began
    return {
        "resumed_from": resumed_from,
        "written": written,
        "seconds": round(elapsed, 1),
        "per_second": round(written / elapsed, 1) if written else None,
        "parts_seconds": {k: round(v, 1) for k, v in seconds.items()},
    }


# --- part 3: queries ---------------------------------------------------------------------------------


def _timed(func: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = func()
    return (time.perf_counter() - started) * 1000, result


def _timed_cpu(func: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall ms, CPU ms of this process, result)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = func()
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000, result


def query_phase(queries: list[tuple[str, str]], *, embedder_name: str, profile_queries: int = 100) -> dict[str, Any]:
    """Load the vector store, then time engine.match over `queries` four ways, and profile its parts."""
    from django.db.models import Max

    from techtransfer.matching import store
    from techtransfer.matching.embeddings import get_embedder
    from techtransfer.matching.engine import DEPTH, Source, key_terms, match
    from techtransfer.search import api as search_api

    embedder = get_embedder(embedder_name)
    memory = {"after_setup": rss_mb()}
    load_model_ms, _ = _timed(lambda: embedder.embed(["预热 warm-up"], is_query=True))
    memory["after_model"] = rss_mb()
    store.clear_cache()
    first_vector = embedder.embed([queries[0][0]], is_query=True)[0]
    # A fresh process: map the snapshot, read the delta over it, answer the first semantic search.
    load_ms, vectors = _timed(lambda: store.kind_vectors(KIND, embedder=embedder.name, dim=embedder.dim))
    memory["after_store"] = rss_mb()
    first_search_ms, _ = _timed(lambda: vectors.search(first_vector, k=DEPTH))
    memory["after_first_search"] = rss_mb()
    refresh_ms, _ = _timed(lambda: store.kind_vectors(KIND, embedder=embedder.name, dim=embedder.dim))

    first_match_ms, _ = _timed(lambda: match(Source(text=queries[1][0]), kind=KIND))  # also warms the DB caches
    memory["after_first_match"] = rss_mb()
    runs: dict[str, Callable[[str, str], Any]] = {
        "hybrid": lambda text, field: match(Source(text=text), kind=KIND),
        "lexical": lambda text, field: match(Source(text=text), kind=KIND, semantic=False),
        "semantic": lambda text, field: match(Source(text=text), kind=KIND, lexical=False),
        "hybrid_filter": lambda text, field: match(Source(text=text), kind=KIND, filters={"field": [field]}),
    }
    timings: dict[str, dict[str, float]] = {}
    cpu_timings: dict[str, dict[str, float]] = {}
    found: dict[str, int] = {}
    load_before = os.getloadavg()[0]
    for name, run in runs.items():
        latencies, cpu_times, empty = [], [], 0
        for text, field in queries:
            ms, cpu_ms, result = _timed_cpu(lambda text=text, field=field, run=run: run(text, field))
            latencies.append(ms)
            cpu_times.append(cpu_ms)
            empty += not result
        timings[name] = summary_ms(latencies)
        cpu_timings[name] = summary_ms(cpu_times)
        found[name] = len(queries) - empty
        log(f"  {name}: p50 {timings[name]['p50']} ms, p95 {timings[name]['p95']} ms")
    timings["hybrid_english"] = summary_ms(
        [_timed(lambda text=text: match(Source(text=text), kind=KIND))[0] for text, _ in ENGLISH_QUERIES]
    )

    # Where the time goes: each part of match() on its own, over the first `profile_queries` queries.
    parts: dict[str, list[float]] = defaultdict(list)
    sample = queries[:profile_queries]
    for text, field in sample:
        terms = key_terms(text, title=text.split("\n", 1)[0])
        ms, vector = _timed(lambda text=text: embedder.embed([text[:600]], is_query=True)[0])
        parts["query embedding"].append(ms)
        # The store asks whether the table changed at most every MATCHING_STORE_CHECK_SECONDS (the newest
        # vector: an index look-up) and counts the rows every MATCHING_STORE_RECOUNT_SECONDS (finds deletions).
        parts["store freshness query (newest vector)"].append(
            _timed(lambda: store._vectors(KIND, embedder.name).aggregate(newest=Max("embedded_at")))[0]
        )
        parts["store recount (every 10 min)"].append(_timed(lambda: store._vectors(KIND, embedder.name).count())[0])
        parts["matrix product + top-k"].append(_timed(lambda vector=vector: vectors.search(vector, k=DEPTH))[0])
        parts["matrix product + top-k, field filter"].append(
            _timed(lambda vector=vector, field=field: vectors.search(vector, k=DEPTH, filters={"field": [field]}))[0]
        )
        if terms:
            query = " ".join(terms)
            parts["lexical SQL (search_api.search)"].append(
                _timed(lambda query=query: search_api.search(query, kind=KIND, limit=DEPTH))[0]
            )
            parts["lexical SQL, field filter"].append(
                _timed(
                    lambda query=query, field=field: search_api.search(
                        query, kind=KIND, filters={"field": [field]}, limit=DEPTH
                    )
                )[0]
            )
    index = index_measures(queries, embedder=embedder, vectors=vectors)
    index["first_search_ms"] = round(first_search_ms, 1)
    index["first_match_ms"] = round(first_match_ms, 1)
    index["open_ms"] = round(load_ms, 1)
    return {
        "index": index,
        "queries": len(queries),
        "blas_threads": blas_threads(),
        "english_queries": len(ENGLISH_QUERIES),
        "model_load_ms": round(load_model_ms),
        "store_rows": len(vectors),
        "store_matrix_mb": round((vectors.snapshot_bytes + vectors.delta_bytes) / 2**20),
        "store_load_seconds": round(load_ms / 1000, 2),
        "store_refresh_ms": round(refresh_ms, 1),
        "memory_mb": memory,
        "match_ms": timings,
        "match_cpu_ms": cpu_timings,
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "queries_with_results": found,
        "parts_ms": {name: summary_ms(values) for name, values in parts.items()},
    }


def index_measures(queries: list[tuple[str, str]], *, embedder: Any, vectors: Any) -> dict[str, Any]:
    """The shared snapshot's semantic side: HNSW against exact search over the mapped matrix (speed and
    recall@10 / @100), hybrid with exact search, and the old in-memory store (its load time and memory)."""
    import numpy as np

    from techtransfer.matching import store
    from techtransfer.matching.engine import DEPTH, Source, match

    snapshot = vectors.snapshot
    if snapshot is None:
        return {"snapshot": False}
    query_vectors = embedder.embed([text[:600] for text, _ in queries], is_query=True)
    fields = [field for _, field in queries]
    ann = snapshot.ann
    figures: dict[str, Any] = {
        "snapshot": True,
        "rows": len(snapshot),
        "delta_rows": len(vectors.delta),
        "ann": ann is not None,
        "matrix_mb": round(vectors.snapshot_bytes / 2**20),
    }
    semantic: dict[str, dict[str, float]] = {}
    results: dict[str, list[list[int]]] = {}

    def run(name: str, *, filtered: bool) -> None:
        latencies, found = [], []
        for vector, field in zip(query_vectors, fields, strict=True):
            filters = {"field": [field]} if filtered else {}
            ms, hits = _timed(lambda v=vector, f=filters: vectors.search(v, k=DEPTH, filters=f))
            latencies.append(ms)
            found.append([object_id for object_id, _ in hits])
        semantic[name] = summary_ms(latencies)
        results[name] = found
        log(f"  semantic {name}: p50 {semantic[name]['p50']} ms, p95 {semantic[name]['p95']} ms")

    if ann is not None:
        run("hnsw", filtered=False)
        run("hnsw_filter", filtered=True)
    snapshot.ann = None  # the same snapshot searched exactly
    run("exact_mmap", filtered=False)
    run("exact_mmap_filter", filtered=True)
    hybrid_exact = [_timed(lambda text=text: match(Source(text=text), kind=KIND))[0] for text, _ in queries]
    figures["hybrid_exact_ms"] = summary_ms(hybrid_exact)
    log(
        f"  hybrid, exact search: p50 {figures['hybrid_exact_ms']['p50']} ms, p95 {figures['hybrid_exact_ms']['p95']} ms"
    )
    snapshot.ann = ann

    def recall(approximate: list[list[int]], exact: list[list[int]], k: int) -> float:
        shares = [
            len(set(a[:k]) & set(e[:k])) / max(1, min(k, len(e))) for a, e in zip(approximate, exact, strict=True)
        ]
        return round(float(np.mean(shares)), 4)

    if ann is not None:
        figures["recall"] = {
            "at10": recall(results["hnsw"], results["exact_mmap"], 10),
            "at100": recall(results["hnsw"], results["exact_mmap"], 100),
            "at10_field_filter": recall(results["hnsw_filter"], results["exact_mmap_filter"], 10),
        }
        log(f"  HNSW recall: {figures['recall']}")

    # The store as it was: every vector read into this process's memory.
    before = private_mb()
    started = time.perf_counter()
    old = store.KindVectors(kind=KIND, embedder=embedder.name, dim=embedder.dim)
    old.load()
    figures["in_memory_load_seconds"] = round(time.perf_counter() - started, 2)
    after = private_mb()
    figures["in_memory_anon_growth_mb"] = after.get("rss_anon", 0) - before.get("rss_anon", 0)
    figures["in_memory_semantic_ms"] = summary_ms(
        [_timed(lambda v=vector: old.search(v, k=DEPTH))[0] for vector in query_vectors]
    )
    figures["semantic_ms"] = semantic
    return figures


# --- database --------------------------------------------------------------------------------------


def fresh_database(url: str) -> None:
    """Start from an empty database."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_exists(url: str) -> bool:
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///")).exists()
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def database_mb(url: str) -> float:
    from django.db import connection

    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        return round(
            sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists()) / 2**20
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return round(cursor.fetchone()[0] / 2**20)


def engine_version() -> str:
    """The commit the engine's code was read from, "+changes" when its files differ from it (read-only git)."""
    paths = ["techtransfer/matching", "techtransfer/search"]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", *paths], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if changed else "")


def blas_threads() -> str:
    return os.environ.get("OPENBLAS_NUM_THREADS", "default")


def setup_django(args: argparse.Namespace) -> None:
    if args.blas_threads:  # read by OpenBLAS when numpy is first imported: set before anything imports it
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[name] = str(args.blas_threads)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "techtransfer.settings"
    os.environ["MATCHING_EMBEDDER"] = args.embedder
    os.environ["MATCHING_INDEX_DIR"] = str(index_dir(args))
    os.environ["SEARCH_INDEX_DIR"] = str(index_dir(args).with_name(index_dir(args).name.replace("vectors-", "search-")))
    if args.query_only and args.search_engine == "tantivy":  # the build writes the database; queries read tantivy
        os.environ["SEARCH_ENGINE"] = "tantivy"
    if args.database_url.startswith("sqlite:///"):
        # SQLite has one writer at a time: no vector can commit with a stamp older than the newest one seen,
        # so the delta needs no safety margin (with one, the last 30 s of the bulk write would be the delta).
        os.environ["MATCHING_INDEX_MARGIN_SECONDS"] = "0"
    import django

    django.setup()


def index_dir(args: argparse.Namespace) -> Path:
    """The vector snapshots of this benchmark database (MATCHING_INDEX_DIR), beside it under var/bench/."""
    name = re.sub(r"[^\w.-]+", "_", args.database_url.rsplit("/", 1)[-1])
    return ROOT / "var" / "bench" / f"vectors-{name}"


def build_index(embedder: Any) -> dict[str, Any]:
    """Write the shared snapshot of the bench kind, HNSW included whatever the row count (to measure it)."""
    from techtransfer.matching.vector_index import build_snapshot, kind_dir, read_manifest

    last = {"stage": "", "at": 0.0}

    def progress(stage: str, done: int, total: int) -> None:
        if stage != last["stage"] or time.monotonic() - last["at"] > 30 or done == total:
            log(f"  snapshot {stage}: {done:,}/{total:,}")
            last.update(stage=stage, at=time.monotonic())

    load_before = os.getloadavg()[0]
    result = build_snapshot(KIND, embedder.name, dim=embedder.dim, ann_min_rows=1, progress=progress)
    manifest = read_manifest(KIND, embedder.name) or {}
    folder = kind_dir(KIND, embedder.name) / result.generation
    sizes = {p.name: round(p.stat().st_size / 2**20, 1) for p in folder.iterdir()}
    return {
        "rows": result.rows,
        "seconds": result.seconds,
        "vectors_seconds": manifest.get("vectors_seconds"),
        "ann_seconds": round(result.seconds - (manifest.get("vectors_seconds") or 0), 2),
        "ann_dtype": manifest.get("ann_dtype"),
        "files_mb": sizes,
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }


def state_path(args: argparse.Namespace, vendor: str) -> Path:
    suffix = f"-{args.embedder}" if args.embedder != "fuse" else ""
    return ROOT / "var" / "bench" / f"matching-{vendor}-{args.docs}{suffix}.build.json"


def build(args: argparse.Namespace) -> dict[str, Any]:
    """Parts 1 and 2 in this process; returns the build figures (read back when reused)."""
    reuse = args.reuse and database_exists(args.database_url)
    if not reuse:
        fresh_database(args.database_url)
    setup_django(args)
    from django.core.management import call_command
    from django.db import connection

    from techtransfer.matching.embeddings import get_embedder
    from techtransfer.matching.indexing import EMBED_BATCH
    from techtransfer.matching.models import DocumentVector
    from techtransfer.search import api as search_api

    call_command("migrate", verbosity=0)
    embedder = get_embedder(args.embedder)
    rows = load_csl(args.real)
    state_file = state_path(args, connection.vendor)
    state: dict[str, Any] = json.loads(state_file.read_text()) if reuse and state_file.exists() else {}
    if DocumentVector.objects.filter(kind=KIND, document__object_id__lte=len(rows)).count() < len(rows):
        log(f"build rate: indexing and embedding {len(rows)} real CSL records with {embedder.name}")
        state = {
            "build": build_phase(rows, embedder=embedder, batch_size=args.embed_batch or EMBED_BATCH, seed=args.seed)
        }
        state["build"]["blas_threads"] = blas_threads()
        log(f"  {json.dumps(state['build'])}")
    else:
        log("build rate: reusing the real records' vectors and the figures measured when they were built")
    state_file.parent.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps(state, indent=2))

    base = real_vectors(len(rows), embedder.name, embedder.dim)
    material = Material.from_rows(rows)

    def progress(done: int, total: int, seconds: float) -> None:
        written = done - resume_start + 1
        rate = written / max(seconds, 1e-6)
        log(
            f"  synthetic: {done:,}/{total:,} ({rate:.0f} docs/s, {(total - done) / max(rate, 1e-6) / 60:.1f} min left)"
        )

    from django.db.models import Max

    from techtransfer.search.models import SearchDocument

    resume_start = max(
        len(rows) + 1, (SearchDocument.objects.filter(kind=KIND).aggregate(m=Max("object_id"))["m"] or 0) + 1
    )
    if resume_start <= args.docs:
        log(f"scale: writing synthetic documents {resume_start:,}..{args.docs:,}")
        run = write_synthetic(
            material,
            base,
            total=args.docs,
            embedder_name=embedder.name,
            seed=args.seed,
            body_sentences=args.body_sentences,
            progress=progress,
        )
        runs = [*state.get("synthetic_runs", []), run]
        started = time.perf_counter()
        search_api.optimize_index()
        state["optimize_seconds"] = round(time.perf_counter() - started, 1)
        state["synthetic_runs"] = runs
        state_file.write_text(json.dumps(state, indent=2))
    else:
        log("scale: the synthetic documents are already written")
    state["documents"] = SearchDocument.objects.filter(kind=KIND).count()
    state["vectors"] = DocumentVector.objects.filter(kind=KIND, embedder=embedder.name).count()
    state["database_mb"] = database_mb(args.database_url)
    state["vendor"] = connection.vendor
    state["body_sentences"] = args.body_sentences
    if args.search_engine == "tantivy":
        log("search engine: tantivy index of the documents (resumes; nothing to do when built)")
        started = time.perf_counter()
        call_command("rebuild_search_engine")
        state["tantivy_build_seconds"] = round(time.perf_counter() - started, 1)
    log("vector snapshot: building (memory-mapped matrix + HNSW)")
    state["index_build"] = build_index(embedder)
    log(f"  {json.dumps(state['index_build'])}")
    state_file.write_text(json.dumps(state, indent=2))
    return state


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.query_only:
        setup_django(args)
        queries = load_queries(args.queries, args.seed)
        log(f"queries: {len(queries)} in a fresh process")
        result = query_phase(queries, embedder_name=args.embedder, profile_queries=args.profile_queries)
        result["engine_version"] = engine_version()
        result["search_engine"] = args.search_engine
        Path(args.query_only).write_text(json.dumps(result, indent=2))
        return

    started = time.perf_counter()
    state = build(args)
    build_minutes = round((time.perf_counter() - started) / 60, 1)
    variant = f"{state['vendor']}-{args.docs}" + (f"-blas{args.blas_threads}" if args.blas_threads else "")
    variant += "-tantivy" if args.search_engine == "tantivy" else ""
    variant += f"-{args.embedder}" if args.embedder != "fuse" else ""
    out = RESULTS / f"matching_scale-{variant}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    query_file = ROOT / "var" / "bench" / f"matching-{variant}.queries.json"
    child = [sys.executable, __file__, *(argv if argv is not None else sys.argv[1:]), "--query-only", str(query_file)]
    subprocess.run(child, check=True)
    results = assemble_results(state=state, query=json.loads(query_file.read_text()), command=command_line(args))
    results["this_run_build_minutes"] = build_minutes
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2, ensure_ascii=False))
    if not args.no_markdown:
        update_markdown()


def assemble_results(*, state: dict[str, Any], query: dict[str, Any], command: str) -> dict[str, Any]:
    """One run's figures: the build state (parts 1 and 2) and the query process's (part 3)."""
    synthetic = state.get("synthetic_runs", [])
    written = sum(run["written"] for run in synthetic)
    seconds = sum(run["seconds"] for run in synthetic)
    return {
        "database": state["vendor"],
        "docs": state["documents"],
        "vectors": state["vectors"],
        "database_mb": state["database_mb"],
        "build": state.get("build"),
        "synthetic": {
            "written": written,
            "seconds": round(seconds, 1),
            "per_second": round(written / seconds, 1) if seconds else None,
            "runs": synthetic,
            "optimize_seconds": state.get("optimize_seconds"),
            "body_sentences": state.get("body_sentences"),
        },
        "index_build": state.get("index_build"),
        "query": query,
        "date": time.strftime("%Y-%m-%d"),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "command": command,
    }


def command_line(args: argparse.Namespace) -> str:
    command = f"nice -n 10 .venv/bin/python bench/matching_scale.py --docs {args.docs}"
    if args.blas_threads:
        command += f" --blas-threads {args.blas_threads}"
    if args.embedder != "fuse":
        command += f" --embedder {args.embedder}"
    if args.search_engine != "database":
        command += f" --search-engine {args.search_engine}"
    if args.reuse:
        command += " --reuse"
    if not args.database_url.startswith("sqlite:///"):
        command += f" --database-url {args.database_url}"
    return command


# --- BENCHMARKS.md ----------------------------------------------------------------------------------------

MARK = "matching_scale"


def _all_results() -> list[dict[str, Any]]:
    results = [json.loads(path.read_text(encoding="utf-8")) for path in RESULTS.glob("matching_scale-*.json")]
    return sorted(
        results,
        key=lambda r: (
            r["database"] != "sqlite",
            r["database"],
            r["docs"],
            r["query"].get("blas_threads") != "default",
        ),
    )


def _ms(summary: dict[str, float]) -> str:
    return f"{summary['p50']} / {summary['p95']}"


def _column(r: dict[str, Any]) -> str:
    threads = r["query"].get("blas_threads", "default")
    engine = ", tantivy" if r["query"].get("search_engine") == "tantivy" else ""
    return f"{r['docs']:,} docs, {r['database']}{engine}" + (
        "" if threads == "default" else f", OpenBLAS {threads} thread"
    )


def _load(figures: dict[str, Any]) -> str:
    load = figures.get("load_average")
    return f"{load[0]} / {load[1]}" if load else "–"


def render_section(results: list[dict[str, Any]]) -> str:
    lines = [
        f"<!-- {MARK} -->",
        "## Matching engine: speed and memory",
        "",
        "`bench/matching_scale.py` (`make bench-matching`), run with `nice -n 10` on the 2-core machine while other",
        "helpers' test suites kept it busy (load average 3–8): wall times depend on the load of the moment, so",
        "each column gives the load average and the process's CPU time too. Commands, in column order:",
        "",
        *[f"- `{r['command']}` ({r['date']}, {r['cpu_count']} cores, Python {r['python']})" for r in results],
        "",
        "What is real and what is synthetic: the build rate is measured on real CSL papers (title, keywords,",
        "abstract) embedded by the real `fuse` embedder through `embed_pending`. The rest of the index is",
        "synthetic: titles recombined from two CSL titles of one discipline, 3–5 of their keywords and three",
        "abstract sentences of that discipline (seeded RNG), so the full-text index has realistic Chinese term",
        "statistics; their vectors are the real fuse vectors of the two papers (65/35 mix) plus small seeded",
        "noise (σ 0.012 per dimension), re-normalised, written directly as DocumentVector rows, not embedded.",
        "The queries are real and held out: CSL *train* titles (never in the corpus, which is built from the dev",
        "split) plus 20 English topic phrases, run through `engine.match` as free text (query embedding",
        "included), 10 results, depth 100; the filter is the query's own CSL category (13 values; 工学 is 44%).",
        "",
    ]
    if not results:
        return "\n".join([*lines, f"<!-- /{MARK} -->", ""])
    header = "| measure | " + " | ".join(_column(r) for r in results) + " |"
    lines += [header, "|---|" + "---|" * len(results)]

    def row(label: str, values: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    def build_value(r: dict[str, Any], key: str) -> str:
        b = r.get("build") or {}
        return str(b.get(key, "–"))

    row("engine code (git commit at query time)", [str(r["query"].get("engine_version", "–")) for r in results])
    row(
        "OpenBLAS threads: build / queries",
        [f"{build_value(r, 'blas_threads')} / {r['query'].get('blas_threads', 'default')}" for r in results],
    )
    row(
        "build, real CSL records (mean chars)",
        [f"{build_value(r, 'records')} ({build_value(r, 'mean_chars')})" for r in results],
    )
    row("lexical indexing (segmentation + FTS), records/s", [build_value(r, "lexical_per_second") for r in results])
    row(
        "embedding (`embed_pending`, fuse, batch 64), records/s",
        [build_value(r, "embed_per_second") for r in results],
    )
    row("**together, records/s**", [f"**{build_value(r, 'total_per_second')}**" for r in results])
    row(
        "the same per CPU-second of the process (lexical / embedding / together)",
        [
            f"{b.get('lexical_per_cpu_second', round(b['records'] / b['lexical_cpu_seconds']))} / "
            f"{b['embed_per_cpu_second']} / {b['total_per_cpu_second']}"
            if (b := r.get("build")) and "embed_cpu_seconds" in b
            else "–"
            for r in results
        ],
    )
    row("machine load average while embedding (1 min, start / end)", [_load(r.get("build") or {}) for r in results])
    row(
        "resume: vectors after the interrupted run → embedded by the rerun → by a third run",
        [
            (
                f"{b['resume']['vectors_after_interruption']} → {b['resume']['embedded_by_second_run']} → "
                f"{b['resume']['embedded_by_third_run']}"
            )
            if (b := r.get("build"))
            else "–"
            for r in results
        ],
    )
    row(
        "synthetic bulk write (index_documents + vectors), docs/s",
        [str(r["synthetic"]["per_second"]) for r in results],
    )
    row("FTS optimize + ANALYZE after the bulk write, s", [str(r["synthetic"]["optimize_seconds"]) for r in results])
    row("database size on disk, MB", [str(r["database_mb"]) for r in results])
    row(
        "vector store first load, s (rows)",
        [f"{r['query']['store_load_seconds']} ({r['query']['store_rows']:,})" for r in results],
    )
    row("vector matrix in memory (float32), MB", [str(r["query"]["store_matrix_mb"]) for r in results])
    row(
        "RSS after setup → after model → after store load (current), MB",
        [
            " → ".join(
                str(r["query"]["memory_mb"][k]["current"]) for k in ("after_setup", "after_model", "after_store")
            )
            for r in results
        ],
    )
    row(
        "**peak RSS of the query process**, MB",
        [f"**{r['query']['memory_mb']['after_store']['peak']}**" for r in results],
    )
    labels = {
        "hybrid": "**hybrid** match p50 / p95, ms",
        "lexical": "lexical only p50 / p95, ms",
        "semantic": "semantic only p50 / p95, ms",
        "hybrid_filter": "hybrid + field filter p50 / p95, ms",
        "hybrid_english": "hybrid, the 20 English queries, p50 / p95, ms",
    }
    for key, label in labels.items():
        values = [_ms(r["query"]["match_ms"][key]) for r in results]
        if key == "hybrid":
            values = [f"**{v}**" for v in values]
        row(label, values)
    row(
        "CPU time of a hybrid match p50 / p95, ms (process, all threads)",
        [_ms(r["query"]["match_cpu_ms"]["hybrid"]) if "match_cpu_ms" in r["query"] else "–" for r in results],
    )
    row("machine load average while querying (1 min, start / end)", [_load(r["query"]) for r in results])
    lines += ["", "Where a query's time goes (each part timed alone over the first 100 queries), p50 / p95 ms:", ""]
    lines += [header.replace("measure", "part"), "|---|" + "---|" * len(results)]
    names = list(dict.fromkeys(name for r in results for name in r["query"]["parts_ms"]))
    for name in names:
        row(name, [_ms(r["query"]["parts_ms"][name]) if name in r["query"]["parts_ms"] else "–" for r in results])
    lines += ["", f"<!-- /{MARK} -->", ""]
    return "\n".join(lines)


INDEX_MARK = "matching_index"


def render_index_section(results: list[dict[str, Any]]) -> str:
    """The shared vector index (snapshot + HNSW) of the runs that measured it."""
    results = [r for r in results if (r["query"].get("index") or {}).get("snapshot")]
    lines = [
        f"<!-- {INDEX_MARK} -->",
        "### Matching engine: the shared, memory-mapped vector index",
        "",
        "The same runs (`bench/matching_scale.py`): after the bulk write the script builds the vector snapshot",
        "(`techtransfer/matching/vector_index.py`: float32 matrix as .npy, memory-mapped, plus a usearch HNSW",
        "index, f16, 32 links, expansion 256, built whatever the row count so that it can be measured), then",
        "the query process maps it. Semantic searches are `store.search` with k = 100 (the engine's depth) over",
        'the embedded queries; recall is HNSW against exact search over the same snapshot. "Own memory" is',
        "the query process's anonymous RSS (RssAnon); the mapped snapshot shows as file RSS, one copy in the",
        "page cache for every process. The old store (every vector read into the process) is measured last.",
        "",
    ]
    if not results:
        return "\n".join([*lines, f"<!-- /{INDEX_MARK} -->", ""])
    header = "| measure | " + " | ".join(_column(r) for r in results) + " |"
    lines += [header, "|---|" + "---|" * len(results)]

    def row(label: str, values: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    def get(r: dict[str, Any], *keys: str) -> Any:
        value: Any = r
        for key in keys:
            value = (value or {}).get(key) if isinstance(value, dict) else None
        return "–" if value is None else value

    def ms(r: dict[str, Any], *keys: str) -> str:
        value = get(r, *keys)
        return _ms(value) if isinstance(value, dict) else "–"

    row(
        "snapshot build: vectors / HNSW, s (rows)",
        [
            f"{get(r, 'index_build', 'vectors_seconds')} / {get(r, 'index_build', 'ann_seconds')} "
            f"({get(r, 'index_build', 'rows')})"
            for r in results
        ],
    )
    row(
        "snapshot files: vectors.npy / hnsw.usearch, MB",
        [
            f"{get(r, 'index_build', 'files_mb', 'vectors.npy')} / {get(r, 'index_build', 'files_mb', 'hnsw.usearch')}"
            for r in results
        ],
    )
    row("fresh process: open the store (map + delta), ms", [str(get(r, "query", "index", "open_ms")) for r in results])
    row("fresh process: first semantic search, ms", [str(get(r, "query", "index", "first_search_ms")) for r in results])
    row(
        "**fresh process: first hybrid match**, ms",
        [f"**{get(r, 'query', 'index', 'first_match_ms')}**" for r in results],
    )
    row("rows in the delta (in memory) at query time", [str(get(r, "query", "index", "delta_rows")) for r in results])
    row(
        "query process after the store and first search: RSS / own (anon) / private / file, MB",
        [
            " / ".join(
                str(get(r, "query", "memory_mb", "after_first_search", k))
                for k in ("current", "rss_anon", "private", "rss_file")
            )
            for r in results
        ],
    )
    row(
        "own memory growth from opening the store, MB (snapshot matrix MB)",
        [
            f"{get(r, 'query', 'memory_mb', 'after_first_search', 'rss_anon') - get(r, 'query', 'memory_mb', 'after_model', 'rss_anon')}"
            f" ({get(r, 'query', 'index', 'matrix_mb')})"
            if isinstance(get(r, "query", "memory_mb", "after_model", "rss_anon"), int)
            else "–"
            for r in results
        ],
    )
    row("semantic, HNSW, p50 / p95 ms", [ms(r, "query", "index", "semantic_ms", "hnsw") for r in results])
    row(
        "semantic, exact over the mapped matrix, p50 / p95 ms",
        [ms(r, "query", "index", "semantic_ms", "exact_mmap") for r in results],
    )
    row(
        "semantic + field filter, HNSW / exact, p50 / p95 ms",
        [
            f"{ms(r, 'query', 'index', 'semantic_ms', 'hnsw_filter')} ; {ms(r, 'query', 'index', 'semantic_ms', 'exact_mmap_filter')}"
            for r in results
        ],
    )
    row(
        "**HNSW recall@10** (@100; @10 with field filter) vs exact",
        [
            f"**{get(r, 'query', 'index', 'recall', 'at10')}** ({get(r, 'query', 'index', 'recall', 'at100')}; "
            f"{get(r, 'query', 'index', 'recall', 'at10_field_filter')})"
            for r in results
        ],
    )
    row(
        "**hybrid** p50 / p95 ms: HNSW (the engine's default run above) / exact",
        [f"**{ms(r, 'query', 'match_ms', 'hybrid')}** / {ms(r, 'query', 'index', 'hybrid_exact_ms')}" for r in results],
    )
    row(
        "old in-memory store: load s / own memory growth MB / semantic p50 / p95 ms",
        [
            f"{get(r, 'query', 'index', 'in_memory_load_seconds')} / {get(r, 'query', 'index', 'in_memory_anon_growth_mb')}"
            f" / {ms(r, 'query', 'index', 'in_memory_semantic_ms')}"
            for r in results
        ],
    )
    lines += ["", f"<!-- /{INDEX_MARK} -->", ""]
    return "\n".join(lines)


def _replace_section(text: str, mark: str, section: str, *, after: str | None = None) -> str:
    pattern = re.compile(rf"<!-- {mark} -->.*?<!-- /{mark} -->\n", re.S)
    if pattern.search(text):
        return pattern.sub(lambda _: section, text)
    if after and (end := text.find(f"<!-- /{after} -->\n")) >= 0:
        end += len(f"<!-- /{after} -->\n")
        return text[:end] + "\n" + section + text[end:]
    return text.rstrip("\n") + "\n\n" + section


def update_markdown() -> None:
    """Regenerate this benchmark's sections of BENCHMARKS.md from every result file (other text stays).

    bench/results/ is not in git: a checkout holds fewer result files than the section has columns. The
    main section is then left as it is (the columns of earlier runs would be lost), and only the vector
    index section, which lists the runs whose files are here, is regenerated."""
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    results = _all_results()
    current = re.search(rf"<!-- {MARK} -->.*?<!-- /{MARK} -->\n", text, re.S)
    published = len(re.findall(r"^- `nice -n 10", current.group(0), re.M)) if current else 0
    if len(results) >= published:
        text = _replace_section(text, MARK, render_section(results))
    else:
        log(f"BENCHMARKS.md: {published} runs published but {len(results)} result files here; main section kept")
    text = _replace_section(text, INDEX_MARK, render_index_section(results), after=MARK)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
