"""The challenges API: the deadline, sealed-bid and moderation rules hold here as on the pages, with the
API's one error shape (403 who, 404 unseen, 409 when)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from techtransfer.accounts.models import ApiToken, User
from techtransfer.challenges import services
from techtransfer.challenges.choices import ChallengeStatus, ProposalStatus
from techtransfer.challenges.models import Challenge, Proposal
from techtransfer.challenges.tests.helpers import (
    NEXT_YEAR,
    after_deadline,
    make_challenge,
    make_open_challenge,
    make_proposal,
)
from techtransfer.market.tests.helpers import Enterprise, make_enterprise
from techtransfer.testing import Personas, pdf_upload

pytestmark = pytest.mark.django_db
API = "/api/v1"


def client_for(user: User | None) -> APIClient:
    """An API client that sends `user`'s personal token (anonymous when user is None)."""
    client = APIClient()
    if user is not None:
        _token, key = ApiToken.issue(user=user, name="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def assert_error(response: Any, status: int, text: str = "") -> None:
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert set(body) == {"message", "extra"}
    assert text in json.dumps(body, ensure_ascii=False)


@pytest.fixture
def ent(db: None) -> Enterprise:
    return make_enterprise()


CHALLENGE_PAYLOAD = {
    "title": "工业视觉缺陷检测",
    "problem": "产线缺陷漏检率高",
    "requirements": "漏检率低于0.1%",
    "field": "electronics",
    "region": "110108",
    "reward": "200000.00",
    "submission_deadline": f"{NEXT_YEAR}-06-30T17:00:00+08:00",
    "max_winners": 1,
}


class TestChallengeApi:
    def test_create_submit_and_moderate(self, p: Personas, ent: Enterprise) -> None:
        owner = client_for(ent.staff)
        created = owner.post(f"{API}/challenges/", CHALLENGE_PAYLOAD, format="json")
        assert created.status_code == 201, created.content
        pk = created.json()["id"]
        assert created.json()["status"] == "draft" and created.json()["field"] == "electronics"
        assert created.json()["reward"] == "200000.00"
        assert client_for(p.outsider).get(f"{API}/challenges/{pk}/").status_code == 404
        assert APIClient().get(f"{API}/challenges/{pk}/").status_code == 404
        assert owner.patch(f"{API}/challenges/{pk}/", {"reward": "250000"}, format="json").status_code == 200
        assert owner.post(f"{API}/challenges/{pk}/submit").json()["status"] == "under_review"
        assert_error(owner.post(f"{API}/challenges/{pk}/approve"), 403)
        assert_error(client_for(p.tto_officer).post(f"{API}/challenges/{pk}/approve"), 404)
        assert_error(client_for(p.reviewer).post(f"{API}/challenges/{pk}/reject", {}, format="json"), 400, "reason")
        approved = client_for(p.reviewer).post(f"{API}/challenges/{pk}/approve")
        assert approved.status_code == 200 and approved.json()["status"] == "open"
        assert Challenge.objects.get(pk=pk).reward == 250000
        listed = APIClient().get(f"{API}/challenges/", {"status": "open"}).json()
        assert [c["title"] for c in listed["results"]] == ["工业视觉缺陷检测"]
        assert_error(owner.patch(f"{API}/challenges/{pk}/", {"title": "改"}, format="json"), 409)

    def test_unknown_fields_and_bad_codes_are_400(self, p: Personas, ent: Enterprise) -> None:
        owner = client_for(ent.staff)
        assert_error(owner.post(f"{API}/challenges/", {**CHALLENGE_PAYLOAD, "status": "open"}, format="json"), 400)
        assert_error(owner.post(f"{API}/challenges/", {**CHALLENGE_PAYLOAD, "field": "nope"}, format="json"), 400)
        assert_error(APIClient().post(f"{API}/challenges/", CHALLENGE_PAYLOAD, format="json"), 401)
        assert_error(client_for(p.outsider).post(f"{API}/challenges/", CHALLENGE_PAYLOAD, format="json"), 403)

    def test_outsiders_are_refused_on_every_write(self, p: Personas, ent: Enterprise) -> None:
        challenge = make_open_challenge(ent, p.reviewer)
        a = make_proposal(challenge, p.tto_officer)
        outsider = client_for(p.outsider)
        pk = challenge.pk
        for path, body in (
            (f"challenges/{pk}/submit", {}),
            (f"challenges/{pk}/approve", {}),
            (f"challenges/{pk}/reject", {"reason": "x"}),
            (f"challenges/{pk}/cancel", {"reason": "x"}),
            (f"challenges/{pk}/shortlist", {"proposals": [a.pk]}),
            (f"challenges/{pk}/award", {"proposals": [a.pk], "result_note": "x"}),
        ):
            assert outsider.post(f"{API}/{path}", body, format="json").status_code == 403, path
        assert outsider.patch(f"{API}/challenges/{pk}/", {"title": "x"}, format="json").status_code == 403
        assert outsider.get(f"{API}/challenges/{pk}/proposals/").status_code == 403
        for path in (f"challenge-proposals/{a.pk}/submit", f"challenge-proposals/{a.pk}/withdraw"):
            assert outsider.post(f"{API}/{path}", {}, format="json").status_code == 404
        assert outsider.get(f"{API}/challenge-proposals/{a.pk}/").status_code == 404
        assert outsider.get(f"{API}/challenge-proposals/").json()["count"] == 0
        challenge.refresh_from_db()
        assert challenge.status == ChallengeStatus.OPEN


class TestProposalApi:
    def test_a_team_submits_and_another_bidder_sees_nothing_of_it(self, p: Personas, ent: Enterprise) -> None:
        challenge = make_open_challenge(ent, p.reviewer)
        team = client_for(p.tto_officer)
        created = team.post(
            f"{API}/challenges/{challenge.pk}/proposals/",
            {
                "team_name": "A队",
                "team_org": p.university.pk,
                "summary": "摘要",
                "approach": "路线",
                "price_quote": "1",
            },
            format="json",
        )
        assert created.status_code == 201, created.content
        pk = created.json()["id"]
        attached = team.post(f"{API}/challenge-proposals/{pk}/attachment", {"file": pdf_upload("方案.pdf")})
        assert attached.status_code == 200 and attached.json()["attachment_name"] == "方案.pdf"
        assert team.post(f"{API}/challenge-proposals/{pk}/submit").json()["status"] == "submitted"

        rival = client_for(p.other_tto)
        make_proposal(challenge, p.other_tto, team_name="B队")
        assert_error(rival.get(f"{API}/challenge-proposals/{pk}/"), 404)
        assert_error(rival.patch(f"{API}/challenge-proposals/{pk}/", {"summary": "x"}, format="json"), 404)
        assert_error(rival.post(f"{API}/challenge-proposals/{pk}/withdraw"), 404)
        assert_error(rival.post(f"{API}/challenge-proposals/{pk}/attachment", {"file": pdf_upload()}), 404)
        assert_error(rival.get(f"{API}/challenges/{challenge.pk}/proposals/"), 403)
        assert [r["team_name"] for r in rival.get(f"{API}/challenge-proposals/").json()["results"]] == ["B队"]
        public = rival.get(f"{API}/challenges/{challenge.pk}/").json()
        assert "proposal_count" not in public and public["winners"] == []
        assert "A队" not in json.dumps(public, ensure_ascii=False)

        # Sealed: before the deadline neither the owner nor an administrator reads it, nor learns how many.
        for reader in (ent.staff, p.commission_admin):
            assert_error(client_for(reader).get(f"{API}/challenges/{challenge.pk}/proposals/"), 403, "sealed")
            assert_error(client_for(reader).get(f"{API}/challenge-proposals/{pk}/"), 404)
        with after_deadline(challenge):
            for reader in (ent.staff, p.commission_admin):
                inbox = client_for(reader).get(f"{API}/challenges/{challenge.pk}/proposals/").json()
                assert {r["team_name"] for r in inbox["results"]} == {"A队", "B队"}
        assert Proposal.objects.get(pk=pk).status == ProposalStatus.SUBMITTED

    def test_the_deadline_holds_through_the_api(self, p: Personas, ent: Enterprise) -> None:
        challenge = make_open_challenge(ent, p.reviewer)
        a = make_proposal(challenge, p.tto_officer)
        draft = make_proposal(challenge, p.other_tto, submit=False)
        team, rival, late = client_for(p.tto_officer), client_for(p.other_tto), client_for(p.researcher)
        with after_deadline(challenge):
            deadline = "deadline has passed"
            assert_error(
                late.post(f"{API}/challenges/{challenge.pk}/proposals/", {"team_name": "迟到"}, format="json"),
                409,
                deadline,
            )
            assert_error(
                team.patch(f"{API}/challenge-proposals/{a.pk}/", {"summary": "晚"}, format="json"), 409, deadline
            )
            assert_error(team.post(f"{API}/challenge-proposals/{a.pk}/withdraw"), 409, deadline)
            assert_error(rival.post(f"{API}/challenge-proposals/{draft.pk}/submit"), 409, deadline)
            assert_error(
                team.post(f"{API}/challenge-proposals/{a.pk}/attachment", {"file": pdf_upload()}), 409, deadline
            )
            assert client_for(None).get(f"{API}/challenges/{challenge.pk}/").json()["status"] == "closed"
        a.refresh_from_db()
        draft.refresh_from_db()
        assert a.status == ProposalStatus.SUBMITTED and a.summary != "晚" and not a.attachment
        assert draft.status == ProposalStatus.DRAFT
        assert not Proposal.objects.filter(submitted_by=p.researcher).exists()

    def test_shortlist_and_award_after_the_deadline_then_everything_is_frozen(
        self, p: Personas, ent: Enterprise
    ) -> None:
        challenge = make_open_challenge(ent, p.reviewer)
        a = make_proposal(challenge, p.tto_officer, team_name="A队")
        b = make_proposal(challenge, p.other_tto, team_name="B队")
        owner = client_for(ent.staff)
        award = {"proposals": [a.pk], "result_note": "A队胜出"}
        assert_error(
            owner.post(f"{API}/challenges/{challenge.pk}/award", award, format="json"), 409, "sealed until the submission"
        )
        with after_deadline(challenge):
            shortlisted = owner.post(f"{API}/challenges/{challenge.pk}/shortlist", {"proposals": [a.pk]}, format="json")
            assert shortlisted.status_code == 200
            too_many = {"proposals": [a.pk, b.pk], "result_note": "两个"}
            assert_error(owner.post(f"{API}/challenges/{challenge.pk}/award", too_many, format="json"), 400, "at most")
            done = owner.post(f"{API}/challenges/{challenge.pk}/award", award, format="json")
            assert done.status_code == 200 and done.json()["status"] == "awarded"
        public = client_for(None).get(f"{API}/challenges/{challenge.pk}/").json()
        assert public["winners"] == [{"team_name": "A队", "summary": a.summary}] and public["result_note"] == "A队胜出"
        assert_error(
            client_for(p.tto_officer).patch(f"{API}/challenge-proposals/{a.pk}/", {"summary": "x"}, format="json"),
            409,
            "awarded",
        )
        assert_error(client_for(p.other_tto).post(f"{API}/challenge-proposals/{b.pk}/withdraw"), 409, "awarded")
        b.refresh_from_db()
        assert b.status == ProposalStatus.NOT_SELECTED


class TestQuestionApi:
    def test_questions_are_private_until_answered(self, p: Personas, ent: Enterprise) -> None:
        challenge = make_open_challenge(ent, p.reviewer)
        url = f"{API}/challenges/{challenge.pk}/questions/"
        asked = client_for(p.tto_officer).post(url, {"text": "样品？"}, format="json")
        assert asked.status_code == 201 and asked.json()["is_public"] is False
        qid = asked.json()["id"]
        assert client_for(p.other_tto).get(url).json()["count"] == 0
        assert client_for(None).get(url).json()["count"] == 0
        assert client_for(ent.staff).get(url).json()["count"] == 1
        answer_url = f"{url}{qid}/answer"
        assert_error(client_for(p.other_tto).post(answer_url, {"answer": "x"}, format="json"), 404)
        assert_error(client_for(p.tto_officer).post(answer_url, {"answer": "x"}, format="json"), 403)
        answered = client_for(ent.staff).post(answer_url, {"answer": "可以"}, format="json")
        assert answered.status_code == 200 and answered.json()["is_public"] is True
        assert [q["answer"] for q in client_for(None).get(url).json()["results"]] == ["可以"]
        assert_error(client_for(ent.staff).post(url, {"text": "自问"}, format="json"), 403)
        assert_error(client_for(None).post(url, {"text": "匿名"}, format="json"), 401)

    def test_an_unpublished_challenge_has_no_visible_questions(self, p: Personas, ent: Enterprise) -> None:
        challenge = make_challenge(ent)
        assert_error(client_for(p.outsider).get(f"{API}/challenges/{challenge.pk}/questions/"), 404)
        services.challenge_submit(challenge=challenge, by=ent.staff)
        assert_error(
            client_for(p.tto_officer).post(f"{API}/challenges/{challenge.pk}/questions/", {"text": "?"}, format="json"),
            404,
        )


def test_the_schema_documents_every_challenge_route(tmp_path: Path) -> None:
    out = tmp_path / "openapi.json"
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", str(out))
    paths = json.loads(out.read_text(encoding="utf-8"))["paths"]
    documented = {path: set(ops) for path, ops in paths.items() if "/challenge" in path}
    assert documented == {
        "/api/v1/challenges/": {"get", "post"},
        "/api/v1/challenges/{id}/": {"get", "patch"},
        "/api/v1/challenges/{id}/submit": {"post"},
        "/api/v1/challenges/{id}/approve": {"post"},
        "/api/v1/challenges/{id}/reject": {"post"},
        "/api/v1/challenges/{id}/cancel": {"post"},
        "/api/v1/challenges/{id}/shortlist": {"post"},
        "/api/v1/challenges/{id}/award": {"post"},
        "/api/v1/challenges/{id}/questions/": {"get", "post"},
        "/api/v1/challenges/{id}/questions/{question_pk}/answer": {"post"},
        "/api/v1/challenges/{id}/proposals/": {"get", "post"},
        "/api/v1/challenge-proposals/": {"get"},
        "/api/v1/challenge-proposals/{id}/": {"get", "patch"},
        "/api/v1/challenge-proposals/{id}/submit": {"post"},
        "/api/v1/challenge-proposals/{id}/withdraw": {"post"},
        "/api/v1/challenge-proposals/{id}/attachment": {"post"},
    }
