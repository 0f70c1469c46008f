"""Background entry points for technology demands: they take ids and call the search module."""

from __future__ import annotations

from techtransfer.core.jobs import enqueue


def enqueue_reindex(demand_id: int) -> None:
    enqueue("techtransfer.market.tasks.reindex", demand_id=demand_id)


def enqueue_reindex_many(demand_ids: list[int]) -> None:
    """One job for a batch (the daily expiry), rather than one per demand."""
    if demand_ids:
        enqueue("techtransfer.market.tasks.reindex_many", demand_ids=list(demand_ids))


def reindex(*, demand_id: int) -> None:
    from techtransfer.market.search import demand_reindex

    demand_reindex(demand_id)


def reindex_many(*, demand_ids: list[int]) -> None:
    from techtransfer.market.search import demands_reindex

    demands_reindex(ids=demand_ids)
