from django.db import models
from django.utils.translation import gettext_lazy as _


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
