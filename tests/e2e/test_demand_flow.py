"""The technology-demand flow of issue 3, clicked through in a real browser.

An enterprise posts a demand and sends it to moderation; a reviewer approves it; the enterprise sees the
achievements that could solve it, each with why it matched (the shared words highlighted); it opens a
contact request on the best one; the university's TTO officer finds the request in its list. The match
panel and the contact request are checked at phone width too. Screenshots go to
test-results/screenshots/<test name>/.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone
from django.utils.text import capfirst
from playwright.sync_api import Page, expect

from techtransfer.achievements import services as achievement_services
from techtransfer.core.codetables import code_item
from techtransfer.market.choices import DemandStatus
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.tests.helpers import make_enterprise
from techtransfer.matchmaking.models import ContactRequest
from techtransfer.testing import make_achievement, make_personas
from tests.e2e.browsing import log_in, zh

pytestmark = pytest.mark.django_db(transaction=True)

SOLUTION = "锂离子电池极片涂布厚度激光在线测量装置"
OTHER = "基于深度学习的肺结节CT影像辅助诊断系统"
TITLE = "锂电池极片涂布厚度在线检测"
PROBLEM = "现有离线抽检无法发现极片涂布厚度波动，需要一种在线、非接触、精度达到±1微米的测量方法。"



def label(msgid: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(capfirst(zh(msgid)))}(\s*\*)?$")


def no_horizontal_overflow(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))



def publish_solution(personas: Any) -> Any:
    """A published achievement that solves the demand, and one that does not."""
    found = []
    for overrides in (
        {
            "name": SOLUTION,
            "name_en": "Laser in-line thickness gauge for lithium battery electrode coating",
            "summary": "采用激光三角测量，在线、非接触测量锂电池极片涂布厚度，精度±0.8微米，已在两条产线应用。",
            "keywords": ["锂电池", "涂布", "在线检测"],
        },
        {},
    ):
        a = make_achievement(personas, **overrides)
        achievement_services.achievement_submit(achievement=a, by=personas.tto_officer)
        found.append(achievement_services.achievement_register(achievement=a, by=personas.reviewer))
    return found[0]


def test_an_enterprise_posts_a_demand_sees_matches_and_opens_a_contact_request(
    live_server: Any, new_page: Any, shots: Any
) -> None:
    personas = make_personas()
    ent = make_enterprise()
    solution = publish_solution(personas)

    # 1. The enterprise posts the demand and sends it to moderation.
    page = new_page()
    log_in(page, ent.staff.username)
    page.get_by_role("link", name=zh("Technology demands"), exact=True).click()
    shots(page, "demands-list")
    page.get_by_role("button", name=zh("Post a demand"), exact=True).click()
    page.get_by_label(label("title")).fill(TITLE)
    page.get_by_label(label("problem description")).fill(PROBLEM)
    page.get_by_label(label("technical field")).select_option(label="先进制造")
    page.get_by_label(label("region")).select_option(value=str(code_item("region", "110108").pk))
    page.get_by_label(label("lowest budget (万元)")).fill("50")
    page.get_by_label(label("highest budget (万元)")).fill("200")
    deadline = timezone.localdate() + datetime.timedelta(days=60)
    page.get_by_label(label("deadline")).fill(deadline.isoformat())
    page.get_by_label(label("contact person")).fill("刘企业")
    page.locator("input[name=cooperation_modes]").first.check()
    shots(page, "demand-form")
    page.get_by_role("button", name=zh("Save and submit for moderation")).click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    demand = TechnologyDemand.objects.get(title=TITLE)
    assert demand.status == DemandStatus.UNDER_REVIEW and str(demand.budget_max) == "2000000.00"
    shots(page, "under-review")

    # 2. A reviewer of the region approves it.
    moderator = new_page()
    log_in(moderator, personas.reviewer.username)
    moderator.goto("/demands/review/")
    moderator.get_by_role("link", name=TITLE).click()
    moderator.get_by_role("button", name=zh("Approve and publish")).click()
    expect(moderator.get_by_text(TITLE).first).to_be_visible()
    demand.refresh_from_db()
    assert demand.status == DemandStatus.PUBLISHED

    # 3. The enterprise sees who could solve it: the battery gauge first, with the shared words marked.
    page.reload()
    panel = page.locator("#match-panel")
    expect(panel).to_be_visible()
    best = panel.locator("li.match[data-kind=achievement]").first
    expect(best).to_contain_text(SOLUTION)
    expect(best.locator("mark").first).to_be_visible()
    expect(best.locator(".why")).to_contain_text("涂布")
    assert OTHER not in (best.text_content() or "")
    shots(page, "matches")

    # 4. It opens a contact request on the best match.
    best.get_by_role("button", name=zh("Open contact request")).click()
    expect(page.get_by_role("heading", name=zh("Open a contact request"))).to_be_visible()
    page.locator("textarea[name=message]").fill("我们希望尽快安排一次现场交流，了解测量装置的产线适配情况。")
    page.get_by_role("button", name=zh("Send the contact request")).click()
    request = ContactRequest.objects.get(demand=demand, achievement=solution)
    assert request.stage == "intent" and request.opened_by_org == ent.org
    expect(page.get_by_text(SOLUTION).first).to_be_visible()
    shots(page, "contact-request")

    # 5. The university's TTO officer finds it among its contact requests.
    tto = new_page()
    log_in(tto, personas.tto_officer.username)
    tto.goto("/contact-requests/")
    expect(tto.get_by_text(TITLE).first).to_be_visible()
    shots(tto, "tto-sees-request")

    # 6. On a phone: the demand with its matches, and the request, without sideways scrolling.
    phone = new_page(mobile=True)
    log_in(phone, ent.staff.username)
    phone.goto(f"/demands/{demand.pk}/")
    expect(phone.locator("#match-panel li.match").first).to_be_visible()
    assert no_horizontal_overflow(phone)
    shots(phone, "phone-matches")
    phone.goto(f"/contact-requests/{request.pk}/")
    assert no_horizontal_overflow(phone)
    shots(phone, "phone-contact-request")
