"""HTML input for the carrier pages. Forms parse and present; the rules live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.models import Organisation
from techtransfer.achievements.forms import (
    CodeItemChoiceField,
    CodeItemMultipleChoiceField,
    DateInput,
    ImportModeField,
)
from techtransfer.carriers import services
from techtransfer.carriers.choices import RecognitionLevel
from techtransfer.carriers.models import Carrier, IncubatedFirm
from techtransfer.core.forms import CodeItemTreeField, NamedErrorsMixin, OneTimeFormMixin
from techtransfer.core.models import CodeItem

MAX_QUERY_CHARS = 200

FIELDSETS: list[tuple[Any, list[str]]] = [
    (_("The carrier"), ["name", "name_en", "carrier_type", "description", "website"]),
    (_("Recognition"), ["level", "recognition_year", "recognised_by"]),
    (_("Where"), ["district", "address", "area_m2"]),
    (_("Contact"), ["contact_name", "contact_phone"]),
    (_("Internal"), ["private_note"]),
]
WIDE_FIELDS = {"name", "description", "address", "private_note"}


def _codes(key: str, current: Any = None) -> Any:
    return CodeItem.objects.filter(
        Q(table__key=key, table__is_current=True, active=True) | Q(pk=current)
    ).order_by("sort_order", "code")


class CarrierForm(OneTimeFormMixin, NamedErrorsMixin, forms.ModelForm):
    """The carrier's fields (services.FORM_FIELDS) and its technical fields."""

    wide_fields = WIDE_FIELDS

    website = forms.URLField(label=_("website"), required=False, max_length=200, assume_scheme="https")
    fields_chosen = CodeItemMultipleChoiceField(
        label=_("fields"), queryset=CodeItem.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("The technical fields the carrier serves."),
    )

    class Meta:
        model = Carrier
        fields = services.FORM_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "private_note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance: Carrier = self.instance
        self.fields["carrier_type"] = CodeItemChoiceField(
            queryset=_codes("carrier_type", instance.carrier_type_id), label=self.fields["carrier_type"].label,
            required=False, empty_label="—",
        )
        self.fields["district"] = CodeItemTreeField(
            queryset=_codes("region", instance.district_id), table="region", label=self.fields["district"].label,
            required=False, empty_label="—",
        )
        current = list(instance.fields.values_list("pk", flat=True)) if instance.pk else []
        self.fields["fields_chosen"].queryset = CodeItem.objects.filter(
            Q(table__key=services.FIELDS_TABLE, table__is_current=True, active=True) | Q(pk__in=current)
        ).order_by("sort_order", "code")
        if instance.pk:
            self.initial["fields_chosen"] = current

    def _post_clean(self) -> None:
        pass  # the service checks the whole carrier; its errors land on the fields

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in FIELDSETS]

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in services.FORM_FIELDS}

    def service_fields(self) -> list[CodeItem] | None:
        chosen = self.cleaned_data.get("fields_chosen")
        return None if chosen is None else list(chosen)


class OwnerForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("operating organisation"), queryset=Organisation.objects.none(),
                                   empty_label=None)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = organisations


class FirmForm(OneTimeFormMixin, NamedErrorsMixin, forms.ModelForm):
    """A firm the carrier incubates."""

    class Meta:
        model = IncubatedFirm
        fields = services.FIRM_FIELDS
        widgets = {"entry_date": DateInput(), "graduation_date": DateInput(),
                   "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field"] = CodeItemChoiceField(
            queryset=_codes(services.FIELDS_TABLE, self.instance.field_id), label=self.fields["field"].label,
            required=False, empty_label="—",
        )

    def _post_clean(self) -> None:
        pass

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in services.FIRM_FIELDS}


class FirmImportForm(OneTimeFormMixin, forms.Form):
    file = forms.FileField(
        label=_("XLSX or CSV file"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
        help_text=_("Use the template: one firm per row, the first row holds the column names."),
    )
    mode = ImportModeField()

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(
                _("Upload an .xlsx or a .csv file; %(name)s is neither.") % {"name": upload.name}
            )
        return upload


class CarrierFilterForm(forms.Form):
    """The registry's query string, checked: anything not understood is dropped, never an error page."""

    q = forms.CharField(label=_("Search"), required=False, strip=True)
    carrier_type = forms.ChoiceField(label=_("Carrier type"), required=False)
    level = forms.ChoiceField(label=_("Recognition level"), required=False,
                              choices=[("", "—"), *RecognitionLevel.choices])
    district = forms.CharField(label=_("District"), required=False, max_length=12)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = CodeItem.objects.current("carrier_type").order_by("sort_order", "code")
        self.fields["carrier_type"].choices = [("", "—"), *[(i.code, i.label) for i in items]]

    def clean_q(self) -> str:
        text = "".join(ch for ch in self.cleaned_data.get("q", "") if ch.isprintable())
        return text[:MAX_QUERY_CHARS].strip()

    def params(self) -> dict[str, Any]:
        self.is_valid()
        return {name: self.cleaned_data[name] for name in ("q", "carrier_type", "level", "district")
                if self.cleaned_data.get(name)}


class IncubationForm(forms.Form):
    on = forms.DateField(label=_("Counted on"), required=False, widget=DateInput())
