"""`rebuild_search_index`: re-index every registered kind of object in batches, with a progress bar."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from techtransfer.core import jobs
from techtransfer.core.progressbar import progress_bar
from techtransfer.search.registry import indexers


class Command(BaseCommand):
    help = "Rebuild the search index of every searchable kind (achievements, ...), in batches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", action="append", help="Only this kind (repeatable), e.g. --kind achievement.")

    def handle(self, *args: Any, **options: Any) -> None:
        available = indexers()
        kinds = options["kind"] or sorted(available)
        unknown = [kind for kind in kinds if kind not in available]
        if unknown:
            raise CommandError(
                f"Unknown kind {', '.join(unknown)}; the indexed kinds are {', '.join(sorted(available))}."
            )
        # The bar is plain text on stderr, so that stdout keeps only the summary; no colour codes in it.
        self.stderr.style_func = None  # type: ignore[assignment]
        for kind in kinds:
            started = time.monotonic()
            # Not one embedding job per batch: the vectors are brought up to date once, by the command that
            # shows their progress (rebuild_matching_index), or by the workers.
            with jobs.suppressed():
                count = available[kind](progress=progress_bar(self.stderr, kind))
            self.stderr.write("")
            self.stdout.write(f"{kind}: indexed {count} in {time.monotonic() - started:.1f} s")
        self.stdout.write("Vectors for changed documents: run `manage.py rebuild_matching_index --vectors-only`.")
