"""Object permissions for service agencies and requests for help: the one place that says who sees and does what.

A profile is its owner's (the institution's members, or the broker) and its reviewers' (the commission's
administrators and the registration body's reviewers of its region, never for their own); the public reads only
listed profiles. A request for help is read by the demand's enterprise, the agency asked and administrators;
everybody else is told it does not exist.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.choices import MembershipStatus, OrgType, Role
from techtransfer.accounts.models import Membership, User
from techtransfer.accounts.permissions import (
    EDITOR_ROLES,
    ORGANISATION_NOT_VERIFIED,
    AnyUser,
    is_commission_admin,
    is_signed_in,
    members_of,
    memberships,
    org_ids,
    organisation_may_act,
    region_prefix,
    review_regions,
    user_may_act,
)
from techtransfer.agencies.choices import PUBLIC_STATUSES, AgencyKind, AgencyStatus
from techtransfer.agencies.models import Agency, HelpRequest
from techtransfer.core.workflow import Condition
from techtransfer.core.workflow import Role as WorkflowRole

NOT_THE_OWNER = _("Only the broker, or the institution's members, can do this with the profile.")
NOT_A_REVIEWER = _("You do not review service agencies of this region.")
OWN_PROFILE = _("You cannot review your own profile or your organisation's; another reviewer must.")
NOT_THE_AGENCY = _("Only the agency asked for help can answer.")
NOT_THE_REQUESTER = _("Only members of the demand's enterprise can do this.")
USER_WAITING = _("Your organisation is not verified by the commission yet; until it is, you cannot submit a profile.")

# What reviewers see: every profile sent to them (drafts stay with the owner).
REVIEWED_STATUSES = [s for s in AgencyStatus.values if s != AgencyStatus.DRAFT]


# ---------------------------------------------------------------- who is who


def transfer_institution_ids(user: AnyUser) -> set[int]:
    """The technology-transfer institutions whose profile the user may write (members and TTO officers)."""
    return {
        m.organisation_id
        for m in memberships(user)
        if m.role in EDITOR_ROLES and m.organisation.org_type == OrgType.TRANSFER_INSTITUTION
    }


def is_owner(user: AnyUser, agency: Agency) -> bool:
    """The broker, or a member (editor) of the institution."""
    if not is_signed_in(user):
        return False
    if agency.kind == AgencyKind.BROKER:
        return agency.user_id == user.pk
    return agency.organisation_id in org_ids(user, EDITOR_ROLES)


def _is_own(user: AnyUser, agency: Agency) -> bool:
    """The profile is the user's own or their organisation's (in any role): they never review it."""
    if not is_signed_in(user):
        return False
    return agency.user_id == user.pk or (agency.organisation_id is not None and agency.organisation_id in org_ids(user))


def _covers(user: AnyUser, agency: Agency) -> bool:
    code = agency.region.code
    return any(code.startswith(prefix) for prefix in review_regions(user))


def can_review(user: AnyUser, agency: Agency) -> bool:
    """Commission administrators and the registration body's reviewers of the agency's region, never their own."""
    if not is_signed_in(user) or _is_own(user, agency):
        return False
    return is_commission_admin(user) or _covers(user, agency)


def reviews_agencies(user: AnyUser) -> bool:
    """Works the review queue of profiles."""
    return is_commission_admin(user) or bool(review_regions(user))


def is_insider(user: AnyUser, agency: Agency) -> bool:
    """Works on the profile (its owner, any member of the institution, its reviewers), as opposed to the public:
    reads its history, the review note and the figures of its filings."""
    if not is_signed_in(user):
        return False
    return _is_own(user, agency) or is_commission_admin(user) or _covers(user, agency)


def has_agency(user: AnyUser) -> bool:
    """Answers requests for help: has a broker profile, or belongs to an institution with a profile."""
    if not is_signed_in(user):
        return False
    return Agency.objects.filter(agency_owner_q(user)).exists()


def may_register_agency(user: AnyUser) -> bool:
    """Anyone signed in may register as a broker; institutions' members may register their institution."""
    return is_signed_in(user)


# ---------------------------------------------------------------- visibility


def agency_owner_q(user: AnyUser) -> Q:
    """A filter for the profiles the user owns (theirs as a broker, their institutions')."""
    if not is_signed_in(user):
        return Q(pk__in=[])
    return Q(user_id=user.pk) | Q(organisation_id__in=org_ids(user, EDITOR_ROLES))


def agency_visible_q(user: AnyUser) -> Q:
    """A filter for every profile the user may read: listed ones for everybody."""
    if is_commission_admin(user):
        return Q()
    q = Q(status__in=PUBLIC_STATUSES)
    if not is_signed_in(user):
        return q
    q |= Q(user_id=user.pk) | Q(organisation_id__in=org_ids(user))
    prefixes = review_regions(user)
    if prefixes:
        in_regions = Q(pk__in=[])
        for prefix in prefixes:
            in_regions |= Q(region__code__startswith=prefix)
        q |= in_regions & Q(status__in=REVIEWED_STATUSES)
    return q


