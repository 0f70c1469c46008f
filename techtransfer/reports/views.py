"""Server-rendered pages of the annual transformation report: the unit's list and report, the department's queue,
the commission's overview, exports and deadline settings. Thin: reads through the selectors, writes through the
services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techtransfer.accounts.models import Organisation
from techtransfer.accounts.permissions import is_commission_admin
from techtransfer.core.attachment_views import AttachmentRoutes
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.views import apply_service_errors, flash_refusal
from techtransfer.reports import exports, permissions, rules, selectors, services
from techtransfer.reports.choices import EDITABLE_STATUSES, AttachmentKind
from techtransfer.reports.figures import BY_KEY, DERIVED, FIGURES, MODE_LABELS, PART_TITLES
from techtransfer.reports.forms import (
    FiguresForm,
    NarrativeForm,
    ReportingUnitForm,
    ReportingYearForm,
    StartForm,
)
from techtransfer.reports.models import AnnualReport, ReportAttachment, ReportingUnitExtra, ReportingYear
from techtransfer.reports.workflows import REPORT_FLOW

ATTACHMENTS = AttachmentRoutes(
    get_record=selectors.report_get, model=ReportAttachment, record_field="report",
    add=services.attachment_add, remove=services.attachment_remove, detail="reports:detail", kinds=AttachmentKind,
)


def source_text(source: dict[str, Any] | None) -> str:
    """Where a prefilled figure comes from, e.g. "3 deals, see the project list"."""
    if not source:
        return ""
    kind, n = source.get("kind"), source.get("n")
    count = int(n or 0)
    if kind == "deals":
        return ngettext("%(n)s deal, see the project list", "%(n)s deals, see the project list", count) % {"n": n}
    if kind == "contracts":
        return ngettext(
            "%(n)s registered technology contract", "%(n)s registered technology contracts", count
        ) % {"n": n}
    if kind == "achievements":
        return ngettext(
            "%(n)s registered achievement (classified ones excluded)",
            "%(n)s registered achievements (classified ones excluded)", count,
        ) % {"n": n}
    if kind == "rewards":
        return _("reward payments recorded in the income distribution")
    if kind == "mobility":
        return ngettext(
            "%(n)s record of part-time work or leave", "%(n)s records of part-time work or leave", count
        ) % {"n": n}
    return _("entered by the unit")


def figure_rows(report: AnnualReport) -> dict[int, list[dict[str, Any]]]:
    """The figures by part, each with the platform's value, the value that counts and its source."""
    parts: dict[int, list[dict[str, Any]]] = {2: [], 3: [], 4: [], 5: []}
    for figure in FIGURES:
        parts[figure.part].append(
            {
                "key": figure.key,
                "label": figure.text,
                "kind": figure.kind,
                "prefilled": report.prefilled.get(figure.key),
                "value": report.figure(figure.key),
                "changed": figure.key in report.overrides,
                "source": source_text(report.sources.get(figure.key)),
                "link": (report.sources.get(figure.key) or {}).get("kind") == "deals",
                "derived": figure.key in DERIVED,
            }
        )
    return parts


def _default_year() -> int:
    return timezone.localdate().year - 1


def _year_param(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return _default_year()
    return year if 2015 <= year <= 2100 else _default_year()


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    units = permissions.reporting_for(request.user)
    year = _default_year()
    start_form = StartForm(organisations=units, initial={"year": year}) if units.exists() else None
    return render(
        request,
        "reports/list.html",
        {
            "reports": selectors.report_list(user=request.user),
            "start_form": start_form,
            "works_queue": permissions.works_queue(request.user),
            "is_commission": is_commission_admin(request.user),
            "deadlines": _deadlines_or_none(year),
            "year": year,
        },
    )


def _deadlines_or_none(year: int) -> rules.Deadlines | None:
    try:
        return rules.deadlines_for(year)
    except ApplicationError:
        return None


@login_required
@require_POST
def report_start(request: HttpRequest) -> HttpResponse:
    units = permissions.reporting_for(request.user)
    if not units.exists():
        raise PermissionDenied(_("Only members of a reporting unit can start its report."))
    form = StartForm(request.POST, organisations=units)
    if form.is_valid():
        org, year = form.cleaned_data["organisation"], form.cleaned_data["year"]
        existing = AnnualReport.objects.filter(organisation=org, year=year).first()
        if existing:
            return redirect("reports:detail", pk=existing.pk)
        try:
            report = services.report_create(by=request.user, organisation=org, year=year)
        except ValidationError as exc:
            flash_refusal(request, exc)
        else:
            messages.success(request, _("The report is started with the figures the platform knows."))
            return redirect("reports:detail", pk=report.pk)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("reports:list")


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(user=request.user, pk=pk)
    is_unit = permissions.UNIT.check(request.user, report)
    editable = is_unit and report.status in EDITABLE_STATUSES
    history = REPORT_FLOW.history_of(report)
    mode_labels = {k: str(v) for k, v in MODE_LABELS.items()}
    projects = [{**p, "mode_label": mode_labels.get(p["mode"], p["mode"])} for p in report.projects]
    english = (get_language() or "").startswith("en")
    by_source = [
        {"label": (row.get("label_en") if english else "") or row.get("label_zh", ""), "count": row["count"]}
        for row in report.achievements_by_source
    ]
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "parts": figure_rows(report),
            "part_titles": PART_TITLES,
            "projects": projects,
            "by_source": by_source,
            "attachments": report.attachments.all(),
            "attachment_form": ATTACHMENTS.form() if editable else None,
            "can_edit": editable,
            "history": history,
            "last_return": next((h for h in reversed(list(history)) if h.step == "return"), None),
            "deadlines": _deadlines_or_none(report.year),
            "changed_count": len(report.overrides),
        },
    )


