"""Innovation vouchers (首都科技创新券, 京津冀创新券; S16, domain-spec §6): the programme of each year with its
budget and rules, its listed service providers, the vouchers small firms and start-up teams apply for, how
each is spent with a provider (a facility booking or a service contract) and the provider's redemption.

The amounts, caps, co-payment, validity and eligibility tests are UNCONFIRMED in the domain specification:
they are data on each Programme row (editable by commission administrators), never constants in code.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techtransfer.core.models import CodeItem, StatusHistory, TimeStampedModel
from techtransfer.lib.fields import BoundedTextField
from techtransfer.lib.validators import NOTE_MAX_LENGTH, SUMMARY_MAX_LENGTH
from techtransfer.vouchers.choices import ApplicantType, ProgrammeKind, ProviderCategory, VoucherStatus

MONEY = {"max_digits": 14, "decimal_places": 2}


def _english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").startswith("en")
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]
POSITIVE = [MinValueValidator(Decimal("0.01"))]


class Programme(TimeStampedModel):
    """One year of a voucher programme (the 2026 首都科技创新券, the 2026 京津冀创新券...): its budget, the
    amount and co-payment of each voucher, how long a voucher is valid, who may apply, and where each value
    comes from (`source`; `confirmed` is false while the value is not confirmed by a published text)."""

    kind = models.CharField(_("kind"), max_length=16, choices=ProgrammeKind.choices)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    name = models.CharField(_("programme name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    issuer = models.CharField(
        _("issuer"), max_length=200, help_text=_("Who issues the vouchers, e.g. 北京市科学技术委员会、北京市财政局.")
    )
    number_prefix = models.CharField(
        _("number prefix"), max_length=8,
        help_text=_("Starts each voucher number, e.g. SDKJ gives 2026SDKJ00001."),
    )
    description = BoundedTextField(_("description"), max_length=SUMMARY_MAX_LENGTH, blank=True)
    budget = models.DecimalField(_("budget (元)"), validators=NON_NEGATIVE, **MONEY)
    max_amount = models.DecimalField(_("highest amount of one voucher (元)"), validators=POSITIVE, **MONEY)
    co_payment_ratio = models.DecimalField(
        _("co-payment ratio"), max_digits=5, decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.99"))],
        help_text=_("The holder's own share of each invoice (0.5 for 50%): the voucher pays at most the rest."),
    )
    validity_days = models.PositiveSmallIntegerField(
        _("validity (days)"), null=True, blank=True,
        help_text=_("How long an issued voucher is valid; empty: until the programme's last day."),
    )
    end_date = models.DateField(
        _("last day"), null=True, blank=True,
        help_text=_("No voucher of the programme is valid after this day; empty: 31 December of its year."),
    )
    applications_open = models.BooleanField(_("accepting applications"), default=True)
    small_micro_allowed = models.BooleanField(_("small and micro enterprises may apply"), default=True)
    startup_team_allowed = models.BooleanField(_("start-up teams may apply"), default=True)
    max_employees = models.PositiveIntegerField(
        _("most employees of an applicant"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    max_revenue = models.DecimalField(
        _("highest annual revenue of an applicant (元)"), null=True, blank=True, validators=NON_NEGATIVE,
        help_text=_("Empty: no limit."), **MONEY,
    )
    max_vouchers_per_holder = models.PositiveSmallIntegerField(
        _("vouchers per applicant"), default=1, validators=[MinValueValidator(1)],
        help_text=_("How many vouchers of this programme one unit may hold (rejected and expired ones not counted)."),
    )
    applicant_regions = models.CharField(
        _("applicants' regions"), max_length=100, default="11",
        help_text=_("GB/T 2260 prefixes, comma-separated: 11 is Beijing; 11,12,13 is Beijing, Tianjin and Hebei."),
    )
    source = BoundedTextField(
        _("source of the rules"), max_length=NOTE_MAX_LENGTH, blank=True,
        help_text=_("Where the amounts, co-payment, validity and eligibility come from."),
    )
    confirmed = models.BooleanField(
        _("rules confirmed"), default=False,
        help_text=_("Off while the values are not confirmed by a published text (domain-spec §6: UNCONFIRMED)."),
    )
    last_number = models.PositiveIntegerField(_("last voucher number issued"), default=0, editable=False)

    class Meta:
        verbose_name = _("voucher programme")
        verbose_name_plural = _("voucher programmes")
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="programme_kind_year_unique"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="programme_budget_not_negative"),
            models.CheckConstraint(
                condition=Q(co_payment_ratio__gte=0) & Q(co_payment_ratio__lt=1), name="programme_co_payment_range"
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

    @property
    def last_day(self) -> datetime.date:
        """No voucher of the programme is valid after this day."""
        return self.end_date or datetime.date(self.year, 12, 31)

    @property
    def region_prefixes(self) -> list[str]:
        return [part.strip() for part in self.applicant_regions.split(",") if part.strip()]

    @property
    def region_labels(self) -> list[str]:
        """The applicants' regions by name (北京市, 天津市...), in the order given."""
        labels = dict(
            CodeItem.objects.current("region")
            .filter(code__in=[p.ljust(6, "0") for p in self.region_prefixes])
            .values_list("code", "label_zh" if not _english() else "label_en")
        )
        return [labels.get(p.ljust(6, "0")) or p for p in self.region_prefixes]

    @property
    def co_payment_percent(self) -> str:
        """The co-payment as a percentage for people: 0.5 → "50", 0.125 → "12.5"."""
        return f"{(self.co_payment_ratio * 100).quantize(Decimal('0.01')).normalize():f}"

    def valid_until_from(self, day: datetime.date) -> datetime.date:
        """The last valid day of a voucher issued on `day`."""
        if self.validity_days:
            return min(day + datetime.timedelta(days=self.validity_days - 1), self.last_day)
        return self.last_day


