"""An unverified organisation's "Submit"/"Publish" steps are not offered: the workflow table's `verified`
condition (accounts.permissions.organisation_may_act) hides the page's button and leaves the step out of the
API's `allowed_actions`, and the service refuses it as a permission (403). And the rate limit on contact
request notes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from techtransfer.accounts import services as accounts
from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.permissions import ORGANISATION_NOT_VERIFIED
from techtransfer.core.workflow import workflow_for
from techtransfer.testing import Personas, make_achievement, step_url


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: Any) -> APIClient:
    client = APIClient()
    # A fresh user, as each request loads it: the test's object caches its memberships (and organisations).
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def page_steps(user: Any, record: Any, url: str) -> list[str]:
    """The steps whose buttons the record's page shows `user` (the forms posting to the step view)."""
    html = client_for(user).get(url).content.decode()
    prefix = re.escape(reverse("workflow_step", args=[workflow_for(record).kind, record.pk, "x"])[:-2])
    return sorted(set(re.findall(rf'action="{prefix}/?(\w+)/"', html)))


def api_steps(user: Any, record: Any) -> list[str]:
    body = api(user).get(f"/api/v1/workflows/{workflow_for(record).kind}/{record.pk}").json()
    return sorted(a["step"] for a in body["allowed_actions"] if not workflow_for(record).step(a["step"]).own_page)


def unverify(org: Organisation) -> None:
    org.is_verified = False
    org.save(update_fields=["is_verified"])


def refusal(org: Organisation) -> str:
    return str(ORGANISATION_NOT_VERIFIED % {"name": org.name})


class TestSubmitIsNotOfferedUntilVerified:
    def test_a_demand_page_and_the_api_agree_and_the_step_is_refused(self, p: Personas) -> None:
        from techtransfer.market import services as market
        from techtransfer.market.models import DemandStatus
        from techtransfer.market.tests.helpers import demand_data, make_enterprise

        ent = make_enterprise()
        unverify(ent.org)
        demand = market.demand_create(by=ent.staff, owner=ent.org, data=demand_data())
        url = reverse("market:detail", args=[demand.pk])
        offered = page_steps(ent.staff, demand, url)
        assert "submit" not in offered and "close" in offered  # closing a draft needs no verification
        assert api_steps(ent.staff, demand) == offered
        api_detail = api(ent.staff).get(reverse("api:demand", args=[demand.pk])).json()
        assert "submit" not in [a["step"] for a in api_detail["allowed_actions"]]
        # Taken anyway (a stale page, a script): refused as a permission, with the reason.
        response = api(ent.staff).post(f"/api/v1/workflows/demand/{demand.pk}/submit")
        assert response.status_code == 403 and response.json()["message"] == refusal(ent.org)
        assert client_for(ent.staff).post(step_url(demand, "submit")).status_code == 403
        demand.refresh_from_db()
        assert demand.status == DemandStatus.DRAFT

        accounts.organisation_verify(organisation=ent.org, by=p.commission_admin)
        offered = page_steps(ent.staff, demand, url)
        assert "submit" in offered and api_steps(ent.staff, demand) == offered

    def test_an_achievement_neither_submits_nor_publishes(self, p: Personas) -> None:
        from techtransfer.achievements import services as achievements
        from techtransfer.achievements.choices import Status

        achievement = make_achievement(p)
        url = reverse("achievements:detail", args=[achievement.pk])
        assert "submit" in page_steps(p.tto_officer, achievement, url)
        unverify(p.university)
        offered = page_steps(p.tto_officer, achievement, url)
        assert "submit" not in offered and api_steps(p.tto_officer, achievement) == offered

        # Verified while it was reviewed, then verification withdrawn: registered, but not published.
        p.university.is_verified = True
        p.university.save(update_fields=["is_verified"])
        achievements.achievement_submit(achievement=achievement, by=p.tto_officer)
        unverify(p.university)
        achievements.achievement_register(achievement=achievement, by=p.reviewer)
        achievement.refresh_from_db()
        assert achievement.status == Status.REGISTERED
        assert "publish" not in page_steps(p.tto_officer, achievement, url)
        assert "publish" not in api_steps(p.reviewer, achievement)
        accounts.organisation_verify(organisation=p.university, by=p.commission_admin)
        assert "publish" in api_steps(p.tto_officer, achievement) and "publish" in api_steps(p.reviewer, achievement)

    def test_a_challenge(self, p: Personas) -> None:
        from techtransfer.challenges.tests.helpers import make_challenge
        from techtransfer.market.tests.helpers import make_enterprise

        ent = make_enterprise()
        challenge = make_challenge(ent)
        unverify(ent.org)
        url = reverse("challenges:detail", args=[challenge.pk])
        offered = page_steps(ent.staff, challenge, url)
        assert "submit" not in offered and api_steps(ent.staff, challenge) == offered

    def test_a_proposal_of_a_bidder_whose_organisation_waits(self, p: Personas) -> None:
        from techtransfer.challenges.tests.helpers import make_open_challenge, make_proposal
        from techtransfer.market.tests.helpers import make_enterprise

        challenge = make_open_challenge(make_enterprise(), p.reviewer)
        proposal = make_proposal(challenge, p.tto_officer, submit=False)
        url = reverse("challenges:proposal", args=[proposal.pk])
        assert "submit" in page_steps(p.tto_officer, proposal, url)
        unverify(p.university)
        offered = page_steps(p.tto_officer, proposal, url)
        assert "submit" not in offered and api_steps(p.tto_officer, proposal) == offered
        response = api(p.tto_officer).post(f"/api/v1/workflows/proposal/{proposal.pk}/submit")
        assert response.status_code == 403 and response.json()["message"] == refusal(p.university)


class TestNoteRateLimit:
    @pytest.fixture
    def contact_request(self, p: Personas, settings: Any) -> Any:
        from techtransfer.matchmaking.tests.helpers import make_world, open_request

        settings.RATE_LIMITS = {"note": (2, 3600)}
        w = make_world(p)
        return w, open_request(w)

    def test_notes_beyond_the_rate_are_refused_on_the_page_and_in_the_api(self, contact_request: Any) -> None:
        w, cr = contact_request
        client = client_for(w.ent.staff)
        url = reverse("matchmaking:note_add", args=[cr.pk])
        statuses = [client.post(url, {"text": f"第{i}条备注"}).status_code for i in range(3)]
        assert statuses == [302, 302, 400]
        refused = client.post(url, {"text": "还想再说"}, HTTP_HX_REQUEST="true")
        assert refused.status_code == 200 and "Too many requests" in refused.content.decode()
        assert cr.notes.count() == 2
        response = api(w.ent.staff).post(
            reverse("api:contact-request-notes", args=[cr.pk]), {"text": "API 备注"}, format="json"
        )
        assert response.status_code == 429 and int(response["Retry-After"]) > 0
        # Someone else's notes are counted apart.
        assert client_for(w.p.tto_officer).post(url, {"text": "成果方回复"}).status_code == 302
        assert cr.notes.count() == 3
