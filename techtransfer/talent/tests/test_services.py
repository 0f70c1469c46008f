from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from techtransfer.core.codetables import code_item
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.models import AuditEvent
from techtransfer.core.workflow import step_take
from techtransfer.talent import permissions as perms
from techtransfer.talent import selectors, services
from techtransfer.talent.choices import Confirmation, ConsultationStatus
from techtransfer.talent.models import Consultation
from techtransfer.talent.tests.helpers import make_scheme, make_visit, visit_data

pytestmark = pytest.mark.django_db


def test_only_the_commission_admin_appoints_and_assigns(p):
    s = make_scheme(p)
    with pytest.raises(PermissionDenied):
        services.commissioner_appoint(by=p.reviewer, user=p.researcher, year=2026, dispatching_unit=p.university,
                                      service_region=code_item("region", "110118"))
    with pytest.raises(PermissionDenied):
        services.assignment_add(by=s.commissioner_user, commissioner=s.commissioner, enterprise=s.enterprise,
                                start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31))
    with pytest.raises(ApplicationError, match=str(s.commissioner.year)):
        services.commissioner_appoint(by=p.commission_admin, user=s.commissioner_user, year=s.commissioner.year,
                                      dispatching_unit=p.university, service_region=code_item("region", "110118"))
    assert AuditEvent.objects.filter(action="commissioner.appoint").count() == 1


def test_assignment_checks_place_and_dates(p):
    s = make_scheme(p)
    with pytest.raises(ValidationError) as exc:
        services.assignment_add(by=p.commission_admin, commissioner=s.commissioner, enterprise=p.university,
                                start=datetime.date(2026, 5, 1), end=datetime.date(2026, 1, 1))
    assert set(exc.value.message_dict) == {"enterprise", "end"}
    assert str(services.NOT_AN_ENTERPRISE) in exc.value.message_dict["enterprise"]
    with pytest.raises(ValidationError) as exc:
        services.assignment_add(by=p.commission_admin, commissioner=s.commissioner, village_name="石城村",
                                start=datetime.date(2026, 1, 1), end=datetime.date(2026, 2, 1))
    assert exc.value.message_dict == {"village_region": [str(services.VILLAGE_REGION_MISSING)]}
    with pytest.raises(ValidationError) as exc:
        services.assignment_add(by=p.commission_admin, commissioner=s.commissioner,
                                start=datetime.date(2026, 1, 1), end=datetime.date(2026, 2, 1))
    assert exc.value.message_dict == {"enterprise": [str(services.PLACE_MISSING)]}


def test_commissioner_records_visits_on_own_assignment_only(p):
    s = make_scheme(p)
    visit = make_visit(s)
    assert visit.confirmation == Confirmation.PENDING and visit.hours == Decimal("3.5")
    with pytest.raises(PermissionDenied):
        services.visit_record(by=s.staff, assignment=s.assignment, data=visit_data())
    with pytest.raises(ValidationError) as exc:
        make_visit(s, date=timezone.localdate() + datetime.timedelta(days=2), hours=Decimal(30), people_served=0,
                   kind="party")
    assert set(exc.value.message_dict) == {"date", "hours", "people_served", "kind"}
    with pytest.raises(ValidationError) as exc:
        make_visit(s, date=s.assignment.start - datetime.timedelta(days=1))
    assert "date" in exc.value.message_dict


def test_visit_cannot_name_an_achievement_or_demand_the_commissioner_cannot_see(p):
    s = make_scheme(p)
    with pytest.raises(ValidationError) as exc:
        make_visit(s, achievement=999999, demand=999999)
    assert set(exc.value.message_dict) == {"achievement", "demand"}


def test_enterprise_confirms_or_disputes_once(p):
    s = make_scheme(p)
    visit = make_visit(s)
    for stranger in (p.outsider, s.commissioner_user, p.commission_admin):
        with pytest.raises(PermissionDenied):
            services.visit_confirm(visit=visit, by=stranger)
    with pytest.raises(ValidationError) as exc:
        services.visit_confirm(visit=visit, by=s.staff, disputed=True)
    assert exc.value.message_dict == {"note": [str(services.DISPUTE_REASON)]}
    services.visit_confirm(visit=visit, by=s.staff)
    visit.refresh_from_db()
    assert visit.confirmation == Confirmation.CONFIRMED and visit.confirmed_by == s.staff
    with pytest.raises(ApplicationError):
        services.visit_confirm(visit=visit, by=s.staff, disputed=True, note="没来过")
    other = make_visit(s)
    services.visit_confirm(visit=other, by=s.staff, disputed=True, note="当天未到现场")
    other.refresh_from_db()
    assert other.confirmation == Confirmation.DISPUTED


