"""Reads of annual transformation reports, always through the permission filter; and the platform's figures for
a unit and a year (what the prefill service stores). Nothing here writes."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from techtransfer.accounts.models import Organisation
from techtransfer.accounts.permissions import AnyUser
from techtransfer.achievements.choices import REGISTERED_STATUSES, AchievementType, Secrecy
from techtransfer.achievements.models import Achievement
from techtransfer.contracts.choices import Category, ContractStatus
from techtransfer.contracts.models import TechnologyContract
from techtransfer.deals.choices import DealMode, DealStatus
from techtransfer.deals.models import Deal
from techtransfer.deals.selectors_rewards import annual_reward_figures
from techtransfer.reports import rules
from techtransfer.reports.choices import HANDED_IN_STATUSES, ReportStatus
from techtransfer.reports.figures import BAND_1M, BAND_100M, FIGURES, MODES, SERVICE_CATEGORIES
from techtransfer.reports.models import AnnualReport
from techtransfer.reports.permissions import report_visible_q, reporting_units, review_queue_q

ZERO = Decimal("0")
CENT = Decimal("0.01")
MONEY_FIELD: DecimalField[Decimal, Decimal] = DecimalField(max_digits=18, decimal_places=2)


def money_json(value: Decimal | int | None) -> str:
    """An amount as stored in the report's JSON: a string with two decimals (no float ever)."""
    return str(Decimal(value or 0).quantize(CENT))


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The first instant of `year` and of the next, in the site's time zone (Asia/Shanghai)."""
    tz = timezone.get_default_timezone()
    return (
        timezone.make_aware(datetime.datetime(year, 1, 1), tz),
        timezone.make_aware(datetime.datetime(year + 1, 1, 1), tz),
    )


# ---------------------------------------------------------------- the platform's figures


def counted_deals(organisation: Organisation, year: int) -> QuerySet[Deal]:
    """The unit's deals that count in the year: completed in it (local date), classified achievements
    excluded (domain-spec §4 [S54][S56])."""
    start, end = year_bounds(year)
    return (
        Deal.objects.filter(
            owner=organisation, status=DealStatus.COMPLETED, completed_at__gte=start, completed_at__lt=end,
            achievement__secrecy=Secrecy.NONE,
        )
        .select_related("achievement")
        .order_by("completed_at", "id")
    )


def counted_contracts(organisation: Organisation, year: int) -> QuerySet[TechnologyContract]:
    """The unit's technology contracts registered in the year (as the seller)."""
    return TechnologyContract.objects.filter(
        seller=organisation, status=ContractStatus.REGISTERED, registered_on__year=year
    )


def reward_figures(organisation: Organisation, year: int) -> dict[str, Any]:
    """Rewards paid in cash and equity with person-times, tax withheld, part-time work and leave: the deals
    app's rule (techtransfer.deals.selectors_rewards.annual_reward_figures), the one place for it."""
    return dict(annual_reward_figures(organisation, year))


@dataclass
class PlatformFigures:
    values: dict[str, Any]
    sources: dict[str, dict[str, Any]]
    projects: list[dict[str, Any]]
    achievements_by_source: list[dict[str, Any]] = field(default_factory=list)


