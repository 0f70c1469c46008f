"""HTML input for the achievement pages. Forms parse and present; the rules live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from techtransfer.accounts.models import Organisation
from techtransfer.achievements import services
from techtransfer.achievements.choices import AttachmentKind, IPKind, Secrecy
from techtransfer.achievements.models import Achievement, FundedProject
from techtransfer.achievements.services import CODE_FIELDS  # field → code table
from techtransfer.core.forms import TREE_TABLES, CodeItemTreeField, NamedErrorsMixin, OneTimeFormMixin
from techtransfer.core.models import CodeItem, ImportMode

# Tables whose codes mean something to the reader (GB/T 13745 disciplines, GB/T 4754 sections, GB/T 2260).
SHOW_CODE = {"discipline", "industry", "region"}

# The sections of the 科技成果登记表, in the order the paper form has them.
FIELDSETS: list[tuple[Any, list[str]]] = [
    (
        _("Basic information"),
        ["achievement_type", "name", "name_en", "summary", "summary_en", "keywords", "keywords_en", "secrecy",
         "public_release"],
    ),
    (
        _("Classification"),
        ["discipline", "high_tech_field", "industry", "stage", "level", "application_status", "attribute",
         "output_form", "evaluation_method"],
    ),
    (
        _("Project source and research period"),
        ["project_source", "programme_name", "programme_number", "funded_project", "research_start", "research_end",
         "evaluation_date", "recommending_unit", "internal_registration_date", "region"],
    ),
    (_("Contact"), ["contact_name", "contact_phone", "contact_email", "contact_address"]),
]
# Long text fields take the whole width of the form grid.
WIDE_FIELDS = {"name", "name_en", "summary", "summary_en", "contact_address"}


class CodeItemChoiceField(forms.ModelChoiceField):
    """A select of code-table items labelled in the active language."""

    def __init__(self, *args: Any, show_code: bool = False, **kwargs: Any) -> None:
        self.show_code = show_code
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: CodeItem) -> str:  # type: ignore[override]
        return f"{obj.code} {obj.label}" if self.show_code else obj.label


class CodeItemMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: CodeItem) -> str:  # type: ignore[override]
        return obj.label


class MonthInput(forms.DateInput):
    """<input type=month>: the form records research periods as year and month only."""

    input_type = "month"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _month_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=MonthInput(), input_formats=["%Y-%m", "%Y-%m-%d", "%Y/%m"],
        help_text=_("Year and month, e.g. 2021-03."),
    )


def _keywords_text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return value or ""


class AchievementForm(OneTimeFormMixin, NamedErrorsMixin, forms.ModelForm):
    """The fields of the registration form (services.FORM_FIELDS); parts are edited in the formsets."""

    wide_fields = WIDE_FIELDS

    keywords = forms.CharField(
        label=_("keywords"), required=False, help_text=_("At most 3, separated by commas (，or ,)."), max_length=300
    )
    keywords_en = forms.CharField(label=_("English keywords"), required=False, max_length=300)
    research_start = _month_field(_("research start"))
    research_end = _month_field(_("research end"))

    class Meta:
        model = Achievement
        fields = services.FORM_FIELDS
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "summary_en": forms.Textarea(attrs={"rows": 4}),
            "evaluation_date": DateInput(),
            "internal_registration_date": DateInput(),
        }

    def __init__(self, *args: Any, owner: Organisation | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance: Achievement = self.instance
        for name, key in CODE_FIELDS.items():
            current_id = getattr(instance, f"{name}_id", None)
            # Current items only, plus the one an older record already points at (an earlier table version).
            queryset = CodeItem.objects.filter(
                Q(table__key=key, table__is_current=True, active=True) | Q(pk=current_id)
            )
            model_field = self.fields[name]
            # Regions and industries are trees: province → district, section → division.
            tree = {"table": key} if key in TREE_TABLES else {}
            self.fields[name] = (CodeItemTreeField if tree else CodeItemChoiceField)(
                queryset=queryset.order_by("sort_order", "code"),
                required=False,
                label=model_field.label,
                help_text=model_field.help_text,
                show_code=name in SHOW_CODE,
                empty_label="—",
                **tree,
            )
        owner_id = owner.pk if owner else instance.owner_id
        self.fields["funded_project"].queryset = FundedProject.objects.filter(
            Q(organisation_id=owner_id) | Q(pk=instance.funded_project_id)
        ).order_by("-start", "grant_number")
        self.fields["funded_project"].help_text = _("The funded project this achievement reports on, if any.")
        self.fields["secrecy"].help_text = _("Classified achievements cannot be registered on this platform.")
        # The model keeps keywords as a list; the form edits them as one line of text.
        self.initial["keywords"] = _keywords_text(instance.keywords)
        self.initial["keywords_en"] = _keywords_text(instance.keywords_en)
        self.fields["secrecy"].widget.attrs["data-unclassified"] = Secrecy.NONE

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in FIELDSETS]

    @property
    def is_classified(self) -> bool:
        value = self["secrecy"].value()
        return bool(value) and value != Secrecy.NONE

    def service_data(self, only_changed: bool = False) -> dict[str, Any]:
        """The cleaned values for achievement_create/update/revise (model field names only). Of a form that
        failed its checks, a field that failed is None: unknown, so that the service does not check the
        other fields against its old value."""
        names = self.changed_data if only_changed else services.FORM_FIELDS
        return {name: self.cleaned_data.get(name) for name in names if name in services.FORM_FIELDS}


class RowForm(NamedErrorsMixin, forms.Form):
    """One row of a repeated-row table; `row()` is the dict the service takes."""

    def row(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.fields if name != "DELETE"}


class UnitForm(RowForm):
    name = forms.CharField(label=_("unit name"), max_length=200, required=False)


class PersonForm(RowForm):
    name = forms.CharField(label=pgettext_lazy("person", "name"), max_length=100, required=False)
    unit_name = forms.CharField(label=_("unit"), max_length=200, required=False)
    title = forms.CharField(label=_("professional title"), max_length=50, required=False)
    education = forms.CharField(label=_("education"), max_length=50, required=False)
    birth_year = forms.IntegerField(label=_("birth year"), required=False, min_value=1900, max_value=2100)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # The service refuses a person without a name too; said here, the message lands on the row.
        others = [data.get(name) for name in ("unit_name", "title", "education", "birth_year")]
        if not (data.get("name") or "").strip() and "name" not in self.errors and any(others):
            self.add_error("name", _("Give this person's name."))
        return data


class IPItemForm(RowForm):
    # The initial kind makes an untouched new row count as empty rather than as an item without a number.
    kind = forms.ChoiceField(label=_("kind"), choices=IPKind.choices, initial=IPKind.INVENTION_PATENT)
    number = forms.CharField(label=_("number"), max_length=40, required=False)
    title = forms.CharField(label=_("title"), max_length=300, required=False)
    holder = forms.CharField(label=_("holder"), max_length=200, required=False)
    granted = forms.BooleanField(label=_("granted"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind, number = data.get("kind"), (data.get("number") or "").strip()
        if kind and not number:
            self.add_error("number", _("Give the number of this IP item."))
        elif kind and number:
            try:
                # The service's own check (check digit for patents), so the message lands on this row.
                data["number"] = services.ip_number_validate(kind, number)
            except ValidationError as exc:
                self.add_error("number", exc)
        return data


class RowFormSet(forms.BaseFormSet):
    """Rows in display order; a row marked for removal or left blank is dropped."""

    def rows(self) -> list[dict[str, Any]]:
        result = []
        for form in self.forms:
            # An untouched new row validates to no data at all.
            if not form.cleaned_data or self._should_delete_form(form):
                continue
            row = form.row()
            if any(value not in ("", None, False) for name, value in row.items() if name != "kind"):
                result.append(row)
        return result


UnitFormSet = formset_factory(UnitForm, formset=RowFormSet, extra=0, can_delete=True)
PersonFormSet = formset_factory(PersonForm, formset=RowFormSet, extra=0, can_delete=True)
IPItemFormSet = formset_factory(IPItemForm, formset=RowFormSet, extra=0, can_delete=True)

# Formset prefix → formset class: the three repeated-row tables of the form.
PARTS: dict[str, Any] = {"units": UnitFormSet, "persons": PersonFormSet, "ip_items": IPItemFormSet}
MODES_TITLE = _("Intended transfer modes")
# How each table is titled and explained on the page.
PART_LABELS: dict[str, tuple[Any, Any, Any]] = {
    "units": (
        _("Completing units"),
        _("In signing order. The first completing unit registers the achievement."),
        _("Add a unit"),
    ),
    "persons": (_("Completing persons"), _("In order of contribution."), _("Add a person")),
    "ip_items": (
        _("Intellectual property"),
        _("Patents (with their check digit, e.g. ZL202110123456.7), software copyrights (2019SR0123456), "
          "plant variety rights (CNA20171234.5)."),
        _("Add an IP item"),
    ),
}


def part_initial(achievement: Achievement | None, owner: Organisation | None) -> dict[str, list[dict[str, Any]]]:
    if achievement is None or achievement.pk is None:
        return {"units": [{"name": owner.name}] if owner else [{}], "persons": [{}], "ip_items": []}
    return {
        "units": [{"name": u.name} for u in achievement.units.all()],
        "persons": [
            {"name": p.name, "unit_name": p.unit_name, "title": p.title, "education": p.education,
             "birth_year": p.birth_year}
            for p in achievement.persons.all()
        ],
        "ip_items": [
            {"kind": i.kind, "number": i.number, "title": i.title, "holder": i.holder, "granted": i.granted}
            for i in achievement.ip_items.all()
        ],
    }


class TransferModesForm(NamedErrorsMixin, forms.Form):
    transfer_modes = CodeItemMultipleChoiceField(
        label=_("intended transfer modes"),
        queryset=CodeItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, current_ids: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["transfer_modes"].queryset = CodeItem.objects.filter(
            Q(table__key="transfer_mode", table__is_current=True, active=True) | Q(pk__in=current_ids or [])
        ).order_by("sort_order", "code")


class OwnerForm(forms.Form):
    """Which unit registers, for people who belong to more than one."""

    owner = forms.ModelChoiceField(label=_("registering unit"), queryset=Organisation.objects.none(), empty_label=None)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = organisations


class AttachmentForm(NamedErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind of material"), choices=AttachmentKind.choices)
    file = forms.FileField(
        label=_("PDF file"), widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"})
    )


class ReviseForm(AchievementForm):
    """The registered record's fields, prefilled; only the ones changed go into the revision."""

    reason = forms.CharField(
        label=_("reason for the revision"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
        help_text=_("Required: the revision is recorded with it."),
    )


class ImportModeField(forms.TypedChoiceField):
    """Save the good rows and report the bad ones, or save nothing if any row is bad."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label=_("If a row is bad"), choices=ImportMode.choices, initial=ImportMode.GOOD_ROWS,
            widget=forms.RadioSelect, required=False, empty_value=ImportMode.GOOD_ROWS, **kwargs,
        )


class ImportForm(OneTimeFormMixin, forms.Form):
    file = forms.FileField(
        label=_("XLSX or CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
        help_text=_("Use the template: one achievement per row, the first row holds the column names."),
    )
    owner = forms.ModelChoiceField(label=_("registering unit"), queryset=Organisation.objects.none(), empty_label=None)
    mode = ImportModeField()

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = organisations

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise ValidationError(_("Upload an .xlsx or a .csv file; %(name)s is neither.") % {"name": upload.name})
        return upload


class FundedImportForm(forms.Form):
    """A programme's list of funded projects (commission administrators)."""

    programme = forms.ModelChoiceField(label=_("programme"), queryset=CodeItem.objects.none(), empty_label=None)
    file = forms.FileField(
        label=_("XLSX, CSV or TSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.tsv,.txt"}),
        help_text=_(
            "Columns: grant number, grant type, title, host institution, principal investigator, "
            "amount (万元), period (2018.01-2020.12), evaluation — NSFC-style English names or "
            "批准号/项目名称/依托单位/负责人/金额/起止年月."
        ),
    )
    mode = ImportModeField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = CodeItem.objects.current("project_source")
