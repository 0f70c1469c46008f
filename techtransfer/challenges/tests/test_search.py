"""Challenges in the search index: public once published, found by Chinese words, gone from public results
when cancelled; the list page finds them through the index."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from techtransfer.challenges import services
from techtransfer.challenges.search import KIND, challenge_search_ids, challenges_reindex_all
from techtransfer.challenges.tests.helpers import TITLE, make_challenge, make_open_challenge
from techtransfer.market.tests.helpers import make_enterprise
from techtransfer.search.models import SearchDocument
from techtransfer.search.registry import indexers
from techtransfer.testing import Personas

pytestmark = pytest.mark.django_db
Capture = Callable[..., AbstractContextManager[Any]]


def test_a_published_challenge_is_found_by_words_of_its_problem(
    p: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    ent = make_enterprise()
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_challenge(ent)
    doc = SearchDocument.objects.get(kind=KIND, object_id=draft.pk)
    assert not doc.is_public and doc.field == "materials" and doc.district == "110108"
    assert challenge_search_ids(query="容量保持率") == []
    with django_capture_on_commit_callbacks(execute=True):
        challenge = make_open_challenge(ent, p.reviewer)
    # Word segmentation: "高温循环寿命" is not a substring of the text, its words are.
    assert challenge.pk in challenge_search_ids(query="高温循环寿命")
    assert challenge_search_ids(query="高温循环寿命", field="environment") == []
    html = Client().get(reverse("challenges:list"), {"q": "高温循环寿命"}).content.decode()
    assert TITLE in html
    with django_capture_on_commit_callbacks(execute=True):
        services.challenge_cancel(challenge=challenge, by=ent.staff, reason="取消")
    assert challenge.pk not in challenge_search_ids(query="高温循环寿命")


def test_the_rebuild_command_knows_challenges(p: Personas) -> None:
    ent = make_enterprise()
    make_open_challenge(ent, p.reviewer)
    assert KIND in indexers()
    assert challenges_reindex_all() == 1
    assert SearchDocument.objects.filter(kind=KIND, is_public=True).count() == 1