def platform_figures(organisation: Organisation, year: int) -> PlatformFigures:
    """Every figure the platform knows for the unit's report of `year` (see reports.figures)."""
    values: dict[str, Any] = {}
    sources: dict[str, dict[str, Any]] = {}

    # Part 2: achievements held at the end of the year (registered, not classified), by type and source.
    _start, end = year_bounds(year)
    held = Achievement.objects.filter(owner=organisation, status__in=REGISTERED_STATUSES, secrecy=Secrecy.NONE).filter(
        Q(registered_at__lt=end) | Q(registered_at__isnull=True)
    )
    by_type = Counter(held.values_list("achievement_type", flat=True))
    values["achievements_total"] = sum(by_type.values())
    for kind in AchievementType.values:
        values[f"achievements_{kind}"] = by_type[kind]
    by_source = (
        held.values("project_source__code", "project_source__label_zh", "project_source__label_en")
        .annotate(n=Count("id"))
        .order_by("-n", "project_source__code")
    )
    achievements_by_source = [
        {"code": row["project_source__code"] or "", "label_zh": row["project_source__label_zh"] or "",
         "label_en": row["project_source__label_en"] or "", "count": row["n"]}
        for row in by_source
    ]
    for key in ("achievements_total", *(f"achievements_{k}" for k in AchievementType.values)):
        sources[key] = {"kind": "achievements", "n": values["achievements_total"]}

    # Part 3: deals by transfer, licence and equity, with the size bands; companies created.
    deals = list(counted_deals(organisation, year))
    total_amount = ZERO
    total_counts = {"count": 0, "count_1m": 0, "count_100m": 0}
    for mode in MODES:
        rows = [d for d in deals if d.mode == mode]
        amount = sum((d.price or ZERO for d in rows), ZERO)
        counts = {
            "count": len(rows),
            "count_1m": sum(1 for d in rows if (d.price or ZERO) >= BAND_1M),
            "count_100m": sum(1 for d in rows if (d.price or ZERO) >= BAND_100M),
        }
        values[f"{mode}_amount"] = money_json(amount)
        total_amount += amount
        for name, count in counts.items():
            values[f"{mode}_{name}"] = count
            total_counts[name] += count
        for name in ("amount", *counts):
            sources[f"{mode}_{name}"] = {"kind": "deals", "n": len(rows)}
    values["total_amount"] = money_json(total_amount)
    values.update({f"total_{name}": count for name, count in total_counts.items()})
    for name in ("amount", *total_counts):
        sources[f"total_{name}"] = {"kind": "deals", "n": total_counts["count"]}
    companies = {d.company_name.strip() for d in deals if d.mode == DealMode.EQUITY and d.company_name.strip()}
    values["companies_created"] = len(companies)
    sources["companies_created"] = {"kind": "deals", "n": sum(1 for d in deals if d.mode == DealMode.EQUITY)}

    # Part 4: registered technology contracts (development, consulting, service; transfer and licence to check).
    contracts = (
        counted_contracts(organisation, year)
        .values("category")
        .annotate(
            n=Count("id"),
            turnover_sum=Coalesce(Sum("turnover"), Value(ZERO), output_field=MONEY_FIELD),
            technical_sum=Coalesce(
                Sum(Coalesce(F("approved_technical_value"), F("declared_technical_value"))), Value(ZERO),
                output_field=MONEY_FIELD,
            ),
        )
    )
    by_category = {row["category"]: row for row in contracts}
    for category in SERVICE_CATEGORIES:
        row = by_category.get(category, {"n": 0, "turnover_sum": ZERO, "technical_sum": ZERO})
        values[f"{category}_count"] = row["n"]
        values[f"{category}_turnover"] = money_json(row["turnover_sum"])
        values[f"{category}_technical_value"] = money_json(row["technical_sum"])
        for suffix in ("count", "turnover", "technical_value"):
            sources[f"{category}_{suffix}"] = {"kind": "contracts", "n": row["n"]}
    for category in (Category.TRANSFER, Category.LICENCE):
        row = by_category.get(category, {"n": 0, "turnover_sum": ZERO})
        values[f"contracts_{category}_count"] = row["n"]
        values[f"contracts_{category}_turnover"] = money_json(row["turnover_sum"])
        for suffix in ("count", "turnover"):
            sources[f"contracts_{category}_{suffix}"] = {"kind": "contracts", "n": row["n"]}

    # Parts 4 and 5: rewards, part-time work and leave (the deals app's rule).
    rewards = reward_figures(organisation, year)
    for key in ("cash_amount", "equity_value", "tax_withheld"):
        values[key] = money_json(rewards.get(key))
        sources[key] = {"kind": "rewards", "n": None}
    values["equity_shares"] = str(Decimal(rewards.get("equity_shares") or 0))
    sources["equity_shares"] = {"kind": "rewards", "n": None}
    for key in ("cash_person_times", "equity_person_times"):
        values[key] = int(rewards.get(key) or 0)
        sources[key] = {"kind": "rewards", "n": values[key]}
    for key in ("part_time", "leave"):
        values[key] = int(rewards.get(key) or 0)
        sources[key] = {"kind": "mobility", "n": values[key]}

    for figure in FIGURES:
        if not figure.prefilled:
            sources[figure.key] = {"kind": "manual", "n": None}

    # Part 6: the project list (科技成果转化项目清单): every deal completed in the year, all modes.
    projects = [
        {
            "deal": d.pk,
            "achievement": d.achievement.name,
            "mode": d.mode,
            "counterparty": d.counterparty_name,
            "company": d.company_name,
            "amount": money_json(d.price),
            "completed_on": timezone.localdate(d.completed_at).isoformat() if d.completed_at else "",
            "contract": d.contract_id,
        }
        for d in deals
    ]
    return PlatformFigures(values=values, sources=sources, projects=projects,
                           achievements_by_source=achievements_by_source)


