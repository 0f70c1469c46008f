"""Two filings of one year, or two requests for help on one demand, sent at the same moment: one is recorded,
the other is told it exists already (PostgreSQL: real transactions between connections; SQLite serialises
writers, so the test runs on both)."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connections

from techtransfer.accounts.models import User
from techtransfer.agencies import services
from techtransfer.agencies.models import Agency, AgencyFiling, HelpRequest
from techtransfer.agencies.tests.helpers import list_it, make_broker, make_world
from techtransfer.core.exceptions import ApplicationError
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.tests.helpers import make_published
from techtransfer.testing import make_personas

WORKERS = 4


def race(action: Callable[[int], None]) -> tuple[int, list[BaseException]]:
    """Run `action(i)` in WORKERS threads released together; returns how many succeeded and the errors."""
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


@pytest.mark.django_db(transaction=True)
def test_a_year_is_filed_once_even_when_sent_twice_at_once() -> None:
    w = make_world(make_personas())
    agency = list_it(make_broker(w.loner), w.loner, w.p.reviewer, on=datetime.date(2024, 5, 10))

    def file(i: int) -> None:
        services.filing_submit(
            agency=Agency.objects.get(pk=agency.pk), by=User.objects.get(pk=w.loner.pk), year=2024,
            data={"contracts_brokered": i, "turnover": Decimal("1000")}, today=datetime.date(2025, 2, 1),
        )

    done, errors = race(file)
    assert done == 1 and len(errors) == WORKERS - 1
    assert all(isinstance(e, ApplicationError) for e in errors), errors
    assert AgencyFiling.objects.filter(agency=agency, year=2024).count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_open_request_for_help_per_agency_and_demand() -> None:
    w = make_world(make_personas())
    agency = list_it(make_broker(w.loner), w.loner, w.p.reviewer)
    demand = make_published(w.ent, w.p.reviewer)

    def ask(i: int) -> None:
        services.help_request_open(
            by=User.objects.get(pk=(w.ent.staff if i % 2 else w.ent.colleague).pk),
            agency=Agency.objects.get(pk=agency.pk), demand=TechnologyDemand.objects.get(pk=demand.pk),
            message=f"请协助 {i}",
        )

    done, errors = race(ask)
    assert done == 1 and all(isinstance(e, ApplicationError) for e in errors), errors
    assert HelpRequest.objects.count() == 1
