"""Pages of experts and the S&T commissioner scheme (S17): the home of each role, a commissioner, an assignment
with its visits, a visit with the enterprise's confirmation, the commission's activity page with its chart and CSV
export, consultations, and an expert profile's claim, editing and merging."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from techtransfer.accounts.permissions import is_commission_admin
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.views import apply_service_errors
from techtransfer.lib.tables import formula_safe
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.permissions import demand_visible_q
from techtransfer.matching.models import Expert, ExpertAlias
from techtransfer.talent import permissions as perms
from techtransfer.talent import selectors, services
from techtransfer.talent.choices import ClaimStatus
from techtransfer.talent.forms import (
    AppointForm,
    AssignForm,
    ClaimForm,
    ConfirmForm,
    ConsultationForm,
    ExpertProfileForm,
    MergeForm,
    PeriodForm,
    VisitForm,
)
from techtransfer.talent.workflows import CLAIM_FLOW, CONSULTATION_FLOW


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What the scheme holds for the visitor: the commission's commissioners, one's own terms, the visits to
    one's enterprise to confirm, and consultations."""
    user = request.user
    commission = perms.is_commission(user)
    year = request.GET.get("year", "")
    chosen = int(year) if year.isdigit() and len(year) == 4 else None
    commissioners = selectors.commissioner_list(user=user, year=chosen)
    own = [c for c in commissioners if c.user_id == user.pk] if not commission else []
    to_confirm = selectors.visit_list(user=user, confirmation="pending").filter(
        assignment__enterprise_id__in=perms.enterprise_ids(user))[:50]
    return render(request, "talent/home.html", {
        "commission": commission, "admin": is_commission_admin(user),
        "commissioners": commissioners if commission else [], "own": own, "year": year,
        "to_confirm": to_confirm, "consultations": selectors.consultation_list(user=user)[:20],
    })


