"""The contact requests API: the same rules as the pages, through tokens, with one error shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from techtransfer.accounts.models import ApiToken, User
from techtransfer.market.choices import DemandStatus
from techtransfer.market.tests.helpers import make_demand
from techtransfer.matchmaking.choices import Stage
from techtransfer.matchmaking.models import ContactRequest
from techtransfer.matchmaking.tests.helpers import World, open_request, to_negotiation
from techtransfer.testing import make_achievement


def client_for(user: User | None) -> APIClient:
    """An API client that sends `user`'s personal token (anonymous when user is None)."""
    client = APIClient()
    if user is not None:
        _token, key = ApiToken.issue(user=user, name="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def url(name: str, pk: int | None = None) -> str:
    return reverse(f"api:{name}", kwargs={"pk": pk} if pk is not None else None)


def assert_error(response: Any, status_code: int) -> dict[str, Any]:
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) == {"message", "extra"} and body["message"]
    return body


def payload(w: World, **overrides: Any) -> dict[str, Any]:
    data = {"demand": w.demand.pk, "achievement": w.achievement.pk, "message": "希望进一步沟通许可条件"}
    data.update(overrides)
    return data


class TestOpen:
    def test_an_enterprise_opens_one(self, w: World) -> None:
        response = client_for(w.ent.staff).post(url("contact-requests"), payload(w), format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        cr = ContactRequest.objects.get()
        assert body["id"] == cr.pk and body["stage"] == "intent" and body["stage_label"] == "Intent"
        assert body["demand"]["id"] == w.demand.pk and body["demand"]["owner"]["id"] == w.ent.org.pk
        assert body["achievement"]["owner"]["id"] == w.p.university.pk
        assert body["opened_by_org"]["id"] == w.ent.org.pk and body["message"] == "希望进一步沟通许可条件"
        assert body["contract_id"] is None and body["contract_number"] == ""
        assert [(h["step"], h["to_state"]) for h in body["history"]] == [("open", "intent")]
        assert body["signing"] == {
            "demand_confirmed_by": None,
            "demand_confirmed_at": None,
            "achievement_confirmed_by": None,
            "achievement_confirmed_at": None,
        }

    def test_a_broker_names_the_organisation_it_acts_for(self, w: World) -> None:
        response = client_for(w.broker).post(
            url("contact-requests"), payload(w, opened_by_org=w.broker_org.pk), format="json"
        )
        assert response.status_code == 201 and response.json()["opened_by_org"]["id"] == w.broker_org.pk

    @pytest.mark.parametrize("who", ["outsider", "other_tto", "reviewer"])
    def test_people_of_no_party_get_403(self, w: World, who: str) -> None:
        assert_error(client_for(getattr(w.p, who)).post(url("contact-requests"), payload(w), format="json"), 403)
        assert not ContactRequest.objects.exists()

    def test_a_rival_enterprise_gets_403(self, w: World) -> None:
        assert_error(client_for(w.rival).post(url("contact-requests"), payload(w), format="json"), 403)

    def test_acting_for_someone_elses_organisation_is_403(self, w: World) -> None:
        response = client_for(w.ent.staff).post(
            url("contact-requests"), payload(w, opened_by_org=w.broker_org.pk), format="json"
        )
        assert_error(response, 403)

    def test_anonymous_gets_401(self, w: World) -> None:
        assert_error(client_for(None).post(url("contact-requests"), payload(w), format="json"), 401)

    def test_bad_input_is_400_by_field(self, w: World) -> None:
        client = client_for(w.ent.staff)
        body = assert_error(client.post(url("contact-requests"), {"demand": w.demand.pk}, format="json"), 400)
        assert set(body["extra"]["fields"]) == {"achievement", "message"}
        body = assert_error(client.post(url("contact-requests"), payload(w, colour="red"), format="json"), 400)
        assert set(body["extra"]["fields"]) == {"colour"}  # unknown keys are refused, not ignored
        assert not ContactRequest.objects.exists()

    def test_a_demand_the_caller_may_not_see_is_a_field_error(self, w: World) -> None:
        draft = make_demand(w.ent, title="草稿需求")
        body = assert_error(
            client_for(w.broker).post(url("contact-requests"), payload(w, demand=draft.pk), format="json"), 400
        )
        assert set(body["extra"]["fields"]) == {"demand"}
        body = assert_error(
            client_for(w.broker).post(url("contact-requests"), payload(w, achievement=999999), format="json"), 400
        )
        assert set(body["extra"]["fields"]) == {"achievement"}

    def test_an_unpublished_demand_or_achievement_is_409(self, w: World) -> None:
        draft = make_demand(w.ent, title="草稿需求")
        assert_error(
            client_for(w.ent.staff).post(url("contact-requests"), payload(w, demand=draft.pk), format="json"), 409
        )
        unpublished = make_achievement(w.p, name="未公开成果")
        assert_error(
            client_for(w.p.tto_officer).post(
                url("contact-requests"), payload(w, achievement=unpublished.pk), format="json"
            ),
            409,
        )
        assert not ContactRequest.objects.exists()

    def test_a_second_open_request_is_409_and_points_at_the_first(self, w: World) -> None:
        first = open_request(w)
        body = assert_error(client_for(w.ent.colleague).post(url("contact-requests"), payload(w), format="json"), 409)
        assert body["extra"] == {"id": first.pk}


class TestRead:
    def test_the_list_holds_my_requests_only(self, w: World) -> None:
        mine = open_request(w)
        brokered = open_request(w, by=w.broker)
        ids = lambda user, **q: [r["id"] for r in client_for(user).get(url("contact-requests"), q).json()["results"]]  # noqa: E731
        assert set(ids(w.ent.staff)) == {mine.pk, brokered.pk}
        assert ids(w.broker) == [brokered.pk]
        assert ids(w.rival) == [] and ids(w.p.outsider) == [] and ids(w.p.other_tto) == []
        assert set(ids(w.p.commission_admin)) == {mine.pk, brokered.pk}
        page = client_for(w.ent.staff).get(url("contact-requests"), {"limit": 1}).json()
        assert set(page) == {"count", "next", "previous", "results"} and page["count"] == 2

    def test_the_list_filters_by_stage(self, w: World) -> None:
        talking = to_negotiation(w, open_request(w))
        open_request(w, by=w.broker)
        results = client_for(w.ent.staff).get(url("contact-requests"), {"stage": "negotiation"}).json()["results"]
        assert [r["id"] for r in results] == [talking.pk]
        assert_error(client_for(w.ent.staff).get(url("contact-requests"), {"stage": "dreaming"}), 400)

    def test_the_list_needs_a_login(self) -> None:
        assert_error(client_for(None).get(url("contact-requests")), 401)

    def test_only_parties_and_commission_admins_see_one(self, w: World) -> None:
        cr = open_request(w)
        for user in (w.ent.staff, w.p.researcher, w.p.commission_admin):
            assert client_for(user).get(url("contact-request", cr.pk)).status_code == 200
        for user in (w.p.outsider, w.p.other_tto, w.p.reviewer, w.rival, w.broker):
            client = client_for(user)
            assert_error(client.get(url("contact-request", cr.pk)), 404)
            assert_error(client.get(url("contact-request-notes", cr.pk)), 404)
            assert_error(client.post(url("contact-request-notes", cr.pk), {"text": "x"}, format="json"), 404)
            for step in ("advance", "confirm-signing", "abandon"):
                assert_error(client.post(url(f"contact-request-{step}", cr.pk), {"reason": "x"}, format="json"), 404)
        assert_error(client_for(None).get(url("contact-request", cr.pk)), 401)
        cr.refresh_from_db()
        assert cr.stage == Stage.INTENT and not cr.notes.exists()


class TestSteps:
    def test_the_request_goes_to_signed_through_the_api(self, w: World) -> None:
        cr = open_request(w, by=w.broker)
        broker, enterprise, university = client_for(w.broker), client_for(w.ent.staff), client_for(w.p.tto_officer)
        assert_error(
            enterprise.post(url("contact-request-confirm-signing", cr.pk), {}, format="json"), 409
        )  # no skipping
        body = broker.post(url("contact-request-advance", cr.pk), {"note": "双方同意面谈"}, format="json").json()
        assert body["stage"] == "negotiation" and body["history"][-1]["reason"] == "双方同意面谈"
        assert_error(broker.post(url("contact-request-advance", cr.pk), {}, format="json"), 409)
        assert_error(
            broker.post(url("contact-request-confirm-signing", cr.pk), {}, format="json"), 403
        )  # a broker is no side
        body = enterprise.post(url("contact-request-confirm-signing", cr.pk), {}, format="json").json()
        assert body["stage"] == "negotiation" and body["signing"]["demand_confirmed_by"] == w.ent.staff.display_name
        assert_error(enterprise.post(url("contact-request-confirm-signing", cr.pk), {}, format="json"), 409)
        body = university.post(
            url("contact-request-confirm-signing", cr.pk), {"note": "签约完成"}, format="json"
        ).json()
        assert body["stage"] == "signed" and body["closed_at"]
        w.demand.refresh_from_db()
        assert w.demand.status == DemandStatus.MATCHED
        # Final: nothing moves any more.
        assert_error(university.post(url("contact-request-abandon", cr.pk), {"reason": "反悔"}, format="json"), 409)
        assert_error(university.post(url("contact-request-notes", cr.pk), {"text": "还能说话吗"}, format="json"), 409)

    def test_abandoning_needs_a_reason(self, w: World) -> None:
        cr = open_request(w)
        client = client_for(w.p.tto_officer)
        body = assert_error(client.post(url("contact-request-abandon", cr.pk), {}, format="json"), 400)
        assert "reason" in body["extra"]["fields"]
        assert (
            client.post(url("contact-request-abandon", cr.pk), {"reason": "方向不符"}, format="json").json()["stage"]
            == "abandoned"
        )

    def test_commission_admins_read_but_get_403_on_writes(self, w: World) -> None:
        cr = open_request(w)
        client = client_for(w.p.commission_admin)
        assert_error(client.post(url("contact-request-advance", cr.pk), {}, format="json"), 403)
        assert_error(client.post(url("contact-request-notes", cr.pk), {"text": "管理员留言"}, format="json"), 403)

    def test_notes_are_written_and_read(self, w: World) -> None:
        cr = open_request(w)
        response = client_for(w.p.researcher).post(
            url("contact-request-notes", cr.pk), {"text": "可以提供样机"}, format="json"
        )
        assert response.status_code == 201
        note = response.json()
        assert (
            note["text"] == "可以提供样机"
            and note["org"]["id"] == w.p.university.pk
            and note["author"] == w.p.researcher.display_name
        )
        listing = client_for(w.ent.staff).get(url("contact-request-notes", cr.pk)).json()
        assert listing["count"] == 1 and listing["results"][0]["id"] == note["id"]
        body = assert_error(
            client_for(w.ent.staff).post(url("contact-request-notes", cr.pk), {"text": ""}, format="json"), 400
        )
        assert "text" in body["extra"]["fields"]


def test_the_openapi_schema_documents_every_route_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "openapi.json"
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", str(out))
    paths = json.loads(out.read_text(encoding="utf-8"))["paths"]
    mine = {path: set(operations) for path, operations in paths.items() if path.startswith("/api/v1/contact-requests/")}
    assert mine == {
        "/api/v1/contact-requests/": {"get", "post"},
        "/api/v1/contact-requests/{id}/": {"get"},
        "/api/v1/contact-requests/{id}/notes": {"get", "post"},
        "/api/v1/contact-requests/{id}/advance": {"post"},
        "/api/v1/contact-requests/{id}/confirm-signing": {"post"},
        "/api/v1/contact-requests/{id}/abandon": {"post"},
    }
    for code in ("400", "401", "403", "404", "409"):
        assert code in paths["/api/v1/contact-requests/{id}/abandon"]["post"]["responses"]
