"""The unit's pages: its deals, the form (new and edit), the deal's page with its attachments, objections,
history and steps, the completion page and the contract link."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from techtransfer.accounts.abuse import submit_once
from techtransfer.accounts.models import Organisation
from techtransfer.accounts.permissions import editable_organisations
from techtransfer.achievements.choices import REGISTERED_STATUSES
from techtransfer.achievements.models import Achievement
from techtransfer.core.attachment_views import AttachmentRoutes
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.forms import error_summary
from techtransfer.core.views import apply_service_errors, flash_refusal
from techtransfer.deals import selectors, services
from techtransfer.deals.choices import (
    EDITABLE_DEAL_STATUSES,
    DealAttachmentKind,
    DealMode,
    DealStatus,
    ObjectionStatus,
)
from techtransfer.deals.forms import AnswerForm, CompleteForm, DealForm, LinkContractForm, UnitForm
from techtransfer.deals.models import Deal, DealAttachment, Objection
from techtransfer.deals.permissions import UNIT, can_edit_for
from techtransfer.deals.workflows import DEAL_FLOW, publicity_ended

ATTACHMENTS = AttachmentRoutes(
    get_record=selectors.deal_get, model=DealAttachment, record_field="deal",
    add=services.attachment_add, remove=services.attachment_remove, detail="deals:detail", kinds=DealAttachmentKind,
)

PAGE_SIZE = 25


def rewards_context(deal: Deal, user: Any) -> dict[str, Any]:
    """The income-distribution panel's context (helper C's selectors_rewards)."""
    from techtransfer.deals.selectors_rewards import deal_reward_summary

    return {"reward_summary": deal_reward_summary(deal, user)}


@login_required
def deal_list(request: HttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k, "") for k in ("status", "mode", "objections", "q")}
    page = Paginator(selectors.deal_list(user=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "deals/list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": DealStatus.choices,
            "modes": DealMode.choices,
            "can_create": editable_organisations(request.user).exists(),
        },
    )


def _form_context(form: DealForm, deal: Deal | None, unit_form: UnitForm | None = None) -> dict[str, Any]:
    return {"form": form, "deal": deal, "unit_form": unit_form, "error_summary": error_summary(unit_form, form)}


@login_required
def deal_create(request: HttpRequest) -> HttpResponse:
    organisations = editable_organisations(request.user)
    if not organisations:
        raise PermissionDenied(_("Only a unit's TTO officers and editors record its transformation deals."))
    unit_form = None
    owner = organisations[0]
    data = request.POST if request.method == "POST" else None
    # From an achievement's page (?achievement=<id>): its unit and the achievement are chosen already.
    start = _own_achievement(request, organisations)
    if start is not None:
        owner = start.owner
    if len(organisations) > 1:
        chosen = request.GET.get("unit") or (str(start.owner_id) if start is not None else None)
        initial_owner = organisations.filter(pk=chosen).first() if chosen and chosen.isdigit() else None
        owner = initial_owner or owner
        unit_form = UnitForm(data, organisations=organisations, initial={"owner": owner})
        if unit_form.is_bound and unit_form.is_valid():
            owner = unit_form.cleaned_data["owner"]
    form = DealForm(data, owner=owner, initial={"achievement": start} if start is not None else None)
    unit_ok = unit_form is None or unit_form.is_valid()
    if request.method == "POST" and form.is_valid() and unit_ok:
        return submit_once(request, form, lambda: _create(request, form, owner, unit_form))
    return render(request, "deals/form.html", _form_context(form, None, unit_form))


def _own_achievement(request: HttpRequest, organisations: Any) -> Achievement | None:
    """The achievement named by ?achievement= when it belongs to one of the user's units, else None."""
    pk = request.GET.get("achievement", "")
    if not pk.isdigit():
        return None
    return Achievement.objects.filter(pk=pk, owner__in=organisations).first()


def achievement_panel(request: HttpRequest, achievement: Achievement) -> dict[str, Any] | None:
    """The deals panel of an achievement's page: its publicity notices for everyone, its deals for those who
    read them, and "record a deal" for its unit's editors once it is registered."""
    notices = list(selectors.public_deal_list().filter(achievement=achievement))
    deals = list(selectors.deal_list(user=request.user).filter(achievement=achievement))
    may_record = achievement.status in REGISTERED_STATUSES and can_edit_for(request.user, achievement.owner_id)
    if not (notices or deals or may_record):
        return None
    return {"achievement": achievement, "notices": notices, "deals": deals, "may_record": may_record}


def _create(request: HttpRequest, form: DealForm, owner: Organisation, unit_form: UnitForm | None) -> HttpResponse:
    try:
        deal = services.deal_create(by=request.user, owner=owner, data=form.service_data())
    except ValidationError as exc:
        apply_service_errors(exc, form)
        return render(request, "deals/form.html", _form_context(form, None, unit_form))
    messages.success(request, _("The deal is saved as a draft. Attach the decision minutes (PDF), then go on."))
    return redirect("deals:detail", pk=deal.pk)


def _editable_deal(request: HttpRequest, pk: int) -> Deal:
    deal = selectors.deal_get(user=request.user, pk=pk)
    if not UNIT.check(request.user, deal) or deal.status not in EDITABLE_DEAL_STATUSES:
        raise PermissionDenied(_("Only the unit changes the deal, while it is a draft."))
    return deal


