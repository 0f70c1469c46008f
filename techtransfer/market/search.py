"""How technology demands are searched: what goes into the index, and the public search of the market.

Title: the demand's title. Body: the problem description. Facets: high-tech field, region (the index's
`district` column) and the wanted cooperation modes (the index's multi-valued `transfer_modes` column).
Only published demands are public; every other state is indexed but never shown by the public search.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import F, Prefetch, QuerySet
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from techtransfer.accounts.permissions import region_prefix
from techtransfer.core.models import CodeItem
from techtransfer.market.choices import DemandStatus
from techtransfer.market.models import TechnologyDemand
from techtransfer.search import api as search_api
from techtransfer.search.batches import KindIndexer
from techtransfer.search.highlight import highlight
from techtransfer.search.registry import register_indexer

KIND = "demand"
# Facet names as the search index calls them.
FACETS = ["field", "district", "transfer_modes"]
# The code table behind each facet's values.
FACET_TABLES = {"field": "high_tech_field", "district": "region", "transfer_modes": "cooperation_mode"}
SNIPPET_CHARS = 160

SORT_RELEVANCE = "relevance"
SORT_NEWEST = "newest"
SORT_DEADLINE = "deadline"
SORTS = (SORT_RELEVANCE, SORT_NEWEST, SORT_DEADLINE)
# A query sorted by date or deadline orders this many of its best matches (the index ranks by relevance).
MAX_SORTED_MATCHES = search_api.MAX_LIMIT


def _for_index() -> QuerySet[TechnologyDemand]:
    """Demands with everything demand_document reads, in a fixed number of queries."""
    return TechnologyDemand.objects.select_related("field", "region").prefetch_related(
        Prefetch("cooperation_modes", queryset=CodeItem.objects.only("id", "code"))
    )


def demand_document(d: TechnologyDemand) -> search_api.Document:
    """The index's view of one demand (expects the relations of `_for_index` to be loaded)."""
    return search_api.Document(
        kind=KIND,
        object_id=d.pk,
        title=d.title,
        body=d.description,
        field=d.field.code if d.field else "",
        district=d.region.code if d.region else "",
        transfer_modes=[mode.code for mode in d.cooperation_modes.all()],
        is_public=d.status == DemandStatus.PUBLISHED,
        published_at=d.published_at,
    )


_INDEXER = KindIndexer(KIND, records=_for_index, document=demand_document)
# One demand (after each service), the given ids (after the daily expiry), or all of them (rebuild_search_index).
demand_reindex = _INDEXER.reindex
demands_reindex = _INDEXER.reindex_ids
demands_reindex_all = _INDEXER.reindex_all

register_indexer(KIND, demands_reindex_all, label=gettext_lazy("Technology demands"))


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class DemandHit:
    demand: TechnologyDemand
    title_html: SafeString
    snippet_html: SafeString


@dataclass
class DemandSearchResult:
    query: str
    total: int
    hits: list[DemandHit]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    terms: list[str] = field(default_factory=list)
    # True when a query sorted by date or deadline had more matches than MAX_SORTED_MATCHES.
    sorted_best_only: bool = False
    mode: str = ""  # search_api.MODE_*: every word, some words, or similar in meaning


def _facet_labels(facets: dict[str, list[tuple[str, int]]]) -> dict[str, list[FacetValue]]:
    """Facet codes with their labels in the active language, looked up in one query."""
    wanted = {(FACET_TABLES[name], code) for name, values in facets.items() for code, _ in values}
    labels: dict[tuple[str, str], str] = {}
    if wanted:
        items = CodeItem.objects.filter(
            table__is_current=True,
            table__key__in={key for key, _ in wanted},
            code__in={code for _, code in wanted},
        ).select_related("table")
        labels = {(item.table.key, item.code): item.label for item in items}
    return {
        name: [FacetValue(code, labels.get((FACET_TABLES[name], code), code), count) for code, count in values]
        for name, values in facets.items()
    }


