"""`python manage.py lapse_agencies [--today YYYY-MM-DD]`: lapse listed agencies whose annual filing was missed."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from techtransfer.agencies.services import agencies_lapse


class Command(BaseCommand):
    help = (
        "Mark lapsed every listed technology-transfer institution and broker that has not filed the figures of "
        "the last year whose filing deadline has passed (FilingYear, else the FilingRule in force); they leave "
        "the public directory until they file. Run it once a day, shortly after midnight, from cron or a "
        "systemd timer, e.g. `10 0 * * * cd /srv/techtransfer && .venv/bin/python manage.py lapse_agencies`. "
        "Safe to run more than once: a repeat finds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", help="Treat this date (YYYY-MM-DD) as today, e.g. to catch up after downtime or to test."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(f"--today: {options['today']!r} is not a date in the form YYYY-MM-DD.") from None
        count = agencies_lapse(today=today)
        self.stdout.write(f"{count} service agency profile(s) lapsed.")
