"""The search and match pages in a real browser, on the demo (issue 11): each example query the home page
offers finds relevant records (its words marked in the top hit), a query no record has every word of says so
and shows records with some of them, and the top match reasons on an achievement's page read as keywords
(words of the two records, no numbers, units or fragments). Desktop and phone widths.

Screenshots: test-results/screenshots/<test name>/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from techtransfer.achievements.models import Achievement
from techtransfer.search.keywords import GENERIC, UNITS, is_number
from tests.e2e.browsing import zh

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES_MSGID = "e.g. 肺结节 影像, lithium battery, 石墨烯"


@pytest.fixture
def demo() -> None:
    call_command("seed_demo", size="small", verbosity=0)


def example_queries(page: Any) -> list[str]:
    """The queries the home page's search box offers as examples, as the visitor reads them."""
    placeholder = page.locator("input[name=q]").first.get_attribute("placeholder")
    assert placeholder == zh(EXAMPLES_MSGID)
    return [q.strip() for q in re.split(r"[、,]", placeholder.split("：", 1)[-1]) if q.strip()]


@pytest.mark.parametrize("mobile", [False, True], ids=["1280", "390"])
def test_example_queries_find_relevant_records_and_match_reasons_read_as_keywords(
    demo: None, new_page: Any, shots: Any, mobile: bool
) -> None:
    page = new_page(mobile=mobile)
    page.goto("/")
    queries = example_queries(page)
    assert len(queries) == 3
    for number, query in enumerate(queries, start=1):
        page.goto("/")
        page.locator("input[name=q]").first.fill(query)
        page.locator("input[name=q]").first.press("Enter")
        first = page.locator("article.hit").first
        expect(first).to_be_visible()
        # Relevant: the top hit carries at least one word of the query, marked, in its title or snippet.
        marked = [m.lower() for m in first.locator("mark").all_inner_texts()]
        words = [w.lower() for w in query.split()]
        assert any(m in w or w in m for m in marked for w in words), (query, marked)
        shots(page, f"search-{number}")

    # A query with a word no record has: the page says it shows records with some of the words.
    page.goto("/search/?q=" + "石墨烯 量子纠缠")
    expect(
        page.get_by_text(zh("No record contains all of these words: these records contain some of them."))
    ).to_be_visible()
    expect(page.locator("article.hit").first).to_be_visible()
    shots(page, "search-partial")

    # The demo's sodium-ion cathode record shares only generic words (材料, 氧化) with the demands: those
    # matches are folded under "weaker matches", none is listed as a match.
    battery = Achievement.objects.public().filter(name__contains="正极材料").first()
    assert battery is not None
    page.goto(f"/achievements/{battery.pk}/")
    expect(page.locator("#matches details.weaker-matches").first).to_be_attached()
    expect(page.locator("#matches ol.matches:visible li.match")).to_have_count(0)

    # The composite-moulding record's top match: its reasons are keywords of the record.
    record = Achievement.objects.public().filter(name__contains="热塑性复合材料").first()
    assert record is not None
    page.goto(f"/achievements/{record.pk}/")
    top = page.locator("#matches li.match").first
    expect(top).to_be_visible()
    why = top.locator("p.why").inner_text()
    source = f"{record.name} {record.name_en} {' '.join(record.keywords)} {record.summary} {record.summary_en}"
    keyword_reason = zh("shares the keywords %(terms)s", terms="").strip()
    assert keyword_reason in why, why
    listed = re.split(r"[；;]", why.split(keyword_reason, 1)[1])[0]
    words = [w.strip(" ，,。") for w in listed.split("、") if w.strip(" ，,。")]
    assert words, why
    for word in words:
        assert len(word) >= 2 and not is_number(word) and word.lower() not in UNITS | GENERIC, word
        assert word in source, f"{word!r} is not a word of the achievement"
    shots(page, "matches")
