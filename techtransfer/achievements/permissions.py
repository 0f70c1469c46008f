"""Object permissions for achievements: the one place that says who may see or do what.

Pages, the API, exports and search all go through these functions or `achievement_visible_q`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.choices import Role
from techtransfer.accounts.permissions import (
    EDITOR_ROLES,
    AnyUser,
    can_moderate,
    is_commission_admin,
    is_signed_in,
    members_of,
    org_ids,
    owner_in_regions_q,
    review_regions,
    supervised_by,
)
from techtransfer.achievements.choices import EDITABLE_STATUSES, REGISTERED_STATUSES, Status
from techtransfer.achievements.models import Achievement
from techtransfer.core.workflow import Role as WorkflowRole

# Statuses a registration body sees: everything once it has been sent to them.
REVIEWABLE_VISIBLE = [Status.SUBMITTED, Status.RETURNED, Status.REGISTERED, Status.PUBLISHED]
MANAGER_ROLES = {Role.TTO_OFFICER}
NOT_THE_MANAGER = _("Only the unit's TTO officer can do this.")


def achievement_visible_q(user: AnyUser) -> Q:
    """A filter for every achievement the user may read."""
    if is_commission_admin(user):
        return Q()
    q = Q(status=Status.PUBLISHED)
    if not is_signed_in(user):
        return q
    q |= Q(owner_id__in=org_ids(user))
    prefixes = review_regions(user)
    if prefixes:
        q |= owner_in_regions_q(prefixes) & Q(status__in=REVIEWABLE_VISIBLE)
    departments = supervised_by(user)
    if departments:
        q |= Q(owner__supervising_department_id__in=departments) & ~Q(status=Status.DRAFT)
    return q


def can_view(user: AnyUser, achievement: Achievement) -> bool:
    return Achievement.objects.filter(achievement_visible_q(user), pk=achievement.pk).exists()


def can_edit(user: AnyUser, achievement: Achievement) -> bool:
    """Members and TTO officers of the owning unit, while the record is a draft or was returned."""
    return achievement.status in EDITABLE_STATUSES and achievement.owner_id in org_ids(user, EDITOR_ROLES)


def can_manage(user: AnyUser, achievement: Achievement) -> bool:
    """TTO officers of the owning unit submit, withdraw, publish and revise."""
    return achievement.owner_id in org_ids(user, MANAGER_ROLES)


def can_create_for(user: AnyUser, organisation_id: int) -> bool:
    return organisation_id in org_ids(user, EDITOR_ROLES)


def can_see_materials(user: AnyUser, achievement: Achievement) -> bool:
    """Registration materials (PDF proofs) stay with the unit and its reviewers, even once published."""
    if achievement.owner_id in org_ids(user) or can_moderate(user, achievement.owner):
        return True
    return achievement.owner.supervising_department_id in supervised_by(user)


def can_revise(user: AnyUser, achievement: Achievement) -> bool:
    if achievement.status not in REGISTERED_STATUSES:
        return False
    return can_manage(user, achievement) or can_moderate(user, achievement.owner)


def is_insider(user: AnyUser, achievement: Achievement) -> bool:
    """Someone who works on the record (its unit, its reviewers, its supervising department), as opposed to
    the public reading it."""
    if not is_signed_in(user):
        return False
    return achievement.owner_id in org_ids(user) or can_see_materials(user, achievement)


@dataclass(frozen=True)
class AchievementVisibility:
    """The parts of a record beyond its public fields that one user reads. The detail page and the API both
    take it from `achievement_visibility`, so a part is shown (or left out) the same way everywhere."""

    internal: bool  # INTERNAL_FIELDS, the status badge, history, revisions, audit trail
    personal_data: bool  # PERSONAL_FIELDS of the completing persons
    materials: bool  # the registration materials (PDF proofs): their names, sizes, hashes and downloads


# Fields of the record (API names) that only those who work on it read.
INTERNAL_FIELDS = ("return_reason", "revision_count", "internal_registration_date", "public_release", "funded_project")
# Personal data of a completing person: the public page names the person, their unit and title only.
PERSONAL_FIELDS = ("education", "birth_year")


def achievement_visibility(user: AnyUser, achievement: Achievement) -> AchievementVisibility:
    insider = is_insider(user, achievement)
    return AchievementVisibility(
        internal=insider, personal_data=insider, materials=insider and can_see_materials(user, achievement)
    )


# The unit's TTO officer: submits, publishes, withdraws (a workflow role, see choices.ACHIEVEMENT_STEPS).
MANAGER = WorkflowRole(
    "manager",
    check=can_manage,
    people=lambda achievement: members_of(achievement.owner_id, MANAGER_ROLES),
    refusal=NOT_THE_MANAGER,
)
