"""Two (and more) reviewers registering at the same moment get distinct, gap-free numbers."""

import threading

import pytest
from django.db import connections

from techtransfer.achievements import services
from techtransfer.achievements.models import Achievement, NumberSequence
from techtransfer.testing import make_achievement, make_personas

WORKERS = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_distinct_consecutive_numbers() -> None:
    p = make_personas()
    ids = []
    for _ in range(WORKERS):
        a = make_achievement(p)
        services.achievement_submit(achievement=a, by=p.tto_officer)
        ids.append(a.pk)

    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def register(pk: int) -> None:
        try:
            reviewer = type(p.reviewer).objects.get(pk=p.reviewer.pk)  # each thread its own user object
            achievement = Achievement.objects.get(pk=pk)
            barrier.wait(timeout=30)
            services.achievement_register(achievement=achievement, by=reviewer)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(pk,)) for pk in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert errors == []
    numbers = sorted(Achievement.objects.filter(pk__in=ids).values_list("registration_number", flat=True))
    assert len(set(numbers)) == WORKERS
    assert [int(n[-4:]) for n in numbers] == list(range(1, WORKERS + 1))
    assert NumberSequence.objects.get().last == WORKERS
