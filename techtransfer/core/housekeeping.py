"""Rows and files that have served their purpose, removed by the daily `manage.py purge_expired`.

Each app registers what it keeps only for a while (core names no app): a purge takes the current time and
returns how many things it removed. How long things are kept is a setting (PURGE_AFTER_DAYS), per name.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from techtransfer.core.models import ExportFile


@dataclass(frozen=True)
class Purge:
    name: str
    default_days: float
    run: Callable[[datetime.datetime], int]  # removes what is older than the cut-off; returns how many


_PURGES: dict[str, Purge] = {}


def register_purge(purge: Purge) -> None:
    _PURGES[purge.name] = purge


def purges() -> list[Purge]:
    return sorted(_PURGES.values(), key=lambda p: p.name)


def keep_days(purge: Purge) -> float:
    return float(getattr(settings, "PURGE_AFTER_DAYS", {}).get(purge.name, purge.default_days))


def purge_expired(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Run every registered purge; how many things each removed."""
    now = now or timezone.now()
    return {p.name: p.run(now - datetime.timedelta(days=keep_days(p))) for p in purges()}


def _exports(cutoff: datetime.datetime) -> int:
    """Finished exports (and their files): the download is offered for a while, not for ever."""
    old = ExportFile.objects.filter(created__lt=cutoff)
    removed = 0
    for export in old.iterator():
        if export.file:
            export.file.delete(save=False)
        export.delete()
        removed += 1
    return removed


register_purge(Purge("exports", 7, _exports))
