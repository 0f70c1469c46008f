"""The PostgreSQL engine (a deployment beyond one machine): a fact table kept in step month by month."""

import datetime
from typing import Any

import pytest
from django.db import connection

from techtransfer.contracts.models import TechnologyContract
from techtransfer.stats import queries as Q
from techtransfer.stats.engine import PostgresEngine, facts_refresh, get_engine
from techtransfer.stats.tests.factories import make_contracts, make_world

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL engine needs PostgreSQL"),
]


def test_fact_table_refresh_and_queries(settings: Any) -> None:
    settings.STATS_ENGINE = "postgres"
    world = make_world()
    day = datetime.date(2024, 9, 9)
    make_contracts(world, 20, seed=1, registered_on=day)
    make_contracts(world, 7, seed=2, registered_on=datetime.date(2024, 10, 1))
    engine = get_engine()
    assert isinstance(engine, PostgresEngine)
    assert facts_refresh() == 27
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM stats_fact_test")
        assert cursor.fetchone()[0] == 27
    assert Q.count(Q.StatFilter()) == 27
    # One month replaced, the other untouched.
    TechnologyContract.objects.filter(registered_on=day).delete()
    assert facts_refresh(["2024-09"]) == 0
    assert Q.count(Q.StatFilter()) == 7
    assert {c.key for c in Q.breakdown(Q.StatFilter(), "month")} == {"2024-10"}
    # The same answers as the ORM.
    f = Q.StatFilter(region_group=("east", "abroad"))
    pages = (Q.overview(f), Q.flows(f), Q.region_groups(f))
    settings.STATS_ENGINE = "orm"
    assert (Q.overview(f), Q.flows(f), Q.region_groups(f)) == pages
