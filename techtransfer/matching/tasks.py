"""Background entry points of the matching engine (run by core.jobs; they take only JSON arguments)."""

from __future__ import annotations

from typing import Any

from techtransfer.core.jobs import enqueue

EMBED_JOB = "techtransfer.matching.tasks.embed_pending"
PROFILES_JOB = "techtransfer.matching.tasks.refresh_profiles"
VECTOR_INDEX_JOB = "techtransfer.matching.tasks.vector_index_build"
# One job embeds at most this many documents, so that a worker stays responsive; it queues the rest.
JOB_LIMIT = 2000


def on_documents_indexed(sender: Any, kinds: set[str], **kwargs: Any) -> None:
    enqueue(EMBED_JOB, kinds=sorted(kinds))


def on_achievement_reindexed(sender: Any, achievement_id: int, **kwargs: Any) -> None:
    """The people and the unit named on an achievement are matched by what they published: re-profile them."""
    enqueue_profiles(achievement_id)


def on_demand_reindexed(sender: Any, owner_id: int, **kwargs: Any) -> None:
    """Enterprises are matched by the demands they publish: re-profile the owner."""
    enqueue_organisation_profile(owner_id)


def embed_pending(*, kinds: list[str] | None = None, embedder: str | None = None) -> None:
    """Embed what is pending for the embedder in use (`embedder` None), then, once it is done, for each of
    MATCHING_PREPARED_EMBEDDERS in a background job of its own (slow models must not hold up the one in use)."""
    from django.conf import settings

    from techtransfer.matching.embeddings import get_embedder
    from techtransfer.matching.indexing import embed_pending as run
    from techtransfer.matching.indexing import pending_documents

    chosen = get_embedder(embedder)
    written = run(kinds=kinds, embedder=chosen, limit=JOB_LIMIT)
    if written >= JOB_LIMIT:
        enqueue(EMBED_JOB, background=embedder is not None, kinds=kinds, embedder=embedder)
        return
    if written:
        enqueue_index_builds(kinds, embedder=chosen.name)
    if embedder is None:
        for prepared in settings.MATCHING_PREPARED_EMBEDDERS:
            if prepared != chosen.name and pending_documents(prepared, kinds).exists():
                enqueue(EMBED_JOB, background=True, kinds=kinds, embedder=prepared)


def enqueue_index_builds(kinds: list[str] | None = None, *, embedder: str | None = None) -> None:
    """Queue a snapshot rebuild for the kinds whose in-memory delta grew past MATCHING_INDEX_DELTA_ROWS
    (one capped count each: cheap however large the delta), for `embedder` (default: the one in use)."""
    from django.conf import settings

    from techtransfer.matching.embeddings import get_embedder
    from techtransfer.matching.models import DocumentVector
    from techtransfer.matching.vector_index import delta_rows

    embedder = embedder or get_embedder().name
    limit = int(getattr(settings, "MATCHING_INDEX_DELTA_ROWS", 20_000))
    candidates = kinds or list(
        DocumentVector.objects.filter(embedder=embedder).values_list("kind", flat=True).distinct().order_by("kind")
    )
    large = [kind for kind in candidates if delta_rows(kind, embedder, cap=limit + 1) > limit]
    if large:
        enqueue(VECTOR_INDEX_JOB, background=True, kinds=large, embedder=embedder)


def vector_index_build(*, kinds: list[str], embedder: str | None = None) -> None:
    """Rebuild the shared vector snapshot of `kinds` (skipped for a kind whose build is already running)."""
    from techtransfer.matching.embeddings import get_embedder
    from techtransfer.matching.vector_index import build_snapshot

    chosen = get_embedder(embedder)
    for kind in kinds:
        build_snapshot(kind, chosen.name, dim=chosen.dim)


ORGANISATION_JOB = "techtransfer.matching.tasks.refresh_organisation"


def enqueue_organisation_profile(organisation_id: int) -> None:
    enqueue(ORGANISATION_JOB, organisation_id=organisation_id)


def refresh_organisation(*, organisation_id: int) -> None:
    """An organisation's profile, after one of its demands changed (its demands say what it wants)."""
    from techtransfer.matching.profiles import organisations_reindex

    organisations_reindex([organisation_id])


def enqueue_profiles(achievement_id: int) -> None:
    enqueue(PROFILES_JOB, achievement_id=achievement_id)


def refresh_profiles(*, achievement_id: int) -> None:
    """The experts named on an achievement and its owning organisation, re-profiled after it changed."""
    from techtransfer.matching.profiles import profiles_refresh_for_achievement

    profiles_refresh_for_achievement(achievement_id)
