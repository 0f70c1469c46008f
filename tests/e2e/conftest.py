"""Browser tests: Playwright driving Debian's Chromium against the live test server.

Screenshots of each step are written to test-results/screenshots/<test name>/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the test still calls the ORM synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make install-system` (apt-get install chromium).")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Shots:
    """Numbered screenshots of one test, so a person can look through the flow afterwards."""

    def __init__(self, name: str) -> None:
        self.dir = SCREENSHOTS / re.sub(r"[^\w-]+", "_", name)
        self.dir.mkdir(parents=True, exist_ok=True)
        for old in self.dir.glob("*.png"):
            old.unlink()
        self.count = 0

    def __call__(self, page: object, label: str) -> Path:
        self.count += 1
        path = self.dir / f"{self.count:02d}-{label}.png"
        page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
        return path


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    return Shots(request.node.name)


@pytest.fixture
def new_page(browser: object, live_server: object) -> Iterator[object]:
    contexts = []

    def make(locale: str = "zh-CN", mobile: bool = False) -> object:
        viewport = {"width": 390, "height": 844} if mobile else {"width": 1280, "height": 900}
        context = browser.new_context(locale=locale, viewport=viewport, base_url=live_server.url)  # type: ignore[attr-defined]
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        # A page load waits for every asset; on a 2-core CI machine running two workers, one load has
        # exceeded 15 s while the other worker was busy. Actions keep the shorter limit.
        page.set_default_navigation_timeout(45000)
        return page

    yield make
    for context in contexts:
        context.close()
