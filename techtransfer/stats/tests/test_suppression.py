"""Small-cell suppression: primary, complementary, configurable, and only for the public."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from techtransfer.stats import queries as Q
from techtransfer.stats.engine import Agg, facts_refresh
from techtransfer.stats.tests.factories import make_contracts, make_world


@given(st.lists(st.integers(1, 12), min_size=1, max_size=12), st.integers(2, 6))
def test_a_suppressed_cell_cannot_be_recovered(counts: list[int], minimum: int) -> None:
    from django.test import override_settings

    cells = [(str(i), Agg(n, Decimal(n * 100), Decimal(n * 50))) for i, n in enumerate(counts)]
    with override_settings(STATS_MIN_CELL=minimum):
        hidden = Q._suppress(cells, public=True)
    values = dict(cells)
    assert {k for k, a in cells if a.contracts < minimum} <= hidden  # every small cell
    if hidden:
        # Never exactly one hidden cell, and the hidden cells together are not a small cell (unless everything
        # is hidden, and then the total itself is what is published, or suppressed as a small cell).
        assert len(hidden) >= 2 or len(cells) == 1
        assert sum(values[k].contracts for k in hidden) >= minimum or len(hidden) == len(cells)
    assert Q._suppress(cells, public=False) == set()


@pytest.mark.django_db
def test_public_breakdown_and_summary(settings: Any) -> None:
    world = make_world()
    day = datetime.date(2024, 4, 2)
    make_contracts(world, 10, seed=1, registered_on=day, category="development")
    make_contracts(world, 4, seed=2, registered_on=day, category="service")
    make_contracts(world, 1, seed=3, registered_on=day, category="transfer")
    facts_refresh()
    f = Q.StatFilter()
    internal = {c.key: c for c in Q.breakdown(f, "category")}
    public = {c.key: c for c in Q.breakdown(f, "category", public=True)}
    assert internal["transfer"].contracts == 1 and not internal["transfer"].suppressed
    assert public["development"].contracts == 10
    assert public["transfer"].suppressed and public["transfer"].contracts is None
    assert public["transfer"].turnover is None and public["transfer"].average_turnover is None
    # One small cell alone would be total − the rest: the next smallest (service, 4) goes too.
    assert public["service"].suppressed
    assert Q.summary(f, public=True).contracts == 15
    assert Q.summary(Q.StatFilter(category=("transfer",)), public=True).suppressed
    assert Q.count(Q.StatFilter(category=("transfer",)), public=True) is None
    settings.STATS_MIN_CELL = 1
    assert not any(c.suppressed for c in Q.breakdown(f, "category", public=True))
    settings.STATS_MIN_CELL = 5
    public = {c.key: c for c in Q.breakdown(f, "category", public=True)}
    assert public["service"].suppressed and public["transfer"].suppressed and not public["development"].suppressed


@pytest.mark.django_db
def test_public_region_groups_and_flows(settings: Any) -> None:
    world = make_world()
    make_contracts(world, 60, seed=8)
    facts_refresh()
    f = Q.StatFilter()
    groups = Q.region_groups(f, public=True)
    assert [g.key for g in groups] == list(Q.REGION_GROUP_ORDER)
    for cell in groups:
        assert cell.suppressed == (cell.contracts is None)
        assert cell.suppressed or cell.contracts >= 3 or cell.contracts == 0
    flows = Q.flows(f, "out", public=True)
    for cells in (flows.provinces, flows.abroad, flows.districts):
        hidden = [c for c in cells if c.suppressed]
        assert len(hidden) != 1 or len(cells) == 1