class Provider(TimeStampedModel):
    """An organisation listed as a service provider of a programme (a key laboratory, an engineering centre,
    an instrument platform...): vouchers of the programme are spent only with listed, active providers."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="providers", verbose_name=_("voucher programme")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="voucher_listings",
        verbose_name=_("organisation"),
    )
    category = models.CharField(_("category"), max_length=24, choices=ProviderCategory.choices)
    services = BoundedTextField(
        _("services offered"), max_length=SUMMARY_MAX_LENGTH, blank=True,
        help_text=_("The research, testing or design services a voucher can pay for."),
    )
    fields = models.ManyToManyField(
        CodeItem, blank=True, related_name="+", verbose_name=_("technical fields"),
        limit_choices_to={"table__key": "high_tech_field"},
    )
    active = models.BooleanField(_("listed"), default=True)

    class Meta:
        verbose_name = _("listed provider")
        verbose_name_plural = _("listed providers")
        ordering = ["organisation__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "organisation"], name="provider_programme_org_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.programme})"


class Voucher(TimeStampedModel):
    """One voucher: applied for by a small or micro enterprise or a start-up team (`holder`), approved and
    issued by the commission, spent with a listed provider, redeemed by the provider, or rejected / expired.

    A start-up team applies as an organisation of its own (type "other" until it registers a company, then
    "enterprise"), represented by the members of that organisation; the team's people are declared in
    `team_members`. The applicant's declarations (employees, revenue) are what the eligibility rules test.
    """

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="vouchers", verbose_name=_("voucher programme")
    )
    holder = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="vouchers", verbose_name=_("voucher holder")
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("applied by")
    )
    applicant_type = models.CharField(_("applicant type"), max_length=16, choices=ApplicantType.choices)
    number = models.CharField(_("voucher number"), max_length=24, unique=True, null=True, blank=True)
    requested_amount = models.DecimalField(_("amount applied for (元)"), validators=POSITIVE, **MONEY)
    amount = models.DecimalField(
        _("amount granted (元)"), null=True, blank=True, validators=NON_NEGATIVE,
        help_text=_("Reserved in the programme's budget from approval until redemption or expiry."), **MONEY,
    )
    purpose = BoundedTextField(
        _("what the voucher is for"), max_length=SUMMARY_MAX_LENGTH,
        help_text=_("The research, testing or design service needed, and for which product or project."),
    )
    employees = models.PositiveIntegerField(_("employees"))
    annual_revenue = models.DecimalField(
        _("annual revenue of last year (元)"), validators=NON_NEGATIVE, **MONEY
    )
    team_members = BoundedTextField(
        _("team members"), max_length=NOTE_MAX_LENGTH, blank=True,
        help_text=_("For a start-up team: each member's name and role, one per line."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=VoucherStatus.choices, default=VoucherStatus.APPLIED, db_index=True
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    redeemed_amount = models.DecimalField(
        _("amount paid to the provider (元)"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )

    class Meta:
        verbose_name = _("innovation voucher")
        verbose_name_plural = _("innovation vouchers")
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(redeemed_amount__isnull=True)
                | Q(amount__isnull=False, redeemed_amount__lte=models.F("amount")),
                name="voucher_paid_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["programme", "status"], name="voucher_programme_status")]

    def __str__(self) -> str:
        return self.number or f"{self.programme.name} · {self.holder.name}"

    @property
    def expires_on(self) -> datetime.date:
        """Its last valid day: the issued validity, or the programme's last day before it is issued."""
        return self.valid_until or self.programme.last_day

    @property
    def value(self) -> Decimal:
        """The amount that counts: granted once approved, asked for before."""
        return self.amount if self.amount is not None else self.requested_amount


