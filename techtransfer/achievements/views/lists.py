"""Lists around achievements: the workspace dashboard, my list with export, the review queue, imports and
the funded projects that still owe a record."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from techtransfer.accounts.abuse import submit_once
from techtransfer.accounts.models import Organisation
from techtransfer.accounts.permissions import (
    EDITOR_ROLES,
    editable_organisations,
    is_commission_admin,
    is_moderator,
    org_ids,
)
from techtransfer.achievements import selectors
from techtransfer.achievements.choices import AchievementType, Status
from techtransfer.achievements.exporting import (
    achievements_listed,
    export_downloadable,
    export_queue,
)
from techtransfer.achievements.filters import AchievementFilterSet
from techtransfer.achievements.forms import FundedImportForm, ImportForm
from techtransfer.achievements.funded import (
    OwingUnit,
    funded_projects_export,
    funded_projects_owing,
    funded_projects_owing_queryset,
)
from techtransfer.achievements.importing import AchievementFormat, achievement_import_template
from techtransfer.achievements.models import Achievement
from techtransfer.achievements.tasks import achievement_import_queue, funded_import_queue
from techtransfer.achievements.views.common import apply_service_errors
from techtransfer.core.downloads import protected_file_response
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.imports import batches_for, import_format
from techtransfer.core.models import CodeItem, ExportFile, ImportBatch
from techtransfer.core.views import SPREADSHEET_TYPES, import_batch_response, spreadsheet_download, spreadsheet_format

PAGE_SIZE = 25


def _status_counts(queryset: QuerySet[Achievement]) -> list[dict[str, Any]]:
    counts = dict(queryset.order_by().values_list("status").annotate(n=Count("id")))
    return [{"status": value, "label": label, "count": counts.get(value, 0)} for value, label in Status.choices]


def _owing(organisation: Organisation) -> OwingUnit:
    """The funded projects of one unit whose period has ended and that still have no achievement record."""
    return funded_projects_owing(organisation=organisation)[0]


def workspace_context(user: Any) -> dict[str, Any]:
    """The achievements part of the workbench: my units' records, the review queue, totals for the commission."""
    units = []
    for organisation in editable_organisations(user):
        records = selectors.achievement_list_for_org(organisation_id=organisation.pk)
        owing = _owing(organisation)
        units.append({
            "organisation": organisation,
            "counts": _status_counts(records),
            "total": records.count(),
            "recent": records.order_by("-updated")[:5],
            "owing": owing.projects[:5],
            "owing_count": owing.count,
        })
    context: dict[str, Any] = {"units": units, "reviewer": is_moderator(user), "admin": is_commission_admin(user)}
    if context["reviewer"]:
        queue = selectors.achievement_review_queue(user=user)
        context["queue"] = queue[:10]
        context["queue_count"] = queue.count()
    if context["admin"]:
        everything = Achievement.objects.all()
        context["totals"] = _status_counts(everything)
        context["grand_total"] = everything.count()
    return context


def _list_queryset(request: HttpRequest) -> tuple[AchievementFilterSet, QuerySet[Achievement]]:
    """My list: the records of my units (reviewers and the commission: every record they may see)."""
    return achievements_listed(user=request.user, params=request.GET)


def _filter_choices() -> dict[str, Any]:
    def items(key: str) -> QuerySet[CodeItem]:
        return CodeItem.objects.current(key).order_by("sort_order", "code")

    return {
        "statuses": Status.choices,
        "types": AchievementType.choices,
        "fields": items("high_tech_field"),
        "stages": items("stage"),
        "districts": items("region").filter(code__startswith="11").exclude(code="110000"),
        "modes": items("transfer_mode"),
    }


@login_required
def achievement_list(request: HttpRequest) -> HttpResponse:
    filterset, queryset = _list_queryset(request)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "achievements/list.html",
        {
            "filterset": filterset,
            "page": page,
            "query": query.urlencode(),
            "selected": {key: request.GET.getlist(key) for key in request.GET},
            "can_create": editable_organisations(request.user).exists(),
            **_filter_choices(),
        },
    )


@login_required
@require_POST
def achievement_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The list as it is filtered (the query string), with the columns it shows, as XLSX or CSV: written by a
    background job; the export's page follows its progress and offers the file."""
    export = export_queue(user=request.user, params=request.GET, fmt=spreadsheet_format(fmt))
    return redirect("achievements:export_status", pk=export.pk)


def _export_of(request: HttpRequest, pk: int) -> ExportFile:
    export = get_object_or_404(ExportFile, pk=pk, kind="achievement_list")
    if not export_downloadable(user=request.user, export=export):
        raise Http404("No such export")  # others' exports do not exist for you
    return export


