"""The achievement search page's query string, checked: anything not understood is dropped, never an error page.

The portal's search page reads it, and subscriptions save it as a "saved search"."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techtransfer.achievements.choices import AchievementType
from techtransfer.core.codetables import code_labels

PAGE_SIZE = 20
# Deep pages cost the database and serve nobody; narrowing the query is the better way there.
MAX_PAGE = 250
MAX_QUERY_CHARS = 200

# URL parameter → code table that holds its values ("type" is a model choice, not a code table).
FACET_TABLES = {"field": "high_tech_field", "stage": "stage", "district": "region", "transfer_mode": "transfer_mode"}
FACETS = ["field", "type", "stage", "district", "transfer_mode"]
FACET_TITLES = {
    "field": _("High-tech field"),
    "type": _("Type"),
    "stage": _("Stage"),
    "district": _("District"),
    "transfer_mode": _("Transfer mode"),
}


def facet_labels() -> dict[str, dict[str, str]]:
    """{facet: {code: label in the active language}} for every facet, in one query."""
    labels: dict[str, dict[str, str]] = {name: {} for name in FACETS} | code_labels(FACET_TABLES)
    labels["type"] = {value: str(label) for value, label in AchievementType.choices}
    return labels


@dataclass(frozen=True)
class SearchParams:
    query: str = ""
    filters: dict[str, str] = field(default_factory=dict)
    page: int = 1

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE

    def as_query(self, **changes: Any) -> dict[str, str]:
        """The parameters as a query dict, with `changes` applied (None or "" removes a key)."""
        data: dict[str, Any] = {"q": self.query, **self.filters, "page": self.page if self.page > 1 else None}
        data.update(changes)
        return {k: str(v) for k, v in data.items() if v not in (None, "")}


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, strip=True)
    field = forms.ChoiceField(label=FACET_TITLES["field"], required=False)
    type = forms.ChoiceField(label=FACET_TITLES["type"], required=False)
    stage = forms.ChoiceField(label=FACET_TITLES["stage"], required=False)
    district = forms.ChoiceField(label=FACET_TITLES["district"], required=False)
    transfer_mode = forms.ChoiceField(label=FACET_TITLES["transfer_mode"], required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def __init__(self, *args: Any, labels: dict[str, dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in FACETS:
            self.fields[name].choices = [("", "—"), *labels[name].items()]

    def clean_q(self) -> str:
        # Too long a query is cut, not refused; control characters are never meant.
        text = "".join(ch for ch in self.cleaned_data.get("q", "") if ch.isprintable())
        return text[:MAX_QUERY_CHARS].strip()

    def params(self) -> SearchParams:
        """What was valid in the query string; invalid parts (page=abc, an unknown code) are left out."""
        self.is_valid()
        data = self.cleaned_data
        filters = {name: data[name] for name in FACETS if data.get(name)}
        return SearchParams(query=data.get("q", ""), filters=filters, page=data.get("page") or 1)
