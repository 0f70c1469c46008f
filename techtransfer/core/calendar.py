"""The working-day calendar of mainland China: public holidays and make-up working days (调休上班) as data.

A day is a working day when it is a Monday to Friday that is not a listed holiday, or a listed make-up working day
(a Saturday or Sunday worked in exchange for a holiday). The listed days are the rows of core.CalendarDay.

Where the rows come from
    `calendar_load()` copies them from the PyPI package chinesecalendar (import name chinese_calendar, pinned in
    requirements.txt) on every migrate, test databases included. Version 1.11.0 covers 2004 to 2026. Only rows that
    differ are written; rows whose source names the package follow it (a row the package drops is removed), and any
    other row, such as one an administrator entered, is never touched and wins over the package for its date.

A year the package does not have yet (2027, until a newer release)
    The State Council publishes each year's holidays around November of the year before. Until the package has them,
    an administrator adds them in the admin under Core › Calendar days (/admin/core/calendarday/): one row per day
    off with kind "public holiday" (weekend days of the period may be added too; they change nothing), and one per
    weekend day worked with kind "make-up working day", with the notice as their source. Rows entered there survive
    every later load. Until then, such a year counts Monday to Friday as working days, and a warning is logged once
    per process for each such year.

The rows are read once per process and kept; saving or deleting a CalendarDay (admin included) clears the copy of
the process that did it, and every process reads the rows again after CACHE_SECONDS, so an edit reaches all web
workers within that time. Tests that add rows inside a transaction that is rolled back should call
`calendar_cache_clear()` when they finish.
"""

from __future__ import annotations

import logging
import time
from datetime import date, datetime, timedelta
from importlib.metadata import version
from typing import Any

from django.db import transaction

from techtransfer.core.models import CalendarDay, CalendarDayKind

logger = logging.getLogger(__name__)

PACKAGE = "chinesecalendar"
CACHE_SECONDS = 300.0

# The package names its holidays in English (chinese_calendar.constants.Holiday).
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}

_cache: tuple[float, dict[date, str], frozenset[int]] | None = None
_warned_years: set[int] = set()


def package_source() -> str:
    """The source written on the rows the package gave, e.g. "chinesecalendar 1.11.0"."""
    return f"{PACKAGE} {version(PACKAGE)}"


def _from_package(row: CalendarDay) -> bool:
    return row.source.startswith(PACKAGE)


def package_days() -> dict[date, tuple[str, str]]:
    """{date: (kind, Chinese name)} for every day the package lists."""
    from chinese_calendar import constants

    days: dict[date, tuple[str, str]] = {
        day: (CalendarDayKind.HOLIDAY.value, HOLIDAY_NAMES_ZH.get(name, name))
        for day, name in constants.holidays.items()
    }
    for day, name in constants.workdays.items():
        days[day] = (CalendarDayKind.WORKDAY.value, HOLIDAY_NAMES_ZH.get(name, name))
    return days


@transaction.atomic
def calendar_load() -> int:
    """Bring the package's days into CalendarDay; returns the number of rows written (created, changed or removed)."""
    source = package_source()
    wanted = package_days()
    existing = {row.date: row for row in CalendarDay.objects.all()}
    created: list[CalendarDay] = []
    changed: list[CalendarDay] = []
    for day, (kind, name) in sorted(wanted.items()):
        row = existing.get(day)
        if row is None:
            created.append(CalendarDay(date=day, kind=kind, name=name, source=source))
        elif _from_package(row) and (row.kind, row.name, row.source) != (kind, name, source):
            row.kind, row.name, row.source = kind, name, source
            changed.append(row)
        # Otherwise the package's row is up to date, or the row was entered by hand: it stays and wins.
    dropped = [row.pk for day, row in existing.items() if day not in wanted and _from_package(row)]
    if created:
        CalendarDay.objects.bulk_create(created, batch_size=500)
    if changed:
        CalendarDay.objects.bulk_update(changed, ["kind", "name", "source"], batch_size=500)
    if dropped:
        CalendarDay.objects.filter(pk__in=dropped).delete()
    written = len(created) + len(changed) + len(dropped)
    if written:
        # Bulk writes send no signals.
        transaction.on_commit(calendar_cache_clear)
        calendar_cache_clear()
    return written


def calendar_cache_clear(**kwargs: Any) -> None:
    """Forget the rows read (connected to CalendarDay's post_save and post_delete)."""
    global _cache
    _cache = None


def _rows() -> tuple[dict[date, str], frozenset[int]]:
    """{date: kind} of every listed day, and the years that have any."""
    global _cache
    cached = _cache
    now = time.monotonic()
    if cached is None or now - cached[0] > CACHE_SECONDS:
        days = dict(CalendarDay.objects.values_list("date", "kind"))
        cached = (now, days, frozenset(day.year for day in days))
        _cache = cached
    return cached[1], cached[2]


def covered_years() -> set[int]:
    """The years with at least one listed day (the package's, and those an administrator added)."""
    return set(_rows()[1])


def _check(day: date) -> date:
    if isinstance(day, datetime):
        raise TypeError("Pass a date, not a datetime (timezone.localdate(value) gives the local date).")
    return day


def _is_working_day(day: date, rows: tuple[dict[date, str], frozenset[int]]) -> bool:
    days, years = rows
    kind = days.get(day)
    if kind == CalendarDayKind.WORKDAY:
        return True
    if kind == CalendarDayKind.HOLIDAY:
        return False
    if day.year not in years and day.year not in _warned_years:
        _warned_years.add(day.year)
        logger.warning(
            "The working-day calendar has no holidays for %s: Monday to Friday count as working days. "
            "Add that year's holidays and make-up working days in the admin (Core › Calendar days).",
            day.year,
        )
    return day.weekday() < 5


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a public holiday, or a make-up working day."""
    return _is_working_day(_check(day), _rows())


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start` (which does not count, whether or not it is a working day).

    n = 0 gives `start` itself; a negative n counts back: the |n|-th working day before `start`.
    """
    day = _check(start)
    rows = _rows()
    step = timedelta(days=1 if n >= 0 else -1)
    remaining = abs(n)
    while remaining:
        day += step
        if _is_working_day(day, rows):
            remaining -= 1
    return day


def working_days_between(a: date, b: date) -> int:
    """The working days after `a` up to and including `b`; when `b` is before `a`, minus the working days after `b`
    up to and including `a` (a deadline `b` passed by 3 working days on day `a` gives -3).

    So the count from a day to itself is 0, and `add_working_days(a, working_days_between(a, b)) == b` whenever `b`
    is a working day on or after `a`.
    """
    a, b = _check(a), _check(b)
    if b < a:
        return -working_days_between(b, a)
    rows = _rows()
    return sum(1 for offset in range(1, (b - a).days + 1) if _is_working_day(a + timedelta(days=offset), rows))
