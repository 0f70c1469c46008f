"""`rebuild_search_index`: re-index every registered kind of object in batches, with a progress bar."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from techtransfer.search.registry import indexers

BAR_WIDTH = 30


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
            count = available[kind](progress=self._bar(kind))
            self.stderr.write("")
            self.stdout.write(f"{kind}: indexed {count} in {time.monotonic() - started:.1f} s")

    def _bar(self, kind: str) -> Any:
        def draw(done: int, total: int) -> None:
            filled = BAR_WIDTH if total <= 0 else BAR_WIDTH * done // total
            percent = 100 if total <= 0 else 100 * done // total
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self.stderr.write(f"\r{kind} [{bar}] {done}/{total} {percent:3d}%", ending="")
            self.stderr.flush()

        return draw
