"""`python manage.py send_report_reminders`: the daily reminders of the annual transformation report deadlines."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from techtransfer.reports.services import send_reminders


class Command(BaseCommand):
    help = (
        "Remind reporting units whose annual transformation report is not submitted, N days before and after the "
        "unit deadline, and supervising departments with reports not yet submitted to the commission, around "
        "the department deadline (the days are set per reporting year). In the site and by e-mail by each "
        "person's preference. Run once a day (e.g. `10 7 * * * cd /srv/techtransfer && .venv/bin/python manage.py "
        "send_report_reminders`); safe to repeat: each reminder goes out once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Act as if today were this date (YYYY-MM-DD), to catch up a missed day.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = datetime.date.fromisoformat(options["date"]) if options.get("date") else None
        count = send_reminders(today=today)
        self.stdout.write(f"{count} reminder(s) sent.")
