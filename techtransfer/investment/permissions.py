"""Who reads and who manages investor profiles, funding projects and funding requests.

- Investor profiles: published ones are public; drafts are read by the investor organisation's members and by
  commission administrators. The investor organisation's TTO officers (its admins) manage its profiles.
- Funding projects: drafts only by the owning unit; a project that seeks funding (or is closed) by the owning
  unit, by the members of investor organisations it was sent to, and by commission administrators. The owning
  unit's TTO officers manage it and send it to investors.
- Funding requests: by the project's unit, the investor organisation's members and the commission. The
  investor organisation's members answer; either side records the outcome.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.permissions import AnyUser, is_commission_admin, is_signed_in, members_of, org_ids
from techtransfer.core.workflow import Role as WorkflowRole
from techtransfer.investment.choices import InvestorStatus, ProjectStatus
from techtransfer.investment.models import FundingProject, FundingRequest, Investor

MANAGER_ROLES = frozenset({Role.TTO_OFFICER})
STAFF_ROLES = frozenset({Role.TTO_OFFICER, Role.MEMBER})
NOT_THE_INVESTOR_ADMIN = _("Only the admins (TTO officers) of the investor organisation can do this.")
NOT_THE_OWNER = _("Only the TTO officers of the unit that seeks the funding can do this.")
NOT_THE_INVESTOR = _("Only the staff of the investor this project was sent to can answer.")
NOT_A_PARTY = _("Only the project's unit or the investor can record the outcome.")


def investor_visible_q(user: AnyUser, prefix: str = "") -> Q:
    if is_commission_admin(user):
        return Q()
    q = Q(**{f"{prefix}status": InvestorStatus.PUBLISHED})
    if not is_signed_in(user):
        return q
    return q | Q(**{f"{prefix}organisation_id__in": org_ids(user)})


def managed_investor_orgs(user: AnyUser) -> set[int]:
    """The investor organisations whose profiles the user manages."""
    ids = org_ids(user, MANAGER_ROLES)
    if not ids:
        return set()
    return set(Organisation.objects.filter(pk__in=ids, org_type=OrgType.INVESTOR).values_list("pk", flat=True))


def can_manage_investor(user: AnyUser, investor: Investor) -> bool:
    return investor.organisation_id in managed_investor_orgs(user)


def project_visible_q(user: AnyUser, prefix: str = "") -> Q:
    if not is_signed_in(user):
        return Q(pk__in=[])
    q = Q(**{f"{prefix}owner_id__in": org_ids(user)})
    not_draft = ~Q(**{f"{prefix}status": ProjectStatus.DRAFT})
    if is_commission_admin(user):
        return q | not_draft
    staff = org_ids(user, STAFF_ROLES)
    if staff:
        sent = FundingRequest.objects.filter(investor__organisation_id__in=staff).values("project_id")
        q |= not_draft & Q(**{f"{prefix}pk__in": sent})
    return q


def project_managers(user: AnyUser) -> set[int]:
    """The units whose funding projects the user manages."""
    return org_ids(user, MANAGER_ROLES)


def can_manage_project(user: AnyUser, project: FundingProject) -> bool:
    return project.owner_id in project_managers(user)


def request_visible_q(user: AnyUser) -> Q:
    if not is_signed_in(user):
        return Q(pk__in=[])
    if is_commission_admin(user):
        return Q()
    mine = org_ids(user)
    return Q(project__owner_id__in=mine) | Q(investor__organisation_id__in=org_ids(user, STAFF_ROLES))


def is_investor_staff(user: AnyUser, request: FundingRequest) -> bool:
    return is_signed_in(user) and request.investor.organisation_id in org_ids(user, STAFF_ROLES)


def is_project_owner(user: AnyUser, request: FundingRequest) -> bool:
    return is_signed_in(user) and request.project.owner_id in project_managers(user)


def reads_request(user: AnyUser, request: FundingRequest) -> bool:
    if not is_signed_in(user):
        return False
    return (is_commission_admin(user) or request.project.owner_id in org_ids(user)
            or is_investor_staff(user, request))


def _investor_admins(investor: Investor) -> list[User]:
    return list(members_of(investor.organisation_id, MANAGER_ROLES))


def _project_managers(project: FundingProject) -> list[User]:
    return list(members_of(project.owner_id, MANAGER_ROLES))


INVESTOR_ADMIN = WorkflowRole("manager", check=can_manage_investor, people=_investor_admins,
                              refusal=NOT_THE_INVESTOR_ADMIN)
PROJECT_OWNER = WorkflowRole("owner", check=can_manage_project, people=_project_managers, refusal=NOT_THE_OWNER)
REQUEST_INVESTOR = WorkflowRole(
    "investor", check=is_investor_staff, people=lambda r: list(members_of(r.investor.organisation_id, STAFF_ROLES)),
    refusal=NOT_THE_INVESTOR,
)
REQUEST_OWNER = WorkflowRole(
    "owner", check=is_project_owner, people=lambda r: _project_managers(r.project), refusal=NOT_A_PARTY,
)
