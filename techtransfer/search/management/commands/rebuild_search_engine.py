"""`rebuild_search_engine`: index every search document into the tantivy engine, resumable, with progress."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from techtransfer.core.progressbar import progress_bar
from techtransfer.search.engine_tantivy import index_dir
from techtransfer.search.tasks import REBUILD_BATCH, engine_sync, rebuild_engine


class Command(BaseCommand):
    help = (
        "Build the embedded full-text engine's index (SEARCH_ENGINE=tantivy) from the search documents. "
        "An interrupted run resumes where it stopped; --restart starts over."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--restart", action="store_true", help="Start over even if a previous run was cut off.")
        parser.add_argument("--batch-size", type=int, default=REBUILD_BATCH, help="Documents per committed batch.")

    def handle(self, *args: Any, **options: Any) -> None:
        # The bar is plain text on stderr, so that stdout keeps only the summary.
        self.stderr.style_func = None  # type: ignore[assignment]
        result = rebuild_engine(
            batch_size=options["batch_size"],
            restart=options["restart"],
            progress=progress_bar(self.stderr, "search engine"),
        )
        self.stderr.write("")
        if result.resumed_after_id:
            self.stdout.write(f"Resumed after document id {result.resumed_after_id}.")
        self.stdout.write(
            f"Indexed {result.indexed} of {result.total} documents in {result.seconds:.1f} s "
            f"({result.per_second:.0f}/s) into {index_dir()}."
        )
        caught_up = engine_sync()
        if caught_up:
            self.stdout.write(f"Caught up with {caught_up} documents changed meanwhile.")
