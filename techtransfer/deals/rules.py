"""Which reward rule applies: the unit's own rule in force on the date, else the most specific rule set in
force there (Beijing's 条例 before national law for a Beijing unit). One place for the choice, used by the
deal's publicity period and by every reward plan."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from techtransfer.accounts.models import Organisation
from techtransfer.deals.choices import PROFIT_MODES, DealMode
from techtransfer.deals.models import RewardRuleSet, UnitRewardRule


def rule_set_for(organisation: Organisation, on: datetime.date) -> RewardRuleSet | None:
    """The rule set in force on `on` for the unit's region: the longest matching region prefix, then the
    latest `valid_from`."""
    code = organisation.region.code if organisation.region_id else ""
    candidates = [
        rule
        for rule in RewardRuleSet.objects.filter(valid_from__lte=on)
        if code.startswith(rule.region_prefix)
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda rule: (len(rule.region_prefix), rule.valid_from))


def unit_rule_for(organisation: Organisation, on: datetime.date) -> UnitRewardRule | None:
    return UnitRewardRule.objects.filter(organisation=organisation, valid_from__lte=on).order_by("-valid_from").first()


@dataclass(frozen=True)
class AppliedShare:
    """The share of the proceeds that goes to the contributors and where it comes from."""

    share: Decimal
    rule_set: RewardRuleSet
    unit_rule: UnitRewardRule | None
    profit_years: int
    profit_years_from: str

    @property
    def source(self) -> str:
        return self.unit_rule.title if self.unit_rule else self.rule_set.source


def share_for(organisation: Organisation, mode: str, on: datetime.date) -> AppliedShare | None:
    """The share for a mode on a date: the unit rule's value where it sets one, else the rule set's."""
    rule_set = rule_set_for(organisation, on)
    if rule_set is None:
        return None
    unit_rule = unit_rule_for(organisation, on)
    field = "equity_share" if mode == DealMode.EQUITY else "profit_share" if mode in PROFIT_MODES else "transfer_share"
    own = getattr(unit_rule, field) if unit_rule else None
    years = (unit_rule.profit_years if unit_rule and unit_rule.profit_years else None) or rule_set.profit_years
    return AppliedShare(
        share=own if own is not None else getattr(rule_set, field),
        rule_set=rule_set,
        unit_rule=unit_rule if own is not None else None,
        profit_years=years,
        profit_years_from=rule_set.profit_years_from,
    )