@login_required
def deal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deal = _editable_deal(request, pk)
    form = DealForm(request.POST if request.method == "POST" else None, instance=deal, owner=deal.owner)
    if request.method == "POST" and form.is_valid():
        try:
            services.deal_update(deal=deal, by=request.user, data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("deals:detail", pk=pk)
    deal.refresh_from_db()
    return render(request, "deals/form.html", _form_context(form, deal))


@login_required
@require_GET
def mode_fields(request: HttpRequest) -> HttpResponse:
    """The mode-dependent fields for the mode and pricing method chosen (htmx, on change), keeping the values
    typed so far. Refused to those who record deals for no unit."""
    organisations = editable_organisations(request.user)
    if not organisations:
        raise PermissionDenied
    owner = organisations[0]
    initial = {key: value for key, value in request.GET.items() if key != "csrfmiddlewaretoken"}
    form = DealForm(initial=initial, owner=owner)
    return render(request, "deals/_mode_fields.html", {"form": form})


@login_required
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deal = selectors.deal_get(user=request.user, pk=pk)
    user = request.user
    is_unit = UNIT.check(user, deal)
    editable = is_unit and deal.status in EDITABLE_DEAL_STATUSES
    problems: list[str] = []
    if is_unit and deal.status in (DealStatus.DRAFT, DealStatus.PUBLICITY):
        found = services.completion_problems(deal)
        if deal.status == DealStatus.DRAFT and deal.pricing_method == "negotiated":
            found = services.publicise_problems(deal)
        problems = [m for messages_ in found.values() for m in messages_]
    objections = list(selectors.deal_objections(deal=deal))
    now = timezone.now()
    context: dict[str, Any] = {
        "deal": deal,
        "is_unit": is_unit,
        "can_edit": editable,
        "attachments": deal.attachments.all(),
        "attachment_form": ATTACHMENTS.form() if editable else None,
        "problems": problems,
        "history": DEAL_FLOW.history_of(deal),
        "objections": objections,
        "answer_form": AnswerForm() if is_unit and deal.status == DealStatus.PUBLICITY else None,
        "may_complete": DEAL_FLOW.may(user, deal, "complete"),
        "period_ended": publicity_ended(deal),
        "days_left": (deal.publicity_end - now).days if deal.publicity_end and deal.publicity_end > now else None,
        "link_form": (
            LinkContractForm(owner_id=deal.owner_id, initial={"contract": deal.contract_id})
            if is_unit and deal.status in (DealStatus.PUBLICITY, DealStatus.COMPLETED) else None
        ),
        "OPEN": ObjectionStatus.OPEN,
    }
    context.update(rewards_context(deal, user))
    return render(request, "deals/detail.html", context)


@login_required
def deal_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """The completion step's own page: the signing date and the registered contract, if any."""
    deal = selectors.deal_get(user=request.user, pk=pk)
    if not UNIT.check(request.user, deal):
        raise PermissionDenied(DEAL_FLOW.role_refusal(request.user, deal, DEAL_FLOW.step("complete")))
    form = CompleteForm(
        request.POST if request.method == "POST" else None, owner_id=deal.owner_id,
        initial={"contract": deal.contract_id, "signed_on": deal.signed_on},
    )
    refusal = DEAL_FLOW.state_refusal(deal, DEAL_FLOW.step("complete"), request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.deal_complete(
                deal=deal, by=request.user, contract=form.cleaned_data.get("contract"),
                signed_on=form.cleaned_data.get("signed_on"),
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            return redirect("deals:detail", pk=pk)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, str(DEAL_FLOW.step("complete").done))
            return redirect("deals:detail", pk=pk)
    return render(request, "deals/complete.html", {"deal": deal, "form": form, "refusal": refusal})


@login_required
@require_POST
def link_contract(request: HttpRequest, pk: int) -> HttpResponse:
    deal = selectors.deal_get(user=request.user, pk=pk)
    if not UNIT.check(request.user, deal):
        raise PermissionDenied(UNIT.refusal_for(request.user, deal))
    form = LinkContractForm(request.POST, owner_id=deal.owner_id)
    if form.is_valid():
        try:
            services.deal_link_contract(deal=deal, by=request.user, contract=form.cleaned_data.get("contract"))
        except (ApplicationError, ValidationError) as exc:
            flash_refusal(request, exc)
        else:
            messages.success(request, _("The contract link is saved."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("deals:detail", pk=pk)


@login_required
@require_POST
def objection_answer(request: HttpRequest, pk: int, objection_pk: int) -> HttpResponse:
    deal = selectors.deal_get(user=request.user, pk=pk)
    objection = get_object_or_404(Objection, pk=objection_pk, deal=deal)
    if not UNIT.check(request.user, deal):
        raise PermissionDenied(UNIT.refusal_for(request.user, deal))
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.objection_answer(objection=objection, by=request.user, answer=form.cleaned_data["answer"])
        except (ApplicationError, ValidationError) as exc:
            flash_refusal(request, exc)
        else:
            messages.success(request, _("The answer is recorded; the objection is resolved."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(reverse("deals:detail", args=[pk]) + f"#objection-{objection_pk}")
