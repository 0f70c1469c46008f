"""Writes of income distribution (S9): reward plans with their net-income deductions, allocations and payments,
personnel mobility (兼职、离岗创业) and the units' own reward rules. Domain-spec §5.1.

The figures (net income, reward pool) are computed here by pure functions the pages, the API and the selectors
share:

- net income (Beijing 条例 Art. 12): the gross transfer or licence income minus the taxes on the transaction, the
  cost of maintaining the achievement (patent fees) and the direct costs of the transaction (evaluation,
  appraisal, negotiation), each entered as a NetIncomeItem with its evidence. It is never negative: deductions
  above the gross income are refused.
- the reward pool: the share of the rule that applies (deals.rules.share_for: the unit's own rule first, Law
  Art. 44–45 and 条例 Art. 12 ¶2, else the most specific dated rule set) times the net income (transfer, licence),
  the shares formed (作价投资, in shares) or the year's operating profit (own or joint implementation; nothing in a
  year without profit), rounded half-up to the cent (to 1/10000 of a share). The share is a minimum: a plan may
  allocate more than the pool.

Every write checks who (PermissionDenied, 403), then the state (ApplicationError, 409), then the content
(ValidationError by field, 400), runs in one transaction and writes the audit trail.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.choices import Role
from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.permissions import AnyUser, org_ids
from techtransfer.core.audit import audit_record, diff, snapshot
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.workflow import transition
from techtransfer.deals import rules
from techtransfer.deals.choices import DealMode, DealStatus, MobilityKind, RewardForm, RewardPlanStatus
from techtransfer.deals.models import (
    Deal,
    Mobility,
    NetIncomeItem,
    RewardAllocation,
    RewardPayment,
    RewardPlan,
    RewardRuleSet,
    UnitRewardRule,
)
from techtransfer.deals.permissions import NOT_THE_UNIT, can_edit_for
from techtransfer.lib.uploads import pdf_upload_check

CENT = Decimal("0.01")
SHARE_UNIT = Decimal("0.0001")
ZERO = Decimal("0")
INCOME_MODES = frozenset({DealMode.TRANSFER, DealMode.LICENCE})

NOT_DRAFT = _("The reward plan is approved: it can no longer be changed.")
DEAL_WITHDRAWN = _("The deal was withdrawn: it has no income to distribute.")
NOT_APPROVED = _("Payments are recorded once the reward plan is approved.")
NO_RULE = _("No reward rule is in force on this date for the unit's region.")
REQUIRED = _("This field is required.")
GROSS_REQUIRED = _("Give the gross transfer or licence income.")
SHARES_REQUIRED = _("Give the shares the contribution formed (or record them on the deal).")
PROFIT_YEAR_REQUIRED = _("Give the profit year.")
PROFIT_REQUIRED = _("Give the year's operating profit from implementing the achievement.")
FIRST_YEAR_MISSING = _(
    "Record the deal's first profitable year (for national law: the year production started) before a profit year."
)
YEAR_BEFORE_FIRST = _(
    "The profit share is counted from %(first)d (the deal's first profitable year): %(year)d is before it."
)
YEAR_AFTER_LAST = _(
    "The profit share runs %(years)d years from %(first)d, up to %(last)d, under %(rule)s: %(year)d is outside."
)
NATIONAL_MAY_CONTINUE = _(
    "National law sets 3 to 5 years: the platform enforces the minimum; a unit rule with more years continues it."
)
COSTS_ABOVE_GROSS = _(
    "The deductions (%(costs)s 元) would exceed the gross income (%(gross)s 元): the net income cannot be negative."
)
COSTS_ONLY_FOR_INCOME = _("Deductions apply to transfer and licence income only.")
PERSON_NOT_OF_ACHIEVEMENT = _("This person is not a completing person of the deal's achievement.")
NAME_REQUIRED = _("Give the person's name.")
EQUITY_ONLY_FOR_EQUITY_DEALS = _("Equity rewards are given only for 作价投资 (equity investment) deals.")
UNIT_HEAD_EQUITY = _("A unit head (正职领导) may receive cash but not equity. Source: %(source)s")
AMOUNT_REQUIRED = _("Give the cash amount.")
SHARES_FOR_EQUITY = _("Give the number of shares.")
NOT_FOR_CASH = _("A cash reward has an amount, not shares.")
NOT_FOR_EQUITY = _("An equity reward has shares, not an amount.")
PAID_ABOVE_ALLOCATION = _(
    "The payments would total %(total)s, more than the allocation (%(allocated)s): %(left)s remain to be paid."
)
PAYMENT_POSITIVE = _("Give an amount above zero.")
PAYMENT_IN_FUTURE = _("Record a payment once it is made: the date is in the future.")
TAX_ABOVE_AMOUNT = _("The tax withheld cannot exceed the amount paid.")
POOL_NOT_REACHED = _(
    "The allocations total %(total)s, less than the reward pool of %(pool)s (%(share)s of the base, a minimum)."
)
MAIN_BELOW_MINIMUM = _(
    "The main contributors receive %(main)s of %(total)s (%(percent)s), less than the minimum %(minimum)s. "
    "Source: %(source)s"
)
UNIT_HEAD_HOLDS_EQUITY = _("%(name)s is a unit head and holds equity. Source: %(source)s")
END_BEFORE_START = _("The end is before the start.")
DEAL_OF_ANOTHER_UNIT = _("This deal belongs to another unit.")
NOT_A_TTO_OFFICER = _("Only the unit's TTO officers set its reward rules.")
RULE_DATE_TAKEN = _("The unit already has a rule from this date.")
RULE_EMPTY = _("Set at least one share or the years of the profit share.")
RULE_IN_USE = _("An approved reward plan applied this rule: add a new rule from a later date instead.")
PROFIT_YEARS_RANGE = _("Between 1 and 10 years.")

PLAN_FIELDS = ["income_date", "gross_income", "profit_year", "operating_profit", "shares_formed"]
ALLOCATION_FIELDS = ["person_name", "person", "is_main_contributor", "is_leader", "is_unit_head", "form", "amount",
                     "shares"]
MOBILITY_FIELDS = ["person_name", "kind", "enterprise", "start", "end", "deal", "note"]
UNIT_RULE_FIELDS = ["valid_from", "title", "transfer_share", "equity_share", "profit_share", "profit_years"]


# ---------------------------------------------------------------- the figures (pure reads)


@dataclass(frozen=True)
class PlanFigures:
    """What a plan's page shows: the base, the rule applied and its source, the share and the pool.

    For an approved plan the frozen values; for a draft the rule in force on its income date today.
    `in_shares`: the pool is a number of shares (作价投资), else 元.
    """

    mode: str
    gross: Decimal | None
    costs: Decimal
    net: Decimal | None
    base: Decimal
    share: Decimal | None
    pool: Decimal | None
    in_shares: bool
    rule_set: RewardRuleSet | None
    unit_rule: UnitRewardRule | None
    profit_years: int | None

    @property
    def share_percent(self) -> str:
        return _percent(self.share) if self.share is not None else ""

    @property
    def rule_name(self) -> str:
        if self.unit_rule is not None:
            return self.unit_rule.title
        return self.rule_set.name if self.rule_set else ""

    @property
    def rule_source(self) -> str:
        if self.unit_rule is not None:
            return str(_("The unit's own rule (Law Art. 44–45; 条例 Art. 12 ¶2): %(title)s")) % {
                "title": self.unit_rule.title
            }
        return self.rule_set.source if self.rule_set else ""


def costs_total(plan: RewardPlan) -> Decimal:
    """Σ of the plan's deductions, summed in the database."""
    total: Decimal | None = NetIncomeItem.objects.filter(plan_id=plan.pk).aggregate(total=Sum("amount"))["total"]
    return total or ZERO


