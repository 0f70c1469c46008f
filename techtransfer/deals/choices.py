"""The transformation deal's states and vocabularies (domain-spec §5). Shares, periods and deadlines change with
regulation: they are dated rule sets (rules/rule_sets.json, the RewardRuleSet table), not choices here."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DealStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLICITY = "publicity", _("Price publicised (公示中)")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


EDITABLE_DEAL_STATUSES = frozenset({DealStatus.DRAFT})


class DealMode(models.TextChoices):
    """How the achievement is transformed (Law Art. 16)."""

    TRANSFER = "transfer", _("Transfer (转让)")
    LICENCE = "licence", _("Licence (许可)")
    EQUITY = "equity", _("Equity investment (作价投资)")
    OWN = "own", _("Own implementation (自行实施)")
    JOINT = "joint", _("Joint implementation (合作实施)")


# The modes whose proceeds are a price (rewards are a share of the net income) and which are priced and
# decided as a disposal of the achievement (Law Art. 18); own and joint implementation reward a share of the
# operating profit each year instead.
PRICED_MODES = frozenset({DealMode.TRANSFER, DealMode.LICENCE, DealMode.EQUITY})
PROFIT_MODES = frozenset({DealMode.OWN, DealMode.JOINT})


class LicenceType(models.TextChoices):
    EXCLUSIVE = "exclusive", _("Exclusive (独占许可)")
    SOLE = "sole", _("Sole (排他许可)")
    ORDINARY = "ordinary", _("Ordinary (普通许可)")


class PricingMethod(models.TextChoices):
    """Law Art. 18: a negotiated price must be publicised at the unit; a listing or an auction sets it openly."""

    NEGOTIATED = "negotiated", _("Negotiated price (协议定价)")
    LISTED = "listed", _("Listing on a technology exchange (挂牌交易)")
    AUCTION = "auction", _("Auction (拍卖)")


class DealAttachmentKind(models.TextChoices):
    DECISION = "decision", _("Collective decision minutes (领导班子集体决策)")
    DUE_DILIGENCE = "due_diligence", _("Due-diligence record (尽职调查)")
    VALUATION = "valuation", _("Valuation or appraisal report")
    CONTRACT = "contract", _("Signed contract")
    LISTING = "listing", _("Listing or auction result")
    OTHER = "other", _("Other")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the unit's answer")
    RESOLVED = "resolved", _("Answered and resolved")


class CostKind(models.TextChoices):
    """What is deducted from the gross income to reach the net income (Beijing 条例 Art. 12, domain-spec §5.1)."""

    TAX = "tax", _("Taxes on this transaction")
    MAINTENANCE = "maintenance", _("Maintenance of the achievement (e.g. patent fees)")
    EVALUATION = "evaluation", _("Evaluation (评估)")
    APPRAISAL = "appraisal", _("Appraisal (鉴定)")
    NEGOTIATION = "negotiation", _("Negotiation (谈判)")
    OTHER_DIRECT = "other_direct", _("Other direct cost of the transaction")


class RewardForm(models.TextChoices):
    CASH = "cash", _("Cash (现金奖励)")
    EQUITY = "equity", _("Equity (股权奖励)")


class MobilityKind(models.TextChoices):
    """Personnel mobility counted by the annual report (domain-spec §4, part 4)."""

    PART_TIME = "part_time", _("Part-time work at an enterprise (兼职)")
    LEAVE = "leave", _("Leave to start a business (离岗创业)")


class RewardPlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class ProfitYearsFrom(models.TextChoices):
    """Where the years of a share of operating profit are counted from (domain-spec §5.1, last row)."""

    PRODUCTION = "production", _("From successful production (national: 3–5 years)")
    FIRST_PROFIT = "first_profit", _("From the first profitable year (Beijing: 5 years)")
