"""`build_vector_index`: write the shared, memory-mapped vector snapshot of each kind, with progress.

Safe to interrupt: the snapshot in use stays valid until the new one is complete and swapped in, and the
next run starts afresh (a build reads the vectors in chunks, so it costs one pass over the table).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from techtransfer.core.progressbar import progress_bar
from techtransfer.matching.embeddings import EMBEDDERS, get_embedder
from techtransfer.matching.models import DocumentVector
from techtransfer.matching.vector_index import build_snapshot, kind_dir


class Command(BaseCommand):
    help = "Build the shared vector snapshot (and HNSW index at scale) of each kind, for every process to map."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", action="append", help="Only this kind (repeatable), e.g. --kind demand.")
        parser.add_argument("--embedder", choices=EMBEDDERS, help="Default: the MATCHING_EMBEDDER setting.")
        parser.add_argument(
            "--ann-min-rows",
            type=int,
            help="Build the HNSW index from this many rows (default: MATCHING_ANN_MIN_ROWS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        embedder = get_embedder(options["embedder"])
        kinds = options["kind"] or list(
            DocumentVector.objects.filter(embedder=embedder.name)
            .values_list("kind", flat=True)
            .distinct()
            .order_by("kind")
        )
        if not kinds:
            raise CommandError(f"No vectors of embedder {embedder.name!r}: run rebuild_matching_index first.")
        for kind in kinds:
            progress = self._progress(kind)
            started = time.monotonic()
            result = build_snapshot(
                kind, embedder.name, dim=embedder.dim, ann_min_rows=options["ann_min_rows"], progress=progress
            )
            self.stderr.write("")
            if result.skipped:
                self.stdout.write(f"{kind}: skipped ({result.skipped})")
                continue
            self.stdout.write(
                f"{kind}: {result.rows:,} vectors of {result.dim} dimensions in {time.monotonic() - started:.1f} s"
                f"{' with an HNSW index' if result.ann else ''} -> {kind_dir(kind, embedder.name) / result.generation}"
            )

    def _progress(self, kind: str) -> Any:
        """One progress bar per stage of the build (vectors, then hnsw), each on its own line."""
        bars: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in bars:
                if bars:
                    self.stderr.write("")  # the previous stage's bar is complete: start a new line
                bars[stage] = progress_bar(self.stderr, f"{kind} {stage}")
            bars[stage](done, total)

        return progress
