"""API shapes of an achievement, shared by the operation classes in achievements/api.py.

They check the shape of the input and turn codes into code items; every rule (who, when, what is
complete) stays in services.py.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from techtransfer.accounts.models import Organisation
from techtransfer.achievements import permissions as perms
from techtransfer.achievements import services
from techtransfer.achievements.choices import AchievementType, AttachmentKind, IPKind, Secrecy
from techtransfer.achievements.models import Achievement, Attachment
from techtransfer.api.fields import ChoiceLabelField, CodeField, StrictInputMixin, code_output_fields
from techtransfer.api.serializers import OrganisationRefSerializer
from techtransfer.api.workflow import AllowedActionsField
from techtransfer.lib.validators import SUMMARY_MAX_LENGTH, validate_sane_date

# Code fields of the form; each is named after its code table.
CODE_FIELDS = tuple(services.CODE_FIELDS)
# The ones the list selector joins in (Achievement.objects.with_codes()), so the list costs no extra query.
LIST_CODE_FIELDS = (
    "discipline",
    "high_tech_field",
    "industry",
    "stage",
    "level",
    "application_status",
    "attribute",
    "project_source",
    "region",
)
PARTS = ("units", "persons", "ip_items", "transfer_modes")
# The form records the research period by year and month; a full date is accepted too.
YEAR_MONTH_FORMATS = ["%Y-%m", "iso-8601"]


def split_parts(validated: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(form fields, parts) from validated input, as the services take them."""
    data = dict(validated)
    parts = {name: data.pop(name) for name in PARTS if name in data}
    return data, parts


# ---------------------------------------------------------------- input


@extend_schema_serializer(component_name="CompletingUnit")
class UnitInputSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=200)
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
        help_text="Id of the unit on the platform, if it is there (/api/v1/organisations/).",
    )


@extend_schema_serializer(component_name="CompletingPerson")
class PersonInputSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=100)
    unit_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    title = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    education = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    birth_year = serializers.IntegerField(min_value=1900, max_value=2100, required=False, allow_null=True)


@extend_schema_serializer(component_name="IPItem")
class IPItemInputSerializer(StrictInputMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=IPKind.choices)
    number = serializers.CharField(
        max_length=40, help_text="Patents: application or patent number with its check character, e.g. ZL202110123456.7"
    )
    title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    holder = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    granted = serializers.BooleanField(required=False, default=False)


class AchievementFieldsInputSerializer(StrictInputMixin, serializers.Serializer):
    """The registration form's fields, all optional: PATCH and revisions send only what changes."""

    achievement_type = serializers.ChoiceField(choices=AchievementType.choices, required=False)
    name = serializers.CharField(max_length=200, required=False)
    name_en = serializers.CharField(max_length=300, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=SUMMARY_MAX_LENGTH, required=False)
    summary_en = serializers.CharField(max_length=SUMMARY_MAX_LENGTH, required=False, allow_blank=True)
    keywords = serializers.ListField(child=serializers.CharField(max_length=50), required=False, help_text="At most 3.")
    keywords_en = serializers.ListField(child=serializers.CharField(max_length=80), required=False)
    secrecy = serializers.ChoiceField(choices=Secrecy.choices, required=False)
    programme_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    programme_number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    research_start = serializers.DateField(
        input_formats=YEAR_MONTH_FORMATS, required=False, allow_null=True, help_text="YYYY-MM (or a full date).",
        validators=[validate_sane_date],
    )
    research_end = serializers.DateField(
        input_formats=YEAR_MONTH_FORMATS, required=False, allow_null=True, help_text="YYYY-MM (or a full date).",
        validators=[validate_sane_date],
    )
    recommending_unit = serializers.CharField(max_length=200, required=False, allow_blank=True)
    evaluation_date = serializers.DateField(required=False, allow_null=True, validators=[validate_sane_date])
    internal_registration_date = serializers.DateField(
        required=False, allow_null=True, validators=[validate_sane_date]
    )
    public_release = serializers.BooleanField(required=False)
    contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_address = serializers.CharField(max_length=300, required=False, allow_blank=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for name in CODE_FIELDS:
            fields[name] = CodeField(name, required=False, allow_null=True)
        return fields


class AchievementPartsInputSerializer(AchievementFieldsInputSerializer):
    """The form's fields and its lists; a list that is sent replaces the stored one, in the order given."""

    units = UnitInputSerializer(many=True, required=False, help_text="In signing order; default: your unit.")
    persons = PersonInputSerializer(many=True, required=False, help_text="In order of contribution.")
    ip_items = IPItemInputSerializer(many=True, required=False)
    transfer_modes = serializers.ListField(
        child=CodeField("transfer_mode"), required=False, help_text="Codes from /api/v1/code-tables/transfer_mode/"
    )


# ---------------------------------------------------------------- output


def _blank(field: serializers.Field) -> Any:
    """What a field the caller may not read shows: empty text, or null."""
    return "" if isinstance(field, serializers.CharField) else None


@extend_schema_serializer(component_name="Attachment")
class AttachmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)
    kind_label = ChoiceLabelField("kind")
    original_name = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    created = serializers.DateTimeField()
    url = serializers.SerializerMethodField(help_text="The download route, which checks who asks.")

    def get_url(self, attachment: Attachment) -> str:
        request = self.context.get("request")
        url = reverse("achievements:attachment", args=[attachment.achievement_id, attachment.pk])
        return request.build_absolute_uri(url) if request else url


