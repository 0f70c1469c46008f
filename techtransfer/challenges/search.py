"""How challenges are searched: title (heaviest), then the problem and the technical requirements.

Facets: technical field and district (the challenge's region). Published challenges (open, closed for
proposals, awarded) are public; drafts, those under review and cancelled ones are indexed but never shown.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from techtransfer.challenges.choices import PUBLIC_STATUSES
from techtransfer.challenges.models import Challenge
from techtransfer.search import api as search_api
from techtransfer.search.batches import KindIndexer
from techtransfer.search.registry import register_indexer

KIND = "challenge"


def _for_index() -> QuerySet[Challenge]:
    return Challenge.objects.select_related("field", "region", "owner__region")


def challenge_document(c: Challenge) -> search_api.Document:
    region = c.region or c.owner.region
    return search_api.Document(
        kind=KIND,
        object_id=c.pk,
        title=c.title,
        body="\n".join(part for part in (c.problem, c.requirements) if part),
        field=c.field.code if c.field else "",
        district=region.code if region else "",
        is_public=c.status in PUBLIC_STATUSES,
        published_at=c.published_at,
    )


_INDEXER = KindIndexer(KIND, records=_for_index, document=challenge_document)
# One challenge (after each service), or all of them (rebuild_search_index).
challenge_reindex = _INDEXER.reindex
challenges_reindex_all = _INDEXER.reindex_all

register_indexer(KIND, challenges_reindex_all, label=gettext_lazy("Challenges"))


def challenge_search_ids(*, query: str, field: str = "", limit: int = 200) -> list[int]:
    """Ids of public challenges matching `query` (Chinese word segmentation), best match first."""
    filters = {"field": [field]} if field else {}
    result = search_api.search(query, kind=KIND, filters=filters, limit=limit, public_only=True)
    return [hit.object_id for hit in result.hits]
