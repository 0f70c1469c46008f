"""Reads of income distribution, always through the deal's visibility filter: a reward plan is read by its deal's
unit members and the commission's administrators (404 for everyone else); the public reads only leaders'
rewards of approved plans (条例 Art. 13), through `public_leader_rewards`."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from techtransfer.accounts.models import Organisation
from techtransfer.accounts.permissions import AnyUser, is_commission_admin, is_signed_in, org_ids
from techtransfer.achievements.choices import Secrecy
from techtransfer.deals.choices import MobilityKind, RewardForm, RewardPlanStatus
from techtransfer.deals.models import Deal, Mobility, RewardAllocation, RewardPayment, RewardPlan, UnitRewardRule
from techtransfer.deals.permissions import can_edit_for, deal_visible_q
from techtransfer.deals.services_rewards import allocation_check, can_set_rules, plan_figures

ZERO = Decimal("0")
CENT = Decimal("0.01")


def plan_visible_q(user: AnyUser) -> Q:
    return deal_visible_q(user, prefix="deal__")


def plan_list(*, user: AnyUser) -> QuerySet[RewardPlan]:
    """The reward plans the user may read, newest income first."""
    return (
        RewardPlan.objects.filter(plan_visible_q(user))
        .select_related("deal", "deal__owner", "deal__achievement")
        .order_by("-income_date", "-id")
    )


def plan_get(*, user: AnyUser, pk: Any) -> RewardPlan:
    """One plan with its parts; 404 when it does not exist or the user may not read its deal."""
    try:
        return (
            RewardPlan.objects.filter(plan_visible_q(user))
            .select_related("deal", "deal__owner", "deal__owner__region", "deal__achievement", "rule_set",
                            "unit_rule")
            .get(pk=pk)
        )
    except (RewardPlan.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def deal_for_plans(*, user: AnyUser, pk: Any) -> Deal:
    """The deal a plan is made for, through the deal app's selector (404 for those who may not read it)."""
    from techtransfer.deals.selectors import deal_get

    return deal_get(user=user, pk=pk)


def deal_plans(*, deal: Deal) -> QuerySet[RewardPlan]:
    """The plans of a deal the caller may read (the caller found the deal through its selector)."""
    return RewardPlan.objects.filter(deal=deal).select_related("deal", "rule_set", "unit_rule").order_by(
        "income_date", "id"
    )


def plan_allocations(*, plan: RewardPlan) -> QuerySet[RewardAllocation]:
    return (
        plan.allocations.select_related("person")
        .annotate(paid_amount=Sum("payments__amount"), paid_shares=Sum("payments__shares"))
        .order_by("-is_main_contributor", "id")
    )


def plan_payments(*, plan: RewardPlan) -> QuerySet[RewardPayment]:
    return RewardPayment.objects.filter(allocation__plan=plan).select_related("allocation").order_by("paid_on", "id")


def public_leader_rewards(deal: Deal) -> list[RewardAllocation]:
    """The rewards of leaders and unit heads in the deal's approved plans: 条例 Art. 13 makes them public."""
    return list(
        RewardAllocation.objects.filter(
            plan__deal=deal, plan__status=RewardPlanStatus.APPROVED
        ).filter(Q(is_leader=True) | Q(is_unit_head=True))
        .select_related("plan")
        .order_by("plan__income_date", "id")
    )


def deal_reward_summary(deal: Deal, user: AnyUser) -> dict[str, Any]:
    """For the deal's page: its plans (each with its figures), the cash and share totals of the pools, of the
    allocations and of the payments, and whether the user may add a plan. Nothing for those who may not read
    the deal."""
    if not Deal.objects.filter(deal_visible_q(user), pk=deal.pk).exists():
        return {"plans": [], "can_create": False, "visible": False}
    rows = []
    pool_cash = pool_shares = ZERO
    for plan in deal_plans(deal=deal):
        figures = plan_figures(plan)
        check = allocation_check(plan, figures)
        rows.append({"plan": plan, "figures": figures, "check": check})
        if figures.pool is not None:
            if figures.in_shares:
                pool_shares += figures.pool
            else:
                pool_cash += figures.pool
    allocations = RewardAllocation.objects.filter(plan__deal=deal)
    allocated = allocations.aggregate(cash=Sum("amount"), shares=Sum("shares"))
    paid = RewardPayment.objects.filter(allocation__plan__deal=deal).aggregate(
        cash=Sum("amount"), shares=Sum("shares"), tax=Sum("tax_withheld")
    )
    return {
        "visible": True,
        "plans": rows,
        "can_create": can_edit_for(user, deal.owner_id),
        "pool_cash": pool_cash,
        "pool_shares": pool_shares,
        "allocated_cash": allocated["cash"] or ZERO,
        "allocated_shares": allocated["shares"] or ZERO,
        "paid_cash": paid["cash"] or ZERO,
        "paid_shares": paid["shares"] or ZERO,
        "tax_withheld": paid["tax"] or ZERO,
    }


