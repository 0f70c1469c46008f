#!/usr/bin/env python
"""Calibrate the matching engine's relevance floor (settings.MATCHING_SEMANTIC_FLOORS) on real papers.

    .venv/bin/python bench/relevance_floor.py                    # fuse, 400 CSL dev papers
    .venv/bin/python bench/relevance_floor.py --embedder e5 --papers 200

A typed query is a paper's title; a record is a paper's title, keywords and abstract. For each floor it
reports the share kept of: a title against its own paper (what a search must find), a title against other
papers of the same discipline and of other disciplines, and a record against another record of the same or of
another discipline. The floor for "text" keeps nearly every title → own paper pair and few title → other
discipline pairs; the floor for "record" keeps about 1% of record → other discipline pairs.
Writes bench/results/relevance_floor-<embedder>.json and its section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The floors tried, per embedder: e5's cosines crowd into a narrow band high up (unrelated pairs near 0.8).
FLOORS = {"e5": (0.84, 0.85, 0.86, 0.87, 0.88, 0.89, 0.9)}
DEFAULT_FLOORS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45)
PERCENTILES = (5, 50, 95, 99)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedder", default="fuse")
    parser.add_argument("--papers", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-markdown", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techtransfer.settings")
    import django

    django.setup()
    from django.conf import settings

    from techtransfer.matching.datasets import csl_default_path
    from techtransfer.matching.embeddings import get_embedder

    rows = [json.loads(line) for line in csl_default_path().read_text(encoding="utf-8").splitlines() if line]
    random.Random(args.seed).shuffle(rows)
    rows = rows[: args.papers]
    embedder = get_embedder(args.embedder)
    started = time.perf_counter()
    titles = embedder.embed([r["title"] for r in rows], is_query=True)
    records = embedder.embed([f"{r['title']}\n{' '.join(r['keywords'])}\n{r['abstract']}"[:600] for r in rows])
    seconds = time.perf_counter() - started
    category = [r["category"] for r in rows]
    text, record = titles @ records.T, records @ records.T
    n = len(rows)
    same = np.array([[category[i] == category[j] for j in range(n)] for i in range(n)])
    off = ~np.eye(n, dtype=bool)
    upper = np.triu(np.ones((n, n), dtype=bool), k=1)
    sets = {
        "title → own paper": np.diag(text),
        "title → same discipline": text[same & off],
        "title → other discipline": text[~same],
        "record → same discipline": record[same & upper],
        "record → other discipline": record[~same & upper],
    }
    results = {
        "embedder": embedder.name,
        "papers": n,
        "embedding_seconds": round(seconds, 1),
        "percentiles": {k: [round(float(np.percentile(v, p)), 3) for p in PERCENTILES] for k, v in sets.items()},
        "kept": {str(f): {k: round(float((v >= f).mean()), 4) for k, v in sets.items()} for f in FLOORS.get(embedder.name, DEFAULT_FLOORS)},
        "configured": settings.MATCHING_SEMANTIC_FLOORS.get(embedder.name, {}),
    }
    out = ROOT / "bench" / "results" / f"relevance_floor-{embedder.name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, ensure_ascii=False, indent=2))
    if not args.no_markdown:
        markdown(results, args)


def markdown(results: dict, args: argparse.Namespace) -> None:
    name = results["embedder"]
    lines = [
        f"<!-- relevance_floor:{name} -->",
        f"### Relevance floor, {name}",
        "",
        f"`.venv/bin/python bench/relevance_floor.py --embedder {name} --papers {args.papers}` "
        f"({time.strftime('%Y-%m-%d')}, {results['papers']} CSL dev papers, embedding {results['embedding_seconds']} s). "
        f"Configured floors (`MATCHING_SEMANTIC_FLOORS`): {results['configured'] or 'none'}.",
        "",
        "A match is shown among the matches when it shares a keyword with the source or its cosine reaches the "
        "floor (\"record\" for a record's matches, \"text\" for a typed query); otherwise it is folded under "
        "\"weaker matches\". The search page's fallback on meaning keeps only results at or above the \"text\" floor.",
        "",
        "Cosine percentiles " + " / ".join(f"p{p}" for p in PERCENTILES) + ":",
        "",
        "| pairs | " + " | ".join(f"p{p}" for p in PERCENTILES) + " |",
        "|---|" + "---|" * len(PERCENTILES),
        *(f"| {k} | " + " | ".join(str(x) for x in v) + " |" for k, v in results["percentiles"].items()),
        "",
        "Share of pairs at or above each floor:",
        "",
        "| floor | " + " | ".join(results["percentiles"]) + " |",
        "|---|" + "---|" * len(results["percentiles"]),
        *(f"| {f} | " + " | ".join(str(x) for x in kept.values()) + " |" for f, kept in results["kept"].items()),
        f"<!-- /relevance_floor:{name} -->",
    ]
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8")
    start, end = f"<!-- relevance_floor:{name} -->", f"<!-- /relevance_floor:{name} -->"
    block = "\n".join(lines)
    if start in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        anchor = "<!-- matching_scale -->"
        text = text.replace(anchor, block + "\n\n" + anchor, 1) if anchor in text else text + "\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
