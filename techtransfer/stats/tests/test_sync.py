"""The store follows registrations: the step_taken signal of the register step refreshes the month."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from techtransfer.accounts.choices import Role
from techtransfer.contracts.choices import ContractStatus
from techtransfer.contracts.models import TechnologyContract
from techtransfer.contracts.services import contract_register
from techtransfer.contracts.workflows import CONTRACT_FLOW
from techtransfer.core.workflow import step_taken
from techtransfer.stats import queries as Q
from techtransfer.stats.engine import facts_refresh
from techtransfer.stats.tests.factories import make_contracts, make_world
from techtransfer.testing import make_user

pytestmark = pytest.mark.django_db


def test_register_step_refreshes_the_month(django_capture_on_commit_callbacks: Any) -> None:
    world = make_world()
    facts_refresh()
    contract = make_contracts(world, 1, seed=1, registered_on=timezone.localdate())[0]
    assert Q.count(Q.StatFilter()) == 0
    with django_capture_on_commit_callbacks(execute=True):
        step_taken.send_robust(sender=CONTRACT_FLOW, record=contract, step=CONTRACT_FLOW.step("submit"), actor=None,
                        history=None)
    assert Q.count(Q.StatFilter()) == 0  # other steps do not refresh
    with django_capture_on_commit_callbacks(execute=True):
        step_taken.send_robust(sender=CONTRACT_FLOW, record=contract, step=CONTRACT_FLOW.step("register"), actor=None,
                        history=None)
    assert Q.count(Q.StatFilter()) == 1


def test_registration_through_the_service_reaches_the_statistics(django_capture_on_commit_callbacks: Any) -> None:
    world = make_world()
    reviewer = make_user("stats_registrar", world.point, Role.REVIEWER)
    facts_refresh()
    contract = make_contracts(world, 1, seed=2, status=ContractStatus.SUBMITTED, registered_on=None,
                              approved_technical_value=None, submitted_at=timezone.now())[0]
    contract.declared_technical_value = Decimal("1000.00")
    contract.turnover = Decimal("1500.00")
    contract.save()
    today = timezone.localdate()
    before = Q.summary(Q.StatFilter(date_from=today, date_to=today))
    assert before.contracts == 0
    with django_capture_on_commit_callbacks(execute=True):
        contract_register(contract=TechnologyContract.objects.get(pk=contract.pk), by=reviewer)
    after = Q.summary(Q.StatFilter(date_from=today, date_to=today))
    assert after.contracts == 1
    assert after.turnover == Decimal("1500.00") and after.technical_value == Decimal("1000.00")
    live = Q.live(today, public=False)
    assert live.totals.contracts == 1 and len(live.recent) == 1
    assert "project_name" not in live.recent[0]
    assert datetime.date.today() - today < datetime.timedelta(days=2)


def test_stats_rebuild_command() -> None:
    from io import StringIO

    from django.core.management import call_command

    world = make_world()
    make_contracts(world, 7, seed=3, registered_on=datetime.date(2024, 2, 29))
    out = StringIO()
    call_command("stats_rebuild", stdout=out)
    assert "7 fact rows" in out.getvalue()
    assert Q.count(Q.StatFilter()) == 7
    call_command("stats_rebuild", "--month", "2024-02", stdout=out)
    assert Q.breakdown(Q.StatFilter(), "month")[0].key == "2024-02"


def test_contracts_changed_in_bulk_refresh_their_months(django_capture_on_commit_callbacks: Any) -> None:
    from techtransfer.contracts.signals import contracts_changed_send

    world = make_world()
    facts_refresh()
    day = datetime.date(2024, 3, 15)
    make_contracts(world, 4, seed=3, registered_on=day)
    assert Q.count(Q.StatFilter()) == 0  # made in bulk: nothing told the store yet
    with django_capture_on_commit_callbacks(execute=True):
        contracts_changed_send(months=[day.replace(day=1)], source="import")
    assert Q.count(Q.StatFilter(date_from=datetime.date(2024, 3, 1), date_to=datetime.date(2024, 3, 31))) == 4


def test_warm_up_loads_the_store_before_the_first_query() -> None:
    from techtransfer.stats.engine import engines_reset, get_engine, warm_up

    world = make_world()
    make_contracts(world, 3, seed=4, registered_on=datetime.date(2025, 6, 2))
    facts_refresh()
    engines_reset()  # a new process: the files are there, nothing is loaded
    engine = get_engine()
    assert not engine._state.identities  # nothing read yet in this process
    warm_up()
    assert engine._state.identities and "2025-06" in engine._state.identities
