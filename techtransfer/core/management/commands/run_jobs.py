"""The background worker for JOBS_BACKEND=db or redis: run several, on one machine or many."""

from __future__ import annotations

import signal
import threading
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from techtransfer.core.jobs import DEFAULT_BACKOFF_SECONDS, DEFAULT_MAX_ATTEMPTS, db_jobs_requeue_stale, jobs_work


class Command(BaseCommand):
    help = "Run queued background jobs (JOBS_BACKEND=db or redis) until stopped, or with --once until none is due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run every job that is due, then exit.")
        parser.add_argument(
            "--sleep", type=float, default=1.0, help="Seconds to wait when the queue is empty (default 1)."
        )
        parser.add_argument(
            "--max-attempts",
            type=int,
            default=DEFAULT_MAX_ATTEMPTS,
            help=f"Tries per job before it is recorded as failed (default {DEFAULT_MAX_ATTEMPTS}).",
        )
        parser.add_argument(
            "--backoff",
            type=float,
            default=DEFAULT_BACKOFF_SECONDS,
            help=f"Seconds before the first retry; doubled for each further one (default {DEFAULT_BACKOFF_SECONDS:g}).",
        )

        parser.add_argument(
            "--requeue-stale",
            type=float,
            metavar="SECONDS",
            help="db only: first queue again the jobs that have been running longer than this "
            "(their worker died). Not needed for jobs claimed with a lease (JOBS_VISIBILITY_TIMEOUT): "
            "workers take those again by themselves once the lease has run out.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.JOBS_BACKEND not in ("db", "redis"):
            raise CommandError(
                f"JOBS_BACKEND is {settings.JOBS_BACKEND!r}: jobs run in the web process or not at all, so there "
                "is no queue to work on. Set JOBS_BACKEND=db or JOBS_BACKEND=redis to use workers."
            )
        if options["max_attempts"] < 1:
            raise CommandError("--max-attempts must be at least 1.")
        if options["sleep"] < 0 or options["backoff"] < 0:
            raise CommandError("--sleep and --backoff cannot be negative.")
        if options["requeue_stale"] is not None:
            if settings.JOBS_BACKEND != "db":
                raise CommandError("--requeue-stale works with JOBS_BACKEND=db only.")
            count = db_jobs_requeue_stale(older_than=timedelta(seconds=options["requeue_stale"]))
            self.stdout.write(f"{count} stale running jobs queued again.")
        stop = threading.Event()
        if not options["once"] and threading.current_thread() is threading.main_thread():
            # Finish the running job, then exit: a stopped container or Ctrl-C loses nothing.
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
            self.stdout.write(f"Working on {settings.JOBS_BACKEND} jobs; Ctrl-C to stop.")
        result = jobs_work(
            once=options["once"],
            sleep=options["sleep"],
            max_attempts=options["max_attempts"],
            backoff=options["backoff"],
            stop=stop,
        )
        self.stdout.write(
            f"{result.ran} jobs run: {result.done} done, {result.retried} to retry, {result.failed} failed."
        )
