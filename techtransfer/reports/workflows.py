"""The annual report's review workflow (reports.choices.REPORT_STEPS) bound to its model, roles and services."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techtransfer.core.workflow import Workflow, register
from techtransfer.reports.choices import REPORT_STEPS, ReportStatus
from techtransfer.reports.models import AnnualReport, AnnualReportStatusChange
from techtransfer.reports.permissions import COMMISSION, COPY, DEPARTMENT, UNIT

REPORT_FLOW = register(
    Workflow(
        kind="annual_report",
        label=_("annual transformation report"),
        model=AnnualReport,
        history=AnnualReportStatusChange,
        states=ReportStatus,
        steps=REPORT_STEPS,
        roles={"unit": UNIT, "department": DEPARTMENT, "commission": COMMISSION, "copy": COPY},
        record_name="report",
        get_record="techtransfer.reports.selectors.report_get",
        detail_url=lambda report: reverse("reports:detail", args=[report.pk]),
        services={name: f"techtransfer.reports.services.report_{name}" for name in ("submit", "return", "accept",
                                                                                   "forward")},
        title=lambda report: f"{report.organisation.name} {report.year}",
    )
)
