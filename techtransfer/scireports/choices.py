"""The S&T report's states, its workflow table and its fixed vocabularies.

The maximum delay of a delayed release changes with regulation: it is a dated rule set (rules/rule_sets.json,
the ReportRuleSet table), not a constant here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from techtransfer.core.workflow import Reason, Step


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for acceptance")
    RETURNED = "returned", _("Returned for correction")
    ACCEPTED = "accepted", _("Accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


EDITABLE_STATUSES = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED})
# A funded project counts as reported when one of its reports is in one of these states (coverage).
REPORTED_STATUSES = frozenset({ReportStatus.SUBMITTED, ReportStatus.ACCEPTED})


class ReportType(models.TextChoices):
    FINAL = "final", _("Final report (最终报告)")
    PROGRESS = "progress", _("Annual or progress report (年度/进展报告)")
    TOPICAL = "topical", _("Special-topic report (专题报告)")
    OTHER = "other", _("Other report")


class ReleaseMode(models.TextChoices):
    OPEN = "open", _("Open (公开)")
    DELAYED = "delayed", _("Delayed release (延期公开)")


class Sharing(models.TextChoices):
    """共享状态 as the national S&T report system names it. Only OPEN reports reach the public pages (and only
    unclassified ones, once their release date has come)."""

    NONE = "none", _("Not shared (不共享)")
    CONTROLLED = "controlled", _("Controlled sharing within the system (受控共享)")
    OPEN = "open", _("Open sharing (公开共享)")


# Roles: owner (editors of the project's unit), commission (commission administrators, never of the unit).
REPORT_STEPS = (
    Step(
        "submit",
        EDITABLE_STATUSES,
        ReportStatus.SUBMITTED,
        who=("owner",),
        when=("verified", "has_file"),
        label=_("Submit the report"),
        help=_("The unit sends the report with its file to the commission for acceptance."),
        done=_("Submitted. The commission accepts the report or returns it with reasons."),
        audit_label=_("submitted the report"),
        notify=("commission",),
        notice=_("%(actor)s submitted the S&T report “%(title)s”."),
    ),
    Step(
        "return",
        ReportStatus.SUBMITTED,
        ReportStatus.RETURNED,
        who=("commission",),
        label=_("Return for correction"),
        help=_("The commission returns the report, saying what the unit must correct."),
        reason=Reason.REQUIRED,
        reason_label=_("What the unit must correct"),
        reason_missing=_("Say what must be corrected, so the unit can fix it."),
        done=_("Returned to the unit with your reasons."),
        audit_label=_("returned the report"),
        notify=("owner",),
        notice=_("%(actor)s returned the S&T report “%(title)s” for correction."),
        style="contrast",
    ),
    Step(
        "accept",
        ReportStatus.SUBMITTED,
        ReportStatus.ACCEPTED,
        who=("commission",),
        label=_("Accept the report"),
        help=_("Accept the report; its public release date follows from its release mode."),
        irreversible=True,
        confirm=_("Accept this report? An accepted report cannot be changed or withdrawn."),
        done=_("Accepted."),
        audit_label=_("accepted the report"),
        notify=("owner",),
        notice=_("%(actor)s accepted the S&T report “%(title)s”."),
    ),
    Step(
        "withdraw",
        EDITABLE_STATUSES,
        ReportStatus.WITHDRAWN,
        who=("owner",),
        label=_("Withdraw the report"),
        reason=Reason.OPTIONAL,
        irreversible=True,
        confirm=_("Withdraw this report? It cannot be submitted again; a new report can be made."),
        done=_("The report was withdrawn."),
        audit_label=_("withdrew the report"),
        style="secondary",
    ),
)
