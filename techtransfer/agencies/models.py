"""Service agencies (S13): technology-transfer institutions and technology brokers, their annual filings, and the
help enterprises ask of them on their demands.

An institution's profile belongs to an organisation of type "technology-transfer institution" (one profile per
organisation); a broker's to a user (one per user). Both are reviewed, listed in the public directory, file
their figures once a year and lapse when a filing is missed. Their track record is never typed in: the
selectors count it from the platform's contact requests, contracts and deals.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.choices import OrgType
from techtransfer.agencies.choices import (
    OPEN_HELP_STATUSES,
    AgencyKind,
    AgencyStatus,
    BrokerLevel,
    HelpStatus,
)
from techtransfer.core.models import CodeItem, StatusHistory, TimeStampedModel
from techtransfer.lib.fields import BoundedTextField
from techtransfer.lib.validators import NOTE_MAX_LENGTH, TEXT_MAX_LENGTH, validate_sane_date

MONEY = {"max_digits": 16, "decimal_places": 2}


class Agency(TimeStampedModel):
    """A service agency's profile (技术转移服务机构 or 技术经纪人): what it offers, where, and its review state."""

    kind = models.CharField(_("kind"), max_length=16, choices=AgencyKind.choices)
    organisation = models.OneToOneField(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agency_profile",
        verbose_name=_("institution"),
        limit_choices_to={"org_type": OrgType.TRANSFER_INSTITUTION},
        help_text=_("For an institution: the organisation the profile describes."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="broker_profile",
        verbose_name=_("broker"),
        help_text=_("For a broker: the person the profile describes."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    region = models.ForeignKey(
        CodeItem,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("seat"),
        limit_choices_to={"table__key": "region"},
        help_text=_("Where the agency is based; the reviewers of that region review it."),
    )
    description = BoundedTextField(
        _("introduction"), max_length=TEXT_MAX_LENGTH, blank=True,
        help_text=_("What the agency does, for whom, and what it has achieved."),
    )
    services = models.ManyToManyField(
        CodeItem, blank=True, related_name="+", verbose_name=_("services offered"),
        limit_choices_to={"table__key": "agency_service"},
    )
    fields = models.ManyToManyField(
        CodeItem, blank=True, related_name="+", verbose_name=_("technical fields"),
        limit_choices_to={"table__key": "high_tech_field"},
    )
    regions = models.ManyToManyField(
        CodeItem, blank=True, related_name="+", verbose_name=_("regions served"),
        limit_choices_to={"table__key": "region"},
    )

    # A broker's qualification (技术经纪专业人员资格)
    certificate_number = models.CharField(_("certificate number"), max_length=64, blank=True)
    level = models.CharField(_("broker level"), max_length=16, choices=BrokerLevel.choices, blank=True)
    certificate_issuer = models.CharField(
        _("issuing body"), max_length=200, blank=True, help_text=_("Who issued the certificate.")
    )
    certificate_issued_on = models.DateField(
        _("date of issue"), null=True, blank=True, validators=[validate_sane_date]
    )
    employer = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("institution worked for"),
        limit_choices_to={"org_type": OrgType.TRANSFER_INSTITUTION},
        help_text=_("The technology-transfer institution the broker works for, if any (one you are a member of)."),
    )

    # The review
    status = models.CharField(
        _("status"), max_length=16, choices=AgencyStatus.choices, default=AgencyStatus.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = BoundedTextField(
        _("review note"), max_length=NOTE_MAX_LENGTH, blank=True, help_text=_("Why the profile was returned.")
    )
    listed_since = models.DateField(
        _("listed since"), null=True, blank=True,
        help_text=_("The day the profile was first approved: annual filings are owed from that year on."),
    )
    listed_at = models.DateTimeField(_("listed at"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("service agency")
        verbose_name_plural = _("service agencies")
        ordering = ["-listed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=AgencyKind.INSTITUTION, organisation__isnull=False, user__isnull=True)
                    | Q(kind=AgencyKind.BROKER, user__isnull=False, organisation__isnull=True)
                ),
                name="agency_kind_matches_its_subject",
            ),
            models.UniqueConstraint(
                fields=["certificate_number"], condition=~Q(certificate_number=""), name="agency_certificate_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The institution's name (in the active language) or the broker's name."""
        if self.organisation_id is not None:
            return self.organisation.display_name  # type: ignore[union-attr]  # set for an institution
        return self.user.display_name if self.user_id is not None else ""  # type: ignore[union-attr]

    @property
    def is_broker(self) -> bool:
        return self.kind == AgencyKind.BROKER


class AgencyStatusChange(StatusHistory):
    """One step of a profile's life (submitted, returned, approved, lapsed, listed again...)."""

    record = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("service agency")
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("service agency status change")
        verbose_name_plural = _("service agency status changes")


class FilingRule(models.Model):
    """The default deadline of the annual filing from `valid_from` on (rules/filing.json, loaded on
    post_migrate): the figures of year Y are filed by <due_month>-<due_day> of year Y + 1. UNCONFIRMED: no
    text the project found fixes this date; a FilingYear row overrides it for one year."""

    valid_from = models.DateField(_("valid from"), unique=True, validators=[validate_sane_date])
    name = models.CharField(_("name"), max_length=200)
    source = models.TextField(_("source"))
    confirmed = models.BooleanField(
        _("confirmed"), default=False, help_text=_("False while no official text confirms the date.")
    )
    due_month = models.PositiveSmallIntegerField(
        _("deadline month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    due_day = models.PositiveSmallIntegerField(
        _("deadline day"), validators=[MinValueValidator(1), MaxValueValidator(31)]
    )

    class Meta:
        verbose_name = _("annual filing deadline rule")
        verbose_name_plural = _("annual filing deadline rules")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from})"


class FilingYear(TimeStampedModel):
    """The filing deadline of one year's figures, set by the commission when a yearly notice departs from the
    default rule."""

    year = models.PositiveSmallIntegerField(
        _("year of the figures"), unique=True, validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    deadline = models.DateField(_("filing deadline"), validators=[validate_sane_date])
    source = models.TextField(_("source"), blank=True, help_text=_("The notice that set this date."))

    class Meta:
        verbose_name = _("filing year")
        verbose_name_plural = _("filing years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class AgencyFiling(TimeStampedModel):
    """An annual filing (年度备案): the figures an agency declares for one year, once."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="filings", verbose_name=_("agency"))
    year = models.PositiveSmallIntegerField(_("year of the figures"))
    contracts_brokered = models.PositiveIntegerField(
        _("contracts brokered"), help_text=_("Technology contracts the agency brokered in the year.")
    )
    turnover = models.DecimalField(
        _("turnover (元)"), validators=[MinValueValidator(0)], help_text=_("Service income in the year, in 元."),
        **MONEY,
    )
    staff = models.PositiveIntegerField(
        _("staff"), null=True, blank=True, help_text=_("People employed at the end of the year (institutions).")
    )
    note = BoundedTextField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("filed by")
    )
    filed_at = models.DateTimeField(_("filed at"))
    deadline = models.DateField(_("deadline"), null=True, blank=True, help_text=_("The deadline then in force."))

    class Meta:
        verbose_name = _("annual filing")
        verbose_name_plural = _("annual filings")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="agency_filing_once_a_year")]

    def __str__(self) -> str:
        return f"{self.agency} {self.year}"

    @property
    def late(self) -> bool:
        """Filed after the deadline in force."""
        return self.deadline is not None and self.filed_at.date() > self.deadline


class HelpRequest(TimeStampedModel):
    """An enterprise asks an agency for help on one of its published demands (技术经纪服务委托); accepted, it
    links the agency to the demand, so that the demand's contact requests count in the agency's track record."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="help_requests", verbose_name=_("agency")
    )
    demand = models.ForeignKey(
        "market.TechnologyDemand", on_delete=models.PROTECT, related_name="help_requests",
        verbose_name=_("technology demand"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("asked by")
    )
    message = BoundedTextField(_("message"), max_length=NOTE_MAX_LENGTH)
    status = models.CharField(
        _("status"), max_length=16, choices=HelpStatus.choices, default=HelpStatus.PENDING, db_index=True
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer = BoundedTextField(_("answer"), max_length=NOTE_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("request for help")
        verbose_name_plural = _("requests for help")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "demand"],
                condition=Q(status__in=sorted(OPEN_HELP_STATUSES)),
                name="help_request_one_open_per_agency_and_demand",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.demand} → {self.agency}"

    @property
    def accepted_on(self) -> datetime.date | None:
        return self.answered_at.date() if self.answered_at and self.status == HelpStatus.ACCEPTED else None


class HelpRequestStatusChange(StatusHistory):
    """One step of a request for help (asked, accepted, declined, withdrawn)."""

    record = models.ForeignKey(
        HelpRequest, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("request for help")
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("request for help status change")
        verbose_name_plural = _("request for help status changes")
