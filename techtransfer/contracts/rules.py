"""Reading the dated rules: which rule set is in force on a day, which categories exist for a signing date,
the decision deadline and the registration number's format."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from techtransfer.contracts.models import ContractRuleSet
from techtransfer.core.calendar import add_working_days
from techtransfer.core.exceptions import ApplicationError

NO_RULE_SET = _("No contract rule set is in force on %(date)s; an administrator must add one.")


def rule_set_on(day: datetime.date) -> ContractRuleSet:
    """The rule set in force on `day` (the latest that started on or before it)."""
    rule_set = ContractRuleSet.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
    if rule_set is None:
        raise ApplicationError(str(NO_RULE_SET) % {"date": day.isoformat()})
    return rule_set


def categories_on(signed_on: datetime.date) -> dict[str, list[str]]:
    """{category: [sub-types]} for a contract signed on that day."""
    return dict(rule_set_on(signed_on).categories)


def decision_due(
    rule_set: ContractRuleSet, accepted_on: datetime.date, technical_value: Decimal, *, disputed: bool
) -> datetime.date:
    """The day by which the registration point must decide: the rule set's period, longer for large or disputed
    contracts where it says so, in working days (holidays and make-up working days as data) or calendar days."""
    days = rule_set.deadline_days
    if rule_set.large_threshold is not None and rule_set.large_deadline_days and (
        technical_value >= rule_set.large_threshold
    ):
        days = max(days, rule_set.large_deadline_days)
    if disputed and rule_set.disputed_deadline_days:
        days = max(days, rule_set.disputed_deadline_days)
    if rule_set.deadline_working_days:
        return add_working_days(accepted_on, days)
    return accepted_on + datetime.timedelta(days=days)


def refusal_grounds(rule_set: ContractRuleSet) -> list[dict[str, str]]:
    return list(rule_set.refusal_grounds)


def ground_text(ground: dict[str, str]) -> str:
    """A refusal ground as pages show it, in the active language: "B2 标的不明确……"."""
    english = (get_language() or "").startswith("en")
    return f"{ground['code']} {ground['en'] if english and ground.get('en') else ground['zh']}"


def grounds_text(rule_set: ContractRuleSet, codes: list[str]) -> list[str]:
    """The texts of the chosen grounds (a code the rule set no longer lists stays as it is)."""
    known = {g["code"]: g for g in rule_set.refusal_grounds}
    return [ground_text(known[code]) if code in known else code for code in codes]


def number_prefix(rule_set: ContractRuleSet, year: int, region: str) -> str:
    """The part of the number before the serial (the pattern must end with {serial})."""
    pattern = rule_set.number_pattern
    if not pattern.endswith("{serial}"):
        raise ApplicationError(f"The number pattern {pattern!r} must end with {{serial}}.")
    return pattern.removesuffix("{serial}").format(year=f"{year:04d}", region=region)
