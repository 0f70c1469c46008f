"""Transformation deals (S8: transfer, licence, 作价投资, own or joint implementation, with pricing, the
collective decision, due diligence and the publicity of a negotiated price) and income distribution (S9: net
income, the reward pool by dated rule sets or the unit's own rule, allocations, payments, personnel mobility).
Domain-spec §5."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.models import Organisation
from techtransfer.achievements.models import Achievement, CompletingPerson
from techtransfer.contracts.models import TechnologyContract
from techtransfer.core.models import StatusHistory, TimeStampedModel
from techtransfer.deals.choices import (
    CostKind,
    DealAttachmentKind,
    DealMode,
    DealStatus,
    LicenceType,
    MobilityKind,
    ObjectionStatus,
    PricingMethod,
    ProfitYearsFrom,
    RewardForm,
    RewardPlanStatus,
)
from techtransfer.lib.fields import BoundedTextField
from techtransfer.lib.validators import NOTE_MAX_LENGTH, SUMMARY_MAX_LENGTH, validate_sane_date

MONEY = {"max_digits": 16, "decimal_places": 2}
SHARES = {"max_digits": 18, "decimal_places": 4}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]
FRACTION = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]
SHARE = {"max_digits": 5, "decimal_places": 4, "validators": FRACTION}


class RewardRuleSet(models.Model):
    """The reward shares, publicity period and related rules in force from `valid_from` in a jurisdiction
    (regulation as dated data, rules/rule_sets.json). `region_prefix` "" is national law; "11" is Beijing's
    条例 (in force 2020-01-01). The most specific rule set in force on the date applies, and only when the unit
    has no rule of its own (UnitRewardRule; Law Art. 44–45, 条例 Art. 12 ¶2)."""

    valid_from = models.DateField(_("valid from"), validators=[validate_sane_date])
    region_prefix = models.CharField(
        _("region prefix"), max_length=6, blank=True,
        help_text=_("Empty: national. A GB/T 2260 prefix (11: Beijing) for a local rule."),
    )
    name = models.CharField(_("name"), max_length=200)
    source = models.TextField(_("source"))
    confirmed = models.BooleanField(_("confirmed"), default=True)
    transfer_share = models.DecimalField(_("share of net transfer or licence income"), **SHARE)
    equity_share = models.DecimalField(_("share of the shares formed (作价投资)"), **SHARE)
    profit_share = models.DecimalField(_("share of operating profit (own or joint implementation)"), **SHARE)
    profit_years = models.PositiveSmallIntegerField(_("years of the profit share"))
    profit_years_from = models.CharField(_("profit years counted from"), max_length=16, choices=ProfitYearsFrom.choices)
    main_contributor_share = models.DecimalField(_("minimum share of the main contributors"), **SHARE)
    main_contributor_source = models.TextField(_("source of the main contributors' share"), blank=True)
    unit_head_equity_allowed = models.BooleanField(_("unit heads may receive equity"), default=False)
    unit_head_source = models.TextField(_("source of the unit-head rule"), blank=True)
    publicity_days = models.PositiveSmallIntegerField(_("publicity period (days)"))
    publicity_source = models.TextField(_("source of the publicity period"), blank=True)

    class Meta:
        verbose_name = _("reward rule set")
        verbose_name_plural = _("reward rule sets")
        ordering = ["-valid_from", "region_prefix"]
        constraints = [
            models.UniqueConstraint(fields=["valid_from", "region_prefix"], name="rewardruleset_date_region_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from})"


class UnitRewardRule(TimeStampedModel):
    """A unit's own reward rule (or the agreement with its staff), which replaces the rule set's defaults from
    `valid_from` (Law Art. 44; 条例 Art. 12 ¶2). A share left empty falls back to the rule set."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="reward_rules", verbose_name=_("unit")
    )
    valid_from = models.DateField(_("valid from"), validators=[validate_sane_date])
    title = models.CharField(_("document"), max_length=200, help_text=_("The title and number of the unit's rule."))
    transfer_share = models.DecimalField(
        _("share of net transfer or licence income"), null=True, blank=True, **SHARE
    )
    equity_share = models.DecimalField(_("share of the shares formed (作价投资)"), null=True, blank=True, **SHARE)
    profit_share = models.DecimalField(
        _("share of operating profit (own or joint implementation)"), null=True, blank=True, **SHARE
    )
    profit_years = models.PositiveSmallIntegerField(_("years of the profit share"), null=True, blank=True)

    class Meta:
        verbose_name = _("unit reward rule")
        verbose_name_plural = _("unit reward rules")
        ordering = ["organisation", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "valid_from"], name="unitrewardrule_date_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.title} ({self.valid_from})"


