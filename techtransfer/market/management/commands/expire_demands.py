"""`python manage.py expire_demands [--today YYYY-MM-DD]`: close published demands whose deadline passed."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from techtransfer.market.services import demands_expire


class Command(BaseCommand):
    help = (
        "Mark every published technology demand whose deadline (its last open day) is before today as "
        "expired, recording the step in its history and the audit trail. Run it once a day, shortly after "
        "midnight, from cron or a systemd timer, e.g. `5 0 * * * cd /srv/techtransfer && "
        ".venv/bin/python manage.py expire_demands`. Safe to run more than once: a repeat finds nothing."
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
        count = demands_expire(today=today)
        self.stdout.write(f"{count} technology demand(s) expired.")
