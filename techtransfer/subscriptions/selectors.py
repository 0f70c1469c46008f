"""Reads of the subscriptions app: a user's own subscriptions and notifications, the records a notification
points at, and the signed-in home page's recommendations."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from techtransfer.accounts.permissions import AnyUser, is_signed_in, org_ids
from techtransfer.achievements.models import Achievement
from techtransfer.market.choices import DemandStatus
from techtransfer.market.models import TechnologyDemand
from techtransfer.matching.selectors import MatchResult, achievement_source, demand_source, ranked
from techtransfer.subscriptions.choices import Kind
from techtransfer.subscriptions.models import Notification, Subscription

# The nav badge stops counting here ("99+"): a count of a user's whole history would not be a small query.
UNREAD_BADGE_CAP = 99
# How many of an organisation's newest demands / achievements the home recommendations start from.
RECOMMEND_SOURCES = 2


# --- subscriptions and notifications -----------------------------------------------------------------


def subscription_list(*, user: AnyUser) -> QuerySet[Subscription]:
    if not is_signed_in(user):
        return Subscription.objects.none()
    return Subscription.objects.filter(user=user).prefetch_related("fields", "regions").order_by("-created", "-id")


def subscription_get(*, user: AnyUser, pk: int) -> Subscription:
    """The user's own subscription; anybody else's is a 404, as if it did not exist."""
    subscription = subscription_list(user=user).filter(pk=pk).first()
    if subscription is None:
        raise Http404
    return subscription


def notification_list(*, user: AnyUser, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, unread first, then newest first."""
    if not is_signed_in(user):
        return Notification.objects.none()
    qs = Notification.objects.filter(user=user).select_related("subscription", "actor")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    unread_first = Case(When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    return qs.order_by(unread_first, "-created", "-id")


def notification_get(*, user: AnyUser, pk: int) -> Notification:
    notification = notification_list(user=user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    return notification


def unread_count(*, user: AnyUser) -> int:
    """Unread notifications, counted up to UNREAD_BADGE_CAP + 1 (one small query; none for anonymous)."""
    if not is_signed_in(user):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).values("id")[: UNREAD_BADGE_CAP + 1].count()


# --- the records notifications point at ----------------------------------------------------------------


def records_for(kind: str, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """object id → (title in the active language, page path), for the records that are still public."""
    ids = list(ids)
    if not ids:
        return {}
    if kind == Kind.ACHIEVEMENT:
        achievements = Achievement.objects.public().only("id", "name", "name_en").in_bulk(ids)
        return {pk: (a.display_name, reverse("achievements:detail", args=[pk])) for pk, a in achievements.items()}
    if kind == Kind.DEMAND:
        demands = TechnologyDemand.objects.filter(status=DemandStatus.PUBLISHED).only("id", "title").in_bulk(ids)
        return {pk: (d.title, reverse("market:detail", args=[pk])) for pk, d in demands.items()}
    if kind == Kind.CHALLENGE:
        from techtransfer.challenges.choices import PUBLIC_STATUSES
        from techtransfer.challenges.models import Challenge

        challenges = Challenge.objects.filter(status__in=PUBLIC_STATUSES).only("id", "title").in_bulk(ids)
        return {pk: (c.title, reverse("challenges:detail", args=[pk])) for pk, c in challenges.items()}
    raise ValueError(f"Unknown kind {kind!r}")


# --- home recommendations --------------------------------------------------------------------------------


class NotificationResult(MatchResult):
    """An unread notification shown among the recommendations: why is the subscription, not a score."""

    @property
    def reasons(self) -> list[str]:
        subscription = self.subtitle
        reasons = [_("new for your subscription “%(name)s”") % {"name": subscription}] if subscription else []
        if self.shared_terms:
            reasons.append(_("contains %(words)s") % {"words": "、".join(self.shared_terms)})
        return reasons or [_("new for one of your subscriptions")]


def _from_notification(n: Notification) -> NotificationResult:
    return NotificationResult(
        kind=n.kind,
        object_id=n.object_id,
        title_html=escape(n.title),
        snippet_html=SafeString(""),
        url=n.url,
        subtitle=n.subscription.name if n.subscription else "",
        field_label="",
        region_label="",
        score=0.0,
        shared_terms=n.reason_words,
        reason_words=n.reason_words,
        same_field=False,
        lexical_rank=None,
        semantic_score=None,
        obj=n,
    )


def recommendations_for(user: AnyUser, limit: int = 6) -> list[MatchResult]:
    """What the signed-in home page suggests, best first, each record once.

    For a member of an organisation with published demands: achievements matching its newest demands; with
    published achievements: demands matching those; then the user's newest unread notifications (up to half
    of the list when there are matches too). Records of the user's own organisations are left out.
    """
    if not is_signed_in(user):
        return []
    orgs = org_ids(user)
    matches: list[MatchResult] = []
    if orgs:
        demands = (
            TechnologyDemand.objects.filter(owner_id__in=orgs, status=DemandStatus.PUBLISHED)
            .select_related("field", "region")
            .order_by("-published_at", "-id")[:RECOMMEND_SOURCES]
        )
        own_achievements = list(
            Achievement.objects.public().filter(owner_id__in=orgs).values_list("id", flat=True)[:500]
        )
        for demand in demands:
            found = ranked(demand_source(demand), kind="achievement", limit=limit, exclude=own_achievements)
            matches += [r for r in found if not r.weak]  # a recommendation under the relevance floor is noise
        achievements = (
            Achievement.objects.public()
            .filter(owner_id__in=orgs)
            .select_related("owner__region", "region", "high_tech_field")
            .order_by("-published_at", "-id")[:RECOMMEND_SOURCES]
        )
        for achievement in achievements:
            found = [r for r in ranked(achievement_source(achievement), kind="demand", limit=limit) if not r.weak]
            matches += [m for m in found if getattr(m.obj, "owner_id", None) not in orgs]
    matches.sort(key=lambda m: -m.score)
    notifications = [_from_notification(n) for n in notification_list(user=user, unread_only=True)[:limit]]
    # Notifications take up to half the list, more when there are fewer matches.
    shown_notifications = min(len(notifications), max(limit - len(matches), limit // 2))
    results: list[MatchResult] = []
    seen: set[tuple[str, int]] = set()
    for result in [*matches[: limit - shown_notifications], *notifications, *matches]:
        key = (result.kind, result.object_id)
        if key in seen:
            continue
        seen.add(key)
        results.append(result)
        if len(results) >= limit:
            break
    return results
