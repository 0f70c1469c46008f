"""The contract pages and API as their users use them, and everyone else refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from techtransfer.contracts import services
from techtransfer.contracts.choices import ContractStatus
from techtransfer.contracts.models import TechnologyContract
from techtransfer.contracts.tests.factories import ContractPeople, make_contract, make_people, registered, submitted
from techtransfer.testing import pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db: None) -> ContractPeople:
    return make_people()


def _client(user: object | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _pages(contract: TechnologyContract) -> list[str]:
    attachment = contract.attachments.first()
    urls = [
        reverse("contracts:detail", args=[contract.pk]),
        reverse("contracts:edit", args=[contract.pk]),
        reverse("contracts:register", args=[contract.pk]),
        reverse("contracts:refuse", args=[contract.pk]),
        reverse("contracts:certificate", args=[contract.pk]),
        f"/api/v1/contracts/{contract.pk}/",
    ]
    if attachment:
        urls.append(reverse("contracts:attachment", args=[contract.pk, attachment.pk]))
    return urls


def test_an_outsider_and_another_point_are_refused_every_contract_page_and_endpoint(people: ContractPeople) -> None:
    contracts = [make_contract(people, project_name="草稿"), submitted(people, project_name="待审"),
                 registered(people, project_name="已登记")]
    for user in (people.outsider, people.other_registrar):
        client = _client(user)
        for contract in contracts:
            for url in _pages(contract):
                response = client.get(url)
                assert response.status_code == 404, (user, url, response.status_code)
            for step in ("submit", "return", "dispute", "withdraw", "register", "refuse"):
                response = client.post(f"/api/v1/contracts/{contract.pk}/{step}", {"reason": "x", "grounds": ["B1"]},
                                       content_type="application/json")
                assert response.status_code == 404, (user, step, response.status_code)
        listing = client.get("/api/v1/contracts/").json()
        assert listing["count"] == 0
        assert "已登记" not in client.get(reverse("contracts:list")).content.decode()
    anonymous = _client(None)
    for url in _pages(contracts[2]):
        response = anonymous.get(url)
        assert response.status_code in (302, 401, 403, 404), (url, response.status_code)
        assert "已登记" not in response.content.decode()
    assert anonymous.get("/api/v1/contracts/").status_code in (401, 403)


def test_the_buyer_reads_but_cannot_change_or_decide(people: ContractPeople) -> None:
    contract = submitted(people)
    client = _client(people.buyer_member)
    assert client.get(reverse("contracts:detail", args=[contract.pk])).status_code == 200
    download = client.get(reverse("contracts:attachment", args=[contract.pk, contract.attachments.get().pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert download["Cache-Control"] == "private, no-store"
    assert client.get(reverse("contracts:edit", args=[contract.pk])).status_code == 403
    assert client.get(reverse("contracts:register", args=[contract.pk])).status_code == 403
    # A draft is the seller's alone.
    draft = make_contract(people, project_name="买方看不到的草稿")
    assert client.get(reverse("contracts:detail", args=[draft.pk])).status_code == 404


def test_seller_fills_the_form_attaches_and_submits(people: ContractPeople) -> None:
    client = _client(people.seller_tto)
    page = client.get(reverse("contracts:new"))
    assert page.status_code == 200 and "JJ-001" in page.content.decode()
    token = page.context["form"]["form_token"].value()
    data = {
        "form_token": token, "project_name": "网页登记的合同", "contract_form": "written",
        "signed_on": "2026-11-02", "valid_from": "2026-11-02", "valid_to": "2027-11-01",
        "category": "transfer", "subtype": "patent", "summary": "专利权转让",
        "seller_name": "", "turnover": "800000", "expected_investment": "100000", "expected_output": "900000",
        "buyer_name": "天津智造有限公司",
        "items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "50",
        "items-0-kind": "equipment", "items-0-description": "检测设备", "items-0-amount": "100000", "items-0-carrier": "",
        "items-1-kind": "other", "items-1-description": "技术资料", "items-1-amount": "2000",
        "items-1-carrier": "documents",
    }
    from techtransfer.contracts.tests.factories import contract_data

    codes = contract_data()
    for name in ("seller_nature", "buyer_nature", "buyer_country", "buyer_region", "tech_field", "ip_type",
                 "plan_source", "objective", "industry", "payment_mode"):
        data[name] = str(codes[name].pk)
    response = client.post(reverse("contracts:new"), data)
    assert response.status_code == 302, response.context["error_summary"] if response.context else response
    contract = TechnologyContract.objects.get(project_name="网页登记的合同")
    assert contract.seller_name == people.seller.name
    assert contract.declared_technical_value == Decimal("700000")
    detail = client.get(response["Location"]).content.decode()
    assert "Attach the signed contract" in detail or "签订的合同" in detail or "problems" in detail
    client.post(reverse("contracts:attachment_add", args=[contract.pk]),
                {"kind": "signed_contract", "file": pdf_upload("signed.pdf")})
    response = client.post(reverse("workflow_step", args=["contract", contract.pk, "submit"]))
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SUBMITTED and contract.decision_due is not None


def test_registrar_queue_and_decisions(people: ContractPeople) -> None:
    contract = submitted(people)
    client = _client(people.registrar)
    queue = client.get(reverse("contracts:queue")).content.decode()
    assert contract.project_name in queue
    assert _client(people.seller_tto).get(reverse("contracts:queue")).status_code == 403
    page = client.get(reverse("contracts:register", args=[contract.pk]))
    assert page.status_code == 200
    response = client.post(reverse("contracts:register", args=[contract.pk]),
                           {"approved_value": "1000000", "approval_note": ""})
    assert response.status_code == 200  # the form again: the difference must be explained
    assert "explain" in response.content.decode().lower() or "说明" in response.content.decode()
    response = client.post(reverse("contracts:register", args=[contract.pk]),
                           {"approved_value": "1000000", "approval_note": "设备费用不计入"})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == ContractStatus.REGISTERED and contract.approved_technical_value == Decimal("1000000")
    other = submitted(people, project_name="拒绝的")
    form = client.get(reverse("contracts:refuse", args=[other.pk])).content.decode()
    # Only the grounds offered count: "A8" could appear by chance in the form's random CSRF token.
    assert 'value="B6"' in form and 'value="A8"' not in form
    client.post(reverse("contracts:refuse", args=[other.pk]), {"grounds": ["B2", "B5"], "note": "材料不全"})
    other.refresh_from_db()
    assert other.status == ContractStatus.REFUSED and other.refusal_grounds == ["B2", "B5"]
    seller_view = _client(people.seller_tto).get(reverse("contracts:detail", args=[other.pk])).content.decode()
    assert "B2" in seller_view and "材料不全" in seller_view


def test_api_round_trip(people: ContractPeople) -> None:
    from techtransfer.contracts.tests.factories import contract_data

    codes = contract_data()
    payload = {
        "project_name": "接口登记", "signed_on": codes["signed_on"].isoformat(),
        "valid_from": codes["valid_from"].isoformat(), "valid_to": codes["valid_to"].isoformat(),
        "category": "service", "subtype": "training", "buyer_name": "某公司", "turnover": "50000.00",
        "non_technical_items": [{"kind": "materials", "description": "耗材", "amount": "5000"}],
        **{name: codes[name].code for name in ("seller_nature", "buyer_nature", "buyer_country", "buyer_region",
                                               "tech_field", "ip_type", "plan_source", "objective", "industry",
                                               "payment_mode")},
    }
    client = _client(people.seller_tto)
    response = client.post("/api/v1/contracts/", payload, content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["declared_technical_value"] == "45000.00" and body["status"] == "draft"
    assert [a["step"] for a in body["allowed_actions"]] == ["withdraw"]  # not complete: no signed contract yet
    bad = client.post("/api/v1/contracts/", {**payload, "category": "licence", "subtype": "secret_licence",
                                             "signed_on": "2020-05-01", "valid_from": "2020-05-01"},
                      content_type="application/json")
    assert bad.status_code == 400 and "category" in bad.json()["extra"]["fields"]
    contract = TechnologyContract.objects.get(pk=body["id"])
    services.attachment_add(contract=contract, by=people.seller_tto, upload=pdf_upload(), kind="signed_contract")
    assert client.post(f"/api/v1/contracts/{contract.pk}/submit").status_code == 200
    registrar = _client(people.registrar)
    refused = registrar.post(f"/api/v1/contracts/{contract.pk}/refuse", {"grounds": ["A1"]},
                             content_type="application/json")
    assert refused.status_code == 400
    done = registrar.post(f"/api/v1/contracts/{contract.pk}/register", {}, content_type="application/json")
    assert done.status_code == 200 and len(done.json()["number"]) == 16
    assert done.json()["certificate_url"].endswith("certificate.pdf")


def test_registrar_imports_registrations_made_elsewhere_and_outsiders_cannot(
    people: ContractPeople, tmp_path: object
) -> None:
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile

    from techtransfer.contracts.exchange import exchange_export

    contract = registered(people, project_name="导出再导入")
    today = datetime.date.today()
    result = exchange_export("statistics", today.replace(day=1), today, directory=tmp_path)  # type: ignore[arg-type]
    data = result.data_file.read_bytes()
    outsider = _client(people.outsider)
    assert outsider.get(reverse("contracts:import")).status_code == 403
    client = _client(people.registrar)
    page = client.get(reverse("contracts:import"))
    token = page.context["form"]["form_token"].value()
    response = client.post(reverse("contracts:import"), {
        "form_token": token, "point": people.point.pk, "mode": "good_rows",
        "file": SimpleUploadedFile("statistics.csv", data, content_type="text/csv"),
    })
    assert response.status_code == 302
    batch_page = client.get(response["Location"])
    assert batch_page.status_code == 200
    batch = batch_page.context["batch"]
    assert batch.total_rows == 1 and batch.error_count == 0 and batch.created_count + batch.unchanged_count == 1
    assert TechnologyContract.objects.filter(number=contract.number).count() == 1  # nothing doubled
    assert outsider.get(response["Location"]).status_code == 404
    assert str(batch.pk) in client.get(reverse("contracts:import")).content.decode()


def test_commission_downloads_an_exchange_file_and_nobody_else(people: ContractPeople) -> None:
    import datetime
    import io
    import zipfile

    from techtransfer.accounts.choices import OrgType, Role
    from techtransfer.testing import make_org, make_user

    contract = registered(people, project_name="交换文件")
    commission = make_org("北京市科学技术委员会", OrgType.REGISTRATION_BODY, region="110000")
    admin = make_user("exchange_admin", commission, Role.COMMISSION_ADMIN)
    month = datetime.date.today().strftime("%Y-%m")
    url = reverse("contracts:exchange")
    for user in (people.registrar, people.seller_tto, people.outsider):
        assert _client(user).get(url, {"recipient": "tax", "month": month}).status_code == 403
    client = _client(admin)
    assert client.get(url).status_code == 200
    assert "month" in client.get(url, {"recipient": "tax", "month": "2026-13"}).context["form"].errors
    response = client.get(url, {"recipient": "tax", "month": month})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert any(n.endswith(".csv") for n in names) and "manifest.json" in names
    data = next(archive.read(n) for n in names if n.endswith(".csv")).decode("utf-8-sig")
    assert contract.number in data
