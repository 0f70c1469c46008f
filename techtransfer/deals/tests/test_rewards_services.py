"""Income distribution (S9) against the real database: net income, the rule chosen, the pool, allocations,
approval and payments. Each test names the rule's source."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.models import AuditEvent
from techtransfer.deals import services_rewards as services
from techtransfer.deals.choices import CostKind, RewardPlanStatus
from techtransfer.deals.models import RewardRuleSet, UnitRewardRule
from techtransfer.deals.tests.test_rewards_factories import World, cash, make_deal, make_plan, make_world
from techtransfer.testing import pdf_upload

pytestmark = pytest.mark.django_db

BEIJING = "北京市促进科技成果转化条例"


@pytest.fixture
def world(db: None) -> World:
    return make_world()


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# ---------------------------------------------------------------- net income


def test_net_income_deducts_every_cost_kind(world: World) -> None:
    """条例 Art. 12 (Beijing): net income = gross − transaction taxes − maintenance (patent fees) − direct
    transaction costs (evaluation, appraisal, negotiation, other)."""
    plan = make_plan(world, make_deal(world), gross_income=Decimal("1000000"))
    by = world.p.tto_officer
    amounts = {
        CostKind.TAX: "60000", CostKind.MAINTENANCE: "12000.50", CostKind.EVALUATION: "8000",
        CostKind.APPRAISAL: "3000", CostKind.NEGOTIATION: "1500", CostKind.OTHER_DIRECT: "499.50",
    }
    for kind, amount in amounts.items():
        services.cost_add(plan=plan, by=by, kind=kind, description=str(kind), amount=Decimal(amount),
                          evidence=pdf_upload(f"{kind}.pdf"))
    assert services.net_income(plan) == Decimal("915000.00")
    figures = services.plan_figures(plan)
    assert figures.net == Decimal("915000.00")
    assert figures.pool == Decimal("640500.00")  # 70% of the net
    assert plan.costs.filter(evidence="").count() == 0
    assert AuditEvent.objects.filter(action="reward_cost.add").count() == 6


def test_costs_above_the_gross_are_refused_at_the_amount(world: World) -> None:
    """条例 Art. 12: the net income is what remains of the gross; it cannot be negative."""
    plan = make_plan(world, make_deal(world), gross_income=Decimal("10000"))
    by = world.p.tto_officer
    services.cost_add(plan=plan, by=by, kind=CostKind.TAX, description="增值税", amount=Decimal("9000"))
    with pytest.raises(ValidationError) as exc:
        services.cost_add(plan=plan, by=by, kind=CostKind.EVALUATION, description="评估", amount=Decimal("1000.01"))
    assert "amount" in _errors(exc)
    with pytest.raises(ValidationError) as exc:
        services.plan_update(plan=plan, by=by, data={"gross_income": Decimal("8000")})
    assert "gross_income" in _errors(exc)
    item = plan.costs.get()
    services.cost_remove(item=item, by=by)
    assert services.net_income(plan) == Decimal("10000")


def test_a_cost_evidence_that_is_not_a_pdf_is_refused(world: World) -> None:
    """条例 Art. 12: each deduction is entered with its evidence (a PDF, checked by content)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    plan = make_plan(world, make_deal(world))
    with pytest.raises(ValidationError) as exc:
        services.cost_add(plan=plan, by=world.p.tto_officer, kind=CostKind.TAX, description="税",
                          amount=Decimal("1"), evidence=SimpleUploadedFile("x.pdf", b"<html>", "application/pdf"))
    assert "evidence" in _errors(exc)


# ---------------------------------------------------------------- which rule


def test_beijing_unit_in_2021_gets_70_percent(world: World) -> None:
    """条例 Art. 12 (in force 2020-01-01): a Beijing unit without its own rule rewards ≥ 70% of the net income."""
    plan = make_plan(world, make_deal(world), income_date=datetime.date(2021, 3, 1), gross_income=Decimal("200000"))
    figures = services.plan_figures(plan)
    assert figures.share == Decimal("0.7000")
    assert figures.rule_set is not None and figures.rule_set.region_prefix == "11"
    assert figures.rule_name == BEIJING and "第十二条" in figures.rule_source
    assert figures.pool == Decimal("140000.00")