def net_income(plan: RewardPlan) -> Decimal:
    """净收入 by the Beijing definition (条例 Art. 12): gross − taxes − maintenance − direct transaction costs."""
    gross = plan.gross_income or ZERO
    return max(gross - costs_total(plan), ZERO)


def pool_of(share: Decimal, base: Decimal, *, in_shares: bool) -> Decimal:
    """share × base, rounded half-up to the cent (to 1/10000 share for a pool of shares); nothing for a loss."""
    if base <= 0:
        return ZERO
    return (share * base).quantize(SHARE_UNIT if in_shares else CENT, rounding=ROUND_HALF_UP)


def _base(plan: RewardPlan, mode: str) -> tuple[Decimal, Decimal | None, Decimal]:
    """(base of the pool, net income or None, deductions) for the plan's mode."""
    if mode in INCOME_MODES:
        costs = costs_total(plan)
        net = max((plan.gross_income or ZERO) - costs, ZERO)
        return net, net, costs
    if mode == DealMode.EQUITY:
        return plan.shares_formed or ZERO, None, ZERO
    return plan.operating_profit or ZERO, None, ZERO


def plan_figures(plan: RewardPlan) -> PlanFigures:
    deal = plan.deal
    mode = deal.mode
    base, net, costs = _base(plan, mode)
    in_shares = mode == DealMode.EQUITY
    if plan.status == RewardPlanStatus.APPROVED and plan.share is not None:
        pool = plan.pool_shares if in_shares else plan.pool_cash
        return PlanFigures(
            mode=mode, gross=plan.gross_income, costs=costs, net=net, base=base, share=plan.share, pool=pool,
            in_shares=in_shares, rule_set=plan.rule_set, unit_rule=plan.unit_rule, profit_years=None,
        )
    applied = rules.share_for(deal.owner, mode, plan.income_date)
    if applied is None:
        return PlanFigures(
            mode=mode, gross=plan.gross_income, costs=costs, net=net, base=base, share=None, pool=None,
            in_shares=in_shares, rule_set=None, unit_rule=None, profit_years=None,
        )
    return PlanFigures(
        mode=mode, gross=plan.gross_income, costs=costs, net=net, base=base, share=applied.share,
        pool=pool_of(applied.share, base, in_shares=in_shares), in_shares=in_shares, rule_set=applied.rule_set,
        unit_rule=applied.unit_rule, profit_years=applied.profit_years,
    )


