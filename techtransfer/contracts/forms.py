"""HTML input for the contract pages. Forms parse and present; the rules live in services.py and rules.py."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.models import Organisation
from techtransfer.achievements.forms import CodeItemChoiceField, DateInput, ImportModeField
from techtransfer.contracts import services
from techtransfer.contracts.choices import CarrierKind, NonTechnicalKind
from techtransfer.contracts.models import CONTRACT_CODE_TABLES, TechnologyContract
from techtransfer.core.forms import TREE_TABLES, CodeItemTreeField, NamedErrorsMixin, OneTimeFormMixin
from techtransfer.core.models import CodeItem

# field → code table
CODE_FIELDS = CONTRACT_CODE_TABLES
SHOW_CODE = {"seller_nature", "buyer_nature", "seller_region", "buyer_region", "buyer_country", "industry",
             "seller_legacy_region", "buyer_legacy_region"}

# The sections of form JJ-001, in its order.
FIELDSETS: list[tuple[Any, list[str]]] = [
    (_("The contract"), ["project_name", "contract_form", "signed_on", "valid_from", "valid_to", "category", "subtype",
                         "summary"]),
    (_("Seller (the applicant)"), ["seller_name", "seller_nature", "seller_region", "seller_legacy_region"]),
    (_("Buyer"), ["buyer", "buyer_name", "buyer_nature", "buyer_country", "buyer_region", "buyer_legacy_region"]),
    (_("Classification"), ["tech_field", "ip_type", "plan_source", "objective", "industry", "payment_mode"]),
    (_("Amounts (元)"), ["turnover", "expected_investment", "expected_output"]),
]
WIDE_FIELDS = {"project_name", "summary"}


class ContractForm(OneTimeFormMixin, NamedErrorsMixin, forms.ModelForm):
    """The fields of form JJ-001 (services.FORM_FIELDS); the non-technical items are a formset."""

    wide_fields = WIDE_FIELDS

    class Meta:
        model = TechnologyContract
        fields = services.FORM_FIELDS
        widgets = {
            "signed_on": DateInput(),
            "valid_from": DateInput(),
            "valid_to": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, seller: Organisation | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance: TechnologyContract = self.instance
        self.seller = seller or (instance.seller if instance.seller_id else None)
        for name, key in CODE_FIELDS.items():
            current_id = getattr(instance, f"{name}_id", None)
            queryset = CodeItem.objects.filter(
                Q(table__key=key, table__is_current=True, active=True) | Q(pk=current_id)
            ).order_by("sort_order", "code")
            model_field = self.fields[name]
            field_class = CodeItemTreeField if key in TREE_TABLES else CodeItemChoiceField
            extra = {"table": key} if key in TREE_TABLES else {}
            self.fields[name] = field_class(
                queryset=queryset, required=False, label=model_field.label, help_text=model_field.help_text,
                show_code=name in SHOW_CODE, empty_label="—", **extra,
            )
        self.fields["buyer"].queryset = Organisation.objects.filter(is_verified=True).exclude(
            pk=seller.pk if seller else instance.seller_id
        ).order_by("name")
        self.fields["buyer"].required = False
        self.fields["buyer"].help_text = _("If the buyer is on the platform, its members can follow the registration.")
        self.fields["seller_name"].required = False
        self.fields["seller_name"].help_text = _("As written on the contract; the organisation's name if left empty.")
        self.fields["category"].help_text = _("技术许可 is a category of its own for contracts signed from 2021-01-01; "
                                              "before, licences are transfers.")
        self.fields["subtype"].help_text = _("技术培训 and 技术中介 are registered as technical service, by reference.")
        self.fields["contract_form"].help_text = _("Oral contracts are not registered.")
        self.fields["turnover"].help_text = _("The total amount of the contract (合同成交额).")
        self.fields["expected_investment"].help_text = _("Required for technology transfer contracts.")
        if seller and not instance.pk:
            self.initial.setdefault("seller_name", seller.name)
            self.initial.setdefault("seller_region", seller.region_id)
        self.initial.setdefault("contract_form", "written")

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in FIELDSETS]

    def clean_seller_name(self) -> str:
        value: str = (self.cleaned_data.get("seller_name") or "").strip()
        return value or (self.seller.name if self.seller else "")

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in services.FORM_FIELDS if name in self.cleaned_data}


class ItemForm(NamedErrorsMixin, forms.Form):
    """One non-technical item: a purchase deducted from the turnover unless it is a carrier (§2.4)."""

    kind = forms.ChoiceField(label=_("kind"), choices=NonTechnicalKind.choices, initial=NonTechnicalKind.EQUIPMENT)
    description = forms.CharField(label=_("description"), max_length=200, required=False)
    amount = forms.DecimalField(label=_("amount (元)"), min_value=Decimal("0"), max_digits=16, decimal_places=2,
                                required=False)
    carrier = forms.ChoiceField(
        label=_("carrier of the technical subject"), choices=[("", _("no: deducted")), *CarrierKind.choices],
        required=False,
    )
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (data.get("description") or "").strip() and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("Give the amount of this item."))
        if data.get("amount") is not None and not (data.get("description") or "").strip():
            self.add_error("description", _("Say what this item is."))
        return data

    def row(self) -> dict[str, Any] | None:
        if not (self.cleaned_data.get("description") or "").strip():
            return None
        return {name: self.cleaned_data.get(name) for name in ("kind", "description", "amount", "carrier", "quantity")}


ItemFormSet = formset_factory(ItemForm, extra=1, can_delete=True, max_num=50, validate_max=True)


def items_of(formset: Any) -> list[dict[str, Any]]:
    rows = []
    for form in formset.forms:
        if form.cleaned_data.get("DELETE"):
            continue
        row = form.row() if form.cleaned_data else None
        if row:
            rows.append(row)
    return rows


class SellerForm(forms.Form):
    """For people in more than one organisation: which one sells (and applies)."""

    seller = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("seller (applicant)"))

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seller"].queryset = organisations


class RegisterForm(forms.Form):
    """The registrar's decision to register: the approved technical value and, if it differs, why."""

    approved_value = forms.DecimalField(
        label=_("approved technical transaction value (元)"), min_value=Decimal("0"), max_digits=16, decimal_places=2
    )
    approval_note = forms.CharField(
        label=_("why the approved value differs from the declared one"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
    )


class RefuseForm(forms.Form):
    """未予登记 with grounds of the rule set in force on the application."""

    grounds = forms.MultipleChoiceField(label=_("grounds"), widget=forms.CheckboxSelectMultiple, choices=())
    note = forms.CharField(label=_("explanation"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=4000)

    def __init__(self, *args: Any, grounds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grounds"].choices = grounds


class ImportForm(OneTimeFormMixin, forms.Form):
    """Registrations made elsewhere (the statistics exchange file's columns, docs/data-exchange.md)."""

    file = forms.FileField(
        label=_("CSV or XLSX file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
        help_text=_("The statistics exchange file's columns; the first row holds the column names."),
    )
    point = forms.ModelChoiceField(
        label=_("registration point"), queryset=Organisation.objects.none(), empty_label=None
    )
    mode = ImportModeField()

    def __init__(self, *args: Any, points: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = points


class ExchangeForm(forms.Form):
    """One recipient's exchange file for one month (docs/data-exchange.md)."""

    recipient = forms.ChoiceField(label=_("recipient"), choices=())
    month = forms.CharField(
        label=_("month"), widget=forms.DateInput(attrs={"type": "month"}),
        help_text=_("Registration month, e.g. 2026-11."),
    )

    def __init__(self, *args: Any, recipients: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = recipients

    def clean_month(self) -> tuple[datetime.date, datetime.date]:
        from techtransfer.contracts.exchange import month_bounds

        try:
            return month_bounds(self.cleaned_data["month"].strip())
        except (ValueError, TypeError):
            raise forms.ValidationError(_("Give a month as YYYY-MM.")) from None
