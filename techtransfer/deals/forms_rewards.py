"""HTML input for the income-distribution pages. Forms parse and present; the rules live in services_rewards.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techtransfer.achievements.forms import DateInput
from techtransfer.core.forms import NamedErrorsMixin
from techtransfer.deals.choices import PROFIT_MODES, CostKind, DealMode, MobilityKind, RewardForm
from techtransfer.deals.models import Deal

MONEY = {"max_digits": 16, "decimal_places": 2}
SHARES = {"max_digits": 18, "decimal_places": 4}
FRACTION = {"max_digits": 5, "decimal_places": 4, "min_value": Decimal("0"), "max_value": Decimal("1")}


class PlanForm(NamedErrorsMixin, forms.Form):
    """The income a plan distributes; which figures it asks for depends on the deal's mode."""

    income_date = forms.DateField(
        label=_("income received on"), widget=DateInput(),
        help_text=_("The date of the income (or the end of the profit year): it chooses the rule in force."),
    )
    gross_income = forms.DecimalField(label=_("gross income (元)"), min_value=Decimal("0"), **MONEY)
    shares_formed = forms.DecimalField(
        label=_("shares formed"), min_value=Decimal("0"), required=False, **SHARES,
        help_text=_("For 作价投资: the shares the contribution formed (the deal's shares if left empty)."),
    )
    profit_year = forms.IntegerField(label=_("profit year"), min_value=1990, max_value=2100)
    operating_profit = forms.DecimalField(
        label=_("operating profit (元)"), **MONEY,
        help_text=_("The year's operating profit from implementing the achievement (a loss gives no reward)."),
    )

    def __init__(self, *args: Any, deal: Deal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = {"income_date"}
        if deal.mode in (DealMode.TRANSFER, DealMode.LICENCE):
            keep.add("gross_income")
        elif deal.mode == DealMode.EQUITY:
            keep.add("shares_formed")
        elif deal.mode in PROFIT_MODES:
            keep |= {"profit_year", "operating_profit"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class CostForm(NamedErrorsMixin, forms.Form):
    """One deduction from the gross income with its evidence (条例 Art. 12)."""

    kind = forms.ChoiceField(label=_("kind"), choices=CostKind.choices)
    description = forms.CharField(label=_("description"), max_length=200)
    amount = forms.DecimalField(label=_("amount (元)"), min_value=Decimal("0"), **MONEY)
    evidence = forms.FileField(label=_("evidence (PDF)"), required=False)


class AllocationForm(NamedErrorsMixin, forms.Form):
    """One person's reward: a completing person of the achievement or another name; cash or equity."""

    person = forms.ModelChoiceField(
        label=_("completing person"), queryset=None, required=False, empty_label=_("— another person —")
    )
    person_name = forms.CharField(
        label=_("person"), max_length=100, required=False,
        help_text=_("For someone not on the achievement's list of completing persons."),
    )
    is_main_contributor = forms.BooleanField(label=_("main contributor (主要贡献人员)"), required=False)
    is_leader = forms.BooleanField(label=_("leader (领导人员)"), required=False)
    is_unit_head = forms.BooleanField(label=_("unit head (正职领导)"), required=False)
    form = forms.ChoiceField(label=_("form"), choices=RewardForm.choices, initial=RewardForm.CASH)
    amount = forms.DecimalField(label=_("amount (元)"), min_value=Decimal("0"), required=False, **MONEY)
    shares = forms.DecimalField(label=_("shares"), min_value=Decimal("0"), required=False, **SHARES)

    def __init__(self, *args: Any, deal: Deal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = deal.achievement.persons.order_by("position")  # type: ignore[attr-defined]
        if deal.mode != DealMode.EQUITY:
            self.fields["form"].choices = [(RewardForm.CASH, RewardForm.CASH.label)]
            del self.fields["shares"]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.setdefault("shares", None)
        return data


class PaymentForm(NamedErrorsMixin, forms.Form):
    paid_on = forms.DateField(label=_("paid on"), widget=DateInput())
    amount = forms.DecimalField(label=_("amount (元)"), min_value=Decimal("0"), required=False, **MONEY)
    shares = forms.DecimalField(label=_("shares"), min_value=Decimal("0"), required=False, **SHARES)
    tax_withheld = forms.DecimalField(label=_("tax withheld (元)"), min_value=Decimal("0"), required=False, **MONEY)


class MobilityForm(NamedErrorsMixin, forms.Form):
    """Part-time work or leave to start a business (兼职、离岗创业)."""

    organisation = forms.ModelChoiceField(label=_("unit"), queryset=None, empty_label=None)
    person_name = forms.CharField(label=_("person"), max_length=100)
    kind = forms.ChoiceField(label=_("kind"), choices=MobilityKind.choices)
    enterprise = forms.CharField(label=_("enterprise"), max_length=200)
    start = forms.DateField(label=_("start"), widget=DateInput())
    end = forms.DateField(label=_("end"), widget=DateInput(), required=False)
    deal = forms.ModelChoiceField(label=_("related deal"), queryset=None, required=False)
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)

    def __init__(self, *args: Any, organisations: Any, deals: Any, fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["deal"].queryset = deals  # type: ignore[attr-defined]
        if fixed:
            del self.fields["organisation"]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("organisation", None)
        return data


class UnitRuleForm(NamedErrorsMixin, forms.Form):
    """The unit's own reward rule (Law Art. 44; 条例 Art. 12 ¶2); a share left empty keeps the default."""

    organisation = forms.ModelChoiceField(label=_("unit"), queryset=None, empty_label=None)
    valid_from = forms.DateField(label=_("valid from"), widget=DateInput())
    title = forms.CharField(label=_("document"), max_length=200,
                            help_text=_("The title and number of the unit's rule."))
    transfer_share = forms.DecimalField(label=_("share of net transfer or licence income"), required=False,
                                        help_text=_("A fraction: 0.8 for 80%."), **FRACTION)
    equity_share = forms.DecimalField(label=_("share of the shares formed (作价投资)"), required=False, **FRACTION)
    profit_share = forms.DecimalField(label=_("share of operating profit (own or joint implementation)"),
                                      required=False, **FRACTION)
    profit_years = forms.IntegerField(label=_("years of the profit share"), required=False, min_value=1,
                                      max_value=10)

    def __init__(self, *args: Any, organisations: Any, fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        if fixed:
            del self.fields["organisation"]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("organisation", None)
        return data
