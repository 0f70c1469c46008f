"""`flush` empties the whole database, audit trail included (tests reset with it, too).

It lifts the append-only guard for the duration of the flush and puts it back afterwards; no other
path deletes audit events.
"""

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from techtransfer.core.audit_guard import audit_guard_off, audit_guard_on


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        audit_guard_off(connection)
        try:
            super().handle(**options)
        finally:
            audit_guard_on(connection)
