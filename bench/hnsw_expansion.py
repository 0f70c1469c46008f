#!/usr/bin/env python
"""Benchmark: HNSW recall and speed against exact search for several search expansions, on a built snapshot.

    .venv/bin/python bench/hnsw_expansion.py var/bench/vectors-matching-1000000.sqlite3/bench-fuse

The folder is a kind's snapshot folder written by bench/matching_scale.py (its newest generation is used).
The queries are the first `--queries` CSL training titles (never in the bench corpus), embedded with fuse;
recall@10 is the share of the exact top 10 (matrix product over the mapped vectors) that HNSW returns in its
first 10, asked for `count` results (100: the engine's depth; 400: with the filter's oversampling).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--expansions", default="256,512,1024,2048")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techtransfer.settings")
    import django

    django.setup()
    import numpy as np
    from usearch.index import Index

    from techtransfer.matching.embeddings import get_embedder

    generation = sorted(p for p in args.folder.iterdir() if p.is_dir())[-1]
    matrix = np.load(generation / "vectors.npy", mmap_mode="r")
    ann = Index.restore(str(generation / "hnsw.usearch"), view=True)
    lines = (ROOT.parent / "shared" / "data" / "csl" / "csl_train_titles.tsv").read_text(encoding="utf-8").splitlines()
    titles = [line.split("\t")[1] for line in lines[1 : args.queries + 1]]
    queries = get_embedder("fuse").embed(titles, is_query=True).astype(np.float32)
    exact = [set(np.argpartition(-np.asarray(matrix @ q), 10)[:10].tolist()) for q in queries]
    print(f"{len(matrix):,} vectors, {len(queries)} queries")
    for expansion in (int(e) for e in args.expansions.split(",")):
        ann.expansion_search = expansion
        for count in (100, 400):
            found, took = 0.0, []
            for query, best in zip(queries, exact, strict=True):
                started = time.perf_counter()
                matches = ann.search(query, count)
                took.append((time.perf_counter() - started) * 1000)
                found += len(set(np.asarray(matches.keys)[:10].tolist()) & best) / 10
            took.sort()
            p50, p95 = took[len(took) // 2], took[int(len(took) * 0.95)]
            print(f"expansion {expansion}, count {count}: recall@10 {found / len(queries):.3f}, "
                  f"p50 {p50:.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
