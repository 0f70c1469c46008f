"""`python manage.py send_digests [--frequency daily|weekly] [--now ISO]`: notify new matches, mail digests."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from techtransfer.subscriptions.choices import Frequency
from techtransfer.subscriptions.services import subscriptions_check


class Command(BaseCommand):
    help = (
        "Check every due subscription for records published since its last check, add them to the users' "
        "notification inboxes, and send each user one e-mail digest. A daily subscription is due a day after "
        "its last check, a weekly one a week after. Run it from cron or a systemd timer, e.g. every morning: "
        "`0 7 * * * cd /srv/techtransfer && .venv/bin/python manage.py send_digests` (or hourly: subscriptions "
        "not yet due are skipped). Safe to rerun: nothing is notified or mailed twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--frequency", choices=Frequency.values, help="Only subscriptions of this frequency (default: all due)."
        )
        parser.add_argument(
            "--now", help="Treat this ISO 8601 date-time as now (e.g. 2025-03-01T07:00:00+08:00), to catch up or test."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options["now"]:
            now = parse_datetime(options["now"])
            if now is None:
                raise CommandError(f"--now: {options['now']!r} is not an ISO 8601 date-time.")
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        result = subscriptions_check(now=now, frequency=options["frequency"])
        self.stdout.write(
            f"{result.subscriptions} subscription(s) checked, {result.notifications} notification(s) created, "
            f"{result.emails} digest(s) sent"
            + (f", {result.failed_emails} digest(s) failed (kept for the next run)." if result.failed_emails else ".")
        )
