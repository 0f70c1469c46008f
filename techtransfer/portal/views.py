"""Public portal pages: home, search, organisation pages; and the route into the signed-in workspace."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from techtransfer.achievements.search import achievement_search
from techtransfer.achievements.search_form import (
    FACET_TITLES,
    FACETS,
    MAX_PAGE,
    PAGE_SIZE,
    SearchForm,
    SearchParams,
    facet_labels,
)
from techtransfer.achievements.views import workspace_context
from techtransfer.core.workbench import queues_for, shortcuts_for
from techtransfer.portal import selectors
from techtransfer.search import generation, pages
from techtransfer.search.generation import cached_public
from techtransfer.subscriptions.selectors import notification_list

UNREAD_ON_WORKBENCH = 5
HOME_CACHE_SECONDS = 60
SEARCH_CACHE_SECONDS = 300
SEARCH_PARAMS = ("q", *FACETS, "page")

# URL parameter → facet name in the search module, where they differ.
SEARCH_FACET_NAMES = {"transfer_mode": "transfer_modes"}


def _url(params: SearchParams, **changes: Any) -> str:
    query = urlencode(params.as_query(**changes))
    return reverse("portal:search") + (f"?{query}" if query else "")


def _home_public() -> dict[str, Any]:
    fields = selectors.achievement_counts_by_field()
    return {
        "stats": selectors.portal_home_stats(),
        "latest": list(selectors.achievement_latest_published(limit=8)),
        "field_rows": fields,
        "field_chart": {
            "labels": [f.label for f in fields],
            "codes": [f.code for f in fields],
            "counts": [f.count for f in fields],
        },
    }


def home(request: HttpRequest) -> HttpResponse:
    # The figures and lists are public and the same for everybody: computed once for all visitors until the
    # index changes, and at most a minute (some counts, such as verified organisations, change without it).
    public = cached_public("home", (), _home_public, seconds=HOME_CACHE_SECONDS)
    feed_seconds = HOME_CACHE_SECONDS if generation.enabled() else 0
    return render(
        request,
        "portal/home.html",
        {**public, "feed_cache": {"seconds": feed_seconds, "generation": generation.index_generation()}},
    )


def search(request: HttpRequest) -> HttpResponse:
    # Public results, the same for every visitor: cached by the parameters the form reads (others are ignored).
    key = tuple((name, tuple(request.GET.getlist(name))) for name in SEARCH_PARAMS)
    context = cached_public("search", key, partial(_search_context, request.GET), seconds=SEARCH_CACHE_SECONDS)
    template = "portal/_search_results.html" if pages.wants_partial(request) else "portal/search.html"
    response = render(request, template, context)
    # The same URL answers with a fragment or a page depending on this header; caches must keep both apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _search_context(query: QueryDict) -> dict[str, Any]:
    labels = facet_labels()
    params = SearchForm(query, labels=labels).params()
    result = achievement_search(
        query=params.query,
        filters={SEARCH_FACET_NAMES.get(name, name): [value] for name, value in params.filters.items()},
        limit=PAGE_SIZE,
        offset=params.offset,
    )
    # One query for the transfer-mode badges of the whole page, instead of one per hit.
    prefetch_related_objects([hit.achievement for hit in result.hits], "transfer_modes")
    total = int(result.total)
    url_for = partial(_url, params)
    context = {
        "params": params,
        "hits": result.hits,
        "mode": result.mode,
        "total": total,
        "first": params.offset + 1 if result.hits else 0,
        "last": params.offset + len(result.hits),
        "facet_groups": pages.facet_groups(
            index_names={name: SEARCH_FACET_NAMES.get(name, name) for name in FACETS},
            facets=result.facets,
            active=params.filters,
            titles=FACET_TITLES,
            labels=labels,
            url_for=url_for,
        ),
        "active_filters": pages.active_filters(active=params.filters, labels=labels, url_for=url_for),
        "clear_url": _url(SearchParams(query=params.query)),
        **pages.page_navigation(page=params.page, total=total, page_size=PAGE_SIZE, max_page=MAX_PAGE, url_for=url_for),
        "beyond_last_page": params.page > 1 and not result.hits,
    }
    return context


def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_public(pk=pk)
    paginator = Paginator(selectors.organisation_published_achievements(organisation=organisation), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "portal/organisation.html", {"organisation": organisation, "page": page})


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """The workbench: every queue of work the user has, from every app, with counts; their unread
    notifications; then their units' records (achievements)."""
    user = request.user
    context = {
        "queues": queues_for(user),
        "shortcuts": shortcuts_for(user),
        "unread": list(notification_list(user=user, unread_only=True)[:UNREAD_ON_WORKBENCH]),
        **workspace_context(user),
    }
    return render(request, "portal/workbench.html", context)
