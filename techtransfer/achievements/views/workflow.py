"""Workflow actions on one achievement. Each is a POST that calls one service; the service decides."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techtransfer.achievements import permissions as perms
from techtransfer.achievements import selectors, services
from techtransfer.achievements.forms import ReasonForm, ReviseForm
from techtransfer.achievements.models import Achievement
from techtransfer.achievements.views.common import apply_service_errors
from techtransfer.achievements.views.records import detail_context
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.forms import error_summary
from techtransfer.core.views import run_form_step, run_step


def _run(request: HttpRequest, pk: int, action: Callable[[Achievement], Any], done: str) -> HttpResponse:
    """Load the record (404 if the user may not see it), run the service, report the outcome."""
    achievement = selectors.achievement_get(user=request.user, pk=pk)
    return run_step(request, lambda: action(achievement), done=done, then=reverse("achievements:detail", args=[pk]))


@login_required
@require_POST
def achievement_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _run(
        request, pk, lambda a: services.achievement_submit(achievement=a, by=request.user),
        _("Submitted for review. The registration body will register it or return it with reasons."),
    )


@login_required
@require_POST
def achievement_register(request: HttpRequest, pk: int) -> HttpResponse:
    return _run(
        request, pk, lambda a: services.achievement_register(achievement=a, by=request.user),
        _("Registered: the registration number is assigned."),
    )


@login_required
@require_POST
def achievement_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _run(
        request, pk, lambda a: services.achievement_publish(achievement=a, by=request.user),
        _("Published on the portal."),
    )


def _with_reason(request: HttpRequest, pk: int, *, form_name: str, required: bool, service: Callable[..., Any],
                 done: str) -> HttpResponse:
    achievement = selectors.achievement_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST, required=required)
    return run_form_step(
        request, form, lambda data: service(achievement=achievement, by=request.user, reason=data["reason"]),
        done=done, back=reverse("achievements:detail", args=[pk]),
        show_form=lambda: render(
            request, "achievements/detail.html", detail_context(request, achievement, **{form_name: form}), status=400
        ),
    )


@login_required
@require_POST
def achievement_return(request: HttpRequest, pk: int) -> HttpResponse:
    achievement = selectors.achievement_get(user=request.user, pk=pk)
    # Refuse before looking at the form, so an outsider learns nothing from validation messages.
    if not perms.can_review(request.user, achievement):
        raise PermissionDenied(_("You do not review registrations for this unit."))
    return _with_reason(
        request, pk, form_name="return_form", required=True, service=services.achievement_return,
        done=_("Returned to the unit with your reasons."),
    )


@login_required
@require_POST
def achievement_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _with_reason(
        request, pk, form_name="withdraw_form", required=False, service=services.achievement_withdraw,
        done=_("The achievement is withdrawn."),
    )


@login_required
def achievement_revise(request: HttpRequest, pk: int) -> HttpResponse:
    """A registered record changes only here: the changed fields and a reason become a Revision."""
    achievement = selectors.achievement_get(user=request.user, pk=pk)
    if not perms.can_revise(request.user, achievement):
        raise PermissionDenied(_("You cannot revise this achievement: only a registered record is revised, by its "
                                 "unit's TTO officer or its reviewers."))
    form = ReviseForm(request.POST if request.method == "POST" else None, instance=achievement)
    if request.method == "POST" and form.is_valid():
        try:
            revision = services.achievement_revise(
                achievement=achievement, by=request.user, data=form.service_data(only_changed=True),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Revision %(n)d is recorded.") % {"n": revision.number})
            return redirect("achievements:detail", pk=pk)
    context = {"achievement": achievement, "form": form, "error_summary": error_summary(form)}
    return render(request, "achievements/revise.html", context)
