"""Pages of the technology market: the public list of demands, a demand, its form and workflow steps,
my demands, the moderation queue, and the live feed of new supply and demand (S11)."""

from __future__ import annotations

import datetime
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
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from techtransfer.accounts.abuse import submit_once
from techtransfer.accounts.permissions import EDITOR_ROLES, editable_organisations, is_moderator, org_ids
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.forms import error_summary
from techtransfer.core.views import apply_service_errors, check_with_service, flash_errors
from techtransfer.market import permissions as perms
from techtransfer.market import selectors, services
from techtransfer.market.choices import DemandStatus
from techtransfer.market.forms import (
    FACET_PARAMS,
    FACET_TITLES,
    MAX_PAGE,
    PAGE_SIZE,
    SORT_CHOICES,
    DemandForm,
    DemandSearchForm,
    OwnerForm,
    facet_labels,
)
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.search import SORT_NEWEST, SORT_RELEVANCE, demand_search
from techtransfer.market.workflows import DEMAND_FLOW
from techtransfer.search import pages

LIST_PAGE_SIZE = 25
FEED_LIMIT = 10
FEED_PAGE_LIMIT = 30
FEED_MAX_LIMIT = 50
NO_ORGANISATION = gettext_lazy(
    "Only members of an organisation can post technology demands. Join your enterprise (or register it) first."
)
NOT_A_MODERATOR = gettext_lazy("The moderation queue is for the commission and the registration bodies' reviewers.")


# --- the public list ------------------------------------------------------------------------------------


def _list_url(params: dict[str, Any], **changes: Any) -> str:
    data: dict[str, Any] = {
        "q": params["q"],
        **params["filters"],
        "sort": params["sort"],
        "page": params["page"] if params["page"] > 1 else None,
    }
    data.update(changes)
    query = urlencode({k: str(v) for k, v in data.items() if v not in (None, "")})
    return reverse("market:list") + (f"?{query}" if query else "")


@require_safe
def demand_list(request: HttpRequest) -> HttpResponse:
    """Published demands: full-text search over the index, facets, sort by date or deadline, pages."""
    labels = facet_labels()
    params = DemandSearchForm(request.GET, labels=labels).params()
    sort = params["sort"] or (SORT_RELEVANCE if params["q"] else SORT_NEWEST)
    offset = (params["page"] - 1) * PAGE_SIZE
    result = demand_search(
        query=params["q"],
        filters={FACET_PARAMS[name]: [value] for name, value in params["filters"].items()},
        limit=PAGE_SIZE,
        offset=offset,
        sort=sort,
    )
    total = result.total
    url_for = partial(_list_url, params)
    sorts = [
        pages.Option(value, str(label), 0, value == sort, url_for(sort=value, page=None))
        for value, label in SORT_CHOICES
        if value != SORT_RELEVANCE or params["q"]
    ]
    context = {
        "params": params,
        "hits": result.hits,
        "mode": result.mode,
        "total": total,
        "first": offset + 1 if result.hits else 0,
        "last": offset + len(result.hits),
        "sorts": sorts,
        "sorted_best_only": result.sorted_best_only,
        "facet_groups": pages.facet_groups(
            index_names=FACET_PARAMS,
            facets=result.facets,
            active=params["filters"],
            titles=FACET_TITLES,
            labels=labels,
            url_for=url_for,
        ),
        "active_filters": pages.active_filters(active=params["filters"], labels=labels, url_for=url_for),
        "clear_url": _list_url({"q": params["q"], "filters": {}, "sort": params["sort"], "page": 1}),
        **pages.page_navigation(
            page=params["page"], total=total, page_size=PAGE_SIZE, max_page=MAX_PAGE, url_for=url_for
        ),
        "beyond_last_page": params["page"] > 1 and not result.hits,
        "can_post": bool(org_ids(request.user, EDITOR_ROLES)),
    }
    template = "market/_list_results.html" if pages.wants_partial(request) else "market/list.html"
    response = render(request, template, context)
    # The same URL answers with a fragment or a page depending on this header; caches must keep both apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- one demand -----------------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, demand: TechnologyDemand) -> dict[str, Any]:
    user = request.user
    insider = perms.is_insider(user, demand)
    context: dict[str, Any] = {
        "demand": demand,
        "insider": insider,
        "reads_review_note": perms.reads_review_note(user, demand),
        "can_edit": perms.can_edit(user, demand),
        "show_matches": demand.status == DemandStatus.PUBLISHED or insider,
    }
    if insider:
        context["history"] = DEMAND_FLOW.history_of(demand)
        if demand.status == DemandStatus.DRAFT and context["can_edit"]:
            context["problems"] = [m for ms in services.submission_problems(demand).values() for m in ms]
    return context


