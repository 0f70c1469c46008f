"""The API end to end: an investor admin lists a fund, a unit creates a project, opens it and sends it; bad
input is refused with the field and why."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from techtransfer.investment import services
from techtransfer.investment.tests.helpers import World, make_world
from techtransfer.testing import Personas

FUND = {
    "name": "示范引导基金", "kind": "guidance", "stages": ["seed", "startup"], "ticket_min": "1000000.00",
    "ticket_max": "20000000.00", "focus_fields": ["energy"], "regions": ["110000"],
    "description": "支持高校成果转化的政府引导基金。",
}


@pytest.fixture
def w(p: Personas) -> World:
    return make_world(p)


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def test_fund_project_and_request_through_the_api(w: World, client: Client) -> None:
    client.force_login(w.investor_admin)
    bad = _post(client, "/api/v1/investors/", {**FUND, "ticket_max": "10.00"})
    assert bad.status_code == 400 and "ticket_max" in str(bad.json())
    assert str(services.TICKET_RANGE) in str(bad.json())
    assert _post(client, "/api/v1/investors/", {**FUND, "stages": ["later"]}).status_code == 400
    created = _post(client, "/api/v1/investors/", FUND)
    assert created.status_code == 201, created.content
    fund = created.json()
    assert fund["focus_fields"] == ["energy"] and fund["stages"] == ["seed", "startup"] and fund["status"] == "draft"
    assert _post(client, f"/api/v1/investors/{fund['id']}/publish", {}).status_code == 200
    client.force_login(w.p.tto_officer)
    assert _post(client, "/api/v1/investors/", FUND).status_code == 403
    project = _post(client, "/api/v1/funding-projects/", {
        "title": "钠离子电池正极材料", "summary": "层状氧化物正极材料中试，寻求储能领域投资。", "amount": "5000000",
        "stage": "startup", "field": "energy",
    })
    assert project.status_code == 201, project.content
    pk = project.json()["id"]
    send = _post(client, f"/api/v1/funding-projects/{pk}/requests/", {"investor": fund["id"], "message": "请审阅"})
    assert send.status_code == 409  # still a draft
    assert _post(client, f"/api/v1/funding-projects/{pk}/open", {}).status_code == 200
    send = _post(client, f"/api/v1/funding-projects/{pk}/requests/", {"investor": fund["id"], "message": "请审阅"})
    assert send.status_code == 201 and send.json()["status"] == "sent"
    assert _post(client, f"/api/v1/funding-projects/{pk}/requests/", {"investor": fund["id"]}).status_code == 409
    bad_amount = _post(client, "/api/v1/funding-projects/", {
        "title": "x", "summary": "y", "amount": "0", "stage": "seed", "field": "energy",
    })
    assert bad_amount.status_code == 400 and "amount" in str(bad_amount.json())
    assert str(services.AMOUNT_POSITIVE) in str(bad_amount.json())
