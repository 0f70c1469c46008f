"""`evaluate_matching`: index a JSONL corpus into a throw-away index, run the queries, print the metrics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from techtransfer.matching.embeddings import EMBEDDERS, embedder_name_default, get_embedder
from techtransfer.matching.evaluation import (
    DEFAULT_FUSION,
    FUSION_DEPTH,
    FUSIONS,
    EvaluationInputError,
    FusionWeights,
    corpus_load,
    evaluate,
    queries_load,
)
from techtransfer.matching.fusion import RRF_K


class Command(BaseCommand):
    help = "Evaluate lexical, semantic and hybrid matching on a JSONL corpus and query set; nothing is stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--corpus", required=True, type=Path, help="JSONL: id, title, abstract, keywords, field.")
        parser.add_argument("--queries", required=True, type=Path, help="JSONL: id, text, relevant {doc-id: grade}.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object (the only output format).")
        parser.add_argument("--embedder", choices=EMBEDDERS, help="Default: MATCHING_EMBEDDER, else fuse.")
        parser.add_argument("--limit-corpus", type=int, help="Index only the first N documents.")
        parser.add_argument("--limit-queries", type=int, help="Run only the first N queries.")
        parser.add_argument("--lexical-weight", type=float, default=FusionWeights.lexical)
        parser.add_argument("--semantic-weight", type=float, default=FusionWeights.semantic)
        parser.add_argument(
            "--fusion", choices=FUSIONS, default=DEFAULT_FUSION, help="Score (convex) or rank (rrf) fusion."
        )
        parser.add_argument("--rrf-k", type=int, default=RRF_K)
        parser.add_argument(
            "--vectors", type=Path, help="Cache of the corpus vectors (.npz): reused if it matches, else written."
        )
        parser.add_argument("--depth", type=int, default=FUSION_DEPTH, help="Candidates taken from each side.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            corpus = corpus_load(options["corpus"])
            queries = queries_load(options["queries"])
        except EvaluationInputError as error:
            raise CommandError(str(error)) from error
        if options["limit_corpus"] is not None:
            corpus = corpus[: options["limit_corpus"]]
        if options["limit_queries"] is not None:
            queries = queries[: options["limit_queries"]]
        if not corpus:
            raise CommandError(f"{options['corpus']}: the corpus is empty.")
        embedder = get_embedder(options["embedder"] or embedder_name_default())
        self.stderr.style_func = None  # type: ignore[assignment]

        def progress(done: int, total: int) -> None:
            self.stderr.write(f"\rembedding {done}/{total}", ending="")

        report = evaluate(
            corpus=corpus,
            queries=queries,
            embedder=embedder,
            weights=FusionWeights(lexical=options["lexical_weight"], semantic=options["semantic_weight"]),
            rrf_k=options["rrf_k"],
            fusion=options["fusion"],
            depth=options["depth"],
            progress=progress,
            vectors_path=options["vectors"],
        )
        self.stderr.write("")
        self.stdout.write(json.dumps(report, ensure_ascii=False))
