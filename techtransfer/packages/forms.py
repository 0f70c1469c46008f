"""The package form (its key field, titles and cover texts) and the list's filter form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techtransfer.core.models import CodeItem
from techtransfer.lib.validators import SUMMARY_MAX_LENGTH
from techtransfer.packages.choices import PackageStatus
from techtransfer.packages.selectors import key_fields


class KeyFieldChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: CodeItem) -> str:
        return obj.label


class PackageForm(forms.Form):
    key_field = KeyFieldChoice(queryset=CodeItem.objects.none(), label=_("Key field"), empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    cover = forms.CharField(
        label=_("Cover text"), max_length=SUMMARY_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Demand-oriented: which problems of enterprises the package answers."),
    )
    cover_en = forms.CharField(
        label=_("Cover text (English)"), max_length=SUMMARY_MAX_LENGTH, required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key_field"].queryset = key_fields()  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("key_field", "title", "title_en", "cover", "cover_en")}


class FilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200)
    key_field = forms.CharField(required=False, max_length=32)
    status = forms.ChoiceField(required=False, choices=[("", ""), *PackageStatus.choices])

    def params(self) -> dict[str, str]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}
