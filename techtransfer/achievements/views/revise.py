"""Revising a registered achievement (the workflow steps themselves are the generic step view's, from the
achievement's workflow table)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from techtransfer.achievements import permissions as perms
from techtransfer.achievements import selectors, services
from techtransfer.achievements.forms import ReviseForm
from techtransfer.achievements.views.common import apply_service_errors
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.forms import error_summary


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
