"""Pages of the transformation carriers: the public registry with search and facets, a carrier and its firms,
the forms, the operator's carriers, the review queue, the firms' import, and the incubation count against
the plan's target (with a chart)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from techtransfer.accounts.abuse import submit_once
from techtransfer.accounts.permissions import (
    EDITOR_ROLES,
    editable_organisations,
    is_commission_admin,
    is_moderator,
    org_ids,
)
from techtransfer.carriers import permissions as perms
from techtransfer.carriers import selectors, services
from techtransfer.carriers.choices import CarrierStatus, FirmStatus
from techtransfer.carriers.forms import (
    CarrierFilterForm,
    CarrierForm,
    FirmForm,
    FirmImportForm,
    IncubationForm,
    OwnerForm,
)
from techtransfer.carriers.importing import FirmFormat, firm_import_queue, firm_import_template
from techtransfer.carriers.models import Carrier
from techtransfer.carriers.workflows import CARRIER_FLOW
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.forms import error_summary
from techtransfer.core.imports import batches_for
from techtransfer.core.models import ImportBatch
from techtransfer.core.views import (
    apply_service_errors,
    check_with_service,
    import_batch_response,
    spreadsheet_download,
)

PAGE_SIZE = 20
FIRMS_PAGE_SIZE = 50
NO_ORGANISATION = gettext_lazy("Only the staff of the organisation that operates a carrier can register it.")
NOT_A_MODERATOR = gettext_lazy("The review queue is for the commission and the registration bodies' reviewers.")


def _query(params: dict[str, Any], **changes: Any) -> str:
    data = {**params, **changes}
    text = urlencode({k: str(v) for k, v in data.items() if v not in (None, "")})
    return f"?{text}" if text else ""


# --- the registry ---------------------------------------------------------------------------------------


@require_safe
def carrier_list(request: HttpRequest) -> HttpResponse:
    form = CarrierFilterForm(request.GET)
    params = form.params()
    carriers = selectors.carrier_list(user=request.user, filters=params)
    page = Paginator(carriers, PAGE_SIZE).get_page(request.GET.get("page"))
    titles = {"carrier_type": _("Carrier type"), "level": _("Recognition level"), "district": _("District")}
    groups = [
        {
            "name": name, "title": titles[name],
            "options": [
                {"label": f.label, "count": f.count, "active": params.get(name) == f.value,
                 "url": _query(params, **{name: None if params.get(name) == f.value else f.value})}
                for f in values
            ],
        }
        for name, values in selectors.carrier_facets(carriers).items()
    ]
    return render(request, "carriers/list.html", {
        "params": params, "page": page, "groups": groups, "page_query": _query(params)[1:],
        "can_create": bool(editable_organisations(request.user).exists()),
    })


@require_safe
def carrier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    carrier = selectors.carrier_get(user=request.user, pk=pk)
    status = request.GET.get("firm_status") if request.GET.get("firm_status") in FirmStatus.values else ""
    firms = selectors.firm_list(user=request.user, carrier=carrier, filters={"status": status})
    page = Paginator(firms, FIRMS_PAGE_SIZE).get_page(request.GET.get("page"))
    insider = perms.is_insider(request.user, carrier)
    context: dict[str, Any] = {
        "carrier": carrier, "page": page, "firm_status": status, "firm_statuses": FirmStatus.choices,
        "insider": insider, "manager": perms.can_manage(request.user, carrier),
        "firms_open": carrier.status != CarrierStatus.WITHDRAWN,
        "page_query": urlencode({"firm_status": status}) if status else "",
    }
    if insider:
        context["history"] = CARRIER_FLOW.history_of(carrier)
        if carrier.status == CarrierStatus.DRAFT:
            context["problems"] = [m for ms in services.submission_problems(carrier).values() for m in ms]
    return render(request, "carriers/detail.html", context)


def _form_page(request: HttpRequest, form: CarrierForm, *, carrier: Carrier | None,
               owner_form: OwnerForm | None = None) -> HttpResponse:
    return render(request, "carriers/form.html", {
        "form": form, "owner_form": owner_form, "carrier": carrier, "error_summary": error_summary(owner_form, form),
    })


def _check(form: CarrierForm, *, owner: Any, carrier: Carrier | None) -> bool:
    return check_with_service(form, lambda: services.carrier_validate(
        owner=owner, carrier=carrier, data=form.service_data(), fields=form.service_fields(),
    ))


@login_required
def carrier_new(request: HttpRequest) -> HttpResponse:
    organisations = editable_organisations(request.user)
    if not organisations:
        raise PermissionDenied(NO_ORGANISATION)
    data = request.POST if request.method == "POST" else None
    owner = organisations[0]
    owner_form = None
    if len(organisations) > 1:
        owner_form = OwnerForm(data, organisations=organisations, initial={"owner": owner})
        if owner_form.is_bound and owner_form.is_valid():
            owner = owner_form.cleaned_data["owner"]
    form = CarrierForm(data)
    owner_ok = owner_form is None or owner_form.is_valid()
    if request.method == "POST" and _check(form, owner=owner, carrier=None) and owner_ok:
        def create() -> HttpResponse:
            try:
                carrier = services.carrier_create(by=request.user, owner=owner, data=form.service_data(),
                                                  fields=form.service_fields())
            except ValidationError as exc:
                apply_service_errors(exc, form)
                return _form_page(request, form, carrier=None, owner_form=owner_form)
            messages.success(request, _("The carrier is saved as a draft. Submit it for review when it is complete."))
            return redirect("carriers:detail", pk=carrier.pk)

        return submit_once(request, form, create)
    return _form_page(request, form, carrier=None, owner_form=owner_form)


@login_required
def carrier_edit(request: HttpRequest, pk: int) -> HttpResponse:
    carrier = selectors.carrier_get(user=request.user, pk=pk)
    if not perms.can_manage(request.user, carrier):
        raise PermissionDenied(_("Only the staff of the operating organisation edit a carrier."))
    form = CarrierForm(request.POST if request.method == "POST" else None, instance=carrier)
    if request.method == "POST" and _check(form, owner=carrier.owner, carrier=carrier):
        try:
            services.carrier_update(carrier=carrier, by=request.user, data=form.service_data(),
                                    fields=form.service_fields())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("carriers:detail", pk=pk)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("carriers:detail", pk=pk)
    return _form_page(request, form, carrier=carrier)


@login_required
@require_safe
def carrier_mine(request: HttpRequest) -> HttpResponse:
    carriers = selectors.carrier_list_mine(user=request.user)
    page = Paginator(carriers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "carriers/mine.html", {"page": page, "can_create": bool(editable_organisations(
        request.user).exists())})


@login_required
@require_safe
def review_queue(request: HttpRequest) -> HttpResponse:
    if not is_moderator(request.user):
        raise PermissionDenied(NOT_A_MODERATOR)
    page = Paginator(selectors.carrier_review_queue(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "carriers/review_queue.html", {"page": page})


# --- firms ----------------------------------------------------------------------------------------------


def _managed_carrier(request: HttpRequest, pk: int) -> Carrier:
    carrier = selectors.carrier_get(user=request.user, pk=pk)
    if not perms.can_manage(request.user, carrier):
        raise PermissionDenied(_("Only the staff of the operating organisation manage the carrier's firms."))
    return carrier


def _firm_page(request: HttpRequest, form: FirmForm, carrier: Carrier, firm: Any = None) -> HttpResponse:
    return render(request, "carriers/firm_form.html", {
        "form": form, "carrier": carrier, "firm": firm, "error_summary": error_summary(form),
    })


@login_required
def firm_new(request: HttpRequest, pk: int) -> HttpResponse:
    carrier = _managed_carrier(request, pk)
    form = FirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and check_with_service(
        form, lambda: services.firm_validate(carrier=carrier, data=form.service_data())
    ):
        def create() -> HttpResponse:
            try:
                services.firm_create(carrier=carrier, by=request.user, data=form.service_data())
            except ValidationError as exc:
                apply_service_errors(exc, form)
                return _firm_page(request, form, carrier)
            except ApplicationError as exc:
                messages.error(request, exc.message)
                return redirect("carriers:detail", pk=pk)
            messages.success(request, _("The firm is added."))
            return redirect(reverse("carriers:detail", args=[pk]) + "#firms")

        return submit_once(request, form, create)
    return _firm_page(request, form, carrier)


@login_required
def firm_edit(request: HttpRequest, pk: int, firm_pk: int) -> HttpResponse:
    carrier = _managed_carrier(request, pk)
    firm = selectors.firm_get(user=request.user, pk=firm_pk, carrier_id=carrier.pk)
    form = FirmForm(request.POST if request.method == "POST" else None, instance=firm)
    if request.method == "POST" and check_with_service(
        form, lambda: services.firm_validate(carrier=carrier, firm=firm, data=form.service_data())
    ):
        try:
            services.firm_update(firm=firm, by=request.user, data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("carriers:detail", pk=pk)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(reverse("carriers:detail", args=[pk]) + "#firms")
    return _firm_page(request, form, carrier, firm)


@login_required
def firm_import(request: HttpRequest, pk: int) -> HttpResponse:
    carrier = _managed_carrier(request, pk)
    form = FirmImportForm(request.POST or None, request.FILES or None)

    def page() -> HttpResponse:
        recent = batches_for([carrier], kind=FirmFormat.kind)[:10]
        return render(request, "carriers/import.html", {"form": form, "carrier": carrier, "recent": recent})

    def queue() -> HttpResponse:
        upload = form.cleaned_data["file"]
        try:
            batch = firm_import_queue(by=request.user, carrier=carrier, file=upload, file_name=upload.name,
                                      mode=form.cleaned_data["mode"])
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except (ApplicationError, PermissionDenied) as exc:
            form.add_error("file", str(getattr(exc, "message", exc)))
        else:
            return redirect("carriers:import_batch", pk=batch.pk)
        return page()

    if request.method == "POST" and form.is_valid():
        return submit_once(request, form, queue)
    return page()


@login_required
@require_safe
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    return spreadsheet_download(firm_import_template, fmt, name="incubated-firms-template")


@login_required
@require_safe
def import_batch(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch.objects.select_related("by"), pk=pk, kind=FirmFormat.kind)
    carrier = Carrier.objects.filter(pk=batch.scope_id).first()
    mine = carrier is not None and carrier.owner_id in org_ids(request.user, EDITOR_ROLES)
    if not (batch.by_id == request.user.pk or mine or is_commission_admin(request.user)):
        raise Http404("No such import")
    context = {
        "batch": batch, "errors": batch.errors or [], "format_label": FirmFormat.label,
        "records_url": reverse("carriers:detail", args=[batch.scope_id]) + "#firms" if carrier else "",
        "records_label": _("See the carrier's firms"),
        "again_url": reverse("carriers:firm_import", args=[batch.scope_id]) if carrier else "",
    }
    return import_batch_response(request, context)


# --- the incubation count -----------------------------------------------------------------------------


def incubation_chart(count: selectors.IncubationCount) -> dict[str, Any]:
    """What the page's charts draw (static/carriers/incubation.js), from the figures the tables show."""
    def series(buckets: list[selectors.Bucket]) -> dict[str, Any]:
        return {"labels": [b.label for b in buckets], "counts": [b.count for b in buckets]}

    return {
        "total": count.total,
        "target": count.target,
        "names": {"total": _("Firms in incubation"), "target": _("Target")},
        "by_type": series(count.by_type),
        "by_level": series(count.by_level),
        "by_district": series(count.by_district),
    }


@require_safe
def incubation(request: HttpRequest) -> HttpResponse:
    """Firms in incubation on a date (today by default) against the plan's target, by type, level, district."""
    form = IncubationForm(request.GET)
    on = form.cleaned_data.get("on") if form.is_valid() else None
    count = selectors.incubation_count(on=on)
    return render(request, "carriers/incubation.html", {
        "form": form, "count": count, "chart": incubation_chart(count),
        "percent": round(count.share * 100, 1) if count.share is not None else None,
        "api_url": reverse("api:carriers-incubation") + (f"?on={count.on.isoformat()}" if on else ""),
    })