@require_http_methods(["GET", "POST"])
@login_required
def appoint(request: HttpRequest) -> HttpResponse:
    if not is_commission_admin(request.user):
        raise PermissionDenied(perms.NOT_COMMISSION_ADMIN)
    form = AppointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            commissioner = services.commissioner_appoint(
                by=request.user, user=data["username"], year=data["year"],
                dispatching_unit=data["dispatching_unit"], service_region=data["service_region"],
                fields=data["fields"],
            )
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The commissioner is appointed."))
            return redirect("talent:commissioner", commissioner.pk)
    return render(request, "talent/appoint.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@login_required
def commissioner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    commissioner = selectors.commissioner_get(user=request.user, pk=pk)
    admin = is_commission_admin(request.user)
    form = AssignForm(request.POST or None) if admin else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(perms.NOT_COMMISSION_ADMIN)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.assignment_add(
                    by=request.user, commissioner=commissioner, enterprise=data["enterprise"],
                    village_name=data["village_name"], village_region=data["village_region"],
                    start=data["start"], end=data["end"],
                )
            except ValidationError as exc:
                apply_service_errors(exc, form)
            else:
                messages.success(request, _("The assignment is recorded."))
                return redirect("talent:commissioner", pk)
    return render(request, "talent/commissioner.html", {
        "c": commissioner, "form": form,
        "assignments": selectors.assignment_list(user=request.user, commissioner=commissioner),
    }, status=400 if form is not None and form.errors else 200)


@require_http_methods(["GET", "POST"])
@login_required
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.assignment_get(user=request.user, pk=pk)
    mine = perms.can_record_visit(request.user, assignment.commissioner.user_id)
    form = VisitForm(request.POST or None) if mine else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(perms.NOT_THE_COMMISSIONER)
        if form.is_valid():
            try:
                services.visit_record(by=request.user, assignment=assignment, data=dict(form.cleaned_data))
            except ValidationError as exc:
                apply_service_errors(exc, form)
            else:
                messages.success(request, _("The visit is recorded; the enterprise is asked to confirm it."))
                return redirect("talent:assignment", pk)
    return render(request, "talent/assignment.html", {
        "a": assignment, "form": form, "visits": selectors.visit_list(user=request.user, assignment=assignment),
        "sees_commissioner": mine or perms.is_commission(request.user),
    }, status=400 if form is not None and form.errors else 200)


@require_http_methods(["GET", "POST"])
@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get(user=request.user, pk=pk)
    may_confirm = perms.can_confirm(request.user, visit.assignment.enterprise_id)
    form = ConfirmForm(request.POST or None) if may_confirm and visit.confirmation == "pending" else None
    if request.method == "POST":
        if not may_confirm:
            raise PermissionDenied(perms.NOT_THE_ENTERPRISE)
        if form is None:
            messages.error(request, _("The enterprise has already answered this record."))
            return redirect("talent:visit", pk)
        if form.is_valid():
            try:
                services.visit_confirm(visit=visit, by=request.user, note=form.cleaned_data["note"],
                                       disputed=form.cleaned_data["answer"] == "dispute")
            except ValidationError as exc:
                apply_service_errors(exc, form)
            except ApplicationError as exc:
                messages.error(request, exc.message)
                return redirect("talent:visit", pk)
            else:
                messages.success(request, _("Your answer is recorded."))
                return redirect("talent:visit", pk)
    return render(request, "talent/visit.html", {"v": visit, "form": form},
                  status=400 if form is not None and form.errors else 200)


ACTIVITY_COLUMNS = ("visits", "hours", "people", "places_served", "confirmed_share")


@require_safe
@login_required
def activity(request: HttpRequest) -> HttpResponse:
    """Per commissioner and per district totals for a period, with a chart; `?format=csv` downloads them."""
    if not perms.is_commission(request.user):
        raise PermissionDenied(perms.NOT_COMMISSION)
    form = PeriodForm(request.GET)
    start, end = form.period()
    data = selectors.activity(user=request.user, start=start, end=end)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="commissioner-activity-{start}-{end}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow([_("Group"), _("Name"), _("Visits"), _("Hours"), _("People served"), _("Places served"),
                         _("Confirmed share (%)")])
        for group, rows in ((_("Commissioner"), data.by_commissioner), (_("District"), data.by_district)):
            for r in rows:
                writer.writerow([group, formula_safe(r.label), r.visits, r.hours, r.people, r.places_served,
                                 r.confirmed_share])
        return response
    return render(request, "talent/activity.html", {
        "form": form, "data": data, "chart": selectors.activity_chart(data),
        "csv_query": f"?start={start}&end={end}&format=csv",
    })


@require_safe
@login_required
def consultation_list(request: HttpRequest) -> HttpResponse:
    return render(request, "talent/consultations.html", {
        "consultations": selectors.consultation_list(user=request.user)[:200],
        "may_ask": bool(perms.enterprise_ids(request.user)),
    })


