"""The public publicity notices (公示) of negotiated prices: the list, one notice, and the objection anyone may
lodge. Only public fields appear; objectors' contact details never do."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techtransfer.achievements.choices import Status as AchievementStatus
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.views import apply_service_errors
from techtransfer.deals import selectors, services
from techtransfer.deals.choices import DealStatus
from techtransfer.deals.forms import ObjectionForm
from techtransfer.deals.models import Deal
from techtransfer.deals.workflows import publicity_ended

PAGE_SIZE = 25


def leader_rewards(deal: Deal) -> list[Any]:
    """Leaders' rewards of the deal, public by 条例 Art. 13 (helper C's selector)."""
    from techtransfer.deals.selectors_rewards import public_leader_rewards

    return public_leader_rewards(deal)


def public_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.public_deal_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "deals/public_list.html", {"page": page, "now": timezone.now()})


def _notice(request: HttpRequest, deal: Deal, form: ObjectionForm | None = None, status: int = 200) -> HttpResponse:
    persons, units = selectors.public_completers(deal=deal)
    now = timezone.now()
    open_for_objections = deal.status == DealStatus.PUBLICITY and not publicity_ended(deal)
    context = {
        "deal": deal,
        "persons": persons,
        "units": units,
        "achievement_public": deal.achievement.status == AchievementStatus.PUBLISHED,
        "ended": publicity_ended(deal),
        "completed": deal.status == DealStatus.COMPLETED,
        "days_left": (deal.publicity_end - now).days if deal.publicity_end and deal.publicity_end > now else None,
        "form": (form or ObjectionForm()) if open_for_objections else None,
        "leader_rewards": leader_rewards(deal),
    }
    return render(request, "deals/public_detail.html", context, status=status)


def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _notice(request, selectors.public_deal_get(pk=pk))


@require_POST
def object_to_price(request: HttpRequest, pk: int) -> HttpResponse:
    """Lodge an objection (anyone, signed in or not); the contact details go to the unit only."""
    deal = selectors.public_deal_get(pk=pk)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            services.objection_lodge(deal=deal, by=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            return redirect("deals:public_detail", pk=pk)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("Your objection is lodged. The unit will answer you through the contact you "
                                        "gave."))
            return redirect("deals:public_detail", pk=pk)
    return _notice(request, deal, form, status=400)
