"""Notifications for work: each workflow step that someone must act on, or would want to know of, becomes an
in-site notification for the people its table names (Step.notify: the moderators of a submitted demand, the
unit of a returned achievement, the bidders when the proposals open...), and an e-mail by each person's
preference (accounts.User.notify_email: at once, in the daily digest, or never).

The workflow core announces every step after its commit (core.workflow.step_taken, sent from a job); this
module listens. The person who took the step is not told of it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from techtransfer.accounts.choices import NotifyEmail
from techtransfer.accounts.models import User
from techtransfer.core.workflow import Step, Workflow
from techtransfer.subscriptions.models import Notification

logger = logging.getLogger(__name__)
DEFAULT_LANGUAGE = "zh-hans"


# Sentences of work events that are not workflow steps (an objection lodged...), registered by the apps that
# send them: `%(title)s` is the notification's title (the record's name), rendered in the reader's language.
_EVENT_NOTICES: dict[str, Any] = {}


def register_event_notice(event: str, text: Any) -> None:
    _EVENT_NOTICES[event] = text


def event_notice(event: str) -> Any | None:
    return _EVENT_NOTICES.get(event)


def language_of(user: User) -> str:
    language = user.preferred_language or DEFAULT_LANGUAGE
    return language if language in dict(settings.LANGUAGES) else DEFAULT_LANGUAGE


def step_recipients(flow: Workflow, record: Any, step: Step, actor: Any) -> list[User]:
    """The people of the roles the step notifies, each once, without the person who took it."""
    people: dict[int, User] = {}
    for name in step.notify:
        role = flow.roles.get(name)
        if role is None or role.people is None:
            continue
        for person in role.people(record):
            if person.is_active:
                people.setdefault(person.pk, person)
    if actor is not None:
        people.pop(actor.pk, None)
    return sorted(people.values(), key=lambda person: person.pk)


def on_step_taken(sender: Workflow, *, record: Any, step: Step, actor: Any, history: Any, **kwargs: Any) -> None:
    if step.notify:
        notify_step(flow=sender, record=record, step=step, actor=actor, note=history.reason)


def notify_step(*, flow: Workflow, record: Any, step: Step, actor: Any, note: str = "") -> list[Notification]:
    """Create the step's notifications and send the immediate e-mails; returns the notifications."""
    with translation.override(DEFAULT_LANGUAGE):
        title = str(flow.title(record))[:300]
    return notify_people(
        step_recipients(flow, record, step, actor),
        kind=flow.kind,
        record_id=record.pk,
        title=title,
        url=flow.detail_url(record),
        event=flow.audit_code(step),
        actor=actor,
        note=note,
    )


def notify_people(
    people: Iterable[User],
    *,
    kind: str,
    record_id: int,
    title: str,
    url: str,
    event: str,
    actor: Any = None,
    note: str = "",
) -> list[Notification]:
    """One work notification per person (in the inbox; mailed at once, in the digest or never, by each
    person's preference). Also for events that are not workflow steps, such as a deadline reminder
    (`event` then names it, e.g. "annual_report.reminder")."""
    recipients = list(people)
    if not recipients:
        return []
    now = timezone.now()
    rows = Notification.objects.bulk_create(
        Notification(
            user=person,
            kind=kind,
            object_id=record_id,
            title=title[:300],
            url=url,
            event=event,
            actor=actor,
            note=note,
            created=now,
            digest_pending=person.notify_email == NotifyEmail.DAILY and bool(person.email),
        )
        for person in recipients
    )
    for notification in rows:
        if notification.user.notify_email == NotifyEmail.IMMEDIATELY and notification.user.email:
            _mail_now(notification)
    return rows


def _mail_now(notification: Notification) -> None:
    """One e-mail, in the recipient's language; if it cannot be sent it waits for the next digest."""
    user = notification.user
    site = settings.SITE_URL.rstrip("/")
    context = {
        "user": user,
        "n": notification,
        "link": site + notification.url,
        "inbox": site + reverse("subscriptions:inbox"),
        "settings_url": site + reverse("accounts:profile") + "#settings",
    }
    try:
        with translation.override(language_of(user)):
            subject = render_to_string("subscriptions/email/work_subject.txt", context).strip().splitlines()[0]
            body = render_to_string("subscriptions/email/work_body.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception:  # the step is done; a mail server that refuses must not undo or stop it
        logger.exception("work notification %s could not be mailed; it goes with the next digest", notification.pk)
        Notification.objects.filter(pk=notification.pk).update(digest_pending=True)
