"""Who belongs where, and with which role; who moderates whom. Object rules of each app build on these.

The one permission vocabulary of the platform: `can_moderate(user, owner)` (moderating, reviewing,
registering, publishing a record of `owner`'s) and `editable_organisations(user, roles)` (whom the user may
write records for). The workflow roles every owned record shares (`OWNER_EDITOR`, `MODERATOR`) are built
on them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.choices import MembershipStatus, OrgType, Role
from techtransfer.accounts.models import Membership, Organisation, User
from techtransfer.core.workflow import Condition
from techtransfer.core.workflow import Role as WorkflowRole

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
    from typing_extensions import TypeIs

# Whom a request comes from (request.user): a signed-in user or an anonymous visitor.
AnyUser = User | AnonymousUser

# Roles in an organisation that write and manage its records (demands, challenges, achievements).
EDITOR_ROLES = frozenset({Role.MEMBER, Role.TTO_OFFICER})

NOT_AN_EDITOR = _("Only members of the owning organisation can do this.")
NOT_A_MODERATOR = _("You do not moderate records of this organisation.")
OWN_ORGANISATION = _(
    "You cannot moderate, review or register a record of your own organisation; another moderator must."
)


def is_signed_in(user: AnyUser | None) -> TypeIs[User]:
    """A signed-in user, not a visitor (nor None, the scheduler); the type checker then knows it is a User."""
    return bool(getattr(user, "is_authenticated", False))


def memberships(user: AnyUser) -> list[Membership]:
    """The user's active memberships, cached on the user object for the request."""
    if not is_signed_in(user):
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


def org_ids(user: AnyUser, roles: Collection[str] | None = None) -> set[int]:
    return {m.organisation_id for m in memberships(user) if roles is None or m.role in roles}


def is_commission_admin(user: AnyUser) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return any(m.role == Role.COMMISSION_ADMIN for m in memberships(user))


def primary_organisation(user: AnyUser) -> Organisation | None:
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


def review_regions(user: AnyUser) -> list[str]:
    """Region-code prefixes in which the user reviews registrations (reviewer at a registration body)."""
    return [
        region_prefix(m.organisation.region.code)
        for m in memberships(user)
        if m.role == Role.REVIEWER and m.organisation.org_type == OrgType.REGISTRATION_BODY
    ]


def supervised_by(user: AnyUser) -> set[int]:
    """Ids of supervising departments in which the user is a reviewer."""
    return {
        m.organisation_id
        for m in memberships(user)
        if m.role == Role.REVIEWER and m.organisation.org_type == OrgType.SUPERVISING_DEPARTMENT
    }


def can_moderate(user: AnyUser, owner: Organisation) -> bool:
    """Moderate (review, register, publish, award...) a record owned by `owner`: commission administrators
    and the reviewers of a registration body whose region covers the owner; never a member of the owner."""
    if not is_signed_in(user) or owner.pk in org_ids(user):
        return False
    if is_commission_admin(user):
        return True
    code = owner.region.code
    return any(code.startswith(prefix) for prefix in review_regions(user))


def moderated_q(user: AnyUser, owner: str = "owner") -> Q:
    """A filter for the records (owned through the `owner` relation) that the user moderates (a queue)."""
    if not is_signed_in(user):
        return Q(pk__in=[])
    own = Q(**{f"{owner}_id__in": org_ids(user)})
    if is_commission_admin(user):
        return ~own
    q = Q(pk__in=[])
    for prefix in review_regions(user):
        q |= Q(**{f"{owner}__region__code__startswith": prefix})
    return q & ~own


def would_moderate_but_belongs(user: AnyUser, owner: Organisation) -> bool:
    """A moderator who is refused only because the record is their own organisation's."""
    if owner.pk not in org_ids(user):
        return False
    code = owner.region.code
    return is_commission_admin(user) or any(code.startswith(prefix) for prefix in review_regions(user))


def is_moderator(user: AnyUser) -> bool:
    """Moderates someone's records (the moderation queues are theirs)."""
    return is_commission_admin(user) or bool(review_regions(user))


def editable_organisations(user: AnyUser, roles: Iterable[str] = EDITOR_ROLES) -> QuerySet[Organisation]:
    """The organisations the user may write records for, by name."""
    return Organisation.objects.filter(pk__in=org_ids(user, set(roles))).order_by("name")


def members_of(organisation_id: int, roles: Iterable[str] = EDITOR_ROLES) -> QuerySet[User]:
    """Active members of an organisation in the given roles (whom to tell about its records)."""
    return User.objects.filter(
        is_active=True,
        memberships__organisation_id=organisation_id,
        memberships__role__in=list(roles),
        memberships__status=MembershipStatus.ACTIVE,
    ).distinct()


