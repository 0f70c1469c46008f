"""The annual transformation report's states, its review workflow table and its vocabularies (domain-spec §4).

The deadlines change every year: they are dated data (rules/deadlines.json and the ReportingYear table), not
choices here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from techtransfer.core.workflow import Reason, Step


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to the supervising department")
    RETURNED = "returned", _("Returned for correction")
    ACCEPTED = "accepted", _("Accepted by the supervising department")
    FORWARDED = "forwarded", _("Submitted to the commission")


EDITABLE_STATUSES = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED})
# Reports the unit has handed in and that were not sent back (what "all submitted" counts).
HANDED_IN_STATUSES = frozenset({ReportStatus.SUBMITTED, ReportStatus.ACCEPTED, ReportStatus.FORWARDED})


class DeadlineKind(models.TextChoices):
    UNIT = "unit", _("Unit deadline")
    DEPARTMENT = "department", _("Department deadline")


class ReminderWhen(models.TextChoices):
    BEFORE = "before", _("before the deadline")
    AFTER = "after", _("after the deadline")


class AttachmentKind(models.TextChoices):
    REPORT = "report", _("Signed report (PDF)")
    PROJECT_LIST = "project_list", _("Project list (科技成果转化项目清单)")
    EVIDENCE = "evidence", _("Supporting document")
    OTHER = "other", _("Other")


# Roles: unit (the reporting unit's members and TTO officers), department (reviewers and TTO officers of the
# unit's supervising department, never members of the unit; the commission's administrators for a unit with
# no department), commission (the commission's administrators, told of forwarded reports and of copies).
REPORT_STEPS = (
    Step(
        "submit",
        EDITABLE_STATUSES,
        ReportStatus.SUBMITTED,
        who=("unit",),
        label=_("Submit to the supervising department"),
        help=_("The unit sends its report to its supervising department (Law Art. 21); the date is recorded "
               "against the unit deadline of the reporting year."),
        done=_("Submitted. Your supervising department reviews it."),
        audit_label=_("submitted the annual report"),
        notify=("department", "copy"),
        notice=_("%(actor)s submitted the annual transformation report “%(title)s”."),
    ),
    Step(
        "return",
        ReportStatus.SUBMITTED,
        ReportStatus.RETURNED,
        who=("department",),
        label=_("Return with reasons"),
        help=_("The department sends the report back to the unit, saying what to correct."),
        reason=Reason.REQUIRED,
        reason_label=_("What the unit must correct"),
        reason_missing=_("Say what must be corrected, so the unit can fix it."),
        done=_("Returned to the unit with your reasons."),
        audit_label=_("returned the annual report"),
        notify=("unit",),
        notice=_("%(actor)s returned the annual transformation report “%(title)s” for correction."),
        style="contrast",
    ),
    Step(
        "accept",
        ReportStatus.SUBMITTED,
        ReportStatus.ACCEPTED,
        who=("department",),
        label=_("Accept the report"),
        help=_("The department has reviewed the report and accepts it; it can then submit it to the commission."),
        done=_("Accepted. Submit it to the commission by the department deadline."),
        audit_label=_("accepted the annual report"),
        notify=("unit",),
        notice=_("%(actor)s accepted the annual transformation report “%(title)s”."),
    ),
    Step(
        "forward",
        ReportStatus.ACCEPTED,
        ReportStatus.FORWARDED,
        who=("department",),
        label=_("Submit to the commission"),
        help=_("The department submits the accepted report to the commission (Beijing 条例 Art. 29)."),
        irreversible=True,
        confirm=_("Submit this report to the commission? It cannot be taken back."),
        done=_("Submitted to the commission."),
        audit_label=_("submitted the annual report to the commission"),
        notify=("unit", "commission"),
        notice=_("%(actor)s submitted the annual transformation report “%(title)s” to the commission."),
    ),
)