def test_beijing_unit_in_2019_gets_the_national_50_percent(world: World) -> None:
    """Law Art. 45: before 条例 took effect (2020-01-01) a Beijing unit falls under the national ≥ 50%."""
    plan = make_plan(world, make_deal(world), income_date=datetime.date(2019, 12, 31), gross_income=Decimal("200000"))
    figures = services.plan_figures(plan)
    assert figures.share == Decimal("0.5000")
    assert figures.rule_set is not None and figures.rule_set.region_prefix == ""
    assert "第四十五条" in figures.rule_source
    assert figures.pool == Decimal("100000.00")


def test_a_unit_outside_beijing_gets_50_percent_in_2021(world: World) -> None:
    """Law Art. 45: a unit in Shanghai (region 310000) is under national law: ≥ 50% of the net income."""
    plan = make_plan(world, make_deal(world, shanghai=True), income_date=datetime.date(2021, 3, 1),
                     gross_income=Decimal("200000"))
    figures = services.plan_figures(plan)
    assert figures.share == Decimal("0.5000") and figures.pool == Decimal("100000.00")


def test_the_units_own_rule_overrides_the_default(world: World) -> None:
    """Law Art. 44–45, 条例 Art. 12 ¶2: the unit's own rule comes first; the defaults apply only without one."""
    services.unit_rule_create(by=world.p.tto_officer, organisation=world.p.university, data={
        "valid_from": datetime.date(2021, 1, 1), "title": "示范大学科技成果转化奖励办法（2021）",
        "transfer_share": Decimal("0.8"),
    })
    deal = make_deal(world)
    before = make_plan(world, deal, income_date=datetime.date(2020, 12, 31), gross_income=Decimal("100000"))
    after = make_plan(world, deal, income_date=datetime.date(2021, 1, 1), gross_income=Decimal("100000"))
    assert services.plan_figures(before).share == Decimal("0.7000")
    figures = services.plan_figures(after)
    assert figures.share == Decimal("0.8000") and figures.pool == Decimal("80000.00")
    assert figures.unit_rule is not None and figures.rule_name == "示范大学科技成果转化奖励办法（2021）"
    # A share the unit rule leaves empty falls back to the rule set (作价投资: 70% in Beijing).
    equity = make_plan(world, make_deal(world, "equity", shares=Decimal("1000")), income_date=datetime.date(2021, 6, 1))
    assert services.plan_figures(equity).share == Decimal("0.7000")


def test_only_tto_officers_set_the_units_rules(world: World) -> None:
    """Law Art. 44: the unit sets its rule; on the platform its TTO officers record it."""
    data = {"valid_from": datetime.date(2021, 1, 1), "title": "办法", "transfer_share": Decimal("0.8")}
    with pytest.raises(PermissionDenied):
        services.unit_rule_create(by=world.p.researcher, organisation=world.p.university, data=data)
    with pytest.raises(PermissionDenied):
        services.unit_rule_create(by=world.p.other_tto, organisation=world.p.university, data=data)
    rule = services.unit_rule_create(by=world.p.tto_officer, organisation=world.p.university, data=data)
    with pytest.raises(ValidationError) as exc:
        services.unit_rule_create(by=world.p.tto_officer, organisation=world.p.university, data=data)
    assert "valid_from" in _errors(exc)
    with pytest.raises(ValidationError):
        services.unit_rule_create(by=world.p.tto_officer, organisation=world.p.university,
                                  data={"valid_from": datetime.date(2022, 1, 1), "title": "空"})
    services.unit_rule_update(rule=rule, by=world.p.tto_officer, data={"transfer_share": Decimal("0.75")})
    assert UnitRewardRule.objects.get().transfer_share == Decimal("0.7500")


def test_equity_pool_is_in_shares(world: World) -> None:
    """条例 Art. 12: for 作价投资, ≥ 70% of the shares formed (Law Art. 45: 50% nationally); the pool is shares."""
    deal = make_deal(world, "equity", shares=Decimal("3333333"), price=Decimal("3333333"))
    plan = make_plan(world, deal, income_date=datetime.date(2022, 1, 1))
    assert plan.shares_formed == Decimal("3333333")  # defaults to the deal's shares
    figures = services.plan_figures(plan)
    assert figures.in_shares and figures.pool == Decimal("2333333.1000")
    national = make_plan(world, make_deal(world, "equity", shanghai=True, shares=Decimal("1001")),
                         income_date=datetime.date(2022, 1, 1))
    assert services.plan_figures(national).pool == Decimal("500.5000")


