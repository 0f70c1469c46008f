"""An enterprise asks a listed broker or institution for help on one of its published demands; the agency
accepts or declines on the workflow core; the people of each side are told."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from techtransfer.agencies import services
from techtransfer.agencies.choices import HelpStatus
from techtransfer.agencies.models import Agency, HelpRequest, HelpRequestStatusChange
from techtransfer.agencies.selectors import help_request_list
from techtransfer.agencies.tests.helpers import World, list_it, make_broker, make_institution, make_world
from techtransfer.core.exceptions import ApplicationError
from techtransfer.market import services as market_services
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.tests.helpers import make_demand, make_published
from techtransfer.subscriptions.models import Notification
from techtransfer.testing import Personas


@pytest.fixture
def w(p: Personas) -> World:
    return make_world(p)


@pytest.fixture
def broker(w: World) -> Agency:
    return list_it(make_broker(w.loner), w.loner, w.p.reviewer)


@pytest.fixture
def demand(w: World) -> TechnologyDemand:
    return make_published(w.ent, w.p.reviewer)


class TestHelpRequests:
    def test_the_enterprise_asks_the_broker_accepts_and_both_are_told(
        self, w: World, broker: Agency, demand: TechnologyDemand, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            help_request = services.help_request_open(
                by=w.ent.staff, agency=broker, demand=demand, message="请帮我们寻找在线测厚的成熟方案。"
            )
        assert help_request.status == HelpStatus.PENDING
        assert Notification.objects.filter(user=w.loner, event="agency_help.open").exists()
        assert list(help_request_list(user=w.loner, waiting=True)) == [help_request]
        with django_capture_on_commit_callbacks(execute=True):
            services.help_request_accept(help_request=help_request, by=w.loner, note="下周一上门调研。")
        help_request.refresh_from_db()
        assert help_request.status == HelpStatus.ACCEPTED and help_request.answer == "下周一上门调研。"
        assert help_request.answered_at is not None
        told = set(Notification.objects.filter(event="agency_help.accept").values_list("user__username", flat=True))
        assert told == {"ent_staff", "ent_colleague"}  # who asked, and the enterprise's TTO officer
        assert list(help_request_list(user=w.loner, waiting=True)) == []
        steps = list(HelpRequestStatusChange.objects.filter(record=help_request).values_list("step", flat=True))
        assert steps == ["open", "accept"]

    def test_an_institution_is_answered_by_its_members(self, w: World, demand: TechnologyDemand) -> None:
        institution = list_it(make_institution(w), w.officer, w.p.reviewer)
        help_request = services.help_request_open(by=w.ent.staff, agency=institution, demand=demand, message="请协助")
        with pytest.raises(PermissionDenied):
            services.help_request_accept(help_request=help_request, by=w.loner)
        services.help_request_decline(help_request=help_request, by=w.broker, reason="本季度排期已满")
        help_request.refresh_from_db()
        assert help_request.status == HelpStatus.DECLINED and help_request.answer == "本季度排期已满"

    def test_a_decline_needs_a_reason(self, w: World, broker: Agency, demand: TechnologyDemand) -> None:
        help_request = services.help_request_open(by=w.ent.staff, agency=broker, demand=demand, message="请协助")
        with pytest.raises(ValidationError) as exc:
            services.help_request_decline(help_request=help_request, by=w.loner, reason="")
        assert "reason" in exc.value.message_dict

    def test_only_the_demands_enterprise_asks(self, w: World, broker: Agency, demand: TechnologyDemand) -> None:
        for user in (w.other_ent.staff, w.p.outsider, w.p.tto_officer, w.officer, w.p.commission_admin):
            with pytest.raises(PermissionDenied):
                services.help_request_open(by=user, agency=broker, demand=demand, message="我想问")
        assert not HelpRequest.objects.exists()

    def test_only_the_agency_answers_and_only_the_enterprise_withdraws(
        self, w: World, broker: Agency, demand: TechnologyDemand
    ) -> None:
        help_request = services.help_request_open(by=w.ent.staff, agency=broker, demand=demand, message="请协助")
        for user in (w.broker, w.ent.staff, w.other_ent.staff, w.p.outsider, w.p.commission_admin):
            with pytest.raises(PermissionDenied):
                services.help_request_accept(help_request=help_request, by=user)
        for user in (w.loner, w.other_ent.staff, w.p.outsider):
            with pytest.raises(PermissionDenied):
                services.help_request_withdraw(help_request=help_request, by=user)
        services.help_request_withdraw(help_request=help_request, by=w.ent.colleague)
        with pytest.raises(ApplicationError):
            services.help_request_accept(help_request=help_request, by=w.loner)

    def test_it_asks_a_listed_agency_on_a_published_demand_once(
        self, w: World, broker: Agency, demand: TechnologyDemand
    ) -> None:
        draft_broker = make_broker(w.broker, certificate_number="D-2", employer=w.institution)
        with pytest.raises(ApplicationError):
            services.help_request_open(by=w.ent.staff, agency=draft_broker, demand=demand, message="请协助")
        draft_demand = make_demand(w.ent, title="未发布的需求")
        with pytest.raises(ApplicationError):
            services.help_request_open(by=w.ent.staff, agency=broker, demand=draft_demand, message="请协助")
        services.help_request_open(by=w.ent.staff, agency=broker, demand=demand, message="请协助")
        with pytest.raises(ApplicationError):
            services.help_request_open(by=w.ent.colleague, agency=broker, demand=demand, message="再问一次")
        with pytest.raises(ValidationError) as exc:
            services.help_request_open(
                by=w.ent.staff, agency=list_it(make_institution(w), w.officer, w.p.reviewer), demand=demand,
                message="   ",
            )
        assert "message" in exc.value.message_dict
        market_services.demand_close(demand=demand, by=w.ent.staff)
        with pytest.raises(ApplicationError):
            services.help_request_open(
                by=w.ent.staff, agency=Agency.objects.get(organisation=w.institution), demand=demand, message="x"
            )
        assert HelpRequest.objects.count() == 1

    def test_the_agencys_own_people_do_not_ask_it(self, w: World, demand: TechnologyDemand) -> None:
        own = list_it(make_broker(w.ent.staff, certificate_number="OWN"), w.ent.staff, w.p.reviewer)
        with pytest.raises(ApplicationError):
            services.help_request_open(by=w.ent.staff, agency=own, demand=demand, message="请协助")
