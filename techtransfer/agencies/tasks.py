"""Background entry points for agencies: they take ids and call the search module."""

from __future__ import annotations

from techtransfer.core.jobs import enqueue


def enqueue_reindex(agency_id: int) -> None:
    enqueue("techtransfer.agencies.tasks.reindex", agency_id=agency_id)


def enqueue_reindex_many(agency_ids: list[int]) -> None:
    """One job for a batch (the daily lapse), rather than one per profile."""
    if agency_ids:
        enqueue("techtransfer.agencies.tasks.reindex_many", agency_ids=list(agency_ids))


def reindex(*, agency_id: int) -> None:
    from techtransfer.agencies.search import agency_reindex

    agency_reindex(agency_id)


def reindex_many(*, agency_ids: list[int]) -> None:
    from techtransfer.agencies.search import agencies_reindex

    agencies_reindex(ids=agency_ids)
