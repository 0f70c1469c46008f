"""How investor profiles are indexed (search kind "investor"): the public list's full-text search and the
matching of funding projects to investors (investment.selectors.investor_matches).

Title: the fund's name. Body: the description, the focus fields, the stages and the kind (keywords: the
fields and stages). Facets (kind, field, stage) are counted in the database: a profile has several fields and
stages, which the index's single-valued facet columns cannot hold. Only published profiles are public.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy

from techtransfer.investment.choices import InvestorStatus
from techtransfer.investment.models import Investor
from techtransfer.search import api as search_api
from techtransfer.search.batches import KindIndexer
from techtransfer.search.registry import register_indexer

KIND = "investor"


def _for_index() -> QuerySet[Investor]:
    return Investor.objects.select_related("organisation").prefetch_related("fields", "regions")


def investor_document(i: Investor) -> search_api.Document:
    """The index's view of one profile (expects the relations of `_for_index` to be loaded)."""
    fields = list(i.fields.all())
    with translation.override("zh-hans"):
        stages = i.stage_labels
        kind = str(i.get_kind_display())
    field_labels = [item.label_zh for item in fields]
    parts = [i.description, "、".join(field_labels), "、".join(stages), kind, i.organisation.name]
    regions = list(i.regions.all())
    return search_api.Document(
        kind=KIND,
        object_id=i.pk,
        title=i.name,
        body="\n".join(part for part in parts if part),
        keywords=field_labels,
        field=fields[0].code if fields else "",
        type=i.kind,
        stage=i.stage_list[0] if i.stage_list else "",
        district=regions[0].code if regions else "",
        is_public=i.status == InvestorStatus.PUBLISHED,
        published_at=i.published_at,
    )


_INDEXER = KindIndexer(KIND, records=_for_index, document=investor_document)
investor_reindex = _INDEXER.reindex
investors_reindex_all = _INDEXER.reindex_all

register_indexer(KIND, investors_reindex_all, label=gettext_lazy("Investors"))


def investor_search_ids(query: str) -> tuple[list[int], list[str]]:
    """Published profiles matching `query`, best first, and the query's terms (for highlighting)."""
    result = search_api.search_with_fallback(query, kind=KIND, limit=search_api.MAX_LIMIT, public_only=True)
    return [hit.object_id for hit in result.hits], result.terms
