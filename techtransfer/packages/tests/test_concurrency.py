"""Editors adding achievements to one package at the same moment (PostgreSQL: real transactions between
connections; SQLite serialises writers, so the test runs on both): every different achievement is added once,
in its own place; the same achievement sent at once is added once, the others are told it is there already."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from techtransfer.accounts.models import User
from techtransfer.packages import services
from techtransfer.packages.models import Package
from techtransfer.packages.tests.helpers import VACCINE, make_package, published_achievement
from techtransfer.testing import make_personas

WORKERS = 3


def race(action: Callable[[int], None]) -> tuple[int, list[BaseException]]:
    barrier = threading.Barrier(WORKERS)
    done: list[int] = []
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            action(i)
            done.append(i)
        except BaseException as exc:  # counted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return len(done), errors


class _NoCapture:
    def __call__(self, **kwargs: Any) -> Any:
        from contextlib import nullcontext

        return nullcontext()


@pytest.mark.django_db(transaction=True)
def test_adding_at_once_keeps_every_achievement_once_in_its_own_place() -> None:
    p = make_personas()
    achievements = [published_achievement(p, _NoCapture(), dict(VACCINE, name=f"{VACCINE['name']}{i}"))
                    for i in range(WORKERS)]
    package = make_package(p)

    def add(i: int) -> None:
        services.package_item_add(package=Package.objects.get(pk=package.pk), by=User.objects.get(pk=p.reviewer.pk),
                                  achievement_id=achievements[i].pk)

    done, errors = race(add)
    assert (done, errors) == (WORKERS, [])
    items = list(package.items.order_by("position"))
    assert sorted(i.achievement_id for i in items) == sorted(a.pk for a in achievements)
    assert [i.position for i in items] == list(range(WORKERS))

    other = make_package(p, title="另一个成果包")

    def same(i: int) -> None:
        services.package_item_add(package=Package.objects.get(pk=other.pk), by=User.objects.get(pk=p.reviewer.pk),
                                  achievement_id=achievements[0].pk)

    done, errors = race(same)
    assert done == 1 and len(errors) == WORKERS - 1, errors
    assert all(isinstance(e, ValidationError) and str(services.ALREADY_IN) in str(e) for e in errors)
    assert list(other.items.values_list("achievement_id", flat=True)) == [achievements[0].pk]
