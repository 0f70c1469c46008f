"""The sign-up form shows every problem at once, each at its field and, naming the field, in the summary."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from techtransfer.accounts.models import User
from techtransfer.accounts.tests.test_views import signup_data

EXPECTED = {
    "en": {
        "full_name": "Please fill in the full name.",
        "password1": "This password is too short.",
        "password2": "Password again: The two passwords differ; type the same password twice.",
        "org_type": "Choose the type of organisation.",
        "org_uscc": "Give the unified social credit code",
        "org_region": "Choose the region where the organisation is registered.",
    },
    "zh-hans": {
        "full_name": "请填写姓名。",
        "password1": "密码：",
        "password2": "确认密码：两次输入的密码不一致，请输入相同的密码。",
        "org_type": "请选择机构类型。",
        "org_uscc": "请填写统一社会信用代码；科委将据此核验机构。",
        "org_region": "请选择机构注册所在地区。",
    },
}


def summary(page: str) -> dict[str, list[str]]:
    block = re.search(r'<div class="msg msg-error error-summary"[^>]*>(.*?)</div>', page, re.S)
    assert block, "no error summary"
    lines: dict[str, list[str]] = {}
    for field, text in re.findall(r'<li><a href="#field-([^"]+)">(.*?)</a></li>', block.group(1)):
        lines.setdefault(field, []).append(text)
    return lines


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_sign_up_wrong_in_many_ways_shows_every_error_at_once(client: Client, language: str) -> None:
    # Passwords that differ and are too weak: both are said at once (the weakness used to wait for a match).
    data = signup_data(full_name="", password1="123", password2="456", organisation_choice="new", org_name="新机构")
    response = client.post(reverse("accounts:signup"), data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    lines = summary(response.content.decode())
    assert set(lines) == set(EXPECTED[language])
    for field, start in EXPECTED[language].items():
        assert lines[field][0].startswith(start), (lines[field], start)
    assert not User.objects.exists()
