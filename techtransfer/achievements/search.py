"""How achievements are searched: what goes into the index, with which weight, and the public search.

Title (heaviest): Chinese and English names. Keywords: both languages. Body: summaries, completing units,
persons and IP titles. Facets: high-tech field, type, stage, district, transfer modes. Only published
achievements are public; every other state is indexed but never shown by the public search.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from techtransfer.achievements.choices import AchievementType, Status
from techtransfer.achievements.models import Achievement, CompletingPerson, CompletingUnit, IPItem
from techtransfer.core.models import CodeItem
from techtransfer.search import api as search_api
from techtransfer.search.batches import BATCH_SIZE, KindIndexer
from techtransfer.search.highlight import highlight, match_spans
from techtransfer.search.registry import Progress, register_indexer

KIND = "achievement"
FACETS = ["field", "type", "stage", "district", "transfer_modes"]
# The code table behind each facet's values (type uses AchievementType instead).
FACET_TABLES = {"field": "high_tech_field", "stage": "stage", "district": "region", "transfer_modes": "transfer_mode"}
SNIPPET_CHARS = 160
# A re-index of at least this many records ends by compacting the full-text index.
OPTIMIZE_AFTER = 10_000


def _for_index() -> QuerySet[Achievement]:
    """Achievements with everything achievement_document reads, in a fixed number of queries."""
    return Achievement.objects.select_related("high_tech_field", "stage", "region", "owner__region").prefetch_related(
        Prefetch("units", queryset=CompletingUnit.objects.only("achievement_id", "name", "position")),
        Prefetch("persons", queryset=CompletingPerson.objects.only("achievement_id", "name", "position")),
        Prefetch("ip_items", queryset=IPItem.objects.only("achievement_id", "title")),
        Prefetch("transfer_modes", queryset=CodeItem.objects.only("id", "code")),
    )


def achievement_document(a: Achievement) -> search_api.Document:
    """The index's view of one achievement (expects the relations of `_for_index` to be loaded)."""
    region = a.region or a.owner.region  # the unit's district when the form leaves it empty
    body = [
        a.summary,
        a.summary_en,
        *(unit.name for unit in a.units.all()),
        *(person.name for person in a.persons.all()),
        *(item.title for item in a.ip_items.all()),
    ]
    return search_api.Document(
        kind=KIND,
        object_id=a.pk,
        title=" ".join(part for part in (a.name, a.name_en) if part),
        body="\n".join(part for part in body if part),
        keywords=[*a.keywords, *a.keywords_en],
        field=a.high_tech_field.code if a.high_tech_field else "",
        type=a.achievement_type,
        stage=a.stage.code if a.stage else "",
        district=region.code if region else "",
        transfer_modes=[mode.code for mode in a.transfer_modes.all()],
        is_public=a.status == Status.PUBLISHED,
        published_at=a.published_at,
    )


_INDEXER = KindIndexer(KIND, records=_for_index, document=achievement_document)


def achievement_reindex(achievement_id: int) -> None:
    """Bring the index entry of one achievement up to date, or drop it if the achievement is gone."""
    _INDEXER.reindex(achievement_id)


def achievements_reindex(*, ids: Sequence[int], batch_size: int = BATCH_SIZE) -> int:
    """Index the given achievements in batches (after a bulk import); ids that no longer exist are removed."""
    done = _INDEXER.reindex_ids(ids=ids, batch_size=batch_size)
    if len(ids) >= OPTIMIZE_AFTER:
        search_api.optimize_index()
    return done


def achievements_reindex_all(*, progress: Progress | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Re-index every achievement in batches and drop stale entries, then compact the full-text index.

    `progress(done, total)` is called after each batch. Returns how many achievements were indexed.
    """
    done = _INDEXER.reindex_all(progress=progress, batch_size=batch_size)
    search_api.optimize_index()
    return done


register_indexer(KIND, achievements_reindex_all, label=gettext_lazy("Achievements"))


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class AchievementHit:
    achievement: Achievement
    score: float
    title_html: SafeString
    snippet_html: SafeString


@dataclass
class AchievementSearchResult:
    query: str
    total: int
    hits: list[AchievementHit]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    terms: list[str] = field(default_factory=list)
    mode: str = ""  # search_api.MODE_*: every word, some words, or similar in meaning


def _snippet(a: Achievement, terms: Sequence[str]) -> SafeString:
    # The summary in the page's language, unless only the other language's summary has the words.
    texts = [a.display_summary, a.summary_en if a.display_summary == a.summary else a.summary]
    text = next((t for t in texts if t and match_spans(t, terms)), texts[0])
    return highlight(text, terms, max_len=SNIPPET_CHARS)


def _facet_labels(facets: dict[str, list[tuple[str, int]]]) -> dict[str, list[FacetValue]]:
    """Facet codes with their labels in the active language, looked up in one query."""
    wanted = {
        (FACET_TABLES[name], code) for name, values in facets.items() if name in FACET_TABLES for code, _ in values
    }
    labels: dict[tuple[str, str], str] = {}
    if wanted:
        items = CodeItem.objects.filter(
            table__is_current=True,
            table__key__in={key for key, _ in wanted},
            code__in={code for _, code in wanted},
        ).select_related("table")
        labels = {(item.table.key, item.code): item.label for item in items}
    types = dict(AchievementType.choices)
    result: dict[str, list[FacetValue]] = {}
    for name, values in facets.items():
        result[name] = [
            FacetValue(
                value=code,
                label=str(types.get(code, code)) if name == "type" else labels.get((FACET_TABLES[name], code), code),
                count=count,
            )
            for code, count in values
        ]
    return result


def achievement_search(
    *, query: str, filters: dict[str, list[str]] | None = None, limit: int = 20, offset: int = 0
) -> AchievementSearchResult:
    """The public search: published achievements matching `query`, with highlighted hits and facets.

    Those with every word of the query; when none has them all, those with some; when none has any, those
    similar in meaning (`mode` says which). A fixed number of queries whatever the page size.
    """
    result = search_api.search_with_fallback(
        query, kind=KIND, filters=filters or {}, facet_fields=FACETS, limit=limit, offset=offset, public_only=True
    )
    ids = [hit.object_id for hit in result.hits]
    # Re-checking the status means a stale index entry can never show a record that is no longer public.
    loaded = Achievement.objects.public().with_codes().in_bulk(ids) if ids else {}
    hits = [
        AchievementHit(
            achievement=loaded[hit.object_id],
            score=hit.score,
            title_html=highlight(loaded[hit.object_id].display_name, result.terms),
            snippet_html=_snippet(loaded[hit.object_id], result.terms),
        )
        for hit in result.hits
        if hit.object_id in loaded
    ]
    return AchievementSearchResult(
        query=query,
        total=result.total,
        hits=hits,
        facets=_facet_labels(result.facets),
        terms=result.terms,
        mode=result.mode,
    )
