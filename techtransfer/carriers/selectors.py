"""Reads of carriers and their firms, always through the permission filter (carriers.permissions).

Internal notes leave this module only as the annotations `shown_private_note`, `shown_review_note` (carriers)
and `shown_note` (firms), empty unless the user may read them; pages and the API render those. The incubation
count reads listed carriers only.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from techtransfer.accounts.permissions import AnyUser, moderated_q, org_ids
from techtransfer.carriers.choices import CarrierStatus, FirmStatus, RecognitionLevel
from techtransfer.carriers.models import Carrier, IncubatedFirm, IncubationTarget
from techtransfer.carriers.permissions import carrier_private_q, carrier_visible_q
from techtransfer.core.models import CodeItem


def _shown(condition: Q, name: str) -> Case:
    return Case(When(condition, then=F(name)), default=Value(""), output_field=CharField())


def _base(user: AnyUser) -> QuerySet[Carrier]:
    private = carrier_private_q(user)
    return (
        Carrier.objects.filter(carrier_visible_q(user))
        .select_related("owner", "owner__region", "carrier_type", "district")
        .prefetch_related("fields")
        .annotate(
            shown_private_note=_shown(private, "private_note"),
            shown_review_note=_shown(private, "review_note"),
            firms_incubating=Count("firms", filter=Q(firms__status=FirmStatus.INCUBATING)),
        )
    )


def _filtered(qs: QuerySet[Carrier], filters: dict[str, Any]) -> QuerySet[Carrier]:
    if filters.get("carrier_type"):
        qs = qs.filter(carrier_type__code=filters["carrier_type"])
    if filters.get("level"):
        qs = qs.filter(level=filters["level"])
    if filters.get("district"):
        qs = qs.filter(district__code=filters["district"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("owner"):
        qs = qs.filter(owner_id=filters["owner"])
    if filters.get("q"):
        text = str(filters["q"]).strip()
        qs = qs.filter(
            Q(name__icontains=text) | Q(name_en__icontains=text) | Q(owner__name__icontains=text)
            | Q(address__icontains=text) | Q(description__icontains=text)
        )
    return qs


def carrier_list(*, user: AnyUser, filters: dict[str, Any] | None = None) -> QuerySet[Carrier]:
    """Carriers the user may read, by name. Filters (all optional): q (name, operator, address or description
    contains), carrier_type and district (codes), level, status, owner (id)."""
    return _filtered(_base(user), filters or {}).order_by("name", "id")


def carrier_get(*, user: AnyUser, pk: Any) -> Carrier:
    """One carrier; 404 when it does not exist or the user may not read it."""
    try:
        return _base(user).get(pk=pk)
    except (Carrier.DoesNotExist, ValueError, TypeError):
        raise Http404("No such carrier") from None


def carrier_list_mine(*, user: AnyUser) -> QuerySet[Carrier]:
    return _base(user).filter(owner_id__in=org_ids(user)).order_by("-updated", "-id")


def carrier_review_queue(*, user: AnyUser) -> QuerySet[Carrier]:
    """Carriers under review that the user moderates (never their own organisation's), oldest submission first."""
    return _base(user).filter(moderated_q(user), status=CarrierStatus.UNDER_REVIEW).order_by("submitted_at", "id")


@dataclass(frozen=True)
class Facet:
    value: str
    label: str
    count: int


def _label(row: dict[str, Any], prefix: str, english: bool) -> str:
    return str(row[f"{prefix}__label_en"] if english and row[f"{prefix}__label_en"] else row[f"{prefix}__label_zh"])


def carrier_facets(qs: QuerySet[Carrier]) -> dict[str, list[Facet]]:
    """Counts of the carriers of `qs` by type, level and district (the list's facets), three queries."""
    base = Carrier.objects.filter(pk__in=qs.order_by().values("pk"))
    english = (get_language() or "").startswith("en")
    levels = dict(base.values_list("level").annotate(n=Count("pk")).order_by())
    coded = {}
    for name in ("carrier_type", "district"):
        rows = (
            base.values(f"{name}__code", f"{name}__label_zh", f"{name}__label_en", f"{name}__sort_order")
            .annotate(n=Count("pk")).order_by(f"{name}__sort_order", f"{name}__code")
        )
        coded[name] = [Facet(r[f"{name}__code"], _label(r, name, english), r["n"]) for r in rows]
    return {
        "carrier_type": coded["carrier_type"],
        "level": [Facet(v, str(label), levels[v]) for v, label in RecognitionLevel.choices if levels.get(v)],
        "district": coded["district"],
    }


# --- firms ------------------------------------------------------------------------------------------------


def _firms(user: AnyUser) -> QuerySet[IncubatedFirm]:
    return (
        IncubatedFirm.objects.filter(carrier_visible_q(user, prefix="carrier__"))
        .select_related("carrier", "carrier__owner", "field")
        .annotate(shown_note=_shown(carrier_private_q(user, prefix="carrier__"), "note"))
    )


def firm_list(*, user: AnyUser, carrier: Carrier, filters: dict[str, Any] | None = None) -> QuerySet[IncubatedFirm]:
    """The firms of a carrier the user reads, newest entry first; filters: status, q (name or code)."""
    qs = _firms(user).filter(carrier=carrier)
    filters = filters or {}
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("q"):
        text = str(filters["q"]).strip()
        qs = qs.filter(Q(name__icontains=text) | Q(uscc__icontains=text.upper()))
    return qs.order_by("-entry_date", "name", "id")


def firm_get(*, user: AnyUser, pk: Any, carrier_id: Any | None = None) -> IncubatedFirm:
    """One firm; 404 when it does not exist, is not the carrier's, or the user may not read its carrier."""
    qs = _firms(user)
    if carrier_id is not None:
        qs = qs.filter(carrier_id=carrier_id)
    try:
        return qs.get(pk=pk)
    except (IncubatedFirm.DoesNotExist, ValueError, TypeError):
        raise Http404("No such firm") from None


# --- the incubation count against the plan's target -------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class IncubationCount:
    """Firms in incubation on a date in listed carriers: a firm is counted once however many carriers hold it
    (by its credit code) in the total, and once in each type, level or district it is incubated in."""

    on: datetime.date
    total: int
    carriers: int
    target: int | None
    target_source: str
    share: float | None  # total / target, 0..n
    by_type: list[Bucket]
    by_level: list[Bucket]
    by_district: list[Bucket]
    by_field: list[Bucket] = field(default_factory=list)


def firms_incubating_q(on: datetime.date, prefix: str = "") -> Q:
    """Firms in incubation on `on`: entered on or before it, and not graduated or gone by then."""
    return Q(**{f"{prefix}entry_date__lte": on}) & (
        Q(**{f"{prefix}graduation_date__isnull": True}) | Q(**{f"{prefix}graduation_date__gt": on})
    )


def incubation_target(*, on: datetime.date) -> IncubationTarget | None:
    return IncubationTarget.objects.filter(valid_from__lte=on).order_by("-valid_from").first()


def incubation_count(*, on: datetime.date | None = None) -> IncubationCount:
    """How many firms were in incubation on `on` (default today) in listed carriers, by carrier type, level,
    district and field, against the target in force that day; a fixed number of queries."""
    on = on or timezone.localdate()
    english = (get_language() or "").startswith("en")
    firms = IncubatedFirm.objects.filter(firms_incubating_q(on), carrier__status=CarrierStatus.LISTED)

    def coded(path: str, *, all_items: str = "") -> list[Bucket]:
        rows = (
            firms.values(f"{path}__code", f"{path}__label_zh", f"{path}__label_en")
            .annotate(n=Count("uscc", distinct=True)).order_by()
        )
        counts = {r[f"{path}__code"]: (_label(r, path, english), r["n"]) for r in rows if r[f"{path}__code"]}
        if all_items:
            items = CodeItem.objects.current(all_items).order_by("sort_order", "code")
            return [Bucket(i.code, i.label, counts.get(i.code, ("", 0))[1]) for i in items]
        return [Bucket(code, label, n) for code, (label, n) in sorted(counts.items(), key=lambda kv: -kv[1][1])]

    levels = dict(firms.values_list("carrier__level").annotate(n=Count("uscc", distinct=True)).order_by())
    total = firms.values("uscc").distinct().count()
    target = incubation_target(on=on)
    return IncubationCount(
        on=on,
        total=total,
        carriers=firms.values("carrier_id").distinct().count(),
        target=target.firms if target else None,
        target_source=target.source if target else "",
        share=(total / target.firms) if target and target.firms else None,
        by_type=coded("carrier__carrier_type", all_items="carrier_type"),
        by_level=[Bucket(v, str(label), levels.get(v, 0)) for v, label in RecognitionLevel.choices],
        by_district=coded("carrier__district"),
        by_field=coded("field"),
    )
