"""`rebuild_matching_index`: bring the matching index up to date, with a progress bar.

First the lexical side (search documents of every kind, expert and organisation profiles included), then
the semantic side: every document whose vector is missing or stale is embedded, in committed batches. It
is resumable: stop it at any point and the next run embeds only what is still pending.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from techtransfer.core.progressbar import progress_bar
from techtransfer.matching.embeddings import EMBEDDERS, get_embedder
from techtransfer.matching.indexing import EMBED_BATCH, embed_pending, index_progress
from techtransfer.matching.models import DocumentVector


class Command(BaseCommand):
    help = "Rebuild the matching index: search documents and profiles, then the sentence vectors (resumable)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", action="append", help="Only this kind (repeatable), e.g. --kind demand.")
        parser.add_argument("--vectors-only", action="store_true", help="Skip the search index; embed what is pending.")
        parser.add_argument("--full", action="store_true", help="Drop this embedder's vectors first and embed all.")
        parser.add_argument("--embedder", choices=EMBEDDERS, help="Default: the MATCHING_EMBEDDER setting.")
        parser.add_argument("--batch-size", type=int, default=EMBED_BATCH)
        parser.add_argument("--limit", type=int, help="Embed at most this many documents, then stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError("--limit must be at least 1.")
        embedder = get_embedder(options["embedder"])
        kinds = options["kind"]
        if not options["vectors_only"]:
            call_command(
                "rebuild_search_index", *(f"--kind={k}" for k in kinds or []), stdout=self.stdout, stderr=self.stderr
            )
        if options["full"]:
            stale = DocumentVector.objects.filter(embedder=embedder.name)
            if kinds:
                stale = stale.filter(kind__in=kinds)
            stale.delete()
        self.stderr.style_func = None  # type: ignore[assignment]
        started = time.monotonic()
        done = embed_pending(
            kinds=kinds,
            embedder=embedder,
            batch_size=options["batch_size"],
            limit=options["limit"],
            progress=progress_bar(self.stderr, f"vectors ({embedder.name})"),
        )
        self.stderr.write("")
        seconds = time.monotonic() - started
        state = index_progress(embedder.name)
        self.stdout.write(
            f"vectors: embedded {done} in {seconds:.1f} s ({done / max(seconds, 1e-6):.1f}/s); "
            f"{state.current}/{state.total} documents current, {state.pending} pending"
        )