def _allocation_totals(plan: RewardPlan, in_shares: bool) -> tuple[Decimal, Decimal]:
    """(total, main contributors' part) of the allocations in the pool's unit, summed in the database."""
    field, form = ("shares", RewardForm.EQUITY) if in_shares else ("amount", RewardForm.CASH)
    rows = RewardAllocation.objects.filter(plan_id=plan.pk, form=form)
    total: Decimal | None = rows.aggregate(total=Sum(field))["total"]
    main: Decimal | None = rows.filter(is_main_contributor=True).aggregate(total=Sum(field))["total"]
    return total or ZERO, main or ZERO


@dataclass(frozen=True)
class AllocationCheck:
    """The running check of a plan's allocations against the pool and the main contributors' minimum."""

    total: Decimal
    main: Decimal
    pool: Decimal | None
    main_minimum_share: Decimal | None
    main_minimum: Decimal | None
    in_shares: bool

    @property
    def pool_reached(self) -> bool:
        return self.pool is not None and self.total >= self.pool

    @property
    def main_share(self) -> Decimal | None:
        return (self.main / self.total) if self.total > 0 else None

    @property
    def main_percent(self) -> str:
        return _percent(self.main_share) if self.main_share is not None else ""

    @property
    def minimum_percent(self) -> str:
        return _percent(self.main_minimum_share) if self.main_minimum_share is not None else ""

    @property
    def main_ok(self) -> bool:
        return self.main_minimum is None or self.main >= self.main_minimum


def allocation_check(plan: RewardPlan, figures: PlanFigures | None = None) -> AllocationCheck:
    figures = figures or plan_figures(plan)
    total, main = _allocation_totals(plan, figures.in_shares)
    minimum_share = figures.rule_set.main_contributor_share if figures.rule_set else None
    minimum = None
    if minimum_share is not None:
        minimum = (minimum_share * total).quantize(SHARE_UNIT if figures.in_shares else CENT, rounding=ROUND_HALF_UP)
    return AllocationCheck(
        total=total, main=main, pool=figures.pool, main_minimum_share=minimum_share, main_minimum=minimum,
        in_shares=figures.in_shares,
    )


def _percent(fraction: Decimal) -> str:
    return f"{(fraction * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP).normalize():f}%"


def _amount(value: Decimal, in_shares: bool) -> str:
    if in_shares:
        return str(_("%(number)s shares")) % {"number": f"{value:,.4f}".rstrip("0").rstrip(".")}
    return f"{value:,.2f} 元"


