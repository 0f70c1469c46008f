"""Pages of shared facilities: the public list and a facility's page with its calendar and booking form; the
unit's listing form and its facilities; bookings (mine and to confirm), a booking and its usage form; the
open-sharing statistics."""

from __future__ import annotations

import datetime
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from techtransfer.accounts.abuse import submit_once
from techtransfer.accounts.models import Organisation
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.forms import error_summary
from techtransfer.core.views import apply_service_errors, check_with_service, run_form_step
from techtransfer.facilities import permissions as perms
from techtransfer.facilities import selectors, services
from techtransfer.facilities.choices import BookingStatus
from techtransfer.facilities.forms import (
    FACET_PARAMS,
    FACET_TITLES,
    MAX_PAGE,
    PAGE_SIZE,
    BookingForm,
    FacilityForm,
    FacilitySearchForm,
    SharingForm,
    UsageForm,
    facet_labels,
)
from techtransfer.facilities.models import Booking, Facility
from techtransfer.facilities.search import facility_search
from techtransfer.facilities.workflows import BOOKING_FLOW, FACILITY_FLOW
from techtransfer.search import pages

LIST_PAGE_SIZE = 25
NOT_A_MANAGER = gettext_lazy("Only a unit's TTO officer (organisation admin) lists its shared facilities.")
NO_STATS = gettext_lazy("The open-sharing statistics are for the units' TTO officers and the commission.")


# --- the public list ------------------------------------------------------------------------------------


def _list_url(params: dict[str, Any], **changes: Any) -> str:
    page = params["page"] if params["page"] > 1 else None
    data: dict[str, Any] = {"q": params["q"], **params["filters"], "page": page}
    data.update(changes)
    query = urlencode({k: str(v) for k, v in data.items() if v not in (None, "")})
    return reverse("facilities:list") + (f"?{query}" if query else "")


@require_safe
def facility_list(request: HttpRequest) -> HttpResponse:
    """Published facilities: search (Chinese segmentation), facets of kind, field and district, pages."""
    labels = facet_labels()
    params = FacilitySearchForm(request.GET, labels=labels).params()
    offset = (params["page"] - 1) * PAGE_SIZE
    result = facility_search(
        query=params["q"],
        filters={FACET_PARAMS[name]: [value] for name, value in params["filters"].items()},
        limit=PAGE_SIZE,
        offset=offset,
    )
    url_for = partial(_list_url, params)
    context = {
        "params": params,
        "hits": result.hits,
        "mode": result.mode,
        "total": result.total,
        "first": offset + 1 if result.hits else 0,
        "last": offset + len(result.hits),
        "facet_groups": pages.facet_groups(
            index_names=FACET_PARAMS, facets=result.facets, active=params["filters"], titles=FACET_TITLES,
            labels=labels, url_for=url_for,
        ),
        "active_filters": pages.active_filters(active=params["filters"], labels=labels, url_for=url_for),
        "clear_url": _list_url({"q": params["q"], "filters": {}, "page": 1}),
        **pages.page_navigation(
            page=params["page"], total=result.total, page_size=PAGE_SIZE, max_page=MAX_PAGE, url_for=url_for
        ),
        "beyond_last_page": params["page"] > 1 and not result.hits,
        "manages": bool(perms.managed_ids(request.user)),
    }
    template = "facilities/_list_results.html" if pages.wants_partial(request) else "facilities/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- one facility ---------------------------------------------------------------------------------------


def _calendar_start(request: HttpRequest) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        return timezone.localdate()
    today = timezone.localdate()
    return min(max(day, today), today + datetime.timedelta(days=services.BOOKING_HORIZON_DAYS))