# ---------------------------------------------------------------- reports


def report_list(*, user: AnyUser, year: int | None = None) -> QuerySet[AnnualReport]:
    qs = AnnualReport.objects.select_related("organisation", "department").filter(report_visible_q(user))
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "organisation__name")


def report_get(*, user: AnyUser, pk: Any) -> AnnualReport:
    """One report; 404 when it does not exist or the user may not read it."""
    try:
        return (
            AnnualReport.objects.select_related("organisation", "organisation__supervising_department", "department")
            .prefetch_related("attachments")
            .filter(report_visible_q(user))
            .get(pk=pk)
        )
    except (AnnualReport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def review_queue(*, user: AnyUser) -> QuerySet[AnnualReport]:
    return (
        AnnualReport.objects.select_related("organisation", "department")
        .filter(review_queue_q(user))
        .order_by("year", "submitted_at", "id")
    )


# ---------------------------------------------------------------- the commission's overview


@dataclass
class UnitRow:
    organisation: Organisation
    report: AnnualReport | None
    status: str
    status_label: str
    submitted_on: datetime.date | None
    days_late: int | None
    overdue_days: int | None  # not submitted, past the unit deadline: computed on read
    department: Organisation | None
    copy: bool
    forwarded_on: datetime.date | None
    department_days_late: int | None


NOT_STARTED = "not_started"

# The indicators of the national summary reports (domain-spec §4) and the figure each sums.
INDICATOR_KEYS = (
    "transfer_count", "transfer_amount", "licence_count", "licence_amount", "equity_count", "equity_amount",
    "total_count", "total_amount", "total_count_1m", "total_count_100m",
    "development_turnover", "consulting_turnover", "service_turnover",
    "cash_amount", "cash_person_times", "equity_value", "equity_person_times",
    "part_time", "leave", "companies_created",
)


@dataclass
class Indicators:
    reports: int
    values: dict[str, Decimal]
    units_over_100m: int


def indicators(reports: list[AnnualReport]) -> Indicators:
    """Sums of the reports' figures as they count (the unit's corrections included)."""
    values = {key: ZERO for key in INDICATOR_KEYS}
    over = 0
    for report in reports:
        for key in INDICATOR_KEYS:
            values[key] += report.figure_decimal(key)
        if report.figure_decimal("total_amount") > BAND_100M:
            over += 1
    return Indicators(reports=len(reports), values=values, units_over_100m=over)


@dataclass
class Overview:
    year: int
    deadlines: rules.Deadlines
    rows: list[UnitRow]
    forwarded: Indicators
    handed_in: Indicators
    counts: dict[str, int]


def overview(*, year: int, today: datetime.date | None = None) -> Overview:
    """Every reporting unit with its report's state and lateness, and the indicators over the reports submitted
    to the commission (and, apart, over every report handed in). The caller checks it is the commission."""
    from techtransfer.reports.permissions import is_central

    today = today or timezone.localdate()
    deadlines = rules.deadlines_for(year)
    reports = {
        r.organisation_id: r
        for r in AnnualReport.objects.filter(year=year).select_related("department", "organisation")
    }
    rows: list[UnitRow] = []
    labels = dict(ReportStatus.choices)
    for unit in reporting_units():
        report = reports.get(unit.pk)
        status = report.status if report else NOT_STARTED
        submitted = report is not None and report.first_submitted_at is not None
        overdue = None
        if not submitted and today > deadlines.unit:
            overdue = (today - deadlines.unit).days
        rows.append(
            UnitRow(
                organisation=unit,
                report=report,
                status=status,
                status_label=str(labels.get(status, "")) if report else "",
                submitted_on=timezone.localdate(report.first_submitted_at) if submitted and report else None,
                days_late=report.days_late if report else None,
                overdue_days=overdue,
                department=(report.department if report and report.department_id else unit.supervising_department),
                copy=report.copy_to_commission if report else is_central(unit),
                forwarded_on=timezone.localdate(report.forwarded_at) if report and report.forwarded_at else None,
                department_days_late=report.department_days_late if report else None,
            )
        )
    in_year = list(reports.values())
    counts = Counter(row.status for row in rows)
    return Overview(
        year=year,
        deadlines=deadlines,
        rows=rows,
        forwarded=indicators([r for r in in_year if r.status == ReportStatus.FORWARDED]),
        handed_in=indicators([r for r in in_year if r.status in HANDED_IN_STATUSES]),
        counts=dict(counts),
    )
