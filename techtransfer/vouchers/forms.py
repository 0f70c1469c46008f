"""HTML input for the voucher pages. Forms parse and present; the rules live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.models import Organisation
from techtransfer.achievements.forms import CodeItemMultipleChoiceField, DateInput
from techtransfer.core.forms import NamedErrorsMixin, OneTimeFormMixin
from techtransfer.core.models import CodeItem
from techtransfer.lib.money import WanYuanField
from techtransfer.vouchers import services
from techtransfer.vouchers.choices import ApplicantType, ProviderCategory
from techtransfer.vouchers.models import Programme, Provider, Voucher

MONEY_YUAN = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


class ApplyForm(OneTimeFormMixin, NamedErrorsMixin, forms.ModelForm):
    """An application: who applies (one of the user's units), as what, for how much and what for."""

    holder = forms.ModelChoiceField(label=_("applicant"), queryset=Organisation.objects.none(), empty_label=None)

    class Meta:
        model = Voucher
        fields = services.APPLY_FIELDS
        widgets = {
            "applicant_type": forms.RadioSelect,
            "purpose": forms.Textarea(attrs={"rows": 4}),
            "team_members": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"requested_amount": WanYuanField, "annual_revenue": WanYuanField}
        labels = {
            "requested_amount": _("amount applied for (万元)"),
            "annual_revenue": _("annual revenue of last year (万元)"),
        }
        help_texts = {
            "requested_amount": _("In 万元 (10,000 yuan), e.g. 10 for 100,000 yuan."),
            "annual_revenue": _("In 万元; 0 for a team without revenue yet."),
        }

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = organisations
        self.fields["applicant_type"].choices = list(ApplicantType.choices)
        self.order_fields(["holder", *services.APPLY_FIELDS])

    def _post_clean(self) -> None:
        pass  # the service checks the application against the programme's rules; its errors land on the fields

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in services.APPLY_FIELDS}


class BookWithVoucherForm(forms.Form):
    """A facility booking paid with the voucher (the same fields as the facility's own booking form)."""

    day = forms.DateField(label=_("day"), widget=DateInput())
    start_time = forms.TimeField(label=_("starts"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(label=_("ends"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    purpose = forms.CharField(label=_("purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ContractUseForm(forms.Form):
    provider = forms.ModelChoiceField(label=_("provider"), queryset=Provider.objects.none())
    contract_number = forms.CharField(label=_("service contract number"), max_length=64)
    agreed_amount = forms.DecimalField(label=_("agreed price (元)"), **MONEY_YUAN)
    description = forms.CharField(label=_("service"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, providers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["provider"]
        field.queryset = providers
        field.label_from_instance = lambda provider: provider.organisation.display_name  # type: ignore[attr-defined]


class RedeemForm(forms.Form):
    invoice_number = forms.CharField(label=_("invoice number"), max_length=64)
    invoice_amount = forms.DecimalField(
        label=_("invoice amount (元)"), **MONEY_YUAN,
        help_text=_("The whole invoice; the voucher pays its share after the holder's co-payment."),
    )
    report = forms.FileField(
        label=_("service report (PDF)"), widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"})
    )


class ProgrammeForm(NamedErrorsMixin, forms.ModelForm):
    class Meta:
        model = Programme
        fields = services.PROGRAMME_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "source": forms.Textarea(attrs={"rows": 3}),
            "end_date": DateInput(),
        }
        field_classes = {"budget": WanYuanField, "max_amount": WanYuanField, "max_revenue": WanYuanField}
        labels = {
            "budget": _("budget (万元)"),
            "max_amount": _("highest amount of one voucher (万元)"),
            "max_revenue": _("highest annual revenue of an applicant (万元)"),
        }

    def _post_clean(self) -> None:
        pass  # the service checks the programme (and that its kind and year are not taken)

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in services.PROGRAMME_FIELDS}


class ProviderForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(label=_("organisation"), queryset=Organisation.objects.none())
    fields_ = CodeItemMultipleChoiceField(
        label=_("technical fields"), queryset=CodeItem.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Provider
        fields = services.PROVIDER_FIELDS
        widgets = {"services": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = organisations
            self.order_fields(["organisation", *services.PROVIDER_FIELDS])
        self.fields["fields_"].queryset = CodeItem.objects.current("high_tech_field").order_by("sort_order", "code")
        if self.instance.pk:
            self.initial["fields_"] = list(self.instance.fields.values_list("pk", flat=True))
        self.fields["category"].choices = list(ProviderCategory.choices)

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in services.PROVIDER_FIELDS}


class ProviderSearchForm(forms.Form):
    """The provider list's query string: anything not understood is dropped."""

    q = forms.CharField(required=False, strip=True, max_length=200)
    category = forms.ChoiceField(required=False, choices=[("", "—"), *ProviderCategory.choices])
    field = forms.CharField(required=False, max_length=32)
    province = forms.RegexField(required=False, regex=r"^\d{2}$")

    def params(self) -> dict[str, Any]:
        self.is_valid()
        data = self.cleaned_data
        return {
            "q": "".join(ch for ch in data.get("q", "") if ch.isprintable()).strip(),
            "filters": {name: data[name] for name in ("category", "field", "province") if data.get(name)},
        }
