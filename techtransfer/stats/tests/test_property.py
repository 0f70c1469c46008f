"""Property: for random filters and periods, the statistics' totals equal a direct sum over the contracts."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from techtransfer.stats import facts as F
from techtransfer.stats import queries as Q
from techtransfer.stats.engine import facts_refresh, get_engine
from techtransfer.stats.tests.factories import make_contracts, make_world

pytestmark = pytest.mark.django_db

ENGINES = ["duckdb", "orm"] + (["postgres"] if connection.vendor == "postgresql" else [])
DAY0 = datetime.date(2022, 12, 1)


def _codes(*values: str) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(values), max_size=3, unique=True).map(tuple)


filters = st.builds(
    Q.StatFilter,
    date_from=st.none() | st.integers(0, 1200).map(lambda d: DAY0 + datetime.timedelta(days=d)),
    date_to=st.none() | st.integers(0, 1300).map(lambda d: DAY0 + datetime.timedelta(days=d)),
    category=_codes("development", "transfer", "licence", "consulting", "service"),
    subtype=_codes("commissioned", "patent", "service", "training"),
    tech_field=_codes("01", "02", "04", "07", "11"),
    seller_group=_codes("enterprise", "university", "institute", "other", "government"),
    buyer_group=_codes("enterprise", "university", "individual", "medical"),
    ip_type=_codes("00", "01", "02", "03"),
    plan_source=_codes("10", "20", "50"),
    objective=_codes("01", "03", "07"),
    industry=_codes("A", "C", "I", "M"),
    seller_district=_codes("110108", "110105", "110101"),
    buyer_province=_codes("11", "12", "13", "44", "81"),
    buyer_scope=_codes("beijing", "other_province", "hmt", "abroad"),
    region_group=_codes("east", "central", "west", "northeast", "jjj", "jinji", "yrd", "gba", "hmt", "abroad"),
    affiliation=_codes("central", "local", "none"),
    landed_beijing=st.none() | st.booleans(),
)

GROUP_TEST = {
    "east": lambda r: r["buyer_econ_region"] == "east",
    "central": lambda r: r["buyer_econ_region"] == "central",
    "west": lambda r: r["buyer_econ_region"] == "west",
    "northeast": lambda r: r["buyer_econ_region"] == "northeast",
    "jjj": lambda r: r["buyer_province"] in ("11", "12", "13"),
    "jinji": lambda r: r["buyer_province"] in ("12", "13"),
    "yrd": lambda r: r["buyer_province"] in ("31", "32", "33", "34"),
    "gba": lambda r: r["buyer_province"] in ("81", "82") or r["buyer_region"][:4] in (
        "4401", "4403", "4404", "4406", "4407", "4412", "4413", "4419", "4420"),
    "hmt": lambda r: r["buyer_scope"] == "hmt",
    "abroad": lambda r: r["buyer_scope"] == "abroad",
}


def matches(f: Q.StatFilter, r: dict[str, Any]) -> bool:
    if f.date_from and r["registered_on"] < f.date_from:
        return False
    if f.date_to and r["registered_on"] > f.date_to:
        return False
    for name, column in Q.CODE_FILTERS.items():
        values = getattr(f, name)
        if not values:
            continue
        if name == "region_group":
            if not any(GROUP_TEST[g](r) for g in values):
                return False
        elif name == "affiliation":
            if (r[column] or "none") not in values:
                return False
        elif r[column] not in values:
            return False
    return f.landed_beijing is None or r["landed_beijing"] == f.landed_beijing


@pytest.fixture
def contracts(settings: Any) -> list[dict[str, Any]]:
    world = make_world()
    make_contracts(world, 90, seed=11, unregistered=6)
    rows = [dict(zip(F.FACT_NAMES, row, strict=True)) for batch in F.fact_batches() for row in batch]
    for name in ENGINES:
        settings.STATS_ENGINE = name
        facts_refresh()
    return rows


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(f=filters)
def test_totals_equal_direct_sums(settings: Any, contracts: list[dict[str, Any]], f: Q.StatFilter) -> None:
    chosen = [r for r in contracts if matches(f, r)]
    expected = (len(chosen), sum((r["turnover"] for r in chosen), Decimal("0.00")),
                sum((r["technical_value"] for r in chosen), Decimal("0.00")))
    for name in ENGINES:
        settings.STATS_ENGINE = name
        total = Q.summary(f)
        assert (total.contracts, total.turnover, total.technical_value) == expected, name
        # The parts of a breakdown add up to the total.
        cells = Q.breakdown(f, "tech_field")
        assert sum(c.contracts or 0 for c in cells) == expected[0], name
        assert sum((c.turnover or Decimal(0) for c in cells), Decimal(0)) == expected[1], name
        assert get_engine().name == name


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(f=filters)
def test_filter_round_trips_through_the_query_string(f: Q.StatFilter) -> None:
    assert Q.StatFilter(**{**f.__dict__}).to_query().urlencode() == f.to_query().urlencode()
    parsed = Q.StatFilter.from_query.__func__  # type: ignore[attr-defined]
    back = parsed(Q.StatFilter, f.to_query()) if not (f.date_from and f.date_to and f.date_from > f.date_to) else f
    assert back == f
