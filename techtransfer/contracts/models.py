"""Technology contracts (技术合同) registered at the registration points (认定登记), with their dated rule sets,
non-technical items, attachments, history and numbering (domain-spec §2)."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.models import Organisation
from techtransfer.contracts.choices import (
    AttachmentKind,
    CarrierKind,
    Category,
    ContractForm,
    ContractStatus,
    NonTechnicalKind,
    SubType,
)
from techtransfer.core.models import CodeItem, StatusHistory, TimeStampedModel
from techtransfer.lib.fields import BoundedTextField
from techtransfer.lib.validators import NOTE_MAX_LENGTH, SUMMARY_MAX_LENGTH, validate_sane_date

MONEY = {"max_digits": 16, "decimal_places": 2}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


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


class ContractRuleSet(models.Model):
    """The registration rules in force from `valid_from` on (regulation as dated data, rules/rule_sets.json).

    Which categories and sub-types exist is read on the contract's signing date; the decision deadline, the
    refusal grounds and the number format on the day the application is submitted (the procedure in force
    when the registration point accepts it).
    """

    valid_from = models.DateField(_("valid from"), unique=True, validators=[validate_sane_date])
    name = models.CharField(_("name"), max_length=200)
    source = models.TextField(_("source"), blank=True)
    confirmed = models.BooleanField(_("confirmed"), default=True)
    deadline_days = models.PositiveSmallIntegerField(_("decision deadline (days)"))
    deadline_working_days = models.BooleanField(
        _("deadline in working days"), default=False, help_text=_("Counted on the working-day calendar.")
    )
    large_threshold = models.DecimalField(
        _("large contract threshold (元)"), null=True, blank=True, help_text=_("Technical transaction value."),
        **MONEY,
    )
    large_deadline_days = models.PositiveSmallIntegerField(_("deadline for large contracts"), null=True, blank=True)
    disputed_deadline_days = models.PositiveSmallIntegerField(_("deadline when disputed"), null=True, blank=True)
    number_pattern = models.CharField(
        _("number pattern"),
        max_length=60,
        help_text=_("{year} (4 digits), {region} (the registration point's 6-digit region code) and {serial}."),
    )
    serial_digits = models.PositiveSmallIntegerField(_("serial digits"), default=6)
    categories = models.JSONField(_("categories and sub-types"))
    refusal_grounds = models.JSONField(_("refusal grounds"))

    class Meta:
        verbose_name = _("contract rule set")
        verbose_name_plural = _("contract rule sets")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from})"


class ContractQuerySet(models.QuerySet["TechnologyContract"]):
    def registered(self) -> ContractQuerySet:
        return self.filter(status=ContractStatus.REGISTERED)

    def with_codes(self) -> ContractQuerySet:
        return self.select_related(
            "seller", "registration_point", "registration_point__region", "seller_nature", "buyer_nature",
            "seller_region", "buyer_region", "buyer_country", "tech_field", "ip_type", "plan_source",
            "objective", "industry", "payment_mode", "rule_set",
        )


class TechnologyContract(TimeStampedModel):
    """One technology contract as filed on form JJ-001, from the seller's draft to its registration."""

    seller = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="contracts_sold", verbose_name=_("seller (applicant)")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    registration_point = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="contracts_filed",
        verbose_name=_("registration point"),
        help_text=_("The 技术合同登记机构 of the seller's location."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ContractStatus.choices, default=ContractStatus.DRAFT, db_index=True
    )
    number = models.CharField(_("registration number"), max_length=32, unique=True, null=True, blank=True)
    verification_code = models.CharField(max_length=16, unique=True, null=True, blank=True, editable=False)

    # The contract
    project_name = models.CharField(_("project name"), max_length=200)
    contract_form = models.CharField(
        _("form of the contract"), max_length=8, choices=ContractForm.choices, default=ContractForm.WRITTEN
    )
    signed_on = models.DateField(_("signing date"), validators=[validate_sane_date])
    valid_from = models.DateField(_("valid from"), validators=[validate_sane_date])
    valid_to = models.DateField(_("valid to"), validators=[validate_sane_date])
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    subtype = models.CharField(_("sub-type"), max_length=24, choices=SubType.choices)
    summary = BoundedTextField(
        _("technical content"), max_length=SUMMARY_MAX_LENGTH, blank=True,
        help_text=_("The technical subject and the main obligations, in a few sentences."),
    )

    # The seller (the applicant) as written on the contract
    seller_name = models.CharField(_("seller name"), max_length=200)
    seller_nature = _code("contract_party_nature", _("seller nature"))
    seller_region = _code("region", _("seller region"))
    seller_legacy_region = _code("legacy_region", _("seller region (legacy code)"))
    # The seller's central/local attribute when the application was made (the statistics of 落地北京).
    seller_affiliation = models.CharField(_("seller central or local"), max_length=8, blank=True)

    # The buyer
    buyer = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contracts_bought",
        verbose_name=_("buyer on the platform"),
    )
    buyer_name = models.CharField(_("buyer name"), max_length=200)
    buyer_nature = _code("contract_party_nature", _("buyer nature"))
    buyer_country = _code("country", _("buyer country or region"), help_text=_("3-digit customs code."))
    buyer_region = _code("region", _("buyer region"), help_text=_("GB/T 2260, for buyers in China."))
    buyer_legacy_region = _code("legacy_region", _("buyer region (legacy code)"))

    # Classification
    tech_field = _code("contract_tech_field", _("technology field"))
    ip_type = _code("contract_ip_type", _("intellectual property"))
    plan_source = _code("contract_plan_source", _("plan source"))
    objective = _code("socio_economic_objective", _("socio-economic objective"))
    industry = _code("industry", _("industry (GB/T 4754)"))
    payment_mode = _code("payment_mode", _("payment mode"))

    # Money (元)
    turnover = models.DecimalField(_("contract turnover (元)"), validators=NON_NEGATIVE, **MONEY)
    declared_technical_value = models.DecimalField(
        _("declared technical transaction value (元)"), default=Decimal("0"), editable=False, **MONEY
    )
    approved_technical_value = models.DecimalField(
        _("approved technical transaction value (元)"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    approval_note = BoundedTextField(
        _("why the approved value differs"), max_length=NOTE_MAX_LENGTH, blank=True
    )
    expected_investment = models.DecimalField(
        _("expected new investment (元)"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    expected_output = models.DecimalField(
        _("expected new output (元)"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )

    # The procedure
    rule_set = models.ForeignKey(
        ContractRuleSet, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("rule set in force"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decision_due = models.DateField(_("decision due"), null=True, blank=True)
    disputed = models.BooleanField(_("disputed"), default=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"),
    )
    registered_on = models.DateField(_("registration date"), null=True, blank=True, db_index=True)
    refusal_grounds = models.JSONField(_("refusal grounds"), default=list, blank=True)
    refusal_note = BoundedTextField(_("refusal explanation"), max_length=NOTE_MAX_LENGTH, blank=True)

    # Where it came from: a signed contact request (matchmaking), or a registration made elsewhere (import)
    contact_request = models.ForeignKey(
        "matchmaking.ContactRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact request"),
    )
    external_ref = models.CharField(
        _("external reference"), max_length=64, null=True, blank=True, unique=True,
        help_text=_("The number of a registration made elsewhere (imported): importing it again changes nothing."),
    )

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("technology contract")
        verbose_name_plural = _("technology contracts")
        ordering = ["-updated", "-id"]
        indexes = [models.Index(fields=["registration_point", "status"], name="contract_point_status")]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=models.F("valid_from")), name="contract_validity_order"),
            models.UniqueConstraint(
                fields=["contact_request"],
                condition=Q(contact_request__isnull=False) & ~Q(status=ContractStatus.WITHDRAWN),
                name="contract_one_per_contact_request",
            ),
        ]

    def __str__(self) -> str:
        return self.project_name

    @property
    def owner(self) -> Organisation:
        """The organisation that owns the record for the shared roles (the seller, the applicant)."""
        return self.seller

    @property
    def owner_id(self) -> int:
        return self.seller_id

    @property
    def technical_value(self) -> Decimal:
        """The value that counts: the approved one once registered, else the declared one."""
        if self.approved_technical_value is not None:
            return self.approved_technical_value
        return self.declared_technical_value

    def ensure_verification_code(self) -> str:
        if not self.verification_code:
            self.verification_code = secrets.token_urlsafe(9)[:12]
        return self.verification_code


# Each code field of a contract and the code table its items come from, read off the fields themselves.
CONTRACT_CODE_TABLES: dict[str, str] = {
    field.name: field.remote_field.limit_choices_to["table__key"]  # type: ignore[index]  # set by _code()
    for field in TechnologyContract._meta.fields
    if isinstance(field, models.ForeignKey) and field.remote_field.model is CodeItem
}


class NonTechnicalItem(models.Model):
    """A purchase the contract includes (equipment, instruments, components, raw materials), deducted from the
    turnover unless it is a reasonable quantity of carriers of the technical subject (§2.4)."""

    contract = models.ForeignKey(TechnologyContract, on_delete=models.CASCADE, related_name="non_technical_items")
    kind = models.CharField(_("kind"), max_length=16, choices=NonTechnicalKind.choices)
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("amount (元)"), validators=NON_NEGATIVE, **MONEY)
    carrier = models.CharField(
        _("carrier of the technical subject"),
        max_length=16,
        choices=CarrierKind.choices,
        blank=True,
        help_text=_("A reasonable quantity of carriers is not a non-technical cost and is not deducted."),
    )
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)

    class Meta:
        verbose_name = _("non-technical item")
        verbose_name_plural = _("non-technical items")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description

    @property
    def deducted(self) -> bool:
        return not self.carrier


def attachment_path(instance: ContractAttachment, filename: str) -> str:
    return f"contracts/{instance.contract_id}/{instance.sha256[:16]}.pdf"


class ContractAttachment(TimeStampedModel):
    """The signed contract (PDF) and the proofs filed with the application."""

    contract = models.ForeignKey(TechnologyContract, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=24, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("contract attachment")
        verbose_name_plural = _("contract attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class ContractStatusChange(StatusHistory):
    """One step of a contract's registration (submitted, returned, disputed, registered, refused...)."""

    record = models.ForeignKey(
        TechnologyContract, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("contract")
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("contract status change")
        verbose_name_plural = _("contract status changes")


class ContractNumberSequence(models.Model):
    """The last serial issued per number prefix (year and region); locked while a number is assigned, so numbers
    have neither gaps nor duplicates under concurrency."""

    prefix = models.CharField(max_length=16, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last}"