# ---------------------------------------------------------------- own implementation


def test_own_implementation_beijing_five_years_from_the_first_profitable_year(world: World) -> None:
    """条例 Art. 12: own or joint implementation, ≥ 5% of operating profit each year for five years from the first
    profitable year: 2021..2025 for a first year 2021; 2026 and 2020 are refused."""
    deal = make_deal(world, "own", first_profitable_year=2021)
    for year in range(2021, 2026):
        plan = make_plan(world, deal, income_date=datetime.date(year, 12, 31), profit_year=year,
                         operating_profit=Decimal("1234567.89"))
        figures = services.plan_figures(plan)
        assert figures.share == Decimal("0.0500") and figures.pool == Decimal("61728.39")
    for year in (2026, 2020):
        with pytest.raises(ValidationError) as exc:
            make_plan(world, deal, income_date=datetime.date(year, 12, 31), profit_year=year,
                      operating_profit=Decimal("100"))
        assert "profit_year" in _errors(exc)


def test_own_implementation_loss_year_gives_no_pool(world: World) -> None:
    """条例 Art. 12: the share is of the operating profit: a year without profit gives nothing."""
    deal = make_deal(world, "joint", first_profitable_year=2021)
    plan = make_plan(world, deal, income_date=datetime.date(2022, 12, 31), profit_year=2022,
                     operating_profit=Decimal("-5000"))
    assert services.plan_figures(plan).pool == Decimal("0")


def test_own_implementation_national_three_years_then_a_unit_rule(world: World) -> None:
    """Law Art. 45: 3–5 years from successful production; the platform enforces the 3-year minimum (2021..2023
    for production in 2021) and the unit's own rule (Art. 44) may continue to 5 years."""
    deal = make_deal(world, "own", shanghai=True, first_profitable_year=2021)
    for year in (2021, 2022, 2023):
        make_plan(world, deal, income_date=datetime.date(year, 12, 31), profit_year=year,
                  operating_profit=Decimal("1000"))
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        make_plan(world, deal, income_date=datetime.date(2024, 12, 31), profit_year=2024,
                  operating_profit=Decimal("1000"))
    assert "unit rule" in _errors(exc)["profit_year"][0]
    services.unit_rule_create(by=world.shanghai_tto, organisation=world.shanghai, data={
        "valid_from": datetime.date(2020, 1, 1), "title": "上海示范大学奖励办法", "profit_years": 5,
    })
    plan = make_plan(world, deal, income_date=datetime.date(2024, 12, 31), profit_year=2024,
                     operating_profit=Decimal("1000"))
    assert services.plan_figures(plan).share == Decimal("0.0500")


def test_own_implementation_needs_the_first_year(world: World) -> None:
    """条例 Art. 12 / Law Art. 45: the years are counted from the first profitable year (or production)."""
    deal = make_deal(world, "own")
    with pytest.raises(ValidationError) as exc:
        make_plan(world, deal, income_date=datetime.date(2022, 12, 31), profit_year=2022,
                  operating_profit=Decimal("1"))
    assert "profit_year" in _errors(exc)


# ---------------------------------------------------------------- allocations and approval


def test_unit_head_may_receive_cash_but_not_equity(world: World) -> None:
    """国发〔2016〕16号, 厅字〔2016〕35号: a unit head (正职领导) may receive cash, in principle no equity; the refusal
    quotes the rule set's source."""
    deal = make_deal(world, "equity", shares=Decimal("1000"))
    plan = make_plan(world, deal, income_date=datetime.date(2022, 1, 1))
    by = world.p.tto_officer
    with pytest.raises(ValidationError) as exc:
        services.allocation_add(plan=plan, by=by, data={
            "person_name": "校长", "is_unit_head": True, "is_leader": True, "form": "equity", "shares": Decimal("10"),
        })
    source = RewardRuleSet.objects.get(region_prefix="11").unit_head_source
    assert source in _errors(exc)["form"][0] and "厅字〔2016〕35号" in _errors(exc)["form"][0]
    head = services.allocation_add(plan=plan, by=by, data={
        "person_name": "校长", "is_unit_head": True, "is_leader": True, "form": "cash", "amount": Decimal("5000"),
    })
    assert head.pk
    # An equity reward exists only for 作价投资 deals.
    transfer_plan = make_plan(world, make_deal(world))
    with pytest.raises(ValidationError) as exc:
        services.allocation_add(plan=transfer_plan, by=by, data={"person_name": "甲", "form": "equity",
                                                                  "shares": Decimal("1")})
    assert "form" in _errors(exc)


