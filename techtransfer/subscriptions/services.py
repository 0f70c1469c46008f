"""Writes of the subscriptions app: a user's subscriptions, reading notifications, and the digest check.

Subscriptions and notifications are personal settings: each service checks that they are the user's own,
runs in a transaction, and is not audited (nothing of the platform's records changes).

`subscriptions_check` is what cron, a systemd timer or a job runs (manage.py send_digests, tasks.py): it
finds the new matches of every due subscription, records them as notifications, mails each user one digest,
and moves the subscriptions' checkpoints on. It is safe to rerun and to run twice at once.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.accounts.models import User
from techtransfer.core.codetables import code_table_key
from techtransfer.core.models import CodeItem
from techtransfer.subscriptions import permissions as perms
from techtransfer.subscriptions.choices import PERIODS, SLACK, Frequency, Kind
from techtransfer.subscriptions.matchers import FILTER_FACETS, Criteria, NewDocument, new_documents, split_words
from techtransfer.subscriptions.models import Notification, Subscription
from techtransfer.subscriptions.selectors import records_for

logger = logging.getLogger(__name__)

FORM_FIELDS = ["name", "kinds", "keywords", "query", "filters", "frequency", "email_enabled"]
CODE_TABLES = {"fields": "high_tech_field", "regions": "region"}
# The digest language when the user chose none (the site's default language, whatever the test settings).
DEFAULT_LANGUAGE = "zh-hans"
# A digest lists this many records per subscription, then says "and N more" (the inbox has them all).
DIGEST_ITEMS_PER_SUBSCRIPTION = 20
# One run records at most this many new matches per subscription (newest first): a subscription as wide
# as "every new achievement" must not flood the inbox after a bulk import.
MAX_NEW_PER_SUBSCRIPTION = 200
# Records are indexed just after they are published (a job after commit): each check looks this far behind
# its checkpoint too, so a record indexed late is still found. Notifications are unique, so none repeats.
INDEXING_LAG = datetime.timedelta(minutes=15)
# A subscription unchecked for longer (the scheduler was down) starts from this far back, not from its birth.
MAX_LOOKBACK = datetime.timedelta(days=31)
MAX_KEYWORDS = 20
MAX_SUBSCRIPTIONS_PER_USER = 50

NOT_YOURS = gettext_lazy("This is not your subscription.")
NOT_YOUR_NOTIFICATION = gettext_lazy("This is not your notification.")


# --- subscriptions ---------------------------------------------------------------------------------------


def _clean(subscription: Subscription) -> None:
    errors: dict[str, list[str]] = {}
    subscription.name = (subscription.name or "").strip()
    subscription.keywords = " ".join(split_words(subscription.keywords or ""))
    subscription.query = (subscription.query or "").strip()
    kinds = subscription.kinds if isinstance(subscription.kinds, list) else []
    if not kinds:
        errors["kinds"] = [_("Choose at least one kind of record.")]
    elif any(k not in Kind.values for k in kinds):
        errors["kinds"] = [_("Unknown kind; the kinds are %(kinds)s.") % {"kinds": ", ".join(Kind.values)}]
    subscription.kinds = [k for k in Kind.values if k in kinds]  # a fixed order, no repeats
    if len(split_words(subscription.keywords)) > MAX_KEYWORDS:
        errors["keywords"] = [_("At most %(n)d keywords.") % {"n": MAX_KEYWORDS}]
    filters = subscription.filters
    if not isinstance(filters, dict) or any(
        name not in FILTER_FACETS or not isinstance(values, list) or not all(isinstance(v, str) for v in values)
        for name, values in filters.items()
    ):
        errors["filters"] = [
            _("Filters map a facet (%(facets)s) to a list of codes.") % {"facets": ", ".join(FILTER_FACETS)}
        ]
    else:
        subscription.filters = {name: sorted(set(values)) for name, values in filters.items() if values}
    try:
        subscription.full_clean(exclude=["user", "kinds", "filters", "last_checked_at"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _set_codes(subscription: Subscription, codes: Mapping[str, Iterable[CodeItem] | None]) -> None:
    errors: dict[str, list[str]] = {}
    for name, items in codes.items():
        if items is None:
            continue
        items = list(items)
        if any(code_table_key(item.table_id) != CODE_TABLES[name] for item in items):
            errors[name] = [_("This value belongs to another code table.")]
            continue
        getattr(subscription, name).set(items)
    if errors:
        raise ValidationError(errors)


def _apply(subscription: Subscription, data: Mapping[str, Any]) -> None:
    for name, value in data.items():
        if name not in FORM_FIELDS:
            raise ValidationError({name: [_("This field cannot be set here.")]})
        setattr(subscription, name, value)


@transaction.atomic
def subscription_create(
    *,
    by: User,
    data: Mapping[str, Any],
    fields: Iterable[CodeItem] | None = None,
    regions: Iterable[CodeItem] | None = None,
) -> Subscription:
    """A new subscription of `by`. It notifies records published from now on, not the ones already public."""
    if not perms.can_subscribe(by):
        raise PermissionDenied(_("Log in to subscribe."))
    if Subscription.objects.filter(user=by).count() >= MAX_SUBSCRIPTIONS_PER_USER:
        message = _("You have %(n)d subscriptions, the most one can have; delete one first.")
        raise ValidationError(message % {"n": MAX_SUBSCRIPTIONS_PER_USER})
    subscription = Subscription(user=by)
    _apply(subscription, data)
    _clean(subscription)
    subscription.save()
    _set_codes(subscription, {"fields": fields, "regions": regions})
    return subscription


@transaction.atomic
def subscription_update(
    *,
    subscription: Subscription,
    by: User,
    data: Mapping[str, Any],
    fields: Iterable[CodeItem] | None = None,
    regions: Iterable[CodeItem] | None = None,
) -> Subscription:
    """Change a subscription; lists that are given replace the stored ones. Its checkpoint stays."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if not perms.owns(by, subscription):
        raise PermissionDenied(NOT_YOURS)
    _apply(subscription, data)
    _clean(subscription)
    subscription.save()
    _set_codes(subscription, {"fields": fields, "regions": regions})
    return subscription


