"""Pages for contact requests (对接): my list, the open form, the detail with its timeline, notes and moves.

Views are thin: they load through the selectors (404 for anyone who is not a party) and write through the
services, turning their errors into form errors and messages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techtransfer.accounts.abuse import RateLimited, submit_once
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.views import apply_service_errors
from techtransfer.matchmaking import permissions as perms
from techtransfer.matchmaking import selectors, services
from techtransfer.matchmaking.choices import Stage
from techtransfer.matchmaking.forms import NoteForm, OpenForm
from techtransfer.matchmaking.models import ContactRequest
from techtransfer.matchmaking.workflows import CONTACT_REQUEST_FLOW

PAGE_SIZE = 20


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
def contact_request_list(request: HttpRequest) -> HttpResponse:
    """My contact requests, in tabs by stage."""
    stage = request.GET.get("stage", "")
    if stage not in Stage.values:
        stage = ""
    counts = selectors.contact_request_stage_counts(user=request.user)
    tabs = [("", _("All"), sum(counts.values()))] + [(value, label, counts[value]) for value, label in Stage.choices]
    waiting = request.GET.get("waiting") == "1"
    requests = selectors.contact_request_list(user=request.user, stage=stage or None, waiting=waiting)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(part for part in (f"stage={stage}" if stage else "", "waiting=1" if waiting else "") if part)
    return render(
        request,
        "matchmaking/list.html",
        {"page": page, "tabs": tabs, "stage": stage, "waiting": waiting, "query": query},
    )


@login_required
def contact_request_new(request: HttpRequest) -> HttpResponse:
    """The open form: /contact-requests/new/?demand=<id>&achievement=<id>."""
    source = request.POST if request.method == "POST" else request.GET
    demand = selectors.openable_demand(user=request.user, pk=source.get("demand"))
    achievement = selectors.openable_achievement(user=request.user, pk=source.get("achievement"))
    organisations = selectors.opener_organisations(user=request.user, demand=demand, achievement=achievement)
    if not organisations:
        raise PermissionDenied(services.NOT_ELIGIBLE)
    context: dict[str, Any] = {"demand": demand, "achievement": achievement}
    problem = perms.pair_problem(demand, achievement)
    if problem:
        return render(request, "matchmaking/new.html", {**context, "problem": problem}, status=409)
    state = selectors.contact_request_open_state(user=request.user, demand=demand, achievement=achievement)
    form = OpenForm(request.POST if request.method == "POST" else None, organisations=organisations)

    def page() -> HttpResponse:
        status = 400 if form.errors else 200
        context.update(form=form, existing=state.existing)
        return render(request, "matchmaking/new.html", context, status=status)

    def open_() -> HttpResponse:
        try:
            contact_request = services.contact_request_open(
                by=request.user,
                demand=demand,
                achievement=achievement,
                message=form.cleaned_data["message"],
                opened_by_org=form.cleaned_data["opened_by_org"],
            )
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your contact request is sent; the other parties are told."))
            return redirect("matchmaking:detail", pk=contact_request.pk)
        return page()

    if request.method == "POST" and form.is_valid():
        # Once per form token: a double click opens one request and mails the parties once (abuse.submit_once).
        return submit_once(request, form, open_)
    return page()


def _detail_context(request: HttpRequest, contact_request: ContactRequest, **forms_: Any) -> dict[str, Any]:
    return {
        "cr": contact_request,
        "history": CONTACT_REQUEST_FLOW.history_of(contact_request),
        "notes": selectors.contact_request_notes(contact_request=contact_request),
        "can_note": perms.is_party(request.user, contact_request) and contact_request.is_open,
        "read_only": selectors.is_read_only_viewer(request.user, contact_request),
        "note_form": forms_.get("note_form") or NoteForm(),
    }


@login_required
def contact_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact_request = selectors.contact_request_get(user=request.user, pk=pk)
    return render(request, "matchmaking/detail.html", _detail_context(request, contact_request))


@login_required
@require_POST
def contact_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a note. With htmx the notes section is swapped in place; without JS the page reloads."""
    contact_request = selectors.contact_request_get(user=request.user, pk=pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.contact_note_add(contact_request=contact_request, by=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        except RateLimited as exc:  # said in the notes section itself (htmx swaps only 2xx answers)
            form.add_error(None, str(exc.detail))
        else:
            if not _is_htmx(request):
                return redirect(reverse("matchmaking:detail", args=[pk]) + "#notes")
            form = NoteForm()
    context = _detail_context(request, contact_request, note_form=form)
    status = 400 if form.errors else 200
    if _is_htmx(request):
        # htmx swaps only 2xx responses by default; errors are shown in the same fragment, so answer 200.
        return render(request, "matchmaking/_notes.html", context)
    return render(request, "matchmaking/detail.html", context, status=status)
