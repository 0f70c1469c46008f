"""Rebuild the statistics store from the registered contracts (all months, or the given ones)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from techtransfer.stats.engine import engine_name, facts_refresh


class Command(BaseCommand):
    help = "Rebuild the technology-market statistics store (STATS_ENGINE) from the registered contracts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", action="append", dest="months", metavar="YYYY-MM",
                            help="Only this month (repeatable); default: everything.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        months = options.get("months")
        rows = facts_refresh(months)
        self.stdout.write(
            f"{engine_name()}: {rows} fact rows written in {time.monotonic() - started:.1f} s"
            + (f" ({', '.join(months)})" if months else "")
        )
