import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.core.audit import audit_for
from techtransfer.core.codetables import code_item
from techtransfer.core.exceptions import ApplicationError
from techtransfer.market import services
from techtransfer.market.choices import DemandStatus
from techtransfer.market.models import DemandStatusChange, TechnologyDemand
from techtransfer.market.tests.helpers import make_demand, make_enterprise, make_published
from techtransfer.testing import Personas, make_org, make_user


class TestDemandWorkflow:
    def test_the_whole_way_from_draft_through_a_return_to_matched(self, p: Personas) -> None:
        ent = make_enterprise()
        d = make_demand(ent)
        assert d.status == DemandStatus.DRAFT and d.created_by == ent.staff
        assert sorted(m.code for m in d.cooperation_modes.all()) == ["commissioned", "joint"]
        assert d.budget_min == Decimal("500000") and d.budget_max == Decimal("2000000.00")

        services.demand_submit(demand=d, by=ent.staff)
        services.demand_reject(demand=d, by=p.reviewer, reason="请补充现有检测设备型号")
        d.refresh_from_db()
        assert d.status == DemandStatus.DRAFT
        assert d.review_note == "请补充现有检测设备型号" and d.reviewed_by == p.reviewer

        services.demand_update(
            demand=d, by=ent.colleague, data={"description": d.description + "现用设备为X射线测厚仪。"}
        )
        services.demand_submit(demand=d, by=ent.colleague)
        services.demand_approve(demand=d, by=p.commission_admin)
        d.refresh_from_db()
        assert d.status == DemandStatus.PUBLISHED and d.published_at is not None and d.review_note == ""

        services.demand_mark_matched(demand=d, by=ent.staff, note="与北京示范大学达成合作意向")
        d.refresh_from_db()
        assert d.status == DemandStatus.MATCHED
        changes = DemandStatusChange.objects.filter(record=d)
        assert list(changes.values_list("to_state", flat=True)) == [
            "under_review", "draft", "under_review", "published", "matched"
        ]
        assert list(changes.values_list("step", flat=True)) == ["submit", "reject", "submit", "approve", "mark_matched"]
        assert changes.get(step="mark_matched").reason == "与北京示范大学达成合作意向"
        actions = set(audit_for(d).values_list("action", flat=True))
        assert {
            "demand.create",
            "demand.update",
            "demand.submit",
            "demand.reject",
            "demand.approve",
            "demand.mark_matched",
        } <= actions

    def test_a_submitted_demand_can_no_longer_be_edited(self, p: Personas) -> None:
        ent = make_enterprise()
        d = make_demand(ent)
        services.demand_submit(demand=d, by=ent.staff)
        with pytest.raises(ApplicationError):
            services.demand_update(demand=d, by=ent.staff, data={"title": "改名"})
        d.refresh_from_db()
        assert d.title == "锂电池极片涂布厚度在线检测"

    def test_a_return_needs_a_reason(self, p: Personas) -> None:
        ent = make_enterprise()
        d = make_demand(ent)
        services.demand_submit(demand=d, by=ent.staff)
        with pytest.raises(ValidationError) as exc:
            services.demand_reject(demand=d, by=p.reviewer, reason="   ")
        assert "reason" in exc.value.message_dict
        d.refresh_from_db()
        assert d.status == DemandStatus.UNDER_REVIEW

    def test_a_draft_cannot_be_approved_without_going_through_submission(self, p: Personas) -> None:
        d = make_demand(make_enterprise())
        with pytest.raises(ApplicationError):
            services.demand_approve(demand=d, by=p.commission_admin)
        d.refresh_from_db()
        assert d.status == DemandStatus.DRAFT and d.published_at is None

    def test_an_incomplete_draft_is_refused_with_each_missing_field_named(self, p: Personas) -> None:
        ent = make_enterprise()
        d = make_demand(ent, modes=(), description="", field=None)
        with pytest.raises(ValidationError) as exc:
            services.demand_submit(demand=d, by=ent.staff)
        assert set(exc.value.message_dict) == {"description", "field", "cooperation_modes"}

    def test_the_owner_can_close_a_published_demand(self, p: Personas) -> None:
        ent = make_enterprise()
        d = make_published(ent, p.reviewer)
        services.demand_close(demand=d, by=ent.staff, reason="需求已内部解决")
        d.refresh_from_db()
        assert d.status == DemandStatus.CLOSED
        with pytest.raises(ApplicationError):
            services.demand_close(demand=d, by=ent.staff)
        with pytest.raises(ApplicationError):
            services.demand_mark_matched(demand=d, by=ent.staff)


class TestDeadline:
    def test_a_deadline_today_or_earlier_is_refused_at_submission(self, p: Personas) -> None:
        ent = make_enterprise()
        for deadline in (timezone.localdate(), timezone.localdate() - datetime.timedelta(days=3)):
            d = make_demand(ent, deadline=deadline)
            with pytest.raises(ValidationError) as exc:
                services.demand_submit(demand=d, by=ent.staff)
            assert "is not in the future" in exc.value.message_dict["deadline"][0]
            d.refresh_from_db()
            assert d.status == DemandStatus.DRAFT

    def test_a_demand_whose_deadline_passed_in_the_queue_cannot_be_approved(self, p: Personas) -> None:
        import time_machine

        ent = make_enterprise()
        d = make_demand(ent, deadline=timezone.localdate() + datetime.timedelta(days=2))
        services.demand_submit(demand=d, by=ent.staff)
        with time_machine.travel(timezone.now() + datetime.timedelta(days=5)):
            with pytest.raises(ApplicationError):
                services.demand_approve(demand=d, by=p.reviewer)
            services.demand_reject(demand=d, by=p.reviewer, reason="截止日期已过，请更新")
        d.refresh_from_db()
        assert d.status == DemandStatus.DRAFT