def approval_problems(plan: RewardPlan) -> dict[str, str]:
    """What stands between a draft plan and its approval, by condition of PLAN_FLOW (empty: it can be approved).

    pool_allocated: the allocations reach the pool (the share is a minimum, so more is accepted);
    main_contributors: the main contributors receive at least the rule set's share of the total (国发〔2016〕16号);
    no_unit_head_equity: no unit head holds equity (厅字〔2016〕35号), unless the rule set allows it.
    """
    problems: dict[str, str] = {}
    figures = plan_figures(plan)
    if figures.rule_set is None or figures.share is None or figures.pool is None:
        problems["pool_allocated"] = str(NO_RULE)
        return problems
    check = allocation_check(plan, figures)
    if not check.pool_reached:
        problems["pool_allocated"] = str(POOL_NOT_REACHED) % {
            "total": _amount(check.total, figures.in_shares),
            "pool": _amount(figures.pool, figures.in_shares),
            "share": _percent(figures.share),
        }
    if not check.main_ok and check.main_minimum_share is not None:
        problems["main_contributors"] = str(MAIN_BELOW_MINIMUM) % {
            "main": _amount(check.main, figures.in_shares),
            "total": _amount(check.total, figures.in_shares),
            "percent": _percent(check.main_share or ZERO),
            "minimum": _percent(check.main_minimum_share),
            "source": figures.rule_set.main_contributor_source,
        }
    if not figures.rule_set.unit_head_equity_allowed:
        head = plan.allocations.filter(is_unit_head=True, form=RewardForm.EQUITY).first()
        if head is not None:
            problems["no_unit_head_equity"] = str(UNIT_HEAD_HOLDS_EQUITY) % {
                "name": head.person_name, "source": figures.rule_set.unit_head_source,
            }
    return problems


# ---------------------------------------------------------------- plans


def _require_unit(by: AnyUser, deal: Deal) -> None:
    if not can_edit_for(by, deal.owner_id):
        raise PermissionDenied(NOT_THE_UNIT)


def _locked_plan(plan: RewardPlan) -> RewardPlan:
    return RewardPlan.objects.select_for_update().select_related("deal", "deal__owner").get(pk=plan.pk)


def _require_draft(plan: RewardPlan) -> None:
    if plan.status != RewardPlanStatus.DRAFT:
        raise ApplicationError(NOT_DRAFT)


def profit_year_range(deal: Deal, applied: rules.AppliedShare) -> tuple[int, int] | None:
    """The years of operating profit a reward share is due for, or None while the deal has no first year.

    Beijing (条例 Art. 12): five years from the first profitable year. National law (Art. 45): three to five
    years from successful production, which the deal records in the same `first_profitable_year` field; the
    platform enforces the three-year minimum, and a unit may continue up to five years through its own rule
    (UnitRewardRule.profit_years, which share_for applies).
    """
    first = deal.first_profitable_year
    if first is None:
        return None
    return first, first + applied.profit_years - 1


def _clean_plan(plan: RewardPlan) -> None:
    """The checks every save passes, by field; the mode decides which figures are required."""
    errors: dict[str, list[str]] = {}
    try:
        plan.full_clean(exclude=["deal", "unit_rule", "rule_set", "share", "pool_cash", "pool_shares"])
    except ValidationError as exc:
        errors.update({k: [str(m) for m in v] for k, v in exc.message_dict.items()})
    deal = plan.deal
    income_date: datetime.date | None = getattr(plan, "income_date", None)
    applied = rules.share_for(deal.owner, deal.mode, income_date) if income_date else None
    if income_date and applied is None and "income_date" not in errors:
        errors["income_date"] = [str(NO_RULE)]
    if deal.mode in INCOME_MODES:
        plan.profit_year = plan.operating_profit = plan.shares_formed = None
        if plan.gross_income is None:
            errors.setdefault("gross_income", []).append(str(GROSS_REQUIRED))
        elif plan.pk and "gross_income" not in errors:
            costs = costs_total(plan)
            if costs > plan.gross_income:
                errors["gross_income"] = [
                    str(COSTS_ABOVE_GROSS) % {"costs": f"{costs:,.2f}", "gross": f"{plan.gross_income:,.2f}"}
                ]
    elif deal.mode == DealMode.EQUITY:
        plan.gross_income = plan.profit_year = plan.operating_profit = None
        if plan.shares_formed is None:
            plan.shares_formed = deal.shares
        if plan.shares_formed is None:
            errors.setdefault("shares_formed", []).append(str(SHARES_REQUIRED))
    else:
        plan.gross_income = plan.shares_formed = None
        if plan.operating_profit is None and "operating_profit" not in errors:
            errors["operating_profit"] = [str(PROFIT_REQUIRED)]
        if plan.profit_year is None:
            errors.setdefault("profit_year", []).append(str(PROFIT_YEAR_REQUIRED))
        elif applied is not None:
            _check_profit_year(deal, applied, plan.profit_year, errors)
    if errors:
        raise ValidationError(errors)


