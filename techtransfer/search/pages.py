"""What a faceted results page shows besides its hits: facet groups, removable filter chips, page links.

The portal's achievement search and the market's demand list present their results the same way
(templates/search/_facets.html, _active_filters.html, _page_links.html); each page passes `url_for`, which
builds its own URL with some parameters changed (None drops one), so these helpers know no page's URL scheme.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

UrlFor = Callable[..., str]


@dataclass(frozen=True)
class Option:
    """A link that sets one parameter: a facet value, an active filter chip, a sort."""

    value: str
    label: str
    count: int
    active: bool
    url: str


@dataclass(frozen=True)
class FacetGroup:
    name: str
    title: str
    options: list[Option]


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None marks a gap ("…")
    url: str
    current: bool


def facet_groups(
    *,
    index_names: Mapping[str, str],
    facets: Mapping[str, Sequence[Any]],
    active: Mapping[str, str],
    titles: Mapping[str, Any],
    labels: Mapping[str, Mapping[str, str]],
    url_for: UrlFor,
) -> list[FacetGroup]:
    """One group per URL parameter (`index_names`: parameter → the index's facet name), in that order."""
    groups = []
    for name, index_name in index_names.items():
        current = active.get(name)
        options = [
            Option(
                value=f.value,
                label=f.label,
                count=f.count,
                active=f.value == current,
                # Clicking an active value removes it, any other value replaces it; both restart at page 1.
                url=url_for(**{name: None if f.value == current else f.value, "page": None}),
            )
            for f in facets.get(index_name, [])
        ]
        if current and not any(o.active for o in options):  # a filter with no hits must still be removable
            options.insert(
                0, Option(current, labels[name].get(current, current), 0, True, url_for(**{name: None, "page": None}))
            )
        groups.append(FacetGroup(name=name, title=str(titles[name]), options=options))
    return groups


def active_filters(
    *, active: Mapping[str, str], labels: Mapping[str, Mapping[str, str]], url_for: UrlFor
) -> list[Option]:
    """The filters in use as chips; each links to the same page without it."""
    return [
        Option(value, labels[name].get(value, value), 0, True, url_for(**{name: None, "page": None}))
        for name, value in active.items()
    ]


def page_navigation(*, page: int, total: int, page_size: int, max_page: int, url_for: UrlFor) -> dict[str, Any]:
    """`page_links` (first, last and two either side of the current page, gaps as "…"), `previous_url` and
    `next_url` ("" where there is none); page 1 has no `page` parameter, so it has one URL only."""
    return {
        "page_links": _page_links(page=page, total=total, page_size=page_size, max_page=max_page, url_for=url_for),
        "previous_url": url_for(page=page - 1 if page > 2 else None) if page > 1 else "",
        "next_url": url_for(page=page + 1) if page * page_size < total and page < max_page else "",
    }


def _page_links(*, page: int, total: int, page_size: int, max_page: int, url_for: UrlFor) -> list[PageLink]:
    pages = min(math.ceil(total / page_size), max_page)
    if pages <= 1:
        return []
    wanted = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    links: list[PageLink] = []
    previous = 0
    for number in wanted:
        if number - previous > 1:
            links.append(PageLink(None, "", False))
        links.append(PageLink(number, url_for(page=number if number > 1 else None), number == page))
        previous = number
    return links


def wants_partial(request: HttpRequest) -> bool:
    """An htmx request gets the results fragment only; a history restore (back button after the cache
    expired) needs the whole page."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"
