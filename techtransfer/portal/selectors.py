"""Reads for the public portal: headline counts, newest records, the field chart, organisation pages.

Everything here is public, so it reads published achievements only.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from techtransfer.accounts.models import Organisation
from techtransfer.achievements.choices import REGISTERED_STATUSES, Status
from techtransfer.achievements.models import Achievement
from techtransfer.core.models import CodeItem


@dataclass(frozen=True)
class HomeStats:
    published: int
    organisations: int
    registered_this_year: int
    year: int


@dataclass(frozen=True)
class FieldCount:
    code: str
    label: str
    count: int


def portal_home_stats() -> HomeStats:
    """The three headline counts of the home page."""
    now = timezone.localtime()
    year_start = timezone.make_aware(datetime.datetime(now.year, 1, 1))
    counts = Achievement.objects.aggregate(
        published=Count("pk", filter=Q(status=Status.PUBLISHED)),
        registered_this_year=Count("pk", filter=Q(status__in=REGISTERED_STATUSES, registered_at__gte=year_start)),
    )
    # Verified organisations, plus any whose records are public (the public already sees those names);
    # unverified sign-up requests do not count.
    organisations = (
        Organisation.objects.filter(Q(is_verified=True) | Q(achievements__status=Status.PUBLISHED)).distinct().count()
    )
    return HomeStats(
        published=counts["published"],
        organisations=organisations,
        registered_this_year=counts["registered_this_year"],
        year=now.year,
    )


def achievement_latest_published(*, limit: int = 8) -> QuerySet[Achievement]:
    return (
        Achievement.objects.public()
        .select_related("owner", "high_tech_field", "region", "stage")
        .order_by("-published_at", "-id")[:limit]
    )


def achievement_counts_by_field() -> list[FieldCount]:
    """Published achievements per high-tech field, every field of the current table (zeros included)."""
    counts = dict(
        Achievement.objects.public()
        .filter(high_tech_field__isnull=False)
        .values_list("high_tech_field__code")
        .annotate(n=Count("pk"))
        .values_list("high_tech_field__code", "n")
    )
    return [
        FieldCount(code=item.code, label=item.label, count=counts.get(item.code, 0))
        for item in CodeItem.objects.current("high_tech_field").order_by("sort_order", "code")
    ]


def organisation_get_public(*, pk: int) -> Organisation:
    try:
        return Organisation.objects.select_related("region", "supervising_department").get(pk=pk)
    except Organisation.DoesNotExist:
        raise Http404("No such organisation") from None


def organisation_published_achievements(*, organisation: Organisation) -> QuerySet[Achievement]:
    return (
        Achievement.objects.public()
        .filter(owner=organisation)
        .select_related("high_tech_field", "stage", "region")
        .order_by("-published_at", "-id")
    )