@transaction.atomic
def subscription_delete(*, subscription: Subscription, by: User) -> None:
    """Delete a subscription. Its notifications stay in the inbox (without it) but leave the digest."""
    if not perms.owns(by, subscription):
        raise PermissionDenied(NOT_YOURS)
    subscription.notifications.filter(digest_pending=True).update(digest_pending=False)
    subscription.delete()


def search_subscription_name(query: str, filter_labels: Iterable[str]) -> str:
    """A name for a saved search: its words and filters ("锂电池 · 先进制造"), or a generic one."""
    parts = [p for p in [query.strip(), *filter_labels] if p]
    name = " · ".join(parts) or _("All new achievements")
    return name[:100]


@transaction.atomic
def subscription_from_search(
    *, by: User, query: str, filters: Mapping[str, list[str]], name: str, kinds: list[str] | None = None
) -> Subscription:
    """ "Save this search as a subscription": the search page's words and filters, daily, by e-mail."""
    return subscription_create(
        by=by,
        data={
            "name": name,
            "kinds": kinds or [Kind.ACHIEVEMENT],
            "query": query,
            "filters": {k: list(v) for k, v in filters.items()},
            "frequency": Frequency.DAILY,
            "email_enabled": True,
        },
    )


# --- notifications ---------------------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, notification: Notification, by: User) -> Notification:
    if not perms.owns(by, notification):
        raise PermissionDenied(NOT_YOUR_NOTIFICATION)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


@transaction.atomic
def notifications_mark_all_read(*, by: User) -> int:
    """Mark every unread notification of `by` read; returns how many were."""
    if not getattr(by, "is_authenticated", False):
        raise PermissionDenied
    return Notification.objects.filter(user=by, read_at__isnull=True).update(read_at=timezone.now())


# --- the digest check ------------------------------------------------------------------------------------


@dataclass
class CheckResult:
    subscriptions: int = 0
    notifications: int = 0
    emails: int = 0
    failed_emails: int = 0
    users: set[int] = field(default_factory=set)


