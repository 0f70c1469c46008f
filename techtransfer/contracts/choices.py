"""The technology contract's states, its registration workflow table and its fixed vocabularies.

The contract categories and sub-types, the refusal grounds and the decision deadlines change with regulation:
they are dated rule sets (rules/rule_sets.json, the ContractRuleSet table), not choices here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from techtransfer.core.workflow import Reason, Step


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for the registrar")
    RETURNED = "returned", _("Returned for correction")
    REGISTERED = "registered", _("Registered")
    REFUSED = "refused", _("Refused (未予登记)")
    WITHDRAWN = "withdrawn", _("Withdrawn")


EDITABLE_STATUSES = frozenset({ContractStatus.DRAFT, ContractStatus.RETURNED})
DECIDED_STATUSES = frozenset({ContractStatus.REGISTERED, ContractStatus.REFUSED})


class ContractForm(models.TextChoices):
    """Oral contracts are not accepted (2000 Measures, domain-spec §2.2 P2); the choice is asked so the
    refusal is explicit rather than implied."""

    WRITTEN = "written", _("Written contract")
    ORAL = "oral", _("Oral contract")


class AttachmentKind(models.TextChoices):
    SIGNED_CONTRACT = "signed_contract", _("Signed contract (full text with annexes)")
    AUTHORISATION = "authorisation", _("Written authorisation (a department or research group signed)")
    APPROVAL = "approval", _("Approval of the competent department (government project)")
    LICENCE = "licence", _("Production licence")
    OTHER = "other", _("Other proof")


class NonTechnicalKind(models.TextChoices):
    """Non-technical items of a contract (domain-spec §2.4): purchases deducted from the turnover."""

    EQUIPMENT = "equipment", _("Equipment")
    INSTRUMENTS = "instruments", _("Instruments")
    COMPONENTS = "components", _("Components")
    MATERIALS = "materials", _("Raw materials")
    OTHER = "other", _("Other non-technical cost")


class CarrierKind(models.TextChoices):
    """Carriers of the technical subject whose reasonable quantity is not non-technical (§2.4 (a)–(c))."""

    DOCUMENTS = "documents", _("Technical documents (the copies needed)")
    MEDIA = "media", _("Software media, varieties, strains or hardware carriers (for testing and mastering)")
    EQUIPMENT_SETS = "equipment_sets", _("Complete technical equipment or test installations (generally 1–2 sets)")


class Category(models.TextChoices):
    """The contract categories (domain-spec §2.1); which exist on a signing date is the rule set's."""

    DEVELOPMENT = "development", _("Technology development (技术开发)")
    TRANSFER = "transfer", _("Technology transfer (技术转让)")
    LICENCE = "licence", _("Technology licensing (技术许可)")
    CONSULTING = "consulting", _("Technical consulting (技术咨询)")
    SERVICE = "service", _("Technical service (技术服务)")


class SubType(models.TextChoices):
    COMMISSIONED = "commissioned", _("Commissioned development (委托开发)")
    COOPERATIVE = "cooperative", _("Cooperative development (合作开发)")
    PATENT = "patent", _("Patent right transfer (专利权转让)")
    PATENT_APPLICATION = "patent_application", _("Patent application right transfer (专利申请权转让)")
    TECHNICAL_SECRET = "technical_secret", _("Technical secret transfer (技术秘密转让)")
    OTHER = "other", _("Other transfer (IC layout, plant variety, software copyright…)")
    PATENT_LICENCE = "patent_licence", _("Patent implementation licence (专利实施许可)")
    PATENT_EXCLUSIVE = "patent_exclusive", _("Patent licence, exclusive (独占)")
    PATENT_SOLE = "patent_sole", _("Patent licence, sole (排他)")
    PATENT_ORDINARY = "patent_ordinary", _("Patent licence, ordinary (普通)")
    SECRET_LICENCE = "secret_licence", _("Technical secret use licence (技术秘密使用许可)")
    CONSULTING = "consulting", _("Technical consulting (技术咨询)")
    SERVICE = "service", _("Technical service (技术服务)")
    TRAINING = "training", _("Technical training (技术培训)")
    INTERMEDIARY = "intermediary", _("Technical intermediary (技术中介)")


