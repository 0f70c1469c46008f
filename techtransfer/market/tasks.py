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
    from techtransfer.market.models import TechnologyDemand
    from techtransfer.market.search import demand_reindex
    from techtransfer.market.signals import demand_reindexed

    demand_reindex(demand_id)
    owner_id = TechnologyDemand.objects.filter(pk=demand_id).values_list("owner_id", flat=True).first()
    if owner_id is not None:
        demand_reindexed.send(sender=None, demand_id=demand_id, owner_id=owner_id)


def reindex_many(*, demand_ids: list[int]) -> None:
    from techtransfer.market.search import demands_reindex

    demands_reindex(ids=demand_ids)
