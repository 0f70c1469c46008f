"""Reads of achievements, always through the permission filter."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from techtransfer.accounts.permissions import AnyUser, moderated_q
from techtransfer.achievements.choices import Status
from techtransfer.achievements.models import Achievement, CompletingPerson, CompletingUnit
from techtransfer.achievements.permissions import achievement_visible_q


def achievement_list(*, user: AnyUser, filters: dict[str, Any] | None = None) -> QuerySet[Achievement]:
    """Achievements the user may see, filtered with the shared FilterSet."""
    from techtransfer.achievements.filters import AchievementFilterSet

    qs = Achievement.objects.with_codes().filter(achievement_visible_q(user)).prefetch_related("transfer_modes")
    if filters:
        qs = AchievementFilterSet(filters, queryset=qs).qs
    return qs


def achievement_get(*, user: AnyUser, pk: int) -> Achievement:
    """One achievement with its parts; 404 when it does not exist or the user may not see it."""
    try:
        return (
            Achievement.objects.with_codes()
            .filter(achievement_visible_q(user))
            .prefetch_related(
                "transfer_modes",
                "ip_items",
                "attachments",
                Prefetch("units", queryset=CompletingUnit.objects.order_by("position")),
                Prefetch("persons", queryset=CompletingPerson.objects.order_by("position")),
            )
            .get(pk=pk)
        )
    except (Achievement.DoesNotExist, ValueError, TypeError):
        raise Http404("No such achievement") from None


def achievement_review_queue(*, user: AnyUser) -> QuerySet[Achievement]:
    """Submitted records waiting for this reviewer (never their own unit's), oldest first."""
    qs = Achievement.objects.with_codes().filter(moderated_q(user), status=Status.SUBMITTED)
    return qs.order_by("submitted_at", "id")


def achievement_list_for_org(*, organisation_id: int) -> QuerySet[Achievement]:
    return Achievement.objects.with_codes().filter(owner_id=organisation_id)
