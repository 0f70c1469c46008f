"""`python manage.py close_challenges`: close open challenges whose submission deadline has passed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from techtransfer.challenges.services import challenges_close_due


class Command(BaseCommand):
    help = (
        "Close every open challenge whose submission deadline has passed, recording the step in its history "
        "and the audit trail. Pages and the API also close a due challenge as soon as anyone reads it; run "
        "this once a day (e.g. `5 0 * * * cd /srv/techtransfer && .venv/bin/python manage.py close_challenges`) "
        "so the search index and the statistics catch up even when nobody looks. Safe to repeat."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = challenges_close_due()
        self.stdout.write(f"{count} challenge(s) closed.")