def agency_reviewed_q(user: AnyUser) -> Q:
    """A filter for the profiles the user reviews (their queue), never their own."""
    if not is_signed_in(user):
        return Q(pk__in=[])
    own = Q(user_id=user.pk) | Q(organisation_id__in=org_ids(user))
    if is_commission_admin(user):
        return ~own
    q = Q(pk__in=[])
    for prefix in review_regions(user):
        q |= Q(region__code__startswith=prefix)
    return q & ~own


def help_request_visible_q(user: AnyUser) -> Q:
    """A filter for the requests for help the user may read: the demand's enterprise and the agency asked."""
    if is_commission_admin(user):
        return Q()
    if not is_signed_in(user):
        return Q(pk__in=[])
    editors = org_ids(user, EDITOR_ROLES)
    return Q(demand__owner_id__in=editors) | Q(agency__user_id=user.pk) | Q(agency__organisation_id__in=editors)


def is_requester(user: AnyUser, help_request: HelpRequest) -> bool:
    """A member (editor) of the demand's enterprise."""
    return is_signed_in(user) and help_request.demand.owner_id in org_ids(user, EDITOR_ROLES)


def is_help_insider(user: AnyUser, help_request: HelpRequest) -> bool:
    return is_requester(user, help_request) or is_owner(user, help_request.agency)


def enterprise_ids(user: AnyUser) -> set[int]:
    """The enterprises the user asks for help for (a member or TTO officer of each)."""
    return {
        m.organisation_id
        for m in memberships(user)
        if m.role in EDITOR_ROLES and m.organisation.org_type == OrgType.ENTERPRISE
    }


# ---------------------------------------------------------------- whom to tell


def owners_of(agency: Agency) -> QuerySet[User]:
    """Who hears about a profile's steps: the broker, or the institution's members."""
    if agency.user_id is not None:
        return User.objects.filter(pk=agency.user_id, is_active=True)
    assert agency.organisation_id is not None  # an institution's profile has its organisation
    return members_of(agency.organisation_id)


def reviewers_of(agency: Agency) -> QuerySet[User]:
    """Everyone who may review the profile (see `can_review`), never its owner nor the institution's members."""
    code = agency.region.code
    reviewer_ids = [
        m.user_id
        for m in Membership.objects.select_related("organisation__region").filter(
            role=Role.REVIEWER, status=MembershipStatus.ACTIVE, organisation__org_type=OrgType.REGISTRATION_BODY
        )
        if code.startswith(region_prefix(m.organisation.region.code))
    ]
    admins = Q(memberships__role=Role.COMMISSION_ADMIN, memberships__status=MembershipStatus.ACTIVE)
    people = User.objects.filter(Q(pk__in=reviewer_ids) | admins, is_active=True)
    if agency.user_id is not None:
        people = people.exclude(pk=agency.user_id)
    if agency.organisation_id is not None:
        people = people.exclude(
            memberships__organisation_id=agency.organisation_id, memberships__status=MembershipStatus.ACTIVE
        )
    return people.distinct()


def requesters_of(help_request: HelpRequest) -> QuerySet[User]:
    """Who hears about a request's answer: whoever asked, and the enterprise's TTO officers."""
    return User.objects.filter(
        Q(pk=help_request.requested_by_id) | Q(memberships__role=Role.TTO_OFFICER),
        memberships__organisation_id=help_request.demand.owner_id,
        memberships__status=MembershipStatus.ACTIVE,
        is_active=True,
    ).distinct()


def _review_refusal(user: AnyUser, agency: Agency) -> str:
    return str(OWN_PROFILE if _is_own(user, agency) and reviews_agencies(user) else NOT_A_REVIEWER)


# ---------------------------------------------------------------- the workflow roles and conditions

OWNER = WorkflowRole("owner", check=is_owner, people=owners_of, refusal=NOT_THE_OWNER)
REVIEWER = WorkflowRole("reviewer", check=can_review, people=reviewers_of, refusal=_review_refusal)
REQUESTER = WorkflowRole("requester", check=is_requester, people=requesters_of, refusal=NOT_THE_REQUESTER)
AGENCY = WorkflowRole(
    "agency",
    check=lambda user, help_request: is_owner(user, help_request.agency),
    people=lambda help_request: owners_of(help_request.agency),
    refusal=NOT_THE_AGENCY,
)


def may_act(agency: Agency) -> bool:
    """Only a verified organisation acts towards others: an institution's must be verified; a broker must not
    be waiting for the verification of every organisation they belong to (nor of the institution named)."""
    if agency.kind == AgencyKind.INSTITUTION:
        return organisation_may_act(agency.organisation)
    if agency.employer_id is not None and not organisation_may_act(agency.employer):
        return False
    return agency.user is not None and user_may_act(agency.user)


def _may_act_refusal(agency: Agency) -> str:
    organisation: Any = agency.organisation if agency.kind == AgencyKind.INSTITUTION else agency.employer
    if organisation is not None:
        return str(ORGANISATION_NOT_VERIFIED % {"name": organisation.name})
    return str(USER_WAITING)


MAY_ACT = Condition(test=may_act, refusal=_may_act_refusal, denies=True)
