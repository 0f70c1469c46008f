"""Shared research instruments, pilot / scale-up lines and testing platforms that units open to others
(首都科技条件平台, 中试基地; S15), their opening hours, and the bookings made on them with the usage recorded."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techtransfer.core.models import CodeItem, StatusHistory, TimeStampedModel
from techtransfer.facilities.choices import BookingStatus, FacilityKind, FacilityStatus
from techtransfer.lib.fields import BoundedTextField
from techtransfer.lib.validators import (
    NOTE_MAX_LENGTH,
    PHONE_HELP_TEXT,
    SUMMARY_MAX_LENGTH,
    validate_phone_number,
)

MONEY = {"max_digits": 12, "decimal_places": 2}
HOURS = {"max_digits": 8, "decimal_places": 2}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]
WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class Facility(TimeStampedModel):
    """A shared instrument, pilot line or testing platform a unit opens to outside users, with its fees."""

    owner = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="facilities", verbose_name=_("unit")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    name = models.CharField(_("facility name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=FacilityKind.choices)
    field = models.ForeignKey(
        CodeItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("technical field"),
        limit_choices_to={"table__key": "high_tech_field"},
    )
    specifications = BoundedTextField(
        _("specifications"), max_length=SUMMARY_MAX_LENGTH, blank=True,
        help_text=_("Main technical specifications and what the facility can do (测试能力)."),
    )
    model_number = models.CharField(_("model"), max_length=100, blank=True)
    maker = models.CharField(_("manufacturer"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    district = models.ForeignKey(
        CodeItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
        limit_choices_to={"table__key": "region"},
    )
    fee_inside = models.DecimalField(
        _("fee for the unit's own users (元 per hour)"), validators=NON_NEGATIVE, default=Decimal("0"), **MONEY
    )
    fee_outside = models.DecimalField(
        _("fee for outside users (元 per hour)"), validators=NON_NEGATIVE, default=Decimal("0"), **MONEY
    )
    sharing_rules = BoundedTextField(
        _("open-sharing rules"), max_length=SUMMARY_MAX_LENGTH, blank=True,
        help_text=_("Who may use it, how to book, training, samples, safety: the unit's open-sharing rules."),
    )
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(
        _("contact phone"), max_length=40, blank=True, validators=[validate_phone_number], help_text=PHONE_HELP_TEXT
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=FacilityStatus.choices, default=FacilityStatus.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("shared facility")
        verbose_name_plural = _("shared facilities")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fee_inside__gte=0) & Q(fee_outside__gte=0), name="facility_fees_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name

    def rate_for(self, organisation_id: int | None) -> Decimal:
        """The fee per hour for a user of `organisation_id`: the unit's own rate, or the outside rate."""
        return self.fee_inside if organisation_id == self.owner_id else self.fee_outside


class OpeningHours(models.Model):
    """One window of a weekday in which the facility can be booked (e.g. Monday 09:00–17:00)."""

    facility = models.ForeignKey(
        Facility, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("facility")
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=WEEKDAYS, validators=[MaxValueValidator(6)]
    )
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(opens__lt=F("closes")), name="openinghours_opens_before_closes"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="openinghours_weekday_range"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def covers(self, start: datetime.datetime, end: datetime.datetime) -> bool:
        """Whether [start, end) (local times of one day) lies inside this window."""
        return start.weekday() == self.weekday and start.date() == end.date() and (
            self.opens <= start.time() and end.time() <= self.closes
        )


class FacilityStatusChange(StatusHistory):
    """One step of a facility's listing (published, unpublished)."""

    record = models.ForeignKey(
        Facility, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("facility")
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("facility status change")
        verbose_name_plural = _("facility status changes")


class Booking(TimeStampedModel):
    """A user's booking of a facility for a time range, and afterwards the usage the provider recorded.

    `outside` and `rate` are fixed when the booking is made (a user of another unit pays the outside rate);
    `hours` is the booked duration, `hours_used` and `fee` the usage the provider recorded.
    """

    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("facility")
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="facility_bookings",
        verbose_name=_("booked by"),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="facility_bookings",
        verbose_name=_("user's unit"),
    )
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    hours = models.DecimalField(_("hours booked"), **HOURS)
    purpose = BoundedTextField(
        _("purpose"), max_length=NOTE_MAX_LENGTH, blank=True,
        help_text=_("What you will measure or make, the samples, and any special needs."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.PENDING, db_index=True
    )
    outside = models.BooleanField(_("outside user"), default=True)
    rate = models.DecimalField(_("fee per hour (元)"), **MONEY)
    hours_used = models.DecimalField(_("hours used"), null=True, blank=True, validators=NON_NEGATIVE, **HOURS)
    fee = models.DecimalField(_("fee charged (元)"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY)
    used_at = models.DateTimeField(_("usage recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="booking_start_before_end"),
            models.CheckConstraint(
                condition=(Q(fee__isnull=True) | Q(fee__gte=0)) & (Q(hours_used__isnull=True) | Q(hours_used__gte=0)),
                name="booking_usage_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["facility", "status", "start"], name="booking_facility_time")]

    def __str__(self) -> str:
        return f"{self.facility.name} {timezone.localtime(self.start):%Y-%m-%d %H:%M}"

    @property
    def estimated_fee(self) -> Decimal:
        """What the booked hours cost at the booking's rate."""
        return (self.hours * self.rate).quantize(Decimal("0.01"))


class BookingStatusChange(StatusHistory):
    """One step of a booking (requested, confirmed, declined, cancelled, used)."""

    record = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("booking")
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("booking status change")
        verbose_name_plural = _("booking status changes")
