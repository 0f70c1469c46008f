"""Pages of the IP services (S14): the list of IP records, a record, its form, fees and links, the unit's
records, the upcoming fees, the import, and the per-field IP analysis with its charts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from techtransfer.accounts.abuse import submit_once
from techtransfer.accounts.models import Organisation
from techtransfer.accounts.permissions import is_commission_admin, org_ids
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.imports import batches_for
from techtransfer.core.models import ImportBatch
from techtransfer.core.views import (
    apply_service_errors,
    check_with_service,
    flash_errors,
    import_batch_response,
    spreadsheet_download,
)
from techtransfer.ipr import permissions as perms
from techtransfer.ipr import selectors, services
from techtransfer.ipr.choices import FEE_WINDOW_DAYS
from techtransfer.ipr.forms import FeeForm, FeeWindowForm, FilterForm, ImportForm, IPRecordForm, OwnerForm
from techtransfer.ipr.importing import IPRecordFormat, ip_import_queue, ip_import_template
from techtransfer.ipr.models import FeeEvent, IPRecord
from techtransfer.ipr.workflows import IP_FLOW

PAGE_SIZE = 20
NOT_A_MANAGER = gettext_lazy("Only the TTO officers of a unit record and import its IP rights.")


def _managed(request: HttpRequest) -> Any:
    return Organisation.objects.filter(pk__in=perms.managed_units(request.user)).order_by("name")


def _query(params: dict[str, Any], **changes: Any) -> str:
    data = {**params, **changes}
    text = urlencode({k: str(v) for k, v in data.items() if v not in (None, "")})
    return f"?{text}" if text else ""


# --- the list -------------------------------------------------------------------------------------------


@require_safe
def ip_list(request: HttpRequest) -> HttpResponse:
    """IP records the visitor may read (the public ones, and a unit's own), with search and facets."""
    form = FilterForm(request.GET)
    params = form.params()
    records = selectors.ip_list(user=request.user, filters=params)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    facets = selectors.ip_facets(records)
    titles = {"ip_type": _("IP type"), "legal_status": _("Legal status"), "field": _("Technical field")}
    groups = [
        {
            "name": name,
            "title": titles[name],
            "options": [
                {"label": f.label, "count": f.count, "active": params.get(name) == f.value,
                 "url": _query(params, **{name: None if params.get(name) == f.value else f.value})}
                for f in values
            ],
        }
        for name, values in facets.items()
    ]
    return render(request, "ipr/list.html", {
        "form": form, "params": params, "page": page, "groups": groups,
        "page_query": _query(params), "can_create": bool(perms.managed_units(request.user)),
    })


# --- one record ------------------------------------------------------------------------------------------


@require_safe
def ip_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.ip_get(user=request.user, pk=pk)
    manager = perms.can_manage(request.user, record)
    context: dict[str, Any] = {
        "record": record,
        "manager": manager,
        "reads_private": perms.reads_private(request.user, record),
        "links": selectors.ip_links(user=request.user, record=record),
        "fees": selectors.fee_events(record=record),
        "fee_form": FeeForm() if manager else None,
    }
    if context["reads_private"]:
        context["history"] = IP_FLOW.history_of(record)
    return render(request, "ipr/detail.html", context)


def _form_page(request: HttpRequest, form: IPRecordForm, *, record: IPRecord | None,
               owner_form: OwnerForm | None = None) -> HttpResponse:
    from techtransfer.core.forms import error_summary

    return render(request, "ipr/form.html", {
        "form": form, "owner_form": owner_form, "record": record, "error_summary": error_summary(owner_form, form),
    })


def _check(request: HttpRequest, form: IPRecordForm, *, owner: Organisation, record: IPRecord | None) -> bool:
    """The form's checks and the service's on one submit, so every problem shows at its field."""
    return check_with_service(form, lambda: services.ip_validate(
        by=request.user, owner=owner, record=record, data=form.service_data(),
        holders=form.service_holders() or None, inventors=form.service_inventors(),
    ))


def _save_links(request: HttpRequest, record: IPRecord, form: IPRecordForm) -> None:
    services.ip_links_set(record=record, by=request.user, **form.service_links())


@login_required
def ip_new(request: HttpRequest) -> HttpResponse:
    organisations = _managed(request)
    if not organisations:
        raise PermissionDenied(NOT_A_MANAGER)
    data = request.POST if request.method == "POST" else None
    owner = organisations[0]
    owner_form = None
    if len(organisations) > 1:
        owner_form = OwnerForm(data, organisations=organisations, initial={"owner": owner})
        if owner_form.is_bound and owner_form.is_valid():
            owner = owner_form.cleaned_data["owner"]
    candidates = selectors.link_candidates(user=request.user, owner_ids=[o.pk for o in organisations])
    form = IPRecordForm(data, candidates=candidates, linked={})
    owner_ok = owner_form is None or owner_form.is_valid()
    if request.method == "POST" and _check(request, form, owner=owner, record=None) and owner_ok:
        return submit_once(request, form, lambda: _create(request, form, owner, owner_form))
    return _form_page(request, form, record=None, owner_form=owner_form)


def _create(request: HttpRequest, form: IPRecordForm, owner: Organisation, owner_form: Any) -> HttpResponse:
    try:
        with transaction.atomic():
            record = services.ip_create(
                by=request.user, owner=owner, data=form.service_data(), holders=form.service_holders() or None,
                inventors=form.service_inventors(),
            )
            _save_links(request, record, form)
    except ValidationError as exc:
        apply_service_errors(exc, form)
        return _form_page(request, form, record=None, owner_form=owner_form)
    messages.success(request, _("The IP record is saved as a draft. Make it public when it is complete."))
    return redirect("ipr:detail", pk=record.pk)


@login_required
def ip_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.ip_get(user=request.user, pk=pk)
    if not perms.can_manage(request.user, record):
        raise PermissionDenied(perms.NOT_THE_MANAGER)
    candidates = selectors.link_candidates(user=request.user, owner_ids=[record.owner_id])
    form = IPRecordForm(request.POST if request.method == "POST" else None, instance=record,
                        candidates=candidates, linked=selectors.linked_ids(record=record))
    if request.method == "POST" and _check(request, form, owner=record.owner, record=record):
        try:
            with transaction.atomic():
                services.ip_update(record=record, by=request.user, data=form.service_data(),
                                   holders=form.service_holders() or [record.owner],
                                   inventors=form.service_inventors())
                _save_links(request, record, form)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("ipr:detail", pk=pk)
    return _form_page(request, form, record=record)


@login_required
@require_POST
def fee_add(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.ip_get(user=request.user, pk=pk)
    form = FeeForm(request.POST)
    if form.is_valid():
        try:
            data = {name: form.cleaned_data[name] for name in services.FEE_FIELDS}
            services.fee_add(record=record, by=request.user, data=data)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("The fee is recorded."))
    else:
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label if field in form.fields else ''}: {error}")
    return redirect(reverse("ipr:detail", args=[pk]) + "#fees")


