"""Service agencies (S13) in a real browser: the public directory with its facets at desktop and phone width; an
enterprise member finds a broker by a service, asks for help on its demand; the broker accepts it from its page.
Screenshots go to test-results/screenshots/<test name>/.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from techtransfer.agencies.choices import HelpStatus
from techtransfer.agencies.models import HelpRequest
from techtransfer.agencies.tests.helpers import list_it, make_broker, make_institution, make_world
from techtransfer.market.tests.helpers import make_published
from techtransfer.testing import make_personas
from tests.e2e.browsing import Watch, log_in, take_step, zh

pytestmark = pytest.mark.django_db(transaction=True)


def no_horizontal_overflow(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_an_enterprise_finds_a_broker_in_the_directory_and_the_broker_accepts_its_request(
    live_server: Any, new_page: Any, shots: Any
) -> None:
    w = make_world(make_personas())
    list_it(make_institution(w), w.officer, w.p.reviewer, on=datetime.date(2024, 5, 10))
    list_it(
        make_broker(w.loner, level="senior", lists={"services_": ("demand_mining", "brokerage")}),
        w.loner, w.p.reviewer, on=datetime.date(2024, 6, 3),
    )
    demand = make_published(w.ent, w.p.reviewer)

    # 1. The public directory, at desktop width and on a phone.
    for mobile in (False, True):
        page = new_page(mobile=mobile)
        watch = Watch(page)
        page.goto("/agencies/")
        expect(page.get_by_role("heading", name=zh("Technology-transfer institutions and brokers"))).to_be_visible()
        expect(page.get_by_role("link", name="林独立")).to_be_visible()
        assert no_horizontal_overflow(page)
        shots(page, "directory-phone" if mobile else "directory-desktop")
        assert watch.problems == []

    # 2. An enterprise member narrows the directory to a service (htmx) and opens the broker's profile.
    page = new_page()
    log_in(page, w.ent.staff.username)
    page.goto("/agencies/")
    page.locator("aside").get_by_role("link", name="技术需求挖掘").click()
    expect(page.locator(".chip")).to_contain_text("技术需求挖掘")
    expect(page.get_by_role("link", name="北京金台技术转移有限公司")).to_have_count(0)
    page.get_by_role("link", name="林独立").click()
    expect(page.get_by_role("heading", name=zh("Track record on the platform"))).to_be_visible()
    shots(page, "profile")

    # 3. It asks for help on its demand.
    page.get_by_role("button", name=zh("Ask for help on a demand")).click()
    page.get_by_label(zh("your demand")).select_option(str(demand.pk))
    page.get_by_label(zh("message")).fill("请协助我们比较两套在线测厚方案，并参与许可谈判。")
    page.get_by_role("button", name=zh("Send the request")).click()
    expect(page.locator("p > .badge.status-pending")).to_have_text(zh("Waiting for an answer"))
    shots(page, "request-sent")

    # 4. The broker accepts it from the request's page, at phone width.
    page = new_page(mobile=True)
    log_in(page, w.loner.username)
    help_request = HelpRequest.objects.get()
    page.goto(f"/agencies/help-requests/{help_request.pk}/")
    take_step(page, "accept", reason="下周一上门调研。")
    expect(page.locator("p > .badge.status-accepted")).to_have_text(zh("Accepted"))
    assert no_horizontal_overflow(page)
    shots(page, "accepted-phone")
    help_request.refresh_from_db()
    assert help_request.status == HelpStatus.ACCEPTED and help_request.answer == "下周一上门调研。"