class TestBudget:
    def test_a_lowest_budget_above_the_highest_is_refused_on_the_budget_field(self, p: Personas) -> None:
        ent = make_enterprise()
        with pytest.raises(ValidationError) as exc:
            make_demand(ent, budget_min="3000000", budget_max="1000000")
        assert exc.value.message_dict["budget_max"] == ["The lowest budget is above the highest budget."]
        assert not TechnologyDemand.objects.exists()

    def test_a_negative_or_non_numeric_budget_is_refused(self, p: Personas) -> None:
        ent = make_enterprise()
        with pytest.raises(ValidationError) as exc:
            make_demand(ent, budget_min="-1")
        assert "budget_min" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            make_demand(ent, budget_max="两百万")
        assert "budget_max" in exc.value.message_dict

    def test_an_open_ended_or_equal_budget_is_accepted(self, p: Personas) -> None:
        ent = make_enterprise()
        assert make_demand(ent, budget_min=None, budget_max="100").budget_min is None
        d = make_demand(ent, budget_min="100", budget_max="100")
        d.refresh_from_db()
        assert d.budget_min == d.budget_max == Decimal("100.00")

    def test_the_database_refuses_an_inverted_budget_that_bypasses_the_services(self, p: Personas) -> None:
        d = make_demand(make_enterprise())
        with pytest.raises(IntegrityError), transaction.atomic():
            TechnologyDemand.objects.filter(pk=d.pk).update(budget_min=Decimal("9"), budget_max=Decimal("1"))

    def test_codes_from_the_wrong_table_are_refused(self, p: Personas) -> None:
        ent = make_enterprise()
        with pytest.raises(ValidationError) as exc:
            make_demand(ent, field=code_item("region", "110108"))
        assert "field" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            services.demand_create(
                by=ent.staff,
                owner=ent.org,
                data={"title": "x"},
                cooperation_modes=[code_item("transfer_mode", "licence")],
            )
        assert "cooperation_modes" in exc.value.message_dict


class TestPermissions:
    def test_outsiders_and_other_organisations_are_refused_every_write(self, p: Personas) -> None:
        ent = make_enterprise()
        other = make_enterprise("天津别家科技有限公司", region="120104", prefix="other")
        d = make_demand(ent)
        for user in (p.outsider, other.staff, p.tto_officer):
            with pytest.raises(PermissionDenied):
                services.demand_update(demand=d, by=user, data={"title": "篡改"})
            with pytest.raises(PermissionDenied):
                services.demand_submit(demand=d, by=user)
            with pytest.raises(PermissionDenied):
                services.demand_close(demand=d, by=user)
        with pytest.raises(PermissionDenied):
            services.demand_create(by=p.outsider, owner=ent.org, data={"title": "冒名需求"})
        d.refresh_from_db()
        assert d.title == "锂电池极片涂布厚度在线检测" and d.status == DemandStatus.DRAFT

    def test_only_moderators_approve_or_return(self, p: Personas) -> None:
        ent = make_enterprise()
        d = make_demand(ent)
        services.demand_submit(demand=d, by=ent.staff)
        for user in (ent.staff, ent.colleague, p.tto_officer, p.outsider):
            with pytest.raises(PermissionDenied):
                services.demand_approve(demand=d, by=user)
            with pytest.raises(PermissionDenied):
                services.demand_reject(demand=d, by=user, reason="no")
        d.refresh_from_db()
        assert d.status == DemandStatus.UNDER_REVIEW

    def test_a_reviewer_moderates_only_inside_their_region(self, p: Personas) -> None:
        tianjin = make_enterprise("天津别家科技有限公司", region="120104", prefix="tj")
        d = make_demand(tianjin, region=code_item("region", "120104"))
        services.demand_submit(demand=d, by=tianjin.staff)
        with pytest.raises(PermissionDenied):
            services.demand_approve(demand=d, by=p.reviewer)  # the Beijing registration body
        tj_body = make_org("天津市科学技术局", OrgType.REGISTRATION_BODY, region="120000", registry_code="120")
        tj_reviewer = make_user("tj_reviewer", tj_body, Role.REVIEWER)
        services.demand_approve(demand=d, by=tj_reviewer)
        d.refresh_from_db()
        assert d.status == DemandStatus.PUBLISHED and d.reviewed_by == tj_reviewer

    def test_an_unconfirmed_account_cannot_post(self, p: Personas) -> None:
        ent = make_enterprise()
        ent.staff.email_confirmed = False
        ent.staff.save()
        with pytest.raises(PermissionDenied):
            make_demand(ent)

    def test_a_member_still_waiting_for_approval_cannot_post_for_the_organisation(self, p: Personas) -> None:
        from techtransfer.accounts.choices import MembershipStatus
        from techtransfer.accounts.models import Membership

        ent = make_enterprise()
        Membership.objects.filter(user=ent.staff).update(status=MembershipStatus.PENDING)
        with pytest.raises(PermissionDenied):
            make_demand(ent)
        assert not TechnologyDemand.objects.exists()
