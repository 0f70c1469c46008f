"""The scale benchmark (bench/matching_scale.py) on a tiny index, so that its code cannot rot unnoticed.

Real CSL records, the hash embedder, 200 documents: the build phase with its interrupted and resumed
embedding run, the synthetic writer resuming after a partial run, the query phase and the report table.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from techtransfer.matching import store
from techtransfer.matching.embeddings import get_embedder
from techtransfer.matching.indexing import pending_documents, vector_from_bytes
from techtransfer.matching.models import DocumentVector
from techtransfer.search.models import SearchDocument

SCRIPT = Path(__file__).resolve().parents[3] / "bench" / "matching_scale.py"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not (SCRIPT.parents[2] / "shared" / "data" / "csl").is_dir(), reason="CSL data not present"),
]


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("matching_scale", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["matching_scale"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _fresh_store() -> Iterator[None]:
    store.clear_cache()
    yield
    store.clear_cache()


def test_build_resume_scale_and_queries_on_a_tiny_index(bench: ModuleType) -> None:
    embedder = get_embedder("hash")
    rows = bench.load_csl(50)

    # Build rate: the first embedding run is interrupted after one batch of 16; the rerun does the rest.
    build = bench.build_phase(rows, embedder=embedder, batch_size=16, seed=3)
    assert build["records"] == 50 and build["embedder"] == "hash"
    assert build["resume"] == {
        "interrupted_at": 16,
        "vectors_after_interruption": 16,
        "pending_after_interruption": 34,
        "embedded_by_second_run": 34,
        "embedded_by_third_run": 0,
    }
    assert build["lexical_per_second"] > 0 and build["embed_per_second"] > 0

    base = bench.real_vectors(len(rows), embedder.name, embedder.dim)
    assert base.shape == (50, embedder.dim)
    np.testing.assert_allclose(np.linalg.norm(base, axis=1), 1.0, atol=1e-2)
    material = bench.Material.from_rows(rows)

    def write(total: int) -> dict[str, object]:
        return bench.write_synthetic(
            material, base, total=total, embedder_name=embedder.name, seed=3, body_sentences=2, chunk=60
        )

    first = write(120)
    assert first["resumed_from"] == 51 and first["written"] == 70
    second = write(200)  # a second run continues after the last committed chunk
    assert second["resumed_from"] == 121 and second["written"] == 80
    assert write(200)["written"] == 0
    assert SearchDocument.objects.filter(kind="bench").count() == 200
    assert DocumentVector.objects.filter(kind="bench", embedder="hash").count() == 200
    # The vectors written directly count as current: nothing is left for embed_pending to redo.
    assert not pending_documents("hash", ["bench"]).exists()

    # A resumed run writes what an uninterrupted one would: the chunk is regenerated identically.
    docs, bases, partners = bench.synthetic_chunk(material, 121, 131, seed=3, body_sentences=2)
    stored = SearchDocument.objects.get(kind="bench", object_id=125)
    assert stored.title == docs[4].title and stored.body == docs[4].body
    expected = bench.synthetic_vectors(base, bases, partners, seed=3, start=121)[4]
    vector = vector_from_bytes(DocumentVector.objects.get(document=stored).vector)
    np.testing.assert_allclose(vector, expected, atol=2e-3)
    assert float(vector @ base[bases[4]]) > 0.5  # close to its base paper, not random

    queries = bench.load_queries(5, seed=3)
    assert len(queries) == 5 + len(bench.ENGLISH_QUERIES)
    assert all(text and category for text, category in queries)
    result = bench.query_phase(queries, embedder_name="hash", profile_queries=3)
    assert result["store_rows"] == 200
    assert result["match_ms"]["hybrid"]["n"] == len(queries)
    assert result["queries_with_results"]["semantic"] == len(queries)
    assert result["parts_ms"]["matrix product + top-k"]["n"] == 3
    assert result["memory_mb"]["after_store"]["peak"] > 0

    report = bench.render_section([bench.assemble_results(state=_state(build), query=result, command="cmd")])
    assert "| **hybrid** match p50 / p95, ms | **" in report
    assert "200 docs, " in report and "16 → 34 → 0" in report


def _state(build: dict[str, object]) -> dict[str, object]:
    return {
        "vendor": "sqlite",
        "documents": 200,
        "vectors": 200,
        "database_mb": 1,
        "build": build,
        "synthetic_runs": [{"written": 150, "seconds": 1.0}],
        "optimize_seconds": 0.1,
        "body_sentences": 2,
    }
