"""Who sees what, on the pages and in the API: the outsider is refused everywhere but the public profiles."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from techtransfer.investment import services
from techtransfer.investment.tests.helpers import investor_data, make_investor, make_project, make_world
from techtransfer.testing import Personas


@pytest.fixture
def w(p: Personas) -> Any:
    world = make_world(p)
    world.investor = make_investor(world)
    world.draft_investor = make_investor(world, name="草稿基金", publish=False)
    world.project = make_project(world)
    world.draft_project = make_project(world, open_=False, title="草稿项目")
    world.request = services.request_send(project=world.project, investor=world.investor, by=p.tto_officer)
    return world


def _login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def test_outsider_refused_on_pages(w: Any, client: Client) -> None:
    _login(client, w.p.outsider)
    assert client.get("/investment/").status_code == 200
    assert client.get(f"/investment/investors/{w.investor.pk}/").status_code == 200
    for url in (f"/investment/investors/{w.draft_investor.pk}/", f"/investment/projects/{w.project.pk}/",
                f"/investment/projects/{w.draft_project.pk}/", f"/investment/requests/{w.request.pk}/",
                f"/investment/projects/{w.project.pk}/edit/", f"/investment/requests/{w.request.pk}/outcome/"):
        assert client.get(url).status_code == 404, url
    for url in ("/investment/investors/new/", "/investment/projects/new/", "/investment/investors/mine/",
                f"/investment/investors/{w.investor.pk}/edit/"):
        assert client.get(url).status_code == 403, url
    response = client.post(f"/investment/projects/{w.project.pk}/send/", {"investor": w.investor.pk})
    assert response.status_code == 404
    response = client.post(f"/steps/funding_request/{w.request.pk}/decline/", {"reason": "no"})
    assert response.status_code in (403, 404)
    listing = client.get("/investment/projects/").content.decode()
    assert w.project.title not in listing
    assert w.project.title not in client.get("/investment/requests/").content.decode()


def test_outsider_refused_in_api(w: Any, client: Client) -> None:
    _login(client, w.p.outsider)
    ids = [row["id"] for row in client.get("/api/v1/investors/").json()["results"]]
    assert ids == [w.investor.pk]
    assert client.get(f"/api/v1/investors/{w.draft_investor.pk}/").status_code == 404
    assert client.get("/api/v1/funding-projects/").json()["results"] == []
    assert client.get("/api/v1/funding-projects/requests/").json()["results"] == []
    for url in (f"/api/v1/funding-projects/{w.project.pk}/", f"/api/v1/funding-projects/{w.project.pk}/matches",
                f"/api/v1/funding-projects/{w.project.pk}/requests/", f"/api/v1/funding-projects/requests/{w.request.pk}/"):
        assert client.get(url).status_code == 404, url
    for url, body in ((f"/api/v1/funding-projects/requests/{w.request.pk}/decline", {"reason": "x"}),
                      (f"/api/v1/funding-projects/requests/{w.request.pk}/interest", {}),
                      (f"/api/v1/funding-projects/{w.project.pk}/close", {}),
                      (f"/api/v1/investors/{w.investor.pk}/withdraw", {}),
                      (f"/api/v1/funding-projects/{w.project.pk}/requests/", {"investor": w.investor.pk})):
        assert client.post(url, body, content_type="application/json").status_code in (403, 404), url
    assert client.post("/api/v1/investors/", investor_data() | {"fields": None, "regions": None},
                       content_type="application/json").status_code in (400, 403)
    assert client.post("/api/v1/funding-projects/", {"title": "x"}, content_type="application/json").status_code == 403
    client.logout()
    assert client.get("/api/v1/funding-projects/").status_code in (401, 403)


def test_visibility_of_parties(w: Any, client: Client) -> None:
    # The investor the project was sent to reads it and answers; the draft stays with the owner.
    _login(client, w.investor_staff)
    assert client.get(f"/investment/projects/{w.project.pk}/").status_code == 200
    assert client.get(f"/investment/projects/{w.draft_project.pk}/").status_code == 404
    page = client.get(f"/investment/requests/{w.request.pk}/")
    assert page.status_code == 200 and "decline" in page.content.decode()
    response = client.post(f"/api/v1/funding-projects/requests/{w.request.pk}/decline", {"reason": ""},
                           content_type="application/json")
    assert response.status_code == 400
    response = client.post(f"/api/v1/funding-projects/requests/{w.request.pk}/interest", {},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "interested"
    response = client.post(f"/api/v1/funding-projects/requests/{w.request.pk}/invest",
                           {"amount": "12000000.00", "invested_on": "2026-11-30"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["invested_amount"] == "12000000.00"
    # Another investor sees nothing of it; the commission sees the open project but not the draft.
    _login(client, w.other_investor_admin)
    assert client.get(f"/api/v1/funding-projects/{w.project.pk}/").status_code == 404
    _login(client, w.p.commission_admin)
    assert client.get(f"/api/v1/funding-projects/{w.project.pk}/").status_code == 200
    assert client.get(f"/api/v1/funding-projects/{w.draft_project.pk}/").status_code == 404
    _login(client, w.p.tto_officer)
    assert client.get(f"/api/v1/funding-projects/{w.draft_project.pk}/").status_code == 200


def test_pages_for_the_owner_and_the_investor(w: Any, client: Client) -> None:
    _login(client, w.p.tto_officer)
    page = client.get(f"/investment/projects/{w.project.pk}/")
    assert page.status_code == 200 and w.investor.name in page.content.decode()
    assert client.get("/investment/projects/new/").status_code == 200
    response = client.post("/investment/projects/new/", {
        "title": "新型钙钛矿光伏组件", "summary": "钙钛矿叠层电池中试。", "amount": "-1", "stage": "seed",
        "field": w.project.field_id,
    })
    assert response.status_code == 200 and "amount" in response.content.decode()
    _login(client, w.investor_admin)
    assert client.get("/investment/investors/new/").status_code == 200
    assert client.get(f"/investment/investors/{w.draft_investor.pk}/edit/").status_code == 200
    assert client.get("/investment/?stage=startup&kind=venture").status_code == 200
    assert client.get("/investment/investors/mine/").status_code == 200


def test_the_list_renders_in_chinese(w: Any, client: Client) -> None:
    _login(client, w.p.tto_officer)
    client.cookies["django_language"] = "zh-hans"
    page = client.get("/investment/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200 and "投资机构" in page.content.decode()
