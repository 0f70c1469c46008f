"""HTML input for the subscription pages. Forms parse and present; the rules live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from techtransfer.achievements.forms import CodeItemMultipleChoiceField
from techtransfer.achievements.search_form import SearchForm, facet_labels
from techtransfer.core.forms import CodeItemTreeMultipleField
from techtransfer.core.models import CodeItem
from techtransfer.subscriptions.choices import Frequency, Kind
from techtransfer.subscriptions.models import Subscription

# The search page's URL parameters → the search index's facet names (where they differ).
SEARCH_FACET_NAMES = {"transfer_mode": "transfer_modes"}
MAX_SEARCH_CHARS = 1000


def _codes(table: str, chosen: list[int]) -> Any:
    # Current items, plus those an older subscription already points at (an earlier table version).
    return CodeItem.objects.filter(Q(table__key=table, table__is_current=True, active=True) | Q(pk__in=chosen))


class SubscriptionForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("For you: it heads the subscription's part of the digest.")
    )
    kinds = forms.MultipleChoiceField(
        label=_("What to follow"), choices=Kind.choices, widget=forms.CheckboxSelectMultiple
    )
    keywords = forms.CharField(
        label=_("Keywords"),
        max_length=300,
        required=False,
        help_text=_("Separate words with spaces or commas, e.g. 锂电池, 涂布. A record matches if it contains any."),
    )
    tech_fields = CodeItemMultipleChoiceField(
        label=_("High-tech fields"),
        queryset=CodeItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None: any field."),
    )
    regions = CodeItemTreeMultipleField(
        label=_("Regions"),
        queryset=CodeItem.objects.none(),
        required=False,
        table="region",
        help_text=_("None: anywhere. Beijing (or a province) covers its districts."),
    )
    query = forms.CharField(
        label=_("Saved search words"),
        max_length=200,
        required=False,
        help_text=_("From “Save this search”: these words and the search's filters must match too."),
    )
    clear_filters = forms.BooleanField(label=_("Drop the saved search filters"), required=False)
    frequency = forms.ChoiceField(
        label=_("How often"), choices=Frequency.choices, initial=Frequency.DAILY, widget=forms.RadioSelect
    )
    email_enabled = forms.BooleanField(
        label=_("Send me an e-mail digest"),
        required=False,
        initial=True,
        help_text=_("Off: new matches only appear in your notifications on the site."),
    )

    def __init__(self, *args: Any, instance: Subscription | None = None, **kwargs: Any) -> None:
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "kinds": instance.kinds,
                "keywords": instance.keywords,
                "tech_fields": list(instance.fields.all()),
                "regions": list(instance.regions.all()),
                "query": instance.query,
                "frequency": instance.frequency,
                "email_enabled": instance.email_enabled,
            }
        elif "initial" not in kwargs:
            kwargs["initial"] = {"kinds": [Kind.ACHIEVEMENT, Kind.DEMAND]}
        super().__init__(*args, **kwargs)
        chosen = {"fields": [], "regions": []}
        if instance is not None:
            chosen = {
                "fields": [item.pk for item in instance.fields.all()],
                "regions": [item.pk for item in instance.regions.all()],
            }
        self.fields["tech_fields"].queryset = _codes("high_tech_field", chosen["fields"]).order_by("sort_order", "code")
        # Provinces and their cities or districts: a city covers its counties (region codes are prefixes).
        self.fields["regions"].queryset = _codes("region", chosen["regions"]).filter(
            Q(parent__isnull=True) | Q(parent__parent__isnull=True) | Q(pk__in=chosen["regions"])
        ).order_by("sort_order", "code")
        if instance is None or not instance.filters:
            del self.fields["clear_filters"]

    @property
    def has_saved_search(self) -> bool:
        return bool(self.instance and (self.instance.query or self.instance.filters))

    def service_args(self) -> dict[str, Any]:
        """The cleaned input as the services take it: data, fields, regions."""
        data = self.cleaned_data
        values = {
            "name": data["name"],
            "kinds": list(data["kinds"]),
            "keywords": data.get("keywords", ""),
            "query": data.get("query", ""),
            "frequency": data["frequency"],
            "email_enabled": data.get("email_enabled", False),
        }
        if data.get("clear_filters"):
            values["filters"] = {}
        return {"data": values, "fields": data["tech_fields"], "regions": data["regions"]}


def parse_search(search: str) -> tuple[str, dict[str, list[str]], list[str]]:
    """The search page's query string → (words, index facet filters, filter labels), checked as the page
    checks it: anything not understood is dropped."""
    labels = facet_labels()
    params = SearchForm(QueryDict(search[:MAX_SEARCH_CHARS].lstrip("?")), labels=labels).params()
    filters = {SEARCH_FACET_NAMES.get(name, name): [value] for name, value in params.filters.items()}
    filter_labels = [labels[name].get(value, value) for name, value in params.filters.items()]
    return params.query, filters, filter_labels