class Deal(TimeStampedModel):
    """One transformation of an achievement by its unit: what, to whom, how priced and decided, and (for a
    negotiated price) its publicity, objections and completion."""

    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="deals", verbose_name=_("unit"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    achievement = models.ForeignKey(
        Achievement, on_delete=models.PROTECT, related_name="deals", verbose_name=_("achievement")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=DealStatus.choices, default=DealStatus.DRAFT, db_index=True
    )
    mode = models.CharField(_("transformation mode"), max_length=16, choices=DealMode.choices)
    licence_type = models.CharField(_("licence type"), max_length=16, choices=LicenceType.choices, blank=True)
    counterparty_name = models.CharField(_("counterparty"), max_length=200, blank=True)
    counterparty = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="deals_as_counterparty",
        verbose_name=_("counterparty on the platform"),
    )
    summary = BoundedTextField(_("summary"), max_length=SUMMARY_MAX_LENGTH, blank=True)

    pricing_method = models.CharField(_("pricing method"), max_length=16, choices=PricingMethod.choices, blank=True)
    price = models.DecimalField(
        _("price (元)"), null=True, blank=True, validators=NON_NEGATIVE,
        help_text=_("The proposed price; for 作价投资 the value at which the achievement is contributed."), **MONEY,
    )
    exchange_name = models.CharField(_("technology exchange"), max_length=200, blank=True)
    listing_reference = models.CharField(_("listing reference"), max_length=100, blank=True)
    auction_result = BoundedTextField(_("auction result"), max_length=NOTE_MAX_LENGTH, blank=True)

    company_name = models.CharField(
        _("company invested in"), max_length=200, blank=True, help_text=_("For 作价投资: the company formed or joined.")
    )
    shares = models.DecimalField(
        _("shares agreed"), null=True, blank=True, validators=NON_NEGATIVE,
        help_text=_("For 作价投资: the number of shares (or capital contribution in 元) the unit receives."), **SHARES,
    )
    capital_share = models.DecimalField(
        _("share of the company's capital"), null=True, blank=True, **SHARE,
        help_text=_("For 作价投资: the fraction of the registered capital (0.2 for 20%)."),
    )
    first_profitable_year = models.PositiveSmallIntegerField(
        _("first profitable year"), null=True, blank=True,
        help_text=_("For own or joint implementation: the year counting of the profit share starts."),
    )

    decision_date = models.DateField(
        _("date of the collective decision"), null=True, blank=True, validators=[validate_sane_date]
    )
    decision_meeting = models.CharField(
        _("deciding meeting"), max_length=200, blank=True, help_text=_("E.g. 校长办公会 2026年第12次会议.")
    )
    due_diligence = BoundedTextField(
        _("due diligence"), max_length=SUMMARY_MAX_LENGTH, blank=True,
        help_text=_("What was checked (ownership, valuation, market, conflicts of interest): the record the "
                    "liability exemption rests on (尽职免责, 条例 Art. 19)."),
    )
    rule_set = models.ForeignKey(
        RewardRuleSet, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("rule set"), help_text=_("The rule set in force when the price was publicised."),
    )
    publicity_start = models.DateTimeField(_("publicity starts"), null=True, blank=True)
    publicity_end = models.DateTimeField(_("publicity ends"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True, validators=[validate_sane_date])
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    contract = models.ForeignKey(
        TechnologyContract, on_delete=models.SET_NULL, null=True, blank=True, related_name="deals",
        verbose_name=_("registered technology contract"),
    )

    class Meta:
        verbose_name = _("transformation deal")
        verbose_name_plural = _("transformation deals")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["owner", "status"], name="deal_owner_status")]

    def __str__(self) -> str:
        return f"{self.achievement.name} ({self.get_mode_display()})"


