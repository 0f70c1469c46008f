"""A moderator's day, clicked through in a real browser: an enterprise submits a demand; the region's
reviewer sees the unread badge, reads the notification on the workbench, follows the queue to the
demand, and returns it with a reason (folding out the step); the enterprise is told why, in its inbox.
Screenshots go to test-results/screenshots/<test name>/.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from techtransfer.market import services as market_services
from techtransfer.market.choices import DemandStatus
from techtransfer.market.tests.helpers import make_demand, make_enterprise
from techtransfer.subscriptions.models import Notification
from techtransfer.testing import make_personas
from tests.e2e.browsing import log_in, take_step, zh

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "高温合金叶片涂层寿命评估"
REASON = "请补充现有涂层的型号与服役温度，便于专家判断。"




def test_a_moderator_goes_from_the_notification_to_the_queue_to_the_decision(
    live_server: Any, new_page: Any, shots: Any
) -> None:
    personas = make_personas()
    ent = make_enterprise()
    demand = make_demand(ent, title=TITLE)
    # Submitted through the service: the step's notification job runs after the commit, as on the site.
    market_services.demand_submit(demand=demand, by=ent.staff)
    assert Notification.objects.filter(user=personas.reviewer, event="demand.submit").exists()

    moderator = new_page()
    log_in(moderator, personas.reviewer.username)
    # The workbench: the unread notification, and the moderation queue with its count.
    badge = moderator.locator("nav .badge")
    expect(badge.first).to_be_visible()
    notice = zh("%(actor)s submitted the demand “%(title)s” for moderation.", actor="刘企业", title=TITLE)
    expect(moderator.locator("#unread")).to_contain_text(notice)
    queue = moderator.locator("#queue-demands_to_moderate")
    expect(queue).to_contain_text(zh("Technology demands to moderate"))
    expect(queue.locator("strong")).to_have_text("1")
    shots(moderator, "workbench-with-notification-and-queue")

    # The notification opens the demand (and is read); back to the queue, which lists it.
    moderator.locator("#unread").get_by_role("button", name=notice).click()
    expect(moderator.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    assert Notification.objects.get(user=personas.reviewer, event="demand.submit").read_at is not None
    moderator.get_by_role("link", name=zh("My workspace"), exact=True).click()
    moderator.locator("#queue-demands_to_moderate").get_by_role("link").last.click()
    expect(moderator.get_by_role("link", name=TITLE)).to_be_visible()
    shots(moderator, "moderation-queue")
    moderator.get_by_role("link", name=TITLE).click()

    # The decision: a reason is asked for (the browser refuses an empty one), then recorded.
    take_step(moderator, "reject", reason=REASON)
    expect(moderator.locator(".messages")).to_contain_text(zh("Returned to its owner with your reasons."))
    expect(moderator.get_by_role("heading", name=zh("My workspace"), exact=True)).to_be_visible()
    expect(moderator.locator("#queue-demands_to_moderate strong")).to_have_text("0")
    shots(moderator, "after-the-decision")
    demand.refresh_from_db()
    assert demand.status == DemandStatus.DRAFT and demand.review_note == REASON

    # The enterprise reads why, from its own notification.
    owner = new_page()
    log_in(owner, ent.colleague.username)
    returned = zh("%(actor)s returned your demand “%(title)s” with reasons.", actor="张审核", title=TITLE)
    expect(owner.locator("#unread")).to_contain_text(returned)
    expect(owner.locator("#unread")).to_contain_text(REASON)
    owner.locator("#unread").get_by_role("button", name=returned).click()
    expect(owner.get_by_role("alert").filter(has_text=REASON)).to_be_visible()
    shots(owner, "owner-reads-the-reason")
