"""Abuse: login lockout, rate limits, the bound on password checks, unverified organisations, the sign-up
oracle, internationalised addresses and one-time form tokens."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse

from techtransfer.accounts import abuse, services
from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.permissions import ORGANISATION_NOT_VERIFIED
from techtransfer.accounts.tests.test_views import signup_data
from techtransfer.core.codetables import code_item
from techtransfer.core.models import AuditEvent
from techtransfer.testing import Personas, make_org, make_user

PASSWORD = "correct-horse-battery"


def login(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **extra)


class TestLoginLockout:
    def test_five_wrong_passwords_lock_the_account_for_that_address_even_for_the_right_one(
        self, p: Personas, client: Client
    ) -> None:
        statuses = [login(client, "tto", "wrong-password").status_code for _ in range(5)]
        assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks
        response = login(client, "tto", PASSWORD)
        assert response.status_code == 429
        assert "Too many failed log-ins" in response.content.decode()
        assert "_auth_user_id" not in client.session
        # Another address is not locked out by someone else's failures.
        assert login(Client(REMOTE_ADDR="10.0.0.9"), "tto", PASSWORD).status_code == 302

    def test_a_json_client_gets_the_message_as_json(self, p: Personas, client: Client) -> None:
        for _ in range(5):
            login(client, "tto", "wrong-password")
        response = login(client, "tto", PASSWORD, HTTP_ACCEPT="application/json")
        assert response.status_code == 429 and "Too many failed log-ins" in response.json()["message"]
        assert int(response["Retry-After"]) > 0


class TestRateLimits:
    def test_password_reset_mails_an_address_at_most_three_times_and_then_answers_429(
        self, p: Personas, client: Client
    ) -> None:
        statuses = [
            client.post(reverse("accounts:password_reset"), {"email": p.tto_officer.email}).status_code
            for _ in range(20)
        ]
        assert len(mail.outbox) == 3
        assert statuses[:3] == [302, 302, 302] and set(statuses[3:]) == {429}
        response = client.post(reverse("accounts:password_reset"), {"email": "x@example.cn"})
        assert response.status_code == 429 and "Wait" in response.content.decode()

    def test_the_counter_holds_across_threads_and_connections(self, transactional_db: None, settings: Any) -> None:
        settings.RATE_LIMITS = {"signup": (5, 3600)}
        allowed: list[bool] = []
        lock = threading.Lock()

        def hit() -> None:
            try:
                abuse.rate_limit_hit("signup", "ip:192.0.2.1")
                ok = True
            except abuse.RateLimited:
                ok = False
            finally:
                close_old_connections()
            with lock:
                allowed.append(ok)

        threads = [threading.Thread(target=hit) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert allowed.count(True) == 5 and allowed.count(False) == 5

    def test_a_rate_limit_in_the_api_is_a_429_with_the_error_shape(self, p: Personas, settings: Any) -> None:
        settings.RATE_LIMITS = {"mail": (0, 3600)}
        with pytest.raises(abuse.RateLimited):
            abuse.rate_limit_user("mail", p.tto_officer)


class TestPasswordCheckBound:
    def test_a_login_waits_for_a_free_slot_and_gets_503_when_none_frees(
        self, p: Personas, client: Client, settings: Any
    ) -> None:
        settings.PASSWORD_CHECK_WAIT_SECONDS = 0.05
        slots = abuse._password_slots()
        held = 0
        while slots.acquire(blocking=False):  # every slot of this process taken
            held += 1
        try:
            response = login(client, "tto", PASSWORD)
            assert response.status_code == 503
            assert "checking many passwords" in response.content.decode()
        finally:
            for _ in range(held):
                slots.release()
        assert login(client, "tto", PASSWORD).status_code == 302

    def test_parallel_logins_never_hash_more_than_the_bound_at_once(
        self, transactional_db: None, settings: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        make_user("bound", None)
        slots = abuse._password_slots()
        bound = slots._initial_value  # type: ignore[attr-defined]
        settings.PASSWORD_CHECK_WAIT_SECONDS = 5
        running, peak = [0], [0]
        lock = threading.Lock()
        real_check = User.check_password

        def counting_check(self: User, raw: str) -> bool:
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            try:
                threading.Event().wait(0.05)
                return real_check(self, raw)
            finally:
                with lock:
                    running[0] -= 1

        monkeypatch.setattr(User, "check_password", counting_check)
        results: list[int] = []

        def attempt(i: int) -> None:
            try:
                results.append(login(Client(REMOTE_ADDR=f"10.1.0.{i}"), "bound", PASSWORD).status_code)
            finally:
                close_old_connections()

        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(bound * 2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert 1 <= peak[0] <= bound
        assert results.count(302) == bound * 2


class TestUnverifiedOrganisations:
    def _new_org_officer(self) -> tuple[Organisation, User]:
        org = make_org("新创科技有限公司", OrgType.ENTERPRISE, is_verified=False)
        return org, make_user("newco", org, Role.TTO_OFFICER)

    def test_an_unverified_organisation_drafts_but_cannot_submit_until_verified(self, p: Personas) -> None:
        from techtransfer.market import services as market
        from techtransfer.market.tests.helpers import demand_data

        org, officer = self._new_org_officer()
        modes = [code_item("cooperation_mode", "joint")]
        demand = market.demand_create(by=officer, owner=org, data=demand_data(), cooperation_modes=modes)
        with pytest.raises(PermissionDenied) as exc:
            market.demand_submit(demand=demand, by=officer)
        assert str(exc.value) == str(ORGANISATION_NOT_VERIFIED % {"name": org.name})

        services.organisation_verify(organisation=org, by=p.commission_admin)
        market.demand_submit(demand=demand, by=officer)
        assert AuditEvent.objects.filter(action="organisation.verify", object_id=str(org.pk)).exists()

    def test_the_queue_page_verifies_and_the_officer_is_told(
        self, p: Personas, client: Client, django_capture_on_commit_callbacks: Any
    ) -> None:
        org, officer = self._new_org_officer()
        client.force_login(p.commission_admin)
        page = client.get(reverse("accounts:verification_queue")).content.decode()
        assert org.name in page
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("accounts:organisation_decide", args=[org.pk]), {"decision": "verify"})
        org.refresh_from_db()
        assert org.is_verified and org.verified_at is not None
        assert mail.outbox and mail.outbox[-1].to == [officer.email]
        assert f'id="org-{org.pk}"' not in client.get(reverse("accounts:verification_queue")).content.decode()

    def test_the_banner_and_the_api_refusal(self, p: Personas, client: Client) -> None:
        org, officer = self._new_org_officer()
        client.force_login(officer)
        assert "waiting for verification" in client.get(reverse("portal:home")).content.decode()
        # Someone who does not verify the organisation does not find it.
        client.force_login(p.researcher)
        url = reverse("api:organisation-decide", args=[org.pk])
        assert client.post(url, {"decision": "verify"}, content_type="application/json").status_code == 404
        client.force_login(p.commission_admin)
        response = client.post(url, {"decision": "refuse"}, content_type="application/json")
        assert response.status_code == 400
        response = client.post(
            url, {"decision": "refuse", "reason": "统一社会信用代码与名称不符。"}, content_type="application/json"
        )
        assert response.status_code == 200 and response.json()["is_verified"] is False
        org.refresh_from_db()
        assert org.refused_at is not None


class TestSignupOracle:
    def test_an_existing_address_gets_the_same_answer_and_its_owner_a_mail(
        self, p: Personas, client: Client, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            taken = client.post(reverse("accounts:signup"), signup_data(username="x1", email=p.researcher.email))
        with django_capture_on_commit_callbacks(execute=True):
            fresh = Client().post(reverse("accounts:signup"), signup_data(username="x2", email="x2@example.cn"))
        assert taken.status_code == fresh.status_code == 302
        assert taken["Location"] == fresh["Location"] == reverse("accounts:signup_done")
        assert not User.objects.filter(username="x1").exists() and User.objects.filter(username="x2").exists()
        assert [m.to for m in mail.outbox] == [[p.researcher.email], ["x2@example.cn"]]
        assert "tried to open a new account" in mail.outbox[0].body

    def test_a_taken_user_name_is_not_revealed(
        self, p: Personas, client: Client, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accounts:signup"), signup_data(username="TTO", email="new@example.cn"))
        assert response.status_code == 302 and response["Location"] == reverse("accounts:signup_done")
        user = User.objects.get(email="new@example.cn")
        assert user.username.startswith("TTO-")
        assert user.username in mail.outbox[0].body


class TestInternationalAddresses:
    def test_an_idn_address_is_stored_and_mailed_with_idna(
        self, db: None, client: Client, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accounts:signup"), signup_data(email="测试@例子.中国"))
        assert response.status_code == 302
        assert User.objects.get(username="newbie").email == "测试@例子.中国"
        message = mail.outbox[0].message()
        assert "xn--fsqu00a.xn--fiqs8s" in message["To"]

    @pytest.mark.parametrize("email", ["a@localhost", "a@intranet", "a@[127.0.0.1]", "a@127.0.0.1", "no-at-sign"])
    def test_unreachable_domains_are_refused_with_a_field_error(self, db: None, client: Client, email: str) -> None:
        response = client.post(reverse("accounts:signup"), signup_data(email=email))
        assert response.status_code == 400
        assert response.context["form"].errors["email"]
        assert not User.objects.exists()


class TestFormTokens:
    def test_two_parallel_submits_of_one_form_create_one_demand(
        self, transactional_db: None, django_capture_on_commit_callbacks: Any
    ) -> None:
        from techtransfer.market.models import TechnologyDemand
        from techtransfer.market.tests.test_views import form_post

        org = make_org("并发科技有限公司", OrgType.ENTERPRISE)
        user = make_user("twice", org, Role.MEMBER)
        data = {**form_post(), "form_token": "one-token-for-both-submits"}
        statuses: list[int] = []
        barrier = threading.Barrier(2)

        def submit() -> None:
            client = Client()
            client.force_login(user)
            barrier.wait()
            try:
                statuses.append(client.post(reverse("market:new"), data).status_code)
            finally:
                close_old_connections()

        threads = [threading.Thread(target=submit) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert TechnologyDemand.objects.filter(owner=org).count() == 1
        assert statuses == [302, 302]
