"""How service agencies are searched: the index's view of a profile, and the public directory.

Title: the institution's or the broker's name. Body: the introduction, the services offered, the fields and
the institution a broker works for (keywords: the services and fields, so that 技术评估 finds every agency
offering it). Only listed profiles are public; drafts, those under review and lapsed ones are indexed but never
shown.

The directory's facets (kind, services, fields, regions served, broker level) are counted in the database
over the profiles that match: a profile offers several services, fields and regions, which the index's
single-valued facet columns cannot hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet, Subquery
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from techtransfer.accounts.permissions import region_prefix
from techtransfer.agencies.choices import AgencyKind, AgencyStatus, BrokerLevel
from techtransfer.agencies.models import Agency
from techtransfer.agencies.selectors import TrackRecord, agency_track_records, listed_agencies
from techtransfer.core.models import CodeItem
from techtransfer.search import api as search_api
from techtransfer.search.batches import KindIndexer
from techtransfer.search.highlight import highlight
from techtransfer.search.registry import register_indexer

KIND = "agency"
SNIPPET_CHARS = 160
# URL parameter → (what it filters, the code table of its values or None for a choice).
FACETS: dict[str, str | None] = {
    "kind": None,
    "service": "agency_service",
    "field": "high_tech_field",
    "region": "region",
    "level": None,
}
FACET_COLUMNS = {"service": "services__code", "field": "fields__code", "region": "regions__code"}
CHOICES = {"kind": AgencyKind, "level": BrokerLevel}


def _for_index() -> QuerySet[Agency]:
    """Profiles with everything agency_document reads, in a fixed number of queries."""
    return Agency.objects.select_related("organisation", "user", "employer", "region").prefetch_related(
        "services", "fields"
    )


def agency_document(a: Agency) -> search_api.Document:
    """The index's view of one profile (expects the relations of `_for_index` to be loaded)."""
    services = [item.label_zh for item in a.services.all()]
    fields = [item.label_zh for item in a.fields.all()]
    parts = [a.description, "、".join(services), "、".join(fields)]
    if a.organisation is not None and a.organisation.name_en:
        parts.append(a.organisation.name_en)
    if a.employer is not None:
        parts.append(a.employer.name)
    first_field = a.fields.all()[0].code if fields else ""
    return search_api.Document(
        kind=KIND,
        object_id=a.pk,
        title=a.organisation.name if a.organisation is not None else (a.user.display_name if a.user else ""),
        body="\n".join(part for part in parts if part),
        keywords=[*services, *fields],
        field=first_field,
        type=a.kind,
        stage=a.level,
        district=a.region.code if a.region_id else "",
        is_public=a.status == AgencyStatus.LISTED,
        published_at=a.listed_at,
    )


_INDEXER = KindIndexer(KIND, records=_for_index, document=agency_document)
# One profile (after each service), the given ids (after the daily lapse), or all of them (rebuild_search_index).
agency_reindex = _INDEXER.reindex
agencies_reindex = _INDEXER.reindex_ids
agencies_reindex_all = _INDEXER.reindex_all

register_indexer(KIND, agencies_reindex_all, label=gettext_lazy("Service agencies"))


# ---------------------------------------------------------------- the directory


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class AgencyHit:
    agency: Agency
    record: TrackRecord
    title_html: SafeString
    snippet_html: SafeString


@dataclass
class DirectoryResult:
    query: str
    total: int
    hits: list[AgencyHit]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    terms: list[str] = field(default_factory=list)
    mode: str = ""  # search_api.MODE_*: every word, some words, or similar in meaning


def _regions_covering(code: str) -> tuple[list[str], str]:
    """A region filter: profiles serving the region itself, a region above it (Beijing serves Haidian) or one
    below it (Haidian is in Beijing). Returns the codes above and the prefix below."""
    above = {code}
    if len(code) == 6:
        above |= {code[:2] + "0000", code[:4] + "00"}
    return sorted(above), region_prefix(code)


