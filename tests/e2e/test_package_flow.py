"""Achievement packages in a real browser, at phone width (390 px): the commission's reviewer creates a package
for 生物医药, adds the achievement the key field's demand suggests with one click, writes its note and
publishes; a visitor finds it on the public list by its key field and reads it, in Chinese and in English,
with no sideways scrolling and no script or CSP error.

Screenshots: test-results/screenshots/<test name>/.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from techtransfer.market.tests.helpers import make_enterprise, make_published
from techtransfer.packages.tests.helpers import VACCINE, VACCINE_DEMAND
from techtransfer.testing import Personas
from tests.e2e.browsing import Watch, log_in, take_step, zh

pytestmark = pytest.mark.django_db(transaction=True)


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport + 1, f"page is {width}px wide in a {viewport}px viewport"


@pytest.fixture
def data(p: Personas) -> Any:
    from techtransfer.achievements import services as achievement_services
    from techtransfer.core.codetables import code_item
    from techtransfer.testing import make_achievement

    fields = dict(VACCINE, high_tech_field=code_item("high_tech_field", "biomedicine"))
    a = make_achievement(p, **fields)
    achievement_services.achievement_submit(achievement=a, by=p.tto_officer)
    a = achievement_services.achievement_register(achievement=a, by=p.reviewer)
    demand_data = dict(VACCINE_DEMAND, field=code_item("high_tech_field", "biomedicine"))
    make_published(make_enterprise(), p.reviewer, **demand_data)
    return a


def test_a_reviewer_curates_and_publishes_a_package_at_phone_width(
    p: Personas, data: Any, new_page: Any, shots: Any
) -> None:
    page = new_page(mobile=True)
    watch = Watch(page)
    log_in(page, "reviewer")
    page.goto("/packages/new/")
    page.select_option("#id_key_field", label="生物医药")
    page.fill("#id_title", "疫苗技术成果包")
    page.fill("#id_title_en", "Vaccine technology package")
    page.fill("#id_cover", "面向疫苗企业免疫原性不足的难题。")
    page.get_by_role("button", name=zh("Create the draft")).click()
    suggestion = page.locator(f'.suggestion[data-id="{data.pk}"]')
    expect(suggestion).to_contain_text(VACCINE_DEMAND["title"])
    no_sideways_scroll(page)
    shots(page, "edit-suggestions")
    suggestion.get_by_role("button", name=zh("Add to the package")).click()
    expect(page.locator(f"#item-{data.pk}")).to_be_visible()
    page.fill(f'input[name="item-{data.pk}-note"]', "疫苗企业可直接许可")
    page.get_by_role("button", name=zh("Save the order and notes")).click()
    page.get_by_role("link", name=zh("See the package")).click()
    take_step(page, "publish")
    expect(page.locator(".msg-success")).to_contain_text(zh("The package is published."))
    shots(page, "published")

    visitor = new_page(mobile=True)
    visitor.goto("/packages/?key_field=biomedicine")
    expect(visitor.get_by_role("link", name="疫苗技术成果包")).to_be_visible()
    no_sideways_scroll(visitor)
    shots(visitor, "list")
    visitor.get_by_role("link", name="疫苗技术成果包").click()
    expect(visitor.locator(f"#item-{data.pk}")).to_contain_text("疫苗企业可直接许可")
    no_sideways_scroll(visitor)
    shots(visitor, "detail")
    english = new_page(locale="en-US", mobile=True)
    english.goto(visitor.url)
    expect(english.get_by_role("heading", name="Vaccine technology package", level=1)).to_be_visible()
    expect(english.get_by_role("heading", name="Achievements in the package")).to_be_visible()
    no_sideways_scroll(english)
    shots(english, "detail-en")
    assert watch.problems == []
