"""Reading the dated report rules: the rule set in force on a day, and the release date a delay gives."""

from __future__ import annotations

import calendar
import datetime

from django.utils.translation import gettext_lazy as _

from techtransfer.core.exceptions import ApplicationError
from techtransfer.scireports.models import ReportRuleSet

NO_RULE_SET = _("No S&T report rule set is in force on %(date)s; an administrator must add one.")


def rule_set_on(day: datetime.date) -> ReportRuleSet:
    """The rule set in force on `day` (the latest that started on or before it)."""
    rule_set = ReportRuleSet.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
    if rule_set is None:
        raise ApplicationError(str(NO_RULE_SET) % {"date": day.isoformat()})
    return rule_set


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day when it is shorter: 31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
