"""Pages of innovation vouchers: the programmes and their provider lists (public), applying, a voucher with its
steps, spending it (a facility booking or a service contract), redeeming it, the commission's decision queue
and budget page, and the programme and provider forms of the commission."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from techtransfer.accounts.abuse import submit_once
from techtransfer.accounts.models import Organisation
from techtransfer.accounts.permissions import editable_organisations, is_commission_admin
from techtransfer.core.downloads import protected_file_response
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.forms import error_summary
from techtransfer.core.views import apply_service_errors, check_with_service
from techtransfer.facilities import selectors as facility_selectors
from techtransfer.search import pages
from techtransfer.vouchers import permissions as perms
from techtransfer.vouchers import selectors, services
from techtransfer.vouchers.choices import ProviderCategory, VoucherStatus
from techtransfer.vouchers.forms import (
    ApplyForm,
    BookWithVoucherForm,
    ContractUseForm,
    ProgrammeForm,
    ProviderForm,
    ProviderSearchForm,
)
from techtransfer.vouchers.models import Programme, Provider, Voucher
from techtransfer.vouchers.workflows import VOUCHER_FLOW

LIST_PAGE_SIZE = 25
NO_ORGANISATION = gettext_lazy(
    "Only members of an organisation apply for a voucher. Join your unit (or register it) first."
)
FACET_TITLES = {
    "category": gettext_lazy("Provider category"),
    "field": gettext_lazy("High-tech field"),
    "province": gettext_lazy("Province"),
}


def _require_commission(request: HttpRequest) -> None:
    if not perms.sees_budget(request.user):
        raise PermissionDenied(perms.NOT_COMMISSION)


# --- programmes (public) --------------------------------------------------------------------------------


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "vouchers/index.html",
        {
            "programmes": selectors.programme_list(),
            "commission": perms.sees_budget(user),
            "member": perms.may_apply_for(user),
            "today": timezone.localdate(),
        },
    )


def _provider_url(programme: Programme, params: dict[str, Any], **changes: Any) -> str:
    from django.utils.http import urlencode

    data: dict[str, Any] = {"q": params["q"], **params["filters"]}
    data.update(changes)
    query = urlencode({k: str(v) for k, v in data.items() if v not in (None, "")})
    return reverse("vouchers:programme", args=[programme.pk]) + (f"?{query}" if query else "") + "#providers"


@require_safe
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The programme's terms (UNCONFIRMED values marked), and its providers with search and facets."""
    programme = selectors.programme_get(pk=pk)
    params = ProviderSearchForm(request.GET).params()
    result = selectors.provider_search(programme=programme, query=params["q"], filters=params["filters"])

    def url_for(**changes: Any) -> str:
        changes.pop("page", None)
        return _provider_url(programme, params, **changes)

    labels = {name: {f.value: f.label for f in values} for name, values in result.facets.items()}
    for name in FACET_TITLES:
        labels.setdefault(name, {})
    if "category" in params["filters"]:
        labels["category"].setdefault(params["filters"]["category"],
                                      str(dict(ProviderCategory.choices).get(params["filters"]["category"], "")))
    context = {
        "programme": programme,
        "params": params,
        "result": result,
        "facet_groups": pages.facet_groups(
            index_names={name: name for name in FACET_TITLES}, facets=result.facets, active=params["filters"],
            titles=FACET_TITLES, labels=labels, url_for=url_for,
        ),
        "active_filters": pages.active_filters(active=params["filters"], labels=labels, url_for=url_for),
        "clear_url": _provider_url(programme, {"q": params["q"], "filters": {}}),
        "may_apply": perms.may_apply_for(request.user) and programme.applications_open
        and programme.last_day >= timezone.localdate(),
        "commission": perms.sees_budget(request.user),
    }
    template = "vouchers/_providers.html" if pages.wants_partial(request) else "vouchers/programme.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def programme_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_commission(request)
    programme = selectors.programme_get(pk=pk) if pk is not None else None
    form = ProgrammeForm(request.POST if request.method == "POST" else None, instance=programme)
    if request.method == "POST" and check_with_service(
        form, lambda: services.programme_validate(data=form.service_data(), programme=programme)
    ):
        try:
            if programme is None:
                programme = services.programme_create(by=request.user, data=form.service_data())
            else:
                services.programme_update(programme=programme, by=request.user, data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The programme is saved."))
            return redirect("vouchers:programme", pk=programme.pk)
    return render(request, "vouchers/programme_form.html",
                  {"form": form, "programme": programme, "error_summary": error_summary(form)})


@login_required
def provider_form(request: HttpRequest, programme_pk: int | None = None, pk: int | None = None) -> HttpResponse:
    """List an organisation as a provider of a programme, or change a listing (commission)."""
    _require_commission(request)
    provider: Provider | None = None
    if pk is not None:
        provider = Provider.objects.select_related("programme", "organisation").filter(pk=pk).first()
        if provider is None:
            raise Http404("No such provider")
        programme = provider.programme
    else:
        programme = selectors.programme_get(pk=programme_pk)
    listed = Provider.objects.filter(programme=programme).values("organisation_id")
    organisations = None if provider else Organisation.objects.exclude(pk__in=listed).order_by("name")
    data = request.POST if request.method == "POST" else None
    form = ProviderForm(data, instance=provider, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        fields = list(form.cleaned_data["fields_"])
        try:
            if provider is None:
                services.provider_add(by=request.user, programme=programme,
                                      organisation=form.cleaned_data["organisation"],
                                      data=form.service_data(), fields=fields)
            else:
                services.provider_update(provider=provider, by=request.user, data=form.service_data(), fields=fields)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The provider list is saved."))
            return redirect("vouchers:programme", pk=programme.pk)
    return render(request, "vouchers/provider_form.html", {
        "form": form, "programme": programme, "provider": provider, "error_summary": error_summary(form)})


@login_required
@require_safe
def budget(request: HttpRequest, pk: int) -> HttpResponse:
    """The commission's budget page: budget, reserved, redeemed, remaining; by provider and by month; the
    redemptions."""
    _require_commission(request)
    programme = selectors.programme_get(pk=pk)
    page = selectors.budget_page(programme=programme)
    chart = {
        "categories": [str(m.month) for m in page.months],
        "series": [
            {"name": str(_("Approved (10,000 yuan)")), "values": [float(m.approved / 10000) for m in page.months]},
            {"name": str(_("Redeemed (10,000 yuan)")), "values": [float(m.paid / 10000) for m in page.months]},
        ],
        "unit": str(_("10,000 yuan")),
    }
    statuses = [(value, label, page.by_status.get(value, 0)) for value, label in VoucherStatus.choices]
    return render(request, "vouchers/budget.html", {"page": page, "chart": chart, "statuses": statuses})


# --- applying -------------------------------------------------------------------------------------------


@login_required
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(pk=pk)
    organisations = editable_organisations(request.user)
    if not organisations:
        raise PermissionDenied(NO_ORGANISATION)
    form = ApplyForm(request.POST if request.method == "POST" else None, organisations=organisations,
                     initial={"holder": organisations.first()})

    def page() -> HttpResponse:
        return render(request, "vouchers/apply.html",
                      {"form": form, "programme": programme, "error_summary": error_summary(form)})

    if request.method != "POST":
        return page()
    valid = form.is_valid()
    holder = form.cleaned_data.get("holder") if valid else None
    if holder is None or not check_with_service(
        form, lambda: services.voucher_validate(programme=programme, holder=holder, data=form.service_data())
    ):
        return page()

    def create() -> HttpResponse:
        try:
            voucher = services.voucher_apply(by=request.user, programme=programme, holder=holder,
                                             data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(exc, form)
            return page()
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
            return page()
        messages.success(request, _("Your application is sent; the commission decides on it."))
        return redirect("vouchers:detail", pk=voucher.pk)

    return submit_once(request, form, create)


# --- a voucher ------------------------------------------------------------------------------------------


@login_required
@require_safe
def voucher_detail(request: HttpRequest, pk: int) -> HttpResponse:
    voucher = selectors.voucher_get(user=request.user, pk=pk)
    user = request.user
    holder = perms.holds(user, voucher)
    context: dict[str, Any] = {
        "voucher": voucher,
        "reads_application": perms.reads_application(user, voucher),
        "use": perms.current_use(voucher),
        "uses": selectors.voucher_uses(voucher=voucher),
        "redemption": getattr(voucher, "redemption", None) if voucher.status == VoucherStatus.REDEEMED else None,
        "history": VOUCHER_FLOW.history_of(voucher),
        "can_spend": holder and VOUCHER_FLOW.may(user, voucher, "use"),
        "can_redeem": VOUCHER_FLOW.may(user, voucher, "redeem"),
    }
    if context["can_spend"]:
        owners = set(selectors.providers_for(programme=voucher.programme).values_list("organisation_id", flat=True))
        context["facilities"] = facility_selectors.facility_published_for_owners(owner_ids=owners)
    return render(request, "vouchers/detail.html", context)


def _spend_check(request: HttpRequest, voucher: Voucher) -> None:
    if not perms.holds(request.user, voucher):
        raise PermissionDenied(perms.NOT_THE_HOLDER)


@login_required
def voucher_book(request: HttpRequest, pk: int, facility_pk: int) -> HttpResponse:
    """Book a facility of a listed provider and pay with the voucher."""
    voucher = selectors.voucher_get(user=request.user, pk=pk)
    _spend_check(request, voucher)
    facility = facility_selectors.facility_get(user=request.user, pk=facility_pk)
    form = BookWithVoucherForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["day"]
        start = timezone.make_aware(datetime.datetime.combine(day, form.cleaned_data["start_time"]))
        end = timezone.make_aware(datetime.datetime.combine(day, form.cleaned_data["end_time"]))
        try:
            booking = services.voucher_use_booking(voucher=voucher, by=request.user, facility=facility, start=start,
                                                   end=end, purpose=form.cleaned_data["purpose"])
        except ValidationError as exc:
            names = {"start": "start_time", "end": "end_time", "facility": None}
            apply_service_errors(ValidationError({names.get(k, k) or "__all__": v
                                                  for k, v in exc.message_dict.items()}), form)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Booked with the voucher: the provider confirms the booking, then redeems "
                                        "the voucher."))
            return redirect("facilities:booking", pk=booking.pk)
    return render(request, "vouchers/book.html", {
        "voucher": voucher, "facility": facility, "form": form, "error_summary": error_summary(form),
        "calendar": facility_selectors.facility_calendar(facility=facility),
    })


@login_required
def voucher_use(request: HttpRequest, pk: int) -> HttpResponse:
    """Spend the voucher on a service contract with a listed provider."""
    voucher = selectors.voucher_get(user=request.user, pk=pk)
    _spend_check(request, voucher)
    form = ContractUseForm(request.POST if request.method == "POST" else None,
                           providers=selectors.providers_for(programme=voucher.programme))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.voucher_use_contract(voucher=voucher, by=request.user, provider=data["provider"],
                                          contract_number=data["contract_number"],
                                          agreed_amount=data["agreed_amount"], description=data["description"])
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The voucher is spent with the provider, who redeems it once the service is "
                                        "delivered."))
            return redirect("vouchers:detail", pk=pk)
    return render(request, "vouchers/use.html",
                  {"voucher": voucher, "form": form, "error_summary": error_summary(form)})