def test_visibility_of_visits(p):
    s = make_scheme(p)
    visit = make_visit(s)
    services.visit_record(by=s.commissioner_user, assignment=s.village, data=visit_data())
    assert selectors.visit_list(user=p.outsider).count() == 0
    assert selectors.visit_list(user=p.tto_officer).count() == 0
    assert selectors.visit_list(user=s.staff).count() == 1  # the village's visit is not the enterprise's
    assert selectors.visit_list(user=s.commissioner_user).count() == 2
    assert selectors.visit_list(user=p.reviewer).count() == 2
    assert selectors.visit_list(user=p.commission_admin).filter(pk=visit.pk).exists()


def test_activity_totals(p):
    s = make_scheme(p)
    v1 = make_visit(s, hours=Decimal(2))
    make_visit(s, hours=Decimal("1.5"), people_served=4)
    services.visit_record(by=s.commissioner_user, assignment=s.village, data=visit_data(hours=Decimal(4)))
    services.visit_confirm(visit=v1, by=s.staff)
    today = timezone.localdate()
    data = selectors.activity(user=p.reviewer, start=today - datetime.timedelta(days=30), end=today)
    assert data.total.visits == 3 and data.total.hours == Decimal("7.5") and data.total.places_served == 2
    assert data.total.confirmed_share == 33
    (row,) = data.by_commissioner
    assert row.label == "孙特派" and row.visits == 3
    (district,) = data.by_district
    assert district.key == "110119" and district.people == 16
    with pytest.raises(PermissionDenied):
        selectors.activity(user=s.commissioner_user, start=today, end=today)


def test_consultation_workflow_answered_by_commission_on_behalf(p):
    s = make_scheme(p)
    with pytest.raises(PermissionDenied):
        services.consultation_ask(by=p.researcher, expert=s.expert, message="请教")
    with pytest.raises(ValidationError) as exc:
        services.consultation_ask(by=s.staff, expert=s.expert, message="  ")
    assert exc.value.message_dict == {"message": [str(services.MESSAGE_MISSING)]}
    c = services.consultation_ask(by=s.staff, expert=s.expert, message="滴灌控制器传感器漂移如何补偿？")
    assert c.enterprise == s.enterprise and c.status == ConsultationStatus.ASKED
    with pytest.raises(ApplicationError):
        services.consultation_ask(by=s.staff, expert=s.expert, message="再问一次")
    assert perms.expert_account(s.expert) is None
    with pytest.raises(PermissionDenied):
        step_take(record=c, step="accept", by=s.staff)
    with pytest.raises(PermissionDenied):
        step_take(record=c, step="accept", by=p.outsider)
    with pytest.raises(ValidationError):
        step_take(record=c, step="decline", by=p.commission_admin)  # a reason is required
    c = step_take(record=c, step="accept", by=p.commission_admin)
    with pytest.raises(ApplicationError):
        step_take(record=c, step="withdraw", by=s.staff)
    c = step_take(record=c, step="finish", by=p.commission_admin, reason="建议采用温度补偿算法")
    assert Consultation.objects.get(pk=c.pk).status == ConsultationStatus.DONE
    assert [h.step for h in c.status_changes.order_by("at", "id")] == ["ask", "accept", "finish"]


def test_consultation_visibility(p):
    s = make_scheme(p)
    c = services.consultation_ask(by=s.staff, expert=s.expert, message="请教")
    assert not selectors.consultation_list(user=p.outsider).filter(pk=c.pk).exists()
    assert not selectors.consultation_list(user=p.tto_officer).filter(pk=c.pk).exists()
    assert selectors.consultation_list(user=p.commission_admin).filter(pk=c.pk).exists()
