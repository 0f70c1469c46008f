"""The deadlines of a reporting year: the commission's ReportingYear row when it set one, else the dated default
rule in force (DeadlineRule, rules/deadlines.json: units by 31 March of the following year, departments by
30 April, per 京政办发〔2016〕50号 task 3).

Reporting year Y means the data year Y; its report is due in year Y + 1.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from techtransfer.core.exceptions import ApplicationError
from techtransfer.reports.models import DeadlineRule, ReportingYear

NO_RULE = _("No deadline rule is in force for the reporting year %(year)s; the commission must set the deadlines.")


@dataclass(frozen=True)
class Deadlines:
    year: int
    unit: datetime.date
    department: datetime.date
    before: tuple[int, ...]
    after: tuple[int, ...]
    source: str
    overridden: bool


def _offsets(values: object) -> tuple[int, ...]:
    if not isinstance(values, list | tuple):
        return ()
    return tuple(sorted({int(v) for v in values if isinstance(v, int) and v > 0}, reverse=True))


def _safe_date(year: int, month: int, day: int) -> datetime.date:
    """The date, or the last day of the month when the day does not exist (29 February)."""
    while day > 28:
        try:
            return datetime.date(year, month, day)
        except ValueError:
            day -= 1
    return datetime.date(year, month, day)


def deadlines_for(year: int) -> Deadlines:
    """The deadlines and reminder offsets of reporting year `year` (ApplicationError if none is configured)."""
    row = ReportingYear.objects.filter(year=year).first()
    if row is not None:
        return Deadlines(
            year=year, unit=row.unit_deadline, department=row.department_deadline,
            before=_offsets(row.reminder_days_before), after=_offsets(row.reminder_days_after),
            source=row.source, overridden=True,
        )
    due_year = year + 1
    rule = DeadlineRule.objects.filter(valid_from__lte=datetime.date(due_year, 1, 1)).order_by("-valid_from").first()
    if rule is None:
        raise ApplicationError(str(NO_RULE) % {"year": year})
    return Deadlines(
        year=year,
        unit=_safe_date(due_year, rule.unit_month, rule.unit_day),
        department=_safe_date(due_year, rule.department_month, rule.department_day),
        before=_offsets(rule.reminder_days_before),
        after=_offsets(rule.reminder_days_after),
        source=rule.source,
        overridden=False,
    )


def days_late(deadline: datetime.date, on: datetime.date) -> int:
    """Whole days after the deadline (0 on or before it)."""
    return max(0, (on - deadline).days)