def _detail_page(request: HttpRequest, facility: Facility, form: BookingForm | None = None) -> HttpResponse:
    user = request.user
    start = _calendar_start(request)
    insider = perms.is_facility_insider(user, facility)
    context: dict[str, Any] = {
        "facility": facility,
        "calendar": selectors.facility_calendar(facility=facility, start=start),
        "calendar_next": (start + datetime.timedelta(days=selectors.CALENDAR_DAYS)).isoformat(),
        "calendar_previous": (start - datetime.timedelta(days=selectors.CALENDAR_DAYS)).isoformat()
        if start > timezone.localdate() else "",
        "insider": insider,
        "can_edit": perms.can_edit_facility(user, facility),
        "can_book": perms.can_book(user) and facility.status == "published",
        "form": form or BookingForm(organisations=perms.booking_organisations(user)),
        "error_summary": error_summary(form) if form is not None else None,
    }
    if insider:
        context["history"] = FACILITY_FLOW.history_of(facility)
        context["problems"] = [m for ms in services.publication_problems(facility).values() for m in ms]
    return render(request, "facilities/detail.html", context)


def facility_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The facility, its opening hours and calendar; signed-in members of an organisation book from here."""
    facility = selectors.facility_get(user=request.user, pk=pk)
    if request.method != "POST":
        return _detail_page(request, facility)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    form = BookingForm(request.POST, organisations=perms.booking_organisations(request.user))
    if form.is_valid():
        start, end = form.times()
        try:
            booking = services.booking_create(
                by=request.user, facility=facility, start=start, end=end, purpose=form.cleaned_data["purpose"],
                organisation=form.cleaned_data.get("organisation"),
            )
        except ValidationError as exc:
            _booking_errors(exc, form)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Booked: the provider confirms or declines it, and you will be told."))
            return redirect("facilities:booking", pk=booking.pk)
    return _detail_page(request, facility, form)


def _booking_errors(exc: ValidationError, form: BookingForm) -> None:
    """The service speaks of start and end; the form has a day and two times."""
    names = {"start": "start_time", "end": "end_time"}
    renamed = ValidationError({names.get(k, k): v for k, v in exc.message_dict.items()})
    apply_service_errors(renamed, form)


def _form_page(
    request: HttpRequest, form: FacilityForm, facility: Facility | None, owner: Organisation
) -> HttpResponse:
    return render(
        request,
        "facilities/form.html",
        {"form": form, "facility": facility, "owner": owner, "error_summary": error_summary(form)},
    )


def _owner_for(request: HttpRequest) -> Organisation:
    ids = perms.managed_ids(request.user)
    if not ids:
        raise PermissionDenied(NOT_A_MANAGER)
    wanted = request.GET.get("owner") or request.POST.get("owner")
    chosen = int(wanted) if wanted and wanted.isdigit() and int(wanted) in ids else min(ids)
    return Organisation.objects.get(pk=chosen)


@login_required
def facility_new(request: HttpRequest) -> HttpResponse:
    owner = _owner_for(request)
    form = FacilityForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        valid = form.is_valid()
        windows = form.service_windows()
        valid = valid and not form.errors
        check = lambda: services.facility_validate(data=form.service_data(), opening_hours=windows)  # noqa: E731
        if check_with_service(form, check, valid=valid):
            return submit_once(request, form, lambda: _create(request, form, owner, windows))
    return _form_page(request, form, None, owner)


def _create(request: HttpRequest, form: FacilityForm, owner: Organisation, windows: list[Any]) -> HttpResponse:
    try:
        facility = services.facility_create(
            by=request.user, owner=owner, data=form.service_data(), opening_hours=windows
        )
    except ValidationError as exc:
        apply_service_errors(exc, form)
        return _form_page(request, form, None, owner)
    messages.success(request, _("The facility is saved as a draft. Publish it when it is complete."))
    return redirect("facilities:detail", pk=facility.pk)


@login_required
def facility_edit(request: HttpRequest, pk: int) -> HttpResponse:
    facility = selectors.facility_get(user=request.user, pk=pk)
    if not perms.can_edit_facility(request.user, facility):
        raise PermissionDenied(NOT_A_MANAGER)
    form = FacilityForm(request.POST if request.method == "POST" else None, instance=facility)
    if request.method == "POST" and form.is_valid():
        windows = form.service_windows()
        if not form.errors:
            try:
                services.facility_update(
                    facility=facility, by=request.user, data=form.service_data(), opening_hours=windows
                )
            except ValidationError as exc:
                apply_service_errors(exc, form)
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect("facilities:detail", pk=pk)
    return _form_page(request, form, facility, facility.owner)


@login_required
@require_safe
def facility_mine(request: HttpRequest) -> HttpResponse:
    if not perms.managed_ids(request.user):
        raise PermissionDenied(NOT_A_MANAGER)
    facilities = selectors.facility_list_mine(user=request.user)
    page = Paginator(facilities, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "facilities/mine.html", {"page": page})


# --- bookings -------------------------------------------------------------------------------------------


@login_required
@require_safe
def booking_list(request: HttpRequest) -> HttpResponse:
    provider = bool(perms.managed_ids(request.user))
    side = request.GET.get("side") if request.GET.get("side") in ("mine", "provider") else ""
    side = side or ("provider" if provider and not perms.can_book(request.user) else "mine")
    status = request.GET.get("status") if request.GET.get("status") in BookingStatus.values else ""
    facility = request.GET.get("facility", "")
    facility_id = int(facility) if facility.isdigit() and len(facility) < 16 else None  # a huge id is no id
    filters = {"side": side, "status": status, "facility": facility_id}
    bookings = selectors.booking_list(user=request.user, filters=filters)
    page = Paginator(bookings, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "facilities/bookings.html",
        {"page": page, "side": side, "status": status, "provider": provider, "statuses": BookingStatus.choices},
    )


@login_required
@require_safe
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_get(user=request.user, pk=pk)
    return render(
        request,
        "facilities/booking.html",
        {
            "booking": booking,
            "history": BOOKING_FLOW.history_of(booking),
            "can_record_usage": BOOKING_FLOW.may(request.user, booking, "record_usage"),
        },
    )


@login_required
def booking_usage(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider records the hours used and the fee (the booking's own-page step)."""
    booking: Booking = selectors.booking_get(user=request.user, pk=pk)
    if not perms.is_provider(request.user, booking):
        raise PermissionDenied(perms.NOT_A_MANAGER)
    back = reverse("facilities:booking", args=[pk])
    initial = {"hours_used": booking.hours}
    form = UsageForm(request.POST if request.method == "POST" else None, initial=initial)

    def show() -> HttpResponse:
        return render(request, "facilities/usage.html", {"booking": booking, "form": form,
                                                           "error_summary": error_summary(form)})

    if request.method != "POST":
        return show()
    return run_form_step(
        request,
        form,
        lambda data: services.booking_record_usage(
            booking=booking, by=request.user, hours_used=data["hours_used"], fee=data["fee"], note=data["note"]
        ),
        done=_("The usage is recorded."),
        back=back,
        show_form=show,
    )


