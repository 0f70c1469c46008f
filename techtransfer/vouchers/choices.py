"""Kinds and states of innovation vouchers (首都科技创新券, 京津冀创新券; S16) and the voucher's workflow table."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from techtransfer.core.workflow import INITIAL, SYSTEM, Reason, Step


class ProgrammeKind(models.TextChoices):
    CAPITAL = "capital", _("Capital S&T innovation voucher (首都科技创新券)")
    JINGJINJI = "jingjinji", _("Beijing–Tianjin–Hebei innovation voucher (京津冀创新券)")


class ApplicantType(models.TextChoices):
    SMALL_MICRO = "small_micro", _("Small or micro enterprise (小微企业)")
    STARTUP_TEAM = "startup_team", _("Start-up team (创业团队)")


class ProviderCategory(models.TextChoices):
    KEY_LAB = "key_lab", _("Key laboratory (重点实验室)")
    ENGINEERING_CENTRE = "engineering_centre", _("Engineering technology research centre (工程技术研究中心)")
    DESIGN_CENTRE = "design_centre", _("Design innovation centre (设计创新中心)")
    INSTRUMENT_PLATFORM = "instrument_platform", _("Instrument sharing platform (科技条件平台)")
    PILOT_BASE = "pilot_base", _("Pilot / scale-up base (中试基地)")
    TESTING = "testing", _("Testing and inspection institution (检验检测机构)")
    OTHER = "other", _("Other service institution")


class VoucherStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    APPROVED = "approved", _("Approved")
    ISSUED = "issued", _("Issued")
    USED = "used", _("Used with a provider")
    REDEEMED = "redeemed", _("Redeemed")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")


# Vouchers whose amount is held against the programme's budget until they are redeemed or expire.
RESERVING_STATUSES = (VoucherStatus.APPROVED, VoucherStatus.ISSUED, VoucherStatus.USED)
# Vouchers that still may become money: an applicant's limit per programme counts these.
LIVE_STATUSES = (VoucherStatus.APPLIED, *RESERVING_STATUSES, VoucherStatus.REDEEMED)
# Unused vouchers that lapse when their validity ends (a used one waits for its provider's redemption).
EXPIRING_STATUSES = (VoucherStatus.APPROVED, VoucherStatus.ISSUED)

# The voucher's workflow. Roles: holder (the applying unit's members), administrator (commission
# administrators, never of the holder), provider (the TTO officers of the provider the voucher is spent with).
# "apply", "use" and "redeem" have their own forms; "release" is taken when the booking paid with the voucher
# is declined or cancelled, or by hand for a service contract.
VOUCHER_STEPS = (
    Step(
        "apply",
        INITIAL,
        VoucherStatus.APPLIED,
        who=("holder",),
        own_page=True,
        label=_("Apply for a voucher"),
        audit_label=_("applied for an innovation voucher"),
        notify=("administrator",),
        notice=_("%(actor)s applied for an innovation voucher: “%(title)s”."),
    ),
    Step(
        "approve",
        VoucherStatus.APPLIED,
        VoucherStatus.APPROVED,
        who=("administrator",),
        label=_("Approve"),
        help=_("Check the application against the programme's eligibility rules and reserve its amount in the "
               "remaining budget."),
        done=_("Approved: the amount is reserved in the programme's budget."),
        audit_label=_("approved the voucher"),
        notify=("holder",),
        notice=_("%(actor)s approved your innovation voucher “%(title)s”."),
    ),
    Step(
        "reject",
        VoucherStatus.APPLIED,
        VoucherStatus.REJECTED,
        who=("administrator",),
        label=_("Reject"),
        reason=Reason.REQUIRED,
        reason_label=_("Why the application is rejected"),
        reason_missing=_("Say why the application is rejected; the applicant reads it."),
        irreversible=True,
        confirm=_("Reject this application? The applicant is told why; the decision cannot be undone."),
        done=_("Rejected: the applicant has been told why."),
        audit_label=_("rejected the voucher application"),
        notify=("holder",),
        notice=_("%(actor)s rejected your innovation voucher application “%(title)s”."),
        style="contrast",
    ),
    Step(
        "issue",
        VoucherStatus.APPROVED,
        VoucherStatus.ISSUED,
        who=("administrator",),
        label=_("Issue the voucher"),
        help=_("Issue the approved voucher: its validity starts today."),
        done=_("Issued: the holder can spend it with a listed provider."),
        audit_label=_("issued the voucher"),
        notify=("holder",),
        notice=_("%(actor)s issued your innovation voucher “%(title)s”; spend it with a listed provider."),
    ),
    Step(
        "use",
        VoucherStatus.ISSUED,
        VoucherStatus.USED,
        who=("holder",),
        own_page=True,
        label=_("Spend with a provider"),
        help=_("Book a facility of a listed provider with the voucher, or record a service contract with one."),
        audit_label=_("spent the voucher with a provider"),
        notify=("provider",),
        notice=_("%(actor)s will pay with the innovation voucher “%(title)s”."),
    ),
    Step(
        "release",
        VoucherStatus.USED,
        VoucherStatus.ISSUED,
        who=("holder", "provider"),
        when=("contract_use",),
        label=_("Cancel the use"),
        help=_("The service will not be delivered: the voucher can be spent again while it is valid."),
        reason=Reason.REQUIRED,
        reason_label=_("Why the use is cancelled"),
        done=_("The use is cancelled; the voucher can be spent again."),
        audit_label=_("cancelled the use of the voucher"),
        notify=("holder", "provider"),
        notice=_("%(actor)s cancelled the use of the innovation voucher “%(title)s”."),
        style="secondary",
    ),
    Step(
        "redeem",
        VoucherStatus.USED,
        VoucherStatus.REDEEMED,
        who=("provider",),
        own_page=True,
        label=_("Redeem"),
        help=_("The provider redeems the voucher with the invoice and the service report."),
        audit_label=_("redeemed the voucher"),
        notify=("holder", "administrator"),
        notice=_("%(actor)s redeemed the innovation voucher “%(title)s”."),
    ),
    Step(
        "expire",
        (VoucherStatus.APPROVED, VoucherStatus.ISSUED),
        VoucherStatus.EXPIRED,
        who=(SYSTEM,),
        label=_("Expire"),
        audit_label=_("the voucher expired"),
        notify=("holder",),
        notice=_("Your innovation voucher “%(title)s” expired unused; its amount went back to the budget."),
    ),
)
