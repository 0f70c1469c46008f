"""Background entry points for accounts (mail): they take ids, load the rows and send."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from techtransfer.accounts.choices import MembershipStatus, Role
from techtransfer.accounts.models import Membership, Organisation, User


def _send(*, template: str, to: list[str], context: dict[str, object], language: str = "") -> None:
    # Mail goes out in the recipient's language when we know it, else the site default.
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"accounts/email/{template}_subject.txt", context).strip().splitlines()[0]
        body = render_to_string(f"accounts/email/{template}_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)


def email_confirmation_send(*, user_id: int, base_url: str = "", wanted_username: str = "") -> None:
    from techtransfer.accounts.services import email_confirmation_link

    user = User.objects.filter(pk=user_id, email_confirmed=False).first()
    if user is None:
        return
    link = email_confirmation_link(user=user, base_url=base_url)
    _send(
        template="confirm",
        to=[user.email],
        context={
            "user": user,
            "link": link,
            "site_url": base_url or settings.SITE_URL,
            "wanted_username": wanted_username,
        },
        language=user.preferred_language,
    )


def signup_existing_send(*, user_id: int, base_url: str = "") -> None:
    """Someone signed up with an address that already has an account: tell its owner, nobody else."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    site = (base_url or settings.SITE_URL).rstrip("/")
    _send(
        template="signup_existing",
        to=[user.email],
        context={
            "user": user,
            "login_url": site + reverse("accounts:login"),
            "reset_url": site + reverse("accounts:password_reset"),
        },
        language=user.preferred_language,
    )


def organisation_decided_notify(*, organisation_id: int) -> None:
    """Tell the TTO officers of an organisation that the commission verified or refused it."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return
    officers = User.objects.filter(
        memberships__organisation=organisation, memberships__status=MembershipStatus.ACTIVE, is_active=True
    ).distinct()
    for officer in officers:
        if officer.email:
            _send(
                template="organisation_decided",
                to=[officer.email],
                context={"organisation": organisation, "site_url": settings.SITE_URL},
                language=officer.preferred_language,
            )


def membership_joined_notify(*, membership_id: int) -> None:
    """Ask the organisation's TTO officers to approve or decline someone who wants to join."""
    membership = Membership.objects.select_related("user", "organisation").filter(pk=membership_id).first()
    if membership is None:
        return
    officers = User.objects.filter(
        memberships__organisation=membership.organisation,
        memberships__role=Role.TTO_OFFICER,
        memberships__status=MembershipStatus.ACTIVE,
        is_active=True,
    ).exclude(pk=membership.user_id)
    recipients = [u.email for u in officers if u.email]
    if recipients:
        _send(
            template="member_joined",
            to=recipients,
            context={"membership": membership, "site_url": settings.SITE_URL},
        )


def organisation_requested_notify(*, organisation_id: int) -> None:
    """Tell the commission administrators that an organisation is waiting to be verified."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return
    admins = User.objects.filter(
        Q(is_superuser=True) | Q(memberships__role=Role.COMMISSION_ADMIN), is_active=True
    ).distinct()
    recipients = [u.email for u in admins if u.email]
    if recipients:
        _send(
            template="organisation_requested",
            to=recipients,
            context={"organisation": organisation, "site_url": settings.SITE_URL},
        )
