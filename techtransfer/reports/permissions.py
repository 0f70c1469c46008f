"""Who reports, who reviews and who reads an annual transformation report.

- Reporting units: verified universities, institutes and hospitals, and the organisations the commission added
  as new-type R&D institutions with public-institution status (ReportingUnitExtra).
- The unit: its members and TTO officers write and submit its report.
- The department: the reviewers and TTO officers of the unit's supervising department review it (return,
  accept) and submit it to the commission; never someone who belongs to the unit itself. A unit without a
  supervising department reports straight to the commission: the commission's administrators take the
  department's role for it (they review, accept and record the submission; Beijing 条例 Art. 29).
- The commission's administrators read every report and the overview; they are told of each report submitted
  to them, and of each submission of a unit under a central ministry (the copy, 抄送).
Everyone else gets a 404 for a report, a 403 for the commission's pages.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.choices import Affiliation, MembershipStatus, OrgType, Role
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
)
from techtransfer.core.workflow import Role as WorkflowRole
from techtransfer.reports.choices import ReportStatus
from techtransfer.reports.models import AnnualReport

REPORTING_TYPES = (OrgType.UNIVERSITY, OrgType.INSTITUTE, OrgType.HOSPITAL)
DEPARTMENT_ROLES = frozenset({Role.REVIEWER, Role.TTO_OFFICER})

NOT_THE_UNIT = _("Only members of the reporting unit can do this.")
NOT_THE_DEPARTMENT = _("Only the reviewers of the unit's supervising department can do this.")
COMMISSION_ONLY = _("Only the commission's administrators can see this.")


def reporting_units_q() -> Q:
    """Organisations that report (see the module docstring)."""
    return Q(is_verified=True) & (Q(org_type__in=REPORTING_TYPES) | Q(reporting_extra__isnull=False))


def reporting_units() -> QuerySet[Organisation]:
    return Organisation.objects.filter(reporting_units_q()).select_related("supervising_department").order_by("name")


def is_reporting_unit(organisation: Organisation) -> bool:
    return reporting_units().filter(pk=organisation.pk).exists()


def reporting_for(user: AnyUser) -> QuerySet[Organisation]:
    """The reporting units the user writes reports for."""
    return reporting_units().filter(pk__in=org_ids(user, EDITOR_ROLES))


def writes_or_reviews_reports(user: AnyUser) -> bool:
    """Whether annual reports concern the user: a reporting unit's editor, a department's reviewer, the commission."""
    return is_commission_admin(user) or is_department_reviewer(user) or reporting_for(user).exists()


def department_ids(user: AnyUser) -> set[int]:
    """The supervising departments in which the user reviews (reviewer or TTO officer)."""
    return {
        m.organisation_id
        for m in memberships(user)
        if m.role in DEPARTMENT_ROLES and m.organisation.org_type == OrgType.SUPERVISING_DEPARTMENT
    }


def is_department_reviewer(user: AnyUser) -> bool:
    return bool(department_ids(user))


def department_of(report: AnnualReport) -> int | None:
    """The department that reviews the report: the one recorded at submission, else the unit's current one."""
    return report.department_id or report.organisation.supervising_department_id


def can_review(user: AnyUser, report: AnnualReport) -> bool:
    """The department's role on this report (see the module docstring); never a member of the unit."""
    if not is_signed_in(user) or report.organisation_id in org_ids(user):
        return False
    department = department_of(report)
    if department is None:
        return is_commission_admin(user)
    return department in department_ids(user)


def _review_refusal(user: AnyUser, report: AnnualReport) -> str:
    if report.organisation_id in org_ids(user) and (
        department_of(report) in department_ids(user) or is_commission_admin(user)
    ):
        return str(OWN_ORGANISATION)
    return str(NOT_THE_DEPARTMENT)


def commission_admins() -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, memberships__role=Role.COMMISSION_ADMIN, memberships__status=MembershipStatus.ACTIVE
    ).distinct()


def reviewers_of(report: AnnualReport) -> list[User]:
    department = department_of(report)
    people = members_of(department, DEPARTMENT_ROLES) if department else commission_admins()
    return [user for user in people if report.organisation_id not in org_ids(user)]


def report_visible_q(user: AnyUser) -> Q:
    """A filter for every report the user may read: the unit's members (any role), the department (once
    submitted), the commission (all)."""
    if not is_signed_in(user):
        return Q(pk__in=[])
    if is_commission_admin(user):
        return Q()
    q = Q(organisation_id__in=org_ids(user))
    departments = department_ids(user)
    if departments:
        reviewed = Q(department_id__in=departments) | Q(
            department__isnull=True, organisation__supervising_department_id__in=departments
        )
        q |= reviewed & ~Q(status=ReportStatus.DRAFT)
    return q


def review_queue_q(user: AnyUser) -> Q:
    """Reports waiting for this reviewer: submitted (to review) or accepted (to submit to the commission)."""
    waiting = Q(status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED])
    mine = Q(organisation_id__in=org_ids(user))
    departments = department_ids(user)
    q = Q(pk__in=[])
    if departments:
        q |= Q(department_id__in=departments) | Q(
            department__isnull=True, organisation__supervising_department_id__in=departments
        )
    if is_commission_admin(user):
        q |= Q(department__isnull=True, organisation__supervising_department__isnull=True)
    return q & waiting & ~mine


def works_queue(user: AnyUser) -> bool:
    return is_department_reviewer(user) or is_commission_admin(user)


UNIT = WorkflowRole(
    "unit",
    check=lambda user, report: report.organisation_id in org_ids(user, EDITOR_ROLES),
    people=lambda report: members_of(report.organisation_id),
    refusal=NOT_THE_UNIT,
)
DEPARTMENT = WorkflowRole("department", check=can_review, people=reviewers_of, refusal=_review_refusal)
COMMISSION = WorkflowRole(
    "commission",
    check=lambda user, report: is_commission_admin(user) and report.organisation_id not in org_ids(user),
    people=lambda report: [u for u in commission_admins() if report.organisation_id not in org_ids(u)],
    refusal=COMMISSION_ONLY,
)
# The copy (抄送) of a central unit's submission: the commission's administrators, only for such reports.
COPY = WorkflowRole(
    "copy",
    check=lambda user, report: report.copy_to_commission and COMMISSION.check(user, report),
    people=lambda report: COMMISSION.people(report) if report.copy_to_commission and COMMISSION.people else [],
    refusal=COMMISSION_ONLY,
)


def is_central(organisation: Organisation) -> bool:
    return organisation.affiliation == Affiliation.CENTRAL
