"""Object permissions for challenges, proposals and questions: who may see what, and the workflow roles.

Challenges are moderated like technology demands (accounts.permissions.can_moderate).

Proposals are sealed bids. Before the submission deadline a proposal is read only by the team that wrote it
(its author and the members of the team's organisation): not the challenge's owner, not an administrator,
and nobody learns how many there are. At the deadline all handed-in proposals open at once to the owner's
members and the commission's administrators (computed from the clock, so reading never has to write; the
daily `close_challenges` records the opening). Other bidders and the public never see a proposal, its
existence or its status; after the award they see the winners' team names and summaries.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.models import User
from techtransfer.accounts.permissions import (
    EDITOR_ROLES,
    AnyUser,
    can_moderate,
    is_commission_admin,
    members_of,
    org_ids,
    owner_in_regions_q,
    review_regions,
)
from techtransfer.challenges.choices import HANDED_IN_STATUSES, PUBLIC_STATUSES, ChallengeStatus
from techtransfer.challenges.models import Challenge, ChallengeQuestion, Proposal
from techtransfer.core.workflow import Role

NOT_THE_BIDDER = _("Only the team that wrote this proposal can change it.")
NOT_THE_CHALLENGE_OWNER = _("Only members of the organisation that posted the challenge can do this.")


def _authenticated(user: AnyUser) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def challenge_visible_q(user: AnyUser) -> Q:
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


def can_create_for(user: AnyUser, organisation_id: int) -> bool:
    return organisation_id in org_ids(user, EDITOR_ROLES)


def is_owner_member(user: AnyUser, challenge: Challenge) -> bool:
    """Members of the owning organisation who manage its challenges (and, after the deadline, read the proposals)."""
    return challenge.owner_id in org_ids(user, EDITOR_ROLES)


def can_edit(user: AnyUser, challenge: Challenge) -> bool:
    """Members of the owning organisation, while the challenge is a draft."""
    return challenge.status == ChallengeStatus.DRAFT and is_owner_member(user, challenge)


def is_insider(user: AnyUser, challenge: Challenge) -> bool:
    """Works on the challenge (its organisation, its moderators, the commission): reads its history."""
    if not _authenticated(user):
        return False
    return challenge.owner_id in org_ids(user) or can_moderate(user, challenge.owner) or is_commission_admin(user)


def reads_moderation_note(user: AnyUser, challenge: Challenge) -> bool:
    """Why a moderator returned the challenge is for its organisation and its moderators (page and API)."""
    return is_insider(user, challenge)


def reads_proposals(user: AnyUser, challenge: Challenge) -> bool:
    """Who opens the inbox once the deadline has passed: the owner's members and commission administrators."""
    return is_owner_member(user, challenge) or is_commission_admin(user)


def can_read_proposals(user: AnyUser, challenge: Challenge) -> bool:
    return challenge.proposals_open and reads_proposals(user, challenge)


def can_bid(user: AnyUser, challenge: Challenge) -> bool:
    """Anyone signed in may answer a challenge, except the organisation that posted it."""
    return _authenticated(user) and challenge.owner_id not in org_ids(user)


def _bidder_q(user: AnyUser) -> Q:
    return Q(submitted_by=user) | Q(team_org_id__in=org_ids(user))


def opened_proposals_q() -> Q:
    """The handed-in proposals whose challenge's deadline has passed: open to the owner and the commission."""
    return Q(
        status__in=HANDED_IN_STATUSES,
        challenge__published_at__isnull=False,
        challenge__submission_deadline__lte=timezone.now(),
    )


def proposal_visible_q(user: AnyUser) -> Q:
    """A filter for every proposal the user may read (nothing for the anonymous): their team's own, and, once
    the challenge's deadline has passed, the handed-in proposals of their organisation's challenges."""
    if not _authenticated(user):
        return Q(pk__in=[])
    opened = opened_proposals_q()
    if is_commission_admin(user):
        return _bidder_q(user) | opened
    return _bidder_q(user) | (Q(challenge__owner_id__in=org_ids(user, EDITOR_ROLES)) & opened)


def is_bidder(user: AnyUser, proposal: Proposal) -> bool:
    """The author, or a member of the team's organisation: they write and change the proposal."""
    if not _authenticated(user):
        return False
    return proposal.submitted_by_id == user.pk or (
        proposal.team_org_id is not None and proposal.team_org_id in org_ids(user, EDITOR_ROLES)
    )


def question_visible_q(user: AnyUser, challenge: Challenge) -> Q:
    """Answered questions are public; open ones are seen by the asker, the owner and the moderators."""
    if is_owner_member(user, challenge) or can_moderate(user, challenge.owner):
        return Q()
    q = Q(is_public=True)
    if _authenticated(user):
        q |= Q(asked_by=user)
    return q


def can_answer(user: AnyUser, question: ChallengeQuestion) -> bool:
    return is_owner_member(user, question.challenge)


# ---- workflow roles (see choices.CHALLENGE_STEPS and PROPOSAL_STEPS)


def _bidders_of_challenge(challenge: Challenge) -> QuerySet[User]:
    handed_in = Proposal.objects.filter(challenge=challenge, status__in=HANDED_IN_STATUSES)
    teams = handed_in.exclude(team_org=None).values("team_org_id")
    return User.objects.filter(
        Q(pk__in=handed_in.values("submitted_by_id"))
        | Q(memberships__organisation_id__in=teams, memberships__role__in=list(EDITOR_ROLES)),
        is_active=True,
    ).distinct()


def _bidders_of_proposal(proposal: Proposal) -> QuerySet[User]:
    team = Q(memberships__organisation_id=proposal.team_org_id, memberships__role__in=list(EDITOR_ROLES))
    return User.objects.filter(Q(pk=proposal.submitted_by_id) | team, is_active=True).distinct()


# The teams that handed in a proposal: they take no challenge step, but hear of the opening and the award.
BIDDERS = Role("bidders", check=lambda user, challenge: False, people=_bidders_of_challenge)
BIDDER = Role("bidder", check=is_bidder, people=_bidders_of_proposal, refusal=NOT_THE_BIDDER)
CHALLENGE_OWNER = Role(
    "challenge_owner",
    check=lambda user, proposal: is_owner_member(user, proposal.challenge),
    people=lambda proposal: members_of(proposal.challenge.owner_id),
    refusal=NOT_THE_CHALLENGE_OWNER,
)
