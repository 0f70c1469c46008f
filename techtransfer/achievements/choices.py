from django.db import models
from django.utils.translation import gettext_lazy as _

from techtransfer.core.workflow import Reason, Step


class AchievementType(models.TextChoices):
    APPLIED = "applied", _("Applied technology")
    BASIC = "basic", _("Basic theory")
    SOFT = "soft", _("Soft science")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    REGISTERED = "registered", _("Registered")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The states in which the owning unit may still edit the record freely.
EDITABLE_STATUSES = {Status.DRAFT, Status.RETURNED}
# Registered records change only through a recorded revision.
REGISTERED_STATUSES = {Status.REGISTERED, Status.PUBLISHED}

# The registration workflow (S2). Roles: manager (the unit's TTO officer), owner (the unit's members and TTO
# officers, told what happened), moderator (the reviewers of the registration body whose region covers the
# unit, and commission administrators; never of their own unit).
ACHIEVEMENT_STEPS = (
    Step(
        "submit",
        EDITABLE_STATUSES,
        Status.SUBMITTED,
        who=("manager",),
        when=("verified",),
        label=_("Submit for review"),
        help=_("The unit's TTO officer sends a complete draft (or a returned record) to the registration body."),
        done=_("Submitted for review. The registration body will register it or return it with reasons."),
        audit_label=_("submitted for review"),
        notify=("moderator",),
        notice=_("%(actor)s submitted the achievement “%(title)s” for registration."),
    ),
    Step(
        "return",
        Status.SUBMITTED,
        Status.RETURNED,
        who=("moderator",),
        label=_("Return with reasons"),
        help=_("The registration body returns a submitted record to the unit, saying what to fix."),
        reason=Reason.REQUIRED,
        reason_label=_("What the unit must fix"),
        reason_missing=_("Say why the record is returned, so the unit can fix it."),
        done=_("Returned to the unit with your reasons."),
        audit_label=_("returned with reasons"),
        notify=("owner",),
        notice=_("%(actor)s returned the achievement “%(title)s” with reasons."),
        style="contrast",
    ),
    Step(
        "register",
        Status.SUBMITTED,
        Status.REGISTERED,
        who=("moderator",),
        label=_("Register"),
        help=_("Formal review passed: the registration number (批准登记号) is assigned; published unless the unit "
               "asked otherwise."),
        irreversible=True,
        confirm=_("Register this achievement? A registration number is assigned and cannot be taken back."),
        done=_("Registered: the registration number is assigned."),
        audit_label=_("registered"),
        notify=("owner",),
        notice=_("%(actor)s registered the achievement “%(title)s”."),
    ),
    Step(
        "publish",
        Status.REGISTERED,
        Status.PUBLISHED,
        who=("manager", "moderator"),
        when=("verified",),
        label=_("Publish"),
        help=_("Publish a registered record on the portal."),
        done=_("Published on the portal."),
        audit_label=_("published"),
        notify=("owner",),
        notice=_("%(actor)s published the achievement “%(title)s”."),
    ),
    Step(
        "withdraw",
        (Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.REGISTERED, Status.PUBLISHED),
        Status.WITHDRAWN,
        who=("manager",),
        label=_("Withdraw this achievement"),
        help=_("The unit takes back a record it no longer wants registered (or published)."),
        reason=Reason.OPTIONAL,
        irreversible=True,
        confirm=_("Withdraw this achievement? It leaves the registry and the portal for good."),
        done=_("The achievement is withdrawn."),
        audit_label=_("withdrawn"),
        notify=("owner",),
        notice=_("%(actor)s withdrew the achievement “%(title)s”."),
        style="secondary",
    ),
)


class Secrecy(models.TextChoices):
    """成果密级 (1994 form codes). Anything above NONE is a state secret and cannot be registered (R1.1)."""

    NONE = "0", _("Not classified")
    SECRET = "1", _("Secret (秘密)")
    CONFIDENTIAL = "2", _("Confidential (机密)")
    TOP_SECRET = "3", _("Top secret (绝密)")


class IPKind(models.TextChoices):
    INVENTION_PATENT = "invention_patent", _("Invention patent")
    UTILITY_MODEL = "utility_model", _("Utility model patent")
    DESIGN_PATENT = "design_patent", _("Design patent")
    SOFTWARE_COPYRIGHT = "software_copyright", _("Software copyright")
    PLANT_VARIETY = "plant_variety", _("Plant variety right")
    IC_LAYOUT = "ic_layout", _("IC layout design")
    OTHER = "other", _("Other")


PATENT_KINDS = {IPKind.INVENTION_PATENT, IPKind.UTILITY_MODEL, IPKind.DESIGN_PATENT}


class AttachmentKind(models.TextChoices):
    EVALUATION = "evaluation", _("Evaluation proof (鉴定/验收/评价)")
    IP_CERTIFICATE = "ip_certificate", _("IP certificate")
    USER_PROOF = "user_proof", _("User's proof (用户证明)")
    REPORT = "report", _("Research report / 研制报告")
    OTHER = "other", _("Other")
