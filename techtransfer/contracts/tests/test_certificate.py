"""The registration certificate (PDF), its download, the public verification pages and the tax calculator page."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pypdf
import pytest
import segno
from django.test import Client
from django.urls import reverse
from django.utils.translation import trans_real

from techtransfer.accounts.choices import OrgType
from techtransfer.contracts import certificate
from techtransfer.contracts.choices import Category, SubType
from techtransfer.contracts.tests.factories_certificate import (
    PROJECT_NAME,
    make_contract,
    make_refused_contract,
    make_registered_contract,
)
from techtransfer.testing import Personas, make_org

VERIFY_URL = "https://tech.example.cn/contracts/verify/{number}/{code}/"
# The zh-hans translations of the certificate's labels (as handed over in var/i18n/certificate.json).
ZH = {
    "Technology contract registration certificate": "技术合同登记证明",
    "Contract registration number": "合同登记编号",
    "Project name": "项目名称",
    "Seller": "卖方",
    "Buyer": "买方",
    "Contract category": "合同类别",
    "Contract sub-type": "合同子类",
    "Signing date": "合同签订日期",
    "Validity period": "合同有效期限",
    "Contract turnover": "合同成交额",
    "Approved technical transaction value": "核定技术性收入",
    "Registration date": "登记日期",
    "Registration point": "登记机构",
    "Tax treatments the contract may qualify for": "可能享受的税收优惠",
}


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def pdf_pages(data: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def zh_catalogue() -> Iterator[None]:
    """The certificate's labels translated in the zh-hans catalogue, whatever the compiled catalogue holds."""
    catalog: Any = trans_real.translation("zh-hans")._catalog
    first = catalog._catalogs[0]
    saved = {msgid: first.get(msgid) for msgid in ZH}
    first.update(ZH)
    yield
    for msgid, value in saved.items():
        if value is None:
            first.pop(msgid, None)
        else:
            first[msgid] = value


@pytest.fixture
def registered(p: Personas) -> Any:
    return make_registered_contract(seller=p.university)


def url_for(contract: Any) -> str:
    return VERIFY_URL.format(number=contract.number, code=contract.verification_code)


# --- The PDF --------------------------------------------------------------------------------------------------


def test_certificate_pdf_shows_the_registration(registered, monkeypatch):
    encoded: list[str] = []
    make = segno.make

    def recording_make(content: Any, *args: Any, **kwargs: Any) -> Any:
        encoded.append(content)
        return make(content, *args, **kwargs)

    monkeypatch.setattr(certificate.segno, "make", recording_make)
    data = certificate.certificate_pdf(registered, verify_url=url_for(registered))
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert len(registered.number) == 16 and registered.number in text
    assert PROJECT_NAME in text
    assert "北京示范大学" in text and "北京新能源科技有限公司" in text
    assert "1,150,000.50 元" in text  # approved value
    assert "1,234,567.89 元" in text  # turnover
    assert "2024-03-20" in text and "2024-03-01 – 2029-02-28" in text
    assert "海淀区技术合同登记站" in text
    assert "Technology transfer (技术转让)" in text and "Patent right transfer (专利权转让)" in text
    assert "财税〔2016〕36号" in text and "第九十条" in text
    # The QR code encodes the verification address, which is printed too.
    assert encoded == [url_for(registered)]
    assert url_for(registered) in text.replace("\n", "")
    assert pdf_pages(data) == 1


def test_certificate_pdf_is_deterministic(registered):
    first = certificate.certificate_pdf(registered, verify_url=url_for(registered))
    assert certificate.certificate_pdf(registered, verify_url=url_for(registered)) == first


def test_certificate_is_bilingual_with_the_catalogue(registered, zh_catalogue):
    data = certificate.certificate_pdf(registered, verify_url=url_for(registered))
    text = pdf_text(data)
    assert "技术合同登记证明" in text and "Technology contract registration certificate" in text
    assert "项目名称" in text and "Project name" in text
    assert "核定技术性收入" in text and "Approved technical transaction" in text
    assert pdf_pages(data) == 1


def test_certificate_without_tax_treatment(p):
    contract = make_registered_contract(
        seller=p.university, category=Category.TRANSFER, subtype=SubType.TECHNICAL_SECRET, ip_type=None,
        signed_on=datetime.date(2015, 1, 10),
    )
    contract.registered_on = contract.signed_on
    text = pdf_text(certificate.certificate_pdf(contract, verify_url=url_for(contract)))
    assert "None of the recorded tax treatments applies" in text


def test_money_text():
    assert certificate.money_text(Decimal("1234567.891")) == "1,234,567.89 元"
    assert certificate.money_text(Decimal("0")) == "0.00 元"
    assert certificate.money_text(None) == "—"


# --- The download ---------------------------------------------------------------------------------------------


