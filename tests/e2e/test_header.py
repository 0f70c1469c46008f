"""The site header in a real browser: however long the menu (English, signed in as a commission administrator), no
item breaks over lines and the page does not scroll sideways, at desktop widths; on a phone the menu folds."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from techtransfer.testing import make_personas
from tests.e2e.browsing import log_in

pytestmark = pytest.mark.django_db(transaction=True)

# Each menu entry's text, and the lines its words take (a range's boxes: one per line, whatever the display).
ENTRIES = """Array.from(document.querySelectorAll('.nav-links a, .nav-links button')).map(function (el) {
  var range = document.createRange();
  range.selectNodeContents(el.firstChild);
  var tops = new Set(Array.from(range.getClientRects()).map(function (r) { return Math.round(r.top); }));
  return [el.textContent.trim(), tops.size];
})"""


def entries(page: Page) -> list[tuple[str, int]]:
    return [(text, boxes) for text, boxes in page.evaluate(ENTRIES)]


@pytest.mark.parametrize("width", [1280, 1024, 800])
def test_a_long_menu_wraps_whole_entries(new_page: Any, shots: Any, width: int) -> None:
    admin = make_personas().commission_admin
    page = new_page()
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, admin.username)
    page.locator(".lang-switch button").click()  # to English, the longest menu
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shown = entries(page)
    assert "Technology contracts" in {text for text, _ in shown}
    assert [(text, boxes) for text, boxes in shown if boxes != 1] == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shots(page, f"header-en-{width}")


def test_the_menu_folds_on_a_phone(new_page: Any) -> None:
    page = new_page(mobile=True)
    page.goto("/")
    links = page.locator(".nav-links")
    expect(links).to_be_hidden()
    page.locator(".nav-toggle-label").click()
    expect(links).to_be_visible()
