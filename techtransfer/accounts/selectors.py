"""Reads for the account pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from techtransfer.accounts.choices import MembershipStatus, Role
from techtransfer.accounts.models import ApiToken, Membership, Organisation, User
from techtransfer.accounts.permissions import organisations_to_verify_q


def membership_list(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation", "organisation__region")
        .order_by("organisation__name")
    )


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens still in force, newest first (revoked ones stay in the table for the audit trail)."""
    return ApiToken.objects.filter(user=user, revoked=False).order_by("-created", "-id")


def membership_requests_pending(*, user: User) -> QuerySet[Membership]:
    """Join requests waiting in the organisations where the user is an active TTO officer."""
    managed = Membership.objects.filter(user=user, role=Role.TTO_OFFICER, status=MembershipStatus.ACTIVE).values(
        "organisation_id"
    )
    return (
        Membership.objects.filter(organisation_id__in=managed, status=MembershipStatus.PENDING)
        .select_related("user", "organisation")
        .order_by("created")
    )


def organisation_verification_queue(*, user: Any) -> QuerySet[Organisation]:
    """Organisations waiting for `user` to verify them (refused ones leave the queue), oldest first."""
    return (
        Organisation.objects.filter(organisations_to_verify_q(user), is_verified=False, refused_at__isnull=True)
        .select_related("region")
        .order_by("created", "id")
    )
