"""Reads of voucher programmes, providers and vouchers, through vouchers.permissions; the budget figures (the
one sum the approvals rely on) and the commission's budget page by provider and by month."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from techtransfer.accounts.permissions import EDITOR_ROLES, AnyUser, org_ids
from techtransfer.core.models import CodeItem
from techtransfer.facilities.models import Facility
from techtransfer.facilities.permissions import MANAGER_ROLES
from techtransfer.vouchers.choices import RESERVING_STATUSES, ProviderCategory, VoucherStatus
from techtransfer.vouchers.models import Programme, Provider, Redemption, Voucher, VoucherUse
from techtransfer.vouchers.permissions import voucher_visible_q

ZERO = Decimal("0")


# ---- programmes and providers (public)


def programme_list() -> QuerySet[Programme]:
    return Programme.objects.order_by("-year", "kind")


def programme_get(*, pk: Any) -> Programme:
    try:
        return Programme.objects.get(pk=pk)
    except (Programme.DoesNotExist, ValueError, TypeError):
        raise Http404("No such programme") from None


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class ProviderSearchResult:
    total: int
    providers: list[Provider]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)


PROVIDER_FACETS = ("category", "field", "province")


def _providers(programme: Programme) -> QuerySet[Provider]:
    return Provider.objects.filter(programme=programme, active=True).select_related(
        "organisation", "organisation__region"
    )


def provider_search(
    *, programme: Programme, query: str = "", filters: dict[str, str] | None = None
) -> ProviderSearchResult:
    """The programme's listed providers matching `query` (in the unit's name or its services) and the filters
    (category, field: a high-tech field code, province: a two-digit GB/T 2260 prefix such as 12 for Tianjin),
    with the count of each facet value among the matches (each facet counted without its own filter)."""
    filters = {name: value for name, value in (filters or {}).items() if value and name in PROVIDER_FACETS}
    base = _providers(programme)
    text = (query or "").strip()
    if text:
        base = base.filter(
            Q(organisation__name__icontains=text) | Q(organisation__name_en__icontains=text)
            | Q(services__icontains=text)
        )

    def narrowed(qs: QuerySet[Provider], skip: str = "") -> QuerySet[Provider]:
        if filters.get("category") and skip != "category":
            qs = qs.filter(category=filters["category"])
        if filters.get("field") and skip != "field":
            qs = qs.filter(fields__code=filters["field"])
        if filters.get("province") and skip != "province":
            qs = qs.filter(organisation__region__code__startswith=filters["province"][:2])
        return qs

    providers = list(
        narrowed(base).distinct().prefetch_related(
            Prefetch("fields", queryset=CodeItem.objects.order_by("sort_order", "code"))
        ).order_by("organisation__region__code", "organisation__name", "id")
    )
    categories = dict(ProviderCategory.choices)
    category_counts = (
        narrowed(base, "category").values("category").annotate(n=Count("id", distinct=True)).order_by("category")
    )
    field_counts = (
        narrowed(base, "field").filter(fields__isnull=False)
        .values("fields__code", "fields__label_zh", "fields__label_en", "fields__sort_order")
        .annotate(n=Count("id", distinct=True)).order_by("fields__sort_order", "fields__code")
    )
    provinces: dict[str, int] = defaultdict(int)
    for code in narrowed(base, "province").values_list("organisation__region__code", flat=True):
        provinces[code[:2]] += 1
    english = _english()
    province_labels = {
        code: (label_en if english and label_en else label_zh)
        for code, label_zh, label_en in CodeItem.objects.current("region")
        .filter(code__in=[f"{p}0000" for p in provinces])
        .values_list("code", "label_zh", "label_en")
    }
    return ProviderSearchResult(
        total=len(providers),
        providers=providers,
        facets={
            "category": [FacetValue(r["category"], str(categories.get(r["category"], r["category"])), r["n"])
                         for r in category_counts],
            "field": [FacetValue(r["fields__code"], r["fields__label_en"] if english and r["fields__label_en"]
                                 else r["fields__label_zh"], r["n"]) for r in field_counts],
            "province": [FacetValue(p, province_labels.get(f"{p}0000", p), n) for p, n in sorted(provinces.items())],
        },
    )


def _english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").startswith("en")


def providers_for(*, programme: Programme) -> QuerySet[Provider]:
    """Every active provider of the programme, by name (for forms)."""
    return _providers(programme).order_by("organisation__name", "id")


# ---- vouchers


def _vouchers(user: AnyUser) -> QuerySet[Voucher]:
    return Voucher.objects.filter(voucher_visible_q(user)).select_related(
        "programme", "holder", "holder__region", "applied_by"
    )


def voucher_get(*, user: AnyUser, pk: Any) -> Voucher:
    """One voucher; 404 when it does not exist or the user may not see it."""
    try:
        return _vouchers(user).get(pk=pk)
    except (Voucher.DoesNotExist, ValueError, TypeError):
        raise Http404("No such voucher") from None


def voucher_list(*, user: AnyUser, filters: dict[str, Any] | None = None) -> QuerySet[Voucher]:
    """Vouchers the user may see, newest first. Filters: programme (id), status, side ("holder": of the
    user's units; "provider": spent with a provider the user is TTO officer of)."""
    qs = _vouchers(user)
    filters = filters or {}
    if filters.get("programme"):
        qs = qs.filter(programme_id=filters["programme"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    side = filters.get("side")
    if side == "holder":
        qs = qs.filter(holder_id__in=org_ids(user))
    elif side == "provider":
        uses = VoucherUse.objects.filter(provider__organisation_id__in=org_ids(user, MANAGER_ROLES))
        qs = qs.filter(pk__in=uses.values("voucher_id"))
    return qs.order_by("-created", "-id")


def voucher_decision_queue(*, user: AnyUser) -> QuerySet[Voucher]:
    """Applications to decide and approved vouchers to issue (a commission administrator's queue), oldest
    first; never the administrator's own unit's."""
    return (
        _vouchers(user)
        .filter(status__in=(VoucherStatus.APPLIED, VoucherStatus.APPROVED))
        .exclude(holder_id__in=org_ids(user))
        .order_by("created", "id")
    )


def is_listed_provider(*, user: AnyUser) -> bool:
    """The user is a TTO officer of a unit listed as a provider of some programme."""
    ids = org_ids(user, MANAGER_ROLES)
    return bool(ids) and Provider.objects.filter(organisation_id__in=ids).exists()


def provider_redeem_queue(*, user: AnyUser) -> QuerySet[Voucher]:
    """Used vouchers waiting for redemption by the user's provider units."""
    uses = VoucherUse.objects.filter(
        provider__organisation_id__in=org_ids(user, MANAGER_ROLES), released_at__isnull=True
    )
    return _vouchers(user).filter(status=VoucherStatus.USED, pk__in=uses.values("voucher_id")).order_by("created")


def vouchers_for_facility(*, user: AnyUser, facility: Facility) -> list[Voucher]:
    """The user's issued, still valid vouchers whose programme lists the facility's unit as a provider."""
    today = timezone.localdate()
    programmes = Provider.objects.filter(organisation_id=facility.owner_id, active=True).values("programme_id")
    return list(
        Voucher.objects.filter(
            holder_id__in=org_ids(user, EDITOR_ROLES), status=VoucherStatus.ISSUED, programme_id__in=programmes,
            valid_until__gte=today,
        ).select_related("programme", "holder").order_by("valid_until", "id")
    )


def voucher_uses(*, voucher: Voucher) -> QuerySet[VoucherUse]:
    return voucher.uses.select_related("provider__organisation", "booking__facility").order_by("created", "id")


def voucher_for_booking(*, booking_id: int) -> VoucherUse | None:
    """The voucher use that pays for a booking, if any (open or released)."""
    return (
        VoucherUse.objects.filter(booking_id=booking_id)
        .select_related("voucher", "voucher__programme", "provider")
        .order_by("-created")
        .first()
    )


# ---- the budget


@dataclass(frozen=True)
class Budget:
    """A programme's money: reserved by approved, issued and used vouchers; spent by redemptions; what is left."""

    budget: Decimal
    reserved: Decimal
    spent: Decimal

    @property
    def committed(self) -> Decimal:
        return self.reserved + self.spent

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.committed


def budget_figures(*, programme: Programme) -> Budget:
    """The one sum behind every approval (called under the programme's lock) and the budget page."""
    sums = Voucher.objects.filter(programme=programme).aggregate(
        reserved=Sum("amount", filter=Q(status__in=RESERVING_STATUSES)),
        spent=Sum("redeemed_amount", filter=Q(status=VoucherStatus.REDEEMED)),
    )
    return Budget(budget=programme.budget, reserved=sums["reserved"] or ZERO, spent=sums["spent"] or ZERO)


@dataclass
class ProviderFigures:
    provider: Provider
    in_use: int = 0
    reserved: Decimal = ZERO
    redeemed: int = 0
    paid: Decimal = ZERO
    invoiced: Decimal = ZERO


@dataclass
class MonthFigures:
    month: int
    approved: Decimal = ZERO
    paid: Decimal = ZERO
    redemptions: int = 0


@dataclass
class BudgetPage:
    programme: Programme
    budget: Budget
    by_status: dict[str, int]
    providers: list[ProviderFigures]
    months: list[MonthFigures]
    redemptions: list[Redemption]


def budget_page(*, programme: Programme) -> BudgetPage:
    """Everything the commission's budget page shows, in a fixed number of queries."""
    figures = budget_figures(programme=programme)
    by_status = dict(
        Voucher.objects.filter(programme=programme).values_list("status").annotate(n=Count("id")).order_by()
    )
    providers = {p.pk: ProviderFigures(provider=p) for p in _providers(programme).order_by("organisation__name")}
    open_uses = VoucherUse.objects.filter(
        voucher__programme=programme, released_at__isnull=True, voucher__status=VoucherStatus.USED
    ).values("provider_id").annotate(n=Count("id"), reserved=Sum("voucher__amount"))
    for use_row in open_uses:
        figures_row = providers.get(use_row["provider_id"])
        if figures_row is not None:
            figures_row.in_use, figures_row.reserved = use_row["n"], use_row["reserved"] or ZERO
    redemptions = list(
        Redemption.objects.filter(voucher__programme=programme)
        .select_related("voucher", "voucher__holder", "provider__organisation", "use__booking__facility")
        .order_by("-created", "-id")
    )
    months = [MonthFigures(month=m) for m in range(1, 13)]
    for redemption in redemptions:
        row = providers.get(redemption.provider_id)
        if row is None:  # a provider since taken off the list keeps its redemptions on the page
            row = providers[redemption.provider_id] = ProviderFigures(provider=redemption.provider)
        row.redeemed += 1
        row.paid += redemption.paid_amount
        row.invoiced += redemption.invoice_amount
        when = timezone.localtime(redemption.created)
        if when.year == programme.year:
            months[when.month - 1].paid += redemption.paid_amount
            months[when.month - 1].redemptions += 1
    approvals = Voucher.objects.filter(programme=programme, approved_at__isnull=False).values_list(
        "approved_at", "amount"
    )
    for approved_at, amount in approvals:
        when = timezone.localtime(approved_at)
        if when.year == programme.year:
            months[when.month - 1].approved += amount or ZERO
    return BudgetPage(
        programme=programme,
        budget=figures,
        by_status=by_status,
        providers=sorted(providers.values(), key=lambda r: (-r.paid, -r.in_use, r.provider.organisation.name)),
        months=months,
        redemptions=redemptions,
    )

