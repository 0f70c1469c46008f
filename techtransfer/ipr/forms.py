"""HTML input for the IP pages. Forms parse and present; the rules live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.models import Organisation
from techtransfer.achievements.forms import CodeItemChoiceField, DateInput, ImportModeField
from techtransfer.core.forms import NamedErrorsMixin, OneTimeFormMixin
from techtransfer.core.models import CodeItem
from techtransfer.ipr import services
from techtransfer.ipr.choices import FEE_WINDOW_MAX_DAYS, IPType
from techtransfer.ipr.models import FeeEvent, IPRecord
from techtransfer.lib.tables import list_split

MAX_QUERY_CHARS = 200
YEAR_MIN, YEAR_MAX = 1985, 2100  # the Chinese patent law took effect on 1985-04-01

FIELDSETS: list[tuple[Any, list[str]]] = [
    (_("The right"), ["ip_type", "number", "title", "abstract", "field"]),
    (_("Dates and status"), ["application_date", "grant_date", "legal_status"]),
    (_("Holders and inventors"), ["holders", "inventors"]),
    (_("Internal"), ["private_note"]),
]
WIDE_FIELDS = {"title", "abstract", "holders", "inventors", "private_note"}


def _names_text(names: list[str]) -> str:
    return "；".join(names)


class IPRecordForm(OneTimeFormMixin, NamedErrorsMixin, forms.ModelForm):
    """The record's fields (services.FORM_FIELDS), its holders and inventors, and what it is linked to."""

    wide_fields = WIDE_FIELDS

    holders = forms.CharField(
        label=_("holders"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Separated by ； or new lines; a unit on the platform is linked by its exact name. "
                    "Empty: your unit."),
    )
    inventors = forms.CharField(
        label=_("inventors or designers"), required=False, help_text=_("Separated by ； or commas."),
    )
    achievements = forms.ModelMultipleChoiceField(
        label=_("achievements"), required=False, queryset=IPRecord.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    contracts = forms.ModelMultipleChoiceField(
        label=_("technology contracts"), required=False, queryset=IPRecord.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    deals = forms.ModelMultipleChoiceField(
        label=_("transformation deals"), required=False, queryset=IPRecord.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    class Meta:
        model = IPRecord
        fields = services.FORM_FIELDS
        widgets = {
            "abstract": forms.Textarea(attrs={"rows": 4}),
            "private_note": forms.Textarea(attrs={"rows": 3}),
            "application_date": DateInput(),
            "grant_date": DateInput(),
        }

    def __init__(self, *args: Any, candidates: dict[str, QuerySet[Any]], linked: dict[str, list[int]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance: IPRecord = self.instance
        for name, key in services.CODE_FIELDS.items():
            current_id = getattr(instance, f"{name}_id", None)
            model_field = self.fields[name]
            self.fields[name] = CodeItemChoiceField(
                queryset=CodeItem.objects.filter(
                    Q(table__key=key, table__is_current=True, active=True) | Q(pk=current_id)
                ).order_by("sort_order", "code"),
                required=name == "legal_status", label=model_field.label, help_text=model_field.help_text,
                empty_label="—",
            )
        for name, queryset in candidates.items():
            self.fields[name].queryset = queryset
            self.fields[name].label_from_instance = str
            self.initial.setdefault(name, linked.get(name, []))
        if instance.pk:
            self.initial["holders"] = _names_text(list(instance.holders.values_list("name", flat=True)))
            self.initial["inventors"] = _names_text(list(instance.inventors))

    def _post_clean(self) -> None:
        # The service checks the whole record (number by its kind, dates, codes); its errors land on the fields.
        pass

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in FIELDSETS]

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in services.FORM_FIELDS}

    def service_holders(self) -> list[str]:
        return list_split(self.cleaned_data.get("holders") or "")

    def service_inventors(self) -> list[str]:
        return list_split(self.cleaned_data.get("inventors") or "")

    def service_links(self) -> dict[str, list[int]]:
        return {name: [obj.pk for obj in self.cleaned_data.get(name) or []]
                for name in ("achievements", "contracts", "deals")}


class OwnerForm(forms.Form):
    """Which unit holds the record, for officers of more than one."""

    owner = forms.ModelChoiceField(label=_("unit"), queryset=Organisation.objects.none(), empty_label=None)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = organisations


class FeeForm(NamedErrorsMixin, forms.ModelForm):
    """A fee that falls due."""

    class Meta:
        model = FeeEvent
        fields = services.FEE_FIELDS
        widgets = {"due_date": DateInput()}

    def _post_clean(self) -> None:
        pass


class ImportForm(OneTimeFormMixin, forms.Form):
    file = forms.FileField(
        label=_("XLSX or CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
        help_text=_("Use the template: one IP right per row, the first row holds the column names."),
    )
    owner = forms.ModelChoiceField(label=_("unit"), queryset=Organisation.objects.none(), empty_label=None)
    mode = ImportModeField()
    publish = forms.BooleanField(
        label=_("Make the imported records public"), required=False,
        help_text=_("Otherwise they are saved as drafts, which only your unit and the commission see."),
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = organisations

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(
                _("Upload an .xlsx or a .csv file; %(name)s is neither.") % {"name": upload.name}
            )
        return upload


class FilterForm(forms.Form):
    """The list's and the analysis's query string, checked: anything not understood is dropped, never an error."""

    q = forms.CharField(label=_("Search"), required=False, strip=True)
    ip_type = forms.ChoiceField(label=_("IP type"), required=False, choices=[("", "—"), *IPType.choices])
    legal_status = forms.ChoiceField(label=_("Legal status"), required=False)
    field = forms.ChoiceField(label=_("Technical field"), required=False)
    year_from = forms.IntegerField(label=_("Applied from (year)"), required=False, min_value=YEAR_MIN,
                                   max_value=YEAR_MAX)
    year_to = forms.IntegerField(label=_("Applied until (year)"), required=False, min_value=YEAR_MIN,
                                 max_value=YEAR_MAX)
    page = forms.IntegerField(required=False, min_value=1, max_value=1000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, key in (("legal_status", "ip_legal_status"), ("field", "high_tech_field")):
            items = CodeItem.objects.current(key).order_by("sort_order", "code")
            self.fields[name].choices = [("", "—"), *[(i.code, i.label) for i in items]]

    def clean_q(self) -> str:
        text = "".join(ch for ch in self.cleaned_data.get("q", "") if ch.isprintable())
        return text[:MAX_QUERY_CHARS].strip()

    def params(self) -> dict[str, Any]:
        """What was valid in the query string (invalid parts are left out)."""
        self.is_valid()
        data = self.cleaned_data
        params = {name: data[name] for name in ("q", "ip_type", "legal_status", "field", "year_from", "year_to")
                  if data.get(name)}
        if params.get("year_from") and params.get("year_to") and params["year_from"] > params["year_to"]:
            params["year_from"], params["year_to"] = params["year_to"], params["year_from"]
        return params


class FeeWindowForm(forms.Form):
    days = forms.IntegerField(label=_("Days ahead"), required=False, min_value=1, max_value=FEE_WINDOW_MAX_DAYS)
