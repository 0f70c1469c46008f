"""Background entry points for challenges: they take ids and call services."""

from __future__ import annotations

from techtransfer.core.jobs import enqueue


def enqueue_reindex(challenge_id: int) -> None:
    enqueue("techtransfer.challenges.tasks.reindex", challenge_id=challenge_id)


def reindex(*, challenge_id: int) -> None:
    from techtransfer.challenges.search import challenge_reindex

    challenge_reindex(challenge_id)
