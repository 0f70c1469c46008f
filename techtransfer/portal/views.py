"""Public portal pages: home, search, organisation pages; and the route into the signed-in workspace."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.module_loading import import_string

from techtransfer.achievements.search import achievement_search
from techtransfer.portal import selectors
from techtransfer.portal.forms import FACET_TITLES, FACETS, MAX_PAGE, PAGE_SIZE, SearchForm, SearchParams, facet_labels

# URL parameter → facet name in the search module, where they differ.
SEARCH_FACET_NAMES = {"transfer_mode": "transfer_modes"}


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    active: bool
    url: str


@dataclass(frozen=True)
class FacetGroup:
    name: str
    title: str
    options: list[FacetOption]


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None marks a gap ("…")
    url: str
    current: bool


def _url(params: SearchParams, **changes: Any) -> str:
    query = urlencode(params.as_query(**changes))
    return reverse("portal:search") + (f"?{query}" if query else "")


def _facet_groups(params: SearchParams, facets: dict[str, Any], labels: dict[str, dict[str, str]]) -> list[FacetGroup]:
    groups = []
    for name in FACETS:
        active = params.filters.get(name)
        options = []
        for facet in facets.get(SEARCH_FACET_NAMES.get(name, name), []):
            is_active = facet.value == active
            options.append(
                FacetOption(
                    value=facet.value,
                    label=facet.label,
                    count=facet.count,
                    active=is_active,
                    # Clicking an active value removes it, any other value replaces it; both restart at page 1.
                    url=_url(params, **{name: None if is_active else facet.value, "page": None}),
                )
            )
        if active and not any(o.active for o in options):  # a filter with no hits must still be removable
            options.insert(
                0,
                FacetOption(
                    active, labels[name].get(active, active), 0, True, _url(params, **{name: None, "page": None})
                ),
            )
        groups.append(FacetGroup(name=name, title=str(FACET_TITLES[name]), options=options))
    return groups


def _page_links(params: SearchParams, total: int) -> list[PageLink]:
    pages = min(math.ceil(total / PAGE_SIZE), MAX_PAGE)
    if pages <= 1:
        return []
    current = params.page
    wanted = sorted({1, pages, *range(max(1, current - 2), min(pages, current + 2) + 1)})
    links: list[PageLink] = []
    previous = 0
    for number in wanted:
        if number - previous > 1:
            links.append(PageLink(None, "", False))
        links.append(PageLink(number, _url(params, page=number if number > 1 else None), number == current))
        previous = number
    return links


def _wants_partial(request: HttpRequest) -> bool:
    # A history restore (back button after the cache expired) needs the whole page, not the fragment.
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def home(request: HttpRequest) -> HttpResponse:
    fields = selectors.achievement_counts_by_field()
    return render(
        request,
        "portal/home.html",
        {
            "stats": selectors.portal_home_stats(),
            "latest": selectors.achievement_latest_published(limit=8),
            "field_rows": fields,
            "field_chart": {
                "labels": [f.label for f in fields],
                "codes": [f.code for f in fields],
                "counts": [f.count for f in fields],
            },
        },
    )


def search(request: HttpRequest) -> HttpResponse:
    labels = facet_labels()
    params = SearchForm(request.GET, labels=labels).params()
    result = achievement_search(
        query=params.query,
        filters={SEARCH_FACET_NAMES.get(name, name): [value] for name, value in params.filters.items()},
        limit=PAGE_SIZE,
        offset=params.offset,
    )
    # One query for the transfer-mode badges of the whole page, instead of one per hit.
    prefetch_related_objects([hit.achievement for hit in result.hits], "transfer_modes")
    total = int(result.total)
    first = params.offset + 1 if result.hits else 0
    active_filters = [
        FacetOption(value, labels[name].get(value, value), 0, True, _url(params, **{name: None, "page": None}))
        for name, value in params.filters.items()
    ]
    context = {
        "params": params,
        "hits": result.hits,
        "total": total,
        "first": first,
        "last": params.offset + len(result.hits),
        "facet_groups": _facet_groups(params, result.facets, labels),
        "active_filters": active_filters,
        "clear_url": _url(SearchParams(query=params.query)),
        "page_links": _page_links(params, total),
        "previous_url": _url(params, page=params.page - 1 if params.page > 2 else None) if params.page > 1 else "",
        "next_url": _url(params, page=params.page + 1)
        if params.offset + PAGE_SIZE < total and params.page < MAX_PAGE
        else "",
        "beyond_last_page": params.page > 1 and not result.hits,
    }
    template = "portal/_search_results.html" if _wants_partial(request) else "portal/search.html"
    response = render(request, template, context)
    # The same URL answers with a fragment or a page depending on this header; caches must keep both apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_public(pk=pk)
    paginator = Paginator(selectors.organisation_published_achievements(organisation=organisation), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "portal/organisation.html", {"organisation": organisation, "page": page})


def dashboard(request: HttpRequest) -> HttpResponse:
    """The signed-in workspace lives in the achievements app; imported here at call time to keep the
    portal free of a hard dependency on the achievement pages."""
    view = import_string("techtransfer.achievements.views.dashboard")
    response: HttpResponse = view(request)
    return response