@require_safe
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    demand = selectors.demand_get(user=request.user, pk=pk)
    return render(request, "market/detail.html", _detail_context(request, demand))


def _check(form: DemandForm, *, owner: Any, demand: TechnologyDemand | None, submitting: bool) -> bool:
    """The form's checks and the service's on one submit (see check_with_service); with "Save and submit",
    also what would stop the submission, before anything is saved, so every problem shows at its field."""
    if form.is_valid() and not submitting:
        return True  # demand_create / demand_update check the content as they save
    return check_with_service(
        form,
        lambda: services.demand_validate(
            owner=owner,
            demand=demand,
            data=form.service_data(),
            cooperation_modes=form.service_modes(),
            submitting=submitting,
        ),
    )


def _form_page(
    request: HttpRequest, form: DemandForm, *, demand: TechnologyDemand | None, owner_form: OwnerForm | None = None
) -> HttpResponse:
    summary = error_summary(owner_form, form)
    context: dict[str, Any] = {
        "form": form,
        "owner_form": owner_form,
        "demand": demand,
        "error_summary": summary,
        "nothing_saved": bool(summary) and "submit" in request.POST,
    }
    if demand is not None:
        context["problems"] = [m for ms in services.submission_problems(demand).values() for m in ms]
    return render(request, "market/form.html", context)


@login_required
def demand_new(request: HttpRequest) -> HttpResponse:
    organisations = editable_organisations(request.user)
    if not organisations:
        raise PermissionDenied(NO_ORGANISATION)
    data = request.POST if request.method == "POST" else None
    # Only people who can post for more than one organisation choose which one posts.
    owner_form = None
    owner = organisations[0]
    if len(organisations) > 1:
        owner_form = OwnerForm(data, organisations=organisations, initial={"owner": owner})
        if owner_form.is_bound and owner_form.is_valid():
            owner = owner_form.cleaned_data["owner"]
    form = DemandForm(data)
    owner_ok = owner_form is None or owner_form.is_valid()
    submitting = "submit" in request.POST
    if request.method == "POST" and _check(form, owner=owner, demand=None, submitting=submitting) and owner_ok:
        # Once per form token: a double click creates one demand (accounts.abuse.submit_once).
        return submit_once(request, form, lambda: _create(request, form, owner, owner_form, submitting))
    return _form_page(request, form, demand=None, owner_form=owner_form)


def _create(request: HttpRequest, form: DemandForm, owner: Any, owner_form: Any, submitting: bool) -> HttpResponse:
    try:
        demand = services.demand_create(
            by=request.user, owner=owner, data=form.service_data(), cooperation_modes=form.service_modes()
        )
    except ValidationError as exc:
        apply_service_errors(exc, form)
        return _form_page(request, form, demand=None, owner_form=owner_form)
    if submitting:
        return _submit_after_save(request, demand)
    messages.success(request, _("The draft is saved. Submit it for moderation when it is complete."))
    return redirect("market:detail", pk=demand.pk)


