"""Background entry points for achievements: they take ids and call services."""

from __future__ import annotations

from techtransfer.core.jobs import enqueue
from techtransfer.matching.tasks import enqueue_profiles


def enqueue_reindex(achievement_id: int) -> None:
    enqueue("techtransfer.achievements.tasks.reindex", achievement_id=achievement_id)


def reindex(*, achievement_id: int) -> None:
    from techtransfer.achievements.search import achievement_reindex

    achievement_reindex(achievement_id)
    # The people and the unit named on it are matched by what they published: their profiles follow.
    enqueue_profiles(achievement_id)
