"""Background entry points for shared facilities: they take ids and call the search module."""

from __future__ import annotations

from techtransfer.core.jobs import enqueue


def enqueue_reindex(facility_id: int) -> None:
    enqueue("techtransfer.facilities.tasks.reindex", facility_id=facility_id)


def reindex(*, facility_id: int) -> None:
    from techtransfer.facilities.search import facility_reindex

    facility_reindex(facility_id)
