"""The R&D challenge flow of issue 3, clicked through in a real browser.

An enterprise posts a challenge and a moderator publishes it; team A submits a sealed proposal with a PDF;
team B sees only the number of proposals, gets a 404 on A's proposal and does not find it in its lists;
the deadline passes (moved in the database, no waiting); the enterprise shortlists and awards A; the
public result shows A's team name and summary, on a desktop and on a phone. Every step leaves a
screenshot in test-results/screenshots/<test name>/.

Labels are looked up through Django's own catalogue (`zh`), so the test keeps working when the Chinese
translations arrive.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django.utils.text import capfirst
from playwright.sync_api import Page, expect

from techtransfer.challenges.choices import ChallengeStatus, ProposalStatus
from techtransfer.challenges.models import Challenge, Proposal
from techtransfer.core.audit import audit_for
from techtransfer.core.codetables import code_item
from techtransfer.market.tests.helpers import make_enterprise
from techtransfer.testing import PDF_BYTES, make_personas
from tests.e2e.browsing import PASSWORD, take_step, zh

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "高镍三元正极材料循环寿命提升"
PROBLEM = "现有高镍正极材料在45℃高温循环500次后容量保持率不足80%，影响动力电池寿命。"
REQUIREMENTS = "45℃、1C循环1000次容量保持率≥90%；成本增加不超过5%。"
TEAM_A = "示范大学电池材料团队"
SUMMARY_A = "采用单晶化与表面包覆协同改性，抑制高温下的相变与副反应。"
TEAM_B = "京东理工正极攻关组"
RESULT = "经专家评审，示范大学电池材料团队的方案最优，授予揭榜。"



def label(msgid: str) -> re.Pattern[str]:
    """A form label as the templates show it: capfirst of the translated name, then " *" if required."""
    return re.compile(rf"^{re.escape(capfirst(zh(msgid)))}(\s*\*)?$")


def no_horizontal_overflow(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def log_in(page: Page, username: str) -> None:
    page.goto("/")
    page.get_by_role("link", name=zh("Log in"), exact=True).click()
    page.get_by_label(zh("User name or e-mail")).fill(username)
    page.get_by_label(zh("Password")).fill(PASSWORD)
    page.get_by_role("button", name=zh("Log in"), exact=True).click()
    expect(page.get_by_role("heading", name=zh("My workspace"), exact=True)).to_be_visible()


def open_challenge(page: Page) -> None:
    page.get_by_role("link", name=zh("Challenges"), exact=True).click()
    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()


def test_a_team_wins_a_challenge_with_a_sealed_proposal_in_the_browser(
    live_server: Any, new_page: Any, shots: Any, tmp_path: Path
) -> None:
    personas = make_personas()
    ent = make_enterprise(prefix="ent")
    pdf = tmp_path / "技术方案.pdf"
    pdf.write_bytes(PDF_BYTES)
    deadline = timezone.localtime(timezone.now() + datetime.timedelta(days=10)).replace(second=0, microsecond=0)

    # 1. The enterprise posts the challenge and sends it to moderation.
    company = new_page()
    log_in(company, "ent_staff")
    company.get_by_role("link", name=zh("Challenges"), exact=True).click()
    company.get_by_role("button", name=zh("Post a challenge"), exact=True).click()
    form = company.locator("#challenge-form")
    form.get_by_label(label("title")).fill(TITLE)
    form.get_by_label(label("background and problem")).fill(PROBLEM)
    form.get_by_label(label("technical requirements")).fill(REQUIREMENTS)
    form.get_by_label(label("technical field")).select_option(str(code_item("high_tech_field", "materials").pk))
    form.get_by_label(label("region")).select_option(str(code_item("region", "110108").pk))
    form.get_by_label(label("reward (万元)")).fill("50")
    form.get_by_label(label("submission deadline")).fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    shots(company, "company-form")
    company.get_by_role("button", name=zh("Save draft"), exact=True).click()
    expect(company.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    company.get_by_role("button", name=zh("Submit for moderation"), exact=True).click()
    challenge = Challenge.objects.get(title=TITLE)
    assert challenge.status == ChallengeStatus.UNDER_REVIEW and challenge.owner == ent.org
    assert challenge.submission_deadline == deadline
    shots(company, "company-submitted")

    # 2. A moderator of the region publishes it.
    moderator = new_page()
    log_in(moderator, "reviewer")
    moderator.goto("/challenges/review/")
    moderator.get_by_role("link", name=TITLE, exact=True).click()
    moderator.get_by_role("button", name=zh("Approve and publish"), exact=True).click()
    expect(moderator.locator(".messages")).to_contain_text(
        zh("Published: the challenge is open for questions and proposals.")
    )
    shots(moderator, "moderator-published")

    # 3. Team A finds it, reads the reward in 万元, and submits a proposal with a PDF.
    team_a = new_page()
    log_in(team_a, "tto")
    open_challenge(team_a)
    expect(team_a.locator("dl.facts")).to_contain_text("50万元")
    expect(team_a.locator("#sealed")).to_be_visible()  # sealed: no count, no names, until the deadline
    team_a.get_by_role("button", name=zh("Submit a proposal"), exact=True).click()
    proposal_form = team_a.locator("#proposal-form")
    proposal_form.get_by_label(label("team name")).fill(TEAM_A)
    proposal_form.get_by_label(label("team organisation")).select_option(str(personas.university.pk))
    proposal_form.get_by_label(label("team members")).fill("李研究（负责人）\n王成果")
    proposal_form.get_by_label(label("summary")).fill(SUMMARY_A)
    proposal_form.get_by_label(label("technical approach")).fill("1. 单晶化合成；2. 原子层沉积包覆；3. 中试放大验证。")
    proposal_form.get_by_label(label("price quote (万元)")).fill("45")
    proposal_form.get_by_label(label("PDF attachment")).set_input_files(str(pdf))
    shots(team_a, "team-a-form")
    team_a.get_by_role("button", name=zh("Submit proposal"), exact=True).click()
    expect(team_a.get_by_role("heading", name=TEAM_A, level=1)).to_be_visible()
    expect(team_a.locator("header .badge.status-submitted")).to_have_text(zh("Submitted"))
    expect(team_a.get_by_role("link", name="技术方案.pdf")).to_be_visible()
    proposal = Proposal.objects.get(challenge=challenge)
    assert proposal.status == ProposalStatus.SUBMITTED and proposal.attachment_name == "技术方案.pdf"
    proposal_url = f"/challenges/proposals/{proposal.pk}/"
    assert team_a.url.endswith(proposal_url)
    shots(team_a, "team-a-submitted")

    # 4. Team B bids too, but sees nothing of A's proposal: not on the page, not in its list, 404 at its URL.
    team_b = new_page()
    log_in(team_b, "other_tto")
    open_challenge(team_b)
    expect(team_b.locator("#sealed")).to_be_visible()
    expect(team_b.locator("#proposal-count")).to_have_count(0)
    expect(team_b.get_by_text(TEAM_A)).to_have_count(0)
    team_b.get_by_role("button", name=zh("Submit a proposal"), exact=True).click()
    team_b.locator("#proposal-form").get_by_label(label("team name")).fill(TEAM_B)
    team_b.locator("#proposal-form").get_by_label(label("summary")).fill("表面掺杂改性方案")
    team_b.locator("#proposal-form").get_by_label(label("technical approach")).fill("体相掺杂与梯度包覆")
    team_b.get_by_role("button", name=zh("Submit proposal"), exact=True).click()
    expect(team_b.get_by_role("heading", name=TEAM_B, level=1)).to_be_visible()
    team_b.goto("/challenges/proposals/")
    expect(team_b.get_by_role("link", name=TEAM_B, exact=True)).to_be_visible()
    expect(team_b.get_by_text(TEAM_A)).to_have_count(0)
    shots(team_b, "team-b-my-proposals")
    response = team_b.goto(proposal_url)
    assert response is not None and response.status == 404
    expect(team_b.get_by_text(SUMMARY_A)).to_have_count(0)
    response = team_b.goto(f"/challenges/proposals/{proposal.pk}/attachment/")
    assert response is not None and response.status == 404
    response = team_b.goto(f"/challenges/{challenge.pk}/proposals/")
    assert response is not None and response.status == 403
    shots(team_b, "team-b-refused")

    # Sealed for the challenge's owner too until the deadline: its inbox says when they open, and nothing more.
    company.goto(f"/challenges/{challenge.pk}/proposals/")
    expect(company.locator("#sealed")).to_be_visible()
    expect(company.get_by_text(TEAM_A)).to_have_count(0)
    response = company.goto(proposal_url)
    assert response is not None and response.status == 404
    shots(company, "company-sealed-inbox")

    # 5. The deadline passes (moved in the database); A can no longer change its proposal.
    Challenge.objects.filter(pk=challenge.pk).update(
        submission_deadline=timezone.now() - datetime.timedelta(seconds=1), qa_deadline=None
    )
    team_a.goto(proposal_url)
    expect(team_a.get_by_role("button", name=zh("Edit"), exact=True)).to_have_count(0)
    team_a.goto(f"/challenges/proposals/{proposal.pk}/edit/")
    expect(team_a.locator(".messages")).to_contain_text(
        zh("The submission deadline has passed: proposals can no longer be submitted, changed or withdrawn.")
    )
    shots(team_a, "team-a-after-deadline")

    # 6. The enterprise shortlists and awards A, publishing the result.
    company.get_by_role("link", name=zh("Challenges"), exact=True).click()
    company.get_by_role("combobox", name=zh("Status")).select_option(ChallengeStatus.CLOSED.value)
    company.get_by_role("button", name=zh("Filter"), exact=True).click()
    company.get_by_role("link", name=TITLE, exact=True).click()
    company.get_by_role("button", name=re.compile(re.escape(zh("Proposals received")))).click()
    expect(company.get_by_role("link", name=TEAM_A, exact=True)).to_be_visible()
    expect(company.get_by_role("link", name=TEAM_B, exact=True)).to_be_visible()
    company.get_by_role("button", name=zh("Shortlist %(team)s", team=TEAM_A), exact=True).click()
    expect(company.locator(".messages")).to_contain_text(zh("Shortlisted."))
    shots(company, "company-shortlisted")
    company.get_by_role("checkbox", name=zh("Award %(team)s", team=TEAM_A), exact=True).check()
    company.get_by_label(label("Published result")).fill(RESULT)
    take_step(company, "award")  # folds out "the award is final", then the confirming button
    expect(company.locator("#result")).to_contain_text(RESULT)
    shots(company, "company-awarded")

    # 7. The public reads the result: A's team name and summary, nothing of B's proposal.
    visitor = new_page()
    visitor.goto(f"/challenges/{challenge.pk}/")
    result = visitor.locator("#result")
    expect(result).to_contain_text(TEAM_A)
    expect(result).to_contain_text(SUMMARY_A)
    expect(visitor.get_by_text(TEAM_B)).to_have_count(0)
    shots(visitor, "visitor-result")

    # 8. On a phone, the result page and the list fit the screen.
    phone = new_page(mobile=True)
    phone.goto(f"/challenges/{challenge.pk}/")
    expect(phone.locator("#result")).to_contain_text(TEAM_A)
    shots(phone, "phone-result")
    assert no_horizontal_overflow(phone), "the challenge page scrolls sideways on a phone"
    phone.goto("/challenges/?status=awarded")
    expect(phone.get_by_role("link", name=TITLE, exact=True)).to_be_visible()
    shots(phone, "phone-list")
    assert no_horizontal_overflow(phone), "the challenge list scrolls sideways on a phone"

    # What the clicks left in the database.
    challenge.refresh_from_db()
    proposal.refresh_from_db()
    other = Proposal.objects.get(challenge=challenge, team_name=TEAM_B)
    assert challenge.status == ChallengeStatus.AWARDED and challenge.result_note == RESULT
    assert (proposal.status, other.status) == (ProposalStatus.AWARDED, ProposalStatus.NOT_SELECTED)
    steps = list(challenge.status_changes.values_list("to_state", "by__username"))
    assert steps == [
        (ChallengeStatus.UNDER_REVIEW, "ent_staff"),
        (ChallengeStatus.OPEN, "reviewer"),
        (ChallengeStatus.CLOSED, None),
        (ChallengeStatus.AWARDED, "ent_staff"),
    ]
    assert list(proposal.status_changes.values_list("to_state", flat=True)) == [
        ProposalStatus.SUBMITTED,
        ProposalStatus.SHORTLISTED,
        ProposalStatus.AWARDED,
    ]
    assert set(audit_for(proposal).values_list("action", flat=True)) == {
        "proposal.create",
        "proposal.submit",
        "proposal.shortlist",
        "proposal.award",
    }
