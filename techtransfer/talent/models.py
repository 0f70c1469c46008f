"""S&T commissioners (科技特派员): appointments, assignments to enterprises and villages, their visit records;
consultations an enterprise asks of an expert; and a person's claim to an expert profile."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from techtransfer.core.models import CodeItem, StatusHistory, TimeStampedModel
from techtransfer.lib.fields import BoundedTextField
from techtransfer.lib.validators import NOTE_MAX_LENGTH, validate_sane_date
from techtransfer.talent.choices import ClaimStatus, Confirmation, ConsultationStatus, ServiceKind

END_BEFORE_START = _("The end date is before the start date.")
ONE_PLACE = _("Name either an enterprise or a village or community, not both.")


class Commissioner(TimeStampedModel):
    """A user appointed as S&T commissioner for one appointment year by the commission."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="commissioner_terms", verbose_name=_("person")
    )
    year = models.PositiveSmallIntegerField(
        _("appointment year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    dispatching_unit = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("dispatching unit"),
        help_text=_("The university, institute or other unit that sends the commissioner."),
    )
    fields = models.ManyToManyField(
        CodeItem, related_name="+", blank=True, verbose_name=_("technical fields"),
        limit_choices_to={"table__key": "high_tech_field"},
    )
    service_region = models.ForeignKey(
        CodeItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("service region"),
        limit_choices_to={"table__key": "region"},
    )
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("appointed by"),
    )

    class Meta:
        verbose_name = _("S&T commissioner")
        verbose_name_plural = _("S&T commissioners")
        ordering = ["-year", "user__full_name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "year"], name="commissioner_user_year_unique")]

    def __str__(self) -> str:
        return f"{self.user.display_name} ({self.year})"


class Assignment(TimeStampedModel):
    """A commissioner sent to serve one enterprise, or one village or community (村/社区: a name and a region,
    since villages are not organisations on the platform), from a start to an end date."""

    commissioner = models.ForeignKey(
        Commissioner, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("commissioner")
    )
    enterprise = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("enterprise"),
    )
    village_name = models.CharField(_("village or community"), max_length=100, blank=True)
    village_region = models.ForeignKey(
        CodeItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("region of the village"), limit_choices_to={"table__key": "region"},
    )
    start = models.DateField(_("start"), validators=[validate_sane_date])
    end = models.DateField(_("end"), validators=[validate_sane_date])

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="assignment_end_after_start",
                                   violation_error_message=END_BEFORE_START),
            models.CheckConstraint(
                condition=(Q(enterprise__isnull=False, village_name="")
                           | Q(enterprise__isnull=True, village_region__isnull=False) & ~Q(village_name="")),
                name="assignment_one_place", violation_error_message=ONE_PLACE,
            ),
        ]

    def __str__(self) -> str:
        return self.place

    @property
    def place(self) -> str:
        if self.enterprise_id is not None:
            return str(self.enterprise.name)
        return f"{self.village_name}（{self.village_region.label_zh}）" if self.village_region else self.village_name


class Visit(TimeStampedModel):
    """One visit or service a commissioner records for an assignment; the enterprise confirms or disputes it."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="visits",
                                   verbose_name=_("assignment"))
    date = models.DateField(_("date"), validators=[validate_sane_date])
    kind = models.CharField(_("kind of service"), max_length=16, choices=ServiceKind.choices)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1,
                                validators=[MinValueValidator(0), MaxValueValidator(24)])
    people_served = models.PositiveIntegerField(_("people served"), validators=[MaxValueValidator(10000)])
    note = BoundedTextField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    achievement = models.ForeignKey("achievements.Achievement", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("achievement involved"))
    demand = models.ForeignKey("market.TechnologyDemand", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("demand involved"))
    confirmation = models.CharField(_("confirmation"), max_length=16, choices=Confirmation.choices,
                                    default=Confirmation.PENDING, db_index=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmation_note = BoundedTextField(_("confirmation note"), max_length=NOTE_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("visit record")
        verbose_name_plural = _("visit records")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class Consultation(TimeStampedModel):
    """An enterprise asks an expert (matching.Expert) for a consultation, optionally about one of its demands."""

    expert = models.ForeignKey("matching.Expert", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("expert"))
    enterprise = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("enterprise"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                                 verbose_name=_("asked by"))
    demand = models.ForeignKey("market.TechnologyDemand", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("demand"))
    message = BoundedTextField(_("message"), max_length=NOTE_MAX_LENGTH)
    status = models.CharField(_("status"), max_length=16, choices=ConsultationStatus.choices,
                              default=ConsultationStatus.ASKED, db_index=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.enterprise.name} → {self.expert.name}"


class ConsultationStatusChange(StatusHistory):
    record = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="status_changes")


class ExpertClaim(TimeStampedModel):
    """A user says an expert profile (matching.Expert, built from the records) is theirs; a reviewer (the
    commission, or the profile's unit) checks it. Once approved the user speaks for the expert: keeps the
    profile's own part and answers its consultations."""

    expert = models.ForeignKey("matching.Expert", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("expert"))
    claimant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_claims",
                                 verbose_name=_("claimant"))
    evidence = BoundedTextField(
        _("how to check"), max_length=NOTE_MAX_LENGTH,
        help_text=_("Your position at the unit, a staff page or an address at the unit: what lets a reviewer check "
                    "that this profile is yours."),
    )
    status = models.CharField(_("status"), max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.ASKED,
                              db_index=True)

    class Meta:
        verbose_name = _("expert profile claim")
        verbose_name_plural = _("expert profile claims")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.claimant.display_name} → {self.expert.name}"


class ExpertClaimStatusChange(StatusHistory):
    record = models.ForeignKey(ExpertClaim, on_delete=models.CASCADE, related_name="status_changes")
