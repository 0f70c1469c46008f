"""Background entry points (core.jobs): they take JSON arguments and call the services."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from techtransfer.core.jobs import enqueue
from techtransfer.subscriptions.matchers import newly_published
from techtransfer.subscriptions.services import subscriptions_check, subscriptions_notify_published


def send_digests(*, frequency: str | None = None, now: str | None = None) -> dict[str, int]:
    """Check the due subscriptions and mail the digests: `enqueue("techtransfer.subscriptions.tasks.send_digests")`.

    `now` is an ISO 8601 date-time (default: the current time).
    """
    when: datetime.datetime | None = parse_datetime(now) if now else None
    if now and when is None:
        raise ValueError(f"now={now!r} is not an ISO 8601 date-time")
    if when is not None and timezone.is_naive(when):
        when = timezone.make_aware(when)
    result = subscriptions_check(now=when, frequency=frequency)
    return {"subscriptions": result.subscriptions, "notifications": result.notifications, "emails": result.emails}


def on_documents_indexed(sender: Any, public: list[tuple[str, int]] | None = None, **kwargs: Any) -> None:
    """Public documents were (re)indexed: a job checks the subscriptions against those just published (a
    rebuild or an edit of older records is not news)."""
    fresh = newly_published(public or [], now=timezone.now())
    if fresh:
        enqueue("techtransfer.subscriptions.tasks.notify_published", keys=[[kind, pk] for kind, pk in fresh])


def notify_published(*, keys: list[list[Any]]) -> int:
    return subscriptions_notify_published(keys=[(str(kind), int(pk)) for kind, pk in keys])
