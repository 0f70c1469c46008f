"""The technology market: what enterprises need (technology demands) and how each one moved along."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techtransfer.core.models import CodeItem, StatusHistory, TimeStampedModel
from techtransfer.lib.fields import BoundedTextField
from techtransfer.lib.money import money_range
from techtransfer.lib.validators import (
    NOTE_MAX_LENGTH,
    PHONE_HELP_TEXT,
    TEXT_MAX_LENGTH,
    validate_deadline,
    validate_phone_number,
)
from techtransfer.market.choices import DemandStatus

BUDGET_ORDER_MESSAGE = _("The lowest budget is above the highest budget.")


class TechnologyDemand(TimeStampedModel):
    """A technology demand (技术需求): a problem an organisation wants solved, and on what terms."""

    owner = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="technology_demands", verbose_name=_("owner")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    title = models.CharField(_("title"), max_length=200)
    description = BoundedTextField(
        _("problem description"), max_length=TEXT_MAX_LENGTH, blank=True,
        help_text=_("The problem, the current state and what a solution must do.")
    )
    # Field, region and deadline may be empty while the demand is a draft; submission requires them.
    field = models.ForeignKey(
        CodeItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("technical field"),
        limit_choices_to={"table__key": "high_tech_field"},
    )
    region = models.ForeignKey(
        CodeItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
        limit_choices_to={"table__key": "region"},
    )
    budget_min = models.DecimalField(
        _("lowest budget (yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    budget_max = models.DecimalField(
        _("highest budget (yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    cooperation_modes = models.ManyToManyField(
        CodeItem,
        blank=True,
        related_name="+",
        verbose_name=_("wanted cooperation modes"),
        limit_choices_to={"table__key": "cooperation_mode"},
    )
    deadline = models.DateField(
        _("deadline"),
        null=True,
        blank=True,
        help_text=_("The last day the demand is open."),
        validators=[validate_deadline],
    )
    contact_public = models.BooleanField(
        _("contact details public"), default=False, help_text=_("Otherwise only the platform's staff see them.")
    )
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(
        _("contact phone"), max_length=40, blank=True, validators=[validate_phone_number], help_text=PHONE_HELP_TEXT
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=DemandStatus.choices, default=DemandStatus.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = BoundedTextField(
        _("review note"), max_length=NOTE_MAX_LENGTH, blank=True, help_text=_("Why the demand was returned.")
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("technology demand")
        verbose_name_plural = _("technology demands")
        ordering = ["-published_at", "-created"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True) | Q(budget_max__isnull=True) | Q(budget_min__lte=F("budget_max")),
                name="demand_budget_min_le_max",
                violation_error_message=BUDGET_ORDER_MESSAGE,
            ),
            models.CheckConstraint(
                condition=(Q(budget_min__isnull=True) | Q(budget_min__gte=0))
                & (Q(budget_max__isnull=True) | Q(budget_max__gte=0)),
                name="demand_budget_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return self.title

    @property
    def budget_display(self) -> str:
        """The budget range in 元 / 万元, or "negotiable" when the owner gave none."""
        return money_range(self.budget_min, self.budget_max)

    @property
    def is_past_deadline(self) -> bool:
        """Its last open day is over (the daily expiry may not have run yet)."""
        return self.deadline is not None and self.deadline < timezone.localdate()

    def clean(self) -> None:
        low, high = self.budget_min, self.budget_max
        # Values that failed their own field check (not numbers) are reported by clean_fields.
        if isinstance(low, Decimal) and isinstance(high, Decimal) and low > high:
            raise ValidationError({"budget_max": [BUDGET_ORDER_MESSAGE]})


class DemandStatusChange(StatusHistory):
    """One step of a demand's life (submitted, returned, published, expired...); the history pages show."""

    record = models.ForeignKey(
        TechnologyDemand, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("demand")
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("demand status change")
        verbose_name_plural = _("demand status changes")
