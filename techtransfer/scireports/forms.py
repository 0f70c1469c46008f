"""HTML input for the report pages. Forms parse and present; the rules live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from techtransfer.achievements.choices import IPKind
from techtransfer.achievements.choices import Status as AchievementStatus
from techtransfer.achievements.models import Achievement, FundedProject
from techtransfer.core.forms import NamedErrorsMixin, OneTimeFormMixin
from techtransfer.scireports import services
from techtransfer.scireports.choices import Sharing
from techtransfer.scireports.models import ScienceReport

WIDE_FIELDS = {"title", "abstract", "achievements", "file", "project"}


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: FundedProject) -> str:
        return f"{obj.grant_number} {obj.title}"


class AchievementChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Achievement) -> str:
        return f"{obj.name} ({obj.get_status_display()})"


class ReportForm(OneTimeFormMixin, NamedErrorsMixin, forms.ModelForm):
    """The report's fields (services.FORM_FIELDS), its file and the achievements it links; the project is chosen
    when the report is made."""

    wide_fields = WIDE_FIELDS
    file = forms.FileField(
        label=_("report file (PDF)"), required=False,
        help_text=_("The full text as a PDF. A new file replaces the stored one."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    class Meta:
        model = ScienceReport
        fields = services.FORM_FIELDS
        widgets = {"abstract": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args: Any, units: set[int], with_project: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner_ids = {self.instance.owner_id} if self.instance.pk else units
        if with_project:
            self.fields["project"] = ProjectChoiceField(
                label=_("funded project"),
                queryset=FundedProject.objects.filter(organisation_id__in=units).order_by("-start", "grant_number"),
                help_text=_("The report belongs to this project; its unit owns the report."),
            )
            self.order_fields(["project", *services.FORM_FIELDS])
        self.fields["achievements"] = AchievementChoiceField(
            label=_("achievements of the project"),
            queryset=Achievement.objects.filter(owner_id__in=owner_ids).exclude(status=AchievementStatus.WITHDRAWN),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("Achievements of your unit that the project produced (their IP is shown with the report)."),
        )
        if self.instance.pk:
            self.initial["achievements"] = list(self.instance.achievements.values_list("pk", flat=True))
        self.fields["delay_months"].help_text = _("Required for a delayed release; the rule set in force limits it.")

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in services.FORM_FIELDS if name in self.cleaned_data}


class IPForm(NamedErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=[("", "—"), *IPKind.choices], required=False)
    number = forms.CharField(label=_("number"), max_length=40, required=False)
    title = forms.CharField(label=_("title"), max_length=300, required=False)

    def row(self) -> dict[str, Any] | None:
        data = getattr(self, "cleaned_data", {})
        if not (data.get("kind") or (data.get("number") or "").strip() or (data.get("title") or "").strip()):
            return None
        return {"kind": data.get("kind", ""), "number": data.get("number", ""), "title": data.get("title", "")}


IPFormSet = formset_factory(IPForm, extra=3, max_num=50, validate_max=True)


def ip_rows(formset: Any) -> list[dict[str, Any]]:
    return [row for form in formset for row in [form.row()] if row is not None]


class SharingForm(forms.Form):
    sharing = forms.ChoiceField(label=_("sharing status"), choices=Sharing.choices)
    reason = forms.CharField(label=_("note"), max_length=500, required=False)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    report_type = forms.CharField(max_length=16, required=False)
    programme = forms.CharField(max_length=64, required=False)
