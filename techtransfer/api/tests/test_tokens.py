"""Personal API tokens: created with a password session, shown once, stored as a hash, revocable."""

from __future__ import annotations

import hashlib

from django.urls import reverse
from rest_framework.test import APIClient

from techtransfer.accounts.models import ApiToken
from techtransfer.testing import Personas


def signed_in(user: object) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


class TestTokenCreateApi:
    def test_the_key_is_shown_once_and_only_its_hash_is_stored(self, p: Personas) -> None:
        response = signed_in(p.tto_officer).post(reverse("api:tokens"), {"name": "nightly export"}, format="json")
        assert response.status_code == 201, response.content
        key = response.json()["key"]
        token = ApiToken.objects.get(pk=response.json()["id"])
        assert token.user == p.tto_officer and token.name == "nightly export"
        assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
        stored = [str(value) for value in ApiToken.objects.filter(pk=token.pk).values().get().values()]
        assert all(key not in value for value in stored)
        assert key.startswith(token.prefix) and len(token.prefix) < len(key) // 4

        listed = signed_in(p.tto_officer).get(reverse("api:tokens")).json()
        assert listed["count"] == 1 and "key" not in listed["results"][0]
        assert with_token(key).get(reverse("api:me")).json()["username"] == p.tto_officer.username

    def test_a_token_needs_a_name(self, p: Personas) -> None:
        response = signed_in(p.tto_officer).post(reverse("api:tokens"), {"name": ""}, format="json")
        assert response.status_code == 400 and "name" in response.json()["extra"]["fields"]
        assert not ApiToken.objects.exists()

    def test_a_token_cannot_mint_more_tokens(self, p: Personas) -> None:
        _token, key = ApiToken.issue(user=p.tto_officer, name="script")
        response = with_token(key).post(reverse("api:tokens"), {"name": "another"}, format="json")
        assert response.status_code == 403 and response.json()["message"]
        assert ApiToken.objects.count() == 1

    def test_anonymous_cannot_list_or_create_tokens(self, p: Personas) -> None:
        assert APIClient().get(reverse("api:tokens")).status_code == 401
        assert APIClient().post(reverse("api:tokens"), {"name": "x"}, format="json").status_code in (401, 403)
        assert not ApiToken.objects.exists()


class TestTokenRevokeApi:
    def test_a_revoked_token_stops_working_at_once(self, p: Personas) -> None:
        token, key = ApiToken.issue(user=p.tto_officer, name="script")
        client = with_token(key)
        assert client.get(reverse("api:me")).status_code == 200
        assert signed_in(p.tto_officer).delete(reverse("api:token", kwargs={"pk": token.pk})).status_code == 204
        token.refresh_from_db()
        assert token.revoked
        refused = client.get(reverse("api:me"))
        assert refused.status_code == 401 and refused.json()["message"]
        assert client.get(reverse("api:achievements")).status_code == 401  # not silently anonymous either

    def test_a_token_can_revoke_itself(self, p: Personas) -> None:
        token, key = ApiToken.issue(user=p.tto_officer, name="leaked")
        assert with_token(key).delete(reverse("api:token", kwargs={"pk": token.pk})).status_code == 204
        assert with_token(key).get(reverse("api:me")).status_code == 401

    def test_nobody_sees_or_revokes_another_users_token(self, p: Personas) -> None:
        token, key = ApiToken.issue(user=p.tto_officer, name="mine")
        for intruder in (p.outsider, p.other_tto):
            client = signed_in(intruder)
            assert client.delete(reverse("api:token", kwargs={"pk": token.pk})).status_code == 404
            assert client.get(reverse("api:tokens")).json()["count"] == 0
        token.refresh_from_db()
        assert not token.revoked
        assert with_token(key).get(reverse("api:me")).status_code == 200

    def test_a_made_up_key_is_refused(self, p: Personas) -> None:
        assert with_token("tt_not-a-real-key").get(reverse("api:me")).status_code == 401
