"""The services of IP records: who may write, what is checked, fees, links and the public/draft workflow."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from techtransfer.core.codetables import code_item
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.models import AuditEvent
from techtransfer.ipr import services
from techtransfer.ipr.choices import IPStatus
from techtransfer.ipr.models import FeeEvent, IPAchievementLink, IPRecord
from techtransfer.ipr.tests.helpers import make_record, record_data, serial_number
from techtransfer.testing import Personas, make_achievement

pytestmark = pytest.mark.django_db


class TestCreate:
    def test_it_records_a_draft_held_by_the_owner_with_the_number_normalised(self, p: Personas) -> None:
        record = make_record(p, number="ZL 2023101234566")
        record.refresh_from_db()
        assert record.status == IPStatus.DRAFT and record.owner == p.university
        assert record.number == "202310123456.6"
        assert record.display_number == "ZL202310123456.6"
        assert [(h.name, h.organisation_id) for h in record.holders.all()] == [(p.university.name, p.university.pk)]
        assert record.inventors == ["李研究", "王成果"]
        assert AuditEvent.objects.filter(action="ip_record.create", object_id=str(record.pk)).exists()

    def test_holders_on_the_platform_are_linked_by_their_exact_name(self, p: Personas) -> None:
        record = make_record(p, holders=[p.university.name, "京东理工学院", "张三"])
        holders = [(h.name, h.organisation_id) for h in record.holders.all()]
        assert holders == [(p.university.name, p.university.pk), ("京东理工学院", p.other_university.pk), ("张三", None)]

    @pytest.mark.parametrize("who", ["researcher", "other_tto", "outsider", "reviewer", "commission_admin"])
    def test_only_the_units_tto_officer_may_record(self, p: Personas, who: str) -> None:
        with pytest.raises(PermissionDenied):
            services.ip_create(by=getattr(p, who), owner=p.university, data=record_data())
        assert not IPRecord.objects.exists()

    def test_it_reports_every_problem_at_once(self, p: Personas) -> None:
        data = record_data(number="202310123456.1", grant_date=datetime.date(2020, 1, 1),
                           legal_status=code_item("high_tech_field", "energy"))
        with pytest.raises(ValidationError) as caught:
            services.ip_create(by=p.tto_officer, owner=p.university, data=data)
        errors = caught.value.message_dict
        assert "should be 6" in errors["number"][0]
        assert errors["grant_date"] == ["The grant date is before the application date."]
        assert errors["legal_status"] == ["This value belongs to another code table."]

    def test_a_number_is_recorded_once_on_the_platform(self, p: Personas) -> None:
        make_record(p)
        with pytest.raises(ValidationError, match="already recorded"):
            make_record(p, by=p.other_tto)

    def test_a_software_copyright_keeps_its_registration_number(self, p: Personas) -> None:
        record = make_record(p, ip_type="software", number="2023sr0123456", grant_date=None,
                             legal_status=code_item("ip_legal_status", "registered"))
        assert record.number == "2023SR0123456" and record.display_number == "2023SR0123456"


class TestFees:
    def test_the_next_fee_is_the_earliest_unpaid_one(self, p: Personas) -> None:
        record = make_record(p)
        today = timezone.localdate()
        late = services.fee_add(record=record, by=p.tto_officer,
                                data={"due_date": today + datetime.timedelta(days=200), "amount": Decimal("1200")})
        soon = services.fee_add(record=record, by=p.tto_officer,
                                data={"due_date": today + datetime.timedelta(days=20), "amount": Decimal("900")})
        record.refresh_from_db()
        assert (record.next_fee_due, record.next_fee_amount) == (soon.due_date, Decimal("900.00"))
        services.fee_pay(fee=soon, by=p.tto_officer)
        record.refresh_from_db()
        assert (record.next_fee_due, record.next_fee_amount) == (late.due_date, Decimal("1200.00"))

    def test_a_fee_is_paid_once(self, p: Personas) -> None:
        record = make_record(p)
        fee = services.fee_add(record=record, by=p.tto_officer,
                               data={"due_date": datetime.date(2026, 3, 15), "amount": Decimal("900")})
        services.fee_pay(fee=fee, by=p.tto_officer, paid_on=datetime.date(2025, 3, 1))
        with pytest.raises(ApplicationError, match="recorded as paid on 2025-03-01"):
            services.fee_pay(fee=fee, by=p.tto_officer)

    def test_fees_are_checked(self, p: Personas) -> None:
        record = make_record(p)
        with pytest.raises(ValidationError) as caught:
            services.fee_add(record=record, by=p.tto_officer, data={"due_date": None, "amount": Decimal("-1")})
        assert set(caught.value.message_dict) == {"due_date", "amount"}
        services.fee_add(record=record, by=p.tto_officer, data={"due_date": datetime.date(2026, 3, 15), "amount": 900})
        with pytest.raises(ValidationError, match="already"):
            services.fee_add(record=record, by=p.tto_officer,
                             data={"due_date": datetime.date(2026, 3, 15), "amount": 900})

    @pytest.mark.parametrize("who", ["researcher", "other_tto", "outsider"])
    def test_only_the_manager_records_fees(self, p: Personas, who: str) -> None:
        record = make_record(p)
        fee = services.fee_add(record=record, by=p.tto_officer,
                               data={"due_date": datetime.date(2026, 3, 15), "amount": 900})
        with pytest.raises(PermissionDenied):
            services.fee_add(record=record, by=getattr(p, who),
                             data={"due_date": datetime.date(2027, 3, 15), "amount": 900})
        with pytest.raises(PermissionDenied):
            services.fee_pay(fee=fee, by=getattr(p, who))
        assert FeeEvent.objects.filter(paid_on__isnull=True).count() == 1


class TestWorkflow:
    def test_the_manager_publishes_and_withdraws(self, p: Personas, django_capture_on_commit_callbacks: Any) -> None:
        record = make_record(p)
        with django_capture_on_commit_callbacks(execute=True):
            record = services.ip_publish(record=record, by=p.tto_officer)
        assert record.status == IPStatus.PUBLIC and record.published_at is not None
        with pytest.raises(ApplicationError):
            services.ip_publish(record=record, by=p.tto_officer)
        record = services.ip_withdraw(record=record, by=p.tto_officer, reason="待核实权属")
        assert record.status == IPStatus.DRAFT
        assert [c.step for c in record.status_changes.order_by("at", "id")] == ["publish", "withdraw"]

    @pytest.mark.parametrize("who", ["researcher", "other_tto", "outsider", "commission_admin"])
    def test_nobody_else_takes_the_steps(self, p: Personas, who: str) -> None:
        record = make_record(p)
        with pytest.raises(PermissionDenied):
            services.ip_publish(record=record, by=getattr(p, who))
        record.refresh_from_db()
        assert record.status == IPStatus.DRAFT


class TestUpdateAndLinks:
    @pytest.mark.parametrize("who", ["researcher", "other_tto", "outsider", "commission_admin"])
    def test_nobody_but_the_manager_edits(self, p: Personas, who: str) -> None:
        record = make_record(p)
        with pytest.raises(PermissionDenied):
            services.ip_update(record=record, by=getattr(p, who), data={"title": "改名"})
        record.refresh_from_db()
        assert record.title != "改名"

    def test_the_legal_status_changes_on_a_public_record(self, p: Personas) -> None:
        record = make_record(p, public=True)
        services.ip_update(record=record, by=p.tto_officer,
                           data={"legal_status": code_item("ip_legal_status", "licensed")})
        record.refresh_from_db()
        assert record.legal_status.code == "licensed" and record.status == IPStatus.PUBLIC

    def test_links_are_to_records_the_manager_reads(self, p: Personas) -> None:
        record = make_record(p)
        own = make_achievement(p)
        foreign = make_achievement(p, by=p.other_tto)  # another unit's draft: unreadable to p.tto_officer
        services.ip_links_set(record=record, by=p.tto_officer, achievements=[own.pk])
        assert list(IPAchievementLink.objects.values_list("achievement_id", flat=True)) == [own.pk]
        with pytest.raises(ValidationError, match=str(foreign.pk)):
            services.ip_links_set(record=record, by=p.tto_officer, achievements=[own.pk, foreign.pk])
        services.ip_links_set(record=record, by=p.tto_officer, achievements=[])
        assert not IPAchievementLink.objects.exists()

    def test_a_number_can_move_to_its_right_kind(self, p: Personas) -> None:
        record = make_record(p)
        number = serial_number(42, type_digit="2")
        services.ip_update(record=record, by=p.tto_officer, data={"ip_type": "utility_model", "number": number})
        record.refresh_from_db()
        assert (record.ip_type, record.number) == ("utility_model", number)