def test_allocation_form_needs_its_figure_and_a_person_of_the_achievement(world: World) -> None:
    """Rewards paid are recorded per person, cash in 元 or equity in shares (domain-spec §5.1)."""
    plan = make_plan(world, make_deal(world))
    by = world.p.tto_officer
    with pytest.raises(ValidationError) as exc:
        services.allocation_add(plan=plan, by=by, data={"person_name": "甲", "form": "cash"})
    assert "amount" in _errors(exc)
    person = world.achievement.persons.first()
    allocation = services.allocation_add(plan=plan, by=by, data={"person": person, "form": "cash",
                                                                 "amount": Decimal("1")})
    assert allocation.person_name == person.name
    other = world.shanghai_achievement.persons.first()
    with pytest.raises(ValidationError) as exc:
        services.allocation_add(plan=plan, by=by, data={"person": other, "form": "cash", "amount": Decimal("1")})
    assert "person" in _errors(exc)


def test_main_contributors_must_receive_at_least_half_at_approval(world: World) -> None:
    """国发〔2016〕16号: the main contributors receive ≥ 50% of the total reward; approval is refused below, naming
    the source, and accepted at 50%."""
    plan = make_plan(world, make_deal(world), gross_income=Decimal("100000"))  # pool 70,000
    by = world.p.tto_officer
    main = cash(plan, by, "李研究", "34999.99", is_main_contributor=True)
    cash(plan, by, "王成果", "35000.01")
    with pytest.raises(ApplicationError) as exc:
        services.plan_approve(plan=plan, by=by)
    source = RewardRuleSet.objects.get(region_prefix="11").main_contributor_source
    assert source in str(exc.value.message) and "国发〔2016〕16号" in str(exc.value.message)
    services.allocation_update(allocation=main, by=by, data={"amount": Decimal("35000.01")})
    approved = services.plan_approve(plan=plan, by=by)
    assert approved.status == RewardPlanStatus.APPROVED
    assert approved.share == Decimal("0.7000") and approved.pool_cash == Decimal("70000.00")
    assert approved.rule_set is not None and approved.rule_set.region_prefix == "11" and approved.approved_at
    assert approved.status_changes.count() == 1
    # Approved plans are fixed.
    with pytest.raises(ApplicationError):
        cash(approved, by, "丙", "1")


def test_allocations_must_reach_the_pool(world: World) -> None:
    """条例 Art. 12: the share is a minimum (不低于): less than the pool is refused, more is accepted."""
    plan = make_plan(world, make_deal(world), gross_income=Decimal("100000"))
    by = world.p.tto_officer
    allocation = cash(plan, by, "李研究", "69999.99", is_main_contributor=True)
    with pytest.raises(ApplicationError):
        services.plan_approve(plan=plan, by=by)
    services.allocation_update(allocation=allocation, by=by, data={"amount": Decimal("90000")})
    assert services.plan_approve(plan=plan, by=by).status == RewardPlanStatus.APPROVED


def test_a_unit_head_holding_equity_blocks_approval(world: World) -> None:
    """厅字〔2016〕35号: no unit head holds equity; checked again at approval (e.g. the flag set afterwards)."""
    deal = make_deal(world, "equity", shares=Decimal("100"))
    plan = make_plan(world, deal, income_date=datetime.date(2022, 1, 1))  # pool 70 shares
    by = world.p.tto_officer
    services.allocation_add(plan=plan, by=by, data={"person_name": "甲", "form": "equity", "shares": Decimal("70"),
                                                    "is_main_contributor": True})
    from techtransfer.deals.models import RewardAllocation

    RewardAllocation.objects.filter(plan=plan).update(is_unit_head=True)
    with pytest.raises(ApplicationError) as exc:
        services.plan_approve(plan=plan, by=by)
    assert "厅字〔2016〕35号" in str(exc.value.message)


