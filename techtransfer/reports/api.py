"""Annual transformation reports API (/api/v1/annual-reports/): what the pages show, through the same selectors
and services. A report the caller may not read is a 404; the overview is the commission's (403 for others)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import permissions, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techtransfer.accounts.permissions import is_commission_admin
from techtransfer.api.fields import ChoiceLabelField, StrictInputMixin
from techtransfer.api.pagination import paginated_response
from techtransfer.api.schema import NOT_FOUND, WRITE_ERRORS
from techtransfer.api.serializers import OrganisationRefSerializer
from techtransfer.api.workflow import AllowedActionsField, StatusHistorySerializer, step_api_routes
from techtransfer.reports import exports, services
from techtransfer.reports.models import AnnualReport
from techtransfer.reports.permissions import COMMISSION_ONLY
from techtransfer.reports.selectors import overview, report_get, report_list
from techtransfer.reports.services import NARRATIVE_FIELDS
from techtransfer.reports.views import figure_rows
from techtransfer.reports.workflows import REPORT_FLOW

TAGS = ["annual-reports"]


@extend_schema_serializer(component_name="AnnualReportSummary")
class ReportListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField()
    organisation = OrganisationRefSerializer()
    status = serializers.CharField()
    status_label = ChoiceLabelField("status")
    submitted_at = serializers.DateTimeField(allow_null=True)
    days_late = serializers.IntegerField(allow_null=True)
    forwarded_at = serializers.DateTimeField(allow_null=True)
    department_days_late = serializers.IntegerField(allow_null=True)
    copy_to_commission = serializers.BooleanField()


@extend_schema_serializer(component_name="AnnualReport")
class ReportOutputSerializer(ReportListOutputSerializer):
    """A report as its page shows it: the narrative, each figure with the platform's value, the value that
    counts and its source, the project list, attachments, history and the steps the caller may take."""

    department = OrganisationRefSerializer(allow_null=True)
    first_submitted_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    part1_work = serializers.CharField()
    part1_experience = serializers.CharField()
    part1_problems = serializers.CharField()
    part2_note = serializers.CharField()
    part3_note = serializers.CharField()
    part4_note = serializers.CharField()
    part5_note = serializers.CharField()
    part6_policy = serializers.CharField()
    figures = serializers.SerializerMethodField()
    achievements_by_source = serializers.ListField(child=serializers.DictField())
    projects = serializers.ListField(child=serializers.DictField())
    prefilled_at = serializers.DateTimeField(allow_null=True)
    attachments = serializers.SerializerMethodField()
    allowed_actions = AllowedActionsField()
    history = StatusHistorySerializer(many=True, source="status_changes.all")

    def get_figures(self, report: AnnualReport) -> list[dict[str, Any]]:
        return [
            {"part": part, "key": row["key"], "label": row["label"], "kind": row["kind"],
             "prefilled": row["prefilled"], "value": row["value"], "changed": row["changed"], "source": row["source"]}
            for part, rows in figure_rows(report).items()
            for row in rows
        ]

    def get_attachments(self, report: AnnualReport) -> list[dict[str, Any]]:
        return [
            {"id": a.pk, "kind": a.kind, "name": a.original_name, "size": a.size,
             "url": reverse("reports:attachment", args=[report.pk, a.pk])}
            for a in report.attachments.all()
        ]


@extend_schema_serializer(component_name="AnnualReportUpdate")
class ReportInputSerializer(StrictInputMixin, serializers.Serializer):
    part1_work = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    part1_experience = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    part1_problems = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    part2_note = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    part3_note = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    part4_note = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    part5_note = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    part6_policy = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    overrides = serializers.DictField(
        child=serializers.CharField(allow_blank=True, allow_null=True, max_length=24), required=False,
        help_text="Figure key → corrected value (counts whole, amounts in 元); empty or null removes a correction.",
    )


class _RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="AnnualReportOverviewUnit")
class OverviewUnitSerializer(serializers.Serializer):
    organisation = _RefSerializer()
    report = serializers.IntegerField(allow_null=True)
    status = serializers.CharField(help_text="A report state, or not_started.")
    status_label = serializers.CharField()
    submitted_on = serializers.DateField(allow_null=True)
    days_late = serializers.IntegerField(allow_null=True)
    overdue_days = serializers.IntegerField(allow_null=True, help_text="Not submitted, past the unit deadline.")
    department = _RefSerializer(allow_null=True)
    forwarded_on = serializers.DateField(allow_null=True)
    department_days_late = serializers.IntegerField(allow_null=True)
    copy_to_commission = serializers.BooleanField()


class _IndicatorSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.CharField(help_text="A decimal number (amounts in 元).")


class _IndicatorSetSerializer(serializers.Serializer):
    reports = serializers.IntegerField()
    units_over_100m = serializers.IntegerField()
    values = _IndicatorSerializer(many=True)


@extend_schema_serializer(component_name="AnnualReportOverview")
class OverviewOutputSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    unit_deadline = serializers.DateField()
    department_deadline = serializers.DateField()
    units = OverviewUnitSerializer(many=True)
    forwarded = _IndicatorSetSerializer(help_text="Over the reports submitted to the commission.")
    handed_in = _IndicatorSetSerializer(help_text="Over every report handed in (not returned).")


def _detail(request: Request, pk: Any) -> dict[str, Any]:
    return dict(ReportOutputSerializer(report_get(user=request.user, pk=pk), context={"request": request}).data)


class ReportListApi(APIView):
    """The annual reports you may read (your units'; your department's once submitted; all for the commission)."""

    permission_classes = [permissions.IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        year = serializers.IntegerField(required=False, min_value=2015, max_value=2100)

    @extend_schema(operation_id="annual_reports_list", parameters=[FilterSerializer],
                   responses={200: ReportListOutputSerializer(many=True)}, tags=TAGS)
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated_response(
            queryset=report_list(user=request.user, year=filters.validated_data.get("year")),
            serializer_class=ReportListOutputSerializer, request=request, view=self,
        )


class ReportDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="annual_reports_retrieve", responses={200: ReportOutputSerializer, 404: NOT_FOUND},
                   tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, pk))


class ReportUpdateApi(APIView):
    """Change the narrative and correct figures of a draft or returned report (the unit only)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="annual_reports_partial_update", request=ReportInputSerializer,
                   responses={200: ReportOutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def patch(self, request: Request, pk: int) -> Response:
        report = report_get(user=request.user, pk=pk)
        serializer = ReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if k in NARRATIVE_FIELDS}
        services.report_update(report=report, by=request.user, data=data,
                               overrides=serializer.validated_data.get("overrides"))
        return Response(_detail(request, pk))