@login_required
@require_GET
def export_status(request: HttpRequest, pk: int) -> HttpResponse:
    """An export's progress (htmx polls the fragment every second), then its download link."""
    export = _export_of(request, pk)
    context = {"export": export}
    if request.headers.get("HX-Request"):
        response = render(request, "achievements/_export_progress.html", context)
        if export.finished:
            response["HX-Refresh"] = "true"  # the whole page, with the link or the failure
        return response
    return render(request, "achievements/export.html", context)


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    export = _export_of(request, pk)
    return protected_file_response(
        request, export.file if export.status == "done" else None, filename=export.file_name,
        content_type=SPREADSHEET_TYPES[export.fmt],
    )


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    if not is_moderator(request.user):
        raise PermissionDenied(_("The review queue is for reviewers of a registration body."))
    queue = selectors.achievement_review_queue(user=request.user).select_related("owner")
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "achievements/review_queue.html", {"page": page})


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    organisations = editable_organisations(request.user)
    if not organisations:
        raise PermissionDenied(_("Only members of a registering unit can import achievements."))
    form = ImportForm(
        request.POST or None, request.FILES or None, organisations=organisations, initial={"owner": organisations[0]}
    )

    def page() -> HttpResponse:
        recent = batches_for(organisations, kind=AchievementFormat.kind)[:10]
        return render(
            request,
            "achievements/import.html",
            {"form": form, "single_owner": len(organisations) == 1, "recent": recent},
        )

    def queue() -> HttpResponse:
        upload = form.cleaned_data["file"]
        try:
            batch = achievement_import_queue(
                by=request.user, owner=form.cleaned_data["owner"], file=upload, file_name=upload.name,
                mode=form.cleaned_data["mode"],
            )
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("achievements:import_batch", pk=batch.pk)
        return page()

    if request.method == "POST" and form.is_valid():
        # Once per form token: an upload sent twice queues one import (accounts.abuse.submit_once).
        return submit_once(request, form, queue)
    return page()


@login_required
@require_GET
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    return spreadsheet_download(achievement_import_template, fmt, name="achievement-import-template")


@login_required
def import_batch(request: HttpRequest, pk: int) -> HttpResponse:
    """What one import did: counts, and every bad row with its row number, field and reason."""
    batch = get_object_or_404(ImportBatch.objects.select_related("by"), pk=pk)
    into_my_unit = batch.scope_type == Organisation._meta.label_lower and batch.scope_id in {
        str(pk) for pk in org_ids(request.user, EDITOR_ROLES)
    }
    if not (batch.by_id == request.user.pk or into_my_unit or is_commission_admin(request.user)):
        raise Http404("No such import")
    fmt = import_format(batch.kind)
    if batch.kind == AchievementFormat.kind:
        records = (f"{reverse('achievements:list')}?owner={batch.scope_id}&status=draft", _("See the imported drafts"))
        again = reverse("achievements:import")
    else:
        records = (reverse("achievements:funded"), _("Funded projects owing an achievement record"))
        again = reverse("achievements:funded_import")
    context = {
        "batch": batch, "errors": batch.errors or [], "format_label": fmt.label if fmt else batch.kind,
        "records_url": records[0], "records_label": records[1], "again_url": again,
    }
    return import_batch_response(request, context)


@login_required
def funded_import(request: HttpRequest) -> HttpResponse:
    """Commission administrators load a programme's list of funded projects; the result page reports every row."""
    if not is_commission_admin(request.user):
        raise PermissionDenied(_("Only commission administrators import funded-project lists."))
    form = FundedImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = funded_import_queue(
                by=request.user, file=upload, file_name=upload.name, programme_code=form.cleaned_data["programme"].code,
                mode=form.cleaned_data["mode"],
            )
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            return redirect("achievements:import_batch", pk=batch.pk)
    recent = ImportBatch.objects.filter(kind="funded_projects")[:10]
    return render(request, "achievements/funded_import.html", {"form": form, "recent": recent})


@login_required
def funded_owing(request: HttpRequest) -> HttpResponse:
    """Funded projects that still owe an achievement record (R1.1): the list for my units, and for the
    commission the count per unit, including hosts that are not on the platform yet."""
    organisations = editable_organisations(request.user)
    admin = is_commission_admin(request.user)
    if not organisations and not admin:
        raise PermissionDenied(_("This list is for registering units and the commission."))
    context: dict[str, Any] = {"units": [_owing(organisation) for organisation in organisations], "admin": admin}
    if admin:
        context["per_unit"] = funded_projects_owing(include_unlinked=True)
    return render(request, "achievements/funded.html", context)


@login_required
@require_GET
def funded_owing_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """One unit's owing projects as XLSX or CSV, for the unit itself and the commission."""
    spreadsheet_format(fmt)
    if pk not in org_ids(request.user, EDITOR_ROLES) and not is_commission_admin(request.user):
        raise Http404("No such unit")
    organisation = get_object_or_404(Organisation, pk=pk)
    owing = funded_projects_owing_queryset(organisation=organisation)
    return spreadsheet_download(lambda f: funded_projects_export(queryset=owing, fmt=f), fmt,
                                name=f"funded-projects-owing-{pk}")
