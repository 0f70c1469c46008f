"""What an IP record is linked to: each linked achievement, contract and deal is shown (page and API) only to
those who may read it under its own app's rules."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from techtransfer.contracts.tests.factories import make_contract, make_people
from techtransfer.deals.tests.deal_factories import make_deal
from techtransfer.ipr import selectors, services
from techtransfer.ipr.tests.helpers import make_record, record_data, serial_number
from techtransfer.testing import Personas, make_achievement

pytestmark = pytest.mark.django_db


def _page(user: object, pk: int) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(reverse("ipr:detail", args=[pk])).content.decode()


def test_linked_achievements_and_deals_show_only_to_their_readers(p: Personas) -> None:
    achievement = make_achievement(p, name="关联测试成果（草稿）")
    deal = make_deal(p, achievement)
    record = make_record(p, public=True)
    services.ip_links_set(record=record, by=p.tto_officer, achievements=[achievement.pk], deals=[deal.pk])
    own = _page(p.tto_officer, record.pk)
    assert "关联测试成果（草稿）" in own and reverse("deals:detail", args=[deal.pk]) in own
    for stranger in (None, p.other_tto, p.outsider):
        page = _page(stranger, record.pk)
        assert "关联测试成果（草稿）" not in page and reverse("deals:detail", args=[deal.pk]) not in page
        links = selectors.ip_links(user=stranger, record=record)
        assert links.achievements == [] and links.deals == []
    api = APIClient()
    api.force_authenticate(p.tto_officer)
    data = api.get(f"/api/v1/ip-records/{record.pk}/").json()["links"]
    assert [a["id"] for a in data["achievements"]] == [achievement.pk] and [d["id"] for d in data["deals"]] == [deal.pk]
    assert APIClient().get(f"/api/v1/ip-records/{record.pk}/").json()["links"]["achievements"] == []


def test_a_contract_of_the_unit_is_linked_through_the_api(db: None) -> None:
    people = make_people()
    contract = make_contract(people)
    api = APIClient()
    api.force_authenticate(people.seller_tto)
    body = {**{k: v for k, v in record_data(number=serial_number(31)).items() if k not in ("legal_status", "field")},
            "legal_status": "granted", "field": "energy", "contracts": [contract.pk],
            "application_date": "2023-03-15", "grant_date": "2024-06-21"}
    response = api.post("/api/v1/ip-records/", body, format="json")
    assert response.status_code == 201, response.content
    assert [c["id"] for c in response.json()["links"]["contracts"]] == [contract.pk]
    assert "锂电池正极材料中试工艺开发" in _page(people.seller_tto, response.json()["id"])
    other = APIClient()
    other.force_authenticate(people.outsider)
    assert other.get(f"/api/v1/ip-records/{response.json()['id']}/").status_code == 404  # a draft
