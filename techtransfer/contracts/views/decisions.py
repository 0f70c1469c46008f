"""The registrar's side: the queue with its deadlines, and the two decisions that need more than a reason
(register with the approved value; refuse with grounds). Return and dispute are plain workflow buttons."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.contracts import rules, selectors, services
from techtransfer.contracts.forms import RefuseForm, RegisterForm
from techtransfer.contracts.models import TechnologyContract
from techtransfer.contracts.permissions import is_registrar
from techtransfer.contracts.workflows import CONTRACT_FLOW
from techtransfer.core.views import run_form_step

PAGE_SIZE = 25


@login_required
def decision_queue(request: HttpRequest) -> HttpResponse:
    if not is_registrar(request.user):
        raise PermissionDenied(_("The queue is for the registrars of a registration point."))
    today = timezone.localdate()
    page = Paginator(selectors.contract_decision_queue(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for contract in page:
        days_left = (contract.decision_due - today).days if contract.decision_due else None
        rows.append({"contract": contract, "days_left": days_left, "overdue": -days_left if days_left else 0})
    return render(request, "contracts/queue.html", {"page": page, "rows": rows, "today": today})


def _decidable(request: HttpRequest, pk: int, step: str) -> TechnologyContract:
    contract = selectors.contract_get(user=request.user, pk=pk)
    CONTRACT_FLOW.check(contract, step, request.user)  # 403 who, 409 when
    return contract


@login_required
def contract_register(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _decidable(request, pk, "register")
    form = RegisterForm(
        request.POST if request.method == "POST" else None,
        initial={"approved_value": contract.declared_technical_value},
    )
    back = reverse("contracts:detail", args=[pk])

    def show() -> HttpResponse:
        return render(request, "contracts/decide.html", {"contract": contract, "form": form, "step": "register"})

    if request.method != "POST":
        return show()
    return run_form_step(
        request,
        form,
        lambda data: services.contract_register(
            contract=contract, by=request.user, approved_value=data["approved_value"],
            approval_note=data.get("approval_note", ""),
        ),
        done=_("Registered. The certificate can be downloaded from the contract's page."),
        back=back,
        show_form=show,
    )


def ground_choices(contract: TechnologyContract) -> list[tuple[str, str]]:
    rule_set = contract.rule_set or rules.rule_set_on(timezone.localdate())
    return [(g["code"], rules.ground_text(g)) for g in rules.refusal_grounds(rule_set)]


@login_required
def contract_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _decidable(request, pk, "refuse")
    form = RefuseForm(request.POST if request.method == "POST" else None, grounds=ground_choices(contract))
    back = reverse("contracts:detail", args=[pk])

    def show() -> HttpResponse:
        context: dict[str, Any] = {"contract": contract, "form": form, "step": "refuse"}
        return render(request, "contracts/decide.html", context)

    if request.method != "POST":
        return show()
    return run_form_step(
        request,
        form,
        lambda data: services.contract_refuse(
            contract=contract, by=request.user, grounds=data["grounds"], note=data.get("note", "")
        ),
        done=_("Refused. The seller sees the grounds."),
        back=back,
        show_form=show,
    )
