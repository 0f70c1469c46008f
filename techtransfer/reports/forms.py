"""Forms of the annual report pages: starting a report, the narrative and the figure corrections, attachments,
and the commission's deadline settings and reporting units."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.models import Organisation
from techtransfer.reports.figures import DERIVED, FIGURES
from techtransfer.reports.models import AnnualReport
from techtransfer.reports.services import NARRATIVE_FIELDS


class StartForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Reporting unit"))
    year = forms.IntegerField(label=_("Reporting year"), min_value=2015, max_value=2100)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class NarrativeForm(forms.ModelForm):
    class Meta:
        model = AnnualReport
        fields = list(NARRATIVE_FIELDS)
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in NARRATIVE_FIELDS}


class FiguresForm(forms.Form):
    """One optional field per figure: empty keeps the platform's value (or clears the correction)."""

    def __init__(self, *args: Any, report: AnnualReport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for figure in FIGURES:
            if figure.key in DERIVED:
                continue  # a total follows its parts
            initial = report.overrides.get(figure.key, "")
            self.fields[f"fig_{figure.key}"] = forms.CharField(
                label=figure.text, required=False, max_length=24, initial=initial,
                help_text=_("From the platform: %(value)s") % {"value": report.prefilled.get(figure.key, "—")}
                if figure.prefilled else _("Enter it by hand."),
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )

    def overrides(self) -> dict[str, str]:
        return {name.removeprefix("fig_"): value for name, value in self.cleaned_data.items()}


class ReportingYearForm(forms.Form):
    year = forms.IntegerField(label=_("Reporting year"), min_value=2015, max_value=2100)
    unit_deadline = forms.DateField(label=_("Unit deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    department_deadline = forms.DateField(
        label=_("Department deadline"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reminder_days_before = forms.CharField(
        label=_("Reminders before each deadline (days)"), initial="30, 7, 1", max_length=100
    )
    reminder_days_after = forms.CharField(
        label=_("Reminders after each deadline (days)"), initial="1, 7, 14", max_length=100
    )
    source = forms.CharField(label=_("Source (the notice)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class ReportingUnitForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Organisation"))
    reason = forms.CharField(label=_("Why it reports"), required=False, max_length=200)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
