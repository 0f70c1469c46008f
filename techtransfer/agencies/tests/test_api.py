"""The API: the same rules as the pages, with codes in and out, the track record and the directory's facets."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client

from techtransfer.agencies.choices import AgencyStatus
from techtransfer.agencies.models import Agency, AgencyFiling
from techtransfer.agencies.tests.helpers import World, list_it, make_broker, make_institution, make_world
from techtransfer.market.tests.helpers import make_published
from techtransfer.testing import Personas

API = "/api/v1/"


@pytest.fixture
def w(p: Personas) -> World:
    return make_world(p)


def client_for(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(f"{API}{url}", json.dumps(data or {}), content_type="application/json")


def patch(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.patch(f"{API}{url}", json.dumps(data), content_type="application/json")


BROKER = {
    "region": "110108",
    "description": "新能源汽车与智能网联领域的技术经纪人。",
    "certificate_number": "JJR-API-001",
    "level": "intermediate",
    "certificate_issuer": "北京技术市场协会",
    "certificate_issued_on": "2022-09-01",
    "services": ["brokerage", "evaluation"],
    "fields": ["energy"],
    "regions": ["110000", "130000"],
}


class TestBrokerThroughTheApi:
    def test_register_review_list_and_file(
        self, w: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        broker = client_for(w.loner)
        fields = BROKER.copy()
        fields["fields"] = ["energy"]
        response = post(broker, "brokers/", fields)
        assert response.status_code == 201, response.json()
        data = response.json()
        pk = data["id"]
        assert data["kind"] == "broker" and data["status"] == "draft" and data["fields"] == ["energy"]
        assert data["services"] == ["evaluation", "brokerage"] or sorted(data["services"]) == ["brokerage", "evaluation"]
        assert data["track_record"]["contact_requests"] == 0
        assert [a["step"] for a in data["allowed_actions"]] == ["submit"]

        response = patch(broker, f"agencies/{pk}/", {"level": "senior", "regions": ["110000"]})
        assert response.status_code == 200 and response.json()["level"] == "senior"
        assert response.json()["regions"] == ["110000"]
        assert post(broker, f"agencies/{pk}/submit").json()["status"] == "under_review"
        reviewer = client_for(w.p.reviewer)
        queue = reviewer.get(f"{API}agencies/?scope=review").json()
        assert [a["id"] for a in queue["results"]] == [pk]
        response = post(reviewer, f"agencies/{pk}/return", {})
        assert response.status_code == 400 and "reason" in response.json()["extra"]["fields"]
        with django_capture_on_commit_callbacks(execute=True):
            assert post(reviewer, f"agencies/{pk}/approve").json()["status"] == "listed"

        directory = client_for().get(f"{API}brokers/?q=新能源").json()
        assert [a["id"] for a in directory["results"]] == [pk]
        assert "<mark>" in directory["results"][0]["highlight"]["snippet_html"]
        assert {f["value"] for f in directory["facets"]["service"]} == {"brokerage", "evaluation"}
        assert directory["match_mode"] in ("all", "any")
        assert client_for().get(f"{API}brokers/{pk}/").json()["certificate_number"] == "JJR-API-001"

        # Filing: the year the profile was listed has not ended: nothing can be filed yet.
        this_year = datetime.date.today().year
        response = post(broker, f"agencies/{pk}/filings/",
                        {"year": this_year, "contracts_brokered": 2, "turnover": "30000"})
        assert response.status_code == 400 and "year" in response.json()["extra"]["fields"]

    def test_bad_input_is_a_400_naming_the_field(self, w: World) -> None:
        client = client_for(w.loner)
        for data, field in (
            ({**BROKER, "services": ["teleportation"]}, "services"),
            ({**BROKER, "level": "guru"}, "level"),
            ({**BROKER, "region": "999999"}, "region"),
            ({**BROKER, "certificate_issued_on": "2999-01-01"}, "certificate_issued_on"),
            ({**BROKER, "status": "listed"}, "status"),
            ({**BROKER, "employer": 2**70}, "employer"),
            ({**BROKER, "employer": w.institution.pk}, "employer"),
        ):
            response = post(client, "brokers/", data)
            assert response.status_code == 400, (data, response.json())
            assert field in response.json()["extra"]["fields"], (field, response.json())
        assert not Agency.objects.exists()
        assert client_for().get(f"{API}agencies/?region=12").status_code == 400
        assert client_for().get(f"{API}agencies/?kind=alien").status_code == 400
        assert client_for().get(f"{API}agencies/?offset={2**70}").status_code == 400

    def test_a_lapsed_profile_files_through_the_api_and_is_listed_again(self, w: World) -> None:
        agency = list_it(make_broker(w.loner), w.loner, w.p.reviewer, on=datetime.date(2023, 4, 1))
        Agency.objects.filter(pk=agency.pk).update(status=AgencyStatus.LAPSED)
        client = client_for(w.loner)
        last = datetime.date.today().year - 1
        detail = client.get(f"{API}agencies/{agency.pk}/").json()
        assert last in detail["filing_status"]["open_years"]
        for year in range(2023, last + 1):
            response = post(client, f"agencies/{agency.pk}/filings/",
                            {"year": year, "contracts_brokered": 5, "turnover": "880000.50"})
            assert response.status_code == 201, response.json()
        assert Agency.objects.get(pk=agency.pk).status == AgencyStatus.LISTED
        assert AgencyFiling.objects.filter(agency=agency).count() == last - 2022
        again = post(client, f"agencies/{agency.pk}/filings/", {"year": last, "contracts_brokered": 1, "turnover": "1"})
        assert again.status_code == 409


class TestInstitutionAndHelpThroughTheApi:
    def test_an_institution_registers_and_an_enterprise_asks_it_for_help(self, w: World) -> None:
        officer = client_for(w.officer)
        response = post(officer, "agencies/", {"description": "机构简介。", "services": ["pilot"], "fields": ["materials"],
                                               "regions": ["110000"]})
        assert response.status_code == 201, response.json()
        pk = response.json()["id"]
        assert response.json()["organisation"]["id"] == w.institution.pk and response.json()["region"] == "110105"
        assert post(officer, "agencies/", {}).status_code == 403  # no institution left without a profile
        list_it(Agency.objects.get(pk=pk), w.officer, w.p.reviewer)

        demand = make_published(w.ent, w.p.reviewer)
        staff = client_for(w.ent.staff)
        response = post(staff, "agencies/help-requests/", {"agency": pk, "demand": demand.pk, "message": "请协助中试"})
        assert response.status_code == 201, response.json()
        help_id = response.json()["id"]
        assert [a["step"] for a in response.json()["allowed_actions"]] == ["withdraw"]
        assert post(staff, "agencies/help-requests/", {"agency": pk, "demand": demand.pk, "message": "再问"}).status_code == 409
        assert post(staff, "agencies/help-requests/", {"agency": 10**9, "demand": demand.pk,
                                                       "message": "x"}).status_code == 400

        broker = client_for(w.broker)  # a member of the institution answers for it
        waiting = broker.get(f"{API}agencies/help-requests/?waiting=true").json()
        assert [h["id"] for h in waiting["results"]] == [help_id]
        response = post(broker, f"agencies/help-requests/{help_id}/accept", {"note": "安排中试基地对接"})
        assert response.status_code == 200 and response.json()["status"] == "accepted"
        assert response.json()["answer"] == "安排中试基地对接"
        detail = client_for().get(f"{API}agencies/{pk}/").json()
        assert detail["track_record"]["help_requests_accepted"] == 1

    def test_the_directory_lists_both_kinds_with_facets_and_mine(self, w: World) -> None:
        list_it(make_institution(w), w.officer, w.p.reviewer)
        list_it(make_broker(w.loner), w.loner, w.p.reviewer)
        data = client_for().get(f"{API}agencies/").json()
        assert data["count"] == 2
        assert {f["value"]: f["count"] for f in data["facets"]["kind"]} == {"institution": 1, "broker": 1}
        assert client_for().get(f"{API}agencies/?kind=institution").json()["count"] == 1
        assert client_for().get(f"{API}brokers/?kind=institution").json()["count"] == 1  # brokers/ keeps its kind
        mine = client_for(w.loner).get(f"{API}agencies/?scope=mine").json()
        assert [a["kind"] for a in mine["results"]] == ["broker"]
        assert client_for().get(f"{API}brokers/{Agency.objects.get(kind='institution').pk}/").status_code == 404
