"""Properties: the pool is the share times the net income rounded half-up to the cent, whatever the income and
the deductions; the annual report's reward figures equal a direct sum over the payments and mobility records."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from techtransfer.deals import services_rewards as services
from techtransfer.deals.choices import CostKind
from techtransfer.deals.models import Mobility, RewardAllocation, RewardPayment, RewardPlan
from techtransfer.deals.selectors_rewards import annual_reward_figures
from techtransfer.deals.tests.test_rewards_factories import World, make_deal, make_world

pytestmark = pytest.mark.django_db

money = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999999.99"), places=2, allow_nan=False,
                    allow_infinity=False)
shares = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("9999999.9999"), places=4, allow_nan=False,
                     allow_infinity=False)
days = st.integers(0, 3 * 365).map(lambda d: datetime.date(2021, 1, 1) + datetime.timedelta(days=d))


@pytest.fixture
def world(db: None) -> World:
    return make_world()


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(gross=money, costs=st.lists(st.tuples(st.sampled_from(CostKind.values), money), max_size=5),
       year=st.sampled_from([2019, 2021]))
def test_pool_is_share_times_net_rounded_to_the_cent(world: World, gross: Decimal, costs: list[tuple[str, Decimal]],
                                                      year: int) -> None:
    """条例 Art. 12 (net income, 70% from 2020-01-01) and Law Art. 45 (50% before): pool = round(share × net),
    half-up to the cent; deductions beyond the gross are refused and leave the net unchanged."""
    by = world.p.tto_officer
    plan = services.plan_create(by=by, deal=make_deal(world), data={
        "income_date": datetime.date(year, 6, 1), "gross_income": gross,
    })
    accepted = Decimal("0")
    for kind, amount in costs:
        if accepted + amount > gross:
            with pytest.raises(ValidationError):
                services.cost_add(plan=plan, by=by, kind=kind, description="x", amount=amount)
        else:
            services.cost_add(plan=plan, by=by, kind=kind, description="x", amount=amount)
            accepted += amount
    share = Decimal("0.7") if year >= 2020 else Decimal("0.5")
    net = gross - accepted
    figures = services.plan_figures(plan)
    assert services.net_income(plan) == net == figures.net
    assert figures.pool == (share * net).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


payment_specs = st.lists(
    st.fixed_dictionaries({
        "deal": st.sampled_from(["priced", "unpriced", "transfer", "other_unit"]),
        "value": st.one_of(money.filter(lambda v: v > 0), shares),
        "tax": st.none() | money,
        "paid_on": days,
    }),
    max_size=12,
)
mobility_specs = st.lists(
    st.fixed_dictionaries({
        "kind": st.sampled_from(["part_time", "leave"]),
        "start": days,
        "length": st.none() | st.integers(0, 800),
        "other_unit": st.booleans(),
    }),
    max_size=8,
)


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payments=payment_specs, records=mobility_specs, year=st.sampled_from([2021, 2022, 2023]))
def test_annual_figures_equal_a_direct_sum(world: World, payments: list[dict[str, Any]],
                                           records: list[dict[str, Any]], year: int) -> None:
    """Domain-spec §4 (annual report, rewards and 兼职、离岗创业): the figures are the sums and counts over the
    year's payments and the records active in the year, nothing else (not another unit's)."""
    RewardPayment.objects.all().delete()
    Mobility.objects.all().delete()
    deals = {
        "priced": make_deal(world, "equity", price=Decimal("3000000"), shares=Decimal("700000")),
        "unpriced": make_deal(world, "equity", shares=Decimal("1000")),
        "transfer": make_deal(world, "transfer"),
        "other_unit": make_deal(world, shanghai=True),
    }
    allocations = {}
    for key, deal in deals.items():
        plan = RewardPlan.objects.create(deal=deal, income_date=datetime.date(2021, 1, 1), status="approved")
        form = "equity" if deal.mode == "equity" else "cash"
        allocations[key] = RewardAllocation.objects.create(plan=plan, person_name="甲", form=form,
                                                           amount=None if form == "equity" else Decimal("1E12"),
                                                           shares=Decimal("1E12") if form == "equity" else None)
    expected: dict[str, Any] = {
        "cash_amount": Decimal("0"), "cash_person_times": 0, "equity_shares": Decimal("0"),
        "equity_person_times": 0, "equity_value": Decimal("0"), "tax_withheld": Decimal("0"),
    }
    for spec in payments:
        allocation = allocations[spec["deal"]]
        equity = allocation.form == "equity"
        value = spec["value"].quantize(Decimal("0.0001") if equity else Decimal("0.01"))
        if value <= 0:
            continue
        RewardPayment.objects.create(allocation=allocation, paid_on=spec["paid_on"], amount=None if equity else value,
                                     shares=value if equity else None, tax_withheld=spec["tax"])
        if spec["deal"] == "other_unit" or spec["paid_on"].year != year:
            continue
        if equity:
            expected["equity_shares"] += value
            expected["equity_person_times"] += 1
            if spec["deal"] == "priced":
                expected["equity_value"] += value * Decimal("3000000") / Decimal("700000")
        else:
            expected["cash_amount"] += value
            expected["cash_person_times"] += 1
        expected["tax_withheld"] += spec["tax"] or Decimal("0")
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    expected["part_time"] = expected["leave"] = 0
    for spec in records:
        finish = None if spec["length"] is None else spec["start"] + datetime.timedelta(days=spec["length"])
        Mobility.objects.create(organisation=world.shanghai if spec["other_unit"] else world.p.university,
                                person_name="乙", kind=spec["kind"], enterprise="某公司", start=spec["start"], end=finish)
        if not spec["other_unit"] and spec["start"] <= end and (finish is None or finish >= start):
            expected[spec["kind"]] += 1
    figures = annual_reward_figures(world.p.university, year)
    value_expected = expected.pop("equity_value").quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    value_actual = figures.pop("equity_value")
    # Per-row division in the database may round differently in the last place before the final rounding.
    assert abs(value_actual - value_expected) <= Decimal("0.01")
    assert figures == expected
