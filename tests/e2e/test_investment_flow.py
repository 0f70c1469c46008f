"""Investment matching in a real browser, in Chinese, at desktop (1280 px) and phone (390 px) widths: the
investor list with its facets, a project's ranked investors with their reasons, sending the project to an
investor, and the investor declining with a reason. No sideways scrolling, no CSP violation.

Screenshots: test-results/screenshots/<test name>/.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from techtransfer.investment.models import FundingRequest
from techtransfer.investment.tests.helpers import make_investor, make_project, make_world
from techtransfer.testing import Personas
from tests.e2e.browsing import Watch, log_in, take_step, zh

pytestmark = pytest.mark.django_db(transaction=True)


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport + 1, f"page is {width}px wide in a {viewport}px viewport"


@pytest.mark.parametrize("mobile", [False, True], ids=["1280", "390"])
def test_send_a_project_and_the_investor_declines(p: Personas, new_page: Any, shots: Any, mobile: bool) -> None:
    world = make_world(p)
    fit = make_investor(world)
    small = make_investor(world, name="示范天使一号", kind="angel", ticket_min=Decimal("500000"),
                          ticket_max=Decimal("3000000"))
    project = make_project(world)
    page = new_page(mobile=mobile)
    watch = Watch(page)
    page.goto("/investment/")
    expect(page.get_by_role("heading", name=zh("Investors and funds"), level=1)).to_be_visible()
    no_sideways_scroll(page)
    shots(page, "list")
    log_in(page, "tto")
    page.goto(f"/investment/projects/{project.pk}/")
    expect(page.locator(f"#match-{fit.pk}")).to_contain_text(zh("Same field"))
    expect(page.locator(f"#match-{small.pk}")).to_contain_text(
        zh("The amount sought is outside the investor's ticket size."))
    no_sideways_scroll(page)
    shots(page, "matches")
    page.locator(f"#match-{fit.pk} summary").click()
    page.locator(f"#match-{fit.pk} textarea").fill("附路演材料")
    page.locator(f"#match-{fit.pk} button[type=submit]").click()
    expect(page.locator("#requests")).to_contain_text(fit.name)
    request = FundingRequest.objects.get(project=project, investor=fit)
    page.context.clear_cookies()
    log_in(page, "vc_staff")
    page.goto(f"/investment/requests/{request.pk}/")
    take_step(page, "decline", reason="阶段偏早，完成中试后再联系")
    expect(page.locator(".badge.status-declined").first).to_be_visible()
    no_sideways_scroll(page)
    shots(page, "declined")
    request.refresh_from_db()
    assert request.status == "declined"
    assert watch.problems == []