def annual_reward_figures(organisation: Organisation, year: int) -> dict[str, Any]:
    """The unit's rewards and personnel mobility in a calendar year, for the annual report (domain-spec §4).

    Payments count by the date paid (`paid_on` in the year), whatever the year of the plan or the income:

    - cash_amount (Decimal 元): the sum of cash payments;
    - cash_person_times (int, 人次): the number of cash payments (a person paid twice counts twice);
    - equity_shares (Decimal): the sum of the shares vested by equity payments;
    - equity_person_times (int, 人次): the number of equity payments;
    - equity_value (Decimal 元): the shares vested × the deal's price ÷ the deal's shares, where the deal records
      both (a positive number of shares), else 0; rounded to the cent;
    - tax_withheld (Decimal 元): the tax withheld on all these payments, where entered;
    - part_time (int): the unit's part-time records (兼职) active at any time in the year (started by 31 December,
      not ended before 1 January);
    - leave (int): the same for leave to start a business (离岗创业).

    Rewards on classified achievements are left out, as the report leaves those achievements out (domain-spec §4).
    Every sum and count is taken in the database.
    """
    payments = RewardPayment.objects.filter(
        allocation__plan__deal__owner=organisation,
        allocation__plan__deal__achievement__secrecy=Secrecy.NONE,
        paid_on__year=year,
    )
    figures = payments.aggregate(
        cash_amount=Sum("amount", filter=Q(allocation__form=RewardForm.CASH)),
        cash_person_times=Count("id", filter=Q(allocation__form=RewardForm.CASH)),
        equity_shares=Sum("shares", filter=Q(allocation__form=RewardForm.EQUITY)),
        equity_person_times=Count("id", filter=Q(allocation__form=RewardForm.EQUITY)),
        tax_withheld=Sum("tax_withheld"),
    )
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    active = Q(start__lte=end) & (Q(end__isnull=True) | Q(end__gte=start))
    mobility = Mobility.objects.filter(active, organisation=organisation).aggregate(
        part_time=Count("id", filter=Q(kind=MobilityKind.PART_TIME)),
        leave=Count("id", filter=Q(kind=MobilityKind.LEAVE)),
    )
    # The shares vested per deal are summed in the database and valued here, in Decimal: a division in SQLite
    # of two whole numbers is an integer division (750 / 7 = 107).
    vested = (
        payments.filter(allocation__form=RewardForm.EQUITY, shares__isnull=False,
                        allocation__plan__deal__price__isnull=False, allocation__plan__deal__shares__gt=0)
        .values("allocation__plan__deal__price", "allocation__plan__deal__shares")
        .annotate(vested=Sum("shares"))
    )
    equity_value = sum(
        (Decimal(row["vested"]) * row["allocation__plan__deal__price"] / row["allocation__plan__deal__shares"]
         for row in vested),
        ZERO,
    ).quantize(CENT, rounding=ROUND_HALF_UP)
    return {
        "cash_amount": Decimal(figures["cash_amount"] or ZERO),
        "cash_person_times": int(figures["cash_person_times"]),
        "equity_shares": Decimal(figures["equity_shares"] or ZERO),
        "equity_person_times": int(figures["equity_person_times"]),
        "equity_value": equity_value,
        "tax_withheld": Decimal(figures["tax_withheld"] or ZERO),
        "part_time": int(mobility["part_time"]),
        "leave": int(mobility["leave"]),
    }


# ---------------------------------------------------------------- mobility and unit rules


def mobility_list(*, user: AnyUser) -> QuerySet[Mobility]:
    """The mobility records of the user's units (every unit's for the commission's administrators)."""
    if not is_signed_in(user):
        return Mobility.objects.none()
    qs = Mobility.objects.select_related("organisation", "deal")
    if is_commission_admin(user):
        return qs
    return qs.filter(organisation_id__in=org_ids(user))


def mobility_get(*, user: AnyUser, pk: Any) -> Mobility:
    try:
        return mobility_list(user=user).get(pk=pk)
    except (Mobility.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def unit_rule_list(*, user: AnyUser) -> QuerySet[UnitRewardRule]:
    """The reward rules of the user's units."""
    if not is_signed_in(user):
        return UnitRewardRule.objects.none()
    qs = UnitRewardRule.objects.select_related("organisation")
    if is_commission_admin(user):
        return qs
    return qs.filter(organisation_id__in=org_ids(user))


def unit_rule_get(*, user: AnyUser, pk: Any) -> UnitRewardRule:
    try:
        return unit_rule_list(user=user).get(pk=pk)
    except (UnitRewardRule.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def rule_organisations(user: AnyUser) -> QuerySet[Organisation]:
    """The units whose reward rules the user sets (as their TTO officer)."""
    if not is_signed_in(user):
        return Organisation.objects.none()
    return Organisation.objects.filter(pk__in=[pk for pk in org_ids(user) if can_set_rules(user, pk)]).order_by("name")
