"""An outsider (a member of another unit) and an anonymous visitor are refused every page and endpoint of a
report that is not public, the file download included; the API shows the unit what its page shows."""

from __future__ import annotations

import pytest
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from techtransfer.scireports.choices import ReportStatus
from techtransfer.scireports.models import ReportReminder, ScienceReport
from techtransfer.scireports.tests.helpers import accepted, make_project, make_report, submitted
from techtransfer.scireports.workflows import REPORT_FLOW
from techtransfer.testing import Personas, make_achievement, pdf_upload

pytestmark = pytest.mark.django_db


def _client(user: object | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _record_urls(report: ScienceReport) -> list[str]:
    return [
        reverse("scireports:detail", args=[report.pk]),
        reverse("scireports:edit", args=[report.pk]),
        reverse("scireports:file", args=[report.pk]),
        f"/api/v1/sci-reports/{report.pk}/",
    ]


def test_outsiders_are_refused_every_page_and_endpoint(p: Personas) -> None:
    reports = [make_report(p, title="草稿甲"), submitted(p, title="待受理乙"),
               accepted(p, title="延期丙", release_mode="delayed", delay_months=12),
               accepted(p, title="涉密丁", secrecy="1")]
    commission_pages = [reverse("scireports:queue"), reverse("scireports:coverage"),
                        reverse("scireports:coverage_unit", args=[p.university.pk]),
                        "/api/v1/sci-reports/coverage/"]
    for user in (p.other_tto, p.outsider, None):
        client = _client(user)
        for report in reports:
            for url in _record_urls(report):
                response = client.get(url)
                assert response.status_code in ((404,) if user else (302, 401, 403, 404)), (user, url)
                assert report.title not in response.content.decode()
            for step in REPORT_FLOW.steps:
                response = client.post(f"/api/v1/sci-reports/{report.pk}/{step}", {"reason": "x"},
                                       content_type="application/json")
                assert response.status_code in ((404,) if user else (401, 403, 404)), (user, step)
                response = client.post(reverse("workflow_step", args=["scireport", report.pk, step]),
                                       {"reason": "x", "confirmed": "yes"})
                assert response.status_code in ((404,) if user else (302,)), (user, step)
            response = client.patch(f"/api/v1/sci-reports/{report.pk}/", {"title": "x"},
                                    content_type="application/json")
            assert response.status_code in ((404,) if user else (401, 403)), (user, "patch")
            sharing = client.post(reverse("scireports:sharing", args=[report.pk]), {"sharing": "open"})
            assert sharing.status_code in ((404,) if user else (302,))
        for url in commission_pages:
            assert client.get(url).status_code in ((403,) if user else (302, 401, 403)), (user, url)
        for url in (reverse("scireports:remind", args=[p.university.pk]), reverse("scireports:remind_all")):
            assert client.post(url).status_code in ((403,) if user else (302,)), (user, url)
        listing = client.get("/api/v1/sci-reports/").json()
        assert listing["count"] == 0
        mine = client.get(reverse("scireports:mine"))
        assert all(r.title not in mine.content.decode() for r in reports)
    assert {r.status for r in ScienceReport.objects.all()} == {ReportStatus.DRAFT, ReportStatus.SUBMITTED,
                                                               ReportStatus.ACCEPTED}
    assert not ReportReminder.objects.exists()


def test_the_unit_and_the_api_see_the_same(p: Personas) -> None:
    report = make_report(p, title="单位报告")
    client = _client(p.tto_officer)
    page = client.get(reverse("scireports:detail", args=[report.pk]))
    assert page.status_code == 200 and 'id="history"' in page.content.decode()
    data = client.get(f"/api/v1/sci-reports/{report.pk}/").json()
    assert data["status"] == "draft"
    assert [a["step"] for a in data["allowed_actions"]] == ["submit", "withdraw"]
    assert [r["title"] for r in client.get("/api/v1/sci-reports/", {"mine": "true"}).json()["results"]] == ["单位报告"]
    commission = _client(p.commission_admin)
    assert commission.get(f"/api/v1/sci-reports/{report.pk}/").json()["allowed_actions"] == []
    assert "单位报告" in client.get(reverse("scireports:mine")).content.decode()


def test_the_api_creates_updates_and_steps(p: Personas) -> None:
    project = make_project(p.university)
    achievement = make_achievement(p)
    foreign = make_achievement(p, by=p.other_tto)
    client = _client(p.tto_officer)
    body = {"project": project.pk, "number": "API-0001", "title": "接口报告", "report_type": "final",
            "abstract": "摘要", "release_mode": "delayed", "delay_months": 40, "achievements": [achievement.pk],
            "ip_items": [{"kind": "software_copyright", "number": "2024SR000001", "title": "软件"}]}
    refused = client.post("/api/v1/sci-reports/", body, content_type="application/json")
    assert refused.status_code == 400 and "delay_months" in refused.json()["extra"]["fields"]
    created = client.post("/api/v1/sci-reports/", {**body, "delay_months": 24}, content_type="application/json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["ip_items"][0]["number"] == "2024SR000001"
    assert created.json()["achievements"][0]["id"] == achievement.pk
    wrong = client.patch(f"/api/v1/sci-reports/{pk}/", {"achievements": [foreign.pk]}, content_type="application/json")
    assert wrong.status_code == 400 and "achievements" in wrong.json()["extra"]["fields"]
    assert client.post(f"/api/v1/sci-reports/{pk}/submit").status_code == 409  # no file yet
    multipart = encode_multipart(BOUNDARY, {"file": pdf_upload("r.pdf")})
    response = client.patch(f"/api/v1/sci-reports/{pk}/", multipart, content_type=MULTIPART_CONTENT)
    assert response.status_code == 200, response.json()
    assert response.json()["file_name"] == "r.pdf"
    assert client.post(f"/api/v1/sci-reports/{pk}/submit").json()["status"] == "submitted"
    commission = _client(p.commission_admin)
    returned = commission.post(f"/api/v1/sci-reports/{pk}/return", {}, content_type="application/json")
    assert returned.status_code == 400
    assert commission.post(f"/api/v1/sci-reports/{pk}/accept").json()["status"] == "accepted"
