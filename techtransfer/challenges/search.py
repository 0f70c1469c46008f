"""How challenges are searched: title (heaviest), then the problem and the technical requirements.

Facets: technical field and district (the challenge's region). Published challenges (open, closed for
proposals, awarded) are public; drafts, those under review and cancelled ones are indexed but never shown.
"""

from __future__ import annotations

from django.db.models import QuerySet

from techtransfer.challenges.choices import PUBLIC_STATUSES
from techtransfer.challenges.models import Challenge
from techtransfer.search import api as search_api
from techtransfer.search.registry import Progress, register_indexer

KIND = "challenge"
BATCH_SIZE = 500


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


def challenge_reindex(challenge_id: int) -> None:
    """Bring the index entry of one challenge up to date, or drop it if the challenge is gone."""
    challenge = _for_index().filter(pk=challenge_id).first()
    if challenge is None:
        search_api.remove_document(KIND, challenge_id)
    else:
        search_api.index_document(challenge_document(challenge))


def challenges_reindex_all(*, progress: Progress | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Re-index every challenge in batches and drop entries of challenges that are gone."""
    total = Challenge.objects.count()
    done, last_pk = 0, 0
    while True:
        batch = list(_for_index().filter(pk__gt=last_pk).order_by("pk")[:batch_size])
        if not batch:
            break
        search_api.index_documents((challenge_document(c) for c in batch), batch_size=batch_size)
        done += len(batch)
        last_pk = batch[-1].pk
        if progress is not None:
            progress(done, max(total, done))
    search_api.remove_documents_except(KIND, Challenge.objects.values("pk"))
    return done


register_indexer(KIND, challenges_reindex_all)


def challenge_search_ids(*, query: str, field: str = "", limit: int = 200) -> list[int]:
    """Ids of public challenges matching `query` (Chinese word segmentation), best match first."""
    filters = {"field": [field]} if field else {}
    result = search_api.search(query, kind=KIND, filters=filters, limit=limit, public_only=True)
    return [hit.object_id for hit in result.hits]
