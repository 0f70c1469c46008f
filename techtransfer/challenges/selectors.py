"""Reads of challenges, proposals and questions, always through the permission filters. Reads never write:
a challenge whose deadline has passed is closed by the clock (Challenge.effective_status, `status_q`), and
the daily command records it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from techtransfer.accounts.permissions import EDITOR_ROLES, AnyUser, is_signed_in, moderated_q, org_ids, region_prefix
from techtransfer.challenges import permissions as perms
from techtransfer.challenges.choices import HANDED_IN_STATUSES, ChallengeStatus, ProposalStatus
from techtransfer.challenges.models import Challenge, ChallengeQuestion, Proposal


def _base(user: AnyUser) -> QuerySet[Challenge]:
    return Challenge.objects.filter(perms.challenge_visible_q(user)).select_related(
        "owner", "owner__region", "field", "region"
    )


def status_q(statuses: list[str]) -> Q:
    """Challenges whose status, as the rules read it (Challenge.effective_status), is one of `statuses`."""
    due = Q(status=ChallengeStatus.OPEN, submission_deadline__lte=timezone.now())
    q = Q(status__in=[s for s in statuses if s != ChallengeStatus.OPEN])
    if ChallengeStatus.OPEN in statuses:
        q |= Q(status=ChallengeStatus.OPEN) & ~due
    if ChallengeStatus.CLOSED in statuses:
        q |= due
    return q


SEALED = _lazy("The proposals are sealed until the submission deadline; they all open then.")


def challenge_list(*, user: AnyUser, filters: dict[str, Any] | None = None) -> QuerySet[Challenge]:
    """Challenges the user may see, newest published first.

    Filters (all optional): status (one or a list), owner (id), field / region (code), q (title, problem or
    requirements contain it, or its id is in search_ids: the full-text search's hits).
    """
    qs = _base(user)
    filters = filters or {}
    status = filters.get("status")
    if status:
        qs = qs.filter(status_q([status] if isinstance(status, str) else list(status)))
    if filters.get("owner"):
        qs = qs.filter(owner_id=filters["owner"])
    if filters.get("field"):
        qs = qs.filter(field__code=filters["field"])
    if filters.get("region"):
        # A province or city code covers its districts, as elsewhere on the platform.
        qs = qs.filter(region__code__startswith=region_prefix(str(filters["region"])))
    if filters.get("q"):
        text = str(filters["q"])
        matches = Q(title__icontains=text) | Q(problem__icontains=text) | Q(requirements__icontains=text)
        if filters.get("search_ids"):
            # What the full-text index found (word segmentation) besides the plain substring matches.
            matches |= Q(pk__in=list(filters["search_ids"]))
        qs = qs.filter(matches)
    return qs.order_by("-published_at", "-created", "-id")


def challenge_get(*, user: AnyUser, pk: Any) -> Challenge:
    """One challenge; 404 when it does not exist or the user may not see it."""
    try:
        return _base(user).get(pk=pk)
    except (Challenge.DoesNotExist, ValueError, TypeError):
        raise Http404("No such challenge") from None


def challenges_of_my_organisations(*, user: AnyUser) -> QuerySet[Challenge]:
    """Every challenge (drafts too) of the organisations the user manages challenges for."""
    return _base(user).filter(owner_id__in=org_ids(user, EDITOR_ROLES)).order_by("-updated", "-id")


def challenge_review_queue(*, user: AnyUser) -> QuerySet[Challenge]:
    """Challenges waiting for this moderator (never their own organisation's), oldest first."""
    return _base(user).filter(moderated_q(user), status=ChallengeStatus.UNDER_REVIEW).order_by("submitted_at", "id")


def challenge_winners(*, challenge: Challenge) -> list[Proposal]:
    """The awarded proposals, which the published result shows to everyone (team name and summary)."""
    if challenge.status != ChallengeStatus.AWARDED:
        return []
    return list(challenge.proposals.filter(status=ProposalStatus.AWARDED).order_by("pk"))


# ---------------------------------------------------------------- proposals


def _proposals(user: AnyUser) -> QuerySet[Proposal]:
    return Proposal.objects.filter(perms.proposal_visible_q(user)).select_related(
        "challenge", "challenge__owner", "team_org", "submitted_by"
    )


def proposal_get(*, user: AnyUser, pk: Any) -> Proposal:
    """One proposal; 404 for everybody who may not see it (other bidders learn nothing, not even that it exists;
    the challenge's owner nothing before the deadline)."""
    try:
        return _proposals(user).get(pk=pk)
    except (Proposal.DoesNotExist, ValueError, TypeError):
        raise Http404("No such proposal") from None


def proposal_list_mine(*, user: AnyUser) -> QuerySet[Proposal]:
    """The proposals the user wrote or that their organisation's teams wrote, newest first."""
    if not is_signed_in(user):
        return Proposal.objects.none()
    mine = Q(submitted_by=user) | Q(team_org_id__in=org_ids(user))
    return _proposals(user).filter(mine).order_by("-updated", "-id")


def proposal_for_bidder(*, user: AnyUser, challenge: Challenge) -> Proposal | None:
    """The user's own proposal for this challenge, if they have one."""
    if not is_signed_in(user):
        return None
    return _proposals(user).filter(challenge=challenge, submitted_by=user).first()


def proposal_inbox(*, user: AnyUser, challenge: Challenge) -> QuerySet[Proposal]:
    """The proposals handed in for a challenge, for its owner (and commission administrators), once they have
    opened at the deadline."""
    if not perms.can_read_proposals(user, challenge):
        if challenge.published_at is not None and not challenge.deadline_passed():
            raise PermissionDenied(SEALED)
        raise PermissionDenied(_("Only the organisation that posted the challenge reads its proposals."))
    return _proposals(user).filter(challenge=challenge, status__in=HANDED_IN_STATUSES).order_by("submitted_at", "id")


# ---------------------------------------------------------------- questions


def question_list(*, user: AnyUser, challenge: Challenge) -> QuerySet[ChallengeQuestion]:
    """The questions of a challenge the user may read: answered ones, and their own."""
    return (
        challenge.questions.filter(perms.question_visible_q(user, challenge))
        .select_related("asked_by")
        .order_by("created", "id")
    )


def question_get(*, user: AnyUser, challenge: Challenge, pk: Any) -> ChallengeQuestion:
    try:
        return question_list(user=user, challenge=challenge).get(pk=pk)
    except (ChallengeQuestion.DoesNotExist, ValueError, TypeError):
        raise Http404("No such question") from None
