"""`python manage.py expire_vouchers [--today YYYY-MM-DD]`: unused innovation vouchers past their validity expire."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from techtransfer.vouchers.services import vouchers_expire


class Command(BaseCommand):
    help = (
        "Mark every approved or issued innovation voucher whose last valid day is before today as expired, "
        "recording the step in its history and the audit trail; its amount no longer counts as reserved, so the "
        "programme's remaining budget grows by it. Used vouchers wait for their provider's redemption. Run it once "
        "a day shortly after midnight (cron or a systemd timer). Safe to run more than once."
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
        count = vouchers_expire(today=today)
        self.stdout.write(f"{count} innovation voucher(s) expired.")
