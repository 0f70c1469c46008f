"""The commission's coverage of funded projects by S&T reports, per unit and per programme, and its reminders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from techtransfer.accounts.models import Organisation
from techtransfer.accounts.permissions import is_commission_admin
from techtransfer.core.exceptions import ApplicationError
from techtransfer.scireports import selectors, services
from techtransfer.scireports.permissions import NOT_AN_ADMIN


def _admin_only(request: HttpRequest) -> None:
    if not is_commission_admin(request.user):
        raise PermissionDenied(NOT_AN_ADMIN)


def _ended_only(request: HttpRequest) -> bool:
    return (request.GET.get("scope") or request.POST.get("scope")) != "all"


def _back(ended_only: bool, url: str) -> str:
    return url if ended_only else f"{url}?scope=all"


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    ended_only = _ended_only(request)
    context = {
        "ended_only": ended_only,
        "units": selectors.coverage_by_unit(ended_only=ended_only),
        "programmes": selectors.coverage_by_programme(ended_only=ended_only),
    }
    return render(request, "scireports/coverage.html", context)


@login_required
@require_GET
def coverage_unit(request: HttpRequest, org_pk: int) -> HttpResponse:
    _admin_only(request)
    organisation = get_object_or_404(Organisation, pk=org_pk)
    ended_only = _ended_only(request)
    context = {
        "organisation": organisation,
        "ended_only": ended_only,
        "projects": selectors.projects_missing(organisation=organisation, ended_only=ended_only),
        "reminders": selectors.reminders_of(organisation=organisation)[:20],
    }
    return render(request, "scireports/coverage_unit.html", context)


@login_required
@require_POST
def remind(request: HttpRequest, org_pk: int) -> HttpResponse:
    _admin_only(request)
    organisation = get_object_or_404(Organisation, pk=org_pk)
    ended_only = _ended_only(request)
    try:
        reminder = services.reminder_send(organisation=organisation, by=request.user, ended_only=ended_only)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ngettext(
            "Reminder sent to %(n)d person.", "Reminder sent to %(n)d people.", reminder.recipients
        ) % {"n": reminder.recipients})
    return redirect(_back(ended_only, reverse("scireports:coverage_unit", args=[org_pk])))


@login_required
@require_POST
def remind_all(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    ended_only = _ended_only(request)
    sent = services.reminder_send_all(by=request.user, ended_only=ended_only)
    messages.success(request, ngettext(
        "%(n)d unit reminded.", "%(n)d units reminded.", len(sent)
    ) % {"n": len(sent)} if sent else _("No unit had missing reports to remind."))
    return redirect(_back(ended_only, reverse("scireports:coverage")))
