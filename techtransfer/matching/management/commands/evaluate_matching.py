"""`evaluate_matching`: index a JSONL corpus into a throw-away index, run the queries, print the metrics.

`--engine app` (the default) measures the application's engine: the corpus goes into the real search index
and vector table inside a transaction that is rolled back. `--engine memory` runs the in-memory copy
(BM25 + numpy) that is quicker for trying fusion settings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings

from techtransfer.matching.embeddings import EMBEDDERS, embedder_name_default, get_embedder
from techtransfer.matching.engine import DEFAULT_FUSION as APP_DEFAULT_FUSION
from techtransfer.matching.engine import DEFAULTS as ENGINE_DEFAULTS
from techtransfer.matching.engine import FUSIONS as APP_FUSIONS
from techtransfer.matching.engine import LEXICAL_RANKINGS
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
from techtransfer.matching.evaluation_app import evaluate_app
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
        parser.add_argument("--engine", choices=["app", "memory"], default="app", help="Default: app.")
        parser.add_argument("--lexical-weight", type=float, help=f"Default {FusionWeights.lexical}.")
        parser.add_argument("--semantic-weight", type=float, help=f"Default {FusionWeights.semantic}.")
        parser.add_argument(
            "--fusion",
            choices=[*APP_FUSIONS, *FUSIONS],
            help=f"app engine: {'/'.join(APP_FUSIONS)} (default: the MATCHING_FUSION setting); "
            f"memory engine: {'/'.join(FUSIONS)} (default {DEFAULT_FUSION}).",
        )
        parser.add_argument("--rrf-k", type=int, default=RRF_K)
        parser.add_argument(
            "--lexical",
            choices=LEXICAL_RANKINGS,
            help="app engine: the lexical side's order (default: MATCHING_LEXICAL).",
        )
        parser.add_argument(
            "--vectors", type=Path, help="Cache of the corpus vectors (.npz): reused if it matches, else written."
        )
        parser.add_argument(
            "--runs-out", type=Path, help="app engine: write each query's ten results per ranking here (JSONL)."
        )
        parser.add_argument("--depth", type=int, default=FUSION_DEPTH, help="Candidates taken from each side.")
        parser.add_argument(
            "--weight", action="append", default=[], metavar="NAME=VALUE",
            help="app engine: any of matching.engine.DEFAULTS for this run (repeatable).",
        )
        parser.add_argument(
            "--inferred-field-boost", type=float,
            help="app engine: added for the field of the best candidates (default: the MATCHING_WEIGHTS setting).",
        )

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

        given = {
            "lexical_weight": options["lexical_weight"], "semantic_weight": options["semantic_weight"],
            "boost_inferred_field": options["inferred_field_boost"],
        }
        given = {name: value for name, value in given.items() if value is not None}
        for item in options["weight"]:
            name, _, value = item.partition("=")
            if name not in ENGINE_DEFAULTS:
                raise CommandError(f"--weight {item}: {name!r} is not one of {', '.join(ENGINE_DEFAULTS)}.")
            try:
                given[name] = float(value)
            except ValueError:
                raise CommandError(f"--weight {item}: {value!r} is not a number.") from None
        fusion = options["fusion"]
        allowed = APP_FUSIONS if options["engine"] == "app" else FUSIONS
        if fusion is not None and fusion not in allowed:
            raise CommandError(
                f"--fusion {fusion} is for the other engine; with --engine {options['engine']}: {allowed}."
            )
        if options["engine"] == "app":
            fusion = fusion or getattr(settings, "MATCHING_FUSION", APP_DEFAULT_FUSION)
            with override_settings(
                MATCHING_WEIGHTS={**settings.MATCHING_WEIGHTS, **given},
                MATCHING_FUSION=fusion,
                **({"MATCHING_LEXICAL": options["lexical"]} if options["lexical"] else {}),
            ):
                report = evaluate_app(
                    corpus=corpus,
                    queries=queries,
                    embedder=embedder,
                    depth=options["depth"],
                    progress=progress,
                    vectors_path=options["vectors"],
                    runs_path=options["runs_out"],
                )
        else:
            report = evaluate(
                corpus=corpus,
                queries=queries,
                embedder=embedder,
                weights=FusionWeights(
                    lexical=given.get("lexical_weight", FusionWeights.lexical),
                    semantic=given.get("semantic_weight", FusionWeights.semantic),
                ),
                rrf_k=options["rrf_k"],
                fusion=fusion or DEFAULT_FUSION,
                depth=options["depth"],
                progress=progress,
                vectors_path=options["vectors"],
            )
        self.stderr.write("")
        self.stdout.write(json.dumps(report, ensure_ascii=False))
