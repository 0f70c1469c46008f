"""HTML input for the commissioner and consultation pages. Forms parse and present; rules live in services.py."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.choices import OrgType
from techtransfer.accounts.models import Organisation, User
from techtransfer.achievements.forms import CodeItemChoiceField, DateInput
from techtransfer.core.models import CodeItem
from techtransfer.matching.models import RESEARCH_FOCUS_MAX
from techtransfer.talent.choices import ServiceKind
from techtransfer.talent.services import NOTE_MAX, STATED_TITLE_MAX

BEIJING_DISTRICTS = {"table__key": "region", "table__is_current": True, "code__startswith": "1101"}


def _regions() -> Any:
    return CodeItem.objects.filter(**BEIJING_DISTRICTS).order_by("code")


class AppointForm(forms.Form):
    username = forms.CharField(label=_("user name of the person"), max_length=150)
    year = forms.IntegerField(label=_("appointment year"), min_value=2000, max_value=2100)
    dispatching_unit = forms.ModelChoiceField(
        label=_("dispatching unit"),
        queryset=Organisation.objects.filter(
            org_type__in=[OrgType.UNIVERSITY, OrgType.INSTITUTE, OrgType.HOSPITAL, OrgType.ENTERPRISE,
                          OrgType.TRANSFER_INSTITUTION]).order_by("name"),
    )
    service_region = CodeItemChoiceField(label=_("service region"), queryset=CodeItem.objects.none())
    fields = forms.ModelMultipleChoiceField(
        label=_("technical fields"), required=False, queryset=CodeItem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_region"].queryset = _regions()
        fields_field = self.fields["fields"]
        assert isinstance(fields_field, forms.ModelMultipleChoiceField)
        fields_field.queryset = CodeItem.objects.current("high_tech_field").order_by("sort_order", "code")
        fields_field.label_from_instance = lambda item: item.label  # type: ignore[method-assign]  # label in the active language
        self.initial.setdefault("year", timezone.localdate().year)

    def clean_username(self) -> User:
        name = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=name, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active user has this user name."))
        return user


class AssignForm(forms.Form):
    enterprise = forms.ModelChoiceField(
        label=_("enterprise"), required=False,
        queryset=Organisation.objects.filter(org_type=OrgType.ENTERPRISE).order_by("name"),
    )
    village_name = forms.CharField(label=_("or a village or community"), max_length=100, required=False)
    village_region = CodeItemChoiceField(label=_("region of the village"), required=False,
                                         queryset=CodeItem.objects.none())
    start = forms.DateField(label=_("start"), widget=DateInput())
    end = forms.DateField(label=_("end"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village_region"].queryset = _regions()


class VisitForm(forms.Form):
    date = forms.DateField(label=_("date"), widget=DateInput(), initial=datetime.date.today)
    kind = forms.ChoiceField(label=_("kind of service"), choices=ServiceKind.choices)
    hours = forms.DecimalField(label=_("hours"), max_digits=4, decimal_places=1, min_value=0, max_value=24)
    people_served = forms.IntegerField(label=_("people served"), min_value=0, max_value=10000)
    note = forms.CharField(label=_("note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    achievement = forms.IntegerField(label=_("achievement involved (number)"), required=False, min_value=1,
                                     max_value=2**31 - 1)
    demand = forms.IntegerField(label=_("demand involved (number)"), required=False, min_value=1,
                                max_value=2**31 - 1)


class ConfirmForm(forms.Form):
    answer = forms.ChoiceField(label=_("answer"), choices=[("confirm", _("Confirm")), ("dispute", _("Dispute"))])
    note = forms.CharField(label=_("note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("start"), required=False, widget=DateInput())
    end = forms.DateField(label=_("end"), required=False, widget=DateInput())

    def period(self) -> tuple[datetime.date, datetime.date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        start = data.get("start") or datetime.date(today.year, 1, 1)
        end = data.get("end") or datetime.date(today.year, 12, 31)
        return (start, end) if start <= end else (end, start)


class ConsultationForm(forms.Form):
    enterprise = forms.ModelChoiceField(label=_("your enterprise"), queryset=Organisation.objects.none())
    message = forms.CharField(label=_("message"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, enterprises: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["enterprise"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in enterprises]).order_by("name")
        if enterprises:
            field.initial = enterprises[0].pk


class ClaimForm(forms.Form):
    evidence = forms.CharField(
        label=_("how to check"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Your position at the unit, a staff page or an address at the unit: what lets a reviewer check "
                    "that this profile is yours."),
    )


class ExpertProfileForm(forms.Form):
    stated_title = forms.CharField(label=_("professional title"), max_length=STATED_TITLE_MAX, required=False)
    research_focus = forms.CharField(label=_("research focus"), max_length=RESEARCH_FOCUS_MAX, required=False,
                                     widget=forms.Textarea(attrs={"rows": 5}))
    expertise = forms.CharField(label=_("expertise"), max_length=1000, required=False,
                                help_text=_("Terms separated by commas, for example: 锂电池，正极材料，电池管理系统"))
    accepts_consultations = forms.BooleanField(label=_("I take consultation requests from enterprises"),
                                               required=False)


class MergeForm(forms.Form):
    other = forms.TypedChoiceField(label=_("the profile to merge into this one"), coerce=int,
                                   widget=forms.RadioSelect, choices=())

    def __init__(self, *args: Any, candidates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["other"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(e.pk, f"{e.name} · {e.unit_name or '—'} ({e.achievement_count} / {e.project_count})")
                         for e in candidates]
