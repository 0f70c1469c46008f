"""Income-distribution pages (S9): a deal's reward plans (net income, the rule applied, the pool, allocations,
approval, payments), the cost evidence download, personnel mobility and the unit's own reward rules.

Thin: records come through selectors_rewards (404 for those who may not read them), writes through
services_rewards (which check who, when and what again)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from techtransfer.accounts.permissions import EDITOR_ROLES, editable_organisations, is_commission_admin, org_ids
from techtransfer.core.downloads import protected_file_response
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.views import apply_service_errors, flash_refusal
from techtransfer.deals import selectors_rewards as selectors
from techtransfer.deals import services_rewards as services
from techtransfer.deals.choices import RewardForm, RewardPlanStatus
from techtransfer.deals.forms_rewards import (
    AllocationForm,
    CostForm,
    MobilityForm,
    PaymentForm,
    PlanForm,
    UnitRuleForm,
)
from techtransfer.deals.models import Deal, NetIncomeItem, RewardAllocation, RewardPlan
from techtransfer.deals.permissions import NOT_THE_UNIT, UNIT, can_edit_for
from techtransfer.deals.workflows_rewards import PLAN_FLOW

NO_UNIT = gettext_lazy("Only members of a unit can record its part-time work and leave.")


# ---------------------------------------------------------------- plans


@login_required
def plan_create(request: HttpRequest, deal_pk: int) -> HttpResponse:
    deal = selectors.deal_for_plans(user=request.user, pk=deal_pk)
    if not can_edit_for(request.user, deal.owner_id):
        raise PermissionDenied(NOT_THE_UNIT)
    form = PlanForm(request.POST or None, deal=deal)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(by=request.user, deal=deal, data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The reward plan is saved. Add the deductions and the allocations."))
            return redirect("deals:plan_detail", pk=plan.pk)
    return render(request, "deals/rewards/plan_form.html", {"form": form, "deal": deal, "plan": None})


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    if not UNIT.check(request.user, plan) or plan.status != RewardPlanStatus.DRAFT:
        raise PermissionDenied(_("Only the unit changes a reward plan, while it is a draft."))
    initial = {name: getattr(plan, name) for name in services.PLAN_FIELDS}
    form = PlanForm(request.POST or None, deal=plan.deal, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(plan=plan, by=request.user, data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("deals:plan_detail", pk=pk)
    return render(request, "deals/rewards/plan_form.html", {"form": form, "deal": plan.deal, "plan": plan})


def _detail(
    request: HttpRequest,
    plan: RewardPlan,
    *,
    cost_form: CostForm | None = None,
    allocation_form: AllocationForm | None = None,
    payment_forms: dict[int, PaymentForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    is_unit = UNIT.check(user, plan)
    editable = is_unit and plan.status == RewardPlanStatus.DRAFT
    payable = is_unit and plan.status == RewardPlanStatus.APPROVED
    figures = services.plan_figures(plan)
    allocations = list(selectors.plan_allocations(plan=plan))
    payments = list(selectors.plan_payments(plan=plan))
    by_allocation: dict[int, list[Any]] = {}
    for payment in payments:
        by_allocation.setdefault(payment.allocation_id, []).append(payment)
    for allocation in allocations:
        allocation.payment_list = by_allocation.get(allocation.pk, [])
        if payable:
            allocation.payment_form = (payment_forms or {}).get(allocation.pk) or PaymentForm(
                auto_id=f"id_pay{allocation.pk}_%s"
            )
    context = {
        "plan": plan,
        "deal": plan.deal,
        "figures": figures,
        "check": services.allocation_check(plan, figures),
        "costs": list(plan.costs.all()),
        "allocations": allocations,
        "can_edit": editable,
        "can_pay": payable,
        "cost_form": (cost_form or CostForm()) if editable and plan.deal.mode in services.INCOME_MODES else None,
        "allocation_form": (allocation_form or AllocationForm(deal=plan.deal)) if editable else None,
        "problems": list(services.approval_problems(plan).values()) if editable else [],
        "history": PLAN_FLOW.history_of(plan),
        "years": _profit_years(plan),
    }
    return render(request, "deals/rewards/plan_detail.html", context, status=status)


def _profit_years(plan: RewardPlan) -> tuple[int, int] | None:
    """The years of the profit share, for own or joint implementation plans."""
    from techtransfer.deals import rules

    if plan.profit_year is None:
        return None
    applied = rules.share_for(plan.deal.owner, plan.deal.mode, plan.income_date)
    return services.profit_year_range(plan.deal, applied) if applied else None


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.plan_get(user=request.user, pk=pk))


@login_required
@require_POST
def cost_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    form = CostForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.cost_add(plan=plan, by=request.user, kind=form.cleaned_data["kind"],
                              description=form.cleaned_data["description"], amount=form.cleaned_data["amount"],
                              evidence=form.cleaned_data.get("evidence"))
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("deals:plan_detail", pk=pk)
        else:
            messages.success(request, _("The deduction is added."))
            return redirect("deals:plan_detail", pk=pk)
    return _detail(request, plan, cost_form=form, status=400)


@login_required
@require_POST
def cost_remove(request: HttpRequest, pk: int, cost_pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    item = get_object_or_404(NetIncomeItem, pk=cost_pk, plan=plan)
    try:
        services.cost_remove(item=item, by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The deduction is removed."))
    return redirect("deals:plan_detail", pk=pk)


@login_required
def cost_evidence(request: HttpRequest, pk: int, cost_pk: int) -> HttpResponseBase:
    plan = selectors.plan_get(user=request.user, pk=pk)  # 404 for those who may not read the plan
    item = get_object_or_404(NetIncomeItem, pk=cost_pk, plan=plan)
    return protected_file_response(request, item.evidence, filename=item.evidence_name or "evidence.pdf")


@login_required
@require_POST
def allocation_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    form = AllocationForm(request.POST, deal=plan.deal)
    if form.is_valid():
        try:
            services.allocation_add(plan=plan, by=request.user, data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("deals:plan_detail", pk=pk)
        else:
            messages.success(request, _("The allocation is added."))
            return redirect(f"{_plan_url(plan)}#allocations")
    return _detail(request, plan, allocation_form=form, status=400)


def _plan_url(plan: RewardPlan) -> str:
    from django.urls import reverse

    return reverse("deals:plan_detail", args=[plan.pk])


@login_required
def allocation_edit(request: HttpRequest, pk: int, allocation_pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    allocation = get_object_or_404(RewardAllocation, pk=allocation_pk, plan=plan)
    if not UNIT.check(request.user, plan) or plan.status != RewardPlanStatus.DRAFT:
        raise PermissionDenied(_("Only the unit changes a reward plan, while it is a draft."))
    initial = {name: getattr(allocation, name) for name in services.ALLOCATION_FIELDS}
    form = AllocationForm(request.POST or None, deal=plan.deal, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.allocation_update(allocation=allocation, by=request.user, data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(f"{_plan_url(plan)}#allocations")
    return render(request, "deals/rewards/allocation_form.html",
                  {"form": form, "plan": plan, "allocation": allocation})


@login_required
@require_POST
def allocation_remove(request: HttpRequest, pk: int, allocation_pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    allocation = get_object_or_404(RewardAllocation, pk=allocation_pk, plan=plan)
    try:
        services.allocation_remove(allocation=allocation, by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The allocation is removed."))
    return redirect(f"{_plan_url(plan)}#allocations")


@login_required
@require_POST
def payment_add(request: HttpRequest, pk: int, allocation_pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    allocation = get_object_or_404(RewardAllocation, pk=allocation_pk, plan=plan)
    form = PaymentForm(request.POST, auto_id=f"id_pay{allocation.pk}_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.payment_add(
                allocation=allocation, by=request.user, paid_on=data["paid_on"],
                amount=data.get("amount") if allocation.form == RewardForm.CASH else None,
                shares=data.get("shares") if allocation.form == RewardForm.EQUITY else None,
                tax_withheld=data.get("tax_withheld"),
            )
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("deals:plan_detail", pk=pk)
        else:
            messages.success(request, _("The payment is recorded."))
            return redirect(f"{_plan_url(plan)}#payments-{allocation.pk}")
    return _detail(request, plan, payment_forms={allocation.pk: form}, status=400)


# ---------------------------------------------------------------- mobility


def _require_member(request: HttpRequest) -> None:
    if not org_ids(request.user) and not is_commission_admin(request.user):
        raise PermissionDenied(NO_UNIT)


def _unit_deals(organisations: Any) -> Any:
    return Deal.objects.filter(owner__in=organisations).select_related("achievement").order_by("-created")


@login_required
def mobility_list(request: HttpRequest) -> HttpResponse:
    _require_member(request)
    records = selectors.mobility_list(user=request.user).order_by("organisation__name", "-start", "-id")
    editable = org_ids(request.user, EDITOR_ROLES)
    rows = [{"record": record, "can_edit": record.organisation_id in editable} for record in records]
    return render(request, "deals/rewards/mobility_list.html",
                  {"rows": rows, "can_create": bool(editable)})


@login_required
def mobility_create(request: HttpRequest) -> HttpResponse:
    organisations = editable_organisations(request.user)
    if not organisations:
        raise PermissionDenied(NO_UNIT)
    form = MobilityForm(request.POST or None, organisations=organisations, deals=_unit_deals(organisations),
                        initial={"organisation": organisations[0]})
    if request.method == "POST" and form.is_valid():
        try:
            services.mobility_create(by=request.user, organisation=form.cleaned_data["organisation"],
                                     data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The record is saved."))
            return redirect("deals:mobility_list")
    return render(request, "deals/rewards/mobility_form.html", {"form": form, "record": None})


@login_required
def mobility_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.mobility_get(user=request.user, pk=pk)
    if not can_edit_for(request.user, record.organisation_id):
        raise PermissionDenied(NOT_THE_UNIT)
    initial = {name: getattr(record, name) for name in services.MOBILITY_FIELDS}
    form = MobilityForm(request.POST or None, organisations=None, deals=_unit_deals([record.organisation_id]),
                        fixed=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.mobility_update(mobility=record, by=request.user, data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("deals:mobility_list")
    return render(request, "deals/rewards/mobility_form.html", {"form": form, "record": record})


@login_required
@require_POST
def mobility_delete(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.mobility_get(user=request.user, pk=pk)
    services.mobility_delete(mobility=record, by=request.user)
    messages.success(request, _("The record is deleted."))
    return redirect("deals:mobility_list")


# ---------------------------------------------------------------- the unit's own reward rules


@login_required
def unit_rules(request: HttpRequest) -> HttpResponse:
    """The rules of the user's units, and (for their TTO officers) the form to add one."""
    _require_member(request)
    organisations = selectors.rule_organisations(request.user)
    form = None
    if organisations:
        form = UnitRuleForm(request.POST or None, organisations=organisations,
                            initial={"organisation": organisations[0]})
        if request.method == "POST" and form.is_valid():
            try:
                services.unit_rule_create(by=request.user, organisation=form.cleaned_data["organisation"],
                                          data=form.service_data())
            except ValidationError as exc:
                apply_service_errors(exc, form)
            else:
                messages.success(request, _("The unit's rule is saved; it applies to incomes from its date."))
                return redirect("deals:unit_rules")
    elif request.method == "POST":
        raise PermissionDenied(services.NOT_A_TTO_OFFICER)
    editable = {o.pk for o in organisations}
    rows = [{"rule": rule, "can_edit": rule.organisation_id in editable}
            for rule in selectors.unit_rule_list(user=request.user).order_by("organisation__name", "-valid_from")]
    return render(request, "deals/rewards/unit_rules.html", {"rows": rows, "form": form})


@login_required
def unit_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = selectors.unit_rule_get(user=request.user, pk=pk)
    if not services.can_set_rules(request.user, rule.organisation_id):
        raise PermissionDenied(services.NOT_A_TTO_OFFICER)
    initial = {name: getattr(rule, name) for name in services.UNIT_RULE_FIELDS}
    form = UnitRuleForm(request.POST or None, organisations=None, fixed=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_rule_update(rule=rule, by=request.user, data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            flash_refusal(request, exc)
            return redirect("deals:unit_rules")
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("deals:unit_rules")
    return render(request, "deals/rewards/unit_rule_form.html", {"form": form, "rule": rule})
