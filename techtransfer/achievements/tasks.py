"""Background entry points for achievements: they take ids and call services."""

from __future__ import annotations

from techtransfer.achievements.signals import achievement_reindexed
from techtransfer.core.jobs import enqueue


def enqueue_reindex(achievement_id: int) -> None:
    enqueue("techtransfer.achievements.tasks.reindex", achievement_id=achievement_id)


def reindex(*, achievement_id: int) -> None:
    from techtransfer.achievements.search import achievement_reindex

    achievement_reindex(achievement_id)
    achievement_reindexed.send(sender=None, achievement_id=achievement_id)


def reindex_imported(*, achievement_ids: list[int], optimize: bool = False) -> None:
    """Index the drafts of a bulk import in batches (queued once per chunk of ids, after the import); the
    last job of a large import compacts the full-text index, as a full rebuild would."""
    from techtransfer.achievements import importing
    from techtransfer.search.api import optimize_index

    importing.search_reindex(achievement_ids)
    if optimize:
        optimize_index()
