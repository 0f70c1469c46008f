"""The engines agree with each other and with sums taken directly over the contracts."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from techtransfer.contracts.models import TechnologyContract
from techtransfer.stats import facts as F
from techtransfer.stats import queries as Q
from techtransfer.stats.engine import DuckDBEngine, facts_refresh, get_engine
from techtransfer.stats.tests.factories import make_contracts, make_world

pytestmark = pytest.mark.django_db

ENGINES = ["duckdb", "orm", "duckdb-parquet", "duckdb-nocube"] + (["postgres"] if connection.vendor == "postgresql" else [])


def _use(settings: Any, name: str) -> None:
    settings.STATS_ENGINE = "duckdb" if name.startswith("duckdb") else name
    settings.STATS_DUCKDB_MODE = "parquet" if name == "duckdb-parquet" else "memory"
    settings.STATS_DUCKDB_CUBES = name != "duckdb-nocube"


def _direct(rows: list[dict[str, Any]], column: str) -> dict[Any, tuple[int, Decimal, Decimal]]:
    out: dict[Any, tuple[int, Decimal, Decimal]] = {}
    for r in rows:
        n, t, v = out.get(r[column], (0, Decimal(0), Decimal(0)))
        out[r[column]] = (n + 1, t + r["turnover"], v + r["technical_value"])
    return out


def _fact_dicts() -> list[dict[str, Any]]:
    return [dict(zip(F.FACT_NAMES, row, strict=True)) for batch in F.fact_batches() for row in batch]


def test_fact_rows_resolve_codes_roll_ups_and_places() -> None:
    world = make_world()
    make_contracts(world, 40, seed=3, unregistered=5)
    rows = _fact_dicts()
    assert len(rows) == 40  # drafts, submissions and refusals are not counted
    for row in rows:
        contract = TechnologyContract.objects.get(pk=row["id"])
        assert row["technical_value"] == contract.technical_value
        assert row["seller_group"] == F.party_group(row["seller_nature"])
        assert row["year"] == contract.registered_on.year
        if contract.industry_id:
            assert row["industry"] == (contract.industry.parent or contract.industry).code
        if contract.plan_source_id:
            assert row["plan_source"] == (contract.plan_source.parent or contract.plan_source).code
        assert row["buyer_scope"] in ("beijing", "other_province", "hmt", "abroad", "")
        assert row["landed_beijing"] == (row["buyer_province"] == "11")


def test_derivations() -> None:
    assert F.party_group("0221") == "university"
    assert F.party_group("0211") == "institute"
    assert F.party_group("024") == "other"
    assert F.party_group("0111") == "government"
    assert F.party_group("310") == "enterprise"
    assert F.party_group("400") == "individual"
    assert F.party_group("") == ""
    assert F.seller_place("110108") == ("110108", "11")
    assert F.seller_place("110000") == ("", "11")
    assert F.seller_place("120101") == ("", "12")
    assert F.buyer_place("440305", "142") == F.BuyerPlace("142", "440305", "44", "other_province")
    assert F.buyer_place("110105", "") == F.BuyerPlace("142", "110105", "11", "beijing")
    assert F.buyer_place("", "110").scope == "hmt" and F.buyer_place("", "110").province == "81"
    assert F.buyer_place("710000", "").country == "143"
    assert F.buyer_place("", "502") == F.BuyerPlace("502", "", "", "abroad")
    assert F.buyer_place("900000", "").scope == "abroad"
    assert F.buyer_place("", "").scope == ""
    assert F.region_flags(F.buyer_place("440305", "142")) == ("east", False, False, False, True)
    assert F.region_flags(F.buyer_place("130102", "142")) == ("east", True, True, False, False)
    assert F.region_flags(F.buyer_place("340102", "142")) == ("central", False, False, True, False)
    assert F.region_flags(F.buyer_place("", "121")) == ("", False, False, False, True)


@pytest.mark.parametrize("engine", ENGINES)
def test_engines_match_direct_sums(settings: Any, engine: str) -> None:
    world = make_world()
    make_contracts(world, 120, seed=5, unregistered=10)
    _use(settings, engine)
    facts_refresh()
    rows = _fact_dicts()
    f = Q.StatFilter()
    total = Q.summary(f)
    assert total.contracts == len(rows)
    assert total.turnover == sum(r["turnover"] for r in rows)
    assert total.technical_value == sum(r["technical_value"] for r in rows)
    for by, column in [("category", "category"), ("tech_field", "tech_field"), ("seller_group", "seller_group"),
                       ("buyer_group", "buyer_group"), ("plan_source", "plan_source"), ("industry", "industry"),
                       ("buyer_province", "buyer_province"), ("buyer_scope", "buyer_scope"),
                       ("seller_district", "seller_district"), ("affiliation", "seller_affiliation"),
                       ("year", "year")]:
        expected = {str(k): v for k, v in _direct(rows, column).items()}
        got = {c.key: (c.contracts, c.turnover, c.technical_value) for c in Q.breakdown(f, by)}
        assert got == expected, by
    months = {c.key: c.contracts for c in Q.breakdown(f, "month")}
    assert sum(months.values()) == len(rows)
    assert all(len(k) == 7 for k in months)


def test_engines_agree_on_filtered_pages(settings: Any) -> None:
    world = make_world()
    make_contracts(world, 150, seed=7)
    f = Q.StatFilter(
        date_from=datetime.date(2023, 6, 1), date_to=datetime.date(2025, 6, 30),
        category=("development", "service"), region_group=("east", "abroad", "gba"),
    )
    results = {}
    for engine in ENGINES:
        _use(settings, engine)
        facts_refresh()
        results[engine] = (
            Q.overview(f), Q.flows(f, "out"), Q.flows(f, "in"), Q.region_groups(f), Q.count(f),
            Q.breakdown(f, "month"), Q.breakdown(Q.StatFilter(landed_beijing=False, tech_field=("01", "04")),
                                                 "buyer_country"),
        )
    first = results["orm"]
    for engine, result in results.items():
        assert result == first, engine
    assert first[4] > 0


def test_store_follows_changes_of_a_month(settings: Any) -> None:
    world = make_world()
    day = datetime.date(2024, 5, 10)
    make_contracts(world, 10, seed=1, registered_on=day)
    facts_refresh()
    engine = get_engine()
    assert isinstance(engine, DuckDBEngine)
    assert Q.count(Q.StatFilter()) == 10
    make_contracts(world, 5, seed=2, registered_on=day)
    assert Q.count(Q.StatFilter()) == 10  # not refreshed yet
    facts_refresh(["2024-05"])
    assert Q.count(Q.StatFilter()) == 15
    # A new code (a region never seen before) makes the reader rebuild its ENUMs.
    TechnologyContract.objects.filter(registered_on=day).update(
        buyer_region=world.codes["region"]["650102"], buyer_country=None
    )
    facts_refresh(["2024-05"])
    assert {c.key for c in Q.breakdown(Q.StatFilter(), "buyer_province")} == {"65"}
    TechnologyContract.objects.all().delete()
    facts_refresh(["2024-05"])
    assert Q.count(Q.StatFilter()) == 0


def test_readers_in_other_processes_see_partitions(settings: Any, stats_store: Any) -> None:
    """A second reader (as another web process would have) sees what the writer wrote."""
    world = make_world()
    make_contracts(world, 12, seed=4)
    facts_refresh()
    other = DuckDBEngine(stats_store, check_seconds=0.0)
    mine = get_engine().aggregate(Q.StatFilter().where(), [("category",)])
    theirs = other.aggregate(Q.StatFilter().where(), [("category",)])
    assert sorted(mine[0]) == sorted(theirs[0])


def test_monthly_pre_aggregates_answer_whole_months_only(settings: Any) -> None:
    world = make_world()
    make_contracts(world, 80, seed=12)
    facts_refresh()
    engine = get_engine()
    assert isinstance(engine, DuckDBEngine)
    engine.sync(force=True)
    month = Q.StatFilter(date_from=datetime.date(2024, 1, 1), date_to=datetime.date(2024, 12, 31))
    assert engine._cube_for(month.where(), [("category",), ("year",)]) == "cube_overview"
    assert engine._cube_for(month.where(), [("buyer_province", "buyer_scope")]) == "cube_places"
    assert engine._cube_for(month.where(), [("ip_type",)]) is None
    days = Q.StatFilter(date_from=datetime.date(2024, 1, 2), date_to=datetime.date(2024, 12, 31))
    assert engine._cube_for(days.where(), [("category",)]) is None
    with_cube = (Q.overview(month), Q.flows(month), Q.region_groups(month), Q.breakdown(month, "month"))
    settings.STATS_DUCKDB_CUBES = False
    assert (Q.overview(month), Q.flows(month), Q.region_groups(month), Q.breakdown(month, "month")) == with_cube


def test_recent_and_live(settings: Any) -> None:
    world = make_world()
    day = datetime.date(2025, 3, 3)
    make_contracts(world, 6, seed=9, registered_on=day)
    make_contracts(world, 3, seed=10, registered_on=day - datetime.timedelta(days=1))
    for engine in ENGINES:
        _use(settings, engine)
        facts_refresh()
        live = Q.live(day, limit=4, public=False)
        assert live.totals.contracts == 6
        assert len(live.recent) == 4
        assert set(live.recent[0]) == {
            "registered_at", "category", "category_label", "tech_field", "tech_field_label", "district",
            "district_label", "turnover", "technical_value",
        }
        assert live.flows.total.contracts == sum(
            1 for c in TechnologyContract.objects.filter(registered_on=day)
            if c.seller_region is None or c.seller_region.code.startswith("11")
        )