def _submit_after_save(request: HttpRequest, demand: TechnologyDemand) -> HttpResponse:
    """Submit what was just saved. The form checked what could stop it; should something still do (the
    deadline passed at midnight), the draft is kept and the reasons are shown on its form."""
    try:
        services.demand_submit(demand=demand, by=request.user)
    except ValidationError as exc:
        messages.warning(request, _("The draft is saved, but it cannot be submitted yet:"))
        flash_errors(request, exc)
        return redirect("market:edit", pk=demand.pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("market:detail", pk=demand.pk)
    except PermissionDenied as exc:  # e.g. the organisation is not verified yet: the draft stays
        messages.error(request, str(exc))
        return redirect("market:detail", pk=demand.pk)
    messages.success(request, _("Submitted for moderation. It will be public once a moderator approves it."))
    return redirect("market:detail", pk=demand.pk)


@login_required
def demand_edit(request: HttpRequest, pk: int) -> HttpResponse:
    demand = selectors.demand_get(user=request.user, pk=pk)
    if not perms.can_edit(request.user, demand):
        raise PermissionDenied(_("Only members of the owning organisation edit a demand, while it is a draft."))
    form = DemandForm(request.POST if request.method == "POST" else None, instance=demand)
    submitting = "submit" in request.POST
    if request.method == "POST" and _check(form, owner=demand.owner, demand=demand, submitting=submitting):
        try:
            services.demand_update(
                demand=demand, by=request.user, data=form.service_data(), cooperation_modes=form.service_modes()
            )
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("market:detail", pk=pk)
        else:
            if submitting:
                return _submit_after_save(request, demand)
            messages.success(request, _("Your changes are saved."))
            return redirect("market:detail", pk=pk)
    return _form_page(request, form, demand=demand)


# --- workspace lists ------------------------------------------------------------------------------------


@login_required
@require_safe
def demand_mine(request: HttpRequest) -> HttpResponse:
    demands = selectors.demand_list_mine(user=request.user)
    page = Paginator(demands, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "market/mine.html",
        {
            "page": page,
            "can_post": bool(org_ids(request.user, EDITOR_ROLES)),
            "member": bool(org_ids(request.user)),
        },
    )


@login_required
@require_safe
def review_queue(request: HttpRequest) -> HttpResponse:
    if not is_moderator(request.user):
        raise PermissionDenied(NOT_A_MODERATOR)
    queue = selectors.demand_review_queue(user=request.user)
    page = Paginator(queue, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "market/review_queue.html", {"page": page})


# --- the live feed (S11) --------------------------------------------------------------------------------


def _feed_limit(request: HttpRequest, default: int) -> int:
    try:
        return max(1, min(int(request.GET.get("n", default)), FEED_MAX_LIMIT))
    except ValueError:
        return default


def _parse_since(value: str) -> datetime.datetime | None:
    # A "+" of the UTC offset arrives as a space when the client did not encode it.
    try:
        parsed = parse_datetime(value.strip().replace(" ", "+"))
    except ValueError:
        return None
    if parsed is not None and parsed.tzinfo is None:
        return None
    return parsed


def feed_context(*, limit: int) -> dict[str, Any]:
    """What the feed partial shows: the newest items and the time of the newest one (the next `since`)."""
    items = selectors.market_feed(limit=limit)
    return {"items": items, "since": items[0].published_at.isoformat() if items else "", "limit": limit}


@require_safe
def feed(request: HttpRequest) -> HttpResponse:
    """The feed partial. With `since` (the newest time the page already shows), 204 when nothing is newer,
    so htmx keeps the list as it is; otherwise the whole partial with the new items marked."""
    limit = _feed_limit(request, FEED_LIMIT)
    context = feed_context(limit=limit)
    since = None
    if "since" in request.GET:
        since = _parse_since(request.GET["since"])
        newest = context["items"][0].published_at if context["items"] else None
        if (newest is None and not request.GET["since"].strip()) or (
            newest is not None and since is not None and newest <= since
        ):
            response = HttpResponse(status=204)
            response["Cache-Control"] = "no-store"
            return response
    response = render(request, "market/_feed.html", {"feed": context, "new_since": since})
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def feed_page(request: HttpRequest) -> HttpResponse:
    return render(request, "market/feed.html", {"feed": feed_context(limit=FEED_PAGE_LIMIT)})
