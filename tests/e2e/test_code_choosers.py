"""Choosing a district through the region cascade (province → district) on a phone, in a real browser.

The demand form's region is one <select> grouped by province; the page's script puts a province chooser in
front of it and shortens the list to that province. Screenshots go to test-results/screenshots/<test name>/.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from techtransfer.core.codetables import code_item
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.tests.helpers import make_enterprise
from tests.e2e.browsing import log_in, zh
from tests.e2e.test_demand_flow import label, no_horizontal_overflow

pytestmark = pytest.mark.django_db(transaction=True)
TITLE = "蓟州区农产品冷链温度在线监测"


def test_a_district_of_tianjin_is_picked_through_the_province_on_a_phone(
    live_server: Any, new_page: Any, shots: Any
) -> None:
    ent = make_enterprise()
    page = new_page(mobile=True)
    log_in(page, ent.staff.username)
    page.goto("/demands/new/")
    page.get_by_label(label("title")).fill(TITLE)

    region = page.get_by_label(label("region"))
    province = page.get_by_role("combobox", name=zh("Province"), exact=True)
    expect(province).to_be_visible()
    # Before a province is chosen the whole grouped list is there (as without JavaScript).
    assert region.locator("option").count() > 3000
    province.select_option(label="120000 天津市")  # the form shows GB/T 2260 codes
    # The province itself is chosen until a district is; the list now holds Tianjin and its 16 districts.
    expect(region).to_have_value(str(code_item("region", "120000").pk))
    assert region.locator("option").count() == 1 + 17
    region.select_option(label="120119 蓟州区")
    assert no_horizontal_overflow(page)
    shots(page, "region-cascade")

    page.get_by_role("button", name=zh("Save draft")).click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    demand = TechnologyDemand.objects.get(title=TITLE)
    assert demand.region.code == "120119"

    # Editing again: the chooser starts at the demand's province, the district chosen.
    page.goto(f"/demands/{demand.pk}/edit/")
    province = page.get_by_role("combobox", name=zh("Province"), exact=True)
    assert province.evaluate("s => s.options[s.selectedIndex].text") == "120000 天津市"
    expect(page.get_by_label(label("region"))).to_have_value(str(code_item("region", "120119").pk))
    shots(page, "region-cascade-edit")

    # Choosing straight from the full list (as without the chooser) moves the chooser to the province.
    page.goto("/demands/new/")
    page.get_by_label(label("region")).select_option(label="110108 海淀区")
    province = page.get_by_role("combobox", name=zh("Province"), exact=True)
    assert province.evaluate("s => s.options[s.selectedIndex].text") == "110000 北京市"
    assert page.get_by_label(label("region")).locator("option").count() == 1 + 17
