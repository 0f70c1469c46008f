"""Pages and API: who sees and does what; an outsider is refused everywhere."""

from __future__ import annotations

import pytest
from django.test import Client

from techtransfer.core.models import AuditEvent
from techtransfer.talent import services
from techtransfer.talent.choices import Confirmation, ConsultationStatus
from techtransfer.talent.models import Consultation, Visit
from techtransfer.talent.tests.helpers import NOTE, make_scheme, make_visit, visit_data

pytestmark = pytest.mark.django_db
API = "/api/v1/"


def _client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _urls(s, visit, consultation):
    pages = [
        f"/talent/commissioners/{s.commissioner.pk}/", f"/talent/assignments/{s.assignment.pk}/",
        f"/talent/visits/{visit.pk}/", f"/talent/consultations/{consultation.pk}/",
    ]
    api = [
        f"{API}commissioners/{s.commissioner.pk}/", f"{API}commissioners/visits/{visit.pk}/",
        f"{API}consultations/{consultation.pk}/",
    ]
    return pages, api


def test_outsider_is_refused_everywhere(p):
    s = make_scheme(p)
    visit = make_visit(s)
    consultation = services.consultation_ask(by=s.staff, expert=s.expert, message="请教")
    pages, api = _urls(s, visit, consultation)
    for user in (p.outsider, p.tto_officer):
        client = _client(user)
        for url in pages + api:
            assert client.get(url).status_code == 404, url
        assert client.get("/talent/activity/").status_code == 403
        assert client.get("/talent/activity/?format=csv").status_code == 403
        assert client.get(f"{API}commissioners/activity").status_code == 403
        for url in (f"{API}commissioners/", f"{API}commissioners/visits/", f"{API}consultations/"):
            response = client.get(url)
            assert response.status_code == 200 and response.json()["count"] == 0, url
        assert client.post(f"/talent/visits/{visit.pk}/", {"answer": "confirm"}).status_code == 404
        assert client.post(f"{API}commissioners/visits/{visit.pk}/confirm", {}, "application/json").status_code == 404
        assert client.post(f"{API}consultations/{consultation.pk}/accept", {}, "application/json").status_code == 404
        assert client.post(f"/talent/assignments/{s.assignment.pk}/", visit_data()).status_code == 404
        home = client.get("/talent/")
        assert home.status_code == 200 and NOTE not in home.content.decode()
        assert client.get("/talent/commissioners/new/").status_code == 403
    anonymous = _client(None)
    for url in [*pages, "/talent/", "/talent/activity/"]:
        assert anonymous.get(url).status_code == 302, url
    for url in [*api, f"{API}commissioners/", f"{API}consultations/"]:
        assert anonymous.get(url).status_code in (401, 403), url
    visit.refresh_from_db()
    assert visit.confirmation == Confirmation.PENDING


def test_commission_appoints_and_assigns_through_pages(p):
    from techtransfer.core.codetables import code_item

    s = make_scheme(p)
    admin = _client(p.commission_admin)
    region = code_item("region", "110118")
    response = admin.post("/talent/commissioners/new/", {
        "username": p.researcher.username, "year": 2026, "dispatching_unit": p.university.pk,
        "service_region": region.pk,
    })
    assert response.status_code == 302
    pk = int(response["Location"].rstrip("/").split("/")[-1])
    response = admin.post(f"/talent/commissioners/{pk}/", {
        "village_name": "", "start": "2026-03-01", "end": "2026-02-01",
    })
    assert response.status_code == 400
    assert "Name an enterprise" in response.content.decode() or "企业" in response.content.decode()
    response = admin.post(f"/talent/commissioners/{pk}/", {
        "village_name": "古北口村", "village_region": region.pk, "start": "2026-03-01", "end": "2026-11-30",
    })
    assert response.status_code == 302
    assert "古北口村" in admin.get(f"/talent/commissioners/{pk}/").content.decode()
    assert _client(s.commissioner_user).post("/talent/commissioners/new/", {}).status_code == 403


