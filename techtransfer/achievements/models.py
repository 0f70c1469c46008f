"""S&T achievements (科技成果) and their registration: the record, its parts, its history and numbering."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from techtransfer.accounts.models import Organisation
from techtransfer.achievements.choices import AchievementType, AttachmentKind, IPKind, Secrecy, Status
from techtransfer.core.models import CodeItem, StatusHistory, TimeStampedModel
from techtransfer.lib.fields import BoundedTextField
from techtransfer.lib.validators import (
    NOTE_MAX_LENGTH,
    PHONE_HELP_TEXT,
    SUMMARY_MAX_LENGTH,
    validate_phone_number,
    validate_sane_date,
)


def _code(key: str, verbose: Any, **kwargs: Any) -> models.ForeignKey[Any, Any]:
    """A foreign key to an item of the named code table."""
    return models.ForeignKey(
        CodeItem,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=verbose,
        limit_choices_to={"table__key": key},
        null=True,
        blank=True,
        **kwargs,
    )


class AchievementQuerySet(models.QuerySet["Achievement"]):
    def public(self) -> AchievementQuerySet:
        return self.filter(status=Status.PUBLISHED)

    def with_codes(self) -> AchievementQuerySet:
        return self.select_related(
            "owner", "owner__region", "region", "high_tech_field", "discipline", "industry", "stage", "level",
            "application_status", "attribute", "project_source",
        )


class Achievement(TimeStampedModel):
    """One S&T achievement as filled in the 科技成果登记表, from draft to published registration."""

    owner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="achievements", verbose_name=_("registering unit")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    achievement_type = models.CharField(_("achievement type"), max_length=16, choices=AchievementType.choices)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    summary = BoundedTextField(_("summary"), max_length=SUMMARY_MAX_LENGTH)
    summary_en = BoundedTextField(_("English summary"), max_length=SUMMARY_MAX_LENGTH, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True, help_text=_("At most 3 keywords."))
    keywords_en = models.JSONField(_("English keywords"), default=list, blank=True)

    # Code fields no query filters on have no index of their own: each index costs every imported row an
    # entry (the high-tech field, stage and region are filtered on and keep theirs).
    discipline = _code("discipline", _("discipline"), db_index=False)
    high_tech_field = _code("high_tech_field", _("high-tech field"))
    industry = _code("industry", _("industry of application"), db_index=False)
    stage = _code("stage", _("stage"))
    level = _code("level", _("level"), db_index=False)
    application_status = _code("application_status", _("application status"), db_index=False)
    attribute = _code("attribute", _("attribute"), db_index=False)
    output_form = _code("output_form", _("form of output"), db_index=False)
    evaluation_method = _code("evaluation_method", _("evaluation method"), db_index=False)
    project_source = _code("project_source", _("project source"), db_index=False)
    region = _code("region", _("region"), help_text=_("Where the achievement was made (the unit's district)."))
    transfer_modes = models.ManyToManyField(
        CodeItem,
        blank=True,
        related_name="+",
        verbose_name=_("intended transfer modes"),
        limit_choices_to={"table__key": "transfer_mode"},
    )
    secrecy = models.CharField(_("secrecy level"), max_length=1, choices=Secrecy.choices, default=Secrecy.NONE)
    programme_name = models.CharField(_("programme"), max_length=200, blank=True)
    programme_number = models.CharField(_("programme project number"), max_length=100, blank=True)
    funded_project = models.ForeignKey(
        "FundedProject",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="achievements",
        verbose_name=_("funded project"),
    )
    research_start = models.DateField(
        _("research start"), null=True, blank=True, help_text=_("Year and month."), validators=[validate_sane_date]
    )
    research_end = models.DateField(
        _("research end"), null=True, blank=True, help_text=_("Year and month."), validators=[validate_sane_date]
    )
    recommending_unit = models.CharField(_("recommending unit"), max_length=200, blank=True)
    evaluation_date = models.DateField(_("evaluation date"), null=True, blank=True, validators=[validate_sane_date])
    internal_registration_date = models.DateField(
        _("internal registration date"),
        null=True,
        blank=True,
        validators=[validate_sane_date],
        help_text=_("When the unit registered it internally (Beijing regulation Art. 11 counts one year from here)."),
    )
    public_release = models.BooleanField(
        _("publish after registration"), default=True, help_text=_("Publish on the portal as soon as it is registered.")
    )
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(
        _("contact phone"), max_length=40, blank=True, validators=[validate_phone_number], help_text=PHONE_HELP_TEXT
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_address = models.CharField(_("contact address"), max_length=300, blank=True)

    registration_number = models.CharField(_("registration number"), max_length=32, unique=True, null=True, blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("registered by"),
    )
    registry = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="registered_achievements",
        verbose_name=_("registration body"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    return_reason = BoundedTextField(_("reason for return"), max_length=NOTE_MAX_LENGTH, blank=True)
    revision_count = models.PositiveIntegerField(_("revisions"), default=0)
    # Natural key of a bulk-imported row, so a second import of the same file changes nothing.
    import_key = models.CharField(max_length=64, null=True, blank=True, editable=False)

    objects = AchievementQuerySet.as_manager()

    class Meta:
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "import_key"], name="achievement_import_key_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["registered", "published"], registration_number__isnull=False)
                | ~Q(status__in=["registered", "published"]),
                name="achievement_registered_has_number",
            ),
        ]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name

    @property
    def display_summary(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en") and self.summary_en:
            return self.summary_en
        return self.summary


class CompletingUnit(models.Model):
    """A unit that completed the achievement, in signing order (the first one registers, R1.2)."""

    # No index of its own: the unique constraint below starts with it and serves every lookup by achievement
    # (a second index would only slow the import down).
    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="units", db_index=False)
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("unit name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("organisation")
    )

    class Meta:
        verbose_name = _("completing unit")
        verbose_name_plural = _("completing units")
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["achievement", "position"], name="unit_position_unique")]

    def __str__(self) -> str:
        return self.name


class CompletingPerson(models.Model):
    """A person who completed the achievement, in order of contribution."""

    # No index of its own: the unique constraint below starts with it and serves every lookup by achievement
    # (a second index would only slow the import down).
    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="persons", db_index=False)
    position = models.PositiveSmallIntegerField(_("position"))
    # A person's name is 姓名, not the 名称 of a thing (a record, an IP item, an organisation).
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    unit_name = models.CharField(_("unit"), max_length=200, blank=True)
    title = models.CharField(_("professional title"), max_length=50, blank=True)
    education = models.CharField(_("education"), max_length=50, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("completing person")
        verbose_name_plural = _("completing persons")
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["achievement", "position"], name="person_position_unique")]

    def __str__(self) -> str:
        return self.name


class IPItem(models.Model):
    """A patent, software copyright, plant variety right or other IP behind the achievement."""

    # No index of its own: the unique constraint below starts with it and serves every lookup by achievement
    # (a second index would only slow the import down).
    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="ip_items", db_index=False)
    kind = models.CharField(_("kind"), max_length=32, choices=IPKind.choices)
    number = models.CharField(_("number"), max_length=40)
    title = models.CharField(_("title"), max_length=300, blank=True)
    holder = models.CharField(_("holder"), max_length=200, blank=True)
    granted = models.BooleanField(_("granted"), default=False)

    class Meta:
        verbose_name = _("IP item")
        verbose_name_plural = _("IP items")
        constraints = [models.UniqueConstraint(fields=["achievement", "kind", "number"], name="ipitem_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"achievements/{instance.achievement_id}/{instance.sha256[:16]}.pdf"


class Attachment(TimeStampedModel):
    """A PDF proof filed with the registration (evaluation certificate, patent certificate, report...)."""

    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=32, choices=AttachmentKind.choices, default=AttachmentKind.OTHER)
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class StatusChange(StatusHistory):
    """One step of the registration workflow; the history the review page and statistics read."""

    record = models.ForeignKey(
        Achievement, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("achievement")
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")


class Revision(models.Model):
    """A recorded change to a registered achievement: which fields, from what to what, and why."""

    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision number"))
    changes = models.JSONField(_("changes"))
    reason = BoundedTextField(_("reason"), max_length=NOTE_MAX_LENGTH)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["achievement", "number"], name="revision_number_unique")]

    def __str__(self) -> str:
        return f"{self.achievement_id} r{self.number}"


class RegistrationScheme(models.Model):
    """A dated numbering rule for 批准登记号 (domain-spec §1.3): in force from `valid_from` on.

    The type flags of basic and soft-science achievements are UNCONFIRMED, which is why they are data.
    """

    valid_from = models.DateField(_("valid from"), unique=True, validators=[validate_sane_date])
    pattern = models.CharField(
        _("pattern"), max_length=100, help_text=_("Python format with registry, year, flag and serial.")
    )
    regex = models.CharField(_("validation pattern"), max_length=100)
    type_flags = models.JSONField(_("type flags"))
    default_registry_code = models.CharField(_("default registry code"), max_length=3)
    serial_digits = models.PositiveSmallIntegerField(_("serial digits"), default=4)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("registration number scheme")
        verbose_name_plural = _("registration number schemes")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.pattern} (from {self.valid_from})"


class NumberSequence(models.Model):
    """The last serial issued per registry, year and type flag; locked while a number is assigned."""

    registry_code = models.CharField(max_length=3)
    year = models.PositiveSmallIntegerField()
    type_flag = models.CharField(max_length=2)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["registry_code", "year", "type_flag"], name="numbersequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.registry_code}{self.year}{self.type_flag}: {self.last}"


class FundedProject(TimeStampedModel):
    """A project funded by an S&T programme (e.g. an NSFC grant), which owes an achievement record (R1.1)."""

    programme = models.ForeignKey(
        CodeItem,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("programme"),
        limit_choices_to={"table__key": "project_source"},
    )
    grant_number = models.CharField(_("grant number"), max_length=64)
    grant_type = models.CharField(_("grant type"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=300)
    institution_name = models.CharField(_("host institution"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="funded_projects",
        verbose_name=_("organisation"),
    )
    principal_investigator = models.CharField(_("principal investigator"), max_length=100, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    start = models.DateField(_("start"), null=True, blank=True, validators=[validate_sane_date])
    end = models.DateField(_("end"), null=True, blank=True, validators=[validate_sane_date])
    evaluation = models.CharField(_("evaluation"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("funded project")
        verbose_name_plural = _("funded projects")
        ordering = ["-start", "grant_number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "grant_number"], name="fundedproject_grant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.grant_number} {self.title}"
