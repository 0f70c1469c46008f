"""The rules of challenges through the services and selectors: moderation, deadlines, sealed bids, the
award and the freeze after it, questions and answers, and the daily closing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone

from techtransfer.challenges import selectors, services
from techtransfer.challenges.choices import ChallengeStatus, ProposalStatus
from techtransfer.challenges.models import ChallengeStatusChange, ProposalStatusChange
from techtransfer.challenges.tests.helpers import (
    after_deadline,
    just_before_deadline,
    make_challenge,
    make_open_challenge,
    make_proposal,
)
from techtransfer.core.audit import audit_for
from techtransfer.core.exceptions import ApplicationError
from techtransfer.market.tests.helpers import make_enterprise
from techtransfer.testing import Personas, pdf_upload

pytestmark = pytest.mark.django_db


def titles(user: object) -> set[str]:
    return set(selectors.challenge_list(user=user).values_list("title", flat=True))


class TestModeration:
    def test_a_draft_goes_through_moderation_to_open(self, p: Personas) -> None:
        ent = make_enterprise()
        challenge = make_challenge(ent)
        assert titles(p.outsider) == set() and titles(None) == set()
        services.challenge_submit(challenge=challenge, by=ent.staff)
        # Under review: the owner and the region's moderators see it; the public does not.
        assert challenge.title in titles(p.reviewer) and challenge.title in titles(ent.colleague)
        assert titles(p.outsider) == set() and titles(p.tto_officer) == set()
        services.challenge_approve(challenge=challenge, by=p.reviewer)
        challenge.refresh_from_db()
        assert challenge.status == ChallengeStatus.OPEN and challenge.published_at is not None
        assert challenge.title in titles(p.outsider)
        changes = ChallengeStatusChange.objects.filter(record=challenge)
        assert list(changes.values_list("to_state", "step")) == [
            (ChallengeStatus.UNDER_REVIEW, "submit"), (ChallengeStatus.OPEN, "approve")
        ]
        actions = set(audit_for(challenge).values_list("action", flat=True))
        assert {"challenge.create", "challenge.submit", "challenge.approve"} <= actions

    def test_only_moderators_of_the_owners_region_approve(self, p: Personas) -> None:
        ent = make_enterprise()
        challenge = make_challenge(ent)
        services.challenge_submit(challenge=challenge, by=ent.staff)
        for user in (ent.staff, p.tto_officer, p.other_tto, p.outsider):
            with pytest.raises(PermissionDenied):
                services.challenge_approve(challenge=challenge, by=user)
        services.challenge_approve(challenge=challenge, by=p.commission_admin)

    def test_a_returned_challenge_goes_back_to_draft_with_the_reason(self, p: Personas) -> None:
        ent = make_enterprise()
        challenge = make_challenge(ent)
        services.challenge_submit(challenge=challenge, by=ent.staff)
        with pytest.raises(ValidationError) as exc:
            services.challenge_reject(challenge=challenge, by=p.reviewer, reason=" ")
        assert "reason" in exc.value.message_dict
        services.challenge_reject(challenge=challenge, by=p.reviewer, reason="请明确验收指标")
        challenge.refresh_from_db()
        assert challenge.status == ChallengeStatus.DRAFT and challenge.moderation_note == "请明确验收指标"
        services.challenge_update(challenge=challenge, by=ent.staff, data={"requirements": "容量保持率≥92%"})

    def test_an_incomplete_or_past_deadline_draft_cannot_be_submitted(self, p: Personas) -> None:
        ent = make_enterprise()
        challenge = make_challenge(ent, reward=None, submission_deadline=None, qa_deadline=None)
        with pytest.raises(ValidationError) as exc:
            services.challenge_submit(challenge=challenge, by=ent.staff)
        assert {"reward", "submission_deadline"} <= set(exc.value.message_dict)
        past = make_challenge(ent, submission_deadline=timezone.now() - datetime.timedelta(hours=1), qa_deadline=None)
        with pytest.raises(ValidationError) as exc:
            services.challenge_submit(challenge=past, by=ent.staff)
        assert "submission_deadline" in exc.value.message_dict

    def test_the_question_deadline_cannot_be_after_the_submission_deadline(self, p: Personas) -> None:
        ent = make_enterprise()
        now = timezone.now()
        with pytest.raises(ValidationError) as exc:
            make_challenge(
                ent,
                submission_deadline=now + datetime.timedelta(days=3),
                qa_deadline=now + datetime.timedelta(days=4),
            )
        assert "qa_deadline" in exc.value.message_dict

    def test_only_members_of_an_organisation_post_for_it_and_only_drafts_change(self, p: Personas) -> None:
        ent = make_enterprise()
        with pytest.raises(PermissionDenied):
            services.challenge_create(by=p.tto_officer, owner=ent.org, data={"title": "x"})
        challenge = make_open_challenge(ent, p.reviewer)
        with pytest.raises(ApplicationError):
            services.challenge_update(challenge=challenge, by=ent.staff, data={"title": "改名"})
        with pytest.raises(PermissionDenied):
            services.challenge_update(challenge=challenge, by=p.other_tto, data={"title": "改名"})

    def test_a_moderator_cannot_publish_a_challenge_whose_deadline_passed_in_the_queue(self, p: Personas) -> None:
        ent = make_enterprise()
        challenge = make_challenge(ent)
        services.challenge_submit(challenge=challenge, by=ent.staff)
        with after_deadline(challenge), pytest.raises(ApplicationError):
            services.challenge_approve(challenge=challenge, by=p.reviewer)


class TestSealedBids:
    def test_before_the_deadline_only_the_team_reads_a_proposal_not_the_owner_nor_an_administrator(
        self, p: Personas
    ) -> None:
        ent = make_enterprise()
        challenge = make_open_challenge(ent, p.reviewer)
        proposal = make_proposal(challenge, p.tto_officer, submit=False, team_org=p.university)
        for submitted in (False, True):
            # The author and their organisation's colleagues, nobody else.
            assert selectors.proposal_get(user=p.researcher, pk=proposal.pk) == proposal
            for user in (ent.staff, ent.colleague, p.commission_admin, p.other_tto, p.outsider, p.reviewer, None):
                with pytest.raises(Http404):
                    selectors.proposal_get(user=user, pk=proposal.pk)
            for user in (ent.staff, p.commission_admin):
                with pytest.raises(PermissionDenied, match="sealed"):
                    selectors.proposal_inbox(user=user, challenge=challenge)
            if not submitted:
                services.proposal_submit(proposal=proposal, by=p.tto_officer)

    def test_at_the_deadline_every_proposal_opens_at_once_to_the_owner_and_the_commission(self, p: Personas) -> None:
        ent = make_enterprise()
        challenge = make_open_challenge(ent, p.reviewer)
        a = make_proposal(challenge, p.tto_officer, team_name="A队")
        b = make_proposal(challenge, p.other_tto, team_name="B队")
        withdrawn = make_proposal(challenge, p.researcher, team_name="C队")
        services.proposal_withdraw(proposal=withdrawn, by=p.researcher)
        with after_deadline(challenge):
            # Opened by the clock: nothing has been written yet, and reading writes nothing.
            assert set(selectors.proposal_inbox(user=ent.staff, challenge=challenge)) == {a, b}
            assert set(selectors.proposal_inbox(user=p.commission_admin, challenge=challenge)) == {a, b}
            assert selectors.proposal_get(user=ent.colleague, pk=a.pk) == a
            assert not ChallengeStatusChange.objects.filter(record=challenge, step="close").exists()
            # Other bidders, the region's reviewer and the public still see nothing of others' proposals.
            for user in (p.other_tto, p.reviewer, p.outsider):
                with pytest.raises(Http404):
                    selectors.proposal_get(user=user, pk=a.pk)
            with pytest.raises(Http404):
                selectors.proposal_get(user=ent.staff, pk=withdrawn.pk)
            # The daily command records the opening, at the deadline, with how many opened.
            assert services.challenges_close_due() == 1
        challenge.refresh_from_db()
        assert challenge.status == ChallengeStatus.CLOSED
        assert challenge.proposals_opened_at == challenge.submission_deadline
        opening = ChallengeStatusChange.objects.get(record=challenge, step="close")
        assert opening.by is None and opening.at == challenge.submission_deadline
        assert opening.step_label == "Close for proposals and open them"

    def test_another_bidder_sees_only_their_own_proposal_and_nobody_sees_a_count(self, p: Personas) -> None:
        ent = make_enterprise()
        challenge = make_open_challenge(ent, p.reviewer)
        a = make_proposal(challenge, p.tto_officer, team_name="A队")
        b = make_proposal(challenge, p.other_tto, team_name="B队")
        assert list(selectors.proposal_list_mine(user=p.other_tto)) == [b]
        assert list(selectors.proposal_list_mine(user=p.tto_officer)) == [a]
        assert selectors.proposal_for_bidder(user=p.other_tto, challenge=challenge) == b
        with pytest.raises(PermissionDenied):
            selectors.proposal_inbox(user=p.other_tto, challenge=challenge)
        assert not hasattr(selectors.challenge_get(user=p.outsider, pk=challenge.pk), "proposal_count")

    def test_a_withdrawn_proposal_does_not_open_and_can_come_back_before_the_deadline(self, p: Personas) -> None:
        ent = make_enterprise()
        challenge = make_open_challenge(ent, p.reviewer)
        a = make_proposal(challenge, p.tto_officer)
        services.proposal_withdraw(proposal=a, by=p.tto_officer, reason="重新组队")
        with after_deadline(challenge):
            assert list(selectors.proposal_inbox(user=ent.staff, challenge=challenge)) == []
        services.proposal_submit(proposal=a, by=p.tto_officer)  # back in before the deadline
        with after_deadline(challenge):
            assert list(selectors.proposal_inbox(user=ent.staff, challenge=challenge)) == [a]

    def test_nobody_else_can_change_a_proposal(self, p: Personas) -> None:
        ent = make_enterprise()
        challenge = make_open_challenge(ent, p.reviewer)
        a = make_proposal(challenge, p.tto_officer, team_org=p.university)
        for user in (p.other_tto, ent.staff, p.outsider):
            with pytest.raises(PermissionDenied):
                services.proposal_update(proposal=a, by=user, data={"summary": "改"})
            with pytest.raises(PermissionDenied):
                services.proposal_withdraw(proposal=a, by=user)
        # A colleague of the team's organisation may.
        services.proposal_update(proposal=a, by=p.researcher, data={"summary": "同事补充"})

    def test_the_owner_cannot_bid_and_a_bidder_cannot_use_an_organisation_not_theirs(self, p: Personas) -> None:
        ent = make_enterprise()
        challenge = make_open_challenge(ent, p.reviewer)
        with pytest.raises(PermissionDenied):
            make_proposal(challenge, ent.colleague)
        with pytest.raises(ValidationError) as exc:
            make_proposal(challenge, p.tto_officer, team_org=p.other_university)
        assert "team_org" in exc.value.message_dict
        make_proposal(challenge, p.tto_officer)
        with pytest.raises(ApplicationError):
            make_proposal(challenge, p.tto_officer, team_name="第二份")

    def test_a_pdf_is_kept_and_anything_else_refused(self, p: Personas) -> None:
        ent = make_enterprise()
        challenge = make_open_challenge(ent, p.reviewer)
        a = make_proposal(challenge, p.tto_officer, submit=False)
        services.proposal_update(proposal=a, by=p.tto_officer, data={}, upload=pdf_upload("方案.pdf"))
        a.refresh_from_db()
        assert a.attachment_name == "方案.pdf" and a.attachment_size and len(a.attachment_sha256) == 64
        assert not a.attachment.name.endswith("方案.pdf")  # stored under a random name
        with pytest.raises(ValidationError) as exc:
            services.proposal_update(
                proposal=a, by=p.tto_officer, data={}, upload=SimpleUploadedFile("x.pdf", b"MZ not a pdf")
            )
        assert "attachment" in exc.value.message_dict


class TestDeadline:
    def test_until_the_deadline_a_proposal_can_be_submitted_changed_and_withdrawn(self, p: Personas) -> None:
        ent = make_enterprise()
        challenge = make_open_challenge(ent, p.reviewer)
        a = make_proposal(challenge, p.tto_officer, submit=False)
        with just_before_deadline(challenge):
            services.proposal_submit(proposal=a, by=p.tto_officer)
            services.proposal_update(proposal=a, by=p.tto_officer, data={"price_quote": Decimal("400000")})
            services.proposal_withdraw(proposal=a, by=p.tto_officer)
            services.proposal_submit(proposal=a, by=p.tto_officer)
        a.refresh_from_db()
        assert a.status == ProposalStatus.SUBMITTED and a.price_quote == Decimal("400000")

    def test_after_the_deadline_nothing_can_be_submitted_changed_or_withdrawn(self, p: Personas) -> None:
        ent = make_enterprise()
        challenge = make_open_challenge(ent, p.reviewer)
        submitted = make_proposal(challenge, p.tto_officer)
        draft = make_proposal(challenge, p.other_tto, submit=False)
        with after_deadline(challenge):
            # The stored status still says "open": the rule holds by the clock, before anything closes it.
            assert type(challenge).objects.get(pk=challenge.pk).status == ChallengeStatus.OPEN
            for attempt in (
                lambda: services.proposal_submit(proposal=draft, by=p.other_tto),
                lambda: services.proposal_update(proposal=submitted, by=p.tto_officer, data={"summary": "晚了"}),
                lambda: services.proposal_withdraw(proposal=submitted, by=p.tto_officer),
                lambda: make_proposal(challenge, p.researcher),
            ):
                with pytest.raises(ApplicationError, match="deadline has passed"):
                    attempt()
        submitted.refresh_from_db()
        draft.refresh_from_db()
        assert submitted.status == ProposalStatus.SUBMITTED and submitted.summary != "晚了"
        assert draft.status == ProposalStatus.DRAFT

    def test_after_the_deadline_a_challenge_reads_as_closed_and_reading_writes_nothing(self, p: Personas) -> None:
        ent = make_enterprise()
        challenge = make_open_challenge(ent, p.reviewer)
        with after_deadline(challenge):
            read = selectors.challenge_get(user=None, pk=challenge.pk)
            assert read.effective_status == ChallengeStatus.CLOSED and read.status_label == "Closed for proposals"
            assert [c.pk for c in selectors.challenge_list(user=None, filters={"status": "closed"})] == [challenge.pk]
            assert not selectors.challenge_list(user=None, filters={"status": "open"}).exists()
        challenge.refresh_from_db()
        assert challenge.status == ChallengeStatus.OPEN
        assert not ChallengeStatusChange.objects.filter(record=challenge, step="close").exists()

    def test_the_first_write_after_the_deadline_records_the_closing(self, p: Personas) -> None:
        ent, challenge = make_enterprise(), None
        challenge = make_open_challenge(ent, p.reviewer)
        make_proposal(challenge, p.tto_officer)
        with after_deadline(challenge):
            services.challenge_cancel(challenge=challenge, by=ent.staff, reason="方向调整")
        steps = list(ChallengeStatusChange.objects.filter(record=challenge).values_list("step", flat=True))
        assert steps == ["submit", "approve", "close", "cancel"]
        assert audit_for(challenge).filter(action="challenge.close", actor=None).count() == 1

    def test_the_daily_command_closes_due_challenges_once(self, p: Personas) -> None:
        ent = make_enterprise()
        due = make_open_challenge(ent, p.reviewer)
        later = make_open_challenge(ent, p.reviewer, submission_deadline=timezone.now() + datetime.timedelta(days=20))
        out = StringIO()
        call_command("close_challenges", stdout=out)
        assert "0 challenge(s) closed" in out.getvalue()
        with after_deadline(due):
            out = StringIO()
            call_command("close_challenges", stdout=out)
            assert "1 challenge(s) closed" in out.getvalue()
            assert services.challenges_close_due() == 0
        due.refresh_from_db()
        later.refresh_from_db()
        assert due.status == ChallengeStatus.CLOSED and later.status == ChallengeStatus.OPEN

    def test_questions_stop_at_the_question_deadline(self, p: Personas) -> None:
        ent = make_enterprise()
        challenge = make_open_challenge(ent, p.reviewer)
        with time_machine.travel(challenge.qa_deadline + datetime.timedelta(seconds=1), tick=False):
            with pytest.raises(ApplicationError):
                services.question_ask(challenge=challenge, by=p.tto_officer, text="可以延期吗？")
            # Proposals are still welcome until the submission deadline.
            make_proposal(challenge, p.tto_officer)


class TestAward:
    def _closed_with_two(self, p: Personas, **overrides: object) -> tuple:
        ent = make_enterprise()
        challenge = make_open_challenge(ent, p.reviewer, **overrides)
        a = make_proposal(challenge, p.tto_officer, team_name="A队")
        b = make_proposal(challenge, p.other_tto, team_name="B队")
        return ent, challenge, a, b

    def test_shortlist_and_award_wait_for_the_deadline(self, p: Personas) -> None:
        ent, challenge, a, _b = self._closed_with_two(p)
        with pytest.raises(ApplicationError, match="sealed until the submission deadline"):
            services.proposals_shortlist(challenge=challenge, by=ent.staff, proposals=[a])
        with pytest.raises(ApplicationError, match="sealed until the submission deadline"):
            services.challenge_award(challenge=challenge, by=ent.staff, proposals=[a], result_note="A胜")

    def test_the_owner_awards_and_every_proposal_freezes(self, p: Personas) -> None:
        ent, challenge, a, b = self._closed_with_two(p)
        with after_deadline(challenge):
            services.proposals_shortlist(challenge=challenge, by=ent.staff, proposals=[a, b])
            services.challenge_award(challenge=challenge, by=ent.colleague, proposals=[a], result_note="A队方案最优")
        challenge.refresh_from_db()
        a.refresh_from_db()
        b.refresh_from_db()
        assert challenge.status == ChallengeStatus.AWARDED and challenge.result_note == "A队方案最优"
        assert (a.status, b.status) == (ProposalStatus.AWARDED, ProposalStatus.NOT_SELECTED)
        assert selectors.challenge_winners(challenge=challenge) == [a]
        assert list(ProposalStatusChange.objects.filter(record=a).values_list("to_state", "step")) == [
            (ProposalStatus.SUBMITTED, "submit"),
            (ProposalStatus.SHORTLISTED, "shortlist"),
            (ProposalStatus.AWARDED, "award"),
        ]
        assert audit_for(a).filter(action="proposal.award").exists()
        # Frozen: no change, no withdrawal, whatever the clock says.
        with time_machine.travel(timezone.now() - datetime.timedelta(days=30), tick=False):
            with pytest.raises(ApplicationError, match="awarded"):
                services.proposal_update(proposal=a, by=p.tto_officer, data={"summary": "获奖后修改"})
            with pytest.raises(ApplicationError, match="awarded"):
                services.proposal_withdraw(proposal=b, by=p.other_tto)
        with pytest.raises(ApplicationError):
            services.challenge_award(challenge=challenge, by=ent.staff, proposals=[b], result_note="改判")

    def test_only_the_owner_awards_within_the_number_of_winners(self, p: Personas) -> None:
        ent, challenge, a, b = self._closed_with_two(p)
        with after_deadline(challenge):
            for user in (p.other_tto, p.commission_admin, p.reviewer):
                with pytest.raises(PermissionDenied):
                    services.challenge_award(challenge=challenge, by=user, proposals=[b], result_note="x")
            with pytest.raises(ValidationError) as exc:
                services.challenge_award(challenge=challenge, by=ent.staff, proposals=[a, b], result_note="两个")
            assert "proposals" in exc.value.message_dict
            with pytest.raises(ValidationError) as exc:
                services.challenge_award(challenge=challenge, by=ent.staff, proposals=[a], result_note=" ")
            assert "result_note" in exc.value.message_dict

    def test_two_winners_when_the_challenge_allows_two(self, p: Personas) -> None:
        ent, challenge, a, b = self._closed_with_two(p, max_winners=2)
        with after_deadline(challenge):
            services.challenge_award(challenge=challenge, by=ent.staff, proposals=[a, b], result_note="并列")
        challenge.refresh_from_db()
        assert {w.team_name for w in selectors.challenge_winners(challenge=challenge)} == {"A队", "B队"}

    def test_a_proposal_of_another_challenge_or_a_draft_cannot_be_awarded(self, p: Personas) -> None:
        ent, challenge, _a, _b = self._closed_with_two(p)
        other = make_open_challenge(ent, p.reviewer, title="另一榜单")
        foreign = make_proposal(other, p.researcher)
        draft = make_proposal(challenge, p.researcher, submit=False)
        with after_deadline(challenge):
            for wrong in (foreign, draft):
                with pytest.raises(ValidationError):
                    services.challenge_award(challenge=challenge, by=ent.staff, proposals=[wrong], result_note="x")

    def test_a_cancelled_challenge_freezes_its_proposals(self, p: Personas) -> None:
        ent, challenge, a, _b = self._closed_with_two(p)
        with pytest.raises(ValidationError):
            services.challenge_cancel(challenge=challenge, by=ent.staff)  # published: a reason is owed
        services.challenge_cancel(challenge=challenge, by=ent.staff, reason="项目方向调整")
        with pytest.raises(ApplicationError):
            services.proposal_update(proposal=a, by=p.tto_officer, data={"summary": "x"})
        assert selectors.challenge_get(user=p.outsider, pk=challenge.pk).status == ChallengeStatus.CANCELLED
        assert challenge.title not in set(
            selectors.challenge_list(user=p.outsider, filters={"status": ChallengeStatus.OPEN}).values_list(
                "title", flat=True
            )
        )


class TestQuestions:
    def test_a_question_is_private_until_answered_then_public(self, p: Personas) -> None:
        ent = make_enterprise()
        challenge = make_open_challenge(ent, p.reviewer)
        question = services.question_ask(challenge=challenge, by=p.tto_officer, text="样品能否提供？")

        def visible(user: object) -> list[str]:
            return list(selectors.question_list(user=user, challenge=challenge).values_list("text", flat=True))

        assert visible(p.tto_officer) == ["样品能否提供？"] and visible(ent.staff) == ["样品能否提供？"]
        assert visible(p.other_tto) == [] and visible(None) == []
        with pytest.raises(PermissionDenied):
            services.question_answer(question=question, by=p.other_tto, answer="可以")
        services.question_answer(question=question, by=ent.staff, answer="可提供200克样品")
        assert visible(p.other_tto) == ["样品能否提供？"] and visible(None) == ["样品能否提供？"]
        with pytest.raises(ApplicationError):
            services.question_answer(question=question, by=ent.staff, answer="再答")

    def test_the_owner_does_not_ask_and_questions_need_an_open_challenge(self, p: Personas) -> None:
        ent = make_enterprise()
        challenge = make_challenge(ent)
        with pytest.raises(PermissionDenied):
            services.question_ask(challenge=challenge, by=ent.staff, text="?")
        with pytest.raises(ApplicationError):
            services.question_ask(challenge=challenge, by=p.tto_officer, text="?")