def test_commissioner_records_and_enterprise_confirms_on_pages(p):
    s = make_scheme(p)
    me = _client(s.commissioner_user)
    data = visit_data()
    data["date"] = data["date"].isoformat()
    assert me.post(f"/talent/assignments/{s.assignment.pk}/", data).status_code == 302
    visit = Visit.objects.get()
    assert NOTE in me.get(f"/talent/visits/{visit.pk}/").content.decode()
    assert me.post(f"/talent/visits/{visit.pk}/", {"answer": "confirm"}).status_code == 403
    staff = _client(s.staff)
    assert f"/talent/visits/{visit.pk}/" in staff.get("/talent/").content.decode()
    response = staff.post(f"/talent/visits/{visit.pk}/", {"answer": "dispute", "note": ""})
    assert response.status_code == 400
    assert staff.post(f"/talent/visits/{visit.pk}/", {"answer": "confirm"}).status_code == 302
    visit.refresh_from_db()
    assert visit.confirmation == Confirmation.CONFIRMED


def test_activity_page_chart_and_csv(p):
    s = make_scheme(p)
    make_visit(s)
    reviewer = _client(p.reviewer)
    page = reviewer.get("/talent/activity/").content.decode()
    assert "talent-district-chart" in page and "vendor/echarts/echarts.min.js" in page and "孙特派" in page
    csv_response = reviewer.get("/talent/activity/?format=csv")
    assert csv_response.status_code == 200 and csv_response["Content-Type"].startswith("text/csv")
    assert "孙特派" in csv_response.content.decode("utf-8-sig")
    assert reviewer.get("/talent/activity/?start=bad").status_code == 200  # a bad date falls back to the year
    data = _client(p.commission_admin).get(f"{API}commissioners/activity").json()
    assert data["total"]["visits"] == 1 and data["by_district"][0]["key"] == "110119"
    assert _client(s.commissioner_user).get("/talent/activity/").status_code == 403
    assert _client(s.staff).get("/talent/activity/").status_code == 403


def test_api_end_to_end(p):
    s = make_scheme(p)
    admin = _client(p.commission_admin)
    response = admin.post(f"{API}commissioners/", {
        "user": p.researcher.pk, "year": 2026, "dispatching_unit": p.university.pk, "service_region": "110117",
        "fields": ["energy"],
    }, "application/json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    response = admin.post(f"{API}commissioners/{pk}/assignments/", {
        "enterprise": s.enterprise.pk, "start": "2026-01-01", "end": "2026-12-31",
    }, "application/json")
    assert response.status_code == 201
    bad = admin.post(f"{API}commissioners/{pk}/assignments/", {"start": "2026-01-01", "end": "2026-12-31"},
                     "application/json")
    assert bad.status_code == 400
    me = _client(s.commissioner_user)
    data = {**visit_data(), "date": visit_data()["date"].isoformat(), "hours": "2.0"}
    response = me.post(f"{API}commissioners/assignments/{s.assignment.pk}/visits/", data, "application/json")
    assert response.status_code == 201, response.json()
    visit_id = response.json()["id"]
    assert _client(s.staff).get(f"{API}commissioners/visits/").json()["count"] == 1
    assert me.post(f"{API}commissioners/visits/{visit_id}/confirm", {}, "application/json").status_code == 403
    response = _client(s.staff).post(f"{API}commissioners/visits/{visit_id}/confirm", {"disputed": True},
                                     "application/json")
    assert response.status_code == 400
    response = _client(s.staff).post(f"{API}commissioners/visits/{visit_id}/confirm", {}, "application/json")
    assert response.status_code == 200 and response.json()["confirmation"] == "confirmed"
    again = _client(s.staff).post(f"{API}commissioners/visits/{visit_id}/confirm", {}, "application/json")
    assert again.status_code == 409


