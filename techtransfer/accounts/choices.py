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
    # Technology contract registration points (技术合同登记机构), one per district: they recognise and register
    # technology contracts (contracts app) and moderate nothing else.
    CONTRACT_REGISTRY = "contract_registry", _("Technology contract registration point")
    INVESTOR = "investor", _("Investor")
    OTHER = "other", _("Other")


# Organisation types whose staff review other units' records.
REVIEWING_ORG_TYPES = {OrgType.SUPERVISING_DEPARTMENT, OrgType.REGISTRATION_BODY}


class Affiliation(models.TextChoices):
    """Whom a unit in Beijing answers to: the statistics of contracts landed in Beijing (落地北京) tell central
    units in Beijing (中央在京单位) from the city's own (domain-spec §3.2)."""

    CENTRAL = "central", _("Central unit in Beijing (中央在京)")
    LOCAL = "local", _("Local unit (地方)")


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