@require_http_methods(["GET", "POST"])
@login_required
def consultation_new(request: HttpRequest) -> HttpResponse:
    enterprises = perms.may_ask_for(request.user)
    if not enterprises:
        raise PermissionDenied(perms.NOT_AN_ENTERPRISE)
    source = request.POST if request.method == "POST" else request.GET
    expert = get_object_or_404(Expert, pk=source.get("expert") if str(source.get("expert", "")).isdigit() else 0)
    demand_id = str(source.get("demand", ""))
    demand = (TechnologyDemand.objects.filter(demand_visible_q(request.user), pk=demand_id).first()
              if demand_id.isdigit() else None)
    form = ConsultationForm(request.POST or None, enterprises=enterprises)
    if request.method == "POST" and form.is_valid():
        try:
            consultation = services.consultation_ask(
                by=request.user, expert=expert, demand=demand, enterprise=form.cleaned_data["enterprise"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your request is sent."))
            return redirect("talent:consultation", consultation.pk)
    return render(request, "talent/consultation_form.html", {"form": form, "expert": expert, "demand": demand},
                  status=400 if form.errors else 200)


@require_safe
@login_required
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.consultation_get(user=request.user, pk=pk)
    return render(request, "talent/consultation.html", {
        "c": consultation, "history": CONSULTATION_FLOW.history_of(consultation),
        "on_behalf": perms.expert_account(consultation.expert) is None,
    })


# ---------------------------------------------------------------- expert profiles


@require_http_methods(["GET", "POST"])
@login_required
def expert_claim(request: HttpRequest, pk: int) -> HttpResponse:
    expert = get_object_or_404(Expert, pk=pk)
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.expert_claim(by=request.user, expert=expert, evidence=form.cleaned_data["evidence"])
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your claim is sent for review."))
            return redirect("talent:claim", claim.pk)
    return render(request, "talent/claim_form.html", {"form": form, "expert": expert},
                  status=400 if form.errors else 200)


@require_safe
@login_required
def claim_list(request: HttpRequest) -> HttpResponse:
    claims = list(selectors.claim_list(user=request.user)[:200])
    return render(request, "talent/claims.html", {
        "to_review": [c for c in claims if c.status == ClaimStatus.ASKED and perms.can_review_claim(request.user, c)],
        "claims": claims,
    })


@require_safe
@login_required
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = selectors.claim_get(user=request.user, pk=pk)
    return render(request, "talent/claim.html", {"claim": claim, "checks": selectors.claim_checks(claim=claim),
                                                 "history": CLAIM_FLOW.history_of(claim)})


@require_http_methods(["GET", "POST"])
@login_required
def expert_edit(request: HttpRequest, pk: int) -> HttpResponse:
    expert = get_object_or_404(Expert, pk=pk)
    if not perms.can_edit_expert(request.user, expert):
        raise PermissionDenied(perms.NOT_THE_EXPERT)
    initial = {"stated_title": expert.display_title, "research_focus": expert.research_focus,
               "expertise": ", ".join(expert.expertise), "accepts_consultations": expert.accepts_consultations}
    form = ExpertProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.expert_profile_update(by=request.user, expert=expert, data=form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The profile is saved; matching reads it from now on."))
            return redirect("matching:expert", expert.pk)
    return render(request, "talent/expert_form.html", {"form": form, "expert": expert},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@login_required
def expert_merge(request: HttpRequest, pk: int) -> HttpResponse:
    if not perms.can_merge_experts(request.user):
        raise PermissionDenied(perms.NOT_A_MERGER)
    expert = get_object_or_404(Expert.objects.select_related("account"), pk=pk)
    candidates = selectors.merge_candidates(expert=expert)
    form = MergeForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        other = get_object_or_404(Expert, pk=form.cleaned_data["other"])
        try:
            services.expert_merge(by=request.user, into=expert, other=other)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The profiles are merged; links to the other profile now lead here."))
            return redirect("matching:expert", expert.pk)
    context = {"form": form, "expert": expert, "candidates": candidates, "merges": selectors.merges_of(expert=expert)}
    return render(request, "talent/expert_merge.html", context, status=400 if form.errors else 200)


@require_http_methods(["POST"])
@login_required
def expert_split(request: HttpRequest, pk: int, merge_pk: int) -> HttpResponse:
    if not perms.can_merge_experts(request.user):
        raise PermissionDenied(perms.NOT_A_MERGER)
    merge = get_object_or_404(ExpertAlias, pk=merge_pk, expert_id=pk)
    try:
        restored = services.expert_split(by=request.user, merge=merge)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("talent:expert_merge", pk)
    messages.success(request, _("The merge is undone: %(name)s · %(unit)s is a profile of its own again.")
                     % {"name": merge.name, "unit": merge.unit_name or "—"})
    return redirect("matching:expert", restored.pk) if restored else redirect("talent:expert_merge", pk)
