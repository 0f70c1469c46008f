"""HTML input for the agency pages. Forms parse and present; the rules live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.models import Organisation
from techtransfer.achievements.forms import CodeItemMultipleChoiceField, DateInput
from techtransfer.agencies import services
from techtransfer.agencies.choices import AgencyKind, BrokerLevel
from techtransfer.agencies.models import Agency
from techtransfer.core.forms import (
    CodeItemTreeField,
    CodeItemTreeMultipleField,
    NamedErrorsMixin,
    OneTimeFormMixin,
    code_choices,
)
from techtransfer.core.models import CodeItem
from techtransfer.lib.validators import NOTE_MAX_LENGTH, TEXT_MAX_LENGTH
from techtransfer.market.models import TechnologyDemand

PAGE_SIZE = 20
MAX_PAGE = 250
MAX_QUERY_CHARS = 200
WIDE_FIELDS = {"description"}
# The profile's lists by their form field ("fields" would hide the form's own `fields`).
FORM_LISTS = {"services": "services", "fields": "tech_fields", "regions": "regions"}


class AgencyForm(OneTimeFormMixin, NamedErrorsMixin, forms.Form):
    """A profile's fields (services.COMMON_FIELDS, and BROKER_FIELDS for a broker) and its three lists."""

    wide_fields = WIDE_FIELDS

    region = CodeItemTreeField(
        label=_("seat"), queryset=CodeItem.objects.none(), table="region", required=False, empty_label="—",
        help_text=_("Where the agency is based; the reviewers of that region review it."),
    )
    description = forms.CharField(
        label=_("introduction"), required=False, max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the agency does, for whom, and what it has achieved."),
    )
    services = CodeItemMultipleChoiceField(
        label=_("services offered"), queryset=CodeItem.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tech_fields = CodeItemMultipleChoiceField(
        label=_("technical fields"), queryset=CodeItem.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    regions = CodeItemTreeMultipleField(
        label=_("regions served"), queryset=CodeItem.objects.none(), required=False, table="region",
        help_text=_("Hold Ctrl (or ⌘) to choose several. Beijing (or a province) covers its districts."),
    )
    certificate_number = forms.CharField(label=_("certificate number"), max_length=64, required=False)
    level = forms.ChoiceField(label=_("broker level"), choices=[("", "—"), *BrokerLevel.choices], required=False)
    certificate_issuer = forms.CharField(
        label=_("issuing body"), max_length=200, required=False,
        help_text=_("Who issued the certificate, e.g. 北京技术市场协会."),
    )
    certificate_issued_on = forms.DateField(label=_("date of issue"), required=False, widget=DateInput())
    employer = forms.ModelChoiceField(
        label=_("institution worked for"), queryset=Organisation.objects.none(), required=False, empty_label="—",
        help_text=_("A technology-transfer institution you are a member of, if you work for one."),
    )

    def __init__(
        self, *args: Any, kind: str, agency: Agency | None = None, employers: QuerySet[Organisation] | None = None,
        **kwargs: Any,
    ) -> None:
        self.kind = kind
        if agency is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{name: getattr(agency, name) for name in services.COMMON_FIELDS},
                **({name: getattr(agency, name) for name in services.BROKER_FIELDS} if agency.is_broker else {}),
                **{FORM_LISTS[name]: list(getattr(agency, name).all()) for name in services.LISTS},
            }
        super().__init__(*args, **kwargs)
        keep = {name: [i.pk for i in getattr(agency, name).all()] if agency else [] for name in services.LISTS}
        current_region = [agency.region_id] if agency and agency.region_id else []
        self.fields["region"].queryset = code_choices("region", keep=current_region)
        self.fields["services"].queryset = code_choices("agency_service", keep=keep["services"])
        self.fields["tech_fields"].queryset = code_choices("high_tech_field", keep=keep["fields"])
        # Provinces and their cities or districts (a city covers its counties).
        self.fields["regions"].queryset = code_choices("region", keep=keep["regions"]).filter(
            Q(parent__isnull=True) | Q(parent__parent__isnull=True) | Q(pk__in=keep["regions"])
        )
        if kind == AgencyKind.BROKER:
            self.fields["employer"].queryset = employers if employers is not None else Organisation.objects.none()
        else:
            for name in services.BROKER_FIELDS:
                del self.fields[name]

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        sections: list[tuple[Any, list[str]]] = [(_("The agency"), ["region", "description"])]
        if self.kind == AgencyKind.BROKER:
            sections.append((_("Qualification"), [*services.BROKER_FIELDS]))
        return [(title, [self[name] for name in names]) for title, names in sections]

    def service_data(self) -> dict[str, Any]:
        names = services.COMMON_FIELDS + (services.BROKER_FIELDS if self.kind == AgencyKind.BROKER else [])
        data = {name: self.cleaned_data.get(name) for name in names}
        for name in ("description", "certificate_number", "certificate_issuer", "level"):
            if name in data and data[name] is None:
                data[name] = ""
        return data

    def service_lists(self) -> dict[str, Any]:
        """The chosen lists as the services take them (None for a list whose choice was wrong)."""
        return {name: self.cleaned_data.get(FORM_LISTS[name]) for name in services.LISTS}


class InstitutionChoiceForm(forms.Form):
    """Which institution the profile is for, for someone who belongs to several."""

    organisation = forms.ModelChoiceField(
        label=_("institution"), queryset=Organisation.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class FilingForm(NamedErrorsMixin, forms.Form):
    """One year's figures."""

    year = forms.TypedChoiceField(label=_("year of the figures"), coerce=int)
    contracts_brokered = forms.IntegerField(
        label=_("contracts brokered"), min_value=0, max_value=1_000_000,
        help_text=_("Technology contracts the agency brokered in the year."),
    )
    turnover = forms.DecimalField(
        label=_("turnover (元)"), min_value=0, max_digits=16, decimal_places=2,
        help_text=_("Service income in the year, in 元 (not 万元)."),
    )
    staff = forms.IntegerField(
        label=_("staff"), min_value=0, max_value=1_000_000, required=False,
        help_text=_("People employed at the end of the year (institutions)."),
    )
    note = forms.CharField(
        label=_("note"), required=False, max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, years: list[int], kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        if kind == AgencyKind.BROKER:
            del self.fields["staff"]
        else:
            self.fields["staff"].required = True

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in services.FILING_FIELDS if name in self.fields}


class HelpRequestForm(OneTimeFormMixin, NamedErrorsMixin, forms.Form):
    demand = forms.ModelChoiceField(
        label=_("your demand"), queryset=TechnologyDemand.objects.none(), empty_label=None
    )
    message = forms.CharField(
        label=_("message"), max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you need help with: finding a solution, evaluating one, negotiating, financing..."),
    )

    def __init__(self, *args: Any, demands: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["demand"].queryset = demands


# --- the directory's query string --------------------------------------------------------------------

FACET_TITLES = {
    "kind": _("Kind"),
    "service": _("Services"),
    "field": _("Technical field"),
    "region": _("Region served"),
    "level": _("Broker level"),
}


class DirectorySearchForm(forms.Form):
    """The directory's query string, checked: anything not understood is dropped, never an error page."""

    q = forms.CharField(required=False, strip=True)
    kind = forms.ChoiceField(choices=[("", "—"), *AgencyKind.choices], required=False)
    level = forms.ChoiceField(choices=[("", "—"), *BrokerLevel.choices], required=False)
    service = forms.CharField(required=False, max_length=32)
    field = forms.CharField(required=False, max_length=32)
    region = forms.RegexField(regex=r"^\d{6}$", required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def clean_q(self) -> str:
        text = "".join(ch for ch in self.cleaned_data.get("q", "") if ch.isprintable())
        return text[:MAX_QUERY_CHARS].strip()

    def params(self) -> dict[str, Any]:
        """What was valid in the query string; invalid parts (page=abc, a strange code) are left out."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "q": data.get("q", ""),
            "filters": {name: data[name] for name in FACET_TITLES if data.get(name)},
            "page": data.get("page") or 1,
        }
