"""Two requests at the same moment, with real threads and connections (PostgreSQL row locks; SQLite's
IMMEDIATE transactions serialise writers): one open consultation per enterprise and expert, one answer per
visit record."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections

from techtransfer.core.exceptions import ApplicationError
from techtransfer.talent import services
from techtransfer.talent.models import Consultation, Visit
from techtransfer.talent.tests.helpers import make_scheme, make_visit
from techtransfer.testing import make_personas

pytestmark = pytest.mark.django_db(transaction=True)


def race(jobs: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results.append(job())
        except BaseException as exc:  # reported to the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


def test_two_requests_to_the_same_expert_at_once_make_one_consultation() -> None:
    s = make_scheme(make_personas())
    staff_id, expert = s.staff.pk, s.expert

    def ask() -> Consultation:
        staff = type(s.staff).objects.get(pk=staff_id)
        return services.consultation_ask(by=staff, expert=expert, message="同时提交的咨询")

    results, errors = race([ask, ask])
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], ApplicationError)
    assert Consultation.objects.count() == 1


def test_confirm_and_dispute_at_once_leave_one_answer() -> None:
    s = make_scheme(make_personas())
    visit = make_visit(s)
    staff_id = s.staff.pk

    def answer(disputed: bool) -> Callable[[], Visit]:
        def job() -> Visit:
            staff = type(s.staff).objects.get(pk=staff_id)
            return services.visit_confirm(visit=visit, by=staff, disputed=disputed, note="有出入" if disputed else "")
        return job

    results, errors = race([answer(False), answer(True)])
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], ApplicationError)
    visit.refresh_from_db()
    assert visit.confirmation == results[0].confirmation
