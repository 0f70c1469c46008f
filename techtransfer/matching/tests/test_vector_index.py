"""The shared vector snapshot: built from real DocumentVector rows, searched like the in-memory store, with
a delta over it, filters on coded facets, an HNSW index measured against exact search, and a second
process that maps the same files instead of copying them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from techtransfer.core import jobs
from techtransfer.matching import store
from techtransfer.matching.indexing import pending_documents, vector_bytes
from techtransfer.matching.models import DocumentVector
from techtransfer.matching.tasks import EMBED_JOB, VECTOR_INDEX_JOB, embed_pending, vector_index_build
from techtransfer.matching.vector_index import build_snapshot, delta_rows, kind_dir, read_manifest
from techtransfer.search import api as search_api
from techtransfer.search.models import SearchDocument

KIND = "vx"
EMBEDDER = "rand"  # vectors written directly, as an embedder would
DIM = 512
FIELDS = ["材料", "能源", "医药"]
MODES = ["转让", "许可", "合作开发"]


@pytest.fixture(autouse=True)
def _index_dir(settings: Any, tmp_path: Path) -> Iterator[Path]:
    settings.MATCHING_INDEX_DIR = tmp_path / "vectors"
    settings.MATCHING_INDEX_MARGIN_SECONDS = 0.0  # the test writes one thing at a time
    store.clear_cache()
    yield tmp_path / "vectors"
    store.clear_cache()


def unit_rows(count: int, seed: int, dim: int = DIM) -> np.ndarray:
    matrix = np.random.default_rng(seed).normal(size=(count, dim)).astype(np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def write_documents(ids: range) -> None:
    """Search documents of KIND with facets cycling through FIELDS/MODES, every 7th not public."""
    with jobs.suppressed():
        search_api.index_documents(
            [
                search_api.Document(
                    kind=KIND,
                    object_id=i,
                    title=f"记录 {i} 第{i % 5}类",
                    field=FIELDS[i % 3],
                    transfer_modes=[MODES[i % 3], MODES[(i // 3) % 3]],
                    is_public=i % 7 != 0,
                )
                for i in ids
            ]
        )


def write_vectors(matrix: np.ndarray, *, start: int = 0, embedder: str = EMBEDDER) -> None:
    """Documents start..start+len-1 and their vectors (float16 bytes, as indexing stores them)."""
    ids = range(start, start + len(matrix))
    write_documents(ids)
    docs = dict(SearchDocument.objects.filter(kind=KIND, object_id__in=list(ids)).values_list("object_id", "pk"))
    DocumentVector.objects.bulk_create(
        [
            DocumentVector(
                document_id=docs[i],
                kind=KIND,
                embedder=embedder,
                text_hash="x",
                vector=vector_bytes(vector),
                source_updated=timezone.now(),
            )
            for i, vector in zip(ids, matrix, strict=True)
        ],
        batch_size=1000,
    )


def in_memory() -> store.KindVectors:
    """The reference: every vector read into memory and searched exactly (the store without a snapshot)."""
    reference = store.KindVectors(kind=KIND, embedder=EMBEDDER, dim=DIM)
    reference.load()
    return reference


def ids_of(hits: list[tuple[int, float]]) -> list[int]:
    return [object_id for object_id, _ in hits]


@pytest.mark.django_db
class TestSnapshot:
    def test_without_a_snapshot_everything_is_the_delta(self) -> None:
        write_vectors(unit_rows(50, seed=1))
        vectors = store.kind_vectors(KIND, embedder=EMBEDDER, dim=DIM)
        assert vectors.snapshot is None and len(vectors.delta) == 50 == len(vectors)

    def test_the_snapshot_gives_the_same_top_k_as_the_in_memory_search(self, _index_dir: Path) -> None:
        write_vectors(unit_rows(600, seed=2))
        result = build_snapshot(KIND, EMBEDDER, dim=DIM)
        assert result.rows == 600 and not result.ann
        manifest = read_manifest(KIND, EMBEDDER)
        assert manifest is not None and manifest["rows"] == 600 and manifest["dim"] == DIM
        generation = kind_dir(KIND, EMBEDDER) / manifest["generation"]
        assert np.load(generation / "vectors.npy", mmap_mode="r").dtype == np.float32
        vectors = store.kind_vectors(KIND, embedder=EMBEDDER, dim=DIM)
        assert vectors.snapshot is not None and len(vectors.delta) == 0 and len(vectors) == 600
        assert isinstance(vectors.snapshot.matrix, np.memmap)
        reference = in_memory()
        for query in unit_rows(5, seed=3):
            expected = reference.search(query, k=10, public_only=False)
            got = vectors.search(query, k=10, public_only=False)
            assert ids_of(got) == ids_of(expected)
            assert [s for _, s in got] == pytest.approx([s for _, s in expected], abs=1e-5)
        some = int(reference.object_ids[17])
        assert np.array_equal(vectors.vector_of(some), reference.vector_of(some))
        assert vectors.vector_of(10_000) is None
        own = reference.vector_of(some)
        assert some not in ids_of(vectors.search(own, k=5, public_only=False, exclude=[some]))

    def test_a_vector_written_after_the_snapshot_is_found_and_overrides_its_snapshot_row(self) -> None:
        matrix = unit_rows(300, seed=4)
        write_vectors(matrix)
        build_snapshot(KIND, EMBEDDER, dim=DIM)
        vectors = store.kind_vectors(KIND, embedder=EMBEDDER, dim=DIM)
        assert len(vectors.delta) == 0

        new, changed = unit_rows(2, seed=5)
        write_vectors(new[None, :], start=300)
        document = SearchDocument.objects.get(kind=KIND, object_id=8)
        DocumentVector.objects.filter(document=document).update(
            vector=vector_bytes(changed), embedded_at=timezone.now()
        )
        vectors = store.kind_vectors(KIND, embedder=EMBEDDER, dim=DIM)
        assert sorted(vectors.delta.object_ids.tolist()) == [8, 300] and len(vectors) == 301
        assert ids_of(vectors.search(new, k=1))[0] == 300
        assert vectors.search(changed, k=1)[0] == (8, pytest.approx(1.0, abs=1e-3))
        # The old vector of record 8 is no longer searched: its nearest neighbour is now someone else.
        assert 8 not in ids_of(vectors.search(matrix[8], k=3))
        assert np.allclose(vectors.vector_of(8), changed, atol=1e-3)
        assert delta_rows(KIND, EMBEDDER, cap=10) == 2

    def test_a_deleted_record_leaves_the_snapshot_results(self) -> None:
        matrix = unit_rows(200, seed=6)
        write_vectors(matrix)
        build_snapshot(KIND, EMBEDDER, dim=DIM)
        assert ids_of(store.kind_vectors(KIND, embedder=EMBEDDER, dim=DIM).search(matrix[5], k=1)) == [5]
        search_api.remove_document(KIND, 5)
        vectors = store.kind_vectors(KIND, embedder=EMBEDDER, dim=DIM)  # RECOUNT_SECONDS is 0 in tests
        assert 5 not in ids_of(vectors.search(matrix[5], k=3)) and len(vectors) == 199
        assert vectors.vector_of(5) is None

    def test_filters_and_public_only_hold_on_the_coded_facets(self) -> None:
        write_vectors(unit_rows(700, seed=7))
        build_snapshot(KIND, EMBEDDER, dim=DIM)
        vectors = store.kind_vectors(KIND, embedder=EMBEDDER, dim=DIM)
        assert vectors.snapshot is not None and vectors.snapshot.codes["field"].dtype == np.uint8
        reference = in_memory()
        facets = {
            doc.object_id: doc
            for doc in SearchDocument.objects.filter(kind=KIND).only(
                "object_id", "field", "transfer_modes", "is_public"
            )
        }
        cases: list[tuple[bool, dict[str, list[str]]]] = [
            (True, {}),
            (True, {"field": ["能源"]}),
            (False, {"field": ["材料", "医药"]}),
            (True, {"transfer_modes": ["许可"]}),
            (True, {"field": ["能源"], "transfer_modes": ["转让", "合作开发"]}),
            (True, {"field": ["不存在"]}),
        ]
        for query in unit_rows(3, seed=8):
            for public_only, filters in cases:
                got = vectors.search(query, k=15, public_only=public_only, filters=filters)
                assert ids_of(got) == ids_of(reference.search(query, k=15, public_only=public_only, filters=filters))
                for object_id in ids_of(got):
                    doc = facets[object_id]
                    assert doc.is_public or not public_only
                    assert doc.field in filters.get("field", [doc.field])
                    modes = filters.get("transfer_modes")
                    assert not modes or any(f"|{m}|" in doc.transfer_modes for m in modes)
        assert vectors.search(unit_rows(1, seed=9)[0], k=5, filters={"field": ["不存在"]}) == []

    def test_the_rows_of_a_field_are_one_stretch_and_a_filter_on_it_reads_only_that(self) -> None:
        write_vectors(unit_rows(900, seed=14))
        build_snapshot(KIND, EMBEDDER, dim=DIM)
        vectors = store.kind_vectors(KIND, embedder=EMBEDDER, dim=DIM)
        snapshot = vectors.snapshot
        assert snapshot is not None
        codes = np.asarray(snapshot.codes["field"])
        assert np.all(np.diff(codes.astype(np.int64)) >= 0)  # grouped: each field one stretch of rows
        fields = dict(SearchDocument.objects.filter(kind=KIND).values_list("object_id", "field"))
        assert [fields[int(i)] for i in snapshot.ids] == [snapshot.code_values["field"][c] for c in codes]
        reference = in_memory()
        query = unit_rows(1, seed=15)[0]
        filters = {"field": ["医药"]}  # with public_only: the field's stretch less every 7th row
        got = vectors.search(query, k=20, filters=filters)
        assert len(got) == 20
        assert got == [(i, pytest.approx(s, abs=1e-5)) for i, s in reference.search(query, k=20, filters=filters)]

    def test_hnsw_recall_at_10_against_exact_search(self, settings: Any) -> None:
        settings.MATCHING_ANN_MIN_ROWS = 1000
        write_vectors(unit_rows(3000, seed=10))
        result = build_snapshot(KIND, EMBEDDER, dim=DIM)
        assert result.ann and (kind_dir(KIND, EMBEDDER) / result.generation / "hnsw.usearch").exists()
        vectors = store.kind_vectors(KIND, embedder=EMBEDDER, dim=DIM)
        assert vectors.snapshot is not None and vectors.snapshot.ann is not None
        reference = in_memory()
        queries = unit_rows(50, seed=11)
        found = [
            len(
                set(ids_of(vectors.search(q, k=10, public_only=False)))
                & set(ids_of(reference.search(q, k=10, public_only=False)))
            )
            for q in queries
        ]
        assert sum(found) / (10 * len(queries)) >= 0.95
        # A selective filter (one field, public: ~29% of the rows) still returns k rows, all allowed.
        hits = vectors.search(queries[0], k=10, filters={"field": ["医药"]})
        assert len(hits) == 10 and all(object_id % 3 == 2 and object_id % 7 != 0 for object_id in ids_of(hits))

    def test_the_command_builds_with_progress_and_a_rebuild_swaps_the_generation(self) -> None:
        write_vectors(unit_rows(120, seed=12, dim=256), embedder="hash")
        out, err = StringIO(), StringIO()
        call_command("build_vector_index", "--kind", KIND, "--embedder", "hash", stdout=out, stderr=err)
        assert "vx: 120 vectors of 256 dimensions" in out.getvalue()
        assert "vx vectors [" in err.getvalue() and "100%" in err.getvalue()
        first = read_manifest(KIND, "hash")
        assert first is not None
        vectors = store.kind_vectors(KIND, embedder="hash", dim=256)
        assert vectors.generation == first["generation"] and len(vectors.delta) == 0
        write_vectors(unit_rows(10, seed=13, dim=256), start=120, embedder="hash")
        second = build_snapshot(KIND, "hash", dim=256)
        assert second.generation != first["generation"] and second.rows == 130
        vectors = store.kind_vectors(KIND, embedder="hash", dim=256)
        assert vectors.generation == second.generation and len(vectors.delta) == 0 and len(vectors) == 130
        third = build_snapshot(KIND, "hash", dim=256)
        generations = sorted(p.name for p in kind_dir(KIND, "hash").iterdir() if p.name.startswith("gen-"))
        assert generations == sorted({second.generation, third.generation})  # the first one is gone

    def test_embedding_enqueues_a_rebuild_only_when_the_delta_is_large(self, settings: Any) -> None:
        settings.MATCHING_INDEX_DELTA_ROWS = 30
        settings.JOBS_BACKEND = "db"  # the job is a row, written in this transaction
        from techtransfer.core.models import Job

        def builds() -> list[dict[str, Any]]:
            return list(Job.objects.filter(path=VECTOR_INDEX_JOB).values_list("kwargs", flat=True))

        write_documents(range(20))
        embed_pending(kinds=[KIND])
        assert DocumentVector.objects.filter(kind=KIND, embedder="hash").count() == 20 and builds() == []
        write_documents(range(20, 40))
        embed_pending(kinds=[KIND])
        assert builds() == [{"kinds": [KIND], "embedder": "hash"}]
        vector_index_build(kinds=[KIND])
        manifest = read_manifest(KIND, "hash")
        assert manifest is not None and manifest["rows"] == 40
        assert delta_rows(KIND, "hash", cap=31) == 0
        write_documents(range(40, 45))
        embed_pending(kinds=[KIND])
        assert len(builds()) == 1  # a small delta: no new build

    def test_a_prepared_embedder_is_embedded_beside_the_one_in_use_in_a_job_of_its_own(self, settings: Any) -> None:
        settings.MATCHING_PREPARED_EMBEDDERS = ["fuse"]  # the one in use is "hash" in tests
        settings.JOBS_BACKEND = "db"
        from techtransfer.core.models import Job

        write_documents(range(12))
        embed_pending(kinds=[KIND])
        queued = list(Job.objects.filter(path=EMBED_JOB).values_list("kwargs", flat=True))
        assert queued == [{"kinds": [KIND], "embedder": "fuse"}]
        assert DocumentVector.objects.filter(kind=KIND, embedder="fuse").count() == 0
        embed_pending(**queued[0])  # what the worker runs
        for name in ("hash", "fuse"):  # one vector per document and embedder
            assert DocumentVector.objects.filter(kind=KIND, embedder=name).count() == 12
        assert len(store.kind_vectors(KIND, embedder="hash", dim=256)) == 12  # the one in use is untouched
        document = SearchDocument.objects.get(kind=KIND, object_id=3)
        search_api.index_documents([search_api.Document(kind=KIND, object_id=3, title="改写的记录", field="材料")])
        assert pending_documents("hash", [KIND]).get() == document == pending_documents("fuse", [KIND]).get()
        embed_pending(kinds=[KIND], embedder="fuse")
        assert pending_documents("fuse", [KIND]).count() == 0 and pending_documents("hash", [KIND]).count() == 1
        Job.objects.all().delete()
        embed_pending(kinds=[KIND])  # the one in use catches up; nothing is left for the prepared one
        assert pending_documents("hash", [KIND]).count() == 0 and not Job.objects.filter(path=EMBED_JOB).exists()


def _database_url() -> str:
    """The test database, as another process must reach it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


