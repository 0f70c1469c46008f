"""Who belongs where, and with which role. Object rules of each app build on these."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from techtransfer.accounts.choices import MembershipStatus, OrgType, Role
from techtransfer.accounts.models import Membership, Organisation


def memberships(user: Any) -> list[Membership]:
    """The user's active memberships, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_membership_cache", None)
    if cached is None:
        cached = list(
            Membership.objects.select_related("organisation", "organisation__region").filter(
                user=user, status=MembershipStatus.ACTIVE
            )
        )
        user._membership_cache = cached
    return cached


def org_ids(user: Any, roles: set[str] | None = None) -> set[int]:
    return {m.organisation_id for m in memberships(user) if roles is None or m.role in roles}


def is_commission_admin(user: Any) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return any(m.role == Role.COMMISSION_ADMIN for m in memberships(user))


def primary_organisation(user: Any) -> Organisation | None:
    ms = memberships(user)
    return ms[0].organisation if ms else None


def region_prefix(code: str) -> str:
    """110000 → "11" (a province covers its districts); 110108 → "110108"."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def owner_in_regions_q(prefixes: list[str]) -> Q:
    """Objects whose owning organisation lies in one of the region-code prefixes (none: nothing)."""
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= Q(owner__region__code__startswith=prefix)
    return q


def review_regions(user: Any) -> list[str]:
    """Region-code prefixes in which the user reviews registrations (reviewer at a registration body)."""
    return [
        region_prefix(m.organisation.region.code)
        for m in memberships(user)
        if m.role == Role.REVIEWER and m.organisation.org_type == OrgType.REGISTRATION_BODY
    ]


def supervised_by(user: Any) -> set[int]:
    """Ids of supervising departments in which the user is a reviewer."""
    return {
        m.organisation_id
        for m in memberships(user)
        if m.role == Role.REVIEWER and m.organisation.org_type == OrgType.SUPERVISING_DEPARTMENT
    }
