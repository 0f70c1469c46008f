"""The challenge and proposal forms show every problem of a submission at once: their own, the service's
(reward, deadlines, price, the PDF) and, on "Submit proposal", what would stop the submission."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from techtransfer.challenges.models import Challenge, Proposal
from techtransfer.challenges.tests.helpers import NEXT_YEAR, make_challenge, make_open_challenge
from techtransfer.core.codetables import code_item
from techtransfer.market.tests.helpers import Enterprise, make_enterprise
from techtransfer.testing import Personas

pytestmark = pytest.mark.django_db

CHALLENGE_EXPECTED = {
    "en": {
        "title": "Please fill in the title.",
        "reward": "Reward (万元): Ensure this value is greater than or equal to 0.",
        "qa_deadline": "The question deadline cannot be after the submission deadline.",
        "max_winners": "Number of winners: Ensure this value is greater than or equal to 1.",
    },
    "zh-hans": {
        "title": "请填写名称。",
        "reward": "悬赏金额（万元）：",
        "qa_deadline": "提问截止时间不能晚于方案提交截止时间。",
        "max_winners": "揭榜方数量：",
    },
}
PROPOSAL_EXPECTED = {
    "en": {
        "team_name": "Please fill in the team name.",
        "price_quote": "Price quote (万元): Ensure this value is greater than or equal to 0.",
        "upload": "PDF attachment: Only PDF files can be attached; notes.txt is not a PDF.",
        "summary": "Fill in the summary before the proposal is submitted.",
        "approach": "Fill in the technical approach before the proposal is submitted.",
    },
    "zh-hans": {
        "team_name": "请填写团队名称。",
        "price_quote": "报价（万元）：",
        "upload": "PDF 附件：只能上传 PDF 文件；notes.txt 不是 PDF 文件。",
        "summary": "提交方案前，请填写",
        "approach": "提交方案前，请填写技术路线。",
    },
}


@pytest.fixture
def ent(db: None) -> Enterprise:
    return make_enterprise()


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def summary(page: str) -> dict[str, str]:
    """{field: line} of the error summary."""
    block = re.search(r'<div class="msg msg-error error-summary"[^>]*>(.*?)</div>', page, re.S)
    assert block, "no error summary"
    return dict(re.findall(r'<li><a href="#field-([^"]+)">(.*?)</a></li>', block.group(1)))


def assert_summary(page: str, expected: dict[str, str]) -> None:
    lines = summary(page)
    assert set(lines) == set(expected)
    for field, start in expected.items():
        assert lines[field].startswith(start), (lines[field], start)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_challenge_wrong_in_many_ways_shows_every_error_at_once(ent: Enterprise, language: str) -> None:
    data = {
        "title": "",  # the form's check
        "problem": "产线缺陷漏检率高",
        "requirements": "漏检率低于0.1%",
        "field": code_item("high_tech_field", "electronics").pk,
        "region": code_item("region", "110108").pk,
        "reward": "-1",  # the service's checks from here on
        "submission_deadline": f"{NEXT_YEAR}-06-30T17:00",
        "qa_deadline": f"{NEXT_YEAR}-07-10T17:00",
        "max_winners": "0",
    }
    response = login(ent.staff).post(reverse("challenges:new"), data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert_summary(response.content.decode(), CHALLENGE_EXPECTED[language])
    assert not Challenge.objects.exists()


def test_editing_a_challenge_reports_the_form_and_the_service_together(ent: Enterprise) -> None:
    challenge = make_challenge(ent)
    data = {"title": "新标题", "problem": "x", "requirements": "y", "reward": "-1", "max_winners": "1",
            "submission_deadline": "not a date", "qa_deadline": f"{NEXT_YEAR}-07-10T17:00"}
    response = login(ent.staff).post(reverse("challenges:edit", args=[challenge.pk]), data)
    assert set(response.context["form"].errors) == {"submission_deadline", "reward"}
    challenge.refresh_from_db()
    assert challenge.title != "新标题"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_proposal_wrong_in_many_ways_shows_every_error_at_once(
    p: Personas, ent: Enterprise, language: str
) -> None:
    challenge = make_open_challenge(ent, p.reviewer)
    data = {
        "team_name": "",
        "team_org": "",
        "members": "",
        "summary": "",
        "approach": "",
        "price_quote": "-5",
        "upload": SimpleUploadedFile("notes.txt", b"not a pdf"),
        "action": "submit",
    }
    response = login(p.tto_officer).post(
        reverse("challenges:propose", args=[challenge.pk]), data, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert_summary(page, PROPOSAL_EXPECTED[language])
    assert not Proposal.objects.exists()


def test_what_stops_a_proposal_names_its_field_on_the_proposals_page(p: Personas, ent: Enterprise) -> None:
    challenge = make_open_challenge(ent, p.reviewer)
    client = login(p.tto_officer)
    client.post(
        reverse("challenges:propose", args=[challenge.pk]),
        {"team_name": "示范大学团队", "team_org": "", "action": "save"},
    )
    proposal = Proposal.objects.get()
    page = client.get(reverse("challenges:proposal", args=[proposal.pk])).content.decode()
    assert "Fill in the technical approach before the proposal is submitted." in page
