"""Pages of achievement packages (S6): the public list with its key field facets, a package, and for the
commission's editors the form, the achievements in it and the suggestions from the key field's demands."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.views import apply_service_errors, flash_errors, flash_refusal
from techtransfer.packages import permissions as perms
from techtransfer.packages import selectors, services
from techtransfer.packages.forms import FilterForm, PackageForm
from techtransfer.packages.workflows import PACKAGE_FLOW

PAGE_SIZE = 20


def _query(params: dict[str, Any], **changes: Any) -> str:
    data = {**params, **changes}
    text = urlencode({k: str(v) for k, v in data.items() if v not in (None, "")})
    return f"?{text}" if text else ""


@require_safe
def package_list(request: HttpRequest) -> HttpResponse:
    """Published packages (the commission's editors also see drafts), with search and the key field facet."""
    form = FilterForm(request.GET)
    params = form.params()
    packages = selectors.package_list(user=request.user, filters=params)
    page = Paginator(packages, PAGE_SIZE).get_page(request.GET.get("page"))
    unfaceted = {k: v for k, v in params.items() if k != "key_field"}
    facet_base = selectors.package_list(user=request.user, filters=unfaceted)
    options = [
        {"label": item.label, "count": n, "active": params.get("key_field") == item.code, "code": item.code,
         "url": _query(params, key_field=None if params.get("key_field") == item.code else item.code)}
        for item, n in selectors.package_facets(facet_base)
    ]
    return render(request, "packages/list.html", {
        "form": form, "params": params, "page": page, "options": options, "page_query": _query(params),
        "editor": perms.is_editor(request.user), "subscribed": selectors.subscribed_fields(user=request.user),
        "key_fields": selectors.key_fields(),
    })


@require_safe
def package_detail(request: HttpRequest, pk: int) -> HttpResponse:
    package = selectors.package_get(user=request.user, pk=pk)
    editor = perms.can_edit(request.user, package)
    context: dict[str, Any] = {
        "package": package, "editor": editor,
        "subscribed": package.key_field_id in selectors.subscribed_fields(user=request.user),
    }
    if editor:
        context["history"] = PACKAGE_FLOW.history_of(package)
    return render(request, "packages/detail.html", context)


def _form_page(request: HttpRequest, form: PackageForm, package: Any = None, **extra: Any) -> HttpResponse:
    from techtransfer.core.forms import error_summary

    return render(request, "packages/form.html", {
        "form": form, "package": package, "error_summary": error_summary(form), **extra,
    })


@login_required
def package_new(request: HttpRequest) -> HttpResponse:
    if not perms.is_editor(request.user):
        raise PermissionDenied(perms.NOT_AN_EDITOR)
    initial = {}
    code = request.GET.get("key_field")
    if code:
        initial["key_field"] = selectors.key_fields().filter(code=code).first()
    form = PackageForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            package = services.package_create(by=request.user, data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The package is saved as a draft. Now pick its achievements."))
            return redirect("packages:edit", pk=package.pk)
    return _form_page(request, form)


@login_required
def package_edit(request: HttpRequest, pk: int) -> HttpResponse:
    package = selectors.package_get(user=request.user, pk=pk)
    if not perms.can_edit(request.user, package):
        raise PermissionDenied(perms.NOT_AN_EDITOR)
    initial = {name: getattr(package, name) for name in services.FORM_FIELDS}
    form = PackageForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.package_update(package=package, by=request.user, data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            form.add_error("key_field", str(exc.message))
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("packages:edit", pk=pk)
    items = list(package.items.select_related("achievement").order_by("position", "id"))
    ids = [i.achievement_id for i in items]
    public = set(perms.public_achievements().filter(pk__in=ids).values_list("pk", flat=True))
    return _form_page(
        request, form, package,
        items=[(item, item.achievement_id in public) for item in items],
        suggestions=selectors.package_suggestions(package=package),
        demands=selectors.field_demands(package.key_field),
    )


def _editable(request: HttpRequest, pk: int) -> Any:
    package = selectors.package_get(user=request.user, pk=pk)
    if not perms.can_edit(request.user, package):
        raise PermissionDenied(perms.NOT_AN_EDITOR)
    return package


@login_required
@require_POST
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    """One click on a suggestion (or an achievement's number typed in): add it at the end."""
    package = _editable(request, pk)
    try:
        achievement_id = int(request.POST.get("achievement", ""))
    except ValueError:
        messages.error(request, _("Give the number of a published achievement."))
        return redirect("packages:edit", pk=pk)
    try:
        services.package_item_add(package=package, by=request.user, achievement_id=achievement_id,
                                  note=request.POST.get("note", "")[:services.NOTE_MAX])
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("The achievement is added to the package."))
    return redirect(reverse("packages:edit", args=[pk]) + "#items")


@login_required
@require_POST
def items_save(request: HttpRequest, pk: int) -> HttpResponse:
    """The order, notes and removals of the achievements in the package, saved at once."""
    package = _editable(request, pk)
    rows: list[tuple[float, int, str]] = []
    for item in package.items.order_by("position", "id"):
        prefix = f"item-{item.achievement_id}"
        if request.POST.get(f"{prefix}-remove"):
            continue
        try:
            position = float(request.POST.get(f"{prefix}-position", item.position))
        except ValueError:
            position = item.position
        rows.append((position, item.achievement_id, request.POST.get(f"{prefix}-note", item.note)))
    rows.sort(key=lambda row: row[0])
    try:
        services.package_items_set(package=package, by=request.user, items=[(pk_, note) for _p, pk_, note in rows])
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("The achievements of the package are saved."))
    return redirect(reverse("packages:edit", args=[pk]) + "#items")


@login_required
@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    """Subscribe to (or, with unsubscribe, leave) the packages of a key field."""
    item = selectors.key_fields().filter(code=request.POST.get("key_field", "")).first()
    if item is None:
        raise Http404("No such key field")
    try:
        if request.POST.get("unsubscribe"):
            services.key_field_unsubscribe(by=request.user, key_field=item)
            message = _("You will no longer hear of new packages of %(field)s.")
        else:
            services.key_field_subscribe(by=request.user, key_field=item)
            message = _("You will hear when a package of %(field)s is published.")
        messages.success(request, message % {"field": item.label})
    except (ValidationError, ApplicationError) as exc:
        flash_refusal(request, exc)
    back = request.POST.get("next") or reverse("packages:list")
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("packages:list")
    return redirect(back)
