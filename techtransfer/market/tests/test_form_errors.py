"""The demand form shows every problem of a submission at once: its own, the service's (budget order, phone)
and, on "Save and submit", what would stop the submission (deadline, cooperation modes), each at its field."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from techtransfer.market.models import TechnologyDemand
from techtransfer.market.tests.helpers import Enterprise, make_demand, make_enterprise
from techtransfer.market.tests.test_views import form_post
from techtransfer.testing import step_url

EXPECTED = {
    "en": {
        "title": "Please fill in the title.",
        "budget_max": "Highest budget (万元): The lowest budget is above the highest budget.",
        "deadline": "The deadline",
        "contact_phone": "Contact phone: Enter a Chinese phone number",
        "cooperation_modes": "Wanted cooperation modes: Choose at least one cooperation mode.",
    },
    "zh-hans": {
        "title": "请填写名称。",
        "budget_max": "最高预算（万元）：最低预算高于最高预算。",
        "deadline": "截止日期 ",
        "contact_phone": "联系电话：请填写中国的电话号码",
        "cooperation_modes": "期望合作方式：请至少选择一种合作方式。",
    },
}


@pytest.fixture
def ent(db: None) -> Enterprise:
    return make_enterprise()


def login(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def summary(page: str) -> dict[str, str]:
    """{anchor: line} of the error summary."""
    block = re.search(r'<div class="msg msg-error error-summary"[^>]*>(.*?)</div>', page, re.S)
    assert block, "no error summary"
    return dict(re.findall(r'<li><a href="#field-([^"]+)">(.*?)</a></li>', block.group(1)))


def wrong_everywhere() -> dict[str, object]:
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    return {
        **form_post(title="", budget_min="900000", budget_max="100", deadline=yesterday, contact_phone="abc"),
        "cooperation_modes": [],
        "submit": "1",
    }


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_save_and_submit_shows_every_problem_at_once_and_saves_nothing(ent: Enterprise, language: str) -> None:
    response = login(ent.staff).post(reverse("market:new"), wrong_everywhere(), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    page = response.content.decode()
    lines = summary(page)
    assert set(lines) == set(EXPECTED[language])
    for field, expected in EXPECTED[language].items():
        assert lines[field].startswith(expected), (lines[field], expected)
    assert set(response.context["form"].errors) == set(EXPECTED[language])
    assert not TechnologyDemand.objects.exists()


def test_saving_a_draft_reports_the_form_and_the_service_together(ent: Enterprise) -> None:
    data = form_post(title="", budget_min="900000", budget_max="100", contact_phone="abc", contact_email="x")
    response = login(ent.staff).post(reverse("market:new"), data)
    assert set(response.context["form"].errors) == {"title", "budget_max", "contact_phone", "contact_email"}
    assert not TechnologyDemand.objects.exists()


def test_submitting_from_the_edit_page_shows_what_stops_it_at_the_fields(ent: Enterprise) -> None:
    draft = make_demand(ent)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    data = {**form_post(deadline=yesterday, budget_min="900000", budget_max="100"), "cooperation_modes": [], "submit": "1"}
    response = login(ent.staff).post(reverse("market:edit", args=[draft.pk]), data)
    assert set(response.context["form"].errors) == {"deadline", "budget_max", "cooperation_modes"}
    assert "Nothing is saved yet." in response.content.decode()
    draft.refresh_from_db()
    assert draft.budget_max != 100 and draft.cooperation_modes.exists()


def test_what_stops_a_submission_names_its_field_on_the_demands_page(ent: Enterprise) -> None:
    draft = make_demand(ent, title="需要改进的需求", deadline=None)
    response = login(ent.staff).post(step_url(draft, "submit"), follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert "Fill in the deadline before the demand is submitted." in shown
    assert "This field is required before the demand is submitted." not in response.content.decode()
