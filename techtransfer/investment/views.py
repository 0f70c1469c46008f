"""Pages of investment matching (S18): the public list of investors with facets, an investor's profile, its
form; funding projects with their ranked investors and the requests sent; the requests received or sent."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from techtransfer.accounts.models import Organisation
from techtransfer.achievements.models import Achievement
from techtransfer.achievements.permissions import achievement_visible_q
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.forms import error_summary
from techtransfer.core.views import apply_service_errors, flash_errors
from techtransfer.deals.models import Deal
from techtransfer.deals.permissions import deal_visible_q
from techtransfer.investment import permissions as perms
from techtransfer.investment import selectors, services
from techtransfer.investment.forms import (
    FACET_TITLES,
    PAGE_SIZE,
    FilterForm,
    InvestForm,
    InvestorForm,
    ProjectForm,
    SendForm,
)
from techtransfer.investment.workflows import INVESTOR_FLOW, PROJECT_FLOW, REQUEST_FLOW

NO_INVESTOR_ORG = gettext_lazy("Only the admins (TTO officers) of an investor organisation list its funds.")
NO_UNIT = gettext_lazy("Only the TTO officers of a unit create its funding projects.")


def _query(params: dict[str, Any], **changes: Any) -> str:
    data = {**params, **changes}
    text = urlencode({k: str(v) for k, v in data.items() if v not in (None, "")})
    return f"?{text}" if text else ""


# --- investors -------------------------------------------------------------------------------------------


@require_safe
def investor_list(request: HttpRequest) -> HttpResponse:
    """Published investor profiles with search and facets (kind, focus field, stage)."""
    params = FilterForm(request.GET).params()
    investors = selectors.investor_list(user=request.user, filters=params)
    page = Paginator(investors, PAGE_SIZE).get_page(request.GET.get("page"))
    groups = [
        {
            "name": name,
            "title": FACET_TITLES[name],
            "options": [
                {"label": f.label, "count": f.count, "active": params.get(name) == f.value,
                 "url": _query(params, **{name: None if params.get(name) == f.value else f.value})}
                for f in values
            ],
        }
        for name, values in selectors.investor_facets(investors).items()
    ]
    return render(request, "investment/list.html", {
        "params": params, "page": page, "groups": groups, "page_query": _query(params),
        "can_create": bool(perms.managed_investor_orgs(request.user)),
        "can_seek": bool(perms.project_managers(request.user)),
    })


@require_safe
def investor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    investor = selectors.investor_get(user=request.user, pk=pk)
    manager = perms.can_manage_investor(request.user, investor)
    context: dict[str, Any] = {
        "investor": investor, "manager": manager,
        "projects": selectors.open_projects_of(user=request.user),
    }
    if manager:
        context["history"] = INVESTOR_FLOW.history_of(investor)
    return render(request, "investment/investor.html", context)


@login_required
@require_safe
def investor_mine(request: HttpRequest) -> HttpResponse:
    if not perms.managed_investor_orgs(request.user):
        raise PermissionDenied(NO_INVESTOR_ORG)
    return render(request, "investment/mine.html", {"investors": selectors.investors_managed(user=request.user)})


def _investor_form(request: HttpRequest, form: InvestorForm, investor: Any) -> HttpResponse:
    return render(request, "investment/investor_form.html", {
        "form": form, "investor": investor, "error_summary": error_summary(form),
    })


@login_required
def investor_new(request: HttpRequest) -> HttpResponse:
    orgs = sorted(perms.managed_investor_orgs(request.user))
    if not orgs:
        raise PermissionDenied(NO_INVESTOR_ORG)
    form = InvestorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            investor = services.investor_create(by=request.user, organisation=Organisation.objects.get(pk=orgs[0]),
                                                data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The investor profile is saved as a draft. Publish it when it is complete."))
            return redirect("investment:investor", pk=investor.pk)
    return _investor_form(request, form, None)


@login_required
def investor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    investor = selectors.investor_get(user=request.user, pk=pk)
    if not perms.can_manage_investor(request.user, investor):
        raise PermissionDenied(perms.NOT_THE_INVESTOR_ADMIN)
    form = InvestorForm(request.POST if request.method == "POST" else None, investor=investor)
    if request.method == "POST" and form.is_valid():
        try:
            services.investor_update(investor=investor, by=request.user, data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("investment:investor", pk=pk)
    return _investor_form(request, form, investor)


# --- projects --------------------------------------------------------------------------------------------


@login_required
@require_safe
def project_list(request: HttpRequest) -> HttpResponse:
    projects = selectors.project_list(user=request.user)
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "investment/projects.html", {
        "page": page, "can_create": bool(perms.project_managers(request.user)),
    })


def _candidates(request: HttpRequest) -> tuple[QuerySet[Any], QuerySet[Any]]:
    units = perms.project_managers(request.user)
    achievements = Achievement.objects.filter(achievement_visible_q(request.user), owner_id__in=units)
    deals = Deal.objects.filter(deal_visible_q(request.user), owner_id__in=units)
    return achievements.order_by("-id"), deals.order_by("-id")


def _project_form(request: HttpRequest, form: ProjectForm, project: Any) -> HttpResponse:
    return render(request, "investment/project_form.html", {
        "form": form, "project": project, "error_summary": error_summary(form),
    })


@login_required
def project_new(request: HttpRequest) -> HttpResponse:
    units = sorted(perms.project_managers(request.user))
    if not units:
        raise PermissionDenied(NO_UNIT)
    achievements, deals = _candidates(request)
    form = ProjectForm(request.POST if request.method == "POST" else None, achievements=achievements, deals=deals)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(by=request.user, owner=Organisation.objects.get(pk=units[0]),
                                              data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The project is saved as a draft. Start seeking funding when it is complete."))
            return redirect("investment:project", pk=project.pk)
    return _project_form(request, form, None)


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(user=request.user, pk=pk)
    if not perms.can_manage_project(request.user, project):
        raise PermissionDenied(perms.NOT_THE_OWNER)
    achievements, deals = _candidates(request)
    form = ProjectForm(request.POST if request.method == "POST" else None, achievements=achievements, deals=deals,
                       project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(project=project, by=request.user, data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("investment:project", pk=pk)
    return _project_form(request, form, project)


@login_required
@require_safe
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(user=request.user, pk=pk)
    manager = perms.can_manage_project(request.user, project)
    context: dict[str, Any] = {
        "project": project, "manager": manager,
        "requests": selectors.project_requests(user=request.user, project=project),
        "history": PROJECT_FLOW.history_of(project),
    }
    if manager:
        context["matches"] = selectors.investor_matches(project=project)
        context["send_form"] = SendForm()
    return render(request, "investment/project.html", context)


@login_required
@require_POST
def request_send(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(user=request.user, pk=pk)
    form = SendForm(request.POST)
    if not form.is_valid():
        flash_errors(request, ValidationError(form.errors))
        return redirect("investment:project", pk=pk)
    investor = selectors.investor_get(user=request.user, pk=form.cleaned_data["investor"])
    try:
        services.request_send(project=project, investor=investor, by=request.user,
                              message=form.cleaned_data["message"])
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("The project is sent to %(investor)s.") % {"investor": investor.name})
    return redirect("investment:project", pk=pk)


# --- requests --------------------------------------------------------------------------------------------


@login_required
@require_safe
def request_list(request: HttpRequest) -> HttpResponse:
    requests = selectors.request_list(user=request.user)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "investment/requests.html", {"page": page})


@login_required
@require_safe
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    funding_request = selectors.request_get(user=request.user, pk=pk)
    may_invest = REQUEST_FLOW.may(request.user, funding_request, "invest")
    return render(request, "investment/request.html", {
        "funding_request": funding_request,
        "history": REQUEST_FLOW.history_of(funding_request),
        "invest_form": InvestForm() if may_invest else None,
    })


@login_required
def request_invest(request: HttpRequest, pk: int) -> HttpResponse:
    funding_request = selectors.request_get(user=request.user, pk=pk)
    form = InvestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_invest(request=funding_request, by=request.user, amount=form.cleaned_data["amount"],
                                    invested_on=form.cleaned_data["invested_on"])
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            return redirect("investment:request", pk=pk)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The investment is recorded."))
            return redirect("investment:request", pk=pk)
    elif request.method != "POST":
        try:
            REQUEST_FLOW.check(funding_request, "invest", request.user)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            return redirect("investment:request", pk=pk)
    return render(request, "investment/request.html", {
        "funding_request": funding_request,
        "history": REQUEST_FLOW.history_of(funding_request),
        "invest_form": form,
    })
