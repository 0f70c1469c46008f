"""Daily: remove what is kept only for a while (finished exports and their files, used form tokens, ...)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from techtransfer.core.housekeeping import purge_expired


class Command(BaseCommand):
    help = "Remove rows and files kept only for a while (PURGE_AFTER_DAYS sets how long, per kind)."

    def handle(self, *args: Any, **options: Any) -> None:
        for name, removed in purge_expired().items():
            self.stdout.write(f"{name}: {removed} removed")
