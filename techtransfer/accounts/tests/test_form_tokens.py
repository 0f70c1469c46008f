"""One-time form tokens on every creating form: the same token twice creates one record, and the second
submit lands on the first one's record. Parallel submits run in threads, each with its own connection,
against the real database (SQLite or PostgreSQL, whichever the run uses)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import FormToken
from techtransfer.testing import Personas, make_org, make_user

TOKEN = "one-token-for-both-submits"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_in_parallel(user: Any, url: str, data: dict[str, Any], n: int = 2) -> list[tuple[int, str]]:
    """Post `data` to `url` from `n` threads released at the same instant; (status, Location) of each."""
    barrier = threading.Barrier(n)
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def submit() -> None:
        try:
            client = client_for(user)
            barrier.wait()
            response = client.post(url, data)
            with lock:
                results.append((response.status_code, response.get("Location", "")))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=submit) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def post_twice(client: Client, url: str, data: dict[str, Any]) -> tuple[Any, Any]:
    """The same form sent twice in a row (a resent request, the back button); the second is followed."""
    first = client.post(url, data)
    second = client.post(url, data, follow=True)
    return first, second


def assert_second_lands_on_the_first(first: Any, second: Any) -> None:
    assert first.status_code == 302
    assert second.redirect_chain[0] == (first["Location"], 302)
    assert "already submitted" in second.content.decode()


class TestParallel:
    def test_two_parallel_submits_of_one_achievement_form_create_one_draft(
        self, transactional_db: None, p: Personas
    ) -> None:
        from techtransfer.achievements.models import Achievement
        from techtransfer.achievements.tests.test_views import form_data

        results = post_in_parallel(p.tto_officer, reverse("achievements:new"), {**form_data(), "form_token": TOKEN})
        achievement = Achievement.objects.get(owner=p.university)
        assert sorted(results) == [(302, reverse("achievements:edit", args=[achievement.pk]))] * 2

    def test_two_parallel_submits_of_one_contact_request_open_one_request(
        self, transactional_db: None, p: Personas
    ) -> None:
        from techtransfer.matchmaking.models import ContactRequest
        from techtransfer.matchmaking.tests.helpers import make_world

        w = make_world(p)
        data = {
            "demand": w.demand.pk,
            "achievement": w.achievement.pk,
            "opened_by_org": w.ent.org.pk,
            "message": "我们希望就涂布厚度在线检测开展合作，能否约时间面谈？",
            "form_token": TOKEN,
        }
        results = post_in_parallel(w.ent.staff, reverse("matchmaking:new"), data)
        contact_request = ContactRequest.objects.get(demand=w.demand, achievement=w.achievement)
        assert sorted(results) == [(302, reverse("matchmaking:detail", args=[contact_request.pk]))] * 2

    def test_four_parallel_submits_of_one_demand_form_create_one_demand(self, transactional_db: None) -> None:
        from techtransfer.market.models import TechnologyDemand
        from techtransfer.market.tests.test_views import form_post

        org = make_org("四连击科技有限公司", OrgType.ENTERPRISE)
        user = make_user("fourfold", org, Role.MEMBER)
        results = post_in_parallel(user, reverse("market:new"), {**form_post(), "form_token": TOKEN}, n=4)
        demand = TechnologyDemand.objects.get(owner=org)
        assert sorted(results) == [(302, reverse("market:detail", args=[demand.pk]))] * 4


class TestSequential:
    def test_a_challenge_form_sent_twice_creates_one_challenge(self, p: Personas) -> None:
        from techtransfer.challenges.models import Challenge
        from techtransfer.challenges.tests.test_views import NEXT_YEAR, _item
        from techtransfer.market.tests.helpers import make_enterprise

        ent = make_enterprise()
        data = {
            "title": "工业视觉缺陷检测",
            "problem": "产线缺陷漏检率高",
            "requirements": "漏检率低于0.1%",
            "field": _item("electronics").pk,
            "region": _item("110108", "region").pk,
            "reward": "20",
            "submission_deadline": f"{NEXT_YEAR}-06-30T17:00",
            "max_winners": "1",
            "form_token": TOKEN,
        }
        first, second = post_twice(client_for(ent.staff), reverse("challenges:new"), data)
        assert Challenge.objects.filter(owner=ent.org).count() == 1
        assert_second_lands_on_the_first(first, second)

    def test_a_refused_submit_frees_the_token_for_the_corrected_one(self, p: Personas) -> None:
        from techtransfer.challenges.models import Challenge
        from techtransfer.challenges.tests.test_views import NEXT_YEAR, _item
        from techtransfer.market.tests.helpers import make_enterprise

        ent = make_enterprise()
        data = {
            "title": "工业视觉缺陷检测",
            "problem": "产线缺陷漏检率高",
            "requirements": "漏检率低于0.1%",
            "field": _item("electronics").pk,
            "region": _item("110108", "region").pk,
            "reward": "20",
            "submission_deadline": f"{NEXT_YEAR}-06-30T17:00",
            "max_winners": "1",
            "form_token": TOKEN,
        }
        client = client_for(ent.staff)
        assert client.post(reverse("challenges:new"), {**data, "title": ""}).status_code == 400
        assert not FormToken.objects.filter(token=TOKEN).exists()
        assert client.post(reverse("challenges:new"), data).status_code == 302
        assert Challenge.objects.filter(owner=ent.org).count() == 1

    def test_a_proposal_form_sent_twice_creates_one_proposal(self, p: Personas) -> None:
        from techtransfer.challenges.models import Proposal
        from techtransfer.challenges.tests.helpers import make_open_challenge
        from techtransfer.challenges.tests.test_views import PROPOSAL_POST
        from techtransfer.market.tests.helpers import make_enterprise

        challenge = make_open_challenge(make_enterprise(), p.reviewer)
        url = reverse("challenges:propose", args=[challenge.pk])
        first, second = post_twice(client_for(p.tto_officer), url, {**PROPOSAL_POST, "form_token": TOKEN})
        proposal = Proposal.objects.get(challenge=challenge)
        assert first["Location"] == reverse("challenges:proposal", args=[proposal.pk])
        # Once the first is saved, the page itself sends a bidder to their proposal; the token covers the
        # submit that arrives before that (a parallel one).
        assert second.redirect_chain[0] == (reverse("challenges:proposal_edit", args=[proposal.pk]), 302)

    def test_two_parallel_proposals_of_one_bidder_are_one(self, transactional_db: None, p: Personas) -> None:
        from techtransfer.challenges.models import Proposal
        from techtransfer.challenges.tests.helpers import make_open_challenge
        from techtransfer.challenges.tests.test_views import PROPOSAL_POST
        from techtransfer.market.tests.helpers import make_enterprise

        challenge = make_open_challenge(make_enterprise(), p.reviewer)
        url = reverse("challenges:propose", args=[challenge.pk])
        results = post_in_parallel(p.tto_officer, url, {**PROPOSAL_POST, "form_token": TOKEN})
        proposal = Proposal.objects.get(challenge=challenge)
        assert {status for status, _location in results} == {302}
        assert reverse("challenges:proposal", args=[proposal.pk]) in {location for _status, location in results}

    def test_a_question_sent_twice_is_asked_once(self, p: Personas) -> None:
        from techtransfer.challenges.models import ChallengeQuestion
        from techtransfer.challenges.tests.helpers import make_open_challenge
        from techtransfer.market.tests.helpers import make_enterprise

        challenge = make_open_challenge(make_enterprise(), p.reviewer)
        url = reverse("challenges:ask", args=[challenge.pk])
        first, second = post_twice(client_for(p.tto_officer), url, {"text": "能否提供样品？", "form_token": TOKEN})
        assert ChallengeQuestion.objects.filter(challenge=challenge).count() == 1
        assert_second_lands_on_the_first(first, second)

    def test_an_import_sent_twice_is_queued_once(self, p: Personas) -> None:
        from techtransfer.achievements.models import Achievement
        from techtransfer.achievements.tests.test_importing import csv_bytes, row
        from techtransfer.core.models import ImportBatch

        client = client_for(p.tto_officer)
        content = csv_bytes([row(name=f"成果{i}") for i in range(2)])
        responses = [
            client.post(
                reverse("achievements:import"),
                {"file": SimpleUploadedFile("成果.csv", content, content_type="text/csv"), "owner": p.university.pk,
                 "form_token": TOKEN},
            )
            for _ in range(2)
        ]
        batch = ImportBatch.objects.get()
        assert [r["Location"] for r in responses] == [reverse("achievements:import_batch", args=[batch.pk])] * 2
        assert Achievement.objects.filter(owner=p.university).count() == 2

    @pytest.mark.parametrize("who", ["same user", "someone else"])
    def test_a_token_is_one_users_only(self, p: Personas, who: str) -> None:
        from techtransfer.achievements.tests.test_views import form_data

        data = {**form_data(), "form_token": TOKEN}
        first = client_for(p.tto_officer).post(reverse("achievements:new"), data)
        other = p.tto_officer if who == "same user" else p.other_tto
        second = client_for(other).post(reverse("achievements:new"), data)
        if who == "same user":
            assert second["Location"] == first["Location"]
        else:  # a stolen token leads nowhere: nothing created, and not the first user's record either
            assert second.status_code == 409 and "already submitted" in second.content.decode()
