"""HTML input for the investment pages. Forms parse and present; the rules live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from techtransfer.core.models import CodeItem
from techtransfer.investment.choices import InvestorKind, Stage
from techtransfer.investment.models import MONEY, FundingProject, Investor
from techtransfer.lib.validators import NOTE_MAX_LENGTH, SUMMARY_MAX_LENGTH

MAX_QUERY_CHARS = 200
PAGE_SIZE = 20
FACET_TITLES = {"kind": _("Kind"), "field": _("Focus field"), "stage": _("Stage")}
WIDE_FIELDS = {"description", "summary", "message", "name", "title"}
MONEY_FIELD = {"max_digits": MONEY["max_digits"], "decimal_places": MONEY["decimal_places"], "min_value": 0}


class CodeItemLabelField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.label)


class CodeItemsLabelField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.label)


def _codes(table: str) -> QuerySet[CodeItem]:
    return CodeItem.objects.current(table).order_by("code")


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=MAX_QUERY_CHARS)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", "—"), *InvestorKind.choices])
    field = forms.CharField(label=_("Focus field"), required=False, max_length=20)
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=[("", "—"), *Stage.choices])
    page = forms.IntegerField(required=False, min_value=1, max_value=1000)

    def params(self) -> dict[str, Any]:
        """The valid filters (an invalid value is ignored rather than an error on a public list)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) for name in ("q", "kind", "field", "stage") if data.get(name)}


class InvestorForm(forms.Form):
    wide_fields = WIDE_FIELDS

    name = forms.CharField(label=_("name"), max_length=200)
    name_en = forms.CharField(label=_("name in English"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=InvestorKind.choices)
    focus_fields = CodeItemsLabelField(label=_("focus fields"), queryset=CodeItem.objects.none(), required=False,
                                 widget=forms.CheckboxSelectMultiple)
    stages = forms.MultipleChoiceField(label=_("stages"), choices=Stage.choices, widget=forms.CheckboxSelectMultiple,
                                       required=False)
    ticket_min = forms.DecimalField(label=_("smallest ticket (yuan)"), **MONEY_FIELD)
    ticket_max = forms.DecimalField(label=_("largest ticket (yuan)"), **MONEY_FIELD)
    regions = CodeItemsLabelField(label=_("regions invested in"), queryset=CodeItem.objects.none(), required=False,
                                  help_text=_("None: anywhere."), widget=forms.SelectMultiple(attrs={"size": 5}))
    description = forms.CharField(label=_("description"), max_length=SUMMARY_MAX_LENGTH, required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, investor: Investor | None = None, **kwargs: Any) -> None:
        if investor is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": investor.name, "name_en": investor.name_en, "kind": investor.kind,
                "focus_fields": list(investor.fields.all()), "stages": investor.stage_list,
                "ticket_min": investor.ticket_min, "ticket_max": investor.ticket_max,
                "regions": list(investor.regions.all()), "description": investor.description,
            }
        super().__init__(*args, **kwargs)
        self.fields["focus_fields"].queryset = _codes("high_tech_field")  # type: ignore[attr-defined]
        self.fields["regions"].queryset = _codes("region").filter(code__endswith="00")  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["fields"] = list(data.pop("focus_fields", None) or [])
        data["regions"] = list(data.get("regions") or [])
        return data


class ProjectForm(forms.Form):
    wide_fields = WIDE_FIELDS

    title = forms.CharField(label=_("title"), max_length=200)
    summary = forms.CharField(label=_("summary"), max_length=SUMMARY_MAX_LENGTH,
                              widget=forms.Textarea(attrs={"rows": 5}))
    amount = forms.DecimalField(label=_("amount sought (yuan)"), **MONEY_FIELD)
    stage = forms.ChoiceField(label=_("stage"), choices=Stage.choices)
    field = CodeItemLabelField(label=_("technical field"), queryset=CodeItem.objects.none())
    achievement = forms.ModelChoiceField(label=_("achievement"), queryset=CodeItem.objects.none(), required=False)
    deal = forms.ModelChoiceField(label=_("transformation deal"), queryset=CodeItem.objects.none(), required=False)

    def __init__(self, *args: Any, achievements: QuerySet[Any], deals: QuerySet[Any],
                 project: FundingProject | None = None, **kwargs: Any) -> None:
        if project is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": project.title, "summary": project.summary, "amount": project.amount,
                "stage": project.stage, "field": project.field, "achievement": project.achievement,
                "deal": project.deal,
            }
        super().__init__(*args, **kwargs)
        self.fields["field"].queryset = _codes("high_tech_field")  # type: ignore[attr-defined]
        self.fields["achievement"].queryset = achievements  # type: ignore[attr-defined]
        self.fields["deal"].queryset = deals  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class SendForm(forms.Form):
    investor = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    message = forms.CharField(label=_("message"), max_length=NOTE_MAX_LENGTH, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class InvestForm(forms.Form):
    amount = forms.DecimalField(label=_("amount invested (yuan)"), **MONEY_FIELD)
    invested_on = forms.DateField(label=_("invested on"), widget=forms.DateInput(attrs={"type": "date"}))
