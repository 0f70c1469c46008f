"""Reads of contact requests, always through the party filter: a request you are not party to is a 404."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from techtransfer.accounts.models import Organisation
from techtransfer.accounts.permissions import AnyUser, is_commission_admin, is_signed_in
from techtransfer.achievements.models import Achievement
from techtransfer.market.choices import MATCHABLE_STATUSES
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.permissions import demand_visible_q
from techtransfer.matchmaking import permissions as perms
from techtransfer.matchmaking.choices import OPEN_STAGES, Stage
from techtransfer.matchmaking.models import ContactNote, ContactRequest

RELATED = ["demand", "demand__owner", "achievement", "achievement__owner", "opened_by", "opened_by_org"]


def _base(user: AnyUser) -> QuerySet[ContactRequest]:
    return ContactRequest.objects.filter(perms.contact_request_visible_q(user)).select_related(*RELATED)


def contact_request_list(*, user: AnyUser, stage: str | None = None, waiting: bool = False) -> QuerySet[ContactRequest]:
    """The requests the user takes part in (commission admins: all), recently active first; `waiting`: only
    those waiting for the user (see `contact_requests_waiting_q`)."""
    qs = _base(user)
    if stage:
        qs = qs.filter(stage=stage)
    if waiting:
        qs = qs.filter(contact_requests_waiting_q(user))
    return qs.order_by("-updated", "-id")


def contact_requests_waiting_q(user: AnyUser) -> Q:
    """Open requests that wait for the user's organisation: one another party opened and nobody has taken up,
    or one in negotiation whose signing their side has not confirmed."""
    ids = perms.acting_org_ids(user)
    return (
        (Q(stage=Stage.INTENT) & ~Q(opened_by_org_id__in=ids))
        | Q(stage=Stage.NEGOTIATION, demand__owner_id__in=ids, demand_confirmed_by__isnull=True)
        | Q(stage=Stage.NEGOTIATION, achievement__owner_id__in=ids, achievement_confirmed_by__isnull=True)
    ) & (Q(demand__owner_id__in=ids) | Q(achievement__owner_id__in=ids) | Q(opened_by_org_id__in=ids))


def contact_request_stage_counts(*, user: AnyUser) -> dict[str, int]:
    """How many of the user's requests are at each stage (for the list tabs)."""
    rows = ContactRequest.objects.filter(perms.contact_request_visible_q(user)).values("stage").annotate(n=Count("id"))
    counts = {stage: 0 for stage in Stage.values}
    counts.update({row["stage"]: row["n"] for row in rows})
    return counts


def contact_request_get(*, user: AnyUser, pk: Any) -> ContactRequest:
    """One request; 404 when it does not exist or the user is not a party (nor a commission admin)."""
    try:
        return _base(user).select_related("demand_confirmed_by", "achievement_confirmed_by").get(pk=pk)
    except (ContactRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such contact request") from None


def contact_request_notes(*, contact_request: ContactRequest) -> QuerySet[ContactNote]:
    return contact_request.notes.select_related("author", "org").order_by("created", "id")


def openable_demand(*, user: AnyUser, pk: Any) -> TechnologyDemand:
    """A demand a request may be asked about: one the user may see, or an expired one (once public).

    Expired demands leave the public market, but talks about them may still start (MATCHABLE_STATUSES).
    """
    qs = TechnologyDemand.objects.select_related("owner")
    if not is_commission_admin(user):  # (an admin's filter is the empty Q, which OR would silently drop)
        qs = qs.filter(demand_visible_q(user) | Q(status__in=MATCHABLE_STATUSES))
    try:
        return qs.get(pk=pk)
    except (TechnologyDemand.DoesNotExist, ValueError, TypeError):
        raise Http404("No such technology demand") from None


def openable_achievement(*, user: AnyUser, pk: Any) -> Achievement:
    """An achievement the user may see (the service then insists that it is published)."""
    from techtransfer.achievements.permissions import achievement_visible_q

    try:
        return Achievement.objects.filter(achievement_visible_q(user)).select_related("owner").get(pk=pk)
    except (Achievement.DoesNotExist, ValueError, TypeError):
        raise Http404("No such achievement") from None


def opener_organisations(*, user: AnyUser, demand: TechnologyDemand, achievement: Achievement) -> list[Organisation]:
    """The organisations the user may open a request for on this pair, in the order the service prefers."""
    ids = perms.opener_org_ids(user, demand, achievement)
    by_id = Organisation.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


@dataclass
class OpenState:
    """What the "Open contact request" button needs: whether the user may open one, and which are open."""

    can_open: bool = False
    existing: list[ContactRequest] = field(default_factory=list)


def contact_request_open_state(*, user: AnyUser, demand: TechnologyDemand, achievement: Achievement) -> OpenState:
    """May the user open a request on this pair now (an eligible org with no open request of its own)?"""
    if not is_signed_in(user) or perms.pair_problem(demand, achievement):
        return OpenState()
    eligible = perms.opener_org_ids(user, demand, achievement)
    if not eligible:
        return OpenState()
    existing = list(
        _base(user).filter(demand=demand, achievement=achievement, stage__in=OPEN_STAGES).order_by("-created")
    )
    busy = {cr.opened_by_org_id for cr in existing}
    return OpenState(can_open=any(org_id not in busy for org_id in eligible), existing=existing)


def is_read_only_viewer(user: AnyUser, contact_request: ContactRequest) -> bool:
    return not perms.is_party(user, contact_request) and is_commission_admin(user)
