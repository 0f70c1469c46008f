"""Dates within sane ranges and text within its length, the same rule in the models, the forms, the API and
its schema; and an organisation without a website is null in the API, as its schema says."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from techtransfer.achievements.tests.test_api import new_achievement_payload
from techtransfer.challenges.models import Challenge
from techtransfer.challenges.tests.test_api import CHALLENGE_PAYLOAD
from techtransfer.lib.validators import (
    DEADLINE_MAX_YEARS,
    NOTE_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    validate_deadline,
    validate_sane_date,
)
from techtransfer.market.tests.helpers import make_enterprise
from techtransfer.market.tests.test_api import payload as demand_payload
from techtransfer.testing import Personas, make_achievement


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _fields(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 400, response.content
    return response.json()["extra"]["fields"]


class TestDateRanges:
    def test_the_rules(self) -> None:
        validate_sane_date(datetime.date(1900, 1, 1))
        validate_sane_date(datetime.date(2100, 12, 31))
        for wrong in (datetime.date(393, 1, 1), datetime.date(1899, 12, 31), datetime.date(2101, 1, 1)):
            with pytest.raises(ValidationError, match="Enter a date between 1900-01-01 and 2100-12-31"):
                validate_sane_date(wrong)
        today = timezone.localdate()
        validate_deadline(today + datetime.timedelta(days=365 * DEADLINE_MAX_YEARS - 30))
        with pytest.raises(ValidationError, match="A deadline can be at most 5 years ahead"):
            validate_deadline(today + datetime.timedelta(days=365 * DEADLINE_MAX_YEARS + 30))

    def test_a_challenge_deadline_in_year_0393_is_refused_by_the_api(self, p: Personas) -> None:
        ent = make_enterprise()
        body = {**CHALLENGE_PAYLOAD, "submission_deadline": "0393-06-30T17:00:00+08:00"}
        fields = _fields(_client(ent.staff).post("/api/v1/challenges/", body, format="json"))
        assert list(fields) == ["submission_deadline"]
        assert "Enter a date between 1900-01-01 and 2100-12-31" in fields["submission_deadline"][0]
        assert not Challenge.objects.exists()

    def test_a_challenge_deadline_decades_ahead_is_refused(self, p: Personas) -> None:
        ent = make_enterprise()
        body = {**CHALLENGE_PAYLOAD, "qa_deadline": "2090-01-01T00:00:00+08:00"}
        fields = _fields(_client(ent.staff).post("/api/v1/challenges/", body, format="json"))
        assert "A deadline can be at most 5 years ahead" in fields["qa_deadline"][0]

    def test_the_challenge_page_refuses_it_too(self, p: Personas) -> None:
        ent = make_enterprise()
        client = Client()
        client.force_login(ent.staff)
        data = {"title": "工业视觉缺陷检测", "submission_deadline": "0393-06-30T17:00", "max_winners": "1"}
        response = client.post(reverse("challenges:new"), data)
        assert response.status_code == 400
        assert "Enter a date between" in response.context["form"].errors["submission_deadline"][0]
        assert not Challenge.objects.exists()

    def test_a_demand_deadline_in_year_0393_is_refused(self, p: Personas) -> None:
        ent = make_enterprise()
        fields = _fields(_client(ent.staff).post("/api/v1/demands/", demand_payload(deadline="0393-01-01"), format="json"))
        assert list(fields) == ["deadline"]

    def test_an_achievement_research_start_in_year_0393_is_refused(self, p: Personas) -> None:
        fields = _fields(
            _client(p.tto_officer).post(
                "/api/v1/achievements/", new_achievement_payload(research_start="0393-01"), format="json"
            )
        )
        assert "Enter a date between" in fields["research_start"][0]

    def test_the_model_refuses_it_for_every_other_way_in(self, p: Personas) -> None:
        achievement = make_achievement(p, attach=False)
        achievement.evaluation_date = datetime.date(393, 1, 1)
        with pytest.raises(ValidationError) as caught:
            achievement.full_clean(validate_unique=False, validate_constraints=False)
        assert "evaluation_date" in caught.value.message_dict


class TestTextLengths:
    def test_a_3_mb_summary_is_refused_naming_the_field(self, p: Personas) -> None:
        body = new_achievement_payload(summary="成果" * 1_500_000)
        fields = _fields(_client(p.tto_officer).post("/api/v1/achievements/", body, format="json"))
        assert list(fields) == ["summary"]
        assert "at most 5000 characters" in fields["summary"][0]

    def test_a_summary_at_the_limit_is_accepted(self, p: Personas) -> None:
        body = new_achievement_payload(summary="果" * SUMMARY_MAX_LENGTH)
        assert _client(p.tto_officer).post("/api/v1/achievements/", body, format="json").status_code == 201

    def test_the_achievement_page_form_refuses_it(self, p: Personas) -> None:
        from techtransfer.achievements.forms import AchievementForm

        form = AchievementForm(data={"summary": "x" * (SUMMARY_MAX_LENGTH + 1)})
        form.is_valid()
        assert "at most 5000 characters" in " ".join(form.errors["summary"])

    def test_demand_description_and_challenge_problem(self, p: Personas) -> None:
        ent = make_enterprise()
        client = _client(ent.staff)
        too_long = "x" * (TEXT_MAX_LENGTH + 1)
        assert "description" in _fields(client.post("/api/v1/demands/", demand_payload(description=too_long), format="json"))
        challenge = {**CHALLENGE_PAYLOAD, "problem": too_long, "eligibility": "x" * (NOTE_MAX_LENGTH + 1)}
        assert set(_fields(client.post("/api/v1/challenges/", challenge, format="json"))) == {"problem", "eligibility"}

    def test_every_text_field_of_the_records_has_a_limit(self) -> None:
        from django.apps import apps
        from django.db import models

        unbounded = [
            f"{model._meta.label}.{field.name}"
            for app in ("achievements", "market", "challenges", "matchmaking", "subscriptions")
            for model in apps.get_app_config(app).get_models()
            for field in model._meta.get_fields()
            if isinstance(field, models.TextField) and field.max_length is None
        ]
        assert unbounded == []

    def test_the_schema_documents_the_limits(self, db: None) -> None:
        schema = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
        summaries = [s["properties"]["summary"] for s in schema.values() if "summary" in s.get("properties", {})]
        assert {"maxLength": SUMMARY_MAX_LENGTH} | summaries[0] == summaries[0] or any(
            s.get("maxLength") == SUMMARY_MAX_LENGTH for s in summaries
        )
        demand_inputs = [s for name, s in schema.items() if name.startswith("Demand") and "Request" in name]
        assert any(s["properties"].get("description", {}).get("maxLength") == TEXT_MAX_LENGTH for s in demand_inputs)


class TestWebsite:
    def test_an_empty_website_is_null_and_the_schema_allows_it(self, p: Personas) -> None:
        p.university.website = ""
        p.university.save(update_fields=["website"])
        p.other_university.website = "https://www.example.edu.cn/"
        p.other_university.save(update_fields=["website"])
        results = APIClient().get("/api/v1/organisations/", {"limit": 50}).json()["results"]
        websites = {o["id"]: o["website"] for o in results}
        assert websites[p.university.pk] is None
        assert websites[p.other_university.pk] == "https://www.example.edu.cn/"
        schema = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]["Organisation"]
        website = schema["properties"]["website"]
        assert website["format"] == "uri" and website["nullable"] is True
