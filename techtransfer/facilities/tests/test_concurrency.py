"""No double booking: people asking for the same time of the same facility at the same moment get exactly one
booking between them (PostgreSQL: real row locks between connections; SQLite serialises writers, so the test
runs on both, as the house's other concurrency tests do)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connections

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import User
from techtransfer.core.exceptions import ApplicationError
from techtransfer.facilities import services
from techtransfer.facilities.choices import HOLDING_STATUSES
from techtransfer.facilities.models import Booking, Facility
from techtransfer.facilities.tests.factories import make_facility, slot
from techtransfer.testing import make_org, make_personas, make_user

WORKERS = 6


def _race(users: list[User], work: object) -> tuple[list[object], list[BaseException]]:
    barrier = threading.Barrier(len(users))
    results: list[object] = []
    errors: list[BaseException] = []

    def run(pk: int) -> None:
        try:
            user = User.objects.get(pk=pk)  # each thread its own objects and connection
            barrier.wait(timeout=30)
            results.append(work(user))  # type: ignore[operator]
        except BaseException as exc:  # reported to the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(user.pk,)) for user in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_for_overlapping_times_make_one_booking() -> None:
    p = make_personas()
    facility_id = make_facility(p).pk
    users = [
        make_user(f"booker{i}", make_org(f"北京并发检测{i}号科技有限公司", OrgType.ENTERPRISE), Role.MEMBER)
        for i in range(WORKERS)
    ]
    start, end = slot(days=2, hour=9, hours=2)
    # Every request overlaps every other one: staggered by a quarter of an hour within the same morning.
    shifts = {user.pk: datetime.timedelta(minutes=15 * i) for i, user in enumerate(users)}

    def book(user: User) -> Booking:
        facility = Facility.objects.get(pk=facility_id)
        shift = shifts[user.pk]
        return services.booking_create(by=user, facility=facility, start=start + shift, end=end + shift)

    made, errors = _race(users, book)
    assert len(made) == 1, (made, errors)
    assert len(errors) == WORKERS - 1
    assert all(isinstance(e, ApplicationError) and e.message == services.SLOT_TAKEN for e in errors), errors
    assert Booking.objects.filter(facility_id=facility_id, status__in=HOLDING_STATUSES).count() == 1