def _check_profit_year(deal: Deal, applied: rules.AppliedShare, year: int, errors: dict[str, list[str]]) -> None:
    years = profit_year_range(deal, applied)
    if years is None:
        errors["profit_year"] = [str(FIRST_YEAR_MISSING)]
        return
    first, last = years
    if year < first:
        errors["profit_year"] = [str(YEAR_BEFORE_FIRST) % {"first": first, "year": year}]
    elif year > last:
        rule = applied.unit_rule.title if applied.unit_rule else applied.rule_set.name
        message = str(YEAR_AFTER_LAST) % {
            "years": applied.profit_years, "first": first, "last": last, "rule": rule, "year": year,
        }
        if applied.unit_rule is None and applied.rule_set.region_prefix == "":
            message = f"{message} {NATIONAL_MAY_CONTINUE}"
        errors["profit_year"] = [message]


def _apply(instance: Any, data: dict[str, Any], fields: list[str]) -> None:
    for name in fields:
        if name in data:
            setattr(instance, name, data[name])


@transaction.atomic
def plan_create(*, by: User, deal: Deal, data: dict[str, Any]) -> RewardPlan:
    """A draft reward plan for one income of a deal of the user's unit (a payment received, a year's profit,
    the shares formed)."""
    _require_unit(by, deal)
    if deal.status == DealStatus.WITHDRAWN:
        raise ApplicationError(DEAL_WITHDRAWN)
    plan = RewardPlan(deal=deal)
    _apply(plan, data, PLAN_FIELDS)
    _clean_plan(plan)
    plan.save()
    audit_record(actor=by, action="reward_plan.create", obj=plan)
    return plan


@transaction.atomic
def plan_update(*, plan: RewardPlan, by: User, data: dict[str, Any]) -> RewardPlan:
    plan = _locked_plan(plan)
    _require_unit(by, plan.deal)
    _require_draft(plan)
    before = snapshot(plan, PLAN_FIELDS)
    _apply(plan, data, PLAN_FIELDS)
    _clean_plan(plan)
    plan.save()
    changes = diff(before, snapshot(plan, PLAN_FIELDS))
    if changes:
        audit_record(actor=by, action="reward_plan.update", obj=plan, changes=changes)
    return plan


@transaction.atomic
def plan_approve(*, plan: RewardPlan, by: User) -> RewardPlan:
    """Approve a plan that meets the rules (the workflow's conditions) and freeze what it applied: the rule set,
    the unit rule, the share, the pool."""
    plan = _locked_plan(plan)
    figures = plan_figures(plan)
    transition(plan, "approve", by=by)
    plan.rule_set = figures.rule_set
    plan.unit_rule = figures.unit_rule
    plan.share = figures.share
    plan.pool_cash = None if figures.in_shares else figures.pool
    plan.pool_shares = figures.pool if figures.in_shares else None
    plan.approved_at = timezone.now()
    plan.save()
    return plan


# ---------------------------------------------------------------- net-income deductions


