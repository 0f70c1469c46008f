"""Shared facilities' and vouchers' part of tests/test_api_exposure.py and tests/test_reads_never_write.py: records
with private parts, the URLs of every API read, and the field rule each voucher in a response must follow."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from techtransfer.facilities import services as facility_services
from techtransfer.facilities.models import Booking, Facility
from techtransfer.facilities.tests.factories import make_facility, slot
from techtransfer.testing import PDF_BYTES, Personas
from techtransfer.vouchers import permissions, services
from techtransfer.vouchers.models import Programme, Voucher
from techtransfer.vouchers.tests.factories import issued, make_world

DRAFT_FACILITY = "草稿设备寅卯：尚未公开的同步辐射线站"
BOOKING_PURPOSE = "预约用途申：保密样品的成分分析"
TEAM_MEMBERS = "团队成员酉：保密成员甲"
VOUCHER_PURPOSE = "创新券用途戌：未公开的产品方案"
INVOICE_NUMBER = "No.INV-SECRET-HAI"
REPORT_NAME = "兑现报告子丑.pdf"
SECRETS = [DRAFT_FACILITY, BOOKING_PURPOSE, TEAM_MEMBERS, VOUCHER_PURPOSE, INVOICE_NUMBER, REPORT_NAME]


@dataclass
class Records:
    facility: Facility  # published, with a booking
    draft: Facility  # never published
    booking: Booking  # paid with the voucher, confirmed
    voucher: Voucher  # redeemed with an invoice and a report
    applied: Voucher  # an application waiting for the commission
    programme: Programme


def records(world: Any) -> Records:
    """Made once per test world (the routes' URL functions share it); `world.p` are the personas."""
    cached = getattr(world, "_voucher_records", None)
    if cached is not None:
        return cached
    built = build(world.p)
    world._voucher_records = built
    return built


def build(p: Personas) -> Records:
    w = make_world(p)
    draft = make_facility(p, publish=False, name=DRAFT_FACILITY)
    voucher = issued(w, team_members=TEAM_MEMBERS, purpose=VOUCHER_PURPOSE)
    start, end = slot(days=3)
    booking = services.voucher_use_booking(voucher=voucher, by=w.founder, facility=w.facility, start=start, end=end,
                                           purpose=BOOKING_PURPOSE)
    facility_services.booking_confirm(booking=booking, by=p.tto_officer)
    services.voucher_redeem(voucher=voucher, by=p.tto_officer, invoice_number=INVOICE_NUMBER,
                            invoice_amount=Decimal("2000"),
                            report=SimpleUploadedFile(REPORT_NAME, PDF_BYTES, content_type="application/pdf"))
    from techtransfer.accounts.choices import OrgType, Role
    from techtransfer.testing import make_org, make_user

    firm = make_org("北京暴露测试传感有限公司", OrgType.ENTERPRISE, region="110108")
    boss = make_user("exposure_boss", firm, Role.TTO_OFFICER)
    applied = services.voucher_apply(by=boss, programme=w.programme, holder=firm, data={
        "applicant_type": "small_micro", "requested_amount": Decimal("50000"), "purpose": VOUCHER_PURPOSE,
        "employees": 12, "annual_revenue": Decimal("3000000"), "team_members": ""})
    voucher.refresh_from_db()
    return Records(w.facility, draft, booking, voucher, applied, w.programme)


ROUTE_URLS = {
    "facilities/": lambda w: ["facilities/", "facilities/?q=电子显微镜", "facilities/?kind=instrument&status=draft"],
    "facilities/<int:pk>/": lambda w: [f"facilities/{f.pk}/" for f in (records(w).facility, records(w).draft)],
    "facilities/<int:pk>/calendar": lambda w: [f"facilities/{records(w).facility.pk}/calendar"],
    "facilities/bookings/": lambda w: ["facilities/bookings/", "facilities/bookings/?side=provider"],
    "facilities/bookings/<int:pk>/": lambda w: [f"facilities/bookings/{records(w).booking.pk}/"],
    "facilities/sharing-stats": lambda w: [f"facilities/sharing-stats?organisation={records(w).facility.owner_id}"],
    "vouchers/": lambda w: ["vouchers/", "vouchers/?side=provider"],
    "vouchers/<int:pk>/": lambda w: [f"vouchers/{v.pk}/" for v in (records(w).voucher, records(w).applied)],
    "vouchers/programmes/": lambda w: ["vouchers/programmes/"],
    "vouchers/programmes/<int:pk>/": lambda w: [f"vouchers/programmes/{records(w).programme.pk}/"],
    "vouchers/programmes/<int:pk>/providers": lambda w: [f"vouchers/programmes/{records(w).programme.pk}/providers"],
    "vouchers/programmes/<int:pk>/budget": lambda w: [f"vouchers/programmes/{records(w).programme.pk}/budget"],
}


def workflow_records(world: Any) -> list[Any]:
    built = records(world)
    return [built.draft, built.booking, built.voucher, built.applied]


def check_voucher_record(record: dict[str, Any], user: Any) -> None:
    """A voucher in a response shows the applicant's declarations only to its holder and the commission."""
    if "applicant_type" in record and "holder" in record and "requested_amount" in record:
        voucher = Voucher.objects.get(pk=record["id"])
        if not permissions.reads_application(user, voucher):
            assert all(record[name] is None for name in ("purpose", "employees", "annual_revenue", "team_members"))


def reads_world(p: Personas) -> dict[str, list[int]]:
    """tests/test_reads_never_write.py: the records behind each kind of route of the two apps."""
    built = build(p)
    return {
        "facility": [built.facility.pk, built.draft.pk],
        "booking": [built.booking.pk],
        "voucher": [built.voucher.pk, built.applied.pk],
        "programme": [built.programme.pk],
        "provider": list(built.programme.providers.values_list("pk", flat=True)),
    }