# --- open-sharing statistics ----------------------------------------------------------------------------


@login_required
@require_safe
def sharing(request: HttpRequest) -> HttpResponse:
    """A unit's open-sharing statistics by month and by facility (its TTO officers; the commission any unit)."""
    from techtransfer.accounts.permissions import is_commission_admin

    if is_commission_admin(request.user):
        organisations = Organisation.objects.filter(facilities__isnull=False).distinct().order_by("name")
    else:
        organisations = Organisation.objects.filter(pk__in=perms.managed_ids(request.user)).order_by("name")
    if not organisations.exists():
        raise PermissionDenied(NO_STATS)
    today = timezone.localdate()
    form = SharingForm(request.GET or None, organisations=organisations,
                       initial={"organisation": organisations.first(), "year": today.year})
    organisation = organisations.first()
    year = today.year
    if form.is_bound and form.is_valid():
        organisation, year = form.cleaned_data["organisation"], form.cleaned_data["year"]
    assert organisation is not None
    if not perms.sees_stats(request.user, organisation.pk):
        raise PermissionDenied(NO_STATS)
    stats = selectors.sharing_stats(organisation=organisation, year=year)
    chart = {
        "categories": [str(m.month) for m in stats.months],
        "series": [
            {"name": str(_("Hours booked")), "values": [float(m.hours_booked) for m in stats.months]},
            {"name": str(_("Hours used")), "values": [float(m.hours_used) for m in stats.months]},
        ],
        "unit": str(_("hours")),
    }
    return render(request, "facilities/sharing.html", {"form": form, "stats": stats, "chart": chart})