def _expand_regions(codes: Sequence[str]) -> list[str]:
    """A province or city code covers its districts, as elsewhere on the platform (110000 → 1101xx...)."""
    expanded: set[str] = set()
    prefixes = []
    for code in codes:
        prefix = region_prefix(str(code))
        if prefix == code:
            expanded.add(code)
        else:
            prefixes.append(prefix)
    if prefixes:
        items = CodeItem.objects.current("region").values_list("code", flat=True)
        expanded.update(c for c in items if any(c.startswith(p) for p in prefixes))
    return sorted(expanded)


def _clean_filters(filters: dict[str, list[str]] | None) -> dict[str, list[str]]:
    cleaned = {name: [str(v) for v in values if v] for name, values in (filters or {}).items()}
    if cleaned.get("district"):
        cleaned["district"] = _expand_regions(cleaned["district"])
    return {name: values for name, values in cleaned.items() if values}


def _published() -> QuerySet[TechnologyDemand]:
    # Re-checking the status means a stale index entry can never show a demand that is no longer public.
    return (
        TechnologyDemand.objects.filter(status=DemandStatus.PUBLISHED)
        .select_related("owner", "field", "region")
        .prefetch_related("cooperation_modes")
    )


def _by_deadline(qs: QuerySet[TechnologyDemand]) -> QuerySet[TechnologyDemand]:
    return qs.order_by(F("deadline").asc(nulls_last=True), "-published_at", "-id")


def demand_search(
    *,
    query: str,
    filters: dict[str, list[str]] | None = None,
    limit: int = 20,
    offset: int = 0,
    sort: str = SORT_RELEVANCE,
) -> DemandSearchResult:
    """The public search of the market: published demands matching `query`, with highlights and facets.

    Filters are facet names of the index (field, district, transfer_modes) → codes; a province or city
    district code covers its districts. Sorts: relevance (newest first for an empty query), newest, or
    deadline (soonest first). A query sorted by date or deadline orders its MAX_SORTED_MATCHES best matches.
    """
    if sort not in SORTS:
        raise ValueError(f"Unknown sort {sort!r}; the sorts are {', '.join(SORTS)}")
    filters = _clean_filters(filters)
    query = (query or "").strip()
    by_index = sort == SORT_RELEVANCE or (sort == SORT_NEWEST and not query)
    sorted_best_only = False
    if by_index:
        result = search_api.search_with_fallback(
            query, kind=KIND, filters=filters, facet_fields=FACETS, limit=limit, offset=offset, public_only=True
        )
        ids = [hit.object_id for hit in result.hits]
        loaded = _published().in_bulk(ids) if ids else {}
        demands = [loaded[i] for i in ids if i in loaded]
        total = result.total
    elif query:
        # The index ranks by relevance: take the best matches, then order those in the database.
        result = search_api.search(
            query, kind=KIND, filters=filters, facet_fields=FACETS, limit=MAX_SORTED_MATCHES, public_only=True
        )
        ids = [hit.object_id for hit in result.hits]
        qs = _published().filter(pk__in=ids)
        qs = _by_deadline(qs) if sort == SORT_DEADLINE else qs.order_by("-published_at", "-id")
        demands = list(qs[offset : offset + limit])
        total = min(result.total, MAX_SORTED_MATCHES)
        sorted_best_only = result.total > MAX_SORTED_MATCHES
    else:
        # Every published demand, soonest deadline first: the database filters and orders them itself.
        result = search_api.search("", kind=KIND, filters=filters, facet_fields=FACETS, limit=1, public_only=True)
        qs = _published()
        if filters.get("field"):
            qs = qs.filter(field__code__in=filters["field"])
        if filters.get("district"):
            qs = qs.filter(region__code__in=filters["district"])
        if filters.get("transfer_modes"):
            qs = qs.filter(cooperation_modes__code__in=filters["transfer_modes"]).distinct()
        total = qs.count()
        demands = list(_by_deadline(qs)[offset : offset + limit])
    terms = result.terms
    hits = [
        DemandHit(
            demand=d,
            title_html=highlight(d.title, terms),
            snippet_html=highlight(d.description, terms, max_len=SNIPPET_CHARS),
        )
        for d in demands
    ]
    return DemandSearchResult(
        query=query,
        total=int(total),
        hits=hits,
        facets=_facet_labels(result.facets),
        terms=terms,
        sorted_best_only=sorted_best_only,
        mode=result.mode,
    )
