"""Transformation carriers (成果转化载体): incubators, maker spaces, science parks, transformation bases, alliances
and R&D institutions, with their recognition, and the firms they incubate (counted against the plan's target)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from techtransfer.carriers.choices import CarrierStatus, FirmStatus, RecognitionLevel
from techtransfer.core.models import CodeItem, StatusHistory, TimeStampedModel
from techtransfer.lib.fields import BoundedTextField
from techtransfer.lib.validators import (
    NOTE_MAX_LENGTH,
    PHONE_HELP_TEXT,
    SUMMARY_MAX_LENGTH,
    validate_phone_number,
    validate_sane_date,
    validate_uscc,
)

EXIT_BEFORE_ENTRY = _("The graduation or leaving date is before the entry date.")
EXIT_DATE_NEEDED = _("A firm that graduated or left has the date it did so.")
EXIT_DATE_NOT_YET = _("A firm still incubating has no graduation or leaving date.")


class Carrier(TimeStampedModel):
    """A transformation carrier run by an organisation (its operator), recognised at a level in a year."""

    owner = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="carriers",
        verbose_name=_("operating organisation"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    name = models.CharField(_("name"), max_length=200, unique=True)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    carrier_type = models.ForeignKey(
        CodeItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("carrier type"),
        limit_choices_to={"table__key": "carrier_type"},
    )
    level = models.CharField(_("recognition level"), max_length=16, choices=RecognitionLevel.choices)
    recognition_year = models.PositiveSmallIntegerField(
        _("recognition year"), null=True, blank=True,
        validators=[MinValueValidator(1985), MaxValueValidator(2100)],
    )
    recognised_by = models.CharField(
        _("recognised by"), max_length=200, blank=True,
        help_text=_("The body that recognised or registered it, e.g. 科学技术部 or 北京市科学技术委员会."),
    )
    district = models.ForeignKey(
        CodeItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("district"),
        limit_choices_to={"table__key": "region"},
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    area_m2 = models.DecimalField(
        _("area (m²)"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    fields = models.ManyToManyField(
        CodeItem, blank=True, related_name="+", verbose_name=_("fields"),
        limit_choices_to={"table__key": "high_tech_field"},
    )
    description = BoundedTextField(_("description"), max_length=SUMMARY_MAX_LENGTH, blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(
        _("contact phone"), max_length=40, blank=True, validators=[validate_phone_number], help_text=PHONE_HELP_TEXT
    )
    private_note = BoundedTextField(
        _("internal note"), max_length=NOTE_MAX_LENGTH, blank=True,
        help_text=_("Only the operator and the commission read it."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CarrierStatus.choices, default=CarrierStatus.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = BoundedTextField(_("review note"), max_length=NOTE_MAX_LENGTH, blank=True)
    listed_at = models.DateTimeField(_("listed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("transformation carrier")
        verbose_name_plural = _("transformation carriers")
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "level"])]

    def __str__(self) -> str:
        return self.name


class IncubatedFirm(TimeStampedModel):
    """A firm a carrier incubates (or did): in incubation from its entry date until it graduates or leaves."""

    carrier = models.ForeignKey(Carrier, on_delete=models.CASCADE, related_name="firms", verbose_name=_("carrier"))
    name = models.CharField(_("firm name"), max_length=200)
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, validators=[validate_uscc],
        help_text=_("18 characters with the check character, e.g. 91110108MA01ABCD2X."),
    )
    entry_date = models.DateField(_("entry date"), validators=[validate_sane_date])
    graduation_date = models.DateField(
        _("graduation or leaving date"), null=True, blank=True, validators=[validate_sane_date],
        help_text=_("Empty while the firm is incubating."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=FirmStatus.choices, default=FirmStatus.INCUBATING, db_index=True
    )
    field = models.ForeignKey(
        CodeItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("technical field"), limit_choices_to={"table__key": "high_tech_field"},
    )
    note = BoundedTextField(
        _("internal note"), max_length=NOTE_MAX_LENGTH, blank=True,
        help_text=_("Only the operator and the commission read it."),
    )

    class Meta:
        verbose_name = _("incubated firm")
        verbose_name_plural = _("incubated firms")
        ordering = ["-entry_date", "name"]
        constraints = [
            models.UniqueConstraint(fields=["carrier", "uscc"], name="incubatedfirm_unique_uscc"),
            models.CheckConstraint(
                condition=Q(graduation_date__isnull=True) | Q(graduation_date__gte=F("entry_date")),
                name="incubatedfirm_exit_after_entry",
                violation_error_message=EXIT_BEFORE_ENTRY,
            ),
            models.CheckConstraint(
                condition=(Q(status=FirmStatus.INCUBATING) & Q(graduation_date__isnull=True))
                | (~Q(status=FirmStatus.INCUBATING) & Q(graduation_date__isnull=False)),
                name="incubatedfirm_status_matches_exit",
            ),
        ]
        indexes = [models.Index(fields=["entry_date", "graduation_date"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        entry, exit_ = self.entry_date, self.graduation_date
        if isinstance(entry, datetime.date) and isinstance(exit_, datetime.date) and exit_ < entry:
            errors.setdefault("graduation_date", []).append(str(EXIT_BEFORE_ENTRY))
        if self.status == FirmStatus.INCUBATING and exit_ is not None:
            errors.setdefault("graduation_date", []).append(str(EXIT_DATE_NOT_YET))
        if self.status in (FirmStatus.GRADUATED, FirmStatus.LEFT) and exit_ is None:
            errors.setdefault("graduation_date", []).append(str(EXIT_DATE_NEEDED))
        if errors:
            raise ValidationError(errors)


class IncubationTarget(models.Model):
    """A target for the number of firms in incubation, from the date a plan set it (dated data, not a constant)."""

    valid_from = models.DateField(_("valid from"), unique=True)
    firms = models.PositiveIntegerField(_("firms in incubation"))
    source = models.CharField(_("source"), max_length=300)
    confirmed = models.BooleanField(_("confirmed"), default=True)

    class Meta:
        verbose_name = _("incubation target")
        verbose_name_plural = _("incubation targets")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.firms} ({self.valid_from})"


class CarrierStatusChange(StatusHistory):
    """One step of a carrier's registration (submitted, returned, listed, withdrawn)."""

    record = models.ForeignKey(
        Carrier, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("carrier")
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("carrier status change")
        verbose_name_plural = _("carrier status changes")
