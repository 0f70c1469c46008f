"""Pages of service agencies: the public directory, a profile with its track record and filings, its form, the
annual filing, my profiles, the reviewers' queue, and enterprises' requests for help."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from techtransfer.accounts.abuse import submit_once
from techtransfer.accounts.models import Organisation
from techtransfer.accounts.permissions import is_signed_in
from techtransfer.agencies import permissions as perms
from techtransfer.agencies import selectors, services
from techtransfer.agencies.choices import AgencyKind, AgencyStatus
from techtransfer.agencies.forms import (
    FACET_TITLES,
    MAX_PAGE,
    PAGE_SIZE,
    AgencyForm,
    DirectorySearchForm,
    FilingForm,
    HelpRequestForm,
    InstitutionChoiceForm,
)
from techtransfer.agencies.models import Agency
from techtransfer.agencies.search import agency_directory as directory_search
from techtransfer.agencies.workflows import AGENCY_FLOW, HELP_FLOW
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.forms import error_summary
from techtransfer.core.views import apply_service_errors, flash_errors
from techtransfer.search import pages

LIST_PAGE_SIZE = 25
NOT_A_REVIEWER = gettext_lazy("The review queue is for the commission and the registration bodies' reviewers.")
NO_INSTITUTION = gettext_lazy(
    "Only members of a technology-transfer institution can register its profile. Join your institution (or "
    "register it) first."
)
NO_DEMAND = gettext_lazy(
    "Only members of an enterprise with a published technology demand can ask for help. Post a demand first."
)


# --- the public directory -------------------------------------------------------------------------------


def _list_url(params: dict[str, Any], **changes: Any) -> str:
    page = params["page"] if params["page"] > 1 else None
    data: dict[str, Any] = {"q": params["q"], **params["filters"], "page": page}
    data.update(changes)
    query = urlencode({k: str(v) for k, v in data.items() if v not in (None, "")})
    return reverse("agencies:list") + (f"?{query}" if query else "")


@require_safe
def agency_directory(request: HttpRequest) -> HttpResponse:
    """Listed institutions and brokers: full-text search, facets (kind, services, field, region, level), pages."""
    params = DirectorySearchForm(request.GET).params()
    offset = (params["page"] - 1) * PAGE_SIZE
    result = directory_search(query=params["q"], filters=params["filters"], limit=PAGE_SIZE, offset=offset)
    url_for = partial(_list_url, params)
    labels = {name: {f.value: f.label for f in values} for name, values in result.facets.items()}
    context = {
        "params": params,
        "hits": result.hits,
        "mode": result.mode,
        "total": result.total,
        "first": offset + 1 if result.hits else 0,
        "last": offset + len(result.hits),
        "facet_groups": pages.facet_groups(
            index_names={name: name for name in FACET_TITLES},
            facets=result.facets,
            active=params["filters"],
            titles=FACET_TITLES,
            labels=labels,
            url_for=url_for,
        ),
        "active_filters": pages.active_filters(active=params["filters"], labels=labels, url_for=url_for),
        "clear_url": _list_url({"q": params["q"], "filters": {}, "page": 1}),
        **pages.page_navigation(
            page=params["page"], total=result.total, page_size=PAGE_SIZE, max_page=MAX_PAGE, url_for=url_for
        ),
        "beyond_last_page": params["page"] > 1 and not result.hits,
    }
    template = "agencies/_list_results.html" if pages.wants_partial(request) else "agencies/list.html"
    response = render(request, template, context)
    # The same URL answers with a fragment or a page depending on this header; caches must keep both apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- one profile ----------------------------------------------------------------------------------------


@require_safe
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency = selectors.agency_get(user=request.user, pk=pk)
    user = request.user
    insider = perms.is_insider(user, agency)
    owner = perms.is_owner(user, agency)
    context: dict[str, Any] = {
        "agency": agency,
        "insider": insider,
        "owner": owner,
        "can_edit": owner and agency.status == AgencyStatus.DRAFT,
        "record": selectors.agency_track_record(agency),
        "filing": selectors.filing_status(agency),
        "filings": selectors.agency_filings(agency),
        "employer_profile": selectors.employer_profile(agency) if agency.is_broker else None,
        "brokers": None if agency.is_broker else selectors.brokers_of(agency),
        "can_ask": agency.status == AgencyStatus.LISTED and bool(perms.enterprise_ids(user)) and not owner,
    }
    if insider:
        context["history"] = AGENCY_FLOW.history_of(agency)
        if owner and agency.status == AgencyStatus.DRAFT:
            context["problems"] = [m for ms in services.submission_problems(agency).values() for m in ms]
    if owner:
        context["help_requests"] = selectors.help_request_list(user=user, agency=agency)[:20]
    return render(request, "agencies/detail.html", context)


def _form_page(
    request: HttpRequest, form: AgencyForm, *, agency: Agency | None, choice: InstitutionChoiceForm | None = None
) -> HttpResponse:
    summary = error_summary(choice, form)
    context: dict[str, Any] = {
        "form": form,
        "choice_form": choice,
        "agency": agency,
        "kind": form.kind,
        "error_summary": summary,
        "nothing_saved": bool(summary) and request.method == "POST",
    }
    if agency is not None:
        context["problems"] = [m for ms in services.submission_problems(agency).values() for m in ms]
    return render(request, "agencies/form.html", context)


def _submit_after_save(request: HttpRequest, agency: Agency) -> HttpResponse:
    """Submit what was just saved; what still stops it is shown on the form, and the draft is kept."""
    try:
        services.agency_submit(agency=agency, by=request.user)  # type: ignore[arg-type]  # login_required
    except ValidationError as exc:
        messages.warning(request, _("The draft is saved, but it cannot be submitted yet:"))
        flash_errors(request, exc)
        return redirect("agencies:edit", pk=agency.pk)
    except (ApplicationError, PermissionDenied) as exc:  # e.g. the institution is not verified yet
        messages.error(request, str(getattr(exc, "message", exc)))
        return redirect("agencies:detail", pk=agency.pk)
    messages.success(
        request, _("Submitted for review. The profile is listed in the directory once a reviewer approves it.")
    )
    return redirect("agencies:detail", pk=agency.pk)


def _employers(request: HttpRequest) -> Any:
    return Organisation.objects.filter(pk__in=perms.transfer_institution_ids(request.user)).order_by("name")


@login_required
def agency_new(request: HttpRequest, kind: str) -> HttpResponse:
    """Register a profile: kind "broker" (yourself) or "institution" (one of your technology-transfer
    institutions)."""
    mine = selectors.agency_list_mine(user=request.user)
    data = request.POST if request.method == "POST" else None
    choice = None
    organisation = None
    if kind == AgencyKind.BROKER:
        existing = mine.filter(kind=AgencyKind.BROKER).first()
        if existing is not None:
            messages.info(request, _("You already have a broker profile."))
            return redirect("agencies:detail", pk=existing.pk)
    else:
        institutions = Organisation.objects.filter(
            pk__in=perms.transfer_institution_ids(request.user), agency_profile__isnull=True
        ).order_by("name")
        if not institutions:
            if perms.transfer_institution_ids(request.user):
                messages.info(request, _("Your institution already has a profile."))
                return redirect("agencies:mine")
            raise PermissionDenied(NO_INSTITUTION)
        organisation = institutions[0]
        if len(institutions) > 1:
            choice = InstitutionChoiceForm(data, organisations=institutions, initial={"organisation": organisation})
            if choice.is_bound and choice.is_valid():
                organisation = choice.cleaned_data["organisation"]
    initial = {"region": organisation.region} if organisation is not None else None
    form = AgencyForm(data, kind=kind, employers=_employers(request), initial=initial)
    choice_ok = choice is None or choice.is_valid()
    if request.method == "POST" and form.is_valid() and choice_ok:
        return submit_once(request, form, lambda: _create(request, form, kind, organisation, choice))
    return _form_page(request, form, agency=None, choice=choice)


def _create(
    request: HttpRequest, form: AgencyForm, kind: str, organisation: Organisation | None,
    choice: InstitutionChoiceForm | None,
) -> HttpResponse:
    try:
        agency = services.agency_create(
            by=request.user,  # type: ignore[arg-type]  # login_required
            kind=kind,
            organisation=organisation,
            data=form.service_data(),
            **form.service_lists(),
        )
    except ValidationError as exc:
        apply_service_errors(exc, form)
        return _form_page(request, form, agency=None, choice=choice)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("agencies:mine")
    if "submit" in request.POST:
        return _submit_after_save(request, agency)
    messages.success(request, _("The draft is saved. Submit it for review when it is complete."))
    return redirect("agencies:detail", pk=agency.pk)


@login_required
def agency_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agency = selectors.agency_get(user=request.user, pk=pk)
    if not perms.is_owner(request.user, agency):
        raise PermissionDenied(perms.NOT_THE_OWNER)
    if agency.status != AgencyStatus.DRAFT:
        messages.error(request, services.ONLY_DRAFTS % {"status": agency.get_status_display()})
        return redirect("agencies:detail", pk=pk)
    form = AgencyForm(
        request.POST if request.method == "POST" else None, kind=agency.kind, agency=agency,
        employers=_employers(request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_update(
                agency=agency, by=request.user, data=form.service_data(), **form.service_lists()  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("agencies:detail", pk=pk)
        else:
            if "submit" in request.POST:
                return _submit_after_save(request, agency)
            messages.success(request, _("Your changes are saved."))
            return redirect("agencies:detail", pk=pk)
    return _form_page(request, form, agency=agency)


# --- the annual filing ------------------------------------------------------------------------------------


@login_required
def agency_file(request: HttpRequest, pk: int) -> HttpResponse:
    agency = selectors.agency_get(user=request.user, pk=pk)
    if not perms.is_owner(request.user, agency):
        raise PermissionDenied(perms.NOT_THE_OWNER)
    status = selectors.filing_status(agency)
    if agency.status not in (AgencyStatus.LISTED, AgencyStatus.LAPSED) or not status.open_years:
        messages.info(request, _("There is no annual filing to make now."))
        return redirect("agencies:detail", pk=pk)
    form = FilingForm(
        request.POST if request.method == "POST" else None,
        years=status.open_years,
        kind=agency.kind,
        initial={"year": status.period if status.overdue else status.open_years[-1]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.filing_submit(
                agency=agency, by=request.user, year=form.cleaned_data["year"], data=form.service_data()  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("agencies:detail", pk=pk)
        else:
            done = _("The annual filing of %(year)s is recorded.") % {"year": form.cleaned_data["year"]}
            messages.success(request, done)
            return redirect("agencies:detail", pk=pk)
    return render(
        request, "agencies/filing_form.html",
        {"agency": agency, "form": form, "filing": status, "error_summary": error_summary(form)},
    )


# --- workspace lists ------------------------------------------------------------------------------------


@login_required
@require_safe
def agency_mine(request: HttpRequest) -> HttpResponse:
    mine = list(selectors.agency_list_mine(user=request.user))
    return render(
        request,
        "agencies/mine.html",
        {
            "agencies": mine,
            "has_broker": any(a.is_broker for a in mine),
            "institutions_without_profile": Organisation.objects.filter(
                pk__in=perms.transfer_institution_ids(request.user), agency_profile__isnull=True
            ).exists(),
        },
    )


@login_required
@require_safe
def review_queue(request: HttpRequest) -> HttpResponse:
    if not perms.reviews_agencies(request.user):
        raise PermissionDenied(NOT_A_REVIEWER)
    queue = selectors.agency_review_queue(user=request.user)
    page = Paginator(queue, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "agencies/review_queue.html", {"page": page})


# --- requests for help ----------------------------------------------------------------------------------


@login_required
def help_new(request: HttpRequest, pk: int) -> HttpResponse:
    agency = selectors.agency_get(user=request.user, pk=pk)
    demands = selectors.demands_for_help(user=request.user)
    if not demands.exists():
        raise PermissionDenied(NO_DEMAND)
    form = HelpRequestForm(request.POST if request.method == "POST" else None, demands=demands)
    if request.method == "POST" and form.is_valid():
        return submit_once(request, form, lambda: _ask(request, form, agency))
    context = {"agency": agency, "form": form, "error_summary": error_summary(form)}
    return render(request, "agencies/help_form.html", context)


def _ask(request: HttpRequest, form: HelpRequestForm, agency: Agency) -> HttpResponse:
    try:
        help_request = services.help_request_open(
            by=request.user,  # type: ignore[arg-type]  # login_required
            agency=agency,
            demand=form.cleaned_data["demand"],
            message=form.cleaned_data["message"],
        )
    except ValidationError as exc:
        apply_service_errors(exc, form)
        return render(
            request, "agencies/help_form.html", {"agency": agency, "form": form, "error_summary": error_summary(form)}
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("agencies:detail", pk=agency.pk)
    messages.success(request, _("Your request for help is sent; you will be told of the answer."))
    return redirect("agencies:help_detail", pk=help_request.pk)


@login_required
@require_safe
def help_list(request: HttpRequest) -> HttpResponse:
    waiting = request.GET.get("waiting") == "1"
    requests = selectors.help_request_list(user=request.user, waiting=waiting)
    page = Paginator(requests, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "agencies/help_list.html", {"page": page, "waiting": waiting})


@login_required
@require_safe
def help_detail(request: HttpRequest, pk: int) -> HttpResponse:
    help_request = selectors.help_request_get(user=request.user, pk=pk)
    return render(
        request,
        "agencies/help_detail.html",
        {
            "help_request": help_request,
            "history": HELP_FLOW.history_of(help_request),
            "signed_in": is_signed_in(request.user),
        },
    )
