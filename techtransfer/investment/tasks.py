"""Background entry points of investment matching: they take ids and call the search module."""

from __future__ import annotations

from techtransfer.core.jobs import enqueue


def enqueue_reindex(investor_id: int) -> None:
    enqueue("techtransfer.investment.tasks.reindex", investor_id=investor_id)


def reindex(*, investor_id: int) -> None:
    from techtransfer.investment.search import investor_reindex

    investor_reindex(investor_id)
