"""Who reads and who curates achievement packages.

- Published packages are read by everybody (list, detail, API).
- Drafts and withdrawn packages are read and edited by the commission's editors only: commission
  administrators and the reviewers of a city-level registration body (the commission).
- Only published achievements (what the achievements app shows the public) can be in a package and shown.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.choices import MembershipStatus, OrgType, Role
from techtransfer.accounts.models import User
from techtransfer.accounts.permissions import AnyUser, is_commission_admin, is_signed_in, memberships
from techtransfer.achievements.models import Achievement
from techtransfer.achievements.permissions import achievement_visible_q
from techtransfer.core.workflow import Role as WorkflowRole
from techtransfer.packages.choices import PackageStatus
from techtransfer.packages.models import KeyFieldSubscription, Package

NOT_AN_EDITOR = _("Only the commission's reviewers and administrators curate achievement packages.")
CITY_LEVEL_SUFFIX = "0000"  # a registration body of the whole city (110000), not of a district


def is_editor(user: AnyUser) -> bool:
    if not is_signed_in(user):
        return False
    if is_commission_admin(user):
        return True
    return any(
        m.role == Role.REVIEWER and m.organisation.org_type == OrgType.REGISTRATION_BODY
        and m.organisation.region.code.endswith(CITY_LEVEL_SUFFIX)
        for m in memberships(user)
    )


def package_visible_q(user: AnyUser, prefix: str = "") -> Q:
    """Every package (or, with `prefix`, every row related to one) the user may read."""
    if is_editor(user):
        return Q()
    return Q(**{f"{prefix}status": PackageStatus.PUBLISHED})


def public_achievements() -> QuerySet[Achievement]:
    """The achievements the public may read (as the achievements app filters them for a visitor)."""
    return Achievement.objects.filter(achievement_visible_q(AnonymousUser()))


def can_edit(user: AnyUser, package: Package) -> bool:
    return is_editor(user)


def editors() -> QuerySet[User]:
    return User.objects.filter(
        Q(memberships__role=Role.COMMISSION_ADMIN)
        | Q(memberships__role=Role.REVIEWER, memberships__organisation__org_type=OrgType.REGISTRATION_BODY,
            memberships__organisation__region__code__endswith=CITY_LEVEL_SUFFIX),
        memberships__status=MembershipStatus.ACTIVE, is_active=True,
    ).distinct()


def subscribers_of(package: Package) -> QuerySet[User]:
    """Who hears when the package is published: the users subscribed to its key field."""
    ids = KeyFieldSubscription.objects.filter(key_field_id=package.key_field_id).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True)


def _nobody(user: AnyUser, package: Package) -> bool:
    return False


EDITOR = WorkflowRole("editor", check=can_edit, people=lambda package: list(editors()), refusal=NOT_AN_EDITOR)
# Nobody takes a step as a subscriber; the role only names who is told (Step.notify).
SUBSCRIBERS = WorkflowRole("subscribers", check=_nobody, people=lambda package: list(subscribers_of(package)))