def due_subscriptions(*, now: datetime.datetime, frequency: str | None = None) -> QuerySet[Subscription]:
    """Subscriptions whose period has passed since their last check (new ones: at once)."""
    due = Q()
    for name, period in PERIODS.items():
        if frequency and name != frequency:
            continue
        due |= Q(frequency=name) & (Q(last_checked_at__isnull=True) | Q(last_checked_at__lte=now - period + SLACK))
    return Subscription.objects.filter(due, user__is_active=True)


def _window(subscription: Subscription, now: datetime.datetime) -> datetime.datetime:
    """Where this check starts: the last check (minus the indexing lag), never before the subscription was
    created (records published before it are not news), nor more than MAX_LOOKBACK ago."""
    start = subscription.created
    if subscription.last_checked_at:
        start = max(start, subscription.last_checked_at - INDEXING_LAG)
    return max(start, now - MAX_LOOKBACK)


def _language(user: User) -> str:
    language = user.preferred_language or DEFAULT_LANGUAGE
    return language if language in dict(settings.LANGUAGES) else DEFAULT_LANGUAGE


def _criteria(subscription: Subscription) -> Criteria:
    return Criteria.build(
        kinds=subscription.kinds,
        fields=[item.code for item in subscription.fields.all()],
        regions=[item.code for item in subscription.regions.all()],
        keywords=subscription.keywords,
        query=subscription.query,
        filters=subscription.filters,
    )


def _notify(subscription: Subscription, docs: list[NewDocument], now: datetime.datetime) -> int:
    """Record the subscription's new matches among `docs`; returns how many notifications were created."""
    criteria = _criteria(subscription)
    start = _window(subscription, now)
    matched: list[tuple[NewDocument, list[str]]] = []
    for doc in docs:
        if doc.published_at <= start:
            break  # docs are newest first
        words = criteria.match(doc)
        if words is not None:
            matched.append((doc, words))
    if not matched:
        return 0
    known = set(
        subscription.notifications.filter(
            object_id__in=[doc.object_id for doc, _ in matched], kind__in=criteria.kinds
        ).values_list("kind", "object_id")
    )
    fresh = [(doc, words) for doc, words in matched if (doc.kind, doc.object_id) not in known]
    fresh = fresh[:MAX_NEW_PER_SUBSCRIPTION]
    by_kind: dict[str, list[int]] = defaultdict(list)
    for doc, _words in fresh:
        by_kind[doc.kind].append(doc.object_id)
    # Titles in the user's language, and only records still public (the index may lag an unpublishing).
    with translation.override(_language(subscription.user)):
        records = {(kind, pk): record for kind, ids in by_kind.items() for pk, record in records_for(kind, ids).items()}
    rows = [
        Notification(
            user_id=subscription.user_id,
            subscription=subscription,
            kind=doc.kind,
            object_id=doc.object_id,
            title=records[(doc.kind, doc.object_id)][0][:300],
            url=records[(doc.kind, doc.object_id)][1],
            reason="、".join(words)[:300],
            created=now,
            digest_pending=subscription.email_enabled,
        )
        for doc, words in fresh
        if (doc.kind, doc.object_id) in records
    ]
    # ignore_conflicts: a concurrent run may have recorded the same match a moment ago.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def subscriptions_notify_published(*, keys: list[tuple[str, int]], now: datetime.datetime | None = None) -> int:
    """Notify at once every subscription that matches these just-published records (a job when they reach the
    index); returns how many notifications were created. The e-mail still goes with the scheduled digest, and
    the digest check will not notify them again (a match is recorded once)."""
    now = now or timezone.now()
    kinds = {kind for kind, _pk in keys}
    docs = new_documents(kinds=kinds, since=now - MAX_LOOKBACK, until=now, keys=keys)
    if not docs:
        return 0
    created = 0
    for subscription in Subscription.objects.filter(user__is_active=True).select_related("user").order_by("pk"):
        if kinds & set(subscription.kinds):
            created += _notify(subscription, docs, now)
    return created