def moderators_of(owner: Organisation) -> QuerySet[User]:
    """Everyone who may moderate `owner`'s records (see `can_moderate`), never its own members."""
    code = owner.region.code
    reviewer_ids = [
        m.user_id
        for m in Membership.objects.select_related("organisation__region").filter(
            role=Role.REVIEWER, status=MembershipStatus.ACTIVE, organisation__org_type=OrgType.REGISTRATION_BODY
        )
        if code.startswith(region_prefix(m.organisation.region.code))
    ]
    admins = Q(memberships__role=Role.COMMISSION_ADMIN, memberships__status=MembershipStatus.ACTIVE)
    return (
        User.objects.filter(Q(pk__in=reviewer_ids) | admins, is_active=True)
        .exclude(memberships__organisation_id=owner.pk, memberships__status=MembershipStatus.ACTIVE)
        .distinct()
    )


def _moderator_refusal(user: AnyUser, record: Any) -> StrOrPromise:
    return OWN_ORGANISATION if would_moderate_but_belongs(user, record.owner) else NOT_A_MODERATOR


# The workflow roles of every record that an organisation owns (`record.owner`).
OWNER_EDITOR = WorkflowRole(
    "owner",
    check=lambda user, record: record.owner_id in org_ids(user, EDITOR_ROLES),
    people=lambda record: members_of(record.owner_id),
    refusal=NOT_AN_EDITOR,
)
MODERATOR = WorkflowRole(
    "moderator",
    check=lambda user, record: can_moderate(user, record.owner),
    people=lambda record: moderators_of(record.owner),
    refusal=_moderator_refusal,
)


# ---------------------------------------------------------------- verification of organisations

ORGANISATION_NOT_VERIFIED = _(
    "“%(name)s” is not verified by the commission yet. Until it is, you can prepare drafts, but you cannot "
    "submit or publish them, contact other organisations, ask questions, bid on challenges or broker."
)


def organisation_may_act(organisation: Organisation | None) -> bool:
    """The one rule: only a verified organisation acts towards others (publish, contact, bid, broker).

    A new organisation starts unverified (anyone may sign up claiming to be anyone); members may draft.
    """
    return organisation is not None and organisation.is_verified


def require_verified(organisation: Organisation) -> None:
    """Refuse (PermissionDenied) an act of an organisation the commission has not verified."""
    if not organisation_may_act(organisation):
        raise PermissionDenied(ORGANISATION_NOT_VERIFIED % {"name": organisation.name})


def _waiting_organisation(user: AnyUser) -> Organisation | None:
    """The organisation a user waits for when every one of theirs is unverified (None: the user may act)."""
    orgs = [m.organisation for m in memberships(user)]
    if orgs and not any(organisation_may_act(org) for org in orgs):
        return orgs[0]
    return None


def user_may_act(user: AnyUser) -> bool:
    """For acts not made in an organisation's name (a question, a proposal without a team organisation):
    a user whose every organisation is unverified waits too; a user of no organisation is not held back here."""
    return _waiting_organisation(user) is None


def require_user_may_act(user: AnyUser) -> None:
    """Refuse (PermissionDenied) what `user_may_act` does not allow."""
    waiting = _waiting_organisation(user)
    if waiting is not None:
        require_verified(waiting)


def _not_verified(organisation: Organisation | None) -> str:
    return str(ORGANISATION_NOT_VERIFIED % {"name": organisation.name if organisation else ""})


# The same rule as a workflow condition (`when=("verified",)` on a step): the step's button and its entry in
# the API's `allowed_actions` are not offered, and the service's check refuses it as a permission (403).
OWNER_VERIFIED = Condition(
    test=lambda record: organisation_may_act(record.owner),
    refusal=lambda record: _not_verified(record.owner),
    denies=True,
)


def unverified_organisations(user: AnyUser) -> list[Organisation]:
    """The user's organisations still waiting for verification (the banner on every page)."""
    return [m.organisation for m in memberships(user) if not m.organisation.is_verified]


def organisations_to_verify_q(user: AnyUser) -> Q:
    """The organisations whose verification `user` decides, as for moderation (see can_moderate)."""
    if not is_moderator(user):
        return Q(pk__in=[])
    own = Q(pk__in=org_ids(user))
    if is_commission_admin(user):
        return ~own
    q = Q(pk__in=[])
    for prefix in review_regions(user):
        q |= Q(region__code__startswith=prefix)
    return q & ~own
