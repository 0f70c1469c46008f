"""The voucher pages: programmes and provider search (public), applying, deciding, spending with a booking,
redeeming with an uploaded report, the budget page; everyone else refused."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.core.codetables import code_item
from techtransfer.facilities import services as facility_services
from techtransfer.facilities.models import Booking
from techtransfer.testing import PDF_BYTES, Personas, make_org, make_user, pdf_upload, step_url
from techtransfer.vouchers import services
from techtransfer.vouchers.choices import VoucherStatus
from techtransfer.vouchers.models import Voucher
from techtransfer.vouchers.tests.factories import World, apply, issued, make_world, used

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]


def client(user: Any = None, language: str = "en") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def w(p: Personas) -> World:
    return make_world(p)


def tianjin_provider(w: World) -> None:
    lab = make_org("天津滨海新材料检测中心", OrgType.INSTITUTE, region="120116")
    services.provider_add(by=w.p.commission_admin, programme=w.programme, organisation=lab,
                          data={"category": "testing", "services": "复合材料力学性能检测"},
                          fields=[code_item("high_tech_field", "materials")])


class TestProgrammePages:
    def test_anyone_reads_the_terms_with_the_unconfirmed_values_marked(self, w: World) -> None:
        page = client().get(reverse("vouchers:programme", args=[w.programme.pk])).content.decode()
        assert "Innovation Voucher" in page and "not yet confirmed by a published text" in page
        assert "50%" in page and "Beijing Demo University" in page

    def test_the_provider_list_is_searched_and_faceted(self, w: World) -> None:
        tianjin_provider(w)
        url = reverse("vouchers:programme", args=[w.programme.pk])
        both = client().get(url).content.decode()
        assert "天津滨海新材料检测中心" in both and "Tianjin" in both and "Testing and inspection" in both
        tianjin = client().get(url, {"province": "12"}).content.decode()
        assert "天津滨海新材料检测中心" in tianjin and 'id="provider-' in tianjin and "分析测试中心" not in tianjin
        found = client().get(url, {"q": "力学性能"}).content.decode()
        assert "天津滨海新材料检测中心" in found and "扫描电镜" not in found

    def test_only_the_commission_edits_programmes_and_reads_the_budget(self, w: World) -> None:
        urls = [reverse("vouchers:programme_new"), reverse("vouchers:programme_edit", args=[w.programme.pk]),
                reverse("vouchers:budget", args=[w.programme.pk]),
                reverse("vouchers:provider_new", args=[w.programme.pk]),
                reverse("vouchers:provider_edit", args=[w.provider.pk]), reverse("vouchers:review")]
        for url in urls:
            for user in (w.p.outsider, w.founder, w.p.tto_officer, w.p.reviewer):
                assert client(user).get(url).status_code == 403, (url, user)
            assert client(w.p.commission_admin).get(url).status_code == 200, url

    def test_the_commission_changes_the_rules_on_the_page(self, w: World) -> None:
        data = {name: getattr(w.programme, name) for name in services.PROGRAMME_FIELDS}
        data.update(budget="80", max_amount="5", max_revenue="", end_date="", validity_days="90",
                    max_employees="50", co_payment_ratio="0.3")
        data = {k: ("on" if v is True else "" if v in (False, None) else v) for k, v in data.items()}
        response = client(w.p.commission_admin).post(reverse("vouchers:programme_edit", args=[w.programme.pk]),
                                                     data)
        assert response.status_code == 302, response.content.decode()[:3000]
        w.programme.refresh_from_db()
        assert w.programme.budget == Decimal("800000") and w.programme.max_amount == Decimal("50000")
        assert w.programme.co_payment_ratio == Decimal("0.3") and w.programme.max_employees == 50


class TestApplyingAndDeciding:
    def form(self, w: World, **overrides: Any) -> dict[str, Any]:
        data = {"holder": w.team.pk, "applicant_type": "startup_team", "requested_amount": "10", "employees": "6",
                "annual_revenue": "0", "purpose": "委托检测薄膜形貌", "team_members": "林创业 负责人"}
        data.update(overrides)
        return data

    def test_a_team_applies_and_ineligible_answers_are_shown_at_their_fields(self, w: World) -> None:
        url = reverse("vouchers:apply", args=[w.programme.pk])
        refused = client(w.founder).post(url, self.form(w, employees="500", requested_amount="30"))
        page = refused.content.decode()
        assert refused.status_code == 200 and not Voucher.objects.exists()
        assert "At most 100 employees may apply" in page and "worth at most" in page
        response = client(w.founder).post(url, self.form(w))
        voucher = Voucher.objects.get()
        assert response.status_code == 302 and voucher.requested_amount == Decimal("100000")

    def test_someone_of_no_organisation_cannot_apply(self, w: World) -> None:
        assert client(w.p.outsider).get(reverse("vouchers:apply", args=[w.programme.pk])).status_code == 403

    def test_the_administrator_approves_from_the_queue_and_is_told_when_the_budget_is_short(self, p: Personas) -> None:
        w = make_world(p, budget=Decimal("50000"))
        voucher = apply(w)
        queue = client(p.commission_admin).get(reverse("vouchers:review")).content.decode()
        assert reverse("vouchers:detail", args=[voucher.pk]) in queue
        response = client(p.commission_admin).post(step_url(voucher, "approve"), follow=True)
        assert "remaining budget" in response.content.decode()
        voucher.refresh_from_db()
        assert voucher.status == VoucherStatus.APPLIED

    def test_the_provider_does_not_read_the_applicants_declarations(self, w: World) -> None:
        voucher = used(w, annual_revenue=Decimal("1234567"))
        holder_page = client(w.founder).get(reverse("vouchers:detail", args=[voucher.pk])).content.decode()
        provider_page = client(w.p.tto_officer).get(reverse("vouchers:detail", args=[voucher.pk])).content.decode()
        assert "林创业 负责人" in holder_page and "林创业 负责人" not in provider_page
        assert voucher.number in provider_page


class TestSpendingAndRedeeming:
    def test_the_team_books_with_the_voucher_and_the_provider_redeems_with_a_report(self, w: World) -> None:
        voucher = issued(w)
        detail = client(w.founder).get(reverse("vouchers:detail", args=[voucher.pk])).content.decode()
        assert reverse("vouchers:book", args=[voucher.pk, w.facility.pk]) in detail
        facility_page = client(w.founder).get(reverse("facilities:detail", args=[w.facility.pk])).content.decode()
        assert f'id="book-with-{voucher.pk}"' in facility_page  # the voucher panel on the facility's page
        day = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
        response = client(w.founder).post(reverse("vouchers:book", args=[voucher.pk, w.facility.pk]), {
            "day": day, "start_time": "09:00", "end_time": "12:00", "purpose": "钙钛矿薄膜截面观察"})
        booking = Booking.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("facilities:booking", args=[booking.pk])
        facility_services.booking_confirm(booking=booking, by=w.p.tto_officer)
        booking_page = client(w.p.tto_officer).get(reverse("facilities:booking", args=[booking.pk])).content.decode()
        assert voucher.number in booking_page and 'id="redeem-from-booking"' in booking_page
        redeemed = client(w.p.tto_officer).post(reverse("vouchers:redeem", args=[voucher.pk]), {
            "invoice_number": "No.20260318", "invoice_amount": "3000",
            "report": pdf_upload("SEM检测报告.pdf")})
        assert redeemed.status_code == 302
        voucher.refresh_from_db()
        assert voucher.status == VoucherStatus.REDEEMED and voucher.redeemed_amount == Decimal("1500.00")
        budget = client(w.p.commission_admin).get(reverse("vouchers:budget", args=[w.programme.pk])).content.decode()
        assert "No.20260318" in budget and "SEM检测报告.pdf" in budget
        report = client(w.p.commission_admin).get(reverse("vouchers:report", args=[voucher.pk]))
        assert report.status_code == 200 and b"".join(report.streaming_content) == PDF_BYTES

    def test_a_redeem_form_without_a_report_says_so(self, w: World) -> None:
        voucher = used(w)
        facility_services.booking_confirm(booking=voucher.uses.get().booking, by=w.p.tto_officer)
        response = client(w.p.tto_officer).post(reverse("vouchers:redeem", args=[voucher.pk]), {
            "invoice_number": "No.1", "invoice_amount": "100"})
        assert response.status_code == 200 and "This field is required" in response.content.decode()


class TestOutsiders:
    def test_an_outsider_is_refused_every_voucher_page(self, w: World) -> None:
        voucher = used(w)
        facility_services.booking_confirm(booking=voucher.uses.get().booking, by=w.p.tto_officer)
        services.voucher_redeem(voucher=voucher, by=w.p.tto_officer, invoice_number="No.9",
                                invoice_amount=Decimal("100"), report=pdf_upload())
        other_team = make_org("另一个创业团队", OrgType.OTHER)
        stranger = make_user("stranger", other_team, Role.TTO_OFFICER)
        for user in (w.p.outsider, stranger, w.p.other_tto, w.p.researcher):
            for name in ("detail", "use", "redeem", "report"):
                assert client(user).get(reverse(f"vouchers:{name}", args=[voucher.pk])).status_code == 404, name
            assert client(user).get(reverse("vouchers:book", args=[voucher.pk, w.facility.pk])).status_code == 404
            for step in ("approve", "reject", "issue", "release"):
                assert client(user).post(step_url(voucher, step)).status_code == 404
        assert client(None).get(reverse("vouchers:detail", args=[voucher.pk])).status_code == 302


def test_every_page_works_in_chinese(w: World) -> None:
    voucher = issued(w)
    admin = client(w.p.commission_admin, "zh-hans")
    founder = client(w.founder, "zh-hans")
    for c, url in [
        (founder, reverse("vouchers:index")), (founder, reverse("vouchers:programme", args=[w.programme.pk])),
        (founder, reverse("vouchers:apply", args=[w.programme.pk])), (founder, reverse("vouchers:mine")),
        (founder, reverse("vouchers:detail", args=[voucher.pk])), (founder, reverse("vouchers:use", args=[voucher.pk])),
        (founder, reverse("vouchers:book", args=[voucher.pk, w.facility.pk])),
        (admin, reverse("vouchers:budget", args=[w.programme.pk])), (admin, reverse("vouchers:review")),
        (admin, reverse("vouchers:programme_new")), (admin, reverse("vouchers:provider_new", args=[w.programme.pk])),
    ]:
        assert c.get(url).status_code == 200, url
