"""The vouchers API: the whole flow (apply, approve, issue, book, confirm, redeem with a PDF), the budget,
the fields each caller reads, and outsiders refused everywhere."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.facilities.tests.factories import slot
from techtransfer.facilities.tests.test_api import api, error
from techtransfer.testing import PDF_BYTES, Personas, make_org, make_user
from techtransfer.vouchers.choices import VoucherStatus
from techtransfer.vouchers.models import Voucher
from techtransfer.vouchers.tests.factories import World, apply, make_world, used

pytestmark = pytest.mark.django_db


def url(name: str, pk: int | None = None) -> str:
    return reverse(f"api:{name}", kwargs={"pk": pk} if pk is not None else None)


@pytest.fixture
def w(p: Personas) -> World:
    return make_world(p)


def test_the_whole_flow_through_the_api(w: World) -> None:
    founder, admin, provider = api(w.founder), api(w.p.commission_admin), api(w.p.tto_officer)
    applied = founder.post(url("vouchers"), {
        "programme": w.programme.pk, "applicant_type": "startup_team", "requested_amount": "80000",
        "purpose": "薄膜检测", "employees": 5, "annual_revenue": "0", "team_members": "林创业 负责人"}, format="json")
    assert applied.status_code == 201, applied.content
    pk = applied.json()["id"]
    assert [a["step"] for a in admin.get(url("voucher", pk)).json()["allowed_actions"]] == ["approve", "reject"]
    approved = admin.post(url("voucher-approve", pk))
    assert approved.json()["status"] == VoucherStatus.APPROVED and approved.json()["amount"] == "80000.00"
    assert admin.post(url("voucher-issue", pk)).json()["status"] == VoucherStatus.ISSUED
    start, end = slot(days=3)
    booked = founder.post(url("voucher-book", pk), {"facility": w.facility.pk, "start": start.isoformat(),
                                                    "end": end.isoformat()}, format="json")
    assert booked.status_code == 200 and booked.json()["status"] == VoucherStatus.USED
    booking_id = booked.json()["uses"][0]["booking"]
    assert provider.post(reverse("api:booking-confirm", args=[booking_id])).status_code == 200
    report = SimpleUploadedFile("检测报告.pdf", PDF_BYTES, content_type="application/pdf")
    redeemed = provider.post(url("voucher-redeem", pk), {"invoice_number": "No.778", "invoice_amount": "1000",
                                                        "report": report}, format="multipart")
    assert redeemed.status_code == 200, redeemed.content
    body = redeemed.json()
    assert body["status"] == VoucherStatus.REDEEMED and body["redemption"]["paid_amount"] == "500.00"
    assert body["employees"] is None and body["purpose"] is None  # the provider does not read the declarations
    assert founder.get(url("voucher", pk)).json()["employees"] == 5
    again = provider.post(url("voucher-redeem", pk), {"invoice_number": "No.779", "invoice_amount": "1000",
                                                     "report": SimpleUploadedFile("r.pdf", PDF_BYTES)},
                          format="multipart")
    assert "already been redeemed" in error(again, 409)["message"]
    budget = admin.get(url("voucher-budget", w.programme.pk)).json()
    assert budget["spent"] == "500.00" and budget["reserved"] == "0.00" and budget["remaining"] == "999500.00"


def test_eligibility_and_budget_errors_are_specific(p: Personas) -> None:
    w = make_world(p, budget=Decimal("50000"))
    refused = api(w.founder).post(url("vouchers"), {
        "programme": w.programme.pk, "applicant_type": "startup_team", "requested_amount": "300000",
        "purpose": "x", "employees": 500, "annual_revenue": "0"}, format="json")
    fields = error(refused, 400)["extra"]["fields"]
    assert {"requested_amount", "employees", "team_members"} <= set(fields)
    voucher = apply(w)
    short = api(p.commission_admin).post(url("voucher-approve", voucher.pk))
    body = error(short, 409)
    assert "remaining budget" in body["message"] and body["extra"]["remaining"] == "50000.00"


def test_the_programme_and_its_providers_are_public_with_facets(w: World) -> None:
    programmes = api().get(url("voucher-programmes")).json()
    assert programmes["results"][0]["co_payment_ratio"] == "0.5000" and programmes["results"][0]["confirmed"] is False
    hebei = make_org("河北雄安智能制造工程技术研究中心", OrgType.INSTITUTE, region="130600")
    from techtransfer.vouchers import services

    services.provider_add(by=w.p.commission_admin, programme=w.programme, organisation=hebei,
                          data={"category": "engineering_centre", "services": "工业机器人可靠性测试"})
    providers = api().get(url("voucher-providers", w.programme.pk), {"province": "13"}).json()
    assert [r["organisation"]["name"] for r in providers["results"]] == [hebei.name]
    assert {f["value"] for f in providers["facets"]["province"]} == {"11", "13"}
    error(api().get(url("voucher-budget", w.programme.pk)), 401)
    error(api(w.founder).get(url("voucher-budget", w.programme.pk)), 403)


def test_an_outsider_is_refused_everywhere(w: World) -> None:
    voucher = used(w)
    stranger_team = make_org("陌生创业团队", OrgType.OTHER)
    stranger = make_user("stranger", stranger_team, Role.TTO_OFFICER)
    for user in (w.p.outsider, stranger, w.p.other_tto):
        client = api(user)
        assert client.get(url("vouchers")).json()["count"] == 0
        error(client.get(url("voucher", voucher.pk)), 404)
        for name in ("voucher-approve", "voucher-reject", "voucher-issue", "voucher-release", "voucher-book",
                     "voucher-use", "voucher-redeem"):
            error(client.post(url(name, voucher.pk), {"reason": "x"}), 404)
        error(client.get(url("voucher-budget", w.programme.pk)), 403)
    outsider = api(w.p.outsider)
    error(outsider.post(url("vouchers"), {
        "programme": w.programme.pk, "applicant_type": "startup_team", "requested_amount": "1000",
        "purpose": "x", "employees": 1, "annual_revenue": "0"}, format="json"), 403)
    assert Voucher.objects.count() == 1