CHILD = textwrap.dedent(
    """
    import json, sys, time
    import django
    django.setup()
    import numpy as np
    from django.conf import settings
    from django.db.models import Max
    from techtransfer.matching import store
    from techtransfer.matching.models import DocumentVector

    def memory():
        fields = {}
        for line in open("/proc/self/status"):
            name, _, value = line.partition(":")
            if name in ("RssAnon", "RssFile"):
                fields[name] = int(value.split()[0]) * 1024
        for line in open("/proc/self/smaps_rollup"):
            name, _, value = line.partition(":")
            if name in ("Private_Clean", "Private_Dirty", "Shared_Clean"):
                fields[name] = int(value.split()[0]) * 1024
        return fields

    kind, embedder, dim = sys.argv[1], sys.argv[2], int(sys.argv[3])
    query = np.load(sys.argv[4])
    # Warm the connection and the ORM, so that what grows next is the store itself.
    DocumentVector.objects.filter(kind=kind, embedder=embedder).aggregate(newest=Max("embedded_at"))
    list(DocumentVector.objects.filter(kind=kind, embedder="none").values_list("document__object_id", "vector"))
    before = memory()
    vectors = store.kind_vectors(kind, embedder=embedder, dim=dim)
    first = vectors.search(query[0], k=10, public_only=False)
    after = memory()
    checked = time.monotonic()
    print(json.dumps({"first": first, "before": before, "after": after, "snapshot": vectors.snapshot is not None,
                      "delta": len(vectors.delta)}), flush=True)
    sys.stdin.readline()  # the parent wrote a new vector
    time.sleep(max(0.0, checked + settings.MATCHING_STORE_CHECK_SECONDS - time.monotonic()))
    fresh = store.kind_vectors(kind, embedder=embedder, dim=dim).search(query[1], k=1, public_only=False)
    reference = store.KindVectors(kind=kind, embedder=embedder, dim=dim)
    before_copy = memory()
    reference.load()
    print(json.dumps({"fresh": fresh, "copy_growth": memory()["RssAnon"] - before_copy["RssAnon"]}), flush=True)
    """
)


