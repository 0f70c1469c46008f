"""One URL, one operation class per method: each method keeps its own rules, others get a 405."""

from __future__ import annotations

from django.urls import reverse
from rest_framework.test import APIClient

from techtransfer.achievements.models import Achievement
from techtransfer.achievements.tests.test_api import new_achievement_payload
from techtransfer.testing import Personas


class TestMethodRoutes:
    def test_a_method_nobody_serves_gets_a_405_in_the_error_shape(self, p: Personas) -> None:
        client = APIClient()
        client.force_login(p.tto_officer)
        response = client.put(reverse("api:achievements"), {}, format="json")
        assert response.status_code == 405 and set(response.json()) == {"message", "extra"}

    def test_session_writes_still_need_the_csrf_token(self, p: Personas) -> None:
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(p.tto_officer)
        response = client.post(reverse("api:achievements"), new_achievement_payload(), format="json")
        assert response.status_code == 403 and "CSRF" in response.json()["message"]
        assert not Achievement.objects.exists()

    def test_head_is_answered_like_get(self, p: Personas) -> None:
        assert APIClient().head(reverse("api:achievements")).status_code == 200
