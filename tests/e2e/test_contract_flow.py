"""Technology contract registration (issue 9), clicked through in a real browser.

A seller registers a contract with a non-technical item and the signed PDF and submits it; the registrar of its
district's point returns it with a reason; the seller corrects and resubmits; the registrar registers it with
the approved value; the certificate PDF is downloaded and its verification link confirms it to an anonymous
visitor; the live board, open on a large screen all along, counts the registration without being reloaded, and
the transaction map shows the flow to Tianjin. Screenshots of every step, and of the statistics pages, the map
and the board at desktop and phone width, go to test-results/screenshots/<test name>/.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from techtransfer.contracts.choices import ContractStatus
from techtransfer.contracts.models import TechnologyContract
from techtransfer.contracts.tests.factories import contract_data, make_people
from techtransfer.testing import PDF_BYTES
from tests.e2e.browsing import log_in, take_step, zh

pytestmark = pytest.mark.django_db(transaction=True)

PROJECT = "高镍正极材料中试工艺技术转让"
RETURN_REASON = "请补充买方盖章页"


def fill_application(page: Page) -> None:
    codes = contract_data()
    page.locator("#id_project_name").fill(PROJECT)
    page.locator("#id_signed_on").fill(codes["signed_on"].isoformat())
    page.locator("#id_valid_from").fill(codes["valid_from"].isoformat())
    page.locator("#id_valid_to").fill(codes["valid_to"].isoformat())
    page.locator("#id_category").select_option("transfer")
    page.locator("#id_subtype").select_option("patent")
    page.locator("#id_summary").fill("高镍正极材料制备专利权转让，含工艺包与一套中试设备。")
    page.locator("#id_buyer_name").fill("天津智造有限公司")
    for name in ("seller_nature", "buyer_nature", "buyer_country", "buyer_region", "tech_field", "ip_type",
                 "plan_source", "objective", "industry", "payment_mode"):
        page.locator(f"#id_{name}").select_option(str(codes[name].pk))
    page.locator("#id_turnover").fill("2000000")
    page.locator("#id_expected_investment").fill("500000")
    page.locator("#id_expected_output").fill("8000000")
    page.locator("#id_items-0-description").fill("检测仪器")
    page.locator("#id_items-0-kind").select_option("instruments")
    page.locator("#id_items-0-amount").fill("300000")


def _cells_with(data: Any, code: str) -> list[dict[str, Any]]:
    """Every object in the map's data that is about the place `code` (a province, district or country)."""
    found = []
    if isinstance(data, dict):
        if code in (data.get("code"), data.get("key")):
            found.append(data)
        for value in data.values():
            found += _cells_with(value, code)
    elif isinstance(data, list):
        for value in data:
            found += _cells_with(value, code)
    return found


def tianjin_contracts(page: Page) -> int:
    page.goto("/stats/map/")
    data = json.loads(page.locator("#stats-map-data").text_content() or "{}")
    return max((cell.get("contracts") or 0 for cell in _cells_with(data, "120000")), default=0)


def test_register_a_contract_from_application_to_verified_certificate(  # type: ignore[no-untyped-def]
    new_page, shots, tmp_path, settings
) -> None:
    # One contract is a small cell: the public figures would suppress it. Here every cell counts.
    settings.STATS_MIN_CELL = 1
    people = make_people()
    board = new_page()
    board.set_viewport_size({"width": 1920, "height": 1080})
    board.goto("/stats/live/")
    expect(board.locator('[data-live="contracts"]')).to_have_text("0")
    board.evaluate("window.__notReloaded = true")
    map_page = new_page()
    assert tianjin_contracts(map_page) == 0

    seller = new_page()
    log_in(seller, "seller_tto")
    seller.goto("/contracts/new/")
    fill_application(seller)
    shots(seller, "application-form")
    seller.locator("#contract-form button[type=submit]").last.click()
    expect(seller.locator("#declared-value")).to_contain_text("1,700,000.00")
    expect(seller.locator("#problems")).to_be_visible()
    seller.locator("#attach-form input[type=file]").set_input_files(
        files=[{"name": "signed-contract.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    seller.locator("#attach-form button[type=submit]").click()
    expect(seller.locator("#attachments")).to_contain_text("signed-contract.pdf")
    take_step(seller, "submit")
    expect(seller.locator("#deadline")).to_be_visible()
    shots(seller, "submitted")
    contract = TechnologyContract.objects.get(project_name=PROJECT)
    assert contract.status == ContractStatus.SUBMITTED and contract.registration_point == people.point

    registrar = new_page()
    log_in(registrar, "registrar")
    registrar.goto("/contracts/queue/")
    shots(registrar, "queue")
    registrar.get_by_role("link", name=PROJECT, exact=True).click()
    take_step(registrar, "return", reason=RETURN_REASON)
    shots(registrar, "returned")

    seller.goto(f"/contracts/{contract.pk}/")
    expect(seller.locator("#returned")).to_contain_text(RETURN_REASON)
    seller.get_by_role("button", name=zh("Edit"), exact=True).click()
    seller.locator("#id_turnover").fill("2100000")
    seller.locator("#contract-form button[type=submit]").last.click()
    expect(seller.locator("#declared-value")).to_contain_text("1,800,000.00")
    take_step(seller, "submit")
    shots(seller, "resubmitted")

    registrar.goto(f"/contracts/{contract.pk}/")
    registrar.locator("#register-link").click()
    expect(registrar.locator("#id_approved_value")).to_have_value(re.compile(r"^1800000(\.00)?$"))
    shots(registrar, "register-form")
    registrar.locator("#decide-form button[type=submit]").click()
    number = registrar.locator("#contract-number")
    expect(number).to_have_text(re.compile(r"^\d{16}$"))
    shots(registrar, "registered")

    # The board, never reloaded, counts it within seconds; the map shows the flow to Tianjin.
    expect(board.locator('[data-live="contracts"]')).to_have_text("1", timeout=20000)
    assert board.evaluate("window.__notReloaded") is True
    shots(board, "live-board")
    assert tianjin_contracts(map_page) == 1
    shots(map_page, "map")

    with seller.expect_download() as download_info:
        seller.goto(f"/contracts/{contract.pk}/")
        seller.locator("#certificate-link").click()
    pdf_path = tmp_path / "certificate.pdf"
    download_info.value.save_as(pdf_path)
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf_path.read_bytes())).pages)
    contract.refresh_from_db()
    assert contract.number in text and "1,800,000.00" in text
    verify_url = re.search(r"https?://\S+/contracts/verify/\S+/", text)
    assert verify_url is not None, text

    visitor = new_page()
    visitor.goto(verify_url.group(0))
    expect(visitor.locator("body")).to_contain_text(contract.number)
    expect(visitor.locator("body")).to_contain_text(PROJECT)
    shots(visitor, "verified")
    visitor.goto(f"/contracts/verify/{contract.number[:-1]}9/{contract.verification_code}/")
    expect(visitor.locator("body")).not_to_contain_text(PROJECT)