@pytest.mark.django_db(transaction=True)  # the other process sees committed rows only
def test_a_second_process_maps_the_snapshot_and_sees_a_new_vector_within_the_interval(tmp_path: Path) -> None:
    matrix = unit_rows(6000, seed=20)  # 12 MB of float32
    write_vectors(matrix)
    result = build_snapshot(KIND, EMBEDDER, dim=DIM)
    size = result.rows * DIM * 4
    here = store.kind_vectors(KIND, embedder=EMBEDDER, dim=DIM)  # this process maps it too
    assert ids_of(here.search(matrix[0], k=1, public_only=False)) == [0]

    new = unit_rows(1, seed=21)[0]
    np.save(tmp_path / "query.npy", np.stack([matrix[42], new]))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "techtransfer.settings",
        "DATABASE_URL": _database_url(),
        "SECRET_KEY": django_settings.SECRET_KEY,
        "MATCHING_INDEX_DIR": str(django_settings.MATCHING_INDEX_DIR),
        "MATCHING_INDEX_MARGIN_SECONDS": "0",
        "MATCHING_STORE_CHECK_SECONDS": "2",
    }
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, KIND, EMBEDDER, str(DIM), str(tmp_path / "query.npy")],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdin is not None
        line = child.stdout.readline()
        assert line, "the child process failed before its first search"
        first = json.loads(line)
        assert first["snapshot"] and first["delta"] == 0 and first["first"][0][0] == 42
        anon_growth = first["after"]["RssAnon"] - first["before"]["RssAnon"]
        file_growth = first["after"]["RssFile"] - first["before"]["RssFile"]
        # The matrix was read (its pages are resident in the child) but through the shared page cache:
        # the child's own (anonymous) memory grew by a small fraction of it.
        assert file_growth > 0.5 * size
        assert anon_growth < 0.2 * size, first

        write_vectors(new[None, :], start=6000)
        child.stdin.write("written\n")
        child.stdin.flush()
        second = json.loads(child.stdout.readline())
        assert second["fresh"][0][0] == 6000  # seen once the freshness interval has passed
        assert second["copy_growth"] > 0.9 * size  # the old way: each process its own copy
    finally:
        child.kill()
        child.wait(timeout=10)
