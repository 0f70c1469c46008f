"""Reads of IP records, always through the permission filter (ipr.permissions.ip_visible_q).

The internal note leaves this module only as the annotation `shown_private_note`, empty unless the user may
read it; pages and the API render that, never `private_note`. The IP analysis counts public records only.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, Count, F, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.choices import OrgType
from techtransfer.accounts.permissions import AnyUser, is_commission_admin, is_signed_in, org_ids
from techtransfer.achievements.models import Achievement
from techtransfer.achievements.permissions import achievement_visible_q
from techtransfer.contracts.models import TechnologyContract
from techtransfer.contracts.permissions import contract_visible_q
from techtransfer.core.models import CodeItem
from techtransfer.deals.models import Deal
from techtransfer.deals.permissions import deal_visible_q
from techtransfer.ipr.choices import FEE_WINDOW_DAYS, IPStatus, IPType
from techtransfer.ipr.models import FeeEvent, IPAchievementLink, IPContractLink, IPDealLink, IPHolder, IPRecord
from techtransfer.ipr.permissions import ip_visible_q

TOP_HOLDERS = 10
TOP_HOLDERS_MAX = 50
OTHER_HOLDER = "other"
OTHER_HOLDER_LABEL = _("Persons and units not on the platform")


def _base(user: AnyUser) -> QuerySet[IPRecord]:
    if is_commission_admin(user):
        reads_private = Q(pk__isnull=False)
    elif is_signed_in(user):
        reads_private = Q(owner_id__in=org_ids(user))
    else:
        reads_private = Q(pk__in=[])
    return (
        IPRecord.objects.filter(ip_visible_q(user))
        .select_related("owner", "legal_status", "field")
        .prefetch_related(Prefetch("holders", queryset=IPHolder.objects.select_related("organisation")))
        .annotate(
            shown_private_note=Case(When(reads_private, then=F("private_note")), default=Value(""),
                                    output_field=CharField())
        )
    )


def _filtered(qs: QuerySet[IPRecord], filters: dict[str, Any]) -> QuerySet[IPRecord]:
    if filters.get("ip_type"):
        qs = qs.filter(ip_type=filters["ip_type"])
    if filters.get("legal_status"):
        qs = qs.filter(legal_status__code=filters["legal_status"])
    if filters.get("field"):
        qs = qs.filter(field__code=filters["field"])
    if filters.get("owner"):
        qs = qs.filter(owner_id=filters["owner"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("year_from"):
        qs = qs.filter(application_date__year__gte=int(filters["year_from"]))
    if filters.get("year_to"):
        qs = qs.filter(application_date__year__lte=int(filters["year_to"]))
    if filters.get("q"):
        text = str(filters["q"]).strip()
        qs = qs.filter(
            Q(title__icontains=text) | Q(number__icontains=text.upper().removeprefix("ZL"))
            | Q(holders__name__icontains=text) | Q(abstract__icontains=text)
        ).distinct()
    return qs


def ip_list(*, user: AnyUser, filters: dict[str, Any] | None = None) -> QuerySet[IPRecord]:
    """IP records the user may read, newest application first.

    Filters (all optional): q (title, number, holder or abstract contains), ip_type, legal_status and field
    (codes), owner (id), status, year_from / year_to (application year).
    """
    return _filtered(_base(user), filters or {}).order_by("-application_date", "-id")


def ip_get(*, user: AnyUser, pk: Any) -> IPRecord:
    """One IP record; 404 when it does not exist or the user may not read it."""
    try:
        return _base(user).prefetch_related("fees").get(pk=pk)
    except (IPRecord.DoesNotExist, ValueError, TypeError):
        raise Http404("No such IP record") from None


def ip_list_mine(*, user: AnyUser) -> QuerySet[IPRecord]:
    """The records of every unit the user belongs to, most recently changed first."""
    return _base(user).filter(owner_id__in=org_ids(user)).order_by("-updated", "-id")


def ip_fees_due(
    *, user: AnyUser, days: int = FEE_WINDOW_DAYS, today: datetime.date | None = None
) -> QuerySet[IPRecord]:
    """The records of the user's units whose next fee is due within `days` (overdue ones first: a missed annual
    fee can still be paid, with a surcharge, in the six months of grace), earliest deadline first."""
    today = today or timezone.localdate()
    return (
        _base(user)
        .filter(owner_id__in=org_ids(user), next_fee_due__isnull=False,
                next_fee_due__lte=today + datetime.timedelta(days=days))
        .order_by("next_fee_due", "id")
    )


@dataclass(frozen=True)
class Facet:
    value: str
    label: str
    count: int


def ip_facets(qs: QuerySet[IPRecord]) -> dict[str, list[Facet]]:
    """Counts of the records of `qs` by type, legal status and field (the list page's facets), three queries."""
    plain = qs.order_by().values("pk")
    base = IPRecord.objects.filter(pk__in=plain)
    types = dict(base.values_list("ip_type").annotate(n=Count("pk")).order_by())
    english = (get_language() or "").startswith("en")

    def coded(name: str) -> list[Facet]:
        rows = (
            base.exclude(**{f"{name}__isnull": True})
            .values(f"{name}__code", f"{name}__label_zh", f"{name}__label_en", f"{name}__sort_order")
            .annotate(n=Count("pk"))
            .order_by(f"{name}__sort_order")
        )
        return [
            Facet(r[f"{name}__code"], (r[f"{name}__label_en"] if english and r[f"{name}__label_en"]
                                       else r[f"{name}__label_zh"]), r["n"])
            for r in rows
        ]

    return {
        "ip_type": [Facet(t.value, str(t.label), types[t.value]) for t in IPType if types.get(t.value)],
        "legal_status": coded("legal_status"),
        "field": coded("field"),
    }


@dataclass(frozen=True)
class IPLinks:
    """The achievements, contracts and deals linked to a record that the user may read."""

    achievements: list[Achievement]
    contracts: list[TechnologyContract]
    deals: list[Deal]


def ip_links(*, user: AnyUser, record: IPRecord) -> IPLinks:
    """What the record is linked to, each kind through its own app's visibility rule (3 queries)."""
    achievement_ids = IPAchievementLink.objects.filter(record=record).values("achievement_id")
    contract_ids = IPContractLink.objects.filter(record=record).values("contract_id")
    deal_ids = IPDealLink.objects.filter(record=record).values("deal_id")
    return IPLinks(
        achievements=list(
            Achievement.objects.filter(achievement_visible_q(user), pk__in=achievement_ids).select_related("owner")
            .order_by("pk")
        ),
        contracts=list(
            TechnologyContract.objects.filter(contract_visible_q(user), pk__in=contract_ids).order_by("pk")
        ),
        deals=list(
            Deal.objects.filter(deal_visible_q(user), pk__in=deal_ids).select_related("achievement").order_by("pk")
        ),
    )


def ip_records_of_achievement(*, user: AnyUser, achievement_id: int) -> QuerySet[IPRecord]:
    """The IP records the user may read that are linked to an achievement."""
    linked = IPAchievementLink.objects.filter(achievement_id=achievement_id).values("record_id")
    return _base(user).filter(pk__in=linked).order_by("ip_type", "number")


def link_candidates(*, user: AnyUser, owner_ids: Collection[int]) -> dict[str, QuerySet[Any]]:
    """What a manager may link a record to: the units' achievements, their contracts (as seller or buyer) and
    their deals, as far as the user reads them."""
    ids = list(owner_ids)
    return {
        "achievements": Achievement.objects.filter(achievement_visible_q(user), owner_id__in=ids).order_by("-pk"),
        "contracts": TechnologyContract.objects.filter(contract_visible_q(user))
        .filter(Q(seller_id__in=ids) | Q(buyer_id__in=ids)).order_by("-pk"),
        "deals": Deal.objects.filter(deal_visible_q(user), owner_id__in=ids).select_related("achievement")
        .order_by("-pk"),
    }


def linked_ids(*, record: IPRecord) -> dict[str, list[int]]:
    """The ids the record is linked to, by kind (the form's initial choices)."""
    return {
        "achievements": list(IPAchievementLink.objects.filter(record=record).values_list("achievement_id", flat=True)),
        "contracts": list(IPContractLink.objects.filter(record=record).values_list("contract_id", flat=True)),
        "deals": list(IPDealLink.objects.filter(record=record).values_list("deal_id", flat=True)),
    }


def fee_events(*, record: IPRecord) -> QuerySet[FeeEvent]:
    return FeeEvent.objects.filter(record=record).order_by("due_date", "id")


# --- the IP analysis (public records only) -------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    """One bar of a chart: a key (a code, a year, a holder), its label in the active language, a count."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class IPAnalysis:
    """The figures of the IP analysis page and API, over the public records that pass the filters."""

    total: int
    granted: int
    by_type: list[Bucket]
    by_legal_status: list[Bucket]
    by_field: list[Bucket]
    by_application_year: list[Bucket]
    by_grant_year: list[Bucket]
    by_holder_type: list[Bucket]
    top_holders: list[Bucket]
    filters: dict[str, Any] = field(default_factory=dict)


def _years(rows: Iterable[tuple[int | None, int]]) -> list[Bucket]:
    """Year buckets from the first year to the last, with the empty years between them at 0."""
    counts = {year: n for year, n in rows if year is not None}
    if not counts:
        return []
    return [Bucket(str(y), str(y), counts.get(y, 0)) for y in range(min(counts), max(counts) + 1)]


def _coded(qs: QuerySet[IPRecord], name: str, english: bool) -> list[Bucket]:
    rows = (
        qs.exclude(**{f"{name}__isnull": True})
        .values(f"{name}__code", f"{name}__label_zh", f"{name}__label_en", f"{name}__sort_order")
        .annotate(n=Count("pk"))
        .order_by(f"{name}__sort_order", f"{name}__code")
    )
    return [
        Bucket(r[f"{name}__code"], r[f"{name}__label_en"] if english and r[f"{name}__label_en"]
               else r[f"{name}__label_zh"], r["n"])
        for r in rows
    ]


def ip_analysis(*, filters: dict[str, Any] | None = None, top: int = TOP_HOLDERS) -> IPAnalysis:
    """Counts of the public IP records by type, legal status, field, application and grant year, holder type,
    and the `top` holders (a record with several holders counts once for each), in a fixed number of queries.

    Filters (all optional): field (high_tech_field code), ip_type, year_from / year_to (application year).
    """
    filters = {k: v for k, v in (filters or {}).items() if k in {"field", "ip_type", "year_from", "year_to"} and v}
    records = _filtered(IPRecord.objects.filter(status=IPStatus.PUBLIC), filters)
    english = (get_language() or "").startswith("en")
    ids = records.order_by().values("pk")
    qs = IPRecord.objects.filter(pk__in=ids)
    types = dict(qs.values_list("ip_type").annotate(n=Count("pk")).order_by())
    holders = IPHolder.objects.filter(record_id__in=ids)
    kinds = dict(
        holders.annotate(kind=Case(When(organisation__isnull=True, then=Value(OTHER_HOLDER)),
                                   default=F("organisation__org_type"), output_field=CharField()))
        .values_list("kind").annotate(n=Count("record_id", distinct=True)).order_by()
    )
    kind_labels = {**dict(OrgType.choices), OTHER_HOLDER: OTHER_HOLDER_LABEL}
    top_rows = (
        holders.values("name").annotate(n=Count("record_id", distinct=True)).order_by("-n", "name")[:max(0, top)]
    )
    return IPAnalysis(
        total=qs.count(),
        granted=qs.filter(grant_date__isnull=False).count(),
        by_type=[Bucket(t.value, str(t.label), types.get(t.value, 0)) for t in IPType],
        by_legal_status=_coded(qs, "legal_status", english),
        by_field=_coded(qs, "field", english),
        by_application_year=_years(
            qs.annotate(y=ExtractYear("application_date")).values_list("y").annotate(n=Count("pk")).order_by()
        ),
        by_grant_year=_years(
            qs.filter(grant_date__isnull=False).annotate(y=ExtractYear("grant_date")).values_list("y")
            .annotate(n=Count("pk")).order_by()
        ),
        by_holder_type=[
            Bucket(kind, str(kind_labels.get(kind, kind)), n)
            for kind, n in sorted(kinds.items(), key=lambda item: (-item[1], item[0]))
        ],
        top_holders=[Bucket(r["name"], r["name"], r["n"]) for r in top_rows],
        filters=filters,
    )


def field_items() -> QuerySet[CodeItem]:
    """The high-tech fields, for the analysis filter."""
    return CodeItem.objects.current("high_tech_field").order_by("sort_order", "code")
