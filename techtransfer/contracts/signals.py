"""Signals of the contracts app, for the apps above it (it names none of them: stats listens, contracts never
imports stats)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

# Registered contracts were added or changed in bulk (an import of registrations made elsewhere, the demo's
# generator). Sent once the change is committed, with
#   months: sorted list of datetime.date, the first day of every registration month (registered_on) affected;
#   source: "import" or "demo" (what made the change).
# The statistics rebuild their facts for those months.
contracts_changed = Signal()


def registration_months(days: Iterable[datetime.date | None]) -> list[datetime.date]:
    """The first days of the months of `days` (None skipped), sorted and distinct."""
    return sorted({day.replace(day=1) for day in days if day is not None})


def contracts_changed_send(*, months: Iterable[datetime.date], source: str) -> None:
    """Send `contracts_changed` after the current transaction commits (at once outside a transaction), so that
    the receivers read the committed rows; nothing is sent for no months."""
    months = sorted(set(months))
    if not months:
        return
    transaction.on_commit(lambda: contracts_changed.send(sender=None, months=months, source=source))