def deal_attachment_path(instance: DealAttachment, filename: str) -> str:
    return f"deals/{instance.deal_id}/{instance.sha256[:16]}.pdf"


class DealAttachment(TimeStampedModel):
    """The decision minutes, the due-diligence record, valuations and the contract (PDF)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=24, choices=DealAttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=deal_attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("deal attachment")
        verbose_name_plural = _("deal attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class DealStatusChange(StatusHistory):
    record = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("deal"))

    class Meta(StatusHistory.Meta):
        verbose_name = _("deal status change")
        verbose_name_plural = _("deal status changes")


class Objection(TimeStampedModel):
    """An objection to a publicised price, lodged by anyone. The objector's contact details are seen only by
    the unit (and the commission), never on public pages or in public API answers."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="objections", verbose_name=_("deal"))
    status = models.CharField(_("status"), max_length=16, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    text = BoundedTextField(_("objection"), max_length=NOTE_MAX_LENGTH)
    name = models.CharField(_("name of the objector"), max_length=100)
    contact = models.CharField(_("contact (phone or e-mail)"), max_length=200)
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answer = BoundedTextField(_("the unit's answer"), max_length=NOTE_MAX_LENGTH, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.text[:40]}"


class RewardPlan(TimeStampedModel):
    """One distribution of a deal's proceeds: the gross income received (or, for own and joint
    implementation, one year's operating profit), the costs deducted, the reward pool by the rule that applies,
    and its allocation among the contributors. The rule, share and pool are frozen when it is approved."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="reward_plans", verbose_name=_("deal"))
    status = models.CharField(
        _("status"), max_length=16, choices=RewardPlanStatus.choices, default=RewardPlanStatus.DRAFT
    )
    income_date = models.DateField(
        _("income received on"), validators=[validate_sane_date],
        help_text=_("The date of the income (or the end of the profit year): it chooses the rule in force."),
    )
    gross_income = models.DecimalField(
        _("gross income (元)"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    profit_year = models.PositiveSmallIntegerField(_("profit year"), null=True, blank=True)
    operating_profit = models.DecimalField(_("operating profit (元)"), null=True, blank=True, **MONEY)
    shares_formed = models.DecimalField(
        _("shares formed"), null=True, blank=True, validators=NON_NEGATIVE, **SHARES,
        help_text=_("For 作价投资: the shares the contribution formed."),
    )
    unit_rule = models.ForeignKey(
        UnitRewardRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("unit rule applied"),
    )
    rule_set = models.ForeignKey(
        RewardRuleSet, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("rule set applied"),
    )
    share = models.DecimalField(_("share applied"), null=True, blank=True, **SHARE)
    pool_cash = models.DecimalField(_("cash reward pool (元)"), null=True, blank=True, **MONEY)
    pool_shares = models.DecimalField(_("equity reward pool (shares)"), null=True, blank=True, **SHARES)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reward plan")
        verbose_name_plural = _("reward plans")
        ordering = ["deal", "income_date", "id"]

    def __str__(self) -> str:
        return f"{self.deal}: {self.income_date}"


def cost_evidence_path(instance: NetIncomeItem, filename: str) -> str:
    return f"deals/{instance.plan.deal_id}/costs/{instance.sha256[:16]}.pdf"


class NetIncomeItem(models.Model):
    """One deduction from the gross income, with its evidence (Beijing 条例 Art. 12: taxes, maintenance costs,
    direct costs such as evaluation, appraisal and negotiation)."""

    plan = models.ForeignKey(RewardPlan, on_delete=models.CASCADE, related_name="costs", verbose_name=_("reward plan"))
    kind = models.CharField(_("kind"), max_length=16, choices=CostKind.choices)
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("amount (元)"), validators=NON_NEGATIVE, **MONEY)
    evidence = models.FileField(_("evidence"), upload_to=cost_evidence_path, blank=True)
    evidence_name = models.CharField(_("file name"), max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("net-income deduction")
        verbose_name_plural = _("net-income deductions")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount}"


class RewardAllocation(models.Model):
    """One person's reward in a plan: cash (元) or equity (shares). A unit head (正职领导) may receive cash but
    not equity; leaders' rewards are publicised (条例 Art. 13)."""

    plan = models.ForeignKey(
        RewardPlan, on_delete=models.CASCADE, related_name="allocations", verbose_name=_("reward plan")
    )
    person_name = models.CharField(_("person"), max_length=100)
    person = models.ForeignKey(
        CompletingPerson, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("completing person"),
    )
    is_main_contributor = models.BooleanField(_("main contributor (主要贡献人员)"), default=False)
    is_leader = models.BooleanField(
        _("leader (领导人员)"), default=False, help_text=_("Leaders' rewards are publicised.")
    )
    is_unit_head = models.BooleanField(
        _("unit head (正职领导)"), default=False, help_text=_("May receive cash, not equity.")
    )
    form = models.CharField(_("form"), max_length=8, choices=RewardForm.choices)
    amount = models.DecimalField(_("amount (元)"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY)
    shares = models.DecimalField(_("shares"), null=True, blank=True, validators=NON_NEGATIVE, **SHARES)

    class Meta:
        verbose_name = _("reward allocation")
        verbose_name_plural = _("reward allocations")
        ordering = ["plan", "-is_main_contributor", "id"]

    def __str__(self) -> str:
        return self.person_name


class RewardPayment(models.Model):
    """A reward paid (cash) or vested (equity) to one person, with the tax withheld where entered."""

    allocation = models.ForeignKey(
        RewardAllocation, on_delete=models.CASCADE, related_name="payments", verbose_name=_("allocation")
    )
    paid_on = models.DateField(_("paid on"), validators=[validate_sane_date])
    amount = models.DecimalField(_("amount (元)"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY)
    shares = models.DecimalField(_("shares"), null=True, blank=True, validators=NON_NEGATIVE, **SHARES)
    tax_withheld = models.DecimalField(
        _("tax withheld (元)"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("reward payment")
        verbose_name_plural = _("reward payments")
        ordering = ["paid_on", "id"]

    def __str__(self) -> str:
        return f"{self.allocation}: {self.paid_on}"


class RewardPlanStatusChange(StatusHistory):
    record = models.ForeignKey(
        RewardPlan, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("reward plan")
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("reward plan status change")
        verbose_name_plural = _("reward plan status changes")


class Mobility(TimeStampedModel):
    """A staff member's part-time work at an enterprise or leave to start a business (兼职、离岗创业), counted by
    the annual report."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="mobility", verbose_name=_("unit")
    )
    person_name = models.CharField(_("person"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=MobilityKind.choices)
    enterprise = models.CharField(_("enterprise"), max_length=200)
    start = models.DateField(_("start"), validators=[validate_sane_date])
    end = models.DateField(_("end"), null=True, blank=True, validators=[validate_sane_date])
    deal = models.ForeignKey(
        Deal, on_delete=models.SET_NULL, null=True, blank=True, related_name="mobility",
        verbose_name=_("related deal"),
    )
    note = BoundedTextField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("part-time work or leave")
        verbose_name_plural = _("part-time work and leave")
        ordering = ["organisation", "-start"]

    def __str__(self) -> str:
        return f"{self.person_name} ({self.get_kind_display()})"
