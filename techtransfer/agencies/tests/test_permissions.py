"""Who may see and do what, on the pages and in the API alike: an outsider is refused everywhere; a broker never
edits another's profile; an enterprise asks only on its own demands."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from techtransfer.agencies import services
from techtransfer.agencies.choices import AgencyStatus, HelpStatus
from techtransfer.agencies.models import Agency, AgencyFiling, HelpRequest
from techtransfer.agencies.tests.helpers import World, list_it, make_broker, make_institution, make_world
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.tests.helpers import make_published
from techtransfer.testing import Personas

API = "/api/v1/"
RETURN_REASON = "退回理由：证书照片看不清"
HELP_MESSAGE = "委托留言：请保密处理我方工艺参数"
TURNOVER = Decimal("7654321.00")
SECRETS = [RETURN_REASON, HELP_MESSAGE, "7654321", "7,654,321"]


@dataclass
class Scene:
    w: World
    draft: Agency  # the institution's profile, returned with a reason (a draft)
    listed: Agency  # the independent broker, listed, with a filing
    help_request: HelpRequest  # the enterprise asked the listed broker
    demand: TechnologyDemand


@pytest.fixture
def s(p: Personas) -> Scene:
    w = make_world(p)
    draft = make_institution(w)
    services.agency_submit(agency=draft, by=w.officer)
    services.agency_return(agency=draft, by=p.reviewer, reason=RETURN_REASON)
    listed = list_it(make_broker(w.loner), w.loner, p.reviewer, on=datetime.date(2024, 5, 10))
    services.filing_submit(agency=listed, by=w.loner, year=2024, data={"contracts_brokered": 4, "turnover": TURNOVER})
    demand = make_published(w.ent, p.reviewer)
    help_request = services.help_request_open(by=w.ent.staff, agency=listed, demand=demand, message=HELP_MESSAGE)
    return Scene(w, draft, listed, help_request, demand)


def client_for(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def body(response: Any) -> str:
    return response.content.decode()


class TestOutsider:
    """A signed-in user of no organisation, and the anonymous public."""

    @pytest.mark.parametrize("who", ["outsider", "anonymous"])
    def test_no_page_or_api_read_shows_a_draft_a_request_or_the_figures(self, s: Scene, who: str) -> None:
        client = client_for(s.w.p.outsider if who == "outsider" else None)
        for url in (
            reverse("agencies:detail", args=[s.draft.pk]),
            reverse("agencies:edit", args=[s.draft.pk]),
            reverse("agencies:filing", args=[s.draft.pk]),
            reverse("agencies:help_detail", args=[s.help_request.pk]),
            f"{API}agencies/{s.draft.pk}/",
            f"{API}agencies/{s.draft.pk}/filings/",
            f"{API}brokers/{s.draft.pk}/",
            f"{API}agencies/help-requests/{s.help_request.pk}/",
            f"{API}workflows/agency/{s.draft.pk}",
            f"{API}workflows/agency_help/{s.help_request.pk}",
        ):
            response = client.get(url)
            assert response.status_code in (302, 401, 403, 404), (url, response.status_code)
            assert not any(secret in body(response) for secret in SECRETS), url
        # What is public shows no secret either: the listed profile, its filings (years only), the directory.
        for url in (
            reverse("agencies:detail", args=[s.listed.pk]),
            reverse("agencies:list"),
            f"{API}agencies/",
            f"{API}brokers/",
            f"{API}agencies/{s.listed.pk}/",
            f"{API}agencies/{s.listed.pk}/filings/",
            f"{API}brokers/{s.listed.pk}/",
            f"{API}agencies/help-requests/",
        ):
            response = client.get(url)
            assert response.status_code in (200, 401, 403), (url, response.status_code)
            assert not any(secret in body(response) for secret in SECRETS), url
        filings = client.get(f"{API}agencies/{s.listed.pk}/filings/").json()
        assert filings[0]["year"] == 2024 and filings[0]["turnover"] is None
        assert client.get(f"{API}agencies/{s.listed.pk}/").json()["review_note"] == ""

    def test_every_write_is_refused_and_nothing_changes(self, s: Scene) -> None:
        client = client_for(s.w.p.outsider)
        draft, listed, request = s.draft.pk, s.listed.pk, s.help_request.pk
        attempts = [
            ("patch", f"{API}agencies/{listed}/", {"description": "篡改"}, (403,)),
            ("patch", f"{API}agencies/{draft}/", {"description": "篡改"}, (404,)),
            ("post", f"{API}agencies/{draft}/submit", {}, (404,)),
            ("post", f"{API}agencies/{listed}/revise", {}, (403,)),
            ("post", f"{API}agencies/{listed}/filings/", {"year": 2025, "contracts_brokered": 1, "turnover": "1"}, (403,)),
            ("post", f"{API}agencies/help-requests/{request}/accept", {}, (404,)),
            ("post", f"{API}agencies/help-requests/", {"agency": listed, "demand": s.demand.pk, "message": "x"}, (403,)),
            ("post", f"{API}agencies/", {"organisation": s.w.institution.pk}, (403,)),
            ("post", f"{API}workflows/agency/{listed}/revise", {}, (403,)),
        ]
        for method, url, data, expected in attempts:
            response = getattr(client, method)(url, json.dumps(data), content_type="application/json")
            assert response.status_code in expected, (method, url, response.status_code, body(response))
        for url, data in (
            (reverse("agencies:edit", args=[listed]), {"description": "篡改"}),
            (reverse("agencies:filing", args=[listed]), {"year": "2025", "contracts_brokered": "1", "turnover": "1"}),
            (reverse("agencies:help_new", args=[listed]), {"demand": s.demand.pk, "message": "x"}),
            (reverse("workflow_step", args=["agency", listed, "revise"]), {"confirmed": "yes"}),
            (reverse("workflow_step", args=["agency_help", request, "accept"]), {}),
            (reverse("agencies:new_institution"), {}),
        ):
            assert client.post(url, data).status_code in (403, 404), url
        assert client.get(reverse("agencies:review_queue")).status_code == 403
        assert Agency.objects.get(pk=listed).status == AgencyStatus.LISTED
        assert Agency.objects.get(pk=listed).description.startswith("从事生物医药")
        assert AgencyFiling.objects.count() == 1 and HelpRequest.objects.count() == 1
        assert HelpRequest.objects.get().status == HelpStatus.PENDING

    def test_the_anonymous_are_sent_to_log_in_or_refused(self, s: Scene) -> None:
        client = Client()
        assert client.get(reverse("agencies:mine")).status_code == 302
        assert client.post(f"{API}brokers/", {}).status_code in (401, 403)
        assert client.get(f"{API}agencies/help-requests/").status_code in (401, 403)
        assert client.get(f"{API}agencies/?scope=mine").status_code in (401, 403)


class TestBetweenUsers:
    def test_a_broker_cannot_edit_another_brokers_profile(self, s: Scene) -> None:
        other = list_it(
            make_broker(s.w.broker, certificate_number="JJR-B", employer=s.w.institution), s.w.broker,
            s.w.p.reviewer,
        )
        client = client_for(s.w.broker)
        assert client.patch(f"{API}agencies/{s.listed.pk}/", json.dumps({"description": "改"}),
                            content_type="application/json").status_code == 403
        assert client.get(reverse("agencies:edit", args=[s.listed.pk])).status_code == 403
        assert client.post(f"{API}agencies/{s.listed.pk}/revise").status_code == 403
        assert client.post(f"{API}agencies/{s.listed.pk}/filings/", json.dumps(
            {"year": 2025, "contracts_brokered": 1, "turnover": "1"}), content_type="application/json").status_code == 403
        assert client.post(reverse("agencies:filing", args=[s.listed.pk]), {"year": "2025"}).status_code == 403
        # The other broker's own profile is theirs to change.
        assert client.post(f"{API}agencies/{other.pk}/revise").status_code == 200
        assert Agency.objects.get(pk=s.listed.pk).status == AgencyStatus.LISTED

    def test_a_broker_does_not_read_another_brokers_help_requests(self, s: Scene) -> None:
        list_it(make_broker(s.w.broker, certificate_number="JJR-B2", employer=s.w.institution), s.w.broker,
                s.w.p.reviewer)
        client = client_for(s.w.broker)
        assert client.get(reverse("agencies:help_detail", args=[s.help_request.pk])).status_code == 404
        assert client.get(f"{API}agencies/help-requests/{s.help_request.pk}/").status_code == 404
        assert client.get(f"{API}agencies/help-requests/").json()["count"] == 0

    def test_an_enterprise_cannot_ask_on_a_demand_not_its_own(self, s: Scene) -> None:
        client = client_for(s.w.other_ent.staff)
        make_published(s.w.other_ent, s.w.p.reviewer, title="自有需求")  # it has demands of its own
        response = client.post(f"{API}agencies/help-requests/", json.dumps(
            {"agency": s.listed.pk, "demand": s.demand.pk, "message": "替别人问"}), content_type="application/json")
        assert response.status_code == 403
        response = client.post(reverse("agencies:help_new", args=[s.listed.pk]),
                               {"demand": s.demand.pk, "message": "替别人问"})
        assert response.status_code == 200  # the form offers only its own demands: the choice is refused
        assert "demand" in response.context["form"].errors
        assert HelpRequest.objects.count() == 1

    def test_the_other_enterprise_does_not_read_the_request(self, s: Scene) -> None:
        client = client_for(s.w.other_ent.staff)
        assert client.get(reverse("agencies:help_detail", args=[s.help_request.pk])).status_code == 404
        assert HELP_MESSAGE not in body(client.get(reverse("agencies:help_list")))

    def test_the_parties_read_the_request_and_the_owner_its_figures(self, s: Scene) -> None:
        for user in (s.w.ent.staff, s.w.ent.colleague, s.w.loner, s.w.p.commission_admin):
            assert HELP_MESSAGE in body(client_for(user).get(f"{API}agencies/help-requests/{s.help_request.pk}/"))
        owner = client_for(s.w.loner).get(f"{API}agencies/{s.listed.pk}/filings/").json()
        assert owner[0]["turnover"] == "7654321.00"
        officer = client_for(s.w.officer).get(f"{API}agencies/{s.draft.pk}/").json()
        assert officer["review_note"] == RETURN_REASON and officer["status"] == "draft"
        reviewer = client_for(s.w.p.reviewer).get(f"{API}agencies/{s.listed.pk}/filings/").json()
        assert reviewer[0]["turnover"] == "7654321.00"
