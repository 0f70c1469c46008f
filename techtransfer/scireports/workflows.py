"""The S&T report's workflow (scireports.choices.REPORT_STEPS) bound to its model, roles, conditions and services."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.permissions import OWNER_VERIFIED
from techtransfer.core.workflow import Condition, Workflow, register
from techtransfer.scireports.choices import REPORT_STEPS, ReportStatus
from techtransfer.scireports.models import ReportStatusChange, ScienceReport
from techtransfer.scireports.permissions import COMMISSION, OWNER

NO_FILE = _("Attach the report file (PDF) before submitting.")

REPORT_FLOW = register(
    Workflow(
        kind="scireport",
        label=_("S&T report"),
        record_name="report",
        model=ScienceReport,
        history=ReportStatusChange,
        states=ReportStatus,
        steps=REPORT_STEPS,
        roles={"owner": OWNER, "commission": COMMISSION},
        conditions={
            "verified": OWNER_VERIFIED,
            "has_file": Condition(test=lambda report: bool(report.file), refusal=NO_FILE),
        },
        get_record="techtransfer.scireports.selectors.report_get",
        detail_url=lambda report: reverse("scireports:detail", args=[report.pk]),
        services={name: f"techtransfer.scireports.services.report_{name}" for name in ("submit", "return", "accept")},
        title=lambda report: report.title,
        insider="techtransfer.scireports.permissions.is_insider",
    )
)