@extend_schema_serializer(component_name="CompletingUnit")
class UnitOutputSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    name = serializers.CharField()
    organisation = serializers.IntegerField(source="organisation_id", allow_null=True)


@extend_schema_serializer(component_name="CompletingPerson")
class PersonOutputSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    name = serializers.CharField()
    unit_name = serializers.CharField()
    title = serializers.CharField()
    education = serializers.CharField(help_text="Empty unless you work on the record (personal data).")
    birth_year = serializers.IntegerField(
        allow_null=True, help_text="Null unless you work on the record (personal data)."
    )


@extend_schema_serializer(component_name="IPItem")
class IPItemOutputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IPKind.choices)
    kind_label = ChoiceLabelField("kind")
    number = serializers.CharField()
    title = serializers.CharField()
    holder = serializers.CharField()
    granted = serializers.BooleanField()


@extend_schema_serializer(component_name="SearchHighlight")
class HighlightOutputSerializer(serializers.Serializer):
    score = serializers.FloatField()
    title_html = serializers.CharField(help_text="The name with the matched words in <mark>.")
    snippet_html = serializers.CharField(help_text="A passage of the summary with the matched words in <mark>.")


@extend_schema_serializer(component_name="AchievementSummary")
class AchievementListOutputSerializer(serializers.Serializer):
    """An achievement in a list: what a results page shows."""

    code_fields = LIST_CODE_FIELDS

    id = serializers.IntegerField()
    status = serializers.CharField()
    status_label = ChoiceLabelField("status")
    registration_number = serializers.CharField(allow_null=True)
    achievement_type = serializers.CharField()
    achievement_type_label = ChoiceLabelField("achievement_type")
    name = serializers.CharField()
    name_en = serializers.CharField()
    summary = serializers.CharField()
    keywords = serializers.ListField(child=serializers.CharField())
    owner = OrganisationRefSerializer()
    transfer_modes = serializers.SerializerMethodField()
    transfer_modes_labels = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    registered_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()
    highlight = HighlightOutputSerializer(
        source="search_hit", allow_null=True, help_text="Only in search results (the list's `q` parameter)."
    )
    allowed_actions = AllowedActionsField()

    def get_fields(self) -> dict[str, serializers.Field]:
        return {**super().get_fields(), **code_output_fields(*self.code_fields)}

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_transfer_modes(self, achievement: Achievement) -> list[str]:
        return [item.code for item in achievement.transfer_modes.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_transfer_modes_labels(self, achievement: Achievement) -> list[str]:
        return [item.label for item in achievement.transfer_modes.all()]


@extend_schema_serializer(component_name="AchievementDetail")
class AchievementDetailOutputSerializer(AchievementListOutputSerializer):
    """A whole achievement: every field of the form, its lists, files and registration data."""

    code_fields = CODE_FIELDS
    highlight = None  # only search results carry one

    summary_en = serializers.CharField()
    keywords_en = serializers.ListField(child=serializers.CharField())
    secrecy = serializers.CharField()
    secrecy_label = ChoiceLabelField("secrecy")
    programme_name = serializers.CharField()
    programme_number = serializers.CharField()
    funded_project = serializers.IntegerField(source="funded_project_id", allow_null=True)
    research_start = serializers.DateField(allow_null=True)
    research_end = serializers.DateField(allow_null=True)
    recommending_unit = serializers.CharField()
    evaluation_date = serializers.DateField(allow_null=True)
    internal_registration_date = serializers.DateField(allow_null=True)
    public_release = serializers.BooleanField(allow_null=True)
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    contact_email = serializers.CharField()
    contact_address = serializers.CharField()
    registry = OrganisationRefSerializer(allow_null=True)
    return_reason = serializers.CharField()
    revision_count = serializers.IntegerField(allow_null=True)
    units = UnitOutputSerializer(many=True)
    persons = PersonOutputSerializer(many=True)
    ip_items = IPItemOutputSerializer(many=True)
    attachments = AttachmentOutputSerializer(
        many=True, help_text="The registration materials: empty unless you work on the record."
    )

    def to_representation(self, achievement: Achievement) -> dict[str, Any]:
        """Exactly what the detail page shows the caller: the parts their visibility leaves out are blanked."""
        data = super().to_representation(achievement)
        request = self.context.get("request")
        visibility = perms.achievement_visibility(getattr(request, "user", None), achievement)
        if not visibility.internal:
            data.update({name: _blank(self.fields[name]) for name in perms.INTERNAL_FIELDS})
        if not visibility.personal_data:
            person_fields = PersonOutputSerializer().fields
            for person in data["persons"]:
                person.update({name: _blank(person_fields[name]) for name in perms.PERSONAL_FIELDS})
        if not visibility.materials:
            data["attachments"] = []
        return data
