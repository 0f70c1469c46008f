"""The unit's reports and form, the report's page (the public reads its public part), its file, the public list
and the commission's queue."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from techtransfer.accounts.abuse import submit_once
from techtransfer.accounts.permissions import is_commission_admin, org_ids
from techtransfer.achievements.choices import Status as AchievementStatus
from techtransfer.achievements.models import IPItem
from techtransfer.core.downloads import protected_file_response
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.forms import error_summary, formset_errors
from techtransfer.core.models import CodeItem
from techtransfer.core.views import apply_service_errors, flash_refusal
from techtransfer.scireports import permissions as perms
from techtransfer.scireports import selectors, services
from techtransfer.scireports.choices import ReportStatus, ReportType
from techtransfer.scireports.forms import IPFormSet, ReportForm, SearchForm, SharingForm, ip_rows
from techtransfer.scireports.models import ScienceReport
from techtransfer.scireports.workflows import REPORT_FLOW

PAGE_SIZE = 25
IP_PREFIX = "ip"


def _filters(request: HttpRequest) -> dict[str, Any]:
    form = SearchForm(request.GET)
    return form.cleaned_data if form.is_valid() else {}


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    """Accepted, unclassified, openly shared reports whose release date has come; anyone may read them."""
    filters = _filters(request)
    page = Paginator(selectors.report_public_list(filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    programmes = CodeItem.objects.current("project_source").order_by("sort_order", "code")
    context = {"page": page, "filters": filters, "types": ReportType.choices, "programmes": programmes}
    return render(request, "scireports/public_list.html", context)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The reports of my units and their funded projects that have no submitted or accepted report yet."""
    units = org_ids(request.user)
    if not units:
        raise PermissionDenied(_("This list is for the units of funded projects."))
    filters = {**_filters(request), "mine": True, "status": request.GET.get("status", "")}
    page = Paginator(selectors.report_list(user=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    projects = selectors.unit_projects(organisation_ids=units)
    context = {
        "page": page,
        "filters": filters,
        "statuses": ReportStatus.choices,
        "missing": [p for p in projects if not p.reported],
        "can_create": bool(perms.reporting_units(request.user)),
    }
    return render(request, "scireports/mine.html", context)


class ReportEditor:
    """The report form and its IP rows, bound and checked together."""

    def __init__(self, request: HttpRequest, *, report: ScienceReport | None) -> None:
        data = request.POST if request.method == "POST" else None
        files = request.FILES if request.method == "POST" else None
        initial: dict[str, Any] = {}
        if report is None and request.GET.get("project", "").isdigit():
            initial["project"] = int(request.GET["project"])
        self.form = ReportForm(
            data, files, instance=report or ScienceReport(), units=perms.reporting_units(request.user),
            with_project=report is None, initial=initial,
        )
        ip_initial = list(report.ip_items.values("kind", "number", "title")) if report else []
        self.ip = IPFormSet(data, prefix=IP_PREFIX, initial=ip_initial if data is None else None)
        self.ip_errors: list[str] = []

    def is_valid(self) -> bool:
        return all([self.form.is_valid(), self.ip.is_valid()])

    def apply_errors(self, exc: ValidationError) -> None:
        apply_service_errors(exc, self.form, {"ip_items": self.ip_errors})

    def context(self, report: ScienceReport | None) -> dict[str, Any]:
        title = _("IP rights")
        summary = error_summary(self.form) + formset_errors(self.ip, title, "#part-ip")
        summary += error_summary(parts=[(title, "#part-ip", self.ip_errors)])
        return {"form": self.form, "ip": self.ip, "ip_errors": self.ip_errors, "error_summary": summary,
                "report": report}

    def save(self, request: HttpRequest, report: ScienceReport | None) -> ScienceReport:
        data = self.form.cleaned_data
        kwargs = {
            "by": request.user, "data": self.form.service_data(), "upload": data.get("file") or None,
            "achievements": list(data.get("achievements") or []), "ip_items": ip_rows(self.ip),
        }
        if report is None:
            return services.report_create(project=data["project"], **kwargs)
        return services.report_update(report=report, **kwargs)


@login_required
def report_new(request: HttpRequest) -> HttpResponse:
    if not perms.reporting_units(request.user):
        raise PermissionDenied(_("Only members of a funded project's unit write its S&T reports."))
    editor = ReportEditor(request, report=None)
    if request.method == "POST" and editor.is_valid():
        return submit_once(request, editor.form, lambda: _create(request, editor))
    return render(request, "scireports/form.html", editor.context(None))


def _create(request: HttpRequest, editor: ReportEditor) -> HttpResponse:
    try:
        report = editor.save(request, None)
    except ValidationError as exc:
        editor.apply_errors(exc)
        return render(request, "scireports/form.html", editor.context(None))
    messages.success(request, _("The report is saved as a draft. Submit it when it is complete."))
    return redirect("scireports:detail", pk=report.pk)


@login_required
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(user=request.user, pk=pk)
    if not perms.can_edit(request.user, report):
        raise PermissionDenied(_("Only the unit changes the report, while it is a draft or returned."))
    editor = ReportEditor(request, report=report)
    if request.method == "POST" and editor.is_valid():
        try:
            editor.save(request, report)
        except ValidationError as exc:
            editor.apply_errors(exc)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("scireports:detail", pk=pk)
    return render(request, "scireports/form.html", editor.context(report))


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The report's page: its unit and the commission see all of it; the public only a public report's public part."""
    report = selectors.report_get(user=request.user, pk=pk)  # 404 for what the user may not read
    insider = perms.is_insider(request.user, report)
    achievements = list(report.achievements.all())
    if not insider:
        achievements = [a for a in achievements if a.status == AchievementStatus.PUBLISHED]
    history = list(REPORT_FLOW.history_of(report)) if insider else []
    context = {
        "report": report,
        "insider": insider,
        "public": perms.is_public(report),
        "achievements": achievements,
        "achievement_ip": IPItem.objects.filter(achievement__in=achievements).select_related("achievement"),
        "can_edit": perms.can_edit(request.user, report),
        "history": history,
        "last_return": next((h for h in reversed(history) if h.step == "return"), None),
        "sharing_form": SharingForm(initial={"sharing": report.sharing})
        if report.status == ReportStatus.ACCEPTED and perms.can_decide(request.user, report) else None,
    }
    return render(request, "scireports/detail.html", context)


@require_GET
def report_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The report's PDF, for whoever may read the report (its unit, the commission, the public once public)."""
    report = selectors.report_get(user=request.user, pk=pk)
    return protected_file_response(request, report.file, filename=report.original_name or f"{report.number}.pdf")


@login_required
@require_POST
def report_sharing(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(user=request.user, pk=pk)
    if not perms.can_decide(request.user, report):
        raise PermissionDenied(perms.NOT_THE_COMMISSION)
    form = SharingForm(request.POST)
    if form.is_valid():
        try:
            services.report_set_sharing(
                report=report, by=request.user, sharing=form.cleaned_data["sharing"],
                reason=form.cleaned_data["reason"],
            )
        except (ApplicationError, ValidationError) as exc:
            flash_refusal(request, exc)
        else:
            messages.success(request, _("The sharing status is recorded."))
    return redirect("scireports:detail", pk=pk)


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    if not is_commission_admin(request.user):
        raise PermissionDenied(perms.NOT_THE_COMMISSION)
    page = Paginator(selectors.report_decision_queue(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "scireports/queue.html", {"page": page})
