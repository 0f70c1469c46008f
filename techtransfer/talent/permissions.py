"""Who sees and does what with commissioners, visits and consultations.

- The commission (administrators and reviewers) sees every commissioner, assignment and visit and the
  activity page; only administrators appoint commissioners and assign them.
- A commissioner sees their own terms, assignments and visits and records visits on their assignments.
- The members of an assigned enterprise see the visits recorded for it and confirm or dispute them. Visits in
  a village or community (not an organisation on the platform) stay unconfirmed: the commission checks them.
- A consultation is seen by the asking enterprise's members and by whoever answers it: the expert's own
  account when one is linked to the expert (see `register_expert_account`), otherwise the commission's
  administrators, who answer on the expert's behalf. matching.Expert is derived from published records and
  carries no account today, so until an expert-claim module registers a resolver the commission answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.permissions import (
    AnyUser,
    is_commission_admin,
    is_signed_in,
    memberships,
    org_ids,
    review_regions,
)
from techtransfer.core.workflow import Role as WorkflowRole
from techtransfer.matching.models import Expert
from techtransfer.talent.models import Consultation

NOT_COMMISSION_ADMIN = _("Only commission administrators appoint and assign S&T commissioners.")
NOT_COMMISSION = _("Only the commission's administrators and reviewers see the commissioners' activity.")
NOT_THE_COMMISSIONER = _("Only the commissioner of this assignment records its visits.")
NOT_THE_ENTERPRISE = _("Only the members of the served enterprise confirm its visit records.")
NOT_AN_ENTERPRISE = _("Only members of an enterprise ask experts for consultations.")
NOT_THE_ANSWERER = _("Only the expert, or the commission on the expert's behalf, answers this consultation.")
NOT_THE_ASKER = _("Only the enterprise that asked can do this.")

ExpertAccount = Callable[[Expert], User | None]
_EXPERT_ACCOUNTS: list[ExpertAccount] = []


def register_expert_account(resolver: ExpertAccount) -> None:
    """Let an app above (an expert claim) say which account, if any, speaks for an expert."""
    _EXPERT_ACCOUNTS.append(resolver)


def expert_account(expert: Expert) -> User | None:
    for resolver in _EXPERT_ACCOUNTS:
        user = resolver(expert)
        if user is not None:
            return user
    return None


def is_commission(user: AnyUser) -> bool:
    """An administrator or a reviewer of the commission: reads every commissioner's records."""
    return is_commission_admin(user) or bool(review_regions(user))


def enterprise_ids(user: AnyUser) -> set[int]:
    return {m.organisation_id for m in memberships(user) if m.organisation.org_type == OrgType.ENTERPRISE}


def commissioner_visible_q(user: AnyUser, prefix: str = "") -> Q:
    if is_commission(user):
        return Q()
    if not is_signed_in(user):
        return Q(pk__in=[])
    return Q(**{f"{prefix}user": user})


def assignment_visible_q(user: AnyUser, prefix: str = "") -> Q:
    if is_commission(user):
        return Q()
    if not is_signed_in(user):
        return Q(pk__in=[])
    return Q(**{f"{prefix}commissioner__user": user}) | Q(**{f"{prefix}enterprise_id__in": org_ids(user)})


def visit_visible_q(user: AnyUser) -> Q:
    return assignment_visible_q(user, prefix="assignment__")


def can_record_visit(user: AnyUser, commissioner_user_id: int) -> bool:
    return is_signed_in(user) and user.pk == commissioner_user_id


def can_confirm(user: AnyUser, enterprise_id: int | None) -> bool:
    return enterprise_id is not None and enterprise_id in org_ids(user)


def consultation_visible_q(user: AnyUser) -> Q:
    if is_commission(user):
        return Q()
    if not is_signed_in(user):
        return Q(pk__in=[])
    return Q(enterprise_id__in=org_ids(user)) | Q(expert_id__in=answered_expert_ids(user))


def answered_expert_ids(user: AnyUser) -> list[int]:
    """The experts this user answers for through a linked account (none until a resolver is registered)."""
    if not _EXPERT_ACCOUNTS or not is_signed_in(user):
        return []
    return [e.pk for e in Expert.objects.all() if (account := expert_account(e)) and account.pk == user.pk]


def can_answer(user: AnyUser, consultation: Consultation) -> bool:
    if not is_signed_in(user):
        return False
    account = expert_account(consultation.expert)
    if account is not None:
        return account.pk == user.pk
    return is_commission_admin(user)


def can_withdraw(user: AnyUser, consultation: Consultation) -> bool:
    return consultation.enterprise_id in org_ids(user)


def _answerers(consultation: Consultation) -> list[User]:
    account = expert_account(consultation.expert)
    if account is not None:
        return [account]
    return list(User.objects.filter(memberships__role=Role.COMMISSION_ADMIN, memberships__status="active",
                                    is_active=True).distinct())


def _askers(consultation: Consultation) -> list[User]:
    return list(User.objects.filter(memberships__organisation_id=consultation.enterprise_id,
                                    memberships__status="active", is_active=True).distinct())


def may_ask_for(user: AnyUser) -> list[Organisation]:
    return list(Organisation.objects.filter(pk__in=enterprise_ids(user)).order_by("name"))


def reads_history(user: Any, consultation: Consultation) -> bool:
    return Consultation.objects.filter(consultation_visible_q(user), pk=consultation.pk).exists()


ANSWERER = WorkflowRole("answerer", check=can_answer, people=_answerers, refusal=NOT_THE_ANSWERER)
ASKER = WorkflowRole("asker", check=can_withdraw, people=_askers, refusal=NOT_THE_ASKER)