@transaction.atomic
def cost_add(
    *, plan: RewardPlan, by: User, kind: str, description: str, amount: Decimal, evidence: UploadedFile | None = None
) -> NetIncomeItem:
    """One deduction from the gross income (条例 Art. 12), with an optional PDF as its evidence."""
    plan = _locked_plan(plan)
    _require_unit(by, plan.deal)
    _require_draft(plan)
    if plan.deal.mode not in INCOME_MODES:
        raise ApplicationError(COSTS_ONLY_FOR_INCOME)
    item = NetIncomeItem(plan=plan, kind=kind, description=(description or "").strip(), amount=amount)
    errors: dict[str, list[str]] = {}
    try:
        item.full_clean(exclude=["plan", "evidence", "evidence_name", "sha256"])
    except ValidationError as exc:
        errors.update({k: [str(m) for m in v] for k, v in exc.message_dict.items()})
    if "amount" not in errors and amount is not None:
        costs = costs_total(plan) + Decimal(amount)
        gross = plan.gross_income or ZERO
        if costs > gross:
            errors["amount"] = [str(COSTS_ABOVE_GROSS) % {"costs": f"{costs:,.2f}", "gross": f"{gross:,.2f}"}]
    if evidence is not None:
        try:
            item.sha256 = pdf_upload_check(evidence, field="evidence")
        except ValidationError as exc:
            errors.update({k: [str(m) for m in v] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    if evidence is not None:
        assert evidence.name is not None  # the check refused a file without one
        item.evidence_name = evidence.name[:255]
        item.evidence.save(evidence.name, evidence, save=False)
    item.save()
    audit_record(
        actor=by, action="reward_cost.add", obj=plan,
        changes={"cost": [None, f"{item.get_kind_display()} {item.amount}"]},
    )
    return item


@transaction.atomic
def cost_remove(*, item: NetIncomeItem, by: User) -> None:
    plan = _locked_plan(item.plan)
    _require_unit(by, plan.deal)
    _require_draft(plan)
    text = f"{item.get_kind_display()} {item.amount}"
    if item.evidence:
        item.evidence.delete(save=False)
    item.delete()
    audit_record(actor=by, action="reward_cost.remove", obj=plan, changes={"cost": [text, None]})


# ---------------------------------------------------------------- allocations


def _clean_allocation(plan: RewardPlan, allocation: RewardAllocation) -> None:
    errors: dict[str, list[str]] = {}
    deal = plan.deal
    if allocation.person is not None:
        if allocation.person.achievement_id != deal.achievement_id:
            errors["person"] = [str(PERSON_NOT_OF_ACHIEVEMENT)]
        elif not (allocation.person_name or "").strip():
            allocation.person_name = allocation.person.name
    allocation.person_name = (allocation.person_name or "").strip()
    if not allocation.person_name and "person" not in errors:
        errors["person_name"] = [str(NAME_REQUIRED)]
    if allocation.form == RewardForm.EQUITY:
        # The unit-head rule is said first: it is the person's rule, whatever the deal.
        rule_set = plan_figures(plan).rule_set if allocation.is_unit_head else None
        if rule_set is not None and not rule_set.unit_head_equity_allowed:
            errors["form"] = [str(UNIT_HEAD_EQUITY) % {"source": rule_set.unit_head_source}]
        elif deal.mode != DealMode.EQUITY:
            errors["form"] = [str(EQUITY_ONLY_FOR_EQUITY_DEALS)]
        if allocation.shares is None:
            errors.setdefault("shares", []).append(str(SHARES_FOR_EQUITY))
        if allocation.amount is not None:
            errors.setdefault("amount", []).append(str(NOT_FOR_EQUITY))
    elif allocation.form == RewardForm.CASH:
        if allocation.amount is None:
            errors.setdefault("amount", []).append(str(AMOUNT_REQUIRED))
        if allocation.shares is not None:
            errors.setdefault("shares", []).append(str(NOT_FOR_CASH))
    try:
        allocation.full_clean(exclude=["plan", "person"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            if field not in errors:
                errors[field] = [str(m) for m in messages]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def allocation_add(*, plan: RewardPlan, by: User, data: dict[str, Any]) -> RewardAllocation:
    """One person's reward: cash (元) or equity (shares, 作价投资 deals only; never to a unit head)."""
    plan = _locked_plan(plan)
    _require_unit(by, plan.deal)
    _require_draft(plan)
    allocation = RewardAllocation(plan=plan)
    _apply(allocation, data, ALLOCATION_FIELDS)
    _clean_allocation(plan, allocation)
    allocation.save()
    audit_record(actor=by, action="reward_allocation.add", obj=plan,
                 changes={"allocation": [None, _allocation_text(allocation)]})
    return allocation


def _allocation_text(allocation: RewardAllocation) -> str:
    value = allocation.amount if allocation.form == RewardForm.CASH else allocation.shares
    return f"{allocation.person_name} {allocation.form} {value}"


@transaction.atomic
def allocation_update(*, allocation: RewardAllocation, by: User, data: dict[str, Any]) -> RewardAllocation:
    plan = _locked_plan(allocation.plan)
    _require_unit(by, plan.deal)
    _require_draft(plan)
    allocation = RewardAllocation.objects.select_for_update().get(pk=allocation.pk)
    before = snapshot(allocation, ALLOCATION_FIELDS)
    _apply(allocation, data, ALLOCATION_FIELDS)
    _clean_allocation(plan, allocation)
    allocation.save()
    changes = diff(before, snapshot(allocation, ALLOCATION_FIELDS))
    if changes:
        audit_record(actor=by, action="reward_allocation.update", obj=plan, changes=changes)
    return allocation


@transaction.atomic
def allocation_remove(*, allocation: RewardAllocation, by: User) -> None:
    plan = _locked_plan(allocation.plan)
    _require_unit(by, plan.deal)
    _require_draft(plan)
    text = _allocation_text(allocation)
    allocation.delete()
    audit_record(actor=by, action="reward_allocation.remove", obj=plan, changes={"allocation": [text, None]})


# ---------------------------------------------------------------- payments


@transaction.atomic
def payment_add(
    *,
    allocation: RewardAllocation,
    by: User,
    paid_on: datetime.date,
    amount: Decimal | None = None,
    shares: Decimal | None = None,
    tax_withheld: Decimal | None = None,
) -> RewardPayment:
    """A reward paid (cash) or vested (equity) under an approved plan, with the tax withheld where entered; the
    payments of an allocation never exceed it."""
    plan = _locked_plan(allocation.plan)
    _require_unit(by, plan.deal)
    if plan.status != RewardPlanStatus.APPROVED:
        raise ApplicationError(NOT_APPROVED)
    allocation = RewardAllocation.objects.select_for_update().get(pk=allocation.pk, plan=plan)
    cash = allocation.form == RewardForm.CASH
    field = "amount" if cash else "shares"
    value = amount if cash else shares
    payment = RewardPayment(
        allocation=allocation, paid_on=paid_on, amount=amount if cash else None, shares=None if cash else shares,
        tax_withheld=tax_withheld, recorded_by=by,
    )
    errors: dict[str, list[str]] = {}
    try:
        payment.full_clean(exclude=["allocation", "recorded_by"])
    except ValidationError as exc:
        errors.update({k: [str(m) for m in v] for k, v in exc.message_dict.items()})
    if value is None:
        errors.setdefault(field, []).append(str(AMOUNT_REQUIRED if cash else SHARES_FOR_EQUITY))
    elif value <= 0:
        errors.setdefault(field, []).append(str(PAYMENT_POSITIVE))
    elif field not in errors:
        paid: Decimal | None = allocation.payments.aggregate(total=Sum(field))["total"]
        allocated = (allocation.amount if cash else allocation.shares) or ZERO
        total = (paid or ZERO) + Decimal(value)
        if total > allocated:
            errors[field] = [str(PAID_ABOVE_ALLOCATION) % {
                "total": _amount(total, not cash), "allocated": _amount(allocated, not cash),
                "left": _amount(allocated - (paid or ZERO), not cash),
            }]
    if paid_on > timezone.localdate():
        errors.setdefault("paid_on", []).append(str(PAYMENT_IN_FUTURE))
    if cash and tax_withheld is not None and amount is not None and tax_withheld > amount:
        errors.setdefault("tax_withheld", []).append(str(TAX_ABOVE_AMOUNT))
    if errors:
        raise ValidationError(errors)
    payment.save()
    audit_record(actor=by, action="reward_payment.add", obj=plan,
                 changes={"payment": [None, f"{allocation.person_name} {paid_on} {value}"]})
    return payment


# ---------------------------------------------------------------- personnel mobility


def _clean_mobility(mobility: Mobility) -> None:
    errors: dict[str, list[str]] = {}
    mobility.person_name = (mobility.person_name or "").strip()
    mobility.enterprise = (mobility.enterprise or "").strip()
    try:
        mobility.full_clean(exclude=["organisation", "deal"])
    except ValidationError as exc:
        errors.update({k: [str(m) for m in v] for k, v in exc.message_dict.items()})
    start: datetime.date | None = getattr(mobility, "start", None)
    if start is not None and mobility.end is not None and mobility.end < start:
        errors.setdefault("end", []).append(str(END_BEFORE_START))
    if mobility.deal is not None and mobility.deal.owner_id != mobility.organisation_id:
        errors["deal"] = [str(DEAL_OF_ANOTHER_UNIT)]
    if mobility.kind not in MobilityKind.values and "kind" not in errors:
        errors["kind"] = [str(REQUIRED)]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def mobility_create(*, by: User, organisation: Organisation, data: dict[str, Any]) -> Mobility:
    """A staff member's part-time work at an enterprise or leave to start a business, as the annual report
    counts them."""
    if not can_edit_for(by, organisation.pk):
        raise PermissionDenied(NOT_THE_UNIT)
    mobility = Mobility(organisation=organisation)
    _apply(mobility, data, MOBILITY_FIELDS)
    _clean_mobility(mobility)
    mobility.save()
    audit_record(actor=by, action="mobility.create", obj=mobility)
    return mobility


@transaction.atomic
def mobility_update(*, mobility: Mobility, by: User, data: dict[str, Any]) -> Mobility:
    mobility = Mobility.objects.select_for_update().get(pk=mobility.pk)
    if not can_edit_for(by, mobility.organisation_id):
        raise PermissionDenied(NOT_THE_UNIT)
    before = snapshot(mobility, MOBILITY_FIELDS)
    _apply(mobility, data, MOBILITY_FIELDS)
    _clean_mobility(mobility)
    mobility.save()
    changes = diff(before, snapshot(mobility, MOBILITY_FIELDS))
    if changes:
        audit_record(actor=by, action="mobility.update", obj=mobility, changes=changes)
    return mobility


@transaction.atomic
def mobility_delete(*, mobility: Mobility, by: User) -> None:
    if not can_edit_for(by, mobility.organisation_id):
        raise PermissionDenied(NOT_THE_UNIT)
    audit_record(actor=by, action="mobility.delete", obj=mobility,
                 changes={"person_name": [mobility.person_name, None]})
    mobility.delete()


# ---------------------------------------------------------------- the unit's own reward rules


def can_set_rules(user: AnyUser, organisation_id: int) -> bool:
    """The unit's TTO officers set its reward rules."""
    return organisation_id in org_ids(user, {Role.TTO_OFFICER})


def _clean_unit_rule(rule: UnitRewardRule) -> None:
    errors: dict[str, list[str]] = {}
    rule.title = (rule.title or "").strip()
    try:
        rule.full_clean(exclude=["organisation"], validate_constraints=False)
    except ValidationError as exc:
        errors.update({k: [str(m) for m in v] for k, v in exc.message_dict.items()})
    if rule.profit_years is not None and not 1 <= rule.profit_years <= 10:
        errors.setdefault("profit_years", []).append(str(PROFIT_YEARS_RANGE))
    if all(getattr(rule, name) is None for name in ("transfer_share", "equity_share", "profit_share", "profit_years")):
        errors.setdefault("__all__", []).append(str(RULE_EMPTY))
    valid_from: datetime.date | None = getattr(rule, "valid_from", None)
    if valid_from is not None and "valid_from" not in errors:
        taken = UnitRewardRule.objects.filter(organisation_id=rule.organisation_id, valid_from=valid_from)
        if taken.exclude(pk=rule.pk).exists():
            errors["valid_from"] = [str(RULE_DATE_TAKEN)]
    if errors:
        raise ValidationError(errors)


def _save_rule(rule: UnitRewardRule) -> None:
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:  # the same date saved at the same moment by someone else
        raise ValidationError({"valid_from": [str(RULE_DATE_TAKEN)]}) from None


@transaction.atomic
def unit_rule_create(*, by: User, organisation: Organisation, data: dict[str, Any]) -> UnitRewardRule:
    """The unit's own reward rule from a date (Law Art. 44; 条例 Art. 12 ¶2): its shares replace the rule set's."""
    if not can_set_rules(by, organisation.pk):
        raise PermissionDenied(NOT_A_TTO_OFFICER)
    rule = UnitRewardRule(organisation=organisation)
    _apply(rule, data, UNIT_RULE_FIELDS)
    _clean_unit_rule(rule)
    _save_rule(rule)
    audit_record(actor=by, action="unit_reward_rule.create", obj=rule)
    return rule


@transaction.atomic
def unit_rule_update(*, rule: UnitRewardRule, by: User, data: dict[str, Any]) -> UnitRewardRule:
    """Correct a rule no approved plan has applied yet (an applied one stays as it was: add a later one)."""
    rule = UnitRewardRule.objects.select_for_update().get(pk=rule.pk)
    if not can_set_rules(by, rule.organisation_id):
        raise PermissionDenied(NOT_A_TTO_OFFICER)
    if RewardPlan.objects.filter(unit_rule=rule, status=RewardPlanStatus.APPROVED).exists():
        raise ApplicationError(RULE_IN_USE)
    before = snapshot(rule, UNIT_RULE_FIELDS)
    _apply(rule, data, UNIT_RULE_FIELDS)
    _clean_unit_rule(rule)
    _save_rule(rule)
    changes = diff(before, snapshot(rule, UNIT_RULE_FIELDS))
    if changes:
        audit_record(actor=by, action="unit_reward_rule.update", obj=rule, changes=changes)
    return rule