class VoucherStatusChange(StatusHistory):
    """One step of a voucher's life (applied, approved, issued, used, redeemed, expired...)."""

    record = models.ForeignKey(
        Voucher, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("voucher")
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("voucher status change")
        verbose_name_plural = _("voucher status changes")


class VoucherUse(TimeStampedModel):
    """The holder spends the voucher with a listed provider: on a booking of one of its facilities, or on a
    service contract. A voucher has at most one use that is not released (a database constraint), so it is
    never spent twice; a use is released when its booking is declined or cancelled."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="uses", verbose_name=_("voucher"))
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="uses", verbose_name=_("provider"))
    booking = models.OneToOneField(
        "facilities.Booking", on_delete=models.PROTECT, null=True, blank=True, related_name="voucher_use",
        verbose_name=_("facility booking"),
    )
    contract_number = models.CharField(_("service contract number"), max_length=64, blank=True)
    description = BoundedTextField(_("service"), max_length=NOTE_MAX_LENGTH, blank=True)
    agreed_amount = models.DecimalField(_("agreed price (元)"), validators=NON_NEGATIVE, **MONEY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("voucher use")
        verbose_name_plural = _("voucher uses")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["voucher"], condition=Q(released_at__isnull=True), name="voucheruse_one_open_per_voucher"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voucher} → {self.provider.organisation}"


def report_path(instance: Redemption, filename: str) -> str:
    return f"vouchers/{instance.voucher_id}/{instance.sha256[:16]}.pdf"


class Redemption(TimeStampedModel):
    """The provider's redemption (兑现) of a used voucher: the invoice, its amount, the service report, and what
    the voucher pays (at most its amount and at most the invoice less the holder's co-payment). One per
    voucher (a database constraint), so a voucher is never redeemed twice."""

    voucher = models.OneToOneField(
        Voucher, on_delete=models.PROTECT, related_name="redemption", verbose_name=_("voucher")
    )
    use = models.OneToOneField(VoucherUse, on_delete=models.PROTECT, related_name="redemption", verbose_name=_("use"))
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("provider")
    )
    invoice_number = models.CharField(_("invoice number"), max_length=64)
    invoice_amount = models.DecimalField(_("invoice amount (元)"), validators=POSITIVE, **MONEY)
    paid_amount = models.DecimalField(_("paid by the voucher (元)"), validators=NON_NEGATIVE, **MONEY)
    file = models.FileField(_("service report"), upload_to=report_path)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.voucher} · {self.invoice_number}"
