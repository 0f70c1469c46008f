"""Reads of technology contracts, always through the permission filter."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from techtransfer.accounts.permissions import AnyUser
from techtransfer.contracts.choices import ContractStatus
from techtransfer.contracts.models import TechnologyContract
from techtransfer.contracts.permissions import contract_visible_q, decision_queue_q


def contract_list(*, user: AnyUser, filters: dict[str, Any] | None = None) -> QuerySet[TechnologyContract]:
    """The contracts the user may read, newest first; `filters`: status, category, q (name or number)."""
    qs = TechnologyContract.objects.with_codes().filter(contract_visible_q(user))
    filters = filters or {}
    if filters.get("status") in ContractStatus.values:
        qs = qs.filter(status=filters["status"])
    if filters.get("category"):
        qs = qs.filter(category=filters["category"])
    text = (filters.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(project_name__icontains=text) | Q(number=text) | Q(buyer_name__icontains=text))
    return qs


def contract_get(*, user: AnyUser, pk: Any) -> TechnologyContract:
    """One contract with its parts; 404 when it does not exist or the user may not read it."""
    try:
        return (
            TechnologyContract.objects.with_codes()
            .filter(contract_visible_q(user))
            .prefetch_related("non_technical_items", "attachments")
            .get(pk=pk)
        )
    except (TechnologyContract.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def contract_decision_queue(*, user: AnyUser) -> QuerySet[TechnologyContract]:
    """The applications waiting for this registrar, the most urgent deadline first."""
    return (
        TechnologyContract.objects.with_codes()
        .filter(decision_queue_q(user))
        .order_by("decision_due", "submitted_at", "id")
    )


def contract_verify(*, number: str, code: str) -> TechnologyContract | None:
    """The registered contract a certificate's verification link names (anyone may open it); None for a
    number that was never registered, a refused one, or a code that does not match (a forged link)."""
    if not number.isdigit() or len(number) > 32 or not code or len(code) > 16:
        return None
    return (
        TechnologyContract.objects.select_related("registration_point", "tech_field")
        .filter(number=number, verification_code=code, status=ContractStatus.REGISTERED)
        .first()
    )


def contract_for_contact_request(*, user: AnyUser, contact_request: Any) -> TechnologyContract | None:
    """The registration made from a signed contact request, if the user may read it (withdrawn ones aside)."""
    return (
        TechnologyContract.objects.filter(contract_visible_q(user), contact_request=contact_request)
        .exclude(status=ContractStatus.WITHDRAWN)
        .first()
    )
