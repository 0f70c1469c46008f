"""Reads of transformation deals, always through the permission filters (deals.permissions). Reads never
write: whether a publicity period has ended is computed from publicity_end and now."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from techtransfer.accounts.permissions import EDITOR_ROLES, AnyUser, org_ids
from techtransfer.achievements.models import CompletingPerson, CompletingUnit
from techtransfer.contracts.choices import ContractStatus
from techtransfer.contracts.models import TechnologyContract
from techtransfer.deals.choices import DealStatus, ObjectionStatus
from techtransfer.deals.models import Deal, Objection
from techtransfer.deals.permissions import deal_visible_q, public_deal_q

# What the public notice shows of a deal (Law Art. 18: the achievement and the proposed price; the period).
PUBLIC_FIELDS = [
    "id", "status", "mode", "licence_type", "pricing_method", "price", "publicity_start", "publicity_end",
    "completed_at", "owner_id", "owner__name", "owner__name_en", "achievement_id", "achievement__name",
    "achievement__status",
]


def deal_list(*, user: AnyUser, filters: dict[str, Any] | None = None) -> QuerySet[Deal]:
    """The deals the user may read, newest first; `filters`: status, mode, objections ("open"), q."""
    qs = (
        Deal.objects.filter(deal_visible_q(user))
        .select_related("achievement", "owner")
        .annotate(open_objections=Count("objections", filter=Q(objections__status=ObjectionStatus.OPEN)))
        .order_by("-created", "-id")
    )
    filters = filters or {}
    if filters.get("status") in DealStatus.values:
        qs = qs.filter(status=filters["status"])
    if filters.get("mode"):
        qs = qs.filter(mode=filters["mode"])
    if filters.get("objections") == "open":
        qs = qs.filter(open_objections__gt=0)
    text = (filters.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(achievement__name__icontains=text) | Q(counterparty_name__icontains=text))
    return qs


def deal_get(*, user: AnyUser, pk: Any) -> Deal:
    """One deal the user may read; 404 when it does not exist or the user may not read it."""
    try:
        return (
            Deal.objects.filter(deal_visible_q(user))
            .select_related("achievement", "owner", "owner__region", "contract", "rule_set", "counterparty")
            .get(pk=pk)
        )
    except (Deal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def deal_objections(*, deal: Deal) -> QuerySet[Objection]:
    """The objections to a deal with their contact details (for those who read the deal in full)."""
    return deal.objections.select_related("answered_by").order_by("created", "id")


def public_deal_list() -> QuerySet[Deal]:
    """The publicity notices (publicised and completed deals), the latest first, with public fields only."""
    return (
        Deal.objects.filter(public_deal_q())
        .select_related("achievement", "owner")
        .only(*PUBLIC_FIELDS)
        .order_by("-publicity_start", "-id")
    )


def public_deal_get(*, pk: Any) -> Deal:
    try:
        return public_deal_list().get(pk=pk)
    except (Deal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def public_completers(*, deal: Deal) -> tuple[list[str], list[str]]:
    """The achievement's completing persons and units (names, in their order) for the public notice."""
    persons = list(
        CompletingPerson.objects.filter(achievement_id=deal.achievement_id).order_by("position").values_list(
            "name", flat=True
        )
    )
    units = list(
        CompletingUnit.objects.filter(achievement_id=deal.achievement_id).order_by("position").values_list(
            "name", flat=True
        )
    )
    return persons, units


def unit_registered_contracts(*, owner_id: int) -> QuerySet[TechnologyContract]:
    """The technology contracts the unit registered as the seller: those a deal may link to."""
    return TechnologyContract.objects.filter(seller_id=owner_id, status=ContractStatus.REGISTERED).order_by(
        "-registered_on", "-id"
    )


def open_objection_count(*, user: AnyUser) -> int:
    """The objections waiting for an answer from one of the user's units (the workbench queue)."""
    units = org_ids(user, EDITOR_ROLES)
    if not units:
        return 0
    return Objection.objects.filter(
        status=ObjectionStatus.OPEN, deal__owner_id__in=units, deal__status=DealStatus.PUBLICITY
    ).count()


def works_deals(user: AnyUser) -> bool:
    """Whether the user edits for a unit that has deals (whose objections queue to show)."""
    units = org_ids(user, EDITOR_ROLES)
    return bool(units) and Deal.objects.filter(owner_id__in=units).exists()
