"""Background entry points for matchmaking (mail): they take ids, load the rows and send."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from techtransfer.accounts.choices import MembershipStatus, Role
from techtransfer.accounts.models import User
from techtransfer.matchmaking.models import ContactRequest
from techtransfer.matchmaking.permissions import PARTY_ROLES

EVENTS = {"opened", "negotiation", "confirmed", "signed", "abandoned"}


def contact_request_recipients(contact_request: ContactRequest, *, actor: User | None) -> list[User]:
    """Who hears about a change: the people of the *other* parties who are in the conversation.

    A party is every organisation of the request that the actor does not act for. Within it, mail goes to the
    people involved (who posted the demand, registered the achievement, opened the request, moved it or wrote
    a note) and to its TTO officers, who run the organisation's transfers — not to every researcher of a
    university.
    """
    actor_orgs: set[int] = set()
    if actor is not None:
        actor_orgs = set(
            actor.memberships.filter(status=MembershipStatus.ACTIVE, role__in=PARTY_ROLES).values_list(
                "organisation_id", flat=True
            )
        )
    other_orgs = contact_request.party_org_ids - actor_orgs
    if not other_orgs:
        return []
    involved = {
        contact_request.demand.created_by_id,
        contact_request.achievement.created_by_id,
        contact_request.opened_by_id,
        *contact_request.stage_changes.values_list("by_id", flat=True),
        *contact_request.notes.values_list("author_id", flat=True),
    } - {None}
    people = (
        User.objects.filter(
            Q(memberships__role=Role.TTO_OFFICER) | Q(pk__in=involved),
            memberships__organisation_id__in=other_orgs,
            memberships__status=MembershipStatus.ACTIVE,
            memberships__role__in=PARTY_ROLES,
            is_active=True,
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    if actor is not None:
        people = people.exclude(pk=actor.pk)
    return list(people)


def contact_request_notify(*, contact_request_id: int, event: str, actor_id: int | None = None) -> None:
    """Tell the other parties that a request was opened, moved, confirmed on one side, signed or abandoned."""
    if event not in EVENTS:
        raise ValueError(f"unknown contact request event {event!r}")
    contact_request = (
        ContactRequest.objects.select_related("demand", "achievement", "opened_by_org", "opened_by")
        .filter(pk=contact_request_id)
        .first()
    )
    if contact_request is None:
        return
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    by_language: dict[str, list[str]] = defaultdict(list)
    for person in contact_request_recipients(contact_request, actor=actor):
        by_language[person.preferred_language or settings.LANGUAGE_CODE].append(person.email)
    last_change = contact_request.stage_changes.order_by("-at", "-id").first()
    context = {
        "cr": contact_request,
        "event": event,
        "actor": actor,
        "note": last_change.note if last_change and event == last_change.to_stage else "",
        "link": settings.SITE_URL.rstrip("/") + reverse("matchmaking:detail", args=[contact_request.pk]),
    }
    for language, emails in sorted(by_language.items()):
        # Mail goes out in the recipient's language when we know it, else the site default.
        with translation.override(language):
            subject = render_to_string("matchmaking/email/notify_subject.txt", context).strip().splitlines()[0]
            body = render_to_string("matchmaking/email/notify_body.txt", context)
        # One message per recipient: parties must not see each other's addresses.
        for email in emails:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
