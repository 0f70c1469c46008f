"""IP records (知识产权): patents, software copyrights, IC layout designs and plant variety rights a unit holds,
with their holders, legal status, fee deadlines and links to achievements, contracts and deals."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techtransfer.core.models import CodeItem, StatusHistory, TimeStampedModel
from techtransfer.ipr.choices import IPStatus, IPType
from techtransfer.ipr.validators import NUMBER_MAX_LENGTH
from techtransfer.lib.fields import BoundedTextField
from techtransfer.lib.validators import NOTE_MAX_LENGTH, SUMMARY_MAX_LENGTH, validate_sane_date

GRANT_BEFORE_APPLICATION = _("The grant date is before the application date.")
MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(0)]}


class IPRecord(TimeStampedModel):
    """A patent or other IP right held by a unit (its owner, whose TTO officers manage the record)."""

    owner = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="ip_records", verbose_name=_("owner")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    ip_type = models.CharField(_("IP type"), max_length=16, choices=IPType.choices)
    # One record per number, whoever holds it: co-holders are the record's holders, not records of their own.
    number = models.CharField(
        _("number"), max_length=NUMBER_MAX_LENGTH, unique=True,
        help_text=_("Patents: the application number with its check digit, e.g. 202310123456.6; software "
                    "copyrights: the registration number, e.g. 2023SR0123456."),
    )
    title = models.CharField(_("title"), max_length=300)
    abstract = BoundedTextField(_("abstract"), max_length=SUMMARY_MAX_LENGTH, blank=True)
    inventors = models.JSONField(
        _("inventors or designers"), default=list, blank=True, help_text=_("Names, in the order of the document.")
    )
    application_date = models.DateField(
        _("application date"), validators=[validate_sane_date],
        help_text=_("The filing date (for a software copyright, the registration application date)."),
    )
    grant_date = models.DateField(
        _("grant date"), null=True, blank=True, validators=[validate_sane_date],
        help_text=_("The date of grant or registration; empty while pending."),
    )
    legal_status = models.ForeignKey(
        CodeItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("legal status"),
        limit_choices_to={"table__key": "ip_legal_status"},
    )
    field = models.ForeignKey(
        CodeItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("technical field"), limit_choices_to={"table__key": "high_tech_field"},
    )
    # The earliest unpaid fee event, kept here by the services so the fee list is one indexed query.
    next_fee_due = models.DateField(_("next fee due"), null=True, blank=True, db_index=True)
    next_fee_amount = models.DecimalField(_("next fee amount (yuan)"), null=True, blank=True, **MONEY)
    private_note = BoundedTextField(
        _("internal note"), max_length=NOTE_MAX_LENGTH, blank=True,
        help_text=_("Only the unit and the commission read it (valuation, disputes, licensing talks)."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=IPStatus.choices, default=IPStatus.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("made public at"), null=True, blank=True)
    holder_organisations = models.ManyToManyField(
        "accounts.Organisation", through="IPHolder", related_name="+", blank=True, verbose_name=_("holders")
    )
    achievements = models.ManyToManyField(
        "achievements.Achievement", through="IPAchievementLink", related_name="+", blank=True,
        verbose_name=_("achievements"),
    )
    contracts = models.ManyToManyField(
        "contracts.TechnologyContract", through="IPContractLink", related_name="+", blank=True,
        verbose_name=_("technology contracts"),
    )
    deals = models.ManyToManyField(
        "deals.Deal", through="IPDealLink", related_name="+", blank=True, verbose_name=_("transformation deals")
    )

    class Meta:
        verbose_name = _("IP record")
        verbose_name_plural = _("IP records")
        ordering = ["-application_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grant_date__isnull=True) | Q(grant_date__gte=F("application_date")),
                name="iprecord_grant_after_application",
                violation_error_message=GRANT_BEFORE_APPLICATION,
            ),
        ]
        indexes = [models.Index(fields=["status", "ip_type"]), models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return f"{self.get_ip_type_display()} {self.number}"

    @property
    def display_number(self) -> str:
        """A granted patent is cited as ZL + its application number."""
        from techtransfer.ipr.choices import PATENT_TYPES

        if self.ip_type in PATENT_TYPES and self.grant_date is not None:
            return f"ZL{self.number}"
        return self.number

    @property
    def fee_overdue(self) -> bool:
        return self.next_fee_due is not None and self.next_fee_due < timezone.localdate()

    def clean(self) -> None:
        grant, application = self.grant_date, self.application_date
        if isinstance(grant, datetime.date) and isinstance(application, datetime.date) and grant < application:
            raise ValidationError({"grant_date": [GRANT_BEFORE_APPLICATION]})


class IPHolder(models.Model):
    """One holder (权利人) of an IP record: an organisation on the platform, or a name (a person, a unit not here)."""

    record = models.ForeignKey(IPRecord, on_delete=models.CASCADE, related_name="holders", verbose_name=_("IP record"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("organisation"),
    )
    # For an organisation, its name when the holder was recorded: the analysis counts holders by name.
    name = models.CharField(_("holder"), max_length=200, db_index=True)

    class Meta:
        verbose_name = _("IP holder")
        verbose_name_plural = _("IP holders")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["record", "name"], name="ipholder_unique_name")]

    def __str__(self) -> str:
        return self.name


class FeeEvent(models.Model):
    """A fee of an IP record (an annual fee, a grant fee...): when it is due, how much, and whether it was paid."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("Annual fee")
        GRANT = "grant", _("Registration fee on grant")
        OTHER = "other", _("Other fee")

    record = models.ForeignKey(IPRecord, on_delete=models.CASCADE, related_name="fees", verbose_name=_("IP record"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ANNUAL)
    due_date = models.DateField(_("due date"), validators=[validate_sane_date])
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    paid_on = models.DateField(_("paid on"), null=True, blank=True, validators=[validate_sane_date])
    note = models.CharField(_("note"), max_length=200, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("fee event")
        verbose_name_plural = _("fee events")
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "kind", "due_date"], name="feeevent_unique_due"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="feeevent_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_date}"


class IPAchievementLink(models.Model):
    """An IP record behind an achievement."""

    record = models.ForeignKey(IPRecord, on_delete=models.CASCADE, related_name="+", verbose_name=_("IP record"))
    achievement = models.ForeignKey(
        "achievements.Achievement", on_delete=models.CASCADE, related_name="+", verbose_name=_("achievement")
    )
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("achievement link")
        verbose_name_plural = _("achievement links")
        constraints = [models.UniqueConstraint(fields=["record", "achievement"], name="ipachievement_unique")]

    def __str__(self) -> str:
        return f"{self.record_id} → {self.achievement_id}"


class IPContractLink(models.Model):
    """An IP record a technology contract transfers, licenses or builds on."""

    record = models.ForeignKey(IPRecord, on_delete=models.CASCADE, related_name="+", verbose_name=_("IP record"))
    contract = models.ForeignKey(
        "contracts.TechnologyContract", on_delete=models.CASCADE, related_name="+",
        verbose_name=_("technology contract"),
    )
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("contract link")
        verbose_name_plural = _("contract links")
        constraints = [models.UniqueConstraint(fields=["record", "contract"], name="ipcontract_unique")]

    def __str__(self) -> str:
        return f"{self.record_id} → {self.contract_id}"


class IPDealLink(models.Model):
    """An IP record a transformation deal (transfer, licence, equity investment) disposes of."""

    record = models.ForeignKey(IPRecord, on_delete=models.CASCADE, related_name="+", verbose_name=_("IP record"))
    deal = models.ForeignKey(
        "deals.Deal", on_delete=models.CASCADE, related_name="+", verbose_name=_("transformation deal")
    )
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("deal link")
        verbose_name_plural = _("deal links")
        constraints = [models.UniqueConstraint(fields=["record", "deal"], name="ipdeal_unique")]

    def __str__(self) -> str:
        return f"{self.record_id} → {self.deal_id}"


class IPStatusChange(StatusHistory):
    """One step of an IP record's life (made public, withdrawn)."""

    record = models.ForeignKey(
        IPRecord, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("IP record")
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("IP record status change")
        verbose_name_plural = _("IP record status changes")
