"""Reads of technology demands, always through the permission filter.

Contact details leave this module only as the annotations `shown_contact_name`, `shown_contact_phone` and
`shown_contact_email`, which are empty when `demand_contact_visible` says the user may not see them.
Pages and the API must render those, never the raw `contact_*` fields.
"""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Case, CharField, F, Q, QuerySet, Value, When
from django.http import Http404

from techtransfer.accounts.permissions import region_prefix
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.permissions import demand_contact_visible_q, demand_visible_q

CONTACT_FIELDS = ["contact_name", "contact_phone", "contact_email"]


def _base(user: Any) -> QuerySet[TechnologyDemand]:
    visible = demand_contact_visible_q(user)
    shown = {
        f"shown_{name}": Case(When(visible, then=F(name)), default=Value(""), output_field=CharField())
        for name in CONTACT_FIELDS
    }
    return (
        TechnologyDemand.objects.filter(demand_visible_q(user))
        .select_related("owner", "owner__region", "field", "region")
        .prefetch_related("cooperation_modes")
        .annotate(
            contact_visible=Case(When(visible, then=Value(True)), default=Value(False), output_field=BooleanField()),
            **shown,
        )
    )


def demand_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[TechnologyDemand]:
    """Demands the user may see, newest published first.

    Filters (all optional): status, owner (id), field / region / cooperation_mode (code), q (title or
    description contains).
    """
    qs = _base(user)
    filters = filters or {}
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("owner"):
        qs = qs.filter(owner_id=filters["owner"])
    if filters.get("field"):
        qs = qs.filter(field__code=filters["field"])
    if filters.get("region"):
        # A province or city code covers its districts, as elsewhere on the platform.
        qs = qs.filter(region__code__startswith=region_prefix(str(filters["region"])))
    if filters.get("cooperation_mode"):
        qs = qs.filter(cooperation_modes__code=filters["cooperation_mode"]).distinct()
    if filters.get("q"):
        text = str(filters["q"])
        qs = qs.filter(Q(title__icontains=text) | Q(description__icontains=text))
    return qs.order_by("-published_at", "-created", "-id")


def demand_get(*, user: Any, pk: Any) -> TechnologyDemand:
    """One demand; 404 when it does not exist or the user may not see it."""
    try:
        return _base(user).get(pk=pk)
    except (TechnologyDemand.DoesNotExist, ValueError, TypeError):
        raise Http404("No such technology demand") from None


def demand_history(*, demand: TechnologyDemand) -> QuerySet[Any]:
    return demand.status_changes.select_related("by").all()
