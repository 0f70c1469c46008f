"""Innovation vouchers through their services: eligibility, budget, issue, spending with a listed provider,
redemption within the voucher's value and the co-payment, expiry releasing the budget."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.core.exceptions import ApplicationError
from techtransfer.facilities import services as facility_services
from techtransfer.facilities.choices import BookingStatus
from techtransfer.facilities.tests.factories import make_facility, slot
from techtransfer.lib.money import money
from techtransfer.testing import Personas, make_org, make_user, pdf_upload
from techtransfer.vouchers import selectors, services
from techtransfer.vouchers.choices import VoucherStatus
from techtransfer.vouchers.models import Redemption, Voucher, VoucherUse
from techtransfer.vouchers.tests.factories import World, apply, issued, make_world, team_data, used

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(p: Personas) -> World:
    return make_world(p)


class TestApplying:
    def test_a_startup_team_applies_and_the_administrators_are_told(self, w: World) -> None:
        voucher = apply(w)
        assert voucher.status == VoucherStatus.APPLIED and voucher.number is None and voucher.amount is None
        assert [c.step for c in voucher.status_changes.all()] == ["apply"]

    def test_only_a_member_applies_for_the_unit(self, w: World) -> None:
        with pytest.raises(PermissionDenied):
            apply(w, by=w.p.outsider)
        with pytest.raises(PermissionDenied):
            apply(w, by=w.p.tto_officer)  # not a member of the team

    @pytest.mark.parametrize(
        ("overrides", "field", "words"),
        [
            ({"employees": 150}, "employees", "At most 100 employees"),
            ({"annual_revenue": Decimal("30000000")}, "annual_revenue", "annual revenue"),
            ({"requested_amount": Decimal("250000")}, "requested_amount", "worth at most"),
            ({"team_members": ""}, "team_members", "members"),
            ({"applicant_type": "small_micro"}, "applicant_type", "registered as"),
        ],
    )
    def test_the_eligibility_rules_are_the_programmes_and_name_the_field(
        self, w: World, overrides: dict, field: str, words: str
    ) -> None:
        with pytest.raises(ValidationError) as caught:
            apply(w, **overrides)
        assert words in " ".join(caught.value.message_dict[field]), caught.value.message_dict
        assert not Voucher.objects.exists()

    def test_a_unit_outside_the_programmes_regions_is_refused(self, w: World) -> None:
        tianjin = make_org("天津滨海创客团队", OrgType.OTHER, region="120116")
        founder = make_user("tj_founder", tianjin, Role.TTO_OFFICER)
        with pytest.raises(ValidationError) as caught:
            apply(w, by=founder, holder=tianjin)
        assert "region" in caught.value.message_dict["holder"][0]

    def test_a_programme_that_allows_no_teams_says_so(self, p: Personas) -> None:
        w = make_world(p, startup_team_allowed=False)
        with pytest.raises(ValidationError) as caught:
            apply(w)
        assert "does not accept applications from" in caught.value.message_dict["applicant_type"][0]

    def test_one_live_voucher_per_unit_by_default(self, w: World) -> None:
        apply(w)
        with pytest.raises(ApplicationError):
            apply(w)


class TestDeciding:
    def test_approval_reserves_the_amount_and_numbers_the_voucher(self, w: World) -> None:
        voucher = services.voucher_approve(voucher=apply(w), by=w.p.commission_admin)
        assert voucher.status == VoucherStatus.APPROVED and voucher.amount == Decimal("100000")
        assert voucher.number == f"{w.programme.year}SDKJ00001"
        figures = selectors.budget_figures(programme=w.programme)
        assert (figures.reserved, figures.spent, figures.remaining) == (Decimal("100000"), 0, Decimal("900000"))

    def test_approval_is_refused_when_the_budget_left_is_too_small(self, p: Personas) -> None:
        w = make_world(p, budget=Decimal("150000"))
        first = apply(w)
        services.voucher_approve(voucher=first, by=p.commission_admin)
        other = make_org("北京小微传感科技有限公司", OrgType.ENTERPRISE, region="110108")
        boss = make_user("boss", other, Role.TTO_OFFICER)
        second = apply(w, by=boss, holder=other, applicant_type="small_micro", team_members="")
        with pytest.raises(ApplicationError) as caught:
            services.voucher_approve(voucher=second, by=p.commission_admin)
        assert caught.value.message == str(services.BUDGET_EXHAUSTED) % {
            "remaining": money(Decimal("50000")), "amount": money(Decimal("100000"))}
        second.refresh_from_db()
        assert second.status == VoucherStatus.APPLIED and second.amount is None
        assert selectors.budget_figures(programme=w.programme).remaining == Decimal("50000")

    def test_rules_tightened_after_applying_stop_the_approval(self, w: World) -> None:
        voucher = apply(w)
        services.programme_update(programme=w.programme, by=w.p.commission_admin, data={"max_employees": 5})
        with pytest.raises(ApplicationError) as caught:
            services.voucher_approve(voucher=voucher, by=w.p.commission_admin)
        assert "At most 5 employees" in str(caught.value.message)

    def test_only_commission_administrators_of_other_units_decide(self, w: World) -> None:
        voucher = apply(w)
        for user in (w.founder, w.p.reviewer, w.p.tto_officer):
            with pytest.raises(PermissionDenied):
                services.voucher_approve(voucher=voucher, by=user)

    def test_a_rejection_needs_a_reason(self, w: World) -> None:
        voucher = apply(w)
        with pytest.raises(ValidationError):
            services.voucher_reject(voucher=voucher, by=w.p.commission_admin, reason="")
        services.voucher_reject(voucher=voucher, by=w.p.commission_admin, reason="服务内容不属于研发活动")
        voucher.refresh_from_db()
        assert voucher.status == VoucherStatus.REJECTED

    def test_issuing_starts_the_validity(self, w: World) -> None:
        voucher = issued(w)
        today = timezone.localdate()
        assert voucher.valid_from == today
        assert voucher.valid_until == min(today + datetime.timedelta(days=179), w.programme.last_day)


class TestSpending:
    def test_booking_a_listed_providers_facility_uses_the_voucher(self, w: World) -> None:
        voucher = used(w)
        assert voucher.status == VoucherStatus.USED
        use = VoucherUse.objects.get(voucher=voucher)
        assert use.provider == w.provider and use.booking.organisation == w.team
        assert use.booking.status == BookingStatus.PENDING and use.agreed_amount == Decimal("1000.00")

    def test_a_facility_of_an_unlisted_unit_is_refused(self, w: World) -> None:
        voucher = issued(w)
        elsewhere = make_facility(w.p, owner=w.p.other_university, by=w.p.other_tto, name="X射线衍射仪")
        start, end = slot()
        with pytest.raises(ValidationError) as caught:
            services.voucher_use_booking(voucher=voucher, by=w.founder, facility=elsewhere, start=start, end=end)
        assert "not a listed provider" in caught.value.message_dict["facility"][0]

    def test_a_voucher_is_not_spent_twice(self, w: World) -> None:
        voucher = used(w)
        start, end = slot(days=5)
        with pytest.raises(ApplicationError) as caught:
            services.voucher_use_booking(voucher=voucher, by=w.founder, facility=w.facility, start=start, end=end)
        assert "cannot be spent twice" in str(caught.value.message)

    def test_a_declined_booking_gives_the_voucher_back(self, w: World) -> None:
        voucher = used(w)
        booking = VoucherUse.objects.get(voucher=voucher).booking
        facility_services.booking_decline(booking=booking, by=w.p.tto_officer, reason="设备检修")
        voucher.refresh_from_db()
        assert voucher.status == VoucherStatus.ISSUED
        assert [c.step for c in voucher.status_changes.all()][-1] == "release"
        start, end = slot(days=6)
        services.voucher_use_booking(voucher=voucher, by=w.founder, facility=w.facility, start=start, end=end)
        voucher.refresh_from_db()
        assert voucher.status == VoucherStatus.USED and voucher.uses.count() == 2

    def test_a_service_contract_use_can_be_cancelled_by_hand(self, w: World) -> None:
        voucher = issued(w)
        services.voucher_use_contract(voucher=voucher, by=w.founder, provider=w.provider,
                                      contract_number="JSFW-2026-018", agreed_amount=Decimal("80000"),
                                      description="材料性能检测与分析报告")
        services.voucher_release(voucher=voucher, by=w.founder, reason="合同未能签订")
        voucher.refresh_from_db()
        assert voucher.status == VoucherStatus.ISSUED

    def test_a_voucher_past_its_validity_is_not_spent(self, w: World) -> None:
        voucher = issued(w)
        Voucher.objects.filter(pk=voucher.pk).update(valid_until=timezone.localdate() - datetime.timedelta(days=1))
        start, end = slot()
        with pytest.raises(ApplicationError) as caught:
            services.voucher_use_booking(voucher=voucher, by=w.founder, facility=w.facility, start=start, end=end)
        assert "can no longer be spent" in str(caught.value.message)


class TestRedeeming:
    def test_the_provider_redeems_with_invoice_and_report_paying_the_share_net_of_co_payment(self, w: World) -> None:
        voucher = used(w)
        facility_services.booking_confirm(booking=voucher.uses.get().booking, by=w.p.tto_officer)
        redemption = services.voucher_redeem(voucher=voucher, by=w.p.tto_officer, invoice_number="No.11002345",
                                             invoice_amount=Decimal("60000"), report=pdf_upload("检测报告.pdf"))
        voucher.refresh_from_db()
        assert voucher.status == VoucherStatus.REDEEMED and voucher.redeemed_amount == Decimal("30000.00")
        assert redemption.paid_amount == Decimal("30000.00") and redemption.original_name == "检测报告.pdf"
        figures = selectors.budget_figures(programme=w.programme)
        assert (figures.reserved, figures.spent, figures.remaining) == (0, Decimal("30000.00"), Decimal("970000.00"))

    def test_the_voucher_never_pays_beyond_its_value(self, w: World) -> None:
        voucher = used(w)
        facility_services.booking_confirm(booking=voucher.uses.get().booking, by=w.p.tto_officer)
        services.voucher_redeem(voucher=voucher, by=w.p.tto_officer, invoice_number="No.1",
                                invoice_amount=Decimal("500000"), report=pdf_upload())
        voucher.refresh_from_db()
        assert voucher.redeemed_amount == voucher.amount == Decimal("100000")

    def test_a_second_redemption_is_refused_clearly(self, w: World) -> None:
        voucher = used(w)
        facility_services.booking_confirm(booking=voucher.uses.get().booking, by=w.p.tto_officer)
        services.voucher_redeem(voucher=voucher, by=w.p.tto_officer, invoice_number="No.1",
                                invoice_amount=Decimal("1000"), report=pdf_upload())
        with pytest.raises(ApplicationError) as caught:
            services.voucher_redeem(voucher=voucher, by=w.p.tto_officer, invoice_number="No.2",
                                    invoice_amount=Decimal("1000"), report=pdf_upload())
        assert caught.value.message == services.ALREADY_REDEEMED
        assert Redemption.objects.count() == 1

    def test_a_pending_booking_is_confirmed_before_redemption(self, w: World) -> None:
        voucher = used(w)
        with pytest.raises(ApplicationError) as caught:
            services.voucher_redeem(voucher=voucher, by=w.p.tto_officer, invoice_number="No.1",
                                    invoice_amount=Decimal("1000"), report=pdf_upload())
        assert caught.value.message == services.BOOKING_NOT_CONFIRMED

    def test_every_missing_piece_is_named(self, w: World) -> None:
        voucher = used(w)
        facility_services.booking_confirm(booking=voucher.uses.get().booking, by=w.p.tto_officer)
        not_pdf = SimpleUploadedFile("report.pdf", b"hello", content_type="application/pdf")
        with pytest.raises(ValidationError) as caught:
            services.voucher_redeem(voucher=voucher, by=w.p.tto_officer, invoice_number=" ",
                                    invoice_amount=Decimal("0"), report=not_pdf)
        assert set(caught.value.message_dict) == {"invoice_number", "invoice_amount", "report"}

    def test_only_the_providers_tto_officer_redeems(self, w: World) -> None:
        voucher = used(w)
        for user in (w.founder, w.p.researcher, w.p.other_tto, w.p.commission_admin):
            with pytest.raises(PermissionDenied):
                services.voucher_redeem(voucher=voucher, by=user, invoice_number="No.1",
                                        invoice_amount=Decimal("1000"), report=pdf_upload())


class TestExpiry:
    def test_unused_vouchers_past_their_validity_expire_and_release_the_budget(self, w: World) -> None:
        voucher = issued(w)
        spent = make_org("北京极光光电科技有限公司", OrgType.ENTERPRISE, region="110108")
        boss = make_user("boss2", spent, Role.TTO_OFFICER)
        busy = used(w, days=4, by=boss, holder=spent, applicant_type="small_micro", team_members="")
        assert selectors.budget_figures(programme=w.programme).reserved == Decimal("200000")
        after = voucher.valid_until + datetime.timedelta(days=1)
        call_command("expire_vouchers", today=after.isoformat(), stdout=open("/dev/null", "w"))
        voucher.refresh_from_db()
        busy.refresh_from_db()
        assert voucher.status == VoucherStatus.EXPIRED and busy.status == VoucherStatus.USED
        assert voucher.status_changes.last().step == "expire"
        assert selectors.budget_figures(programme=w.programme).reserved == Decimal("100000")
        assert services.vouchers_expire(today=after) == 0  # a second run finds nothing

    def test_an_approved_voucher_never_issued_expires_after_the_programmes_last_day(self, w: World) -> None:
        voucher = services.voucher_approve(voucher=apply(w), by=w.p.commission_admin)
        assert services.vouchers_expire(today=w.programme.last_day) == 0
        assert services.vouchers_expire(today=w.programme.last_day + datetime.timedelta(days=1)) == 1
        voucher.refresh_from_db()
        assert voucher.status == VoucherStatus.EXPIRED


def test_team_data_is_eligible_for_the_default_programme(w: World) -> None:
    assert services.eligibility_problems(
        programme=w.programme, holder=w.team, applicant_type="startup_team", employees=6,
        annual_revenue=Decimal(0), amount=team_data()["requested_amount"],
    ) == {}