@login_required
def voucher_redeem(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider redeems the voucher with the invoice and the service report."""
    from techtransfer.vouchers.forms import RedeemForm

    voucher = selectors.voucher_get(user=request.user, pk=pk)
    if not perms.provides(request.user, voucher):
        raise PermissionDenied(perms.NOT_THE_PROVIDER)
    form = RedeemForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            redemption = services.voucher_redeem(voucher=voucher, by=request.user,
                                                 invoice_number=data["invoice_number"],
                                                 invoice_amount=data["invoice_amount"], report=data["report"])
        except ValidationError as exc:
            apply_service_errors(exc, form)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            return redirect("vouchers:detail", pk=pk)
        else:
            messages.success(request, _("Redeemed: the voucher pays %(amount)s.") % {
                "amount": _money(redemption.paid_amount)})
            return redirect("vouchers:detail", pk=pk)
    return render(request, "vouchers/redeem.html", {
        "voucher": voucher, "use": perms.current_use(voucher), "form": form, "error_summary": error_summary(form)})


def _money(value: Any) -> str:
    from techtransfer.lib.money import money

    return money(value)


@login_required
def voucher_report(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The service report goes to those who read the voucher (its holder, its provider, the commission)."""
    voucher = selectors.voucher_get(user=request.user, pk=pk)
    redemption = getattr(voucher, "redemption", None)
    if redemption is None:
        raise Http404("No report")
    return protected_file_response(request, redemption.file, filename=redemption.original_name)


# --- lists ----------------------------------------------------------------------------------------------


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    user = request.user
    holder = selectors.voucher_list(user=user, filters={"side": "holder"})
    to_redeem = selectors.provider_redeem_queue(user=user)
    provided = selectors.voucher_list(user=user, filters={"side": "provider"})
    return render(request, "vouchers/mine.html", {
        "held": Paginator(holder, LIST_PAGE_SIZE).get_page(request.GET.get("page")),
        "to_redeem": to_redeem, "provided": provided[:LIST_PAGE_SIZE], "member": perms.may_apply_for(user),
    })


@login_required
@require_safe
def review(request: HttpRequest) -> HttpResponse:
    if not is_commission_admin(request.user):
        raise PermissionDenied(perms.NOT_AN_ADMINISTRATOR)
    queue = selectors.voucher_decision_queue(user=request.user)
    page = Paginator(queue, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "vouchers/review.html", {"page": page})
