"""Indexing through the job backends a deployment uses: a record saved in a request is searchable and has
its vector once a worker (`run_jobs`) has run the jobs, with the database queue and with Redis."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command

from techtransfer.achievements import services
from techtransfer.matching.indexing import index_progress
from techtransfer.matching.models import DocumentVector
from techtransfer.search.models import SearchDocument
from techtransfer.testing import make_achievement, make_personas

pytestmark = pytest.mark.django_db(transaction=True)  # jobs are queued on real commits


@pytest.fixture
def redis_queue(settings: object) -> Iterator[None]:
    import redis

    settings.JOBS_BACKEND = "redis"  # type: ignore[attr-defined]
    key = settings.JOBS_REDIS_KEY = f"techtransfer:test-matching:{uuid.uuid4().hex}"  # type: ignore[attr-defined]
    client = redis.Redis.from_url(settings.REDIS_URL)  # type: ignore[attr-defined]
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail("No Redis at REDIS_URL; these tests need one (it runs in CI).")
    yield
    client.delete(key, f"{key}:delayed", f"{key}:failed")


def publish_and_work() -> int:
    personas = make_personas()
    a = make_achievement(personas)
    services.achievement_submit(achievement=a, by=personas.tto_officer)
    services.achievement_register(achievement=a, by=personas.reviewer)
    assert not SearchDocument.objects.filter(object_id=a.pk, kind="achievement", is_public=True).exists()
    # The worker drains the queue; the jobs it runs queue the next ones (vectors, profiles): a few rounds.
    for _ in range(3):
        call_command("run_jobs", "--once", stdout=StringIO(), stderr=StringIO())
    return a.pk


def test_the_database_queue_indexes_and_embeds_a_published_record(settings: object) -> None:
    settings.JOBS_BACKEND = "db"  # type: ignore[attr-defined]
    pk = publish_and_work()
    doc = SearchDocument.objects.get(kind="achievement", object_id=pk)
    assert doc.is_public and DocumentVector.objects.filter(document=doc).exists()
    assert index_progress().pending == 0 and index_progress().jobs_pending == 0


def test_the_redis_queue_indexes_and_embeds_a_published_record(redis_queue: None) -> None:
    pk = publish_and_work()
    doc = SearchDocument.objects.get(kind="achievement", object_id=pk)
    assert doc.is_public and DocumentVector.objects.filter(document=doc).exists()
    assert index_progress().pending == 0
