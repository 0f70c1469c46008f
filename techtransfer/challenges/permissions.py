"""Object permissions for challenges, proposals and questions: the one place that says who may see or do what.

Challenges are moderated like technology demands: moderators are the commission's administrators and the
reviewers of a registration body whose region covers the owning organisation (market.permissions.can_moderate).

Proposals are sealed bids. A proposal is seen by the person who wrote it and the members of the team's
organisation; once handed in, also by the members of the challenge's owner and by commission administrators.
Nobody else sees it, its existence or its status: other bidders and the public only see how many proposals
were handed in, and, after the award, the winners' team names and summaries.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from techtransfer.accounts.permissions import is_commission_admin, org_ids, owner_in_regions_q, review_regions
from techtransfer.challenges.choices import HANDED_IN_STATUSES, PUBLIC_STATUSES, ChallengeStatus
from techtransfer.challenges.models import Challenge, ChallengeQuestion, Proposal
from techtransfer.market.permissions import EDITOR_ROLES
from techtransfer.market.permissions import can_moderate as _can_moderate_owner

__all__ = ["EDITOR_ROLES"]


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def challenge_visible_q(user: Any) -> Q:
    """A filter for every challenge the user may read: published ones for everybody.

    A challenge cancelled after publication stays readable, so bidders and the public see that it was.
    """
    if is_commission_admin(user):
        return Q()
    q = Q(status__in=PUBLIC_STATUSES) | Q(status=ChallengeStatus.CANCELLED, published_at__isnull=False)
    if not _authenticated(user):
        return q
    q |= Q(owner_id__in=org_ids(user))
    prefixes = review_regions(user)
    if prefixes:
        q |= owner_in_regions_q(prefixes) & ~Q(status=ChallengeStatus.DRAFT)
    return q


def can_create_for(user: Any, organisation_id: int) -> bool:
    return organisation_id in org_ids(user, EDITOR_ROLES)


def is_owner_member(user: Any, challenge: Challenge) -> bool:
    """Members of the owning organisation who manage its challenges (and read the proposals)."""
    return challenge.owner_id in org_ids(user, EDITOR_ROLES)


def can_edit(user: Any, challenge: Challenge) -> bool:
    """Members of the owning organisation, while the challenge is a draft."""
    return challenge.status == ChallengeStatus.DRAFT and is_owner_member(user, challenge)


def can_moderate(user: Any, challenge: Challenge) -> bool:
    return _can_moderate_owner(user, challenge)


def can_read_proposals(user: Any, challenge: Challenge) -> bool:
    """Who opens the inbox of handed-in proposals: the owner's members and commission administrators."""
    return is_owner_member(user, challenge) or is_commission_admin(user)


def can_bid(user: Any, challenge: Challenge) -> bool:
    """Anyone signed in may answer a challenge, except the organisation that posted it."""
    return _authenticated(user) and challenge.owner_id not in org_ids(user)


def proposal_visible_q(user: Any) -> Q:
    """A filter for every proposal the user may read (nothing for the anonymous)."""
    if not _authenticated(user):
        return Q(pk__in=[])
    q = Q(submitted_by=user) | Q(team_org_id__in=org_ids(user))
    handed_in = Q(status__in=HANDED_IN_STATUSES)
    if is_commission_admin(user):
        return q | handed_in
    return q | (Q(challenge__owner_id__in=org_ids(user, EDITOR_ROLES)) & handed_in)


def is_bidder(user: Any, proposal: Proposal) -> bool:
    """The author, or a member of the team's organisation: they write and change the proposal."""
    if not _authenticated(user):
        return False
    return proposal.submitted_by_id == user.pk or (
        proposal.team_org_id is not None and proposal.team_org_id in org_ids(user, EDITOR_ROLES)
    )


def question_visible_q(user: Any, challenge: Challenge) -> Q:
    """Answered questions are public; open ones are seen by the asker, the owner and the moderators."""
    if is_owner_member(user, challenge) or can_moderate(user, challenge):
        return Q()
    q = Q(is_public=True)
    if _authenticated(user):
        q |= Q(asked_by=user)
    return q


def can_answer(user: Any, question: ChallengeQuestion) -> bool:
    return is_owner_member(user, question.challenge)
