"""S&T reports API (/api/v1/sci-reports/): one class per operation, each calling one selector or service.

It shows a user what the report's page shows them: a report the caller may not read is a 404 whatever the
operation; the public reads a public report's public part (the internal fields are null or empty for them);
writes go through the services (403 who, 409 when, 400 what). The coverage is the commission's.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techtransfer.accounts.permissions import is_commission_admin
from techtransfer.achievements.choices import IPKind, Secrecy
from techtransfer.achievements.choices import Status as AchievementStatus
from techtransfer.achievements.models import Achievement, FundedProject, IPItem
from techtransfer.api.fields import ChoiceLabelField, StrictInputMixin
from techtransfer.api.pagination import paginated_response
from techtransfer.api.schema import FORBIDDEN, NOT_AUTHENTICATED, NOT_FOUND, WRITE_ERRORS
from techtransfer.api.serializers import OrganisationRefSerializer
from techtransfer.api.workflow import AllowedActionsField, StatusHistorySerializer, step_api_routes
from techtransfer.lib.validators import DB_ID_MAX, SUMMARY_MAX_LENGTH
from techtransfer.scireports import permissions as perms
from techtransfer.scireports import selectors, services
from techtransfer.scireports.choices import ReleaseMode, ReportStatus, ReportType
from techtransfer.scireports.models import ScienceReport
from techtransfer.scireports.workflows import REPORT_FLOW

TAGS = ["sci-reports"]
# What only the report's unit and the commission read (null, or empty lists, for everyone else).
INTERNAL_FIELDS = ("status", "status_label", "sharing", "sharing_label", "submitted_at", "accepted_at")
INTERNAL_LISTS = ("history", "allowed_actions")
NO_UNIT = _("You belong to no unit of this funded project; ask your unit to write the report.")


class IPRowSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IPKind.choices)
    number = serializers.CharField(max_length=40)
    title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ProjectRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    grant_number = serializers.CharField()
    title = serializers.CharField()
    programme = serializers.CharField(source="programme.code")
    programme_label = serializers.CharField(source="programme.label")
    end = serializers.DateField(allow_null=True)


def _insider(serializer: serializers.Serializer, report: ScienceReport) -> bool:
    request = serializer.context.get("request")
    return perms.is_insider(getattr(request, "user", None), report)


@extend_schema_serializer(component_name="SciReport")
class ReportOutputSerializer(serializers.Serializer):
    """A report as its page shows it to the caller."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    report_type = serializers.CharField()
    report_type_label = ChoiceLabelField("report_type")
    secrecy = serializers.CharField(help_text="0 not classified; 1–3 classified (never public).")
    secrecy_label = ChoiceLabelField("secrecy")
    release_mode = serializers.CharField()
    release_mode_label = ChoiceLabelField("release_mode")
    delay_months = serializers.IntegerField(allow_null=True)
    public_from = serializers.DateField(allow_null=True)
    abstract = serializers.CharField()
    keywords = serializers.ListField(child=serializers.CharField(), source="keyword_list")
    owner = OrganisationRefSerializer()
    project = ProjectRefSerializer()
    achievements = serializers.SerializerMethodField()
    ip_items = IPRowSerializer(many=True, source="ip_items.all")
    file_name = serializers.CharField(source="original_name")
    file_url = serializers.SerializerMethodField()
    status = serializers.CharField(allow_null=True, help_text="Only for the unit and the commission.")
    status_label = ChoiceLabelField("status", allow_null=True)
    sharing = serializers.CharField(allow_null=True, help_text="Only for the unit and the commission.")
    sharing_label = ChoiceLabelField("sharing", allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    allowed_actions = AllowedActionsField()
    history = StatusHistorySerializer(many=True, source="status_changes.all")

    def get_achievements(self, report: ScienceReport) -> list[dict[str, Any]]:
        shown = [a for a in report.achievements.all()
                 if _insider(self, report) or a.status == AchievementStatus.PUBLISHED]
        ips: dict[int, list[dict[str, str]]] = {}
        for item in IPItem.objects.filter(achievement__in=shown):
            ips.setdefault(item.achievement_id, []).append(
                {"kind": item.kind, "number": item.number, "title": item.title}
            )
        return [{"id": a.pk, "name": a.name, "ip_items": ips.get(a.pk, [])} for a in shown]

    def get_file_url(self, report: ScienceReport) -> str | None:
        return reverse("scireports:file", args=[report.pk]) if report.file else None

    def to_representation(self, report: ScienceReport) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(report)
        if not _insider(self, report):
            data.update({name: None for name in INTERNAL_FIELDS})
            data.update({name: [] for name in INTERNAL_LISTS})
        return data


@extend_schema_serializer(component_name="SciReportSummary")
class ReportListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    report_type = serializers.CharField()
    report_type_label = ChoiceLabelField("report_type")
    owner_name = serializers.CharField(source="owner.name")
    grant_number = serializers.CharField(source="project.grant_number")
    programme = serializers.CharField(source="project.programme.code")
    public_from = serializers.DateField(allow_null=True)
    status = serializers.CharField(allow_null=True, help_text="Only for the unit and the commission.")

    def to_representation(self, report: ScienceReport) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(report)
        if not _insider(self, report):
            data["status"] = None
        return data


class ReportInputSerializer(StrictInputMixin, serializers.Serializer):
    number = serializers.CharField(max_length=64, required=False)
    title = serializers.CharField(max_length=300, required=False)
    report_type = serializers.ChoiceField(choices=ReportType.choices, required=False)
    secrecy = serializers.ChoiceField(choices=Secrecy.choices, required=False)
    release_mode = serializers.ChoiceField(choices=ReleaseMode.choices, required=False)
    delay_months = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=1200)
    abstract = serializers.CharField(max_length=SUMMARY_MAX_LENGTH, required=False)
    keywords = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                     help_text="Separated by commas.")
    file = serializers.FileField(required=False, help_text="The report as a PDF (multipart/form-data).")
    achievements = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=DB_ID_MAX), required=False, max_length=200,
        help_text="Ids of the unit's achievements the project produced (replaces the stored list).",
    )
    ip_items = IPRowSerializer(many=True, required=False, help_text="Replaces the stored rows (JSON only).")

    def validate_achievements(self, value: list[int]) -> list[Achievement]:
        found = {a.pk: a for a in Achievement.objects.filter(pk__in=value)}
        missing = [pk for pk in value if pk not in found]
        if missing:
            raise serializers.ValidationError(_("No achievement has the id %(ids)s.") % {
                "ids": ", ".join(map(str, missing))})
        return [found[pk] for pk in dict.fromkeys(value)]


