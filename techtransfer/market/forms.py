"""HTML input for the market pages. Forms parse and present; the rules live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.models import Organisation
from techtransfer.achievements.forms import CodeItemChoiceField, CodeItemMultipleChoiceField, DateInput
from techtransfer.core.codetables import code_labels
from techtransfer.core.forms import TREE_TABLES, CodeItemTreeField, NamedErrorsMixin, OneTimeFormMixin
from techtransfer.core.models import CodeItem
from techtransfer.lib.money import WanYuanField
from techtransfer.market import services
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.search import SORT_DEADLINE, SORT_NEWEST, SORT_RELEVANCE

PAGE_SIZE = 20
# Deep pages serve nobody; narrowing the query is the better way there.
MAX_PAGE = 250
MAX_QUERY_CHARS = 200

# The sections of the form, in order.
FIELDSETS: list[tuple[Any, list[str]]] = [
    (_("The need"), ["title", "description", "field", "region"]),
    (_("Terms"), ["budget_min", "budget_max", "deadline"]),
    (_("Contact"), ["contact_name", "contact_phone", "contact_email", "contact_public"]),
]
WIDE_FIELDS = {"title", "description", "contact_public"}


class DemandForm(OneTimeFormMixin, NamedErrorsMixin, forms.ModelForm):
    """The fields the owner fills (services.FORM_FIELDS) and the wanted cooperation modes."""

    wide_fields = WIDE_FIELDS

    cooperation_modes = CodeItemMultipleChoiceField(
        label=_("wanted cooperation modes"),
        queryset=CodeItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At least one before the demand is submitted."),
    )

    class Meta:
        model = TechnologyDemand
        fields = services.FORM_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "deadline": DateInput(),
        }
        # Enterprises think of budgets in 万元; the service stores yuan.
        field_classes = {"budget_min": WanYuanField, "budget_max": WanYuanField}
        labels = {"budget_min": _("lowest budget (万元)"), "budget_max": _("highest budget (万元)")}
        help_texts = {
            "budget_min": _("In 万元 (10,000 yuan), e.g. 50 for 500,000 yuan. Leave both empty if the budget is "
                            "negotiable."),
            "budget_max": _("In 万元 (10,000 yuan)."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance: TechnologyDemand = self.instance
        for name, key in services.CODE_FIELDS.items():
            current_id = getattr(instance, f"{name}_id", None)
            # Current items only, plus the one an older demand already points at (an earlier table version).
            queryset = CodeItem.objects.filter(
                Q(table__key=key, table__is_current=True, active=True) | Q(pk=current_id)
            )
            model_field = self.fields[name]
            # Regions are a tree: province → city/district.
            tree = {"table": key} if key in TREE_TABLES else {}
            self.fields[name] = (CodeItemTreeField if tree else CodeItemChoiceField)(
                queryset=queryset.order_by("sort_order", "code"),
                required=False,
                label=model_field.label,
                help_text=model_field.help_text,
                show_code=name == "region",
                empty_label="—",
                **tree,
            )
        current_modes = list(instance.cooperation_modes.values_list("pk", flat=True)) if instance.pk else []
        self.fields["cooperation_modes"].queryset = CodeItem.objects.filter(
            Q(table__key=services.COOPERATION_TABLE, table__is_current=True, active=True) | Q(pk__in=current_modes)
        ).order_by("sort_order", "code")
        if instance.pk:
            self.initial["cooperation_modes"] = current_modes

    def _post_clean(self) -> None:
        # The service checks the whole demand (budget order included) and its errors land on the fields;
        # the model's own checks here would only report the same thing twice.
        pass

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in FIELDSETS]

    def service_data(self) -> dict[str, Any]:
        """The cleaned values for demand_create/update (model field names only). Of a form that failed its
        checks, a field that failed is None: unknown, so that the service does not check the other fields
        against its old value."""
        return {name: self.cleaned_data.get(name) for name in services.FORM_FIELDS}

    def service_modes(self) -> list[CodeItem] | None:
        """The chosen cooperation modes; None when the choice itself was wrong."""
        modes = self.cleaned_data.get("cooperation_modes")
        return None if modes is None else list(modes)


class OwnerForm(forms.Form):
    """Which organisation posts the demand, for people who can post for more than one."""

    owner = forms.ModelChoiceField(
        label=_("posting organisation"), queryset=Organisation.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = organisations


# --- the public list's query string --------------------------------------------------------------------

SORT_CHOICES = [
    (SORT_RELEVANCE, _("Best match")),
    (SORT_NEWEST, _("Newest")),
    (SORT_DEADLINE, _("Deadline soonest")),
]
# URL parameter → facet of the search index.
FACET_PARAMS = {"field": "field", "region": "district", "cooperation_mode": "transfer_modes"}
FACET_TABLES = {"field": "high_tech_field", "region": "region", "cooperation_mode": "cooperation_mode"}
FACET_TITLES = {
    "field": _("High-tech field"),
    "region": _("Region"),
    "cooperation_mode": _("Cooperation mode"),
}


def facet_labels() -> dict[str, dict[str, str]]:
    """{parameter: {code: label in the active language}} for every facet, in one query."""
    return code_labels(FACET_TABLES)


class DemandSearchForm(forms.Form):
    """The public list's query string, checked: anything not understood is dropped, never an error page."""

    q = forms.CharField(label=_("Search"), required=False, strip=True)
    field = forms.ChoiceField(label=FACET_TITLES["field"], required=False)
    region = forms.ChoiceField(label=FACET_TITLES["region"], required=False)
    cooperation_mode = forms.ChoiceField(label=FACET_TITLES["cooperation_mode"], required=False)
    sort = forms.ChoiceField(label=_("Sort"), choices=SORT_CHOICES, required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def __init__(self, *args: Any, labels: dict[str, dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in FACET_TABLES:
            self.fields[name].choices = [("", "—"), *labels[name].items()]

    def clean_q(self) -> str:
        text = "".join(ch for ch in self.cleaned_data.get("q", "") if ch.isprintable())
        return text[:MAX_QUERY_CHARS].strip()

    def params(self) -> dict[str, Any]:
        """What was valid in the query string; invalid parts (page=abc, an unknown code) are left out."""
        self.is_valid()
        data = self.cleaned_data
        query = data.get("q", "")
        sort = data.get("sort") or ""
        if sort == SORT_RELEVANCE and not query:
            sort = ""
        return {
            "q": query,
            "filters": {name: data[name] for name in FACET_TABLES if data.get(name)},
            "sort": sort,
            "page": data.get("page") or 1,
        }
