"""Reads of technology demands, always through the permission filter.

Contact details leave this module only as the annotations `shown_contact_name`, `shown_contact_phone` and
`shown_contact_email`, which are empty when `demand_contact_visible` says the user may not see them.
Pages and the API must render those, never the raw `contact_*` fields.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Case, CharField, F, Q, QuerySet, Value, When
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.permissions import AnyUser, moderated_q, org_ids, region_prefix
from techtransfer.market.choices import DemandStatus
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.permissions import demand_contact_visible_q, demand_visible_q

CONTACT_FIELDS = ["contact_name", "contact_phone", "contact_email"]


def _base(user: AnyUser) -> QuerySet[TechnologyDemand]:
    visible = demand_contact_visible_q(user)
    shown = {
        f"shown_{name}": Case(When(visible, then=F(name)), default=Value(""), output_field=CharField())
        for name in CONTACT_FIELDS
    }
    return (
        TechnologyDemand.objects.filter(demand_visible_q(user))
        .select_related("owner", "owner__region", "field", "region")
        .prefetch_related("cooperation_modes")
        .annotate(
            contact_visible=Case(When(visible, then=Value(True)), default=Value(False), output_field=BooleanField()),
            **shown,
        )
    )


def demand_list(*, user: AnyUser, filters: dict[str, Any] | None = None) -> QuerySet[TechnologyDemand]:
    """Demands the user may see, newest published first.

    Filters (all optional): status, owner (id), field / region / cooperation_mode (code), q (title or
    description contains).
    """
    qs = _base(user)
    filters = filters or {}
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("owner"):
        qs = qs.filter(owner_id=filters["owner"])
    if filters.get("field"):
        qs = qs.filter(field__code=filters["field"])
    if filters.get("region"):
        # A province or city code covers its districts, as elsewhere on the platform.
        qs = qs.filter(region__code__startswith=region_prefix(str(filters["region"])))
    if filters.get("cooperation_mode"):
        qs = qs.filter(cooperation_modes__code=filters["cooperation_mode"]).distinct()
    if filters.get("q"):
        text = str(filters["q"])
        qs = qs.filter(Q(title__icontains=text) | Q(description__icontains=text))
    return qs.order_by("-published_at", "-created", "-id")


def demand_get(*, user: AnyUser, pk: Any) -> TechnologyDemand:
    """One demand; 404 when it does not exist or the user may not see it."""
    try:
        return _base(user).get(pk=pk)
    except (TechnologyDemand.DoesNotExist, ValueError, TypeError):
        raise Http404("No such technology demand") from None


def demand_list_mine(*, user: AnyUser) -> QuerySet[TechnologyDemand]:
    """The demands of every organisation the user belongs to, most recently changed first."""
    return _base(user).filter(owner_id__in=org_ids(user)).order_by("-updated", "-id")


def demand_review_queue(*, user: AnyUser) -> QuerySet[TechnologyDemand]:
    """Demands under review that the user moderates (never their own organisation's), oldest submission first."""
    return _base(user).filter(moderated_q(user), status=DemandStatus.UNDER_REVIEW).order_by("submitted_at", "id")


# --- the live feed of new supply and demand (S11) ---------------------------------------------------------


@dataclass(frozen=True)
class FeedItem:
    """One new item of the market: a published demand (need) or a published achievement (supply)."""

    kind: str  # "demand" or "achievement"
    kind_label: str
    pk: int
    title: str
    organisation: str
    field: str
    published_at: datetime.datetime
    url: str


FEED_KIND_LABELS = {"demand": _("Demand"), "achievement": _("Achievement")}


def market_feed(*, limit: int = 10, since: datetime.datetime | None = None) -> list[FeedItem]:
    """The newest published demands and achievements, merged by publication time, newest first.

    With `since`, only what was published after it. Two queries whatever the limit.
    """
    from techtransfer.achievements.models import Achievement

    demands = (
        TechnologyDemand.objects.filter(status=DemandStatus.PUBLISHED, published_at__isnull=False)
        .select_related("owner", "field")
        .order_by("-published_at", "-id")
    )
    achievements = (
        Achievement.objects.public()
        .filter(published_at__isnull=False)
        .select_related("owner", "high_tech_field")
        .order_by("-published_at", "-id")
    )
    if since is not None:
        demands = demands.filter(published_at__gt=since)
        achievements = achievements.filter(published_at__gt=since)
    items = [
        FeedItem(
            kind="demand",
            kind_label=str(FEED_KIND_LABELS["demand"]),
            pk=d.pk,
            title=d.title,
            organisation=d.owner.display_name,
            field=d.field.label if d.field else "",
            published_at=d.published_at,
            url=reverse("market:detail", args=[d.pk]),
        )
        for d in demands[:limit]
        if d.published_at is not None  # as the query filters: says so to the type checker
    ]
    items += [
        FeedItem(
            kind="achievement",
            kind_label=str(FEED_KIND_LABELS["achievement"]),
            pk=a.pk,
            title=a.display_name,
            organisation=a.owner.display_name,
            field=a.high_tech_field.label if a.high_tech_field else "",
            published_at=a.published_at,
            url=reverse("achievements:detail", args=[a.pk]),
        )
        for a in achievements[:limit]
        if a.published_at is not None
    ]
    items.sort(key=lambda item: (item.published_at, item.kind, item.pk), reverse=True)
    return items[:limit]
