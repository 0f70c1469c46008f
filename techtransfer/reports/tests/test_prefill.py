"""Property: the prefilled figures equal direct sums over the deals, contracts and reward payments of the year;
classified achievements' deals are excluded (domain-spec §4 [S54][S56]); a deal counts in the year of its
completion's local date (Asia/Shanghai); size bands at 100万 and 1亿 元 (domain-spec §4, national summary
reports [S26][S51])."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from techtransfer.achievements.choices import Secrecy
from techtransfer.deals.choices import DealStatus
from techtransfer.reports import services
from techtransfer.reports.selectors import platform_figures, reward_figures
from techtransfer.reports.tests.factories import World, contract, deal, local, payment

pytestmark = pytest.mark.django_db
YEAR = 2025

prices = st.one_of(
    st.none(),
    st.sampled_from([Decimal("999999.99"), Decimal("1000000"), Decimal("99999999.99"), Decimal("100000000")]),
    st.decimals(min_value=0, max_value=300_000_000, places=2, allow_nan=False, allow_infinity=False),
)
# Completion moments around the year's edges in Shanghai time (23:30 on 31 December is still that year).
moments = st.sampled_from([
    local(YEAR, 1, 1, 0, 5), local(YEAR, 6, 30), local(YEAR, 12, 31, 23, 30), local(YEAR - 1, 12, 31, 23, 59),
    local(YEAR + 1, 1, 1, 0, 1),
])
deals_st = st.lists(
    st.tuples(st.sampled_from(["transfer", "licence", "equity", "own"]), prices, moments,
              st.sampled_from([Secrecy.NONE, Secrecy.NONE, Secrecy.SECRET]),
              st.sampled_from([DealStatus.COMPLETED, DealStatus.COMPLETED, DealStatus.PUBLICITY]),
              st.sampled_from(["", "甲公司", "乙公司"])),
    max_size=8,
)
contracts_st = st.lists(
    st.tuples(st.sampled_from(["development", "consulting", "service", "transfer", "licence"]),
              st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False),
              st.booleans(), st.sampled_from([YEAR, YEAR, YEAR - 1])),
    max_size=8,
)
payments_st = st.lists(
    st.tuples(st.sampled_from(["cash", "equity"]),
              st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False),
              st.sampled_from([YEAR, YEAR, YEAR + 1]), st.just(False)),
    max_size=6,
)


def _in_year(moment: datetime.datetime) -> bool:
    return moment.astimezone(local(YEAR, 1, 1).tzinfo).year == YEAR


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(deals_spec=deals_st, contracts_spec=contracts_st, payments_spec=payments_st)
def test_prefill_totals_equal_direct_sums(w: World, deals_spec: list, contracts_spec: list,
                                          payments_spec: list) -> None:
    with transaction.atomic():
        unit = w.university
        made = [deal(unit, mode=m, price=p, completed_at=t, secrecy=s, status=st_, company=c)
                for m, p, t, s, st_, c in deals_spec]
        deal(w.institute, mode="transfer", price=Decimal("5"), completed_at=local(YEAR, 5, 1))  # another unit's
        for category, turnover, approved, year in contracts_spec:
            contract(unit, w.registry, category=category, turnover=turnover,
                     approved=(turnover / 2).quantize(Decimal("0.01")) if approved else None,
                     registered_on=datetime.date(year, 7, 1))
        anchor = deal(unit, mode="transfer", price=None, completed_at=local(YEAR - 3, 1, 1))
        secret_anchor = deal(unit, mode="transfer", price=None, completed_at=local(YEAR - 3, 1, 1),
                             secrecy=Secrecy.SECRET)
        for form, amount, year, secret in payments_spec:
            payment(secret_anchor if secret else anchor, form=form, paid_on=datetime.date(year, 3, 1),
                    amount=amount if form == "cash" else None, shares=amount if form == "equity" else None,
                    tax=(amount / 10).quantize(Decimal("0.01")))

        report = services.report_create(by=w.uni_tto, organisation=unit, year=YEAR)
        values = report.prefilled
        assert values == platform_figures(unit, YEAR).values

        counted = [d for d in made if d.status == DealStatus.COMPLETED and d.achievement.secrecy == Secrecy.NONE
                   and _in_year(d.completed_at)]
        for mode in ("transfer", "licence", "equity"):
            rows = [d for d in counted if d.mode == mode]
            assert values[f"{mode}_count"] == len(rows)
            assert Decimal(values[f"{mode}_amount"]) == sum((d.price or 0 for d in rows), Decimal("0"))
            assert values[f"{mode}_count_1m"] == sum(1 for d in rows if (d.price or 0) >= 1_000_000)
            assert values[f"{mode}_count_100m"] == sum(1 for d in rows if (d.price or 0) >= 100_000_000)
        three = [d for d in counted if d.mode in ("transfer", "licence", "equity")]
        assert values["total_count"] == len(three)
        assert Decimal(values["total_amount"]) == sum((d.price or 0 for d in three), Decimal("0"))
        assert values["companies_created"] == len({d.company_name for d in counted
                                                   if d.mode == "equity" and d.company_name})
        assert [p["deal"] for p in report.projects] == [d.pk for d in sorted(counted,
                                                                             key=lambda d: (d.completed_at, d.pk))]

        for category in ("development", "consulting", "service"):
            rows = [(t, a) for c, t, a, y in contracts_spec if c == category and y == YEAR]
            assert values[f"{category}_count"] == len(rows)
            assert Decimal(values[f"{category}_turnover"]) == sum((t for t, _a in rows), Decimal("0"))
            technical = sum(((t / 2).quantize(Decimal("0.01")) if a else t for t, a in rows), Decimal("0"))
            assert Decimal(values[f"{category}_technical_value"]) == technical
        for category in ("transfer", "licence"):
            rows = [t for c, t, _a, y in contracts_spec if c == category and y == YEAR]
            assert values[f"contracts_{category}_count"] == len(rows)
            assert Decimal(values[f"contracts_{category}_turnover"]) == sum(rows, Decimal("0"))

        # Classified achievements' rewards: see test_classified_rewards_excluded (the deals app's rule).
        paid = [(f, a) for f, a, y, secret in payments_spec if y == YEAR]
        assert Decimal(values["cash_amount"]) == sum((a for f, a in paid if f == "cash"), Decimal("0"))
        assert Decimal(values["equity_shares"]) == sum((a for f, a in paid if f == "equity"), Decimal("0"))
        assert Decimal(values["tax_withheld"]) == sum(((a / 10).quantize(Decimal("0.01")) for _f, a in paid),
                                                      Decimal("0"))
        rewards = reward_figures(unit, YEAR)
        assert values["cash_person_times"] == rewards["cash_person_times"]
        assert values["equity_person_times"] == rewards["equity_person_times"]
        transaction.set_rollback(True)


def test_corrections_are_kept_apart_from_the_platform(w: World) -> None:
    """The unit's corrected figure counts, the platform's stays visible; prefilling again keeps corrections;
    bad input is a field error."""
    deal(w.university, mode="licence", price=Decimal("2000000"), completed_at=local(YEAR, 3, 3))
    report = services.report_create(by=w.uni_tto, organisation=w.university, year=YEAR)
    assert report.prefilled["licence_count"] == 1
    report = services.report_update(report=report, by=w.uni_tto, data={"part1_work": "开展了工作"},
                                    overrides={"licence_count": "2", "transfer_amount": "1,500.5",
                                               "equity_count": "0"})
    assert report.overrides == {"licence_count": 2, "transfer_amount": "1500.50"}  # 0 equals the platform's
    assert report.figure("licence_count") == 2 and report.prefilled["licence_count"] == 1
    assert report.figure("total_count") == 2  # a total follows its corrected parts
    assert report.figure("total_amount") == "2001500.50"
    with pytest.raises(Exception) as exc:
        services.report_update(report=report, by=w.uni_tto, data={}, overrides={"total_count": "9"})
    assert "total_count" in exc.value.message_dict
    deal(w.university, mode="licence", price=Decimal("1"), completed_at=local(YEAR, 4, 4))
    report = services.report_prefill(report=report, by=w.uni_tto)
    assert report.prefilled["licence_count"] == 2 and report.overrides["licence_count"] == 2
    with pytest.raises(Exception) as exc:
        services.report_update(report=report, by=w.uni_tto, data={}, overrides={"licence_count": "-1",
                                                                                 "cash_amount": "1.001"})
    assert set(exc.value.message_dict) == {"licence_count", "cash_amount"}
    report = services.report_update(report=report, by=w.uni_tto, data={}, overrides={"licence_count": ""})
    assert "licence_count" not in report.overrides


def test_only_reporting_units_report(w: World) -> None:
    """Universities, institutes, hospitals report; an enterprise does not unless the commission adds it as a
    new-type R&D institution with public-institution status ([S26])."""
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.report_create(by=w.outsider, organisation=w.enterprise, year=YEAR)
    with pytest.raises(PermissionDenied):
        services.report_create(by=w.uni_tto, organisation=w.institute, year=YEAR)
    services.reporting_unit_add(by=w.admin, organisation=w.enterprise)
    assert services.report_create(by=w.outsider, organisation=w.enterprise, year=YEAR).pk


def test_classified_rewards_excluded(w: World) -> None:
    """Classified achievements are excluded from the report (domain-spec §4 [S54][S56]), their rewards too."""
    secret = deal(w.university, mode="transfer", price=Decimal("10"), completed_at=local(YEAR, 2, 2),
                  secrecy=Secrecy.SECRET)
    payment(secret, form="cash", paid_on=datetime.date(YEAR, 3, 1), amount=Decimal("100"))
    values = platform_figures(w.university, YEAR).values
    assert values["transfer_count"] == 0
    assert Decimal(values["cash_amount"]) == 0
