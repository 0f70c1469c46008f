"""Object permissions for contact requests: the one place that says who may see or do what.

Parties are the demand's owner, the achievement's owner and the organisation that opened the request (a
broker, or one of the two). Their members (members and TTO officers) see the request and take part;
commission administrators see every request but only read. Everybody else is told it does not exist.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.choices import MembershipStatus, OrgType, Role
from techtransfer.accounts.models import User
from techtransfer.accounts.permissions import AnyUser, is_commission_admin, is_signed_in, memberships, org_ids
from techtransfer.achievements.choices import Status as AchievementStatus
from techtransfer.achievements.models import Achievement
from techtransfer.core.workflow import Role as WorkflowRole
from techtransfer.market.choices import MATCHABLE_STATUSES
from techtransfer.market.models import TechnologyDemand
from techtransfer.matchmaking.choices import Side
from techtransfer.matchmaking.models import ContactRequest

# Roles in an organisation that act for it in matchmaking (reviewers and commission admins do not).
PARTY_ROLES = {Role.MEMBER, Role.TTO_OFFICER}
NOT_A_PARTY = _("Only members of the parties to this contact request can do this.")
NOT_A_SIDE = _("Only the demand's organisation and the achievement's organisation confirm signing.")
ALREADY_CONFIRMED = _("Your side has already confirmed signing; waiting for the other side.")


def acting_org_ids(user: AnyUser) -> set[int]:
    return org_ids(user, PARTY_ROLES)


def contact_request_visible_q(user: AnyUser) -> Q:
    """A filter for every contact request the user may read."""
    if is_commission_admin(user):
        return Q()
    if not is_signed_in(user):
        return Q(pk__in=[])
    ids = acting_org_ids(user)
    return Q(demand__owner_id__in=ids) | Q(achievement__owner_id__in=ids) | Q(opened_by_org_id__in=ids)


def party_orgs_of(user: AnyUser, contact_request: ContactRequest) -> set[int]:
    """The parties of the request the user acts for (empty: not a party)."""
    return contact_request.party_org_ids & acting_org_ids(user)


def is_party(user: AnyUser, contact_request: ContactRequest) -> bool:
    return bool(party_orgs_of(user, contact_request))


def sides_of(user: AnyUser, contact_request: ContactRequest) -> set[str]:
    """The signing sides the user may confirm for: the demand's owner, the achievement's owner, or both."""
    ids = acting_org_ids(user)
    sides: set[str] = set()
    if contact_request.demand.owner_id in ids:
        sides.add(Side.DEMAND)
    if contact_request.achievement.owner_id in ids:
        sides.add(Side.ACHIEVEMENT)
    return sides


def opener_org_ids(user: AnyUser, demand: TechnologyDemand, achievement: Achievement) -> list[int]:
    """The organisations the user may open a request for on this pair, best first (none: may not open).

    Members of the demand's owner, of the achievement's owner, and of any technology-transfer institution
    (brokers) may; a member of an unrelated university or enterprise may not.
    """
    result: list[int] = []
    ids = acting_org_ids(user)
    for org_id in (demand.owner_id, achievement.owner_id):
        if org_id in ids and org_id not in result:
            result.append(org_id)
    for membership in memberships(user):
        org = membership.organisation
        if membership.role in PARTY_ROLES and org.org_type == OrgType.TRANSFER_INSTITUTION and org.pk not in result:
            result.append(org.pk)
    return result


def pair_problem(demand: TechnologyDemand, achievement: Achievement) -> str | None:
    """Why no request may be opened on this pair whoever asks (None: it may)."""
    from django.utils.translation import gettext as _

    if demand.status not in MATCHABLE_STATUSES:
        return _("Contact requests can only be opened on a published (or expired) technology demand.")
    if achievement.status != AchievementStatus.PUBLISHED:
        return _("Contact requests can only be opened on a published achievement.")
    if demand.owner_id == achievement.owner_id:
        return _("The demand and the achievement belong to the same organisation.")
    return None


def unconfirmed_sides_of(user: AnyUser, contact_request: ContactRequest) -> set[str]:
    """The signing sides the user may still confirm for (empty when theirs have confirmed)."""
    confirmed = {
        side
        for side, by in (
            (Side.DEMAND, contact_request.demand_confirmed_by_id),
            (Side.ACHIEVEMENT, contact_request.achievement_confirmed_by_id),
        )
        if by is not None
    }
    return sides_of(user, contact_request) - confirmed


def party_people(contact_request: ContactRequest) -> QuerySet[User]:
    """Who hears about a request's steps: in each party organisation, the people involved in it (who posted
    the demand, registered the achievement, opened the request, took a step or wrote a note) and its TTO
    officers, who run the organisation's transfers — not every researcher of a university."""
    involved = {
        contact_request.demand.created_by_id,
        contact_request.achievement.created_by_id,
        contact_request.opened_by_id,
        *contact_request.status_changes.values_list("by_id", flat=True),
        *contact_request.notes.values_list("author_id", flat=True),
    } - {None}
    return User.objects.filter(
        Q(memberships__role=Role.TTO_OFFICER) | Q(pk__in=involved),
        memberships__organisation_id__in=contact_request.party_org_ids,
        memberships__status=MembershipStatus.ACTIVE,
        memberships__role__in=PARTY_ROLES,
        is_active=True,
    ).distinct()


# Workflow roles (see choices.CONTACT_REQUEST_STEPS).
PARTY = WorkflowRole("party", check=is_party, people=party_people, refusal=NOT_A_PARTY)
SIDE = WorkflowRole("side", check=lambda user, cr: bool(sides_of(user, cr)), refusal=NOT_A_SIDE)