def _filtered(filters: dict[str, str]) -> QuerySet[Agency]:
    qs = Agency.objects.filter(status=AgencyStatus.LISTED)
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("level"):
        qs = qs.filter(level=filters["level"])
    if filters.get("service"):
        qs = qs.filter(services__code=filters["service"])
    if filters.get("field"):
        qs = qs.filter(fields__code=filters["field"])
    if filters.get("region"):
        above, prefix = _regions_covering(filters["region"])
        qs = qs.filter(pk__in=Agency.objects.filter(regions__code__in=above).values("pk")) | qs.filter(
            pk__in=Agency.objects.filter(regions__code__startswith=prefix).values("pk")
        )
    return qs


def _labels(name: str, codes: Sequence[str]) -> dict[str, str]:
    choices = CHOICES.get(name)
    if choices is not None:
        return {str(value): str(label) for value, label in choices.choices}
    table = FACETS[name]
    items = CodeItem.objects.filter(table__key=table, table__is_current=True, code__in=list(codes))
    return {item.code: item.label for item in items}


def _facets(ids: QuerySet[Agency]) -> dict[str, list[FacetValue]]:
    """Counts of each facet's values over the matching profiles: one query per facet."""
    matching = Agency.objects.filter(pk__in=Subquery(ids.values("pk")))
    facets: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        column = FACET_COLUMNS.get(name, name)
        rows = [
            (str(value), int(n))
            for value, n in matching.exclude(**{column: ""}).exclude(**{f"{column}__isnull": True})
            .values_list(column).annotate(n=Count("pk", distinct=True)).order_by("-n", column)
        ]
        labels = _labels(name, [value for value, _n in rows])
        facets[name] = [FacetValue(value, labels.get(value, value), n) for value, n in rows]
    return facets


def agency_directory(
    *, query: str = "", filters: dict[str, str] | None = None, limit: int = 20, offset: int = 0
) -> DirectoryResult:
    """The public directory: listed profiles matching `query` (best first; newest listed first without a
    query) and the facet filters (kind, service, field, region, level: one value each), with highlights,
    facet counts and each profile's track record."""
    filters = {name: str(value) for name, value in (filters or {}).items() if value and name in FACETS}
    query = (query or "").strip()
    qs = _filtered(filters)
    terms: list[str] = []
    mode = ""
    if query:
        result = search_api.search_with_fallback(
            query, kind=KIND, limit=search_api.MAX_LIMIT, public_only=True
        )
        terms, mode = result.terms, result.mode
        rank = {hit.object_id: n for n, hit in enumerate(result.hits)}
        matching_ids = sorted(set(qs.filter(pk__in=list(rank)).values_list("pk", flat=True)), key=rank.__getitem__)
        total = len(matching_ids)
        page_ids = matching_ids[offset : offset + limit]
        loaded = listed_agencies().in_bulk(page_ids)
        agencies = [loaded[pk] for pk in page_ids if pk in loaded]
        scope = Agency.objects.filter(pk__in=matching_ids)
    else:
        total = qs.values("pk").distinct().count()
        agencies = list(listed_agencies().filter(pk__in=qs.values("pk")).order_by("-listed_at", "-id")[
            offset : offset + limit
        ])
        scope = qs
    records = agency_track_records(agencies)
    hits = [
        AgencyHit(
            agency=a,
            record=records[a.pk],
            title_html=highlight(a.display_name, terms),
            snippet_html=highlight(a.description, terms, max_len=SNIPPET_CHARS),
        )
        for a in agencies
    ]
    return DirectoryResult(query=query, total=total, hits=hits, facets=_facets(scope), terms=terms, mode=mode)


def facet_labels() -> dict[str, dict[str, Any]]:
    """{parameter: {value: label}} of the choice facets (the code facets' labels come with their counts)."""
    return {name: {str(v): str(label) for v, label in choices.choices} for name, choices in CHOICES.items()}