def _editable(request: HttpRequest, pk: int) -> AnnualReport:
    report = selectors.report_get(user=request.user, pk=pk)
    if not permissions.UNIT.check(request.user, report) or report.status not in EDITABLE_STATUSES:
        raise PermissionDenied(_("Only the unit changes its report, while it is a draft or returned."))
    return report


@login_required
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _editable(request, pk)
    data = request.POST if request.method == "POST" else None
    narrative = NarrativeForm(data, instance=report)
    figures = FiguresForm(data, report=report)
    if request.method == "POST" and narrative.is_valid() and figures.is_valid():
        try:
            services.report_update(
                report=report, by=request.user, data=narrative.cleaned_data, overrides=figures.overrides()
            )
        except ValidationError as exc:
            prefixed = ValidationError(
                {(f"fig_{k}" if k in BY_KEY else k): v for k, v in exc.message_dict.items()}
            )
            apply_service_errors(prefixed, figures)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("reports:detail", pk=pk)
    groups = {
        part: [figures[f"fig_{f.key}"] for f in FIGURES if f.part == part and f"fig_{f.key}" in figures.fields]
        for part in (2, 3, 4, 5)
    }
    return render(
        request, "reports/edit.html",
        {"report": report, "form": narrative, "figures": figures, "groups": groups, "part_titles": PART_TITLES},
    )


@login_required
@require_POST
def report_prefill(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(user=request.user, pk=pk)
    try:
        services.report_prefill(report=report, by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The figures were read again from the platform; your corrections are kept."))
    return redirect("reports:detail", pk=pk)


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    if not permissions.works_queue(request.user):
        raise PermissionDenied(_("Only the reviewers of a supervising department review annual reports."))
    return render(request, "reports/queue.html", {"reports": selectors.review_queue(user=request.user)})


def _require_commission(request: HttpRequest) -> None:
    if not is_commission_admin(request.user):
        raise PermissionDenied(str(permissions.COMMISSION_ONLY))


def chart_data(data: selectors.Overview) -> dict[str, Any]:
    """What the overview's bar chart draws (json_script): amounts by mode in 万元, both report sets."""
    modes = list(MODE_LABELS)
    return {
        "categories": [str(MODE_LABELS[m]) for m in modes],
        "series": [
            {"name": _("Submitted to the commission"),
             "values": [float(data.forwarded.values[f"{m}_amount"] / 10_000) for m in modes]},
            {"name": _("All reports handed in"),
             "values": [float(data.handed_in.values[f"{m}_amount"] / 10_000) for m in modes]},
        ],
        "unit": _("10,000 元"),
    }


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    _require_commission(request)
    year = _year_param(request)
    try:
        data = selectors.overview(year=year)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("reports:years")
    indicator_rows = [
        {"label": label, "forwarded": data.forwarded.values[key], "handed_in": data.handed_in.values[key],
         "money": key.endswith(("amount", "turnover", "value"))}
        for key, label in exports.indicator_labels()
    ]
    return render(
        request, "reports/overview.html",
        {"data": data, "year": year, "indicator_rows": indicator_rows, "chart": chart_data(data),
         "years": range(timezone.localdate().year - 1, 2014, -1)},
    )


@login_required
def overview_xlsx(request: HttpRequest) -> HttpResponse:
    _require_commission(request)
    year = _year_param(request)
    body = exports.overview_xlsx(selectors.overview(year=year))
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="annual-reports-{year}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def overview_pdf(request: HttpRequest) -> HttpResponse:
    _require_commission(request)
    year = _year_param(request)
    body = exports.overview_pdf(selectors.overview(year=year))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="annual-reports-{year}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def years(request: HttpRequest) -> HttpResponse:
    """The commission's settings: each reporting year's deadlines and reminders, and the additional reporting
    units (new-type R&D institutions with public-institution status)."""
    _require_commission(request)
    year_form = ReportingYearForm(request.POST if request.POST.get("form") == "year" else None)
    candidates = Organisation.objects.filter(is_verified=True).exclude(
        org_type__in=permissions.REPORTING_TYPES
    ).exclude(reporting_extra__isnull=False).order_by("name")
    unit_form = ReportingUnitForm(request.POST if request.POST.get("form") == "unit" else None,
                                  organisations=candidates)
    if request.method == "POST":
        if year_form.is_bound and year_form.is_valid():
            try:
                services.reporting_year_save(by=request.user, **year_form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(exc, year_form)
            else:
                messages.success(request, _("The deadlines are saved."))
                return redirect("reports:years")
        elif unit_form.is_bound and unit_form.is_valid():
            try:
                services.reporting_unit_add(by=request.user, **unit_form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(exc, unit_form)
            else:
                messages.success(request, _("The organisation now reports."))
                return redirect("reports:years")
    next_year = _default_year()
    return render(
        request, "reports/years.html",
        {
            "rows": ReportingYear.objects.all(),
            "default": _deadlines_or_none(next_year),
            "default_year": next_year,
            "year_form": year_form,
            "unit_form": unit_form,
            "extras": ReportingUnitExtra.objects.select_related("organisation"),
        },
    )


@login_required
@require_POST
def reporting_unit_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _require_commission(request)
    extra = get_object_or_404(ReportingUnitExtra, pk=pk)
    services.reporting_unit_remove(by=request.user, extra=extra)
    messages.success(request, _("The organisation no longer reports."))
    return redirect("reports:years")
