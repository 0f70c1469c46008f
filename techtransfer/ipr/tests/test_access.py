"""Who reads and who writes IP records, on the pages and in the API alike: an outsider (a signed-in user of no
unit), another unit's TTO officer and the anonymous public are refused everywhere and never read a draft, the
internal note or the fees; the unit reads them, only its TTO officer writes."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from techtransfer.accounts.models import User
from techtransfer.ipr import services
from techtransfer.ipr.choices import IPStatus
from techtransfer.ipr.models import FeeEvent, IPRecord
from techtransfer.ipr.tests.helpers import PRIVATE_NOTE, make_record, record_data, serial_number
from techtransfer.testing import Personas, step_url

pytestmark = pytest.mark.django_db
API = "/api/v1/ip-records/"


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
def records(p: Personas) -> dict[str, IPRecord]:
    draft = make_record(p, number=serial_number(1), title="草稿专利甲")
    public = make_record(p, number=serial_number(2), title="公开专利乙", public=True)
    for record in (draft, public):
        services.fee_add(record=record, by=p.tto_officer,
                         data={"due_date": datetime.date.today() + datetime.timedelta(days=30),
                               "amount": Decimal("1234.56")})
    return {"draft": draft, "public": public}


STRANGERS = ["anonymous", "outsider", "other_tto"]


def who(p: Personas, name: str) -> User | None:
    return None if name == "anonymous" else getattr(p, name)


@pytest.mark.parametrize("name", STRANGERS)
def test_strangers_never_read_a_draft_nor_the_private_parts(p: Personas, records: dict[str, IPRecord],
                                                            name: str) -> None:
    user = who(p, name)
    draft, public = records["draft"], records["public"]
    pages, api = page_client(user), api_client(user)
    assert pages.get(reverse("ipr:detail", args=[draft.pk])).status_code == 404
    assert api.get(f"{API}{draft.pk}/").status_code == 404
    listed = pages.get(reverse("ipr:list")).content.decode()
    assert "公开专利乙" in listed and "草稿专利甲" not in listed
    assert [r["id"] for r in api.get(API).json()["results"]] == [public.pk]
    page = pages.get(reverse("ipr:detail", args=[public.pk])).content.decode()
    assert "公开专利乙" in page and PRIVATE_NOTE not in page and "1,234.56" not in page and 'id="fees"' not in page
    data = api.get(f"{API}{public.pk}/").json()
    assert data["private_note"] == "" and data["fees"] == [] and data["reads_private"] is False
    assert data["next_fee_due"] is None and data["next_fee_amount"] is None and data["allowed_actions"] == []
    body = api.get(API).content.decode() + api.get(f"{API}{public.pk}/").content.decode()
    assert PRIVATE_NOTE not in body and "1234.56" not in body


@pytest.mark.parametrize("name", STRANGERS)
def test_strangers_cannot_write_anything(p: Personas, records: dict[str, IPRecord], name: str) -> None:
    user = who(p, name)
    draft, public = records["draft"], records["public"]
    pages, api = page_client(user), api_client(user)
    refused = (302, 403) if user is None else (403,)  # the anonymous are sent to log in
    fee = FeeEvent.objects.get(record=public)
    # Pages: the form, the edit, a fee, a payment, a workflow step, the import.
    if name != "other_tto":  # who records for a unit of their own may open the forms (for that unit only)
        assert pages.get(reverse("ipr:new")).status_code in refused
        assert pages.get(reverse("ipr:import")).status_code in refused
    assert pages.get(reverse("ipr:edit", args=[public.pk])).status_code in refused
    assert pages.post(reverse("ipr:edit", args=[public.pk]), {"title": "篡改"}).status_code in refused
    assert pages.get(reverse("ipr:edit", args=[draft.pk])).status_code in (*refused, 404)
    assert pages.post(reverse("ipr:fee_add", args=[public.pk]),
                      {"kind": "annual", "due_date": "2030-01-01", "amount": "1"}).status_code in refused
    assert pages.post(reverse("ipr:fee_pay", args=[fee.pk])).status_code in refused
    assert pages.post(step_url(public, "withdraw")).status_code in (*refused, 404)
    assert pages.post(step_url(draft, "publish")).status_code in (*refused, 404)
    # API: create, update, fees, steps.
    api_refused = (401, 403) if user is None else (403,)
    assert api.post(API, {**_payload(), "owner": p.university.pk}, format="json").status_code in api_refused
    assert api.patch(f"{API}{public.pk}/", {"title": "篡改"}, format="json").status_code in api_refused
    assert api.patch(f"{API}{draft.pk}/", {"title": "篡改"}, format="json").status_code in (*api_refused, 404)
    assert api.post(f"{API}{public.pk}/fees/", {"due_date": "2030-01-01", "amount": "1"},
                    format="json").status_code in api_refused
    assert api.post(f"{API}{public.pk}/fees/{fee.pk}/pay", {}, format="json").status_code in api_refused
    assert api.post(f"{API}{public.pk}/withdraw", {}, format="json").status_code in api_refused
    assert api.post(f"{API}{draft.pk}/publish", {}, format="json").status_code in (*api_refused, 404)
    # Nothing changed.
    public.refresh_from_db()
    draft.refresh_from_db()
    assert public.title == "公开专利乙" and public.status == IPStatus.PUBLIC
    assert draft.title == "草稿专利甲" and draft.status == IPStatus.DRAFT
    assert FeeEvent.objects.count() == 2 and not FeeEvent.objects.filter(paid_on__isnull=False).exists()
    assert IPRecord.objects.count() == 2


def test_another_unit_sees_none_of_our_fees(p: Personas, records: dict[str, IPRecord]) -> None:
    response = page_client(p.other_tto).get(reverse("ipr:fees"))
    assert response.status_code == 200 and "公开专利乙" not in response.content.decode()
    assert api_client(p.other_tto).get(f"{API}fees-due").json()["count"] == 0
    assert page_client(p.outsider).get(reverse("ipr:fees")).status_code == 403
    assert api_client(None).get(f"{API}fees-due").status_code in (401, 403)


def test_the_unit_reads_everything_and_only_its_tto_officer_writes(p: Personas, records: dict[str, IPRecord]) -> None:
    draft = records["draft"]
    for user in (p.researcher, p.tto_officer, p.commission_admin):
        page = page_client(user).get(reverse("ipr:detail", args=[draft.pk])).content.decode()
        assert PRIVATE_NOTE in page and "1,234.56" in page
        data = api_client(user).get(f"{API}{draft.pk}/").json()
        assert data["private_note"] == PRIVATE_NOTE and data["fees"][0]["amount"] == "1234.56"
    assert page_client(p.researcher).get(reverse("ipr:edit", args=[draft.pk])).status_code == 403
    assert api_client(p.commission_admin).patch(f"{API}{draft.pk}/", {"title": "x"}, format="json").status_code == 403
    actions = api_client(p.tto_officer).get(f"{API}{draft.pk}/").json()["allowed_actions"]
    assert [a["step"] for a in actions] == ["publish"]


def test_the_fee_list_shows_the_units_fees_due_within_the_window(p: Personas, records: dict[str, IPRecord]) -> None:
    page = page_client(p.researcher).get(reverse("ipr:fees")).content.decode()
    assert "草稿专利甲" in page and "公开专利乙" in page and "1,234.56" in page
    assert api_client(p.tto_officer).get(f"{API}fees-due?days=10").json()["count"] == 0
    assert api_client(p.tto_officer).get(f"{API}fees-due").json()["count"] == 2


def _payload(**overrides: Any) -> dict[str, Any]:
    data = {
        "ip_type": "invention", "number": "ZL" + serial_number(77), "title": "一种高速列车轴承故障诊断方法",
        "application_date": "2022-05-01", "grant_date": "2024-01-05", "legal_status": "granted",
        "field": "manufacturing", "holders": ["北京示范大学", "张三"], "inventors": ["李研究"],
    }
    data.update(overrides)
    return data


def test_the_tto_officer_records_publishes_and_links_through_the_api(p: Personas) -> None:
    api = api_client(p.tto_officer)
    response = api.post(API, _payload(), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["number"] == serial_number(77) and data["display_number"] == "ZL" + serial_number(77)
    assert [h["name"] for h in data["holders"]] == ["北京示范大学", "张三"]
    assert data["holders"][0]["organisation"] == p.university.pk
    published = api.post(f"{API}{data['id']}/publish", {}, format="json")
    assert published.status_code == 200 and published.json()["status"] == "public"
    bad = api.post(API, _payload(number="202210000077.1", legal_status="nonsense"), format="json")
    assert bad.status_code == 400 and set(bad.json()["extra"]["fields"]) == {"legal_status"}
    bad = api.post(API, _payload(number="202210000077.1"), format="json")
    assert bad.status_code == 400 and "number" in bad.json()["extra"]["fields"]


def test_the_form_page_records_an_ip_right(p: Personas) -> None:
    client = page_client(p.tto_officer)
    assert client.get(reverse("ipr:new"), HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200
    data = {
        "ip_type": "software", "number": "2024SR0011223", "title": "极片检测软件", "application_date": "2024-01-02",
        "grant_date": "2024-03-04", "legal_status": _code("ip_legal_status", "registered"),
        "holders": "北京示范大学；李研究", "inventors": "李研究, 王成果",
    }
    response = client.post(reverse("ipr:new"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    record = IPRecord.objects.get(number="2024SR0011223")
    assert [h.name for h in record.holders.all()] == ["北京示范大学", "李研究"]
    assert record.inventors == ["李研究", "王成果"]
    wrong = client.post(reverse("ipr:new"), {**data, "number": "2024-SR-1"})
    assert wrong.status_code == 200 and "2019SR0123456" in wrong.content.decode()


def _code(table: str, code: str) -> int:
    from techtransfer.core.codetables import code_item

    return code_item(table, code).pk


def test_pages_work_in_chinese_and_english(p: Personas, records: dict[str, IPRecord]) -> None:
    urls = [reverse("ipr:list"), reverse("ipr:detail", args=[records["public"].pk]), reverse("ipr:analysis")]
    for language in ("zh-hans", "en"):
        for url in urls:
            assert page_client(None).get(url, HTTP_ACCEPT_LANGUAGE=language).status_code == 200
        for url in (reverse("ipr:mine"), reverse("ipr:fees"), reverse("ipr:new"), reverse("ipr:import"),
                    reverse("ipr:edit", args=[records["draft"].pk])):
            assert page_client(p.tto_officer).get(url, HTTP_ACCEPT_LANGUAGE=language).status_code == 200


def test_record_data_is_complete() -> None:
    assert set(record_data()) == set(services.FORM_FIELDS)
