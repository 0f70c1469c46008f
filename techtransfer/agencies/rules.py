"""When the annual filing of a year is due, and which year a day's filing obligation is about.

The figures of year Y are filed by the deadline of year Y: the commission's FilingYear row when it set one,
else the dated default rule in force (FilingRule, rules/filing.json: 31 March of year Y + 1). The date is
UNCONFIRMED (no text the project found fixes it): it is data, changed in the admin, never a constant here.
"""

from __future__ import annotations

import datetime

from techtransfer.agencies.models import FilingRule, FilingYear


def _safe_date(year: int, month: int, day: int) -> datetime.date:
    """The date, or the last day of the month when the day does not exist (29 February, 31 April)."""
    while day > 28:
        try:
            return datetime.date(year, month, day)
        except ValueError:
            day -= 1
    return datetime.date(year, month, day)


def filing_deadline(year: int) -> datetime.date | None:
    """The last day to file the figures of `year` (None when no rule covers it: nothing lapses for it)."""
    row = FilingYear.objects.filter(year=year).first()
    if row is not None:
        return row.deadline
    due_year = year + 1
    rule = FilingRule.objects.filter(valid_from__lte=datetime.date(due_year, 1, 1)).order_by("-valid_from").first()
    if rule is None:
        return None
    return _safe_date(due_year, rule.due_month, rule.due_day)


def current_period(today: datetime.date) -> int | None:
    """The latest year whose filing deadline has passed on `today`: the filing a listed agency must have made
    by now (None when no deadline has passed yet, e.g. before any rule)."""
    for year in (today.year - 1, today.year - 2):
        deadline = filing_deadline(year)
        if deadline is not None and deadline < today:
            return year
    return None


def owes(listed_since: datetime.date | None, year: int) -> bool:
    """An agency owes the filing of `year` if it was listed in or before that year."""
    return listed_since is not None and listed_since.year <= year


def fileable_years(listed_since: datetime.date | None, today: datetime.date) -> list[int]:
    """The years whose figures may be filed on `today`, newest first: every ended year since the listing."""
    if listed_since is None:
        return []
    return list(range(today.year - 1, listed_since.year - 1, -1))
