"""Reads of S&T reports, always through the permission filter, and the commission's coverage of funded projects.

Coverage mirrors achievements.funded (which projects owe an achievement record): a funded project of a unit
on the platform is reported when one of its reports is submitted or accepted; `ended_only` limits the count
to projects whose funding period has ended (FundedProject.end before today).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from techtransfer.accounts.models import Organisation
from techtransfer.accounts.permissions import AnyUser
from techtransfer.achievements.models import FundedProject
from techtransfer.scireports.choices import REPORTED_STATUSES, ReportStatus, ReportType
from techtransfer.scireports.models import ReportReminder, ScienceReport
from techtransfer.scireports.permissions import decision_queue_q, public_q, report_visible_q, reporting_units


def _related(qs: QuerySet[ScienceReport]) -> QuerySet[ScienceReport]:
    return qs.select_related("owner", "project", "project__programme")


def _search(qs: QuerySet[ScienceReport], filters: dict[str, Any]) -> QuerySet[ScienceReport]:
    text = (filters.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(keywords__icontains=text) | Q(number=text))
    if filters.get("report_type") in ReportType.values:
        qs = qs.filter(report_type=filters["report_type"])
    if filters.get("programme"):
        qs = qs.filter(project__programme__code=filters["programme"])
    return qs


def report_public_list(*, filters: dict[str, Any] | None = None) -> QuerySet[ScienceReport]:
    """What the public reads (permissions.public_q), newest release first; filters: q, report_type, programme."""
    qs = _related(ScienceReport.objects.filter(public_q()))
    return _search(qs, filters or {}).order_by("-public_from", "-id")


def report_list(*, user: AnyUser, filters: dict[str, Any] | None = None) -> QuerySet[ScienceReport]:
    """The reports the user may read; filters: q, report_type, programme, status, mine (only their units')."""
    filters = filters or {}
    qs = _related(ScienceReport.objects.filter(report_visible_q(user)))
    if filters.get("mine"):
        from techtransfer.accounts.permissions import org_ids

        qs = qs.filter(owner_id__in=org_ids(user))
    if filters.get("status") in ReportStatus.values:
        qs = qs.filter(status=filters["status"])
    return _search(qs, filters)


def report_get(*, user: AnyUser, pk: Any) -> ScienceReport:
    """One report the user may read with its parts; 404 otherwise (the title is not told either)."""
    try:
        return (
            _related(ScienceReport.objects.filter(report_visible_q(user)))
            .prefetch_related("ip_items", "achievements")
            .get(pk=pk)
        )
    except (ScienceReport.DoesNotExist, ValueError, TypeError):
        raise Http404("No such report") from None


def report_decision_queue(*, user: AnyUser) -> QuerySet[ScienceReport]:
    """Reports waiting for this commission administrator's acceptance, oldest first."""
    return _related(ScienceReport.objects.filter(decision_queue_q(user))).order_by("submitted_at", "id")


# ---------------------------------------------------------------------------------------------------------
# Coverage


def _reported(statuses: Any) -> Exists:
    return Exists(ScienceReport.objects.filter(project=OuterRef("pk"), status__in=list(statuses)))


def coverage_projects(*, ended_only: bool = True, today: datetime.date | None = None) -> QuerySet[FundedProject]:
    """Funded projects of units on the platform, each with `accepted` (an accepted report) and `reported`
    (a submitted or accepted one)."""
    qs = FundedProject.objects.filter(organisation__isnull=False).annotate(
        accepted=_reported([ReportStatus.ACCEPTED]), reported=_reported(REPORTED_STATUSES)
    )
    if ended_only:
        qs = qs.filter(end__lt=today or timezone.localdate())
    return qs


def projects_missing(
    *, organisation: Organisation | None = None, ended_only: bool = True, today: datetime.date | None = None
) -> QuerySet[FundedProject]:
    """The funded projects without a submitted or accepted report (of one unit, when given)."""
    qs = coverage_projects(ended_only=ended_only, today=today).filter(
        reported=False  # type: ignore[misc]  # an annotation of coverage_projects, unknown to the plugin
    )
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.select_related("programme", "organisation").order_by("end", "grant_number")


def units_missing(*, ended_only: bool = True) -> QuerySet[Organisation]:
    ids = projects_missing(ended_only=ended_only).values("organisation_id")
    return Organisation.objects.filter(pk__in=ids).order_by("name")


@dataclass
class CoverageRow:
    """One unit's or programme's count: `all` funded projects, `finished` ones, and within the scope asked
    (finished only or all) how many have an accepted report, a submitted one only, and none."""

    key: Any
    label: str
    all: int
    finished: int
    in_scope: int
    accepted: int
    submitted: int
    missing: int
    last_reminded: datetime.datetime | None = None


def _counts(group: str, ended_only: bool, today: datetime.date) -> dict[Any, dict[str, int]]:
    finished = Q(end__lt=today)
    scope = finished if ended_only else Q()
    rows = (
        coverage_projects(ended_only=False, today=today)
        .values(group)
        .annotate(
            all=Count("pk"),
            finished=Count("pk", filter=finished),
            in_scope=Count("pk", filter=scope),
            accepted_n=Count("pk", filter=scope & Q(accepted=True)),
            submitted_n=Count("pk", filter=scope & Q(accepted=False, reported=True)),
            missing_n=Count("pk", filter=scope & Q(reported=False)),
        )
        .order_by()
    )
    return {row[group]: row for row in rows}


def _row(key: Any, label: str, c: dict[str, int]) -> CoverageRow:
    return CoverageRow(
        key=key, label=label, all=c["all"], finished=c["finished"], in_scope=c["in_scope"],
        accepted=c["accepted_n"], submitted=c["submitted_n"], missing=c["missing_n"],
    )


def coverage_by_unit(*, ended_only: bool = True, today: datetime.date | None = None) -> list[CoverageRow]:
    """Per unit, the most missing first, with when the commission last reminded it."""
    today = today or timezone.localdate()
    counts = _counts("organisation_id", ended_only, today)
    names = dict(Organisation.objects.filter(pk__in=counts).values_list("pk", "name"))
    reminded = dict(
        ReportReminder.objects.filter(organisation_id__in=counts)
        .values("organisation_id").annotate(last=Max("at")).values_list("organisation_id", "last")
    )
    rows = [_row(pk, names.get(pk, ""), c) for pk, c in counts.items()]
    for row in rows:
        row.last_reminded = reminded.get(row.key)
    return sorted(rows, key=lambda r: (-r.missing, r.label))


def coverage_by_programme(*, ended_only: bool = True, today: datetime.date | None = None) -> list[CoverageRow]:
    today = today or timezone.localdate()
    counts = _counts("programme_id", ended_only, today)
    from techtransfer.core.models import CodeItem

    items = {item.pk: item for item in CodeItem.objects.filter(pk__in=counts)}
    rows = [_row(items[pk].code, items[pk].label, c) for pk, c in counts.items()]
    return sorted(rows, key=lambda r: (-r.missing, r.label))


def reminders_of(*, organisation: Organisation) -> QuerySet[ReportReminder]:
    return ReportReminder.objects.filter(organisation=organisation).select_related("by").prefetch_related("projects")


def unit_projects(*, organisation_ids: set[int]) -> QuerySet[FundedProject]:
    """The funded projects of the user's units, each with `reported` and `accepted` (the unit's own list)."""
    return (
        coverage_projects(ended_only=False)
        .filter(organisation_id__in=organisation_ids)
        .select_related("programme", "organisation")
        .order_by("reported", "end", "grant_number")
    )


def has_funded_projects(user: AnyUser) -> bool:
    """Whether the user edits for a unit that hosts funded projects (which owe S&T reports)."""
    units = reporting_units(user)
    return bool(units) and FundedProject.objects.filter(organisation_id__in=units).exists()
