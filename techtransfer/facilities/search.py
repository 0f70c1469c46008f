"""How shared facilities are searched: the name (title), the model, maker and unit (keywords), and the
specifications and open-sharing rules (body). Facets: kind (the index's `type` column), high-tech field and
district. Only published facilities are public; other states are indexed but never shown by the search."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from techtransfer.core.models import CodeItem
from techtransfer.facilities.choices import FacilityKind, FacilityStatus
from techtransfer.facilities.models import Facility
from techtransfer.search import api as search_api
from techtransfer.search.batches import KindIndexer
from techtransfer.search.highlight import highlight
from techtransfer.search.registry import register_indexer

KIND = "facility"
# URL parameter → the index's facet column.
FACET_PARAMS = {"kind": "type", "field": "field", "district": "district"}
FACET_TABLES = {"field": "high_tech_field", "district": "region"}
SNIPPET_CHARS = 160


def _for_index() -> QuerySet[Facility]:
    return Facility.objects.select_related("owner", "field", "district")


def facility_document(f: Facility) -> search_api.Document:
    """The index's view of one facility (expects the relations of `_for_index` to be loaded)."""
    keywords = [text for text in (f.model_number, f.maker, f.owner.name, f.name_en) if text]
    return search_api.Document(
        kind=KIND,
        object_id=f.pk,
        title=f.name,
        body="\n".join(part for part in (f.specifications, f.sharing_rules) if part),
        keywords=keywords,
        field=f.field.code if f.field else "",
        type=f.kind,
        district=f.district.code if f.district else "",
        is_public=f.status == FacilityStatus.PUBLISHED,
        published_at=f.published_at,
    )


_INDEXER = KindIndexer(KIND, records=_for_index, document=facility_document)
facility_reindex = _INDEXER.reindex
facilities_reindex_all = _INDEXER.reindex_all

register_indexer(KIND, facilities_reindex_all, label=gettext_lazy("Shared facilities"))


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class FacilityHit:
    facility: Facility
    title_html: SafeString
    snippet_html: SafeString


@dataclass
class FacilitySearchResult:
    query: str
    total: int
    hits: list[FacilityHit]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    mode: str = ""


def _labels(facets: dict[str, list[tuple[str, int]]]) -> dict[str, list[FacetValue]]:
    """Facet codes with their labels in the active language (one query for the code tables)."""
    kinds = dict(FacilityKind.choices)
    wanted = {(FACET_TABLES[name], code) for name, values in facets.items() if name in FACET_TABLES
              for code, _count in values}
    labels: dict[tuple[str, str], str] = {}
    if wanted:
        items = CodeItem.objects.filter(
            table__is_current=True,
            table__key__in={key for key, _code in wanted},
            code__in={code for _key, code in wanted},
        ).select_related("table")
        labels = {(item.table.key, item.code): item.label for item in items}
    result: dict[str, list[FacetValue]] = {}
    for name, values in facets.items():
        if name == "type":
            result[name] = [FacetValue(code, str(kinds.get(code, code)), count) for code, count in values]
        else:
            table = FACET_TABLES[name]
            result[name] = [FacetValue(code, labels.get((table, code), code), count) for code, count in values]
    return result


def facility_search(
    *, query: str, filters: dict[str, list[str]] | None = None, limit: int = 20, offset: int = 0
) -> FacilitySearchResult:
    """The public search of shared facilities: published ones matching `query` (Chinese word segmentation;
    every word first, then some, then close in meaning), with highlights and facet counts. An empty query
    lists every published facility, newest first. Filters: the index's facet names (type, field, district)."""
    filters = {name: [str(v) for v in values if v] for name, values in (filters or {}).items()}
    filters = {name: values for name, values in filters.items() if values}
    query = (query or "").strip()
    result = search_api.search_with_fallback(
        query, kind=KIND, filters=filters, facet_fields=list(FACET_PARAMS.values()), limit=limit, offset=offset,
        public_only=True,
    )
    ids = [hit.object_id for hit in result.hits]
    # Re-checking the status: a stale index entry never shows a facility that is no longer published.
    loaded = (
        Facility.objects.filter(status=FacilityStatus.PUBLISHED, pk__in=ids)
        .select_related("owner", "field", "district")
        .in_bulk()
        if ids
        else {}
    )
    hits = [
        FacilityHit(
            facility=loaded[i],
            title_html=highlight(loaded[i].name, result.terms),
            snippet_html=highlight(loaded[i].specifications, result.terms, max_len=SNIPPET_CHARS),
        )
        for i in ids
        if i in loaded
    ]
    return FacilitySearchResult(
        query=query, total=int(result.total), hits=hits, facets=_labels(result.facets), mode=result.mode
    )