def test_others_cannot_write_a_plan(world: World) -> None:
    """Law Art. 43–44: the unit distributes its own income; no other unit touches its plans."""
    deal = make_deal(world)
    with pytest.raises(PermissionDenied):
        make_plan(world, deal, by=world.p.other_tto)
    plan = make_plan(world, deal)
    for user in (world.p.other_tto, world.p.outsider, world.p.commission_admin):
        with pytest.raises(PermissionDenied):
            cash(plan, user, "甲", "1")
        with pytest.raises(PermissionDenied):
            services.plan_approve(plan=plan, by=user)


# ---------------------------------------------------------------- payments


def _approved(world: World) -> tuple[object, object]:
    plan = make_plan(world, make_deal(world, price=Decimal("1000000")), gross_income=Decimal("100000"))
    by = world.p.tto_officer
    allocation = cash(plan, by, "李研究", "70000", is_main_contributor=True)
    services.plan_approve(plan=plan, by=by)
    return plan, allocation


def test_payments_never_exceed_the_allocation(world: World) -> None:
    """条例 Art. 12: rewards paid are recorded per person (amount, date, tax withheld), never above the allocation."""
    _plan, allocation = _approved(world)
    by = world.p.tto_officer
    day = datetime.date(2022, 3, 1)
    services.payment_add(allocation=allocation, by=by, paid_on=day, amount=Decimal("50000"),
                         tax_withheld=Decimal("10000"))
    with pytest.raises(ValidationError) as exc:
        services.payment_add(allocation=allocation, by=by, paid_on=day, amount=Decimal("20000.01"))
    assert "amount" in _errors(exc)
    services.payment_add(allocation=allocation, by=by, paid_on=day, amount=Decimal("20000"))
    with pytest.raises(ValidationError):
        services.payment_add(allocation=allocation, by=by, paid_on=day, amount=Decimal("0.01"))
    with pytest.raises(ValidationError) as exc:
        services.payment_add(allocation=allocation, by=by, paid_on=datetime.date(2999, 1, 1), amount=Decimal("1"))
    assert "paid_on" in _errors(exc)


def test_payments_only_on_approved_plans(world: World) -> None:
    """条例 Art. 12: rewards are paid under the approved distribution."""
    plan = make_plan(world, make_deal(world))
    allocation = cash(plan, world.p.tto_officer, "甲", "100")
    with pytest.raises(ApplicationError):
        services.payment_add(allocation=allocation, by=world.p.tto_officer, paid_on=datetime.date(2022, 1, 1),
                             amount=Decimal("1"))


# ---------------------------------------------------------------- mobility


def test_mobility_records_per_person(world: World) -> None:
    """Domain-spec §4 (annual report, part 4): part-time work and leave to start a business are recorded per
    person; the end cannot precede the start."""
    by = world.p.tto_officer
    data = {"person_name": "李研究", "kind": "part_time", "enterprise": "某科技有限公司",
            "start": datetime.date(2022, 1, 1), "end": datetime.date(2021, 12, 31)}
    with pytest.raises(ValidationError) as exc:
        services.mobility_create(by=by, organisation=world.p.university, data=data)
    assert "end" in _errors(exc)
    data["end"] = None
    mobility = services.mobility_create(by=by, organisation=world.p.university, data=data)
    services.mobility_update(mobility=mobility, by=by, data={"kind": "leave"})
    with pytest.raises(PermissionDenied):
        services.mobility_update(mobility=mobility, by=world.p.other_tto, data={"kind": "part_time"})
    with pytest.raises(PermissionDenied):
        services.mobility_create(by=world.p.other_tto, organisation=world.p.university, data=data)
    other_deal = make_deal(world, shanghai=True)
    with pytest.raises(ValidationError) as exc:
        services.mobility_update(mobility=mobility, by=by, data={"deal": other_deal})
    assert "deal" in _errors(exc)
    services.mobility_delete(mobility=mobility, by=by)