def subscriptions_check(*, now: datetime.datetime | None = None, frequency: str | None = None) -> CheckResult:
    """Check every due subscription (of `frequency`, or all), then send each user one digest.

    Idempotent: a subscription just checked is not due again, a match is recorded once, and a digest lists
    only notifications not mailed yet. A failed mail stays pending and goes with the next digest.
    """
    now = now or timezone.now()
    if frequency is not None and frequency not in Frequency.values:
        raise ValueError(f"Unknown frequency {frequency!r}; expected one of {', '.join(Frequency.values)}")
    result = CheckResult()
    due = list(due_subscriptions(now=now, frequency=frequency).select_related("user").order_by("pk"))
    checked: dict[int, list[int]] = defaultdict(list)  # user → subscriptions checked in this run
    if frequency in (None, Frequency.DAILY):
        # Work notifications of those who want them in the daily digest ride along (or go alone).
        for user_id in Notification.objects.filter(digest_pending=True, subscription=None).values_list(
            "user_id", flat=True
        ).distinct():
            checked[user_id] = []
    if not due:
        _send_digests(checked, result)
        return result
    earliest = min(_window(s, now) for s in due)
    kinds = {k for s in due for k in s.kinds}
    docs = new_documents(kinds=kinds, since=earliest, until=now)
    for candidate in due:
        with transaction.atomic():
            # Locked (and re-read) so that two runs at once do not check the same subscription twice.
            subscription = (
                due_subscriptions(now=now, frequency=frequency)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("user")
                .filter(pk=candidate.pk)
                .first()
            )
            if subscription is None:
                continue
            result.notifications += _notify(subscription, docs, now)
            subscription.last_checked_at = now
            subscription.save(update_fields=["last_checked_at"])
        result.subscriptions += 1
        checked[subscription.user_id].append(subscription.pk)
    _send_digests(checked, result)
    return result


def _send_digests(checked: dict[int, list[int]], result: CheckResult) -> None:
    for user_id, subscription_ids in checked.items():
        sent = digest_send(user_id=user_id, subscription_ids=subscription_ids)
        if sent is None:
            result.failed_emails += 1
        elif sent:
            result.emails += 1
            result.users.add(user_id)


@dataclass
class DigestSection:
    subscription: Subscription | None  # None: the work notifications
    items: list[Notification]
    more: int
    link: str


def digest_send(*, user_id: int, subscription_ids: list[int]) -> bool | None:
    """Mail the user one digest of the pending notifications of these subscriptions, and of their pending work
    notifications (those they asked to receive daily).

    Returns True when a mail went out, False when there was nothing to send (or nowhere to send it), None
    when sending failed (the notifications stay pending for the next digest).
    """
    site = settings.SITE_URL.rstrip("/")
    try:
        with transaction.atomic():
            user = User.objects.filter(pk=user_id).first()
            pending = Notification.objects.select_for_update(skip_locked=True, of=("self",)).filter(
                Q(subscription_id__in=subscription_ids) | Q(subscription=None), user_id=user_id, digest_pending=True
            )
            notifications = list(
                pending.select_related("subscription", "actor").order_by("subscription_id", "-created", "-id")
            )
            if not notifications:
                return False
            Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(digest_pending=False)
            if user is None or not user.is_active or not user.email:
                return False
            by_subscription: dict[int | None, list[Notification]] = defaultdict(list)  # None: work
            for n in notifications:
                by_subscription[n.subscription_id].append(n)
            inbox = site + reverse("subscriptions:inbox")
            sections = [
                DigestSection(
                    subscription=items[0].subscription,
                    items=items[:DIGEST_ITEMS_PER_SUBSCRIPTION],
                    more=max(0, len(items) - DIGEST_ITEMS_PER_SUBSCRIPTION),
                    link=inbox,
                )
                for items in by_subscription.values()
            ]
            sections.sort(key=lambda section: section.subscription is not None)  # work first
            context = {
                "user": user,
                "sections": sections,
                "total": len(notifications),
                "work": sum(1 for n in notifications if n.subscription_id is None),
                "site": site,
                "inbox": inbox,
                "manage": site + reverse("subscriptions:list"),
            }
            with translation.override(_language(user)):
                subject = render_to_string("subscriptions/email/digest_subject.txt", context).strip().splitlines()[0]
                text = render_to_string("subscriptions/email/digest_body.txt", context)
                html = render_to_string("subscriptions/email/digest_body.html", context)
            message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
            message.attach_alternative(html, "text/html")
            message.send()
    except Exception:  # a mail server that refuses must not stop the other users' digests
        logger.exception("digest for user %s failed; its notifications stay pending", user_id)
        return None
    return True
