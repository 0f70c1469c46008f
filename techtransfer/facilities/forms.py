"""HTML input for the facility pages. Forms parse and present; the rules live in services.py."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.models import Organisation
from techtransfer.achievements.forms import CodeItemChoiceField, DateInput
from techtransfer.core.codetables import code_labels
from techtransfer.core.forms import CodeItemTreeField, NamedErrorsMixin, OneTimeFormMixin
from techtransfer.core.models import CodeItem
from techtransfer.facilities import services
from techtransfer.facilities.choices import FacilityKind
from techtransfer.facilities.models import WEEKDAYS, Facility

PAGE_SIZE = 20
MAX_PAGE = 250
MAX_QUERY_CHARS = 200

FIELDSETS: list[tuple[Any, list[str]]] = [
    (_("The facility"), ["name", "name_en", "kind", "field", "model_number", "maker", "specifications"]),
    (_("Where and at what fee"), ["address", "district", "fee_inside", "fee_outside", "sharing_rules"]),
    (_("Contact"), ["contact_name", "contact_phone", "contact_email"]),
]
WIDE_FIELDS = {"specifications", "sharing_rules", "address"}


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


class FacilityForm(OneTimeFormMixin, NamedErrorsMixin, forms.ModelForm):
    """The listing's fields (services.FORM_FIELDS) and one opening window per weekday."""

    wide_fields = WIDE_FIELDS

    class Meta:
        model = Facility
        fields = services.FORM_FIELDS
        widgets = {
            "specifications": forms.Textarea(attrs={"rows": 5}),
            "sharing_rules": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance: Facility = self.instance
        for name, key in services.CODE_FIELDS.items():
            current_id = getattr(instance, f"{name}_id", None)
            queryset = CodeItem.objects.filter(
                Q(table__key=key, table__is_current=True, active=True) | Q(pk=current_id)
            ).order_by("sort_order", "code")
            model_field = self.fields[name]
            if key == "region":
                self.fields[name] = CodeItemTreeField(
                    queryset=queryset, table=key, required=False, label=model_field.label, show_code=True,
                    empty_label="—",
                )
            else:
                self.fields[name] = CodeItemChoiceField(
                    queryset=queryset, required=False, label=model_field.label, empty_label="—"
                )
        windows = {w.weekday: w for w in instance.opening_hours.all()} if instance.pk else {}
        for day, label in WEEKDAYS:
            window = windows.get(day)
            self.fields[f"opens_{day}"] = forms.TimeField(
                label=_("%(day)s opens") % {"day": label}, required=False, widget=TimeInput(),
                initial=window.opens if window else (datetime.time(9) if not instance.pk and day < 5 else None),
            )
            self.fields[f"closes_{day}"] = forms.TimeField(
                label=_("%(day)s closes") % {"day": label}, required=False, widget=TimeInput(),
                initial=window.closes if window else (datetime.time(17) if not instance.pk and day < 5 else None),
            )

    def _post_clean(self) -> None:
        # The service checks the whole listing; its errors land on the fields.
        pass

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in FIELDSETS]

    def hour_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(str(label), self[f"opens_{day}"], self[f"closes_{day}"]) for day, label in WEEKDAYS]

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in services.FORM_FIELDS}

    def service_windows(self) -> list[services.Window]:
        """A weekday with both times is open in that window; a day left empty is closed."""
        windows = []
        for day, _label in WEEKDAYS:
            opens, closes = self.cleaned_data.get(f"opens_{day}"), self.cleaned_data.get(f"closes_{day}")
            if opens is not None and closes is not None:
                windows.append(services.Window(day, opens, closes))
            elif (opens is None) != (closes is None) and f"opens_{day}" not in self.errors:
                self.add_error(f"opens_{day}", _("Give both the opening and the closing time, or neither."))
        return windows


class BookingForm(forms.Form):
    """A day and a time range of it, and what the booking is for."""

    day = forms.DateField(label=_("day"), widget=DateInput())
    start_time = forms.TimeField(label=_("starts"), widget=TimeInput())
    end_time = forms.TimeField(label=_("ends"), widget=TimeInput())
    purpose = forms.CharField(
        label=_("purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you will measure or make, the samples, and any special needs."),
    )
    organisation = forms.ModelChoiceField(
        label=_("booking for"), queryset=Organisation.objects.none(), required=False, empty_label=None
    )

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is not None and organisations.count() > 1:
            self.fields["organisation"].queryset = organisations
        else:
            del self.fields["organisation"]

    def times(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        """The range as aware datetimes of the site's time zone (None where the form found no value)."""
        day = self.cleaned_data.get("day")
        start, end = self.cleaned_data.get("start_time"), self.cleaned_data.get("end_time")
        if day is None:
            return None, None

        def at(moment: datetime.time | None) -> datetime.datetime | None:
            return timezone.make_aware(datetime.datetime.combine(day, moment)) if moment is not None else None

        return at(start), at(end)


class UsageForm(forms.Form):
    hours_used = forms.DecimalField(label=_("hours used"), max_digits=8, decimal_places=2, min_value=0)
    fee = forms.DecimalField(
        label=_("fee charged (元)"), required=False, max_digits=12, decimal_places=2, min_value=0,
        help_text=_("Leave empty to charge the hours used at the booking's rate."),
    )
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


# --- the public list's query string --------------------------------------------------------------------

FACET_PARAMS = {"kind": "type", "field": "field", "district": "district"}
FACET_TITLES = {"kind": _("Kind"), "field": _("High-tech field"), "district": _("District")}


def facet_labels() -> dict[str, dict[str, str]]:
    labels = code_labels({"field": "high_tech_field", "district": "region"})
    labels["kind"] = {value: str(label) for value, label in FacilityKind.choices}
    return labels


class FacilitySearchForm(forms.Form):
    """The public list's query string, checked: anything not understood is dropped, never an error page."""

    q = forms.CharField(required=False, strip=True)
    kind = forms.ChoiceField(required=False)
    field = forms.ChoiceField(required=False)
    district = forms.ChoiceField(required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def __init__(self, *args: Any, labels: dict[str, dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in FACET_PARAMS:
            self.fields[name].choices = [("", "—"), *labels[name].items()]

    def params(self) -> dict[str, Any]:
        self.is_valid()
        data = self.cleaned_data
        query = "".join(ch for ch in data.get("q", "") if ch.isprintable())[:MAX_QUERY_CHARS].strip()
        return {
            "q": query,
            "filters": {name: data[name] for name in FACET_PARAMS if data.get(name)},
            "page": data.get("page") or 1,
        }


class SharingForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("unit"), queryset=Organisation.objects.none(), empty_label=None)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
