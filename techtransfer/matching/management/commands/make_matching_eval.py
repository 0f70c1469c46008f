"""`make_matching_eval`: write a corpus and a query set for `evaluate_matching` from a shared data set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from techtransfer.matching.datasets import MODES, SOURCES, matching_eval_write


class Command(BaseCommand):
    help = "Build corpus.jsonl and queries.jsonl for evaluate_matching (CSL: keyword or title queries)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", choices=SOURCES, default="csl")
        parser.add_argument("--mode", choices=MODES, required=True)
        parser.add_argument("--out", type=Path, required=True, help="Directory to write the two files into.")
        parser.add_argument("--source-file", type=Path, help="Default: ../shared/data/csl/csl_dev.jsonl.")

    def handle(self, *args: Any, **options: Any) -> None:
        source_file = options["source_file"]
        try:
            corpus, queries = matching_eval_write(
                source=options["source"], mode=options["mode"], out=options["out"], source_path=source_file
            )
        except FileNotFoundError as error:
            raise CommandError(f"Source file not found: {error.filename}") from error
        self.stdout.write(f"wrote {corpus} and {queries}")
