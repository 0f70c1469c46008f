"""Importing registrations made elsewhere (数据交换): registrars of a point and commission administrators upload
a file of the statistics exchange format; the import runs as a job and reports every bad row."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from techtransfer.accounts.abuse import submit_once
from techtransfer.accounts.choices import OrgType
from techtransfer.accounts.models import Organisation
from techtransfer.accounts.permissions import is_commission_admin
from techtransfer.contracts.forms import ImportForm
from techtransfer.contracts.importing import ContractFormat, contract_import_queue
from techtransfer.contracts.permissions import registrar_points
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.imports import batches_for
from techtransfer.core.models import ImportBatch
from techtransfer.core.views import apply_service_errors, import_batch_response


def _points(request: HttpRequest) -> QuerySet[Organisation]:
    points = Organisation.objects.filter(org_type=OrgType.CONTRACT_REGISTRY, is_verified=True).order_by("name")
    return points if is_commission_admin(request.user) else points.filter(pk__in=registrar_points(request.user))


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    points = _points(request)
    if not points:
        raise PermissionDenied(_("Only the registrars of a registration point and the commission import contracts."))
    form = ImportForm(request.POST or None, request.FILES or None, points=points, initial={"point": points[0]})

    def page() -> HttpResponse:
        recent = batches_for(points, kind=ContractFormat.kind)[:10]
        return render(request, "contracts/import.html", {"form": form, "recent": recent})

    def queue() -> HttpResponse:
        upload = form.cleaned_data["file"]
        try:
            batch = contract_import_queue(
                by=request.user, point=form.cleaned_data["point"], file=upload, file_name=upload.name,
                mode=form.cleaned_data["mode"],
            )
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("contracts:import_batch", pk=batch.pk)
        return page()

    if request.method == "POST" and form.is_valid():
        return submit_once(request, form, queue)
    return page()


@login_required
def import_batch(request: HttpRequest, pk: int) -> HttpResponse:
    """What one import did: counts, and every bad row with its row number, column and reason."""
    batch = get_object_or_404(ImportBatch.objects.select_related("by"), pk=pk, kind=ContractFormat.kind)
    mine = {str(point_pk) for point_pk in registrar_points(request.user)}
    if not (batch.by_id == request.user.pk or batch.scope_id in mine or is_commission_admin(request.user)):
        raise Http404("No such import")
    context = {
        "batch": batch, "errors": batch.errors or [], "format_label": ContractFormat.label,
        "records_url": f"{reverse('contracts:list')}?status=registered", "records_label": _("See the contracts"),
        "again_url": reverse("contracts:import"),
    }
    return import_batch_response(request, context)