def test_consultation_through_pages_and_api(p):
    s = make_scheme(p)
    staff = _client(s.staff)
    page = staff.get(f"/talent/consultations/new/?expert={s.expert.pk}")
    assert page.status_code == 200
    response = staff.post("/talent/consultations/new/", {"expert": s.expert.pk, "enterprise": s.enterprise.pk,
                                                         "message": "想请教温室物联网方案"})
    assert response.status_code == 302
    c = Consultation.objects.get()
    assert _client(p.researcher).get(f"/talent/consultations/new/?expert={s.expert.pk}").status_code == 403
    assert "ask-consultation" in staff.get(f"/matching/experts/{s.expert.pk}/").content.decode()
    assert "ask-consultation" not in _client(p.researcher).get(f"/matching/experts/{s.expert.pk}/").content.decode()
    admin = _client(p.commission_admin)
    detail = admin.get(f"{API}consultations/{c.pk}/").json()
    assert detail["answered_on_behalf"] is True and "accept" in {a["step"] for a in detail["allowed_actions"]}
    assert staff.post(f"{API}consultations/{c.pk}/accept", {}, "application/json").status_code == 403
    assert admin.post(f"{API}consultations/{c.pk}/decline", {}, "application/json").status_code == 400
    assert admin.post(f"{API}consultations/{c.pk}/accept", {}, "application/json").status_code == 200
    assert admin.post(f"{API}consultations/{c.pk}/finish", {"reason": "已现场答复"},
                      "application/json").status_code == 200
    c.refresh_from_db()
    assert c.status == ConsultationStatus.DONE
    assert AuditEvent.objects.filter(action="consultation.finish").exists()
    response = staff.post(f"{API}consultations/", {"expert": s.expert.pk, "message": ""}, "application/json")
    assert response.status_code == 400
    response = _client(p.researcher).post(f"{API}consultations/", {"expert": s.expert.pk, "message": "请教"},
                                          "application/json")
    assert response.status_code == 403


def test_english_pages(p):
    s = make_scheme(p)
    make_visit(s)
    client = _client(p.commission_admin)
    client.cookies["django_language"] = "en"
    page = client.get("/talent/activity/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Commissioners' activity" in page or "Commissioners&#x27; activity" in page


def test_the_demand_matches_offer_the_ask_button_on_an_expert_to_enterprise_members_only(p, rf):
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    s = make_scheme(p)
    result = SimpleNamespace(kind="expert", object_id=s.expert.pk, url="/x", title_html="孙教授", score=1.0,
                             subtitle="", field_label="", region_label="", snippet_html="", reasons=["关键词"],
                             obj=s.expert)
    for user, shown in ((s.staff, True), (p.researcher, False), (p.outsider, False)):
        request = rf.get("/")
        request.user = user
        html = render_to_string("matching/_result.html", {"r": result, "source_kind": "demand", "demand": None},
                                request=request)
        assert (f"/talent/consultations/new/?expert={s.expert.pk}" in html) is shown


def test_bad_input_is_a_clear_error_never_a_500(p):
    s = make_scheme(p)
    admin = _client(p.commission_admin)
    assert admin.get("/talent/?year=99999999999999999999999").status_code == 200
    assert admin.get(f"{API}commissioners/?year=abc").status_code == 400
    assert admin.get(f"{API}commissioners/activity?start=2026-13-01").status_code == 400
    response = admin.post(f"{API}commissioners/", {"user": 999999, "year": 1800, "dispatching_unit": "x",
                                                   "service_region": "nowhere", "extra": 1}, "application/json")
    assert response.status_code == 400
    staff = _client(s.staff)
    assert staff.get("/talent/consultations/new/?expert=abc").status_code == 404
    response = staff.post(f"{API}consultations/", {"expert": 99999999, "message": "请教"}, "application/json")
    assert response.status_code == 404
    me = _client(s.commissioner_user)
    response = me.post(f"/talent/assignments/{s.assignment.pk}/", {"date": "2026-02-30", "kind": "x", "hours": "-1"})
    assert response.status_code == 400
