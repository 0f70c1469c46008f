"""The matching API: titles come back as plain text, and every kind it offers answers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from techtransfer.market.tests.helpers import make_enterprise, make_published
from techtransfer.matching import store
from techtransfer.matching.api import TEXT_KINDS
from techtransfer.matching.tests.test_views import BATTERY, publish
from techtransfer.testing import Personas


def test_titles_are_plain_text_not_html_escaped_twice(
    p: Personas, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    store.clear_cache()
    name = "A & B <锂离子电池> 极片涂布厚度激光在线测量装置"
    achievement = publish(p, django_capture_on_commit_callbacks, **{**BATTERY, "name": name, "name_en": "A & B <gauge>"})
    with django_capture_on_commit_callbacks(execute=True):
        demand = make_published(make_enterprise(), p.reviewer)
    groups = client.get(f"/api/v1/matching/demands/{demand.pk}", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    results = [r for group in groups for r in group["results"] if r["kind"] == "achievement"]
    [result] = [r for r in results if r["id"] == achievement.pk]
    assert result["title"] == name
    english = client.get(f"/api/v1/matching/demands/{demand.pk}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "&amp;" not in english and "&lt;" not in english


@pytest.mark.parametrize("kind", TEXT_KINDS)
def test_free_text_matching_answers_for_every_kind_it_offers(
    kind: str, p: Personas, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from techtransfer.challenges.tests.helpers import make_open_challenge

    store.clear_cache()
    publish(p, django_capture_on_commit_callbacks, **BATTERY)
    with django_capture_on_commit_callbacks(execute=True):
        ent = make_enterprise()
        make_published(ent, p.reviewer)
        make_open_challenge(ent, p.reviewer)
    response = client.get("/api/v1/matching/search", {"q": "锂电池 涂布 正极材料 循环寿命", "kind": kind})
    assert response.status_code == 200, response.content
    assert isinstance(response.json(), list)