@login_required
@require_POST
def fee_pay(request: HttpRequest, pk: int) -> HttpResponse:
    readable = selectors.ip_list(user=request.user).values("pk")
    fee = get_object_or_404(FeeEvent.objects.filter(record__in=readable), pk=pk)
    try:
        services.fee_pay(fee=fee, by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("The payment is recorded."))
    return redirect(reverse("ipr:detail", args=[fee.record_id]) + "#fees")


# --- the unit's lists ---------------------------------------------------------------------------------


@login_required
@require_safe
def ip_mine(request: HttpRequest) -> HttpResponse:
    records = selectors.ip_list_mine(user=request.user)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "ipr/mine.html", {
        "page": page, "can_create": bool(perms.managed_units(request.user)), "member": bool(org_ids(request.user)),
    })


@login_required
@require_safe
def fees_due(request: HttpRequest) -> HttpResponse:
    """The unit's fees due within the window (90 days unless asked otherwise), overdue ones first."""
    if not org_ids(request.user):
        raise PermissionDenied(_("The fee list is for the units that hold IP records."))
    window = FeeWindowForm(request.GET)
    days = (window.cleaned_data.get("days") if window.is_valid() else None) or FEE_WINDOW_DAYS
    records = selectors.ip_fees_due(user=request.user, days=days)
    return render(request, "ipr/fees.html", {"records": records, "days": days, "window": window})


