"""Who sees and who decides an S&T report.

A report is read by its unit's members and by the commission's administrators. The public (and everyone else)
reads only what is public: an accepted, unclassified report cleared for open sharing whose release date has
come. Anything else is a 404 for them, title included. The commission accepts or returns a report, never one
of its own unit's.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone
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
from techtransfer.achievements.choices import Secrecy
from techtransfer.core.workflow import Role as WorkflowRole
from techtransfer.scireports.choices import EDITABLE_STATUSES, ReportStatus, Sharing
from techtransfer.scireports.models import ScienceReport

NOT_THE_UNIT = _("Only members of the project's unit can do this.")
NOT_THE_COMMISSION = _("Only commission administrators accept S&T reports, and never their own unit's.")
NOT_AN_ADMIN = _("Only commission administrators see the coverage of S&T reports.")


def public_q(today: datetime.date | None = None) -> Q:
    """The one rule of what is public (see the module docstring)."""
    return Q(
        status=ReportStatus.ACCEPTED,
        secrecy=Secrecy.NONE,
        sharing=Sharing.OPEN,
        public_from__isnull=False,
        public_from__lte=today or timezone.localdate(),
    )


def is_public(report: ScienceReport, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        report.status == ReportStatus.ACCEPTED
        and report.secrecy == Secrecy.NONE
        and report.sharing == Sharing.OPEN
        and report.public_from is not None
        and report.public_from <= today
    )


def report_visible_q(user: AnyUser) -> Q:
    """Every report the user may read: the public ones, their units' and, for the commission, all."""
    if is_commission_admin(user):
        return Q()
    q = public_q()
    if is_signed_in(user):
        q |= Q(owner_id__in=org_ids(user))
    return q


def is_insider(user: AnyUser, report: ScienceReport) -> bool:
    """Works on the report (its unit, the commission): reads its status, history and internal fields."""
    return is_signed_in(user) and (report.owner_id in org_ids(user) or is_commission_admin(user))


def can_edit(user: AnyUser, report: ScienceReport) -> bool:
    return report.status in EDITABLE_STATUSES and report.owner_id in org_ids(user, EDITOR_ROLES)


def reporting_units(user: AnyUser) -> set[int]:
    """The units the user may write reports for."""
    return org_ids(user, EDITOR_ROLES)


def can_decide(user: AnyUser, report: ScienceReport) -> bool:
    return is_commission_admin(user) and report.owner_id not in org_ids(user)


def commission_admins() -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, memberships__role=Role.COMMISSION_ADMIN, memberships__status=MembershipStatus.ACTIVE
        ).distinct()
    )


def decision_queue_q(user: AnyUser) -> Q:
    if not is_commission_admin(user):
        return Q(pk__in=[])
    return Q(status=ReportStatus.SUBMITTED) & ~Q(owner_id__in=org_ids(user))


OWNER = WorkflowRole(
    "owner",
    check=lambda user, report: report.owner_id in org_ids(user, EDITOR_ROLES),
    people=lambda report: members_of(report.owner_id),
    refusal=NOT_THE_UNIT,
)
COMMISSION = WorkflowRole(
    "commission",
    check=can_decide,
    people=lambda report: [u for u in commission_admins() if report.owner_id not in org_ids(u)],
    refusal=NOT_THE_COMMISSION,
)
