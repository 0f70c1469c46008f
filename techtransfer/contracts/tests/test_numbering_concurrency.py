"""Registrars registering at the same moment get distinct, gap-free 16-digit numbers (PostgreSQL: real row
locks between connections; SQLite serialises writers, so the test runs on both)."""

import threading

import pytest
from django.db import connections

from techtransfer.accounts.models import User
from techtransfer.contracts import services
from techtransfer.contracts.models import ContractNumberSequence, TechnologyContract
from techtransfer.contracts.tests.factories import make_people, submitted

WORKERS = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_distinct_consecutive_numbers() -> None:
    people = make_people()
    ids = [submitted(people, project_name=f"并发登记{i}").pk for i in range(WORKERS)]
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def register(pk: int) -> None:
        try:
            registrar = User.objects.get(pk=people.registrar.pk)  # each thread its own objects and connection
            contract = TechnologyContract.objects.get(pk=pk)
            barrier.wait(timeout=30)
            services.contract_register(contract=contract, by=registrar)
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
    numbers = sorted(TechnologyContract.objects.filter(pk__in=ids).values_list("number", flat=True))
    assert len(set(numbers)) == WORKERS and all(len(n) == 16 for n in numbers)
    assert [int(n[-6:]) for n in numbers] == list(range(1, WORKERS + 1))
    assert ContractNumberSequence.objects.get().last == WORKERS
