"""Who sees and who decides a technology contract.

A contract is read by its parties on the platform (the seller's members, the buyer's members when the buyer
is on the platform), by the registrars of the registration point it is filed with (once submitted) and by
the commission's administrators. The registrar of a contract is a reviewer of its registration point who
belongs to neither party: nobody registers their own unit's contract. Everyone else gets a 404, and the public
sees registered contracts only as aggregates (stats) and through the certificate's verification link.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.permissions import (
    EDITOR_ROLES,
    OWN_ORGANISATION,
    AnyUser,
    is_commission_admin,
    is_signed_in,
    members_of,
    memberships,
    org_ids,
    region_prefix,
)
from techtransfer.contracts.choices import ContractStatus
from techtransfer.contracts.models import TechnologyContract
from techtransfer.core.workflow import Role as WorkflowRole

NOT_THE_SELLER = _("Only members of the seller (the applicant) can do this.")
NOT_THE_REGISTRAR = _("Only the registrars of the registration point this contract is filed with can decide it.")


def registrar_points(user: AnyUser) -> set[int]:
    """The registration points (registration bodies) in which the user is a reviewer."""
    return {
        m.organisation_id
        for m in memberships(user)
        if m.role == Role.REVIEWER and m.organisation.org_type == OrgType.CONTRACT_REGISTRY
    }


def is_registrar(user: AnyUser) -> bool:
    return bool(registrar_points(user))


def _party_ids(contract: TechnologyContract) -> set[int]:
    return {contract.seller_id} | ({contract.buyer_id} if contract.buyer_id else set())


def can_decide(user: AnyUser, contract: TechnologyContract) -> bool:
    """A reviewer of the contract's registration point who belongs to neither party."""
    if not is_signed_in(user) or contract.registration_point_id not in registrar_points(user):
        return False
    return not (_party_ids(contract) & org_ids(user))


def _registrar_refusal(user: AnyUser, contract: TechnologyContract) -> str:
    if contract.registration_point_id in registrar_points(user) and _party_ids(contract) & org_ids(user):
        return str(OWN_ORGANISATION)
    return str(NOT_THE_REGISTRAR)


def registrars_of(contract: TechnologyContract) -> list[User]:
    parties = _party_ids(contract)
    return [
        user
        for user in members_of(contract.registration_point_id, {Role.REVIEWER})
        if not parties & org_ids(user)
    ]


def contract_visible_q(user: AnyUser) -> Q:
    """A filter for every contract the user may read (see the module docstring)."""
    if not is_signed_in(user):
        return Q(pk__in=[])
    if is_commission_admin(user):
        return Q()
    mine = org_ids(user)
    q = Q(seller_id__in=mine) | Q(buyer_id__in=mine, status__in=[ContractStatus.SUBMITTED, ContractStatus.RETURNED,
                                                                 ContractStatus.REGISTERED, ContractStatus.REFUSED])
    points = registrar_points(user)
    if points:
        q |= Q(registration_point_id__in=points) & ~Q(status=ContractStatus.DRAFT)
    return q


def decision_queue_q(user: AnyUser) -> Q:
    """The applications waiting for this registrar's decision (never their own units')."""
    points = registrar_points(user)
    if not points:
        return Q(pk__in=[])
    mine = org_ids(user)
    return (
        Q(registration_point_id__in=points, status=ContractStatus.SUBMITTED)
        & ~Q(seller_id__in=mine)
        & ~Q(buyer_id__in=mine)
    )


def sells_for(user: AnyUser) -> set[int]:
    """The organisations the user may register contracts for (their seller side)."""
    return org_ids(user, EDITOR_ROLES)


def registration_point_for(region_code: str) -> Organisation | None:
    """The registration point of a location: the registration body whose region covers it most narrowly
    (a district's own point before the city's)."""
    best: Organisation | None = None
    best_len = -1
    for point in Organisation.objects.filter(org_type=OrgType.CONTRACT_REGISTRY, is_verified=True).select_related(
        "region"
    ):
        prefix = region_prefix(point.region.code)
        if region_code.startswith(prefix) and len(prefix) > best_len:
            best, best_len = point, len(prefix)
    return best


SELLER = WorkflowRole(
    "owner",
    check=lambda user, contract: contract.seller_id in org_ids(user, EDITOR_ROLES),
    people=lambda contract: members_of(contract.seller_id),
    refusal=NOT_THE_SELLER,
)
REGISTRAR = WorkflowRole(
    "registrar",
    check=can_decide,
    people=registrars_of,
    refusal=_registrar_refusal,
)
