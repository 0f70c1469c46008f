"""Shared by the apps' server-rendered pages: a service's errors on a form or as messages, workflow steps, and
spreadsheet downloads and import reports.

A workflow step is a POST that calls one service and goes back to the record's page. The services decide;
their refusals (ValidationError: what is missing; ApplicationError: not in this state) become messages or
form errors, never an error page. PermissionDenied is left to Django's 403 page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.templatetags.workflow import STEP_ERROR_SESSION_KEY
from techtransfer.core.workflow import done_message, workflow


def error_messages(exc: ValidationError) -> dict[str, list[str]]:
    """A ValidationError as {field: messages}; one without fields is under "__all__"."""
    if hasattr(exc, "error_dict"):
        return {field: list(ValidationError(errors).messages) for field, errors in exc.error_dict.items()}
    return {"__all__": list(exc.messages)}


def apply_service_errors(
    exc: ValidationError, form: forms.BaseForm, part_errors: dict[str, list[str]] | None = None
) -> None:
    """Put a service's ValidationError on the form field it names; parts (units, IP items...) go to
    `part_errors`, shown above their table; anything else is a form-wide error.

    A field the form itself found wrong keeps the form's message: the service checked the data without that
    field's value (see `check_with_service`), so what it says about the field adds nothing.
    """
    for field, messages_ in error_messages(exc).items():
        if part_errors is not None and field in part_errors:
            part_errors[field].extend(m for m in messages_ if m not in part_errors[field])
        elif field in form.fields:
            if field not in form.errors:
                form.add_error(field, messages_)
        else:
            known = form.non_field_errors()
            new = [m for m in messages_ if m not in known]
            if new:
                form.add_error(None, new)


def check_with_service(
    form: forms.BaseForm,
    check: Callable[[], Any],
    part_errors: dict[str, list[str]] | None = None,
    *,
    valid: bool | None = None,
) -> bool:
    """The form's own checks and the service's, on one submit: `check()` runs the service's checks (it
    raises ValidationError) on whatever passed the form, and its problems join the form's at their fields.

    Without this a page shows the form's errors first and the service's only once those are fixed (a budget,
    then on the next submit the deadline...). Returns whether everything passed; `valid` is the result of the
    form checks when the caller has more than one form.
    """
    ok = form.is_valid() if valid is None else valid
    try:
        check()
    except ValidationError as exc:
        apply_service_errors(exc, form, part_errors)
        return False
    return ok


def flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    """Every message of a ValidationError as an error message on the next page."""
    for messages_ in error_messages(exc).values():
        for message in messages_:
            messages.error(request, message)


def flash_refusal(request: HttpRequest, exc: ApplicationError | ValidationError) -> None:
    """A service's refusal as messages on the next page."""
    if isinstance(exc, ApplicationError):
        messages.error(request, exc.message)
        return
    messages.error(request, _("This cannot be done yet:"))
    flash_errors(request, exc)


def run_step(request: HttpRequest, action: Callable[[], Any], *, done: str, then: str) -> HttpResponse:
    """Run a step without input: `done` on success, the refusal otherwise; either way, on to `then` (a URL)."""
    try:
        action()
    except (ApplicationError, ValidationError) as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, done)
    return redirect(then)


def run_form_step(
    request: HttpRequest,
    form: forms.Form,
    action: Callable[[dict[str, Any]], Any],
    *,
    done: str,
    back: str,
    show_form: Callable[[], HttpResponse],
    then: str = "",
) -> HttpResponse:
    """Run a step whose input is a form (a reason, a note): `action(cleaned_data)` if the form is valid.

    Success: `done`, on to `then` (default `back`). A state conflict: its message, back to `back`. Invalid
    input, the form's or the service's: `show_form()` renders the form again with its errors.
    """
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect(back)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, done)
            return redirect(then or back)
    return show_form()


# ---- the one view behind every workflow button


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
@require_POST
def workflow_step(request: HttpRequest, kind: str, pk: int, step: str) -> HttpResponse:
    """Take one step of a record's workflow from its page, then go back to the page (or, if the step took the
    record out of the user's sight, to the workbench). Which steps exist, who may take them and whether they
    take a reason all come from the workflow table; the app's service decides the rest."""
    try:
        flow = workflow(kind)
        the_step = flow.step(step)
    except (LookupError, ImproperlyConfigured):
        raise Http404("No such step") from None
    if the_step.own_page or the_step.by_system_only:
        raise Http404("This step has its own page")
    record = flow.get_record(request.user, pk)  # 404 for a record the user may not see
    # Who first: someone who may not take the step learns nothing from the form's messages.
    if not flow.has_role(request.user, record, the_step):
        raise PermissionDenied(flow.role_refusal(request.user, record, the_step))
    back = _safe_next(request, flow.detail_url(record))
    if the_step.irreversible and request.POST.get("confirmed") != "yes":
        context = {"flow": flow, "record": record, "step": the_step, "next": back}
        return render(request, "workflow/confirm.html", context)
    reason = request.POST.get("reason", "")
    try:
        result = flow.run(step, record=record, by=request.user, reason=reason)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    except ValidationError as exc:
        errors = error_messages(exc)
        if not the_step.takes_reason or set(errors) - {the_step.reason_name, "reason"}:
            # What the record lacks (a submission's missing fields): the page lists it, and so do these.
            flash_refusal(request, exc)
            return redirect(back)
        # The reason: back to the page with the step folded open, the text kept and the message at the field.
        request.session[STEP_ERROR_SESSION_KEY] = {
            "target": f"{flow.kind}:{record.pk}:{step}",
            "reason": reason,
            "errors": [m for ms in errors.values() for m in ms],
        }
        return redirect(f"{back.split('#')[0]}#step-{step}")
    messages.success(request, done_message(the_step, result))
    try:
        flow.get_record(request.user, pk)
    except Http404:
        # E.g. a moderator who returned a draft no longer sees it: on to their workbench (where they land).
        return redirect(settings.LOGIN_REDIRECT_URL)
    return redirect(back)


# ---- spreadsheets: import templates and exports, and what an import did

SPREADSHEET_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def spreadsheet_format(fmt: str) -> str:
    """The format if we write it (xlsx or csv); any other is a 404, as a page that does not exist."""
    if fmt not in SPREADSHEET_TYPES:
        raise Http404("Unknown format")
    return fmt


def spreadsheet_download(content: Callable[[str], bytes], fmt: str, *, name: str) -> HttpResponse:
    """`content(fmt)` as a download named `name.fmt` (an import template, a small export)."""
    response = HttpResponse(content(spreadsheet_format(fmt)), content_type=SPREADSHEET_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def import_batch_response(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    """What one import did (context: batch, errors, format_label, records_url/label, again_url): the report, or
    while the import runs, the fragment its progress bar polls every second."""
    if request.headers.get("HX-Request"):
        response = render(request, "imports/_progress.html", context)
        if context["batch"].finished:
            response["HX-Refresh"] = "true"  # the whole page, with the report
        return response
    return render(request, "imports/batch.html", context)
