"""The statistics pages in a real browser: the overview, the transaction map and the live board draw their
ECharts charts and maps (a canvas each) under the Content-Security-Policy, with no console error, at desktop
(1280 px) and phone (390 px) widths; the live board updates without reloading when a contract is registered.

Screenshots: var/screenshots/stats-<page>-<width>.png.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from techtransfer.stats.engine import engines_reset
from techtransfer.stats.tests.factories import make_contracts, make_world
from tests.e2e.browsing import Watch

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
@pytest.fixture
def stats_data(settings: Any) -> Any:
    # The ORM engine: no analytics store to keep in step, every registration counted at once.
    settings.STATS_ENGINE = "orm"
    engines_reset()
    world = make_world()
    make_contracts(world, 80, seed=5)
    make_contracts(world, 5, seed=6, registered_on=timezone.localdate())
    yield world
    engines_reset()


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"stats-{name}.png"), full_page=True)


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport + 1, f"page is {width}px wide in a {viewport}px viewport"


def drawn(page: Page, selector: str) -> None:
    canvas = page.locator(f"{selector} canvas").first
    expect(canvas).to_be_attached()
    box = page.locator(selector).bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100, selector


@pytest.mark.parametrize("mobile", [False, True], ids=["1280", "390"])
def test_overview_draws_its_charts(stats_data: Any, new_page: Any, mobile: bool) -> None:
    page = new_page(mobile=mobile)
    watch = Watch(page, console_errors=True)
    response = page.goto("/stats/")
    assert response is not None and response.ok
    assert "script-src 'self'" in response.headers.get("content-security-policy", "")
    for key in ("year", "category", "tech_field", "seller_group", "buyer_group", "ip_type", "seller_district"):
        drawn(page, f'[data-stats-chart="{key}"]')
    # Switching the measure redraws without a request.
    page.locator('[data-stats-measure] input[value="contracts"]').check()
    drawn(page, '[data-stats-chart="category"]')
    no_sideways_scroll(page)
    shot(page, f"overview-{'390' if mobile else '1280'}")
    assert watch.problems == []


def test_filters_refresh_in_place(stats_data: Any, new_page: Any) -> None:
    page = new_page()
    watch = Watch(page, console_errors=True)
    page.goto("/stats/")
    drawn(page, '[data-stats-chart="category"]')
    page.evaluate("window.__samePage = true")
    page.locator(".stats-filters summary").click()
    page.locator("#id_category").select_option(["development", "service"])
    page.locator(".stats-filters button[type=submit]").click()
    expect(page.locator(".stats-active-filters")).to_be_visible()
    assert "category=development" in page.url
    assert page.evaluate("window.__samePage") is True  # htmx swapped the results, no page load
    drawn(page, '[data-stats-chart="category"]')
    assert watch.problems == []


@pytest.mark.parametrize("mobile", [False, True], ids=["1280", "390"])
def test_map_draws_china_world_and_beijing(stats_data: Any, new_page: Any, mobile: bool) -> None:
    page = new_page(mobile=mobile)
    watch = Watch(page, console_errors=True)
    response = page.goto("/stats/map/")
    assert response is not None and response.ok
    for selector in ("#map-china", "#map-world", "#map-beijing"):
        drawn(page, selector)
    page.locator('[data-stats-direction] input[value="in"]').check()
    drawn(page, "#map-china")
    page.locator('[data-stats-direction] input[value="out"]').check()
    page.wait_for_timeout(500)  # the flow lines' first frames
    no_sideways_scroll(page)
    shot(page, f"map-{'390' if mobile else '1280'}")
    assert watch.problems == []


@pytest.mark.parametrize("mobile", [False, True], ids=["1280", "390"])
def test_live_board_updates_without_reloading(stats_data: Any, new_page: Any, mobile: bool) -> None:
    page = new_page(mobile=mobile)
    watch = Watch(page, console_errors=True)
    response = page.goto("/stats/live/")
    assert response is not None and response.ok
    drawn(page, "#live-map")
    figure = page.locator('[data-live="contracts"]')
    expect(figure).to_have_text("5")
    page.evaluate("window.__samePage = true")
    make_contracts(stats_data, 2, seed=7, registered_on=timezone.localdate())
    expect(figure).to_have_text("7", timeout=15000)
    expect(page.locator("#live-ticker li")).to_have_count(7)
    assert page.evaluate("window.__samePage") is True
    no_sideways_scroll(page)
    shot(page, f"live-{'390' if mobile else '1280'}")
    assert watch.problems == []



FOLD_MAPS = "document.querySelectorAll('.stats-map').forEach(function (el) { el.style.height = '0px'; })"
UNFOLD_MAPS = "document.querySelectorAll('.stats-map').forEach(function (el) { el.style.height = ''; })"


def test_a_map_without_size_waits_for_one(stats_data: Any, new_page: Any) -> None:
    """A map whose element has no size when it is drawn (mid-layout on a loaded machine, as CI once saw) or
    later (folded away) keeps drawing without a script error: the flow lines' trail once copied a canvas of
    size 0 on every frame."""
    page = new_page()
    watch = Watch(page, console_errors=True)
    page.add_init_script(f"document.addEventListener('DOMContentLoaded', function () {{ {FOLD_MAPS}; }})")
    page.goto("/stats/map/")
    china = "echarts.getInstanceByDom(document.getElementById('map-china'))"
    page.wait_for_function(f"window.echarts && {china} && {china}.getOption()")
    page.wait_for_timeout(500)  # frames of the flow lines while the map has no size
    page.evaluate(UNFOLD_MAPS)
    for selector in ("#map-china", "#map-world", "#map-beijing"):
        drawn(page, selector)
    page.wait_for_function(f"{china}.getHeight() === document.getElementById('map-china').clientHeight")
    page.evaluate(FOLD_MAPS)
    page.locator('[data-stats-direction] input[value="in"]').check()
    page.wait_for_timeout(500)
    page.evaluate(UNFOLD_MAPS)
    page.wait_for_function(f"{china}.getWidth() > 100 && {china}.getHeight() > 100")
    assert watch.problems == []
