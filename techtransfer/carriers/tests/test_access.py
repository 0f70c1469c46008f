"""Who reads and who writes carriers and their firms, on the pages and in the API alike: an outsider, another
unit's staff and the anonymous public are refused everywhere and never read a draft or an internal note."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from techtransfer.accounts.models import User
from techtransfer.carriers.choices import CarrierStatus
from techtransfer.carriers.models import Carrier, IncubatedFirm
from techtransfer.carriers.tests.helpers import FIRM_NOTE, PRIVATE_NOTE, add_firm, make_carrier, uscc
from techtransfer.core.codetables import code_item
from techtransfer.testing import Personas, step_url

pytestmark = pytest.mark.django_db
API = "/api/v1/carriers/"
D = datetime.date


def page_client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_client(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def carriers(p: Personas) -> dict[str, Any]:
    listed = make_carrier(p, listed=True)
    draft = make_carrier(p, name="草稿孵化器甲", carrier_type=code_item("carrier_type", "incubator"))
    return {
        "listed": listed, "draft": draft,
        "firm": add_firm(p, listed, 1, entry=D(2023, 1, 1)),
        "draft_firm": add_firm(p, draft, 2, entry=D(2023, 1, 1)),
    }


STRANGERS = ["anonymous", "outsider", "other_tto"]


def who(p: Personas, name: str) -> User | None:
    return None if name == "anonymous" else getattr(p, name)


@pytest.mark.parametrize("name", STRANGERS)
def test_strangers_never_read_a_draft_nor_a_note(p: Personas, carriers: dict[str, Any], name: str) -> None:
    user = who(p, name)
    listed, draft = carriers["listed"], carriers["draft"]
    pages, api = page_client(user), api_client(user)
    assert pages.get(reverse("carriers:detail", args=[draft.pk])).status_code == 404
    assert api.get(f"{API}{draft.pk}/").status_code == 404
    assert api.get(f"{API}{draft.pk}/firms/").status_code == 404
    assert api.get(f"{API}{draft.pk}/firms/{carriers['draft_firm'].pk}/").status_code == 404
    assert [c["id"] for c in api.get(API).json()["results"]] == [listed.pk]
    listing = pages.get(reverse("carriers:list")).content.decode()
    assert listed.name in listing and "草稿孵化器甲" not in listing
    page = pages.get(reverse("carriers:detail", args=[listed.pk])).content.decode()
    assert listed.name in page and carriers["firm"].name in page
    assert PRIVATE_NOTE not in page and FIRM_NOTE not in page
    data = api.get(f"{API}{listed.pk}/").json()
    assert data["private_note"] == "" and data["review_note"] == "" and data["allowed_actions"] == []
    firms = api.get(f"{API}{listed.pk}/firms/").json()["results"]
    assert [f["note"] for f in firms] == [""] and firms[0]["uscc"] == uscc(1)


@pytest.mark.parametrize("name", STRANGERS)
def test_strangers_cannot_write_anything(p: Personas, carriers: dict[str, Any], name: str) -> None:
    user = who(p, name)
    listed, draft, firm = carriers["listed"], carriers["draft"], carriers["firm"]
    pages, api = page_client(user), api_client(user)
    refused = (302, 403) if user is None else (403,)
    api_refused = (401, 403) if user is None else (403,)
    if name != "other_tto":  # staff of an organisation may register carriers of their own
        assert pages.get(reverse("carriers:new")).status_code in refused
    for url in (reverse("carriers:edit", args=[listed.pk]), reverse("carriers:firm_new", args=[listed.pk]),
                reverse("carriers:firm_import", args=[listed.pk]),
                reverse("carriers:firm_edit", args=[listed.pk, firm.pk])):
        assert pages.get(url).status_code in refused, url
        assert pages.post(url, {"name": "篡改"}).status_code in refused, url
    assert pages.get(reverse("carriers:edit", args=[draft.pk])).status_code in (*refused, 404)
    assert pages.post(step_url(listed, "withdraw"), {"confirmed": "yes"}).status_code in (*refused, 404)
    assert pages.post(step_url(draft, "submit")).status_code in (*refused, 404)
    assert api.post(API, {"name": "x", "carrier_type": "incubator", "level": "none", "district": "110108",
                          "owner": p.university.pk}, format="json").status_code in api_refused
    assert api.patch(f"{API}{listed.pk}/", {"address": "篡改"}, format="json").status_code in api_refused
    assert api.patch(f"{API}{draft.pk}/", {"address": "篡改"}, format="json").status_code in (*api_refused, 404)
    assert api.post(f"{API}{listed.pk}/firms/", {"name": "x", "uscc": uscc(9), "entry_date": "2024-01-01"},
                    format="json").status_code in api_refused
    assert api.patch(f"{API}{listed.pk}/firms/{firm.pk}/", {"name": "篡改"}, format="json").status_code in api_refused
    assert api.post(f"{API}{listed.pk}/withdraw", {}, format="json").status_code in api_refused
    assert api.post(f"{API}{draft.pk}/submit", {}, format="json").status_code in (*api_refused, 404)
    listed.refresh_from_db()
    draft.refresh_from_db()
    firm.refresh_from_db()
    assert listed.status == CarrierStatus.LISTED and listed.address == "北京市海淀区示范路1号"
    assert draft.status == CarrierStatus.DRAFT and firm.name != "篡改"
    assert Carrier.objects.count() == 2 and IncubatedFirm.objects.count() == 2


def test_the_operator_and_the_commission_read_the_notes(p: Personas, carriers: dict[str, Any]) -> None:
    draft = carriers["draft"]
    for user in (p.researcher, p.tto_officer, p.commission_admin):
        page = page_client(user).get(reverse("carriers:detail", args=[draft.pk])).content.decode()
        assert PRIVATE_NOTE in page and FIRM_NOTE in page
        assert api_client(user).get(f"{API}{draft.pk}/").json()["private_note"] == PRIVATE_NOTE
    # A draft is the operator's until it is submitted: the region's reviewer does not see it yet.
    assert api_client(p.reviewer).get(f"{API}{draft.pk}/").status_code == 404


def test_the_review_through_the_api_and_the_queue(p: Personas, carriers: dict[str, Any]) -> None:
    draft = carriers["draft"]
    response = api_client(p.tto_officer).post(f"{API}{draft.pk}/submit", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "under_review"
    queue = page_client(p.reviewer).get(reverse("carriers:review_queue")).content.decode()
    assert "草稿孵化器甲" in queue
    assert page_client(p.outsider).get(reverse("carriers:review_queue")).status_code == 403
    returned = api_client(p.reviewer).post(f"{API}{draft.pk}/return", {"reason": "请补充认定文件"}, format="json")
    assert returned.status_code == 200, returned.content
    assert returned.json()["review_note"] == "请补充认定文件" and returned.json()["status"] == "draft"


def test_the_operator_registers_and_adds_firms_through_the_api(p: Personas) -> None:
    api = api_client(p.researcher)
    body = {"name": "示范新型研发机构", "carrier_type": "new_rd", "level": "municipal", "recognition_year": 2021,
            "district": "110108", "technical_fields": ["electronics", "manufacturing"], "address": "北京市海淀区"}
    created = api.post(API, body, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["technical_fields"] == ["electronics", "manufacturing"]
    firm = api.post(f"{API}{pk}/firms/", {"name": "北京甲科技有限公司", "uscc": uscc(11).lower(),
                                          "entry_date": "2024-01-01"}, format="json")
    assert firm.status_code == 201 and firm.json()["uscc"] == uscc(11) and firm.json()["status"] == "incubating"
    bad = api.post(f"{API}{pk}/firms/", {"name": "x", "uscc": uscc(12)[:17] + "I", "entry_date": "2024-01-01",
                                         "status": "graduated"}, format="json")
    assert bad.status_code == 400 and set(bad.json()["extra"]["fields"]) == {"uscc", "graduation_date"}
    assert api.post(API, {**body, "level": "bogus"}, format="json").status_code == 400


def test_the_registry_searches_and_facets(p: Personas, carriers: dict[str, Any]) -> None:
    make_carrier(p, listed=True, name="朝阳众创空间", carrier_type=code_item("carrier_type", "maker_space"),
                 level="district", recognition_year=2019, district=code_item("region", "110105"),
                 description="面向硬件创业团队的众创空间。")
    client = page_client(None)
    page = client.get(reverse("carriers:list") + "?level=district").content.decode()
    assert "朝阳众创空间" in page and carriers["listed"].name not in page
    page = client.get(reverse("carriers:list") + "?q=" + "科技园").content.decode()
    assert carriers["listed"].name in page and "朝阳众创空间" not in page
    api = api_client(None).get(API + "?carrier_type=maker_space&district=110105").json()
    assert [c["name"] for c in api["results"]] == ["朝阳众创空间"]
    for language in ("zh-hans", "en"):
        for url in (reverse("carriers:list"), reverse("carriers:detail", args=[carriers["listed"].pk]),
                    reverse("carriers:incubation")):
            assert client.get(url, HTTP_ACCEPT_LANGUAGE=language).status_code == 200
        staff = page_client(p.tto_officer)
        for url in (reverse("carriers:mine"), reverse("carriers:new"), reverse("carriers:edit", args=[
                carriers["draft"].pk]), reverse("carriers:firm_new", args=[carriers["draft"].pk]),
                reverse("carriers:firm_import", args=[carriers["draft"].pk])):
            assert staff.get(url, HTTP_ACCEPT_LANGUAGE=language).status_code == 200, url


def test_the_form_pages_register_a_carrier_and_a_firm(p: Personas) -> None:
    client = page_client(p.tto_officer)
    response = client.post(reverse("carriers:new"), {
        "name": "示范孵化器", "carrier_type": code_item("carrier_type", "incubator").pk, "level": "municipal",
        "recognition_year": "2020", "district": code_item("region", "110108").pk, "address": "海淀区",
        "fields_chosen": [code_item("high_tech_field", "energy").pk],
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    carrier = Carrier.objects.get(name="示范孵化器")
    assert [f.code for f in carrier.fields.all()] == ["energy"]
    response = client.post(reverse("carriers:firm_new", args=[carrier.pk]), {
        "name": "北京乙科技有限公司", "uscc": uscc(21), "entry_date": "2024-02-02", "status": "incubating",
    })
    assert response.status_code == 302
    wrong = client.post(reverse("carriers:firm_new", args=[carrier.pk]), {
        "name": "北京丙科技有限公司", "uscc": "123", "entry_date": "2024-02-02", "status": "incubating",
    })
    assert wrong.status_code == 200 and "18 characters" in wrong.content.decode()