# --- import --------------------------------------------------------------------------------------------


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    organisations = _managed(request)
    if not organisations:
        raise PermissionDenied(NOT_A_MANAGER)
    form = ImportForm(request.POST or None, request.FILES or None, organisations=organisations,
                      initial={"owner": organisations[0]})

    def page() -> HttpResponse:
        recent = batches_for(organisations, kind=IPRecordFormat.kind)[:10]
        return render(request, "ipr/import.html", {"form": form, "recent": recent})

    def queue() -> HttpResponse:
        upload = form.cleaned_data["file"]
        try:
            batch = ip_import_queue(
                by=request.user, owner=form.cleaned_data["owner"], file=upload, file_name=upload.name,
                mode=form.cleaned_data["mode"], publish=form.cleaned_data["publish"],
            )
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("ipr:import_batch", pk=batch.pk)
        return page()

    if request.method == "POST" and form.is_valid():
        return submit_once(request, form, queue)
    return page()


@login_required
@require_safe
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    return spreadsheet_download(ip_import_template, fmt, name="ip-import-template")


@login_required
@require_safe
def import_batch(request: HttpRequest, pk: int) -> HttpResponse:
    """What one import did: counts, and every bad row with its row number, column and reason."""
    batch = get_object_or_404(ImportBatch.objects.select_related("by"), pk=pk, kind=IPRecordFormat.kind)
    mine = {str(unit) for unit in perms.managed_units(request.user)}
    if not (batch.by_id == request.user.pk or batch.scope_id in mine or is_commission_admin(request.user)):
        raise Http404("No such import")
    context = {
        "batch": batch, "errors": batch.errors or [], "format_label": IPRecordFormat.label,
        "records_url": reverse("ipr:mine"), "records_label": _("See the unit's IP records"),
        "again_url": reverse("ipr:import"),
    }
    return import_batch_response(request, context)


# --- the analysis ---------------------------------------------------------------------------------------


def chart_data(analysis: selectors.IPAnalysis) -> dict[str, Any]:
    """What the page's charts draw (static/ipr/ip-analysis.js), from the same figures the tables show."""
    years = sorted({b.key for b in analysis.by_application_year} | {b.key for b in analysis.by_grant_year})
    applied = {b.key: b.count for b in analysis.by_application_year}
    granted = {b.key: b.count for b in analysis.by_grant_year}

    def series(buckets: list[selectors.Bucket]) -> dict[str, Any]:
        return {"labels": [b.label for b in buckets], "counts": [b.count for b in buckets]}

    return {
        "by_type": series([b for b in analysis.by_type if b.count]),
        "legal_status": series(analysis.by_legal_status),
        "top_holders": series(analysis.top_holders),
        "years": {
            "labels": years,
            "application": [applied.get(y, 0) for y in years],
            "grant": [granted.get(y, 0) for y in years],
            "names": [_("Applications"), _("Grants")],
        },
    }


@require_safe
def analysis(request: HttpRequest) -> HttpResponse:
    """The per-field IP analysis (public records): counts by type, holder, year and legal status, with charts."""
    form = FilterForm(request.GET)
    params = {k: v for k, v in form.params().items() if k in ("field", "ip_type", "year_from", "year_to")}
    figures = selectors.ip_analysis(filters=params)
    return render(request, "ipr/analysis.html", {
        "form": form, "params": params, "analysis": figures, "chart": chart_data(figures),
        "api_url": reverse("api:ip-analysis") + _query(params),
    })
