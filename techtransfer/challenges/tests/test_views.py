"""The challenge pages: the public list and detail, the proposal form, sealed bids, deadlines, the award,
moderation and Q&A, each checked against the database, and refusals for outsiders and rival bidders."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from techtransfer.challenges import services
from techtransfer.challenges.choices import ChallengeStatus, ProposalStatus
from techtransfer.challenges.models import Challenge, ChallengeQuestion, Proposal
from techtransfer.challenges.tests.helpers import (
    NEXT_YEAR,
    TITLE,
    after_deadline,
    make_challenge,
    make_open_challenge,
    make_proposal,
)
from techtransfer.market.tests.helpers import Enterprise, make_enterprise
from techtransfer.testing import PDF_BYTES, Personas, step_url

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def page(client: Client, name: str, *args: Any, **kwargs: Any) -> str:
    response = client.get(reverse(f"challenges:{name}", args=args), **kwargs)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


PROPOSAL_POST = {
    "team_name": "示范大学电池材料团队",
    "team_org": "",
    "members": "李研究",
    "summary": "单晶化与表面包覆协同改性",
    "approach": "原子层沉积包覆后中试验证",
    "price_quote": "45",  # 万元
    "action": "submit",
}


@pytest.fixture
def ent(db: None) -> Enterprise:
    return make_enterprise()


class TestPublicPages:
    def test_the_list_shows_open_challenges_to_everyone_and_never_drafts(self, p: Personas, ent: Enterprise) -> None:
        make_open_challenge(ent, p.reviewer)
        make_challenge(ent, title="尚未发布的草稿榜单")
        html = page(Client(), "list")
        assert TITLE in html and "尚未发布的草稿榜单" not in html
        assert "尚未发布的草稿榜单" not in page(client_for(p.other_tto), "list")

    def test_the_search_box_and_the_field_filter(self, p: Personas, ent: Enterprise) -> None:
        make_open_challenge(ent, p.reviewer)
        make_open_challenge(
            ent,
            p.reviewer,
            title="工业废水零排放处理工艺",
            problem="高盐废水蒸发结晶能耗高。",
            requirements="吨水处理能耗降低30%。",
            field=_item("environment"),
        )
        client = Client()
        html = page(client, "list", data={"q": "正极材料"})
        assert TITLE in html and "工业废水" not in html
        html = page(client, "list", data={"field": "environment"})
        assert "工业废水" in html and TITLE not in html

    def test_the_detail_page_shows_the_reward_deadline_count_and_requirements_in_chinese(
        self, p: Personas, ent: Enterprise
    ) -> None:
        challenge = make_open_challenge(ent, p.reviewer)
        make_proposal(challenge, p.tto_officer)
        html = page(Client(), "detail", challenge.pk, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert '<html lang="zh-hans">' in html
        assert "50万元" in html and "容量保持率≥90%" in html and "分两期支付" in html
        # Sealed: no count, no names; the page says when they open.
        assert "proposal-count" not in html and "示范大学电池材料团队" not in html and 'id="sealed"' in html
        assert 'id="countdown"' in html
        english = page(Client(), "detail", challenge.pk, HTTP_ACCEPT_LANGUAGE="en")
        assert "CNY 500,000" in english

    def test_the_time_left_reads_as_chinese_months_and_weeks(self, p: Personas, ent: Enterprise) -> None:
        deadline = timezone.now() + datetime.timedelta(days=38, hours=1)  # a month (28–31 days) and a week
        challenge = make_open_challenge(ent, p.reviewer, submission_deadline=deadline)
        html = page(Client(), "detail", challenge.pk, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert "剩余 1\xa0个月 1\xa0周" in html
        assert "剩余 1\xa0个月 1\xa0周" in page(Client(), "list", HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert "1\xa0month, 1\xa0week left" in page(Client(), "detail", challenge.pk, HTTP_ACCEPT_LANGUAGE="en")

    def test_unpublished_challenges_are_404_to_outsiders_and_rivals(self, p: Personas, ent: Enterprise) -> None:
        draft = make_challenge(ent)
        under_review = make_challenge(ent)
        services.challenge_submit(challenge=under_review, by=ent.staff)
        for challenge in (draft, under_review):
            for user in (None, p.outsider, p.other_tto):
                assert client_for(user).get(reverse("challenges:detail", args=[challenge.pk])).status_code == 404
        assert client_for(ent.colleague).get(reverse("challenges:detail", args=[draft.pk])).status_code == 200
        assert client_for(p.reviewer).get(reverse("challenges:detail", args=[under_review.pk])).status_code == 200

    def test_the_match_panel_is_for_the_owner_and_moderators_only(self, p: Personas, ent: Enterprise) -> None:
        challenge = make_open_challenge(ent, p.reviewer)
        panel = (
            f'<section id="matches" hx-get="{reverse("matching:challenge", args=[challenge.pk])}" '
            'hx-trigger="load" hx-swap="innerHTML">'
        )
        for user in (ent.staff, p.reviewer, p.commission_admin):
            assert panel in page(client_for(user), "detail", challenge.pk)
        for user in (None, p.tto_officer, p.outsider):
            assert 'id="matches"' not in page(client_for(user), "detail", challenge.pk)


class TestProposalPages:
    def test_a_team_submits_a_proposal_with_a_pdf_through_the_page(self, p: Personas, ent: Enterprise) -> None:
        challenge = make_open_challenge(ent, p.reviewer)
        client = client_for(p.tto_officer)
        assert "Submit a proposal" in page(client, "detail", challenge.pk)
        data = {**PROPOSAL_POST, "team_org": p.university.pk, "upload": SimpleUploadedFile("方案.pdf", PDF_BYTES)}
        response = client.post(reverse("challenges:propose", args=[challenge.pk]), data, follow=True)
        assert response.status_code == 200
        proposal = Proposal.objects.get(challenge=challenge)
        assert proposal.status == ProposalStatus.SUBMITTED and proposal.team_org == p.university
        assert proposal.attachment_name == "方案.pdf"
        assert proposal.price_quote == Decimal("450000")  # typed as 45 (万元), stored in yuan
        shown = page(client, "proposal", proposal.pk, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert "45万元" in shown
        assert response.redirect_chain[-1][0] == reverse("challenges:proposal", args=[proposal.pk])
        download = client.get(reverse("challenges:proposal_attachment", args=[proposal.pk]))
        assert download.status_code == 200 and b"".join(download.streaming_content) == PDF_BYTES
        # The colleague at the same university reads it too; the owner sees it only once the deadline passes.
        assert "单晶化与表面包覆协同改性" in page(client_for(p.researcher), "proposal", proposal.pk)
        sealed = page(client_for(ent.staff), "inbox", challenge.pk)
        assert 'id="sealed"' in sealed and "示范大学电池材料团队" not in sealed
        assert client_for(ent.staff).get(reverse("challenges:proposal", args=[proposal.pk])).status_code == 404
        with after_deadline(challenge):
            assert "示范大学电池材料团队" in page(client_for(ent.staff), "inbox", challenge.pk)
            assert "单晶化与表面包覆协同改性" in page(client_for(ent.staff), "proposal", proposal.pk)

    def test_another_bidder_gets_404_and_sees_no_other_proposal(self, p: Personas, ent: Enterprise) -> None:
        challenge = make_open_challenge(ent, p.reviewer)
        a = make_proposal(challenge, p.tto_officer, team_name="A队-密封")
        services.proposal_update(proposal=a, by=p.tto_officer, data={}, upload=_pdf())
        b = make_proposal(challenge, p.other_tto, team_name="B队")
        rival = client_for(p.other_tto)
        for name in ("proposal", "proposal_edit", "proposal_attachment"):
            assert rival.get(reverse(f"challenges:{name}", args=[a.pk])).status_code == 404
        for step in ("submit", "withdraw"):
            assert rival.post(step_url(a, step)).status_code == 404
        assert rival.get(reverse("challenges:inbox", args=[challenge.pk])).status_code == 403
        mine = page(rival, "my_proposals")
        assert "B队" in mine and "A队-密封" not in mine
        assert "A队-密封" not in page(rival, "detail", challenge.pk)
        assert reverse("challenges:proposal", args=[b.pk]) in page(rival, "detail", challenge.pk)
        a.refresh_from_db()
        assert a.status == ProposalStatus.SUBMITTED

    def test_outsiders_are_refused_on_every_proposal_page(self, p: Personas, ent: Enterprise) -> None:
        challenge = make_open_challenge(ent, p.reviewer)
        a = make_proposal(challenge, p.tto_officer)
        for user in (p.outsider, p.reviewer):
            client = client_for(user)
            for name in ("proposal", "proposal_edit", "proposal_attachment"):
                assert client.get(reverse(f"challenges:{name}", args=[a.pk])).status_code == 404
            assert client.get(reverse("challenges:inbox", args=[challenge.pk])).status_code == 403
        anonymous = Client()
        assert anonymous.get(reverse("challenges:proposal", args=[a.pk])).status_code == 302  # to the login page
        assert anonymous.get(reverse("challenges:my_proposals")).status_code == 302

    def test_after_the_deadline_the_pages_refuse_with_a_clear_message(self, p: Personas, ent: Enterprise) -> None:
        challenge = make_open_challenge(ent, p.reviewer)
        a = make_proposal(challenge, p.tto_officer)
        with after_deadline(challenge):
            late = client_for(p.other_tto)
            response = late.post(reverse("challenges:propose", args=[challenge.pk]), PROPOSAL_POST)
            assert "The submission deadline has passed" in response.content.decode()
            response = late.get(reverse("challenges:propose", args=[challenge.pk]), follow=True)
            assert any("deadline has passed" in m for m in messages_of(response))
            team = client_for(p.tto_officer)
            response = team.post(
                reverse("challenges:proposal_edit", args=[a.pk]), {**PROPOSAL_POST, "summary": "截止后修改"}
            )
            assert "The submission deadline has passed" in response.content.decode()
            response = team.post(step_url(a, "withdraw"), follow=True)
            assert any("deadline has passed" in m for m in messages_of(response))
            detail = page(team, "proposal", a.pk)
            assert step_url(a, "withdraw") not in detail
        a.refresh_from_db()
        assert a.status == ProposalStatus.SUBMITTED and a.summary != "截止后修改"
        assert not Proposal.objects.filter(submitted_by=p.other_tto).exists()


class TestOwnerPages:
    def test_the_owner_shortlists_and_awards_after_the_deadline_and_the_result_is_public(
        self, p: Personas, ent: Enterprise
    ) -> None:
        challenge = make_open_challenge(ent, p.reviewer)
        a = make_proposal(challenge, p.tto_officer, team_name="A队")
        b = make_proposal(challenge, p.other_tto, team_name="B队")
        owner = client_for(ent.staff)
        early = owner.post(reverse("challenges:shortlist", args=[challenge.pk]), {"proposal": a.pk}, follow=True)
        assert any("sealed until the submission deadline" in m for m in messages_of(early))
        with after_deadline(challenge):
            owner.post(reverse("challenges:shortlist", args=[challenge.pk]), {"proposal": a.pk})
            a.refresh_from_db()
            assert a.status == ProposalStatus.SHORTLISTED
            missing = owner.post(
                reverse("challenges:award", args=[challenge.pk]), {"winners": [a.pk], "result_note": ""}
            )
            assert missing.status_code == 400
            response = owner.post(
                reverse("challenges:award", args=[challenge.pk]), {"winners": [a.pk], "result_note": "A队方案最优"}
            )
            assert response.status_code == 302
        challenge.refresh_from_db()
        b.refresh_from_db()
        assert challenge.status == ChallengeStatus.AWARDED and b.status == ProposalStatus.NOT_SELECTED
        public = page(Client(), "detail", challenge.pk)
        assert 'id="result"' in public and "A队方案最优" in public and "A队" in public
        assert "B队" not in public
        # Frozen: the winner's edit page refuses.
        response = client_for(p.tto_officer).get(reverse("challenges:proposal_edit", args=[a.pk]), follow=True)
        assert any("awarded" in m for m in messages_of(response))

    def test_outsiders_and_rivals_cannot_run_owner_actions(self, p: Personas, ent: Enterprise) -> None:
        challenge = make_open_challenge(ent, p.reviewer)
        a = make_proposal(challenge, p.tto_officer)
        with after_deadline(challenge):
            for user in (p.outsider, p.other_tto, p.tto_officer):
                client = client_for(user)
                assert (
                    client.post(reverse("challenges:shortlist", args=[challenge.pk]), {"proposal": a.pk}).status_code
                    == 403
                )
                assert (
                    client.post(
                        reverse("challenges:award", args=[challenge.pk]), {"winners": [a.pk], "result_note": "x"}
                    ).status_code
                    == 403
                )
                assert client.get(reverse("challenges:edit", args=[challenge.pk])).status_code == 403
                assert client.post(step_url(challenge, "cancel"), {"reason": "x"}).status_code == 403
        a.refresh_from_db()
        challenge.refresh_from_db()
        # Nothing was written: the challenge reads as closed by the clock, and its stored status is untouched.
        assert a.status == ProposalStatus.SUBMITTED and challenge.status == ChallengeStatus.OPEN

    def test_posting_a_challenge_through_the_form(self, p: Personas, ent: Enterprise) -> None:
        client = client_for(ent.staff)
        assert "Post a challenge" in page(client, "new")
        data = {
            "title": "工业视觉缺陷检测",
            "problem": "产线缺陷漏检率高",
            "requirements": "漏检率低于0.1%",
            "field": _item("electronics").pk,
            "region": _item("110108", "region").pk,
            "reward": "20",  # 万元
            "reward_note": "",
            "submission_deadline": f"{NEXT_YEAR}-06-30T17:00",
            "qa_deadline": "",
            "eligibility": "",
            "max_winners": "1",
        }
        response = client.post(reverse("challenges:new"), data)
        challenge = Challenge.objects.get(title="工业视觉缺陷检测")
        assert response.status_code == 302 and challenge.owner == ent.org and challenge.status == ChallengeStatus.DRAFT
        assert challenge.submission_deadline.isoformat() == f"{NEXT_YEAR}-06-30T09:00:00+00:00"  # entered in Beijing time
        assert challenge.reward == Decimal("200000")  # entered in 万元, stored in yuan
        client.post(step_url(challenge, "submit"))
        challenge.refresh_from_db()
        assert challenge.status == ChallengeStatus.UNDER_REVIEW
        assert client_for(p.outsider).get(reverse("challenges:new")).status_code == 403


class TestModerationPages:
    def test_only_moderators_see_the_queue_and_approve(self, p: Personas, ent: Enterprise) -> None:
        challenge = make_challenge(ent)
        services.challenge_submit(challenge=challenge, by=ent.staff)
        assert TITLE in page(client_for(p.reviewer), "review_queue")
        for user in (p.outsider, p.tto_officer):
            assert client_for(user).get(reverse("challenges:review_queue")).status_code == 403
            assert client_for(user).post(step_url(challenge, "approve")).status_code == 404
        # The owner sees it but cannot approve it.
        response = client_for(ent.staff).post(step_url(challenge, "approve"))
        assert response.status_code == 403
        rejected = client_for(p.reviewer).post(step_url(challenge, "reject"), {"reason": ""}, follow=True)
        assert "Say why the challenge is returned" in rejected.content.decode()
        challenge.refresh_from_db()
        assert challenge.status == ChallengeStatus.UNDER_REVIEW
        client_for(p.reviewer).post(step_url(challenge, "approve"))
        challenge.refresh_from_db()
        assert challenge.status == ChallengeStatus.OPEN


class TestQuestionPages:
    def test_ask_then_answer_makes_the_question_public(self, p: Personas, ent: Enterprise) -> None:
        challenge = make_open_challenge(ent, p.reviewer)
        asker = client_for(p.tto_officer)
        asker.post(reverse("challenges:ask", args=[challenge.pk]), {"text": "能否提供样品？"})
        question = ChallengeQuestion.objects.get(challenge=challenge)
        assert "能否提供样品？" in page(asker, "detail", challenge.pk)
        assert "能否提供样品？" not in page(client_for(p.other_tto), "detail", challenge.pk)
        assert "能否提供样品？" not in page(Client(), "detail", challenge.pk)
        answer_url = reverse("challenges:answer", args=[challenge.pk, question.pk])
        assert client_for(p.other_tto).post(answer_url, {f"q{question.pk}-answer": "x"}).status_code == 404
        assert client_for(p.tto_officer).post(answer_url, {f"q{question.pk}-answer": "x"}).status_code == 403
        client_for(ent.staff).post(answer_url, {f"q{question.pk}-answer": "可提供200克"})
        public = page(Client(), "detail", challenge.pk)
        assert "能否提供样品？" in public and "可提供200克" in public
        assert (
            client_for(ent.staff).post(reverse("challenges:ask", args=[challenge.pk]), {"text": "?"}).status_code == 403
        )


def _item(code: str, table: str = "high_tech_field") -> Any:
    from techtransfer.core.codetables import code_item

    return code_item(table, code)


def _pdf() -> Any:
    from techtransfer.testing import pdf_upload

    return pdf_upload("方案.pdf")


class TestQueryCounts:
    def test_the_list_page_costs_the_same_for_two_or_six_challenges(
        self, p: Personas, ent: Enterprise, django_assert_max_num_queries: Any
    ) -> None:
        for n in range(2):
            make_open_challenge(ent, p.reviewer, title=f"榜单{n}")
        client = client_for(p.tto_officer)
        client.get(reverse("challenges:list"))  # warm the session and the membership cache
        with django_assert_max_num_queries(20) as few:
            page(client, "list")
        for n in range(2, 6):
            make_open_challenge(ent, p.reviewer, title=f"榜单{n}")
        with django_assert_max_num_queries(len(few.captured_queries)):
            html = page(client, "list")
        assert "榜单5" in html
