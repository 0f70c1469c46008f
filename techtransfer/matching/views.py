"""Match panels, loaded by htmx into the detail pages of demands, challenges and achievements.

Each panel is a fragment; the filters form inside it reloads the fragment in place (and, without
JavaScript, the same URL renders as a full page).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from techtransfer.accounts.permissions import is_commission_admin
from techtransfer.achievements.selectors import achievement_get
from techtransfer.market.selectors import demand_get
from techtransfer.matching import selectors
from techtransfer.matching.indexing import index_progress, index_progress_by_kind


def _filters(request: HttpRequest) -> dict[str, list[str]]:
    return {
        name: [v for v in request.GET.getlist(name) if v][:10]
        for name in selectors.FILTER_NAMES
        if request.GET.get(name)
    }


def _fragment(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _panel(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    """The panel; the engine's results are cached by the selectors, the HTML is rendered per request (it
    holds per-user parts: the contact-request button)."""
    template = "matching/_panel.html" if _fragment(request) else "matching/panel_page.html"
    context = {"filters": _filters(request), "filter_options": selectors.filter_options(), **context}
    return render(request, template, {"panel_url": request.path, **context})


@require_GET
def demand_matches(request: HttpRequest, pk: int) -> HttpResponse:
    demand = demand_get(user=request.user, pk=pk)
    groups = selectors.demand_matches(demand=demand, filters=_filters(request))
    return _panel(request, {"groups": groups, "source": demand, "source_kind": "demand", "demand": demand})


@require_GET
def challenge_matches(request: HttpRequest, pk: int) -> HttpResponse:
    from techtransfer.challenges.selectors import challenge_get

    challenge = challenge_get(user=request.user, pk=pk)
    groups = selectors.document_solver_matches(
        kind="challenge", object_id=challenge.pk, owner_id=challenge.owner_id, filters=_filters(request)
    )
    return _panel(request, {"groups": groups, "source": challenge, "source_kind": "challenge"})


@require_GET
def achievement_matches(request: HttpRequest, pk: int) -> HttpResponse:
    achievement = achievement_get(user=request.user, pk=pk)
    groups = selectors.achievement_matches(achievement=achievement, filters=_filters(request))
    return _panel(
        request, {"groups": groups, "source": achievement, "source_kind": "achievement", "achievement": achievement}
    )


@require_GET
def similar_achievements(request: HttpRequest, pk: int) -> HttpResponse:
    achievement = achievement_get(user=request.user, pk=pk)
    results = selectors.similar_achievements(achievement=achievement)
    return render(request, "matching/_similar.html", {"results": results, "achievement": achievement})


@require_GET
def expert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "matching/expert.html", {"profile": selectors.expert_profile(pk=pk)})


NOT_AN_ADMIN = _("The matching index status is for the commission's administrators.")


@require_GET
@login_required
def index_status(request: HttpRequest) -> HttpResponse:
    """Indexing progress for the commission's staff; the bar refreshes itself while work is pending."""
    # A signed-in user who may not see it gets a 403: sending them to the login page (user_passes_test)
    # would send them straight back here, since the login page passes signed-in users on.
    if not is_commission_admin(request.user):
        raise PermissionDenied(NOT_AN_ADMIN)
    progress = index_progress()
    kinds = index_progress_by_kind()
    # Vectors of the better embedders, made after those in use (they do not refresh the bar).
    prepared = [(name, index_progress(name)) for name in settings.MATCHING_PREPARED_EMBEDDERS]
    template = "matching/_status.html" if _fragment(request) else "matching/status.html"
    context = {"progress": progress, "kinds": kinds, "prepared": prepared,
               "switch_percent": round(100 * settings.MATCHING_SWITCH_SHARE)}
    return render(request, template, context)
