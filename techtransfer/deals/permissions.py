"""Who sees and who changes a transformation deal and its reward plans.

A deal is worked by its unit's editors (TTO officers and members with editing rights) and read by its unit's
members and the commission's administrators; everyone else gets a 404. The public reads a publicised price
(公示: achievement, completers, proposed price, period) and, once the deal is completed, that notice with its
outcome; never a draft, never objectors' contact details, never the reward plans (only leaders' rewards,
which 条例 Art. 13 makes public).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.choices import OrgType
from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.permissions import (
    EDITOR_ROLES,
    AnyUser,
    is_commission_admin,
    is_signed_in,
    members_of,
    org_ids,
)
from techtransfer.core.workflow import Role as WorkflowRole
from techtransfer.deals.choices import DealStatus
from techtransfer.deals.models import Deal

NOT_THE_UNIT = _("Only the unit's TTO officers and editors can do this.")


def can_edit_for(user: AnyUser, organisation_id: int) -> bool:
    return organisation_id in org_ids(user, EDITOR_ROLES)


# The units that transform achievements they hold and answer for it (Law Art. 18 prices and publicity; the
# annual report): state-established universities, institutes and hospitals.
DEAL_UNIT_TYPES = frozenset({OrgType.UNIVERSITY, OrgType.INSTITUTE, OrgType.HOSPITAL})


def records_deals(user: AnyUser) -> bool:
    """Whether the user works on deals: an editor of a university, institute or hospital, or the commission."""
    if is_commission_admin(user):
        return True
    units = org_ids(user, EDITOR_ROLES)
    return bool(units) and Organisation.objects.filter(pk__in=units, org_type__in=DEAL_UNIT_TYPES).exists()


def deal_visible_q(user: AnyUser, prefix: str = "") -> Q:
    """Every deal (or, with `prefix`, every record related to one) the user may read in full."""
    if not is_signed_in(user):
        return Q(pk__in=[])
    if is_commission_admin(user):
        return Q()
    return Q(**{f"{prefix}owner_id__in": org_ids(user)})


def public_deal_q(prefix: str = "") -> Q:
    """The deals whose publicity notice the public reads: publicised ones, during and after the period."""
    return Q(**{f"{prefix}publicity_start__isnull": False}) & Q(
        **{f"{prefix}status__in": [DealStatus.PUBLICITY, DealStatus.COMPLETED]}
    )


def unit_editors(organisation_id: int) -> list[User]:
    return list(members_of(organisation_id))


def unit_of(record: Deal | Any) -> int:
    """The unit of a deal or of a record of one (a reward plan)."""
    return int(record.owner_id if isinstance(record, Deal) else record.deal.owner_id)


UNIT = WorkflowRole(
    "owner",
    check=lambda user, record: can_edit_for(user, unit_of(record)),
    people=lambda record: unit_editors(unit_of(record)),
    refusal=NOT_THE_UNIT,
)
