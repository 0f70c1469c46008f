"""`make_matching_eval`: write a corpus and a query set for `evaluate_matching` from a shared data set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from techtransfer.matching.datasets import MODES, NSFC_MAX_QUERIES, NSFC_SEED, SOURCES, matching_eval_write


class Command(BaseCommand):
    help = (
        "Build corpus.jsonl and queries.jsonl for evaluate_matching: CSL (keyword or title queries against "
        "papers) or NSFC (a PI's held-out project title against experts built from their other projects)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", choices=SOURCES, default="csl")
        parser.add_argument("--mode", choices=MODES, help="CSL only, and required there.")
        parser.add_argument("--out", type=Path, required=True, help="Directory to write the two files into.")
        parser.add_argument(
            "--source-file",
            type=Path,
            help="Default: ../shared/data/csl/csl_dev.jsonl or ../shared/data/nsfc/nsfc_mgmt_projects.tsv.",
        )
        parser.add_argument(
            "--max-queries",
            type=int,
            default=NSFC_MAX_QUERIES,
            help=f"NSFC only: sample at most N experts as queries (default {NSFC_MAX_QUERIES}).",
        )
        parser.add_argument(
            "--seed", type=int, default=NSFC_SEED, help=f"NSFC only: seed of that sample (default {NSFC_SEED})."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["source"] == "csl" and not options["mode"]:
            raise CommandError(f"--mode is required with --source csl ({' or '.join(MODES)}).")
        if options["max_queries"] < 1:
            raise CommandError("--max-queries must be at least 1.")
        try:
            corpus, queries, stats = matching_eval_write(
                source=options["source"],
                mode=options["mode"],
                out=options["out"],
                source_path=options["source_file"],
                max_queries=options["max_queries"],
                seed=options["seed"],
            )
        except FileNotFoundError as error:
            raise CommandError(f"Source file not found: {error.filename}") from error
        self.stdout.write(f"wrote {corpus} and {queries}")
        self.stdout.write(", ".join(f"{key}: {value}" for key, value in stats.items()))