# The applicant is always the seller side (按地域一次登记, §2.2 P1); its name depends on the contract.
SELLER_ROLE = {
    Category.DEVELOPMENT: _("Developer (研究开发人)"),
    Category.TRANSFER: _("Transferor (让与人)"),
    Category.LICENCE: _("Licensor (许可人)"),
    Category.CONSULTING: _("Consultant (受托人)"),
    Category.SERVICE: _("Service provider (受托人)"),
}
SUBTYPE_SELLER_ROLE = {
    SubType.TRAINING: _("Trainer (培训人)"),
    SubType.INTERMEDIARY: _("Intermediary (中介人)"),
}
# Transfers must state the expected new investment and output (legacy form, domain-spec §2.3).
NEEDS_EXPECTED_FIGURES = frozenset({Category.TRANSFER})


# Who may take each step. owner: the seller's members (the applicant); registrar: the reviewers of the
# registration point the contract is filed with, never members of the seller or the buyer.
CONTRACT_STEPS = (
    Step(
        "submit",
        EDITABLE_STATUSES,
        ContractStatus.SUBMITTED,
        who=("owner",),
        when=("verified", "complete"),
        label=_("Submit for registration"),
        help=_("The seller sends the application with the signed contract to its registration point."),
        done=_("Submitted. The registration point decides by the deadline shown on the application."),
        audit_label=_("submitted for registration"),
        notify=("registrar",),
        notice=_("%(actor)s submitted the technology contract “%(title)s” for registration."),
    ),
    Step(
        "return",
        ContractStatus.SUBMITTED,
        ContractStatus.RETURNED,
        who=("registrar",),
        label=_("Return for correction"),
        help=_("The registrar returns the application, saying what the seller must correct."),
        reason=Reason.REQUIRED,
        reason_label=_("What the seller must correct"),
        reason_missing=_("Say what must be corrected, so the seller can fix it."),
        done=_("Returned to the seller with your reasons."),
        audit_label=_("returned for correction"),
        notify=("owner",),
        notice=_("%(actor)s returned the technology contract “%(title)s” for correction."),
        style="contrast",
    ),
    Step(
        "dispute",
        ContractStatus.SUBMITTED,
        None,
        who=("registrar",),
        when=("not_disputed",),
        label=_("Mark as disputed"),
        help=_("A disputed application has the longer decision deadline of the rule set in force."),
        reason=Reason.REQUIRED,
        reason_label=_("What is disputed"),
        done=_("Marked as disputed; the decision deadline was extended."),
        audit_label=_("marked as disputed"),
        notify=("owner",),
        style="secondary",
    ),
    Step(
        "register",
        ContractStatus.SUBMITTED,
        ContractStatus.REGISTERED,
        who=("registrar",),
        label=_("Register"),
        help=_("Recognise the contract, approve its technical transaction value and issue the certificate."),
        irreversible=True,
        own_page=True,
        done=_("Registered. The certificate can be downloaded from the contract's page."),
        audit_label=_("registered"),
        notify=("owner",),
        notice=_("%(actor)s registered the technology contract “%(title)s”."),
    ),
    Step(
        "refuse",
        ContractStatus.SUBMITTED,
        ContractStatus.REFUSED,
        who=("registrar",),
        label=_("Refuse registration"),
        help=_("Refuse with grounds from the list of the rule set in force (未予登记)."),
        irreversible=True,
        own_page=True,
        done=_("Refused. The seller sees the grounds."),
        audit_label=_("refused registration"),
        notify=("owner",),
        notice=_("%(actor)s refused to register the technology contract “%(title)s”."),
        style="contrast",
    ),
    Step(
        "withdraw",
        (ContractStatus.DRAFT, ContractStatus.RETURNED, ContractStatus.SUBMITTED),
        ContractStatus.WITHDRAWN,
        who=("owner",),
        label=_("Withdraw the application"),
        reason=Reason.OPTIONAL,
        irreversible=True,
        confirm=_("Withdraw this application? It cannot be submitted again; a new application can be made."),
        done=_("The application was withdrawn."),
        audit_label=_("withdrew the application"),
        notify=("registrar",),
        style="secondary",
    ),
)