class OverviewApi(APIView):
    """Every reporting unit's status and lateness for a year, and the indicators (the commission only)."""

    permission_classes = [permissions.IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        year = serializers.IntegerField(min_value=2015, max_value=2100)

    @extend_schema(operation_id="annual_reports_overview", parameters=[FilterSerializer],
                   responses={200: OverviewOutputSerializer}, tags=TAGS)
    def get(self, request: Request) -> Response:
        if not is_commission_admin(request.user):
            raise PermissionDenied(str(COMMISSION_ONLY))
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = overview(year=filters.validated_data["year"])
        labels = exports.indicator_labels()

        def indicator_set(ind: Any) -> dict[str, Any]:
            return {
                "reports": ind.reports,
                "units_over_100m": ind.units_over_100m,
                "values": [{"key": k, "label": label, "value": str(ind.values[k])} for k, label in labels],
            }

        return Response({
            "year": data.year,
            "unit_deadline": data.deadlines.unit,
            "department_deadline": data.deadlines.department,
            "units": [
                {
                    "organisation": {"id": row.organisation.pk, "name": row.organisation.name},
                    "report": row.report.pk if row.report else None,
                    "status": row.status,
                    "status_label": row.status_label,
                    "submitted_on": row.submitted_on,
                    "days_late": row.days_late,
                    "overdue_days": row.overdue_days,
                    "department": ({"id": row.department.pk, "name": row.department.name}
                                   if row.department else None),
                    "forwarded_on": row.forwarded_on,
                    "department_days_late": row.department_days_late,
                    "copy_to_commission": row.copy,
                }
                for row in data.rows
            ],
            "forwarded": indicator_set(data.forwarded),
            "handed_in": indicator_set(data.handed_in),
        })


def _step_detail(request: Request, pk: int, result: AnnualReport) -> dict[str, Any]:
    try:
        return _detail(request, pk)
    except Http404:
        return dict(ReportOutputSerializer(result, context={"request": request}).data)


STEP_ROUTES = step_api_routes(
    REPORT_FLOW,
    detail=_step_detail,
    resource="annual-reports",
    operation_prefix="annual_reports",
    component_prefix="AnnualReport",
    response=ReportOutputSerializer,
    tags=TAGS,
    input_help={"return": "What the unit must correct; shown to the unit."},
)
