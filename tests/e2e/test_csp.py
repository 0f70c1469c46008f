"""The Content-Security-Policy, in a real browser: pages with htmx interactions and charts, anonymous and as a
commission administrator, must work under it with not one violation.

A violation is caught twice: the page's `securitypolicyviolation` events (reported to the test through an
exposed function that every page gets before its own scripts run) and Chromium's console messages. Any
uncaught script error fails the test too, since a blocked script usually shows up as one.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from techtransfer.accounts import services as accounts_services
from techtransfer.achievements import services as achievement_services
from techtransfer.market.tests.helpers import make_enterprise, make_published
from techtransfer.subscriptions.models import Subscription
from techtransfer.testing import make_achievement, make_personas
from tests.e2e.browsing import Watch, log_in, zh

pytestmark = pytest.mark.django_db(transaction=True)

BATTERY = "锂离子电池极片涂布厚度激光在线测量装置"
LUNG = "基于深度学习的肺结节CT影像辅助诊断系统"

def visit(page: Page, path: str) -> None:
    """Open a page and check that it carries the policy: this server only, no inline script."""
    response = page.goto(path)
    assert response is not None and response.ok, path
    policy = response.headers.get("content-security-policy", "")
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives.get("default-src") == "'self'", (path, policy)
    assert directives.get("script-src") == "'self'", (path, policy)
    assert "http" not in policy and "*" not in policy, (path, policy)
    # "load", not "networkidle": the live feed polls, and on two busy cores quiet may not come in time. What
    # arrives later (htmx panels, the chart) each test waits for by its content.
    page.wait_for_load_state("load")


def assert_chart_drawn(page: Page) -> None:
    """The home page's ECharts bar chart (SVG renderer) drew its bars, one per field with records."""
    chart = page.locator("#field-chart svg")
    expect(chart).to_be_visible()
    expect(chart.locator("path").first).to_be_attached()
    assert chart.locator("path").count() > 5  # axes, grid lines and the bars
    box = chart.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    # Hovering a bar opens ECharts' tooltip (HTML with inline style attributes): still no violation.
    chart.hover(position={"x": box["width"] * 0.5, "y": box["height"] * 0.3})


def search_without_reload(page: Page, words: str, expected: str) -> None:
    """Searching swaps the results in place (htmx) and pushes the address, without loading a new page."""
    page.evaluate("window.__samePage = true")
    box = page.locator("#search-area form[role=search] input[name=q]")
    box.fill(words)
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q="))
    expect(page.locator("#search-area .hits")).to_contain_text(expected)
    assert page.evaluate("window.__samePage") is True, "the search reloaded the page instead of swapping it"


def published_records() -> tuple[Any, Any, Any]:
    personas = make_personas()
    found = []
    for overrides in (
        {
            "name": BATTERY,
            "summary": "采用激光三角测量，在线、非接触测量锂电池极片涂布厚度，精度±0.8微米，已在两条产线应用。",
            "keywords": ["锂电池", "涂布", "在线检测"],
        },
        {"name": LUNG},
    ):
        a = make_achievement(personas, **overrides)
        achievement_services.achievement_submit(achievement=a, by=personas.tto_officer)
        found.append(achievement_services.achievement_register(achievement=a, by=personas.reviewer))
    demand = make_published(make_enterprise(), personas.reviewer)
    return personas, found[0], demand


def test_anonymous_pages_work_under_the_policy(live_server: Any, new_page: Any) -> None:
    _personas, achievement, demand = published_records()
    page = new_page()
    watch = Watch(page)

    visit(page, "/")
    assert_chart_drawn(page)
    expect(page.locator("#market-feed")).to_be_visible()

    visit(page, "/search/")
    search_without_reload(page, "涂布", BATTERY)
    # A facet link is an htmx request too.
    page.evaluate("window.__samePage = true")
    page.locator("details.facet a[hx-get]").first.click()
    expect(page.locator("#search-area a.chip, #search-area [aria-current=true]").first).to_be_attached()
    assert page.evaluate("window.__samePage") is True

    visit(page, f"/demands/{demand.pk}/")
    # The match panel arrives by htmx once the page has loaded, and its filters reload it in place.
    expect(page.locator("#match-panel")).to_be_visible()
    with page.expect_response(lambda r: "/matching/demands/" in r.url and "field=" in r.url) as reloaded:
        page.locator("#match-panel select[name=field]").select_option(index=1)
    assert reloaded.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#match-panel select[name=field]")).not_to_have_value("")

    visit(page, f"/achievements/{achievement.pk}/")
    expect(page.locator("#match-panel")).to_be_visible()
    visit(page, "/demands/")
    visit(page, "/demands/feed/page/")
    visit(page, "/challenges/")
    visit(page, "/accounts/signup/")
    # static/js/signup.js ran: with no choice made, both organisation sections are folded away.
    expect(page.locator("[data-org-section=join]")).to_be_hidden()
    page.locator("input[name=organisation_choice][value=join]").check()
    expect(page.locator("[data-org-section=join]")).to_be_visible()
    expect(page.locator("[data-org-section=new]")).to_be_hidden()
    visit(page, "/api/v1/docs/")
    # The schema is generated on request: slow on a busy machine.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Techtransfer API", timeout=60000)
    assert watch.problems == []

    # Redoc (its page alone may write <style> elements): it renders, and the one thing blocked is the Redocly
    # logo it would fetch from its vendor's server, which is what the policy is for.
    visit(page, "/api/v1/redoc/")
    expect(page.locator("redoc h1").first).to_contain_text("Techtransfer API", timeout=60000)
    page.wait_for_timeout(500)
    assert all("https://cdn.redoc.ly/redoc/logo-mini.svg" in problem for problem in watch.problems), watch.problems


def test_a_commission_administrator_works_under_the_policy(live_server: Any, new_page: Any) -> None:
    personas, _achievement, demand = published_records()
    page = new_page()
    watch = Watch(page)
    log_in(page, personas.commission_admin.username)

    visit(page, "/")
    assert_chart_drawn(page)
    for path in (
        "/dashboard/",
        "/achievements/review/",
        "/demands/review/",
        "/challenges/review/",
        "/matching/status/",
        "/subscriptions/notifications/",
        "/admin/",
    ):
        visit(page, path)

    # Revoking an API token asks first (data-confirm, static/js/site.js, no inline onclick): "no" keeps it.
    token, _key = accounts_services.api_token_create(user=personas.commission_admin, name="csp-check")
    visit(page, "/accounts/profile/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name=zh("Revoke")).click()
    page.wait_for_timeout(1000)  # a form sent anyway would have posted by now
    expect(page).to_have_url(re.compile(r"/accounts/profile/$"))
    token.refresh_from_db()
    assert token.revoked is False

    visit(page, f"/demands/{demand.pk}/")
    expect(page.locator("#match-panel li.match").first).to_be_visible()

    # "Save this search": after an htmx search the address bar, not the page as first served, is saved.
    visit(page, "/search/")
    search_without_reload(page, "涂布", BATTERY)
    page.get_by_role("button", name=zh("Save this search as a subscription")).click()
    expect(page.locator("p.save-search.msg-success")).to_be_visible()
    saved = Subscription.objects.get(user=personas.commission_admin)
    assert saved.query == "涂布"

    assert watch.problems == []
