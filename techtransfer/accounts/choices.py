from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgType(models.TextChoices):
    UNIVERSITY = "university", _("University")
    INSTITUTE = "institute", _("Research institute")
    HOSPITAL = "hospital", _("Hospital")
    ENTERPRISE = "enterprise", _("Enterprise")
    TRANSFER_INSTITUTION = "transfer_institution", _("Technology-transfer institution")
    SUPERVISING_DEPARTMENT = "supervising_department", _("Supervising department")
    REGISTRATION_BODY = "registration_body", _("Registration body")
    INVESTOR = "investor", _("Investor")
    OTHER = "other", _("Other")


# Organisation types whose staff review other units' records.
REVIEWING_ORG_TYPES = {OrgType.SUPERVISING_DEPARTMENT, OrgType.REGISTRATION_BODY}


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    TTO_OFFICER = "tto_officer", _("TTO officer / organisation admin")
    REVIEWER = "reviewer", _("Reviewer")
    COMMISSION_ADMIN = "commission_admin", _("Commission administrator")


class MembershipStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    ACTIVE = "active", _("Active")


class NotifyEmail(models.TextChoices):
    """How a user wants to hear by e-mail of work waiting for them (the in-site inbox always has it)."""

    IMMEDIATELY = "immediately", _("At once, one e-mail per event")
    DAILY = "daily", _("In a daily digest")
    NEVER = "never", _("Never (the inbox on the site only)")