@extend_schema_serializer(component_name="SciReportCreate")
class ReportCreateSerializer(ReportInputSerializer):
    project = serializers.IntegerField(min_value=1, max_value=DB_ID_MAX, help_text="Id of the funded project.")


def _split(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    return {
        "upload": data.pop("file", None),
        "achievements": data.pop("achievements", None),
        "ip_items": data.pop("ip_items", None),
        "data": data,
    }


def _detail(request: Request, pk: int) -> dict[str, Any]:
    report = selectors.report_get(user=request.user, pk=pk)
    return dict(ReportOutputSerializer(report, context={"request": request}).data)


class ReportListApi(APIView):
    """Reports you may read: the public ones, and your units' (`mine=true`: only those); the commission reads all."""

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=200)
        report_type = serializers.ChoiceField(choices=ReportType.choices, required=False)
        programme = serializers.CharField(required=False, max_length=64)
        status = serializers.ChoiceField(choices=ReportStatus.choices, required=False)
        mine = serializers.BooleanField(required=False, default=False)

    @extend_schema(operation_id="sci_reports_list", parameters=[FilterSerializer],
                   responses={200: ReportListOutputSerializer(many=True)}, tags=TAGS)
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated_response(
            queryset=selectors.report_list(user=request.user, filters=filters.validated_data),
            serializer_class=ReportListOutputSerializer, request=request, view=self,
        )


