"""Pages of the subscriptions app: my subscriptions and their form, "save this search", the notification
inbox (mark read with or without htmx), and the home page's recommendations fragment."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from techtransfer.core.views import apply_service_errors, error_messages
from techtransfer.search.pages import wants_partial
from techtransfer.subscriptions import selectors, services
from techtransfer.subscriptions.forms import SubscriptionForm, parse_search

INBOX_PAGE_SIZE = 30


def _apply_service_errors(exc: ValidationError, form: SubscriptionForm) -> None:
    # The service names the field "fields"; the form calls it "tech_fields".
    renamed = {
        ("tech_fields" if name == "fields" else name): messages_ for name, messages_ in error_messages(exc).items()
    }
    apply_service_errors(ValidationError(renamed), form)


# --- subscriptions ----------------------------------------------------------------------------------------


@login_required
@require_GET
def subscription_list(request: HttpRequest) -> HttpResponse:
    subscriptions = selectors.subscription_list(user=request.user)
    return render(request, "subscriptions/list.html", {"subscriptions": subscriptions})


@login_required
def subscription_new(request: HttpRequest) -> HttpResponse:
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription = services.subscription_create(by=request.user, **form.service_args())
        except ValidationError as exc:
            _apply_service_errors(exc, form)
        else:
            messages.success(request, _("Subscription “%(name)s” created.") % {"name": subscription.name})
            return redirect("subscriptions:list")
    return render(request, "subscriptions/form.html", {"form": form, "subscription": None})


@login_required
def subscription_edit(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = selectors.subscription_get(user=request.user, pk=pk)
    form = SubscriptionForm(request.POST or None, instance=subscription)
    if request.method == "POST" and form.is_valid():
        try:
            subscription = services.subscription_update(
                subscription=subscription, by=request.user, **form.service_args()
            )
        except ValidationError as exc:
            _apply_service_errors(exc, form)
        else:
            messages.success(request, _("Subscription “%(name)s” saved.") % {"name": subscription.name})
            return redirect("subscriptions:list")
    return render(request, "subscriptions/form.html", {"form": form, "subscription": subscription})


@login_required
def subscription_delete(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = selectors.subscription_get(user=request.user, pk=pk)
    if request.method == "POST":
        services.subscription_delete(subscription=subscription, by=request.user)
        messages.success(request, _("Subscription “%(name)s” deleted.") % {"name": subscription.name})
        return redirect("subscriptions:list")
    return render(request, "subscriptions/confirm_delete.html", {"subscription": subscription})


@login_required
@require_POST
def save_search(request: HttpRequest) -> HttpResponse:
    """ "Save this search as a subscription": the search page's query string → a daily subscription."""
    query, filters, filter_labels = parse_search(request.POST.get("search", ""))
    name = services.search_subscription_name(query, filter_labels)
    try:
        subscription = services.subscription_from_search(by=request.user, query=query, filters=filters, name=name)
    except ValidationError as exc:
        message = " ".join(m for ms in error_messages(exc).values() for m in ms)
        if wants_partial(request):
            return render(request, "subscriptions/_save_search_done.html", {"error": message})
        messages.error(request, message)
        return redirect(reverse("portal:search") + "?" + request.POST.get("search", "")[:1000])
    if wants_partial(request):
        return render(request, "subscriptions/_save_search_done.html", {"subscription": subscription})
    messages.success(
        request,
        _("The search is saved as the subscription “%(name)s”: new matches come daily. Adjust it here.")
        % {"name": subscription.name},
    )
    return redirect("subscriptions:edit", pk=subscription.pk)


# --- notifications ----------------------------------------------------------------------------------------


def _inbox_context(request: HttpRequest) -> dict[str, Any]:
    paginator = Paginator(selectors.notification_list(user=request.user), INBOX_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return {"page": page, "unread": selectors.unread_count(user=request.user)}


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "subscriptions/inbox.html", _inbox_context(request))


def _back_to_inbox(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("subscriptions:inbox")


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.notification_get(user=request.user, pk=pk)
    services.notification_mark_read(notification=notification, by=request.user)
    if wants_partial(request):
        response = render(
            request,
            "subscriptions/_notification.html",
            {"n": notification, "unread": selectors.unread_count(user=request.user), "oob_badge": True},
        )
        patch_vary_headers(response, ["HX-Request"])
        return response
    return _back_to_inbox(request)


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(by=request.user)
    if wants_partial(request):
        context = {**_inbox_context(request), "oob_badge": True}
        return render(request, "subscriptions/_inbox_list.html", context)
    if count:
        messages.success(request, _("All notifications marked read."))
    return _back_to_inbox(request)


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a notification's record, marking it read on the way (a POST: reading a page never writes)."""
    notification = selectors.notification_get(user=request.user, pk=pk)
    services.notification_mark_read(notification=notification, by=request.user)
    return redirect(notification.url)


# --- recommendations --------------------------------------------------------------------------------------


@login_required
@require_GET
def recommendations(request: HttpRequest) -> HttpResponse:
    """The home page loads this with htmx after it has rendered; without JavaScript it is a page."""
    results = selectors.recommendations_for(request.user)
    context = {"results": results, "unread": selectors.unread_count(user=request.user)}
    template = (
        "subscriptions/_recommendations_list.html" if wants_partial(request) else "subscriptions/recommendations.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
