"""HTML input for the deal pages. Forms parse and present; the rules live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.models import Organisation
from techtransfer.achievements.choices import Status as AchievementStatus
from techtransfer.achievements.forms import DateInput
from techtransfer.achievements.models import Achievement
from techtransfer.contracts.models import TechnologyContract
from techtransfer.core.forms import NamedErrorsMixin, OneTimeFormMixin
from techtransfer.deals import services
from techtransfer.deals.choices import PRICED_MODES, PROFIT_MODES, DealMode, PricingMethod
from techtransfer.deals.models import Deal
from techtransfer.deals.selectors import unit_registered_contracts
from techtransfer.lib.validators import NOTE_MAX_LENGTH

WIDE_FIELDS = {"summary", "due_diligence", "auction_result"}
# The sections of the form; the mode-dependent fields between them are rendered by `mode_fields`.
BASE_SECTIONS: list[tuple[Any, list[str]]] = [
    (_("The achievement and the counterparty"),
     ["achievement", "mode", "counterparty_name", "counterparty", "summary"]),
]
DECISION_SECTION: list[tuple[Any, list[str]]] = [
    (_("Collective decision and due diligence"), ["decision_date", "decision_meeting", "due_diligence"]),
    (_("Conclusion"), ["signed_on", "contract"]),
]


def mode_field_names(mode: str, pricing_method: str) -> list[str]:
    """The fields that belong to a mode and pricing method (all of them while no mode is chosen yet, so the
    form works without scripts); the service clears the others on save."""
    if not mode:
        return list(services.LICENCE_FIELDS + services.PRICING_FIELDS + services.EQUITY_FIELDS
                    + ["first_profitable_year"])
    names: list[str] = []
    if mode == DealMode.LICENCE:
        names += services.LICENCE_FIELDS
    if mode in PRICED_MODES:
        names += ["pricing_method", "price"]
        if pricing_method in ("", PricingMethod.LISTED):
            names += services.LISTING_FIELDS
        if pricing_method in ("", PricingMethod.AUCTION):
            names += services.AUCTION_FIELDS
    if mode == DealMode.EQUITY:
        names += services.EQUITY_FIELDS
    if mode == DealMode.EQUITY or mode in PROFIT_MODES:
        names.append("first_profitable_year")
    return names


class DealForm(OneTimeFormMixin, NamedErrorsMixin, forms.ModelForm):
    """The deal's fields (services.DEAL_FIELDS); the mode decides which of the middle section are shown."""

    wide_fields = WIDE_FIELDS

    class Meta:
        model = Deal
        fields = services.DEAL_FIELDS
        widgets = {
            "decision_date": DateInput(),
            "signed_on": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "due_diligence": forms.Textarea(attrs={"rows": 5}),
            "auction_result": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, owner: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.fields["achievement"].queryset = Achievement.objects.filter(owner=owner).exclude(
            status=AchievementStatus.WITHDRAWN
        ).order_by("-created")
        self.fields["achievement"].help_text = _("Registered or published before the deal is publicised or completed.")
        self.fields["counterparty"].queryset = Organisation.objects.filter(is_verified=True).exclude(
            pk=owner.pk
        ).order_by("name")
        contracts = unit_registered_contracts(owner_id=owner.pk)
        self.fields["contract"].queryset = contracts
        self.fields["contract"].label_from_instance = _contract_label
        self.fields["contract"].help_text = _("The unit's registered technology contract for this deal, if any.")
        # Hidden-by-mode fields come back empty; the service decides what each mode needs.
        for name in services.DEAL_FIELDS:
            if name not in ("achievement", "mode"):
                self.fields[name].required = False
        # On change, the mode-dependent fields are fetched again for the mode and pricing chosen (htmx).
        refresh = {"hx-get": reverse("deals:mode_fields"), "hx-trigger": "change", "hx-target": "#mode-fields",
                   "hx-include": "closest form", "hx-swap": "innerHTML"}
        self.fields["mode"].widget.attrs.update(refresh)
        self.fields["pricing_method"].widget.attrs.update(refresh)

    def mode_value(self) -> str:
        return str(self["mode"].value() or "")

    def pricing_value(self) -> str:
        return str(self["pricing_method"].value() or "")

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in BASE_SECTIONS]

    def mode_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in mode_field_names(self.mode_value(), self.pricing_value())]

    def decision_sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in DECISION_SECTION]

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in services.DEAL_FIELDS if name in self.cleaned_data}


def _contract_label(contract: TechnologyContract) -> str:
    return f"{contract.number or contract.pk} · {contract.project_name}"


class UnitForm(forms.Form):
    """For people in more than one unit: which one records the deal."""

    owner = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("unit"))

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = organisations


class CompleteForm(forms.Form):
    """Completing a deal: when it was signed and its registered technology contract, if any."""

    signed_on = forms.DateField(label=_("signed on"), required=False, widget=DateInput())
    contract = forms.ModelChoiceField(
        label=_("registered technology contract"), queryset=TechnologyContract.objects.none(), required=False,
        help_text=_("The unit's registered technology contract for this deal, if any."),
    )

    def __init__(self, *args: Any, owner_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contract_field: forms.ModelChoiceField = self.fields["contract"]  # type: ignore[assignment]
        contract_field.queryset = unit_registered_contracts(owner_id=owner_id)
        contract_field.label_from_instance = _contract_label  # type: ignore[method-assign]


class LinkContractForm(forms.Form):
    contract = forms.ModelChoiceField(
        label=_("registered technology contract"), queryset=TechnologyContract.objects.none(), required=False
    )

    def __init__(self, *args: Any, owner_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contract_field: forms.ModelChoiceField = self.fields["contract"]  # type: ignore[assignment]
        contract_field.queryset = unit_registered_contracts(owner_id=owner_id)
        contract_field.label_from_instance = _contract_label  # type: ignore[method-assign]


class ContactInput(forms.TextInput):
    """The objector's contact details are never written back into a page, not even the form shown again."""

    def format_value(self, value: Any) -> str | None:
        return None


class ObjectionForm(NamedErrorsMixin, forms.Form):
    """An objection to a publicised price: anyone may lodge one; the contact is for the unit only."""

    name = forms.CharField(label=_("your name"), max_length=100)
    contact = forms.CharField(
        label=_("contact (phone or e-mail)"), max_length=200, widget=ContactInput(attrs={"autocomplete": "off"}),
        help_text=_("Seen only by the unit, to answer you; never shown on the public site."),
    )
    text = forms.CharField(label=_("objection"), max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}))


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("the unit's answer"), max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
