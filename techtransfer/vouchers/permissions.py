"""Who sees and acts on innovation vouchers.

- Programmes and their provider lists are public (the catalogue a holder chooses from); the budget figures
  are the commission administrators' only.
- A voucher is seen by its holder (the applying unit's members), by the TTO officers of any provider it was
  spent with (open or released uses), and by commission administrators; by nobody else (404).
- A provider acts through its TTO officers / organisation admins (facilities.permissions.MANAGER_ROLES: the
  same people who confirm the bookings of its facilities).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.choices import MembershipStatus, Role
from techtransfer.accounts.models import User
from techtransfer.accounts.permissions import (
    EDITOR_ROLES,
    AnyUser,
    is_commission_admin,
    is_signed_in,
    members_of,
    org_ids,
)
from techtransfer.core.workflow import Role as WorkflowRole
from techtransfer.facilities.permissions import MANAGER_ROLES
from techtransfer.vouchers.choices import VoucherStatus
from techtransfer.vouchers.models import Voucher, VoucherUse

NOT_THE_HOLDER = _("Only members of the unit holding the voucher can do this.")
NOT_AN_ADMINISTRATOR = _("Only a commission administrator who is not a member of the applicant decides this.")
NOT_THE_PROVIDER = _("Only the TTO officer of the provider the voucher is spent with can do this.")
NOT_COMMISSION = _("The budget of a voucher programme is for the commission's administrators.")


def voucher_visible_q(user: AnyUser) -> Q:
    """Vouchers the user may read (see the module docstring)."""
    if not is_signed_in(user):
        return Q(pk__in=[])
    if is_commission_admin(user):
        return Q()
    spent_with_mine = VoucherUse.objects.filter(provider__organisation_id__in=org_ids(user, MANAGER_ROLES))
    return Q(holder_id__in=org_ids(user)) | Q(pk__in=spent_with_mine.values("voucher_id"))


def holds(user: AnyUser, voucher: Voucher) -> bool:
    return voucher.holder_id in org_ids(user, EDITOR_ROLES)


def current_use(voucher: Voucher) -> VoucherUse | None:
    """The voucher's use that is not released (at most one), cached on the object for the request."""
    if not hasattr(voucher, "_current_use"):
        voucher._current_use = (  # type: ignore[attr-defined]  # a per-request cache on the instance
            voucher.uses.filter(released_at__isnull=True).select_related("provider__organisation", "booking").first()
        )
    return voucher._current_use  # type: ignore[attr-defined, no-any-return]  # set just above


def provides(user: AnyUser, voucher: Voucher) -> bool:
    """The user is a TTO officer of the provider the voucher is (being) spent with."""
    use = current_use(voucher)
    if use is None and voucher.status == VoucherStatus.REDEEMED:
        redemption = getattr(voucher, "redemption", None)
        use = redemption.use if redemption is not None else None
    return use is not None and use.provider.organisation_id in org_ids(user, MANAGER_ROLES)


def administers(user: AnyUser, voucher: Voucher) -> bool:
    """Commission administrators decide applications, never one of their own unit's."""
    return is_commission_admin(user) and voucher.holder_id not in org_ids(user)


def is_insider(user: AnyUser, voucher: Voucher) -> bool:
    """Reads the voucher's history: its holder, its provider and commission administrators."""
    return is_signed_in(user) and (
        voucher.holder_id in org_ids(user) or provides(user, voucher) or is_commission_admin(user)
    )


def reads_application(user: AnyUser, voucher: Voucher) -> bool:
    """What the applicant declared (employees, revenue, team members, purpose) is for the applicant and the
    commission; the provider sees the voucher's number, amount and validity, not the declarations."""
    return is_signed_in(user) and (voucher.holder_id in org_ids(user) or is_commission_admin(user))


def sees_budget(user: AnyUser) -> bool:
    return is_signed_in(user) and is_commission_admin(user)


def may_apply_for(user: AnyUser) -> bool:
    """Members of any organisation may apply for it (the eligibility rules then decide)."""
    return bool(org_ids(user, EDITOR_ROLES))


def commission_admins() -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, memberships__role=Role.COMMISSION_ADMIN, memberships__status=MembershipStatus.ACTIVE
    ).distinct()


def _providers_people(voucher: Voucher) -> QuerySet[User]:
    use = current_use(voucher) or getattr(getattr(voucher, "redemption", None), "use", None)
    if use is None:
        return User.objects.none()
    return members_of(use.provider.organisation_id, MANAGER_ROLES)


HOLDER = WorkflowRole(
    "holder", check=holds, people=lambda voucher: members_of(voucher.holder_id), refusal=NOT_THE_HOLDER
)
ADMINISTRATOR = WorkflowRole(
    "administrator",
    check=administers,
    people=lambda voucher: commission_admins().exclude(memberships__organisation_id=voucher.holder_id),
    refusal=NOT_AN_ADMINISTRATOR,
)
PROVIDER = WorkflowRole("provider", check=provides, people=_providers_people, refusal=NOT_THE_PROVIDER)