def test_seller_downloads_the_certificate(client: Client, p, registered):
    client.force_login(p.tto_officer)
    response = client.get(reverse("contracts:certificate", args=[registered.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    # content_disposition_header: a plain name in English, the RFC 5987 form (filename*=utf-8'') for a Chinese one.
    assert disposition.startswith("attachment;") and "filename" in disposition
    assert registered.number in disposition
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content).replace("\n", "")
    verify = f"http://testserver/contracts/verify/{registered.number}/{registered.verification_code}/"
    assert verify in text


def test_registrar_of_the_point_downloads_it(client: Client, p):
    from techtransfer.accounts.choices import Role
    from techtransfer.testing import make_user

    point = make_org("西城区技术合同登记站", OrgType.CONTRACT_REGISTRY, region="110102")
    contract = make_registered_contract(seller=p.university, point=point)
    client.force_login(make_user("registrar", point, Role.REVIEWER))
    assert client.get(reverse("contracts:certificate", args=[contract.pk])).status_code == 200


def test_certificate_refused_to_outsiders_and_anonymous(client: Client, p, registered):
    url = reverse("contracts:certificate", args=[registered.pk])
    assert client.get(url).status_code == 404
    client.force_login(p.outsider)
    assert client.get(url).status_code == 404
    client.force_login(p.other_tto)
    assert client.get(url).status_code == 404


def test_no_certificate_before_registration(client: Client, p):
    contract = make_contract(seller=p.university)
    client.force_login(p.tto_officer)
    assert client.get(reverse("contracts:certificate", args=[contract.pk])).status_code == 404
    refused = make_refused_contract(seller=p.university)
    assert client.get(reverse("contracts:certificate", args=[refused.pk])).status_code == 404


# --- Verification ---------------------------------------------------------------------------------------------


def test_verify_a_genuine_certificate(client: Client, registered):
    response = client.get(reverse("contracts:verify", args=[registered.number, registered.verification_code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert registered.number in page and PROJECT_NAME in page
    assert "北京示范大学" in page and "北京新能源科技有限公司" in page and "海淀区技术合同登记站" in page
    assert "1,150,000.50" in page
    assert "Genuine certificate" in page


def _not_confirmed(response: Any) -> str:
    assert response.status_code == 404
    page = re.sub(r'"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    assert "No registered contract matches this number and code." in page
    assert PROJECT_NAME not in page and "北京示范大学" not in page
    return page


def test_verify_refuses_refused_forged_and_wrong_code(client: Client, p, registered):
    refused = make_refused_contract(seller=p.university, project_name="未予登记的合同")
    page = _not_confirmed(client.get(reverse("contracts:verify", args=[refused.number, refused.verification_code])))
    assert "未予登记的合同" not in page
    forged_number = "2024110108999999"
    forged = _not_confirmed(client.get(reverse("contracts:verify", args=[forged_number, "abcdefghijkl"])))
    wrong_code = _not_confirmed(client.get(reverse("contracts:verify", args=[registered.number, "abcdefghijkl"])))
    # A wrong code for a real number reads exactly like a number never issued.
    assert wrong_code.replace(registered.number, "N") == forged.replace(forged_number, "N")
    _not_confirmed(client.get(reverse("contracts:verify", args=[registered.number, "x" * 17])))
    _not_confirmed(client.get(reverse("contracts:verify", args=["not-a-number", registered.verification_code])))


def test_verify_form_redirects_to_the_verification(client: Client, registered):
    url = reverse("contracts:verify_form")
    assert client.get(url).status_code == 200
    spaced = " ".join(registered.number[i:i + 4] for i in range(0, 16, 4))
    response = client.get(url, {"number": spaced, "code": f" {registered.verification_code} "})
    assert response.status_code == 302
    assert response["Location"] == reverse("contracts:verify", args=[registered.number,
                                                                     registered.verification_code])
    bad = client.get(url, {"number": "12ab", "code": "a/b"})
    assert bad.status_code == 200
    assert "digits only" in bad.content.decode()


# --- The calculator -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_tax_calculator_page(client: Client):
    url = reverse("contracts:tax_calculator")
    blank = client.get(url)
    assert blank.status_code == 200 and 'id="art90-result"' in blank.content.decode()
    response = client.get(url, {"income": "8000000", "cost": "1000000", "taxes": "100000", "year": "2024"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "6,900,000.00" in page and "1,900,000.00" in page and "237,500.00" in page
    htmx = client.get(url, {"income": "100", "cost": "200", "taxes": "0", "year": "2024"}, HTTP_HX_REQUEST="true")
    assert "There is no gain" in htmx.content.decode()
    early = client.get(url, {"income": "100", "cost": "0", "taxes": "0", "year": "1999"})
    assert early.status_code == 200 and "237,500.00" not in early.content.decode()
    assert "errorlist" in early.content.decode() or "error-summary" in early.content.decode()


# --- Through the registration workflow ------------------------------------------------------------------------


@pytest.mark.django_db
def test_registered_through_the_workflow_then_verified(client: Client):
    from techtransfer.contracts.tests import factories

    people = factories.make_people()
    contract = factories.registered(people)
    assert len(contract.number) == 16 and contract.verification_code
    client.force_login(people.buyer_member)  # the buyer on the platform reads a registered contract
    response = client.get(reverse("contracts:certificate", args=[contract.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content).replace("\n", "")
    verify = reverse("contracts:verify", args=[contract.number, contract.verification_code])
    assert f"http://testserver{verify}" in text
    client.logout()
    page = client.get(verify)
    assert page.status_code == 200 and contract.project_name in page.content.decode()
    client.force_login(people.outsider)
    assert client.get(reverse("contracts:certificate", args=[contract.pk])).status_code == 404


def test_tax_treatments_partial(registered):
    from django.template.loader import render_to_string

    from techtransfer.contracts.tax import tax_treatments

    html = render_to_string("contracts/_tax_treatments.html", {"treatments": tax_treatments(registered)})
    assert 'id="tax-vat_technology"' in html and 'id="tax-eit_article_90"' in html
    assert "Qualifies" in html and reverse("contracts:tax_calculator") in html
    assert "None of the recorded tax treatments" in render_to_string("contracts/_tax_treatments.html",
                                                                      {"treatments": []})
