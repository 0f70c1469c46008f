"""Money under concurrency, with real threads and connections (PostgreSQL: row locks between connections;
SQLite serialises writers, so the tests run on both, as the house's other concurrency tests do):

- approvals at the same moment never reserve more than the programme's budget;
- a voucher redeemed twice at the same moment is paid once, and the other provider request is told why;
- a voucher spent twice at the same moment (two bookings) is spent once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connections

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import User
from techtransfer.core.exceptions import ApplicationError
from techtransfer.facilities import services as facility_services
from techtransfer.facilities.models import Booking, Facility
from techtransfer.facilities.tests.factories import slot
from techtransfer.testing import make_org, make_personas, make_user, pdf_upload
from techtransfer.vouchers import selectors, services
from techtransfer.vouchers.choices import VoucherStatus
from techtransfer.vouchers.models import Programme, Redemption, Voucher, VoucherUse
from techtransfer.vouchers.tests.factories import apply, issued, make_world, used

pytestmark = pytest.mark.django_db(transaction=True)


def race(jobs: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    """Run the jobs in threads released at the same moment; each thread has its own connection."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results.append(job())
        except BaseException as exc:  # reported to the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


def test_simultaneous_approvals_never_exceed_the_budget() -> None:
    p = make_personas()
    w = make_world(p, budget=Decimal("250000"))  # room for two vouchers of 100,000
    ids = []
    for i in range(5):
        firm = make_org(f"北京并发小微{i}号科技有限公司", OrgType.ENTERPRISE, region="110108")
        boss = make_user(f"firm{i}", firm, Role.TTO_OFFICER)
        ids.append(apply(w, by=boss, holder=firm, applicant_type="small_micro", team_members="").pk)
    admin_id = p.commission_admin.pk

    def approve(pk: int) -> Callable[[], Voucher]:
        return lambda: services.voucher_approve(voucher=Voucher.objects.get(pk=pk), by=User.objects.get(pk=admin_id))

    approved, errors = race([approve(pk) for pk in ids])
    assert len(approved) == 2 and len(errors) == 3, errors
    assert all(isinstance(e, ApplicationError) and "remaining budget" in str(e.message) for e in errors), errors
    figures = selectors.budget_figures(programme=Programme.objects.get(pk=w.programme.pk))
    assert figures.reserved == Decimal("200000") and figures.remaining == Decimal("50000")
    numbers = sorted(Voucher.objects.exclude(number=None).values_list("number", flat=True))
    assert [n[-5:] for n in numbers] == ["00001", "00002"]  # numbered without gaps


def test_a_voucher_redeemed_twice_at_once_is_paid_once() -> None:
    p = make_personas()
    w = make_world(p)
    voucher = used(w)
    facility_services.booking_confirm(booking=voucher.uses.get().booking, by=p.tto_officer)
    # Two of the provider's officers redeem the same voucher at the same moment.
    second_officer = make_user("tto2", p.university, Role.TTO_OFFICER)
    officers = [p.tto_officer.pk, second_officer.pk]

    def redeem(user_id: int, invoice: str) -> Callable[[], Redemption]:
        return lambda: services.voucher_redeem(
            voucher=Voucher.objects.get(pk=voucher.pk), by=User.objects.get(pk=user_id), invoice_number=invoice,
            invoice_amount=Decimal("150000"), report=pdf_upload(),
        )

    done, errors = race([redeem(officers[0], "No.A1"), redeem(officers[1], "No.B2")])
    assert len(done) == 1 and len(errors) == 1, errors
    assert isinstance(errors[0], ApplicationError) and errors[0].message == services.ALREADY_REDEEMED
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.REDEEMED and voucher.redeemed_amount == Decimal("75000.00")
    assert Redemption.objects.filter(voucher=voucher).count() == 1
    assert selectors.budget_figures(programme=w.programme).spent == Decimal("75000.00")


def test_a_voucher_spent_on_two_bookings_at_once_is_spent_once() -> None:
    p = make_personas()
    w = make_world(p)
    voucher = issued(w)
    colleague = make_user("cofounder", w.team, Role.MEMBER)
    people = [w.founder.pk, colleague.pk]
    slots = [slot(days=3, hour=9), slot(days=4, hour=14)]  # different times: only the voucher is shared

    def spend(user_id: int, times: Any) -> Callable[[], Booking]:
        return lambda: services.voucher_use_booking(
            voucher=Voucher.objects.get(pk=voucher.pk), by=User.objects.get(pk=user_id),
            facility=Facility.objects.get(pk=w.facility.pk), start=times[0], end=times[1],
        )

    done, errors = race([spend(people[0], slots[0]), spend(people[1], slots[1])])
    assert len(done) == 1 and len(errors) == 1, errors
    assert isinstance(errors[0], ApplicationError) and "cannot be spent twice" in str(errors[0].message)
    assert VoucherUse.objects.filter(voucher=voucher, released_at__isnull=True).count() == 1
    assert Booking.objects.count() == 1  # the refused use made no booking either
