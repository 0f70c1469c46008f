"""Who sees and does what with commissioners, visits and consultations.

- The commission (administrators and reviewers) sees every commissioner, assignment and visit and the
  activity page; only administrators appoint commissioners and assign them.
- A commissioner sees their own terms, assignments and visits and records visits on their assignments.
- The members of an assigned enterprise see the visits recorded for it and confirm or dispute them. Visits in
  a village or community (not an organisation on the platform) stay unconfirmed: the commission checks them.
- A consultation is seen by the asking enterprise's members and by whoever answers it: the expert's own
  account once the person has claimed the profile, otherwise the commission's administrators, who answer on
  the expert's behalf.
- Anyone signed in may claim an unclaimed expert profile. The claim is seen by the claimant and by those who
  review it: the commission's administrators and the officers (TTO) of the expert's unit; nobody approves
  their own claim. The person who holds the profile, or a commission administrator, edits its own part; only
  commission administrators merge two profiles of the same person.
"""

from __future__ import annotations

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
from techtransfer.talent.models import Consultation, ExpertClaim

NOT_COMMISSION_ADMIN = _("Only commission administrators appoint and assign S&T commissioners.")
NOT_COMMISSION = _("Only the commission's administrators and reviewers see the commissioners' activity.")
NOT_THE_COMMISSIONER = _("Only the commissioner of this assignment records its visits.")
NOT_THE_ENTERPRISE = _("Only the members of the served enterprise confirm its visit records.")
NOT_AN_ENTERPRISE = _("Only members of an enterprise ask experts for consultations.")
NOT_THE_ANSWERER = _("Only the expert, or the commission on the expert's behalf, answers this consultation.")
NOT_THE_ASKER = _("Only the enterprise that asked can do this.")
NOT_A_CLAIM_REVIEWER = _("Only the commission's administrators and the officers of the expert's unit review claims; "
                         "nobody reviews their own.")
NOT_THE_CLAIMANT = _("Only the person who made the claim can do this.")
NOT_THE_EXPERT = _("Only the person who holds this profile, or a commission administrator, edits it.")
NOT_A_MERGER = _("Only commission administrators merge expert profiles.")


def expert_account(expert: Expert) -> User | None:
    """The account that speaks for the expert: the person who claimed the profile, while their account is active."""
    account = expert.account if expert.account_id is not None else None
    return account if account is not None and account.is_active else None


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
    return Q(enterprise_id__in=org_ids(user)) | Q(expert__account=user)


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


# ---------------------------------------------------------------- expert profiles: claims, editing, merging


def can_review_claim(user: AnyUser, claim: ExpertClaim) -> bool:
    if not is_signed_in(user) or user.pk == claim.claimant_id:
        return False
    return is_commission_admin(user) or claim.expert.organisation_id in org_ids(user, roles=[Role.TTO_OFFICER])


def is_claimant(user: AnyUser, claim: ExpertClaim) -> bool:
    return is_signed_in(user) and user.pk == claim.claimant_id


def claim_visible_q(user: AnyUser) -> Q:
    if is_commission_admin(user):
        return Q()
    if not is_signed_in(user):
        return Q(pk__in=[])
    return Q(claimant=user) | Q(expert__organisation_id__in=org_ids(user, roles=[Role.TTO_OFFICER]))


def _claim_reviewers(claim: ExpertClaim) -> list[User]:
    officers = Q(memberships__role=Role.COMMISSION_ADMIN)
    if claim.expert.organisation_id is not None:
        officers |= Q(memberships__role=Role.TTO_OFFICER, memberships__organisation_id=claim.expert.organisation_id)
    return list(User.objects.filter(officers, memberships__status="active", is_active=True)
                .exclude(pk=claim.claimant_id).distinct())


def _claimants(claim: ExpertClaim) -> list[User]:
    return [claim.claimant]


def may_claim(user: AnyUser, expert: Expert) -> bool:
    return is_signed_in(user) and expert.account_id is None


def can_edit_expert(user: AnyUser, expert: Expert) -> bool:
    return is_signed_in(user) and (expert.account_id == user.pk or is_commission_admin(user))


def can_merge_experts(user: AnyUser) -> bool:
    return is_commission_admin(user)


def reads_claim_history(user: Any, claim: ExpertClaim) -> bool:
    return ExpertClaim.objects.filter(claim_visible_q(user), pk=claim.pk).exists()


CLAIM_REVIEWER = WorkflowRole("reviewer", check=can_review_claim, people=_claim_reviewers,
                              refusal=NOT_A_CLAIM_REVIEWER)
CLAIMANT = WorkflowRole("claimant", check=is_claimant, people=_claimants, refusal=NOT_THE_CLAIMANT)
