"""Who reads and who manages IP records.

- Public records (status public) are read by everybody: the list, the analysis and the API show them.
- Drafts and the internal note are read by the owning unit's members and by commission administrators.
- The owning unit's TTO officers manage the record (create, edit, fees, links, publish, withdraw).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.choices import Role
from techtransfer.accounts.models import User
from techtransfer.accounts.permissions import AnyUser, is_commission_admin, is_signed_in, members_of, org_ids
from techtransfer.core.workflow import Role as WorkflowRole
from techtransfer.ipr.choices import IPStatus
from techtransfer.ipr.models import IPRecord

MANAGER_ROLES = frozenset({Role.TTO_OFFICER})
NOT_THE_MANAGER = _("Only the TTO officers of the unit that holds this record can do this.")


def ip_visible_q(user: AnyUser, prefix: str = "") -> Q:
    """A filter for every IP record (or, with `prefix`, every row related to one) the user may read."""
    if is_commission_admin(user):
        return Q()
    q = Q(**{f"{prefix}status": IPStatus.PUBLIC})
    if not is_signed_in(user):
        return q
    return q | Q(**{f"{prefix}owner_id__in": org_ids(user)})


def managed_units(user: AnyUser) -> set[int]:
    """The units whose IP records the user manages."""
    return org_ids(user, MANAGER_ROLES)


def can_create_for(user: AnyUser, organisation_id: int) -> bool:
    return organisation_id in managed_units(user)


def can_manage(user: AnyUser, record: IPRecord) -> bool:
    return record.owner_id in managed_units(user)


def reads_private(user: AnyUser, record: IPRecord) -> bool:
    """The internal note and the status history: the owning unit and the commission (pages and API alike)."""
    if not is_signed_in(user):
        return False
    return record.owner_id in org_ids(user) or is_commission_admin(user)


def _managers(record: IPRecord) -> list[User]:
    return list(members_of(record.owner_id, MANAGER_ROLES))


OWNER = WorkflowRole("owner", check=can_manage, people=_managers, refusal=NOT_THE_MANAGER)
