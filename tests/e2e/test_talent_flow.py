"""S&T commissioners in a real browser, in Chinese, at desktop (1280 px) and phone (390 px) widths: the
commissioner records a visit, the enterprise confirms it, the commission's activity page draws its ECharts
chart under the CSP with no console error and no sideways scrolling; an enterprise asks an expert for a
consultation and the commission accepts it on the expert's behalf.

Screenshots: test-results/screenshots/<test name>/.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from techtransfer.talent.models import Consultation, Visit
from techtransfer.talent.tests.helpers import Scheme, make_scheme, make_visit
from techtransfer.testing import Personas
from tests.e2e.browsing import Watch, log_in, take_step, zh

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scheme(p: Personas) -> Scheme:
    s = make_scheme(p)
    make_visit(s)
    return s


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport + 1, f"page is {width}px wide in a {viewport}px viewport"


@pytest.mark.parametrize("mobile", [False, True], ids=["1280", "390"])
def test_visit_recorded_confirmed_and_counted(p: Personas, scheme: Scheme, new_page: Any, shots: Any,
                                              mobile: bool) -> None:
    page = new_page(mobile=mobile)
    watch = Watch(page, console_errors=True)
    log_in(page, scheme.commissioner_user.username)
    page.goto(f"/talent/assignments/{scheme.assignment.pk}/")
    page.get_by_label(zh("hours")).fill("2.5")
    page.get_by_label(zh("people served")).fill("5")
    page.get_by_label(zh("note")).fill("浏览器测试：指导果园水肥一体化")
    page.get_by_role("button", name=zh("Record")).click()
    expect(page.get_by_text(zh("The visit is recorded; the enterprise is asked to confirm it."))).to_be_visible()
    no_sideways_scroll(page)
    shots(page, "assignment")
    visit = Visit.objects.get(note="浏览器测试：指导果园水肥一体化")

    page.context.clear_cookies()
    log_in(page, scheme.staff.username)
    page.goto(f"/talent/visits/{visit.pk}/")
    page.get_by_role("button", name=zh("Send the answer")).click()
    expect(page.locator("#confirmation")).to_contain_text(zh("Confirmed"))
    no_sideways_scroll(page)
    shots(page, "visit-confirmed")

    page.context.clear_cookies()
    log_in(page, p.reviewer.username)
    page.goto("/talent/activity/")
    expect(page.get_by_role("heading", name=zh("Commissioners' activity"), level=1)).to_be_visible()
    expect(page.locator("#talent-district-chart svg").first).to_be_attached()
    box = page.locator("#talent-district-chart").bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    no_sideways_scroll(page)
    shots(page, "activity")
    assert watch.problems == []


def test_consultation_asked_and_accepted(p: Personas, scheme: Scheme, new_page: Any, shots: Any) -> None:
    page = new_page(mobile=True)
    watch = Watch(page, console_errors=True)
    log_in(page, scheme.staff.username)
    page.goto(f"/matching/experts/{scheme.expert.pk}/")
    page.get_by_role("button", name=zh("Ask for a consultation")).click()
    page.get_by_label(zh("message")).fill("请教果品分选线视觉检测方案")
    page.get_by_role("button", name=zh("Send the request")).click()
    expect(page.get_by_text(zh("Your request is sent."))).to_be_visible()
    no_sideways_scroll(page)
    shots(page, "asked")
    c = Consultation.objects.get()

    page.context.clear_cookies()
    log_in(page, p.commission_admin.username)
    page.goto(f"/talent/consultations/{c.pk}/")
    take_step(page, "accept", reason="下周电话沟通")
    expect(page.locator("#status")).to_have_text(zh("Accepted"))
    no_sideways_scroll(page)
    shots(page, "accepted")
    assert watch.problems == []
