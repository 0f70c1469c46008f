"""Investment matching end to end through the services: profiles, projects, requests, answers, outcome."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from techtransfer.core.exceptions import ApplicationError
from techtransfer.investment import selectors, services
from techtransfer.investment.choices import RequestStatus
from techtransfer.investment.models import FundingProject, FundingRequest, Investor
from techtransfer.investment.tests.helpers import World, investor_data, make_investor, make_project, make_world
from techtransfer.testing import Personas, make_achievement


@pytest.fixture
def w(p: Personas) -> World:
    return make_world(p)


def test_only_an_investor_admin_lists_a_fund(w: World) -> None:
    with pytest.raises(PermissionDenied):
        services.investor_create(by=w.p.tto_officer, organisation=w.p.university, data=investor_data())
    with pytest.raises(PermissionDenied):
        services.investor_create(by=w.investor_staff, organisation=w.investor_org, data=investor_data())
    investor = make_investor(w, publish=False)
    assert investor.stage_list == ["startup", "growth"]
    assert [f.code for f in investor.fields.all()] == ["energy"]


def test_ticket_range_and_stages_are_checked(w: World) -> None:
    with pytest.raises(ValidationError) as exc:
        services.investor_create(by=w.investor_admin, organisation=w.investor_org,
                                 data=investor_data(ticket_min=Decimal(10), ticket_max=Decimal(5), stages=[]))
    assert str(services.TICKET_RANGE) in exc.value.message_dict["ticket_max"]
    assert str(services.NO_STAGE) in exc.value.message_dict["stages"]


def test_draft_project_only_for_owner_then_sent(w: World) -> None:
    investor = make_investor(w)
    project = make_project(w, open_=False)
    assert not FundingProject.objects.filter(pk=project.pk).filter(
        selectors.perms.project_visible_q(w.p.commission_admin)).exists()
    with pytest.raises(ApplicationError):
        services.request_send(project=project, investor=investor, by=w.p.tto_officer)
    services.project_open(project=project, by=w.p.tto_officer)
    with pytest.raises(PermissionDenied):
        services.request_send(project=project, investor=investor, by=w.p.researcher)
    request = services.request_send(project=project, investor=investor, by=w.p.tto_officer, message="请审阅")
    assert request.status == RequestStatus.SENT
    # The investor sees the project now; another investor does not.
    assert selectors.project_get(user=w.investor_staff, pk=project.pk) == project
    from django.http import Http404
    with pytest.raises(Http404):
        selectors.project_get(user=w.other_investor_admin, pk=project.pk)
    with pytest.raises(ApplicationError):
        services.request_send(project=project, investor=investor, by=w.p.tto_officer)


def _sent(w: World) -> FundingRequest:
    investor = make_investor(w)
    project = make_project(w)
    return services.request_send(project=project, investor=investor, by=w.p.tto_officer)


def test_decline_needs_a_reason_and_only_the_investor(w: World) -> None:
    request = _sent(w)
    with pytest.raises(PermissionDenied):
        services.request_decline(request=request, by=w.p.tto_officer, reason="x")
    with pytest.raises(ValidationError):
        services.request_decline(request=request, by=w.investor_staff, reason="")
    request = services.request_decline(request=request, by=w.investor_staff, reason="估值过高，阶段偏早")
    assert request.status == RequestStatus.DECLINED
    with pytest.raises(ApplicationError):
        services.request_interest(request=request, by=w.investor_staff)


def test_interest_then_investment_recorded(w: World) -> None:
    request = _sent(w)
    with pytest.raises(ApplicationError):
        services.request_invest(request=request, by=w.investor_admin, amount=Decimal(1), invested_on=None)
    request = services.request_interest(request=request, by=w.investor_staff, reason="约下周路演")
    with pytest.raises(ValidationError) as exc:
        services.request_invest(request=request, by=w.investor_admin, amount=None,
                                invested_on=timezone.localdate() + datetime.timedelta(days=3))
    assert set(exc.value.message_dict) == {"amount", "invested_on"}
    request = services.request_invest(request=request, by=w.p.tto_officer, amount=Decimal("8000000.00"),
                                      invested_on=timezone.localdate())
    assert request.status == RequestStatus.INVESTED and request.invested_amount == Decimal("8000000.00")
    steps = list(request.status_changes.values_list("step", flat=True))
    assert steps == ["send", "interest", "invest"]


def test_no_deal_outcome(w: World) -> None:
    request = services.request_interest(request=_sent(w), by=w.investor_staff)
    request = services.request_no_deal(request=request, by=w.p.tto_officer, reason="条款未谈拢")
    assert request.status == RequestStatus.NO_DEAL


def test_project_links_only_own_achievement(w: World) -> None:
    achievement = make_achievement(w.p)
    project = make_project(w, achievement=achievement)
    assert project.achievement_id == achievement.pk
    with pytest.raises(ValidationError) as exc:
        services.project_create(by=w.p.other_tto, owner=w.p.other_university,
                                data={**_data(), "achievement": achievement})
    assert "achievement" in exc.value.message_dict


def _data() -> dict[str, Any]:
    from techtransfer.investment.tests.helpers import project_data

    return project_data()


def test_investor_search_kind_registered(w: World, django_capture_on_commit_callbacks: Any) -> None:
    from techtransfer.search.models import SearchDocument
    from techtransfer.search.registry import indexers

    assert "investor" in indexers()
    with django_capture_on_commit_callbacks(execute=True):
        investor = make_investor(w)
    doc = SearchDocument.objects.get(kind="investor", object_id=investor.pk)
    assert doc.is_public
    assert Investor.objects.count() == 1


def test_a_closed_project_is_not_edited_or_sent(w: World) -> None:
    investor = make_investor(w)
    project = make_project(w)
    services.project_update(project=project, by=w.p.tto_officer, data={"amount": Decimal("12000000")})
    with pytest.raises(PermissionDenied):
        services.project_update(project=project, by=w.p.other_tto, data={"amount": Decimal("1")})
    project = services.project_close(project=project, by=w.p.tto_officer, reason="已完成融资")
    with pytest.raises(ApplicationError) as exc:
        services.project_update(project=project, by=w.p.tto_officer, data={"amount": Decimal("1")})
    assert str(exc.value.message) == str(services.CLOSED_NOT_EDITED)
    with pytest.raises(ApplicationError):
        services.request_send(project=project, investor=investor, by=w.p.tto_officer)
