"""The IP analysis and the incubation count in a real browser: their ECharts charts are drawn under the
Content-Security-Policy with no console error, in Chinese, at desktop (1280 px) and phone (390 px) widths, with
no sideways scrolling; a TTO officer records a patent on the form page and makes it public.

Screenshots: test-results/screenshots/<test name>/.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from techtransfer.carriers.tests.helpers import add_firm, make_carrier
from techtransfer.core.codetables import code_item
from techtransfer.ipr.models import IPRecord
from techtransfer.ipr.tests.helpers import make_record, serial_number
from techtransfer.testing import Personas
from tests.e2e.browsing import Watch, log_in, take_step, zh

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def data(p: Personas) -> Personas:
    for serial, (kind, digit, year, field) in enumerate([
        ("invention", "1", 2019, "energy"), ("invention", "1", 2021, "energy"), ("utility_model", "2", 2022, "energy"),
        ("invention", "1", 2023, "materials"), ("design", "3", 2024, "manufacturing"),
    ], start=1):
        make_record(p, public=True, ip_type=kind, number=serial_number(serial, year=year, type_digit=digit),
                    title=f"浏览器测试专利{serial}", application_date=datetime.date(year, 4, 1),
                    grant_date=datetime.date(year + 1, 6, 1), field=code_item("high_tech_field", field))
    park = make_carrier(p, listed=True)
    space = make_carrier(p, listed=True, name="示范众创空间", carrier_type=code_item("carrier_type", "maker_space"),
                         level="municipal", recognition_year=2019, district=code_item("region", "110105"))
    for seed in range(6):
        add_firm(p, park if seed % 2 else space, seed, entry=datetime.date(2023, 1 + seed, 1))
    return p


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport + 1, f"page is {width}px wide in a {viewport}px viewport"


def drawn(page: Page, selector: str) -> None:
    expect(page.locator(f"{selector} svg").first).to_be_attached()
    box = page.locator(selector).bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100, selector


@pytest.mark.parametrize("mobile", [False, True], ids=["1280", "390"])
def test_the_ip_analysis_draws_its_charts(data: Personas, new_page: Any, shots: Any, mobile: bool) -> None:
    page = new_page(mobile=mobile)
    watch = Watch(page, console_errors=True)
    response = page.goto("/ip/analysis/")
    assert response is not None and response.ok
    expect(page.get_by_role("heading", name=zh("IP analysis by field"), level=1)).to_be_visible()
    expect(page.locator("#total strong")).to_have_text("5")
    for chart in ("#ip-years-chart", "#ip-type-chart", "#ip-status-chart", "#ip-holder-chart"):
        drawn(page, chart)
    no_sideways_scroll(page)
    shots(page, "analysis")
    page.select_option("#id_field", "energy")
    page.get_by_role("button", name=zh("Show")).click()
    expect(page.locator("#total strong")).to_have_text("3")
    drawn(page, "#ip-years-chart")
    shots(page, "analysis-energy")
    page.goto("/ip/")
    no_sideways_scroll(page)
    shots(page, "list")
    assert watch.problems == []


@pytest.mark.parametrize("mobile", [False, True], ids=["1280", "390"])
def test_the_incubation_count_draws_its_charts(data: Personas, new_page: Any, shots: Any, mobile: bool) -> None:
    page = new_page(mobile=mobile)
    watch = Watch(page, console_errors=True)
    response = page.goto("/carriers/incubation/")
    assert response is not None and response.ok
    expect(page.locator("#incubating strong")).to_have_text("6")
    expect(page.locator("#target strong")).to_have_text("10,000")
    drawn(page, "#incubation-type-chart")
    drawn(page, "#incubation-level-chart")
    no_sideways_scroll(page)
    shots(page, "incubation")
    page.goto("/carriers/")
    expect(page.get_by_role("link", name="示范众创空间")).to_be_visible()
    no_sideways_scroll(page)
    shots(page, "registry")
    assert watch.problems == []


def test_a_tto_officer_records_a_patent_and_makes_it_public(data: Personas, new_page: Any, shots: Any) -> None:
    page = new_page(mobile=True)
    watch = Watch(page)
    log_in(page, "tto")
    page.goto("/ip/new/")
    number = serial_number(4242, year=2022)
    page.select_option("#id_ip_type", "invention")
    page.fill("#id_number", "ZL" + number[:-1] + ("0" if number[-1] != "0" else "1"))  # a wrong check digit first
    page.fill("#id_title", "一种手机端填写的专利")
    page.fill("#id_application_date", "2022-05-06")
    page.select_option("#id_legal_status", label="申请中")
    page.get_by_role("button", name=zh("Save draft")).click()
    expect(page.locator("#error-summary")).to_be_visible()
    shots(page, "form-error")
    page.fill("#id_number", "ZL" + number)
    page.get_by_role("button", name=zh("Save draft")).click()
    expect(page.locator("#ip-number")).to_have_text(number)
    take_step(page, "publish")
    expect(page.get_by_text(zh("The IP record is public."))).to_be_visible()
    no_sideways_scroll(page)
    shots(page, "published")
    assert IPRecord.objects.get(number=number).status == "public"
    assert watch.problems == []