class ReportCreateApi(APIView):
    """Write a new report (a draft) of a funded project of your unit."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="sci_reports_create", request=ReportCreateSerializer,
                   responses={201: ReportOutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def post(self, request: Request) -> Response:
        serializer = ReportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        project = FundedProject.objects.filter(
            pk=data.pop("project"), organisation_id__in=perms.reporting_units(request.user)
        ).first()
        if project is None:
            raise PermissionDenied(NO_UNIT)
        parts = _split(data)
        report = services.report_create(
            by=request.user, project=project, data=parts["data"], upload=parts["upload"],
            achievements=parts["achievements"] or [], ip_items=parts["ip_items"] or [],
        )
        return Response(_detail(request, report.pk), status=status.HTTP_201_CREATED)


class ReportDetailApi(APIView):
    """One report (its public part for the public), with its history and the steps you may take."""

    @extend_schema(operation_id="sci_reports_retrieve", responses={200: ReportOutputSerializer, 404: NOT_FOUND},
                   tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, pk))


class ReportUpdateApi(APIView):
    """Change a draft or a returned report; `achievements` and `ip_items`, when sent, replace the stored ones."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="sci_reports_partial_update", request=ReportInputSerializer,
                   responses={200: ReportOutputSerializer, **WRITE_ERRORS}, tags=TAGS)
    def patch(self, request: Request, pk: int) -> Response:
        report = selectors.report_get(user=request.user, pk=pk)
        if not perms.is_insider(request.user, report):
            raise Http404("No such report")  # the public reads a public report but learns nothing from a write
        serializer = ReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.report_update(report=report, by=request.user, **_split(serializer.validated_data))
        return Response(_detail(request, pk))


@extend_schema_serializer(component_name="SciReportCoverageRow")
class CoverageRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The unit's id, or the programme's code.")
    label = serializers.CharField()
    all = serializers.IntegerField(help_text="Funded projects.")
    finished = serializers.IntegerField(help_text="Funded projects whose period has ended.")
    in_scope = serializers.IntegerField(help_text="Projects counted below (finished ones, or all with scope=all).")
    accepted = serializers.IntegerField(help_text="With an accepted report.")
    submitted = serializers.IntegerField(help_text="With a submitted report waiting for acceptance.")
    missing = serializers.IntegerField(help_text="Without a submitted or accepted report.")
    last_reminded = serializers.DateTimeField(allow_null=True)


@extend_schema_serializer(component_name="SciReportCoverage")
class CoverageSerializer(serializers.Serializer):
    ended_only = serializers.BooleanField()
    units = CoverageRowSerializer(many=True)
    programmes = CoverageRowSerializer(many=True)


class CoverageApi(APIView):
    """The commission's coverage of funded projects by S&T reports, per unit and per programme (scope=all
    counts every project, not only finished ones)."""

    permission_classes = [permissions.IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        scope = serializers.ChoiceField(choices=[("finished", "finished"), ("all", "all")], required=False,
                                        default="finished")

    @extend_schema(operation_id="sci_reports_coverage", parameters=[FilterSerializer],
                   responses={200: CoverageSerializer, 401: NOT_AUTHENTICATED, 403: FORBIDDEN}, tags=TAGS)
    def get(self, request: Request) -> Response:
        if not is_commission_admin(request.user):
            raise PermissionDenied(perms.NOT_AN_ADMIN)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        ended_only = filters.validated_data["scope"] != "all"
        data = {
            "ended_only": ended_only,
            "units": selectors.coverage_by_unit(ended_only=ended_only),
            "programmes": selectors.coverage_by_programme(ended_only=ended_only),
        }
        return Response(CoverageSerializer(data).data)


def _step_detail(request: Request, pk: int, result: ScienceReport) -> dict[str, Any]:
    try:
        return _detail(request, pk)
    except Http404:
        return dict(ReportOutputSerializer(result, context={"request": request}).data)


STEP_ROUTES = step_api_routes(
    REPORT_FLOW,
    detail=_step_detail,
    resource="sci-reports",
    operation_prefix="sci_reports",
    component_prefix="SciReport",
    response=ReportOutputSerializer,
    tags=TAGS,
    input_help={"return": "What the unit must correct; shown to the unit."},
)
