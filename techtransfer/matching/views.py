"""Match panels, loaded by htmx into the detail pages of demands, challenges and achievements."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def demand_matches(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse("")


def challenge_matches(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse("")


def achievement_matches(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse("")


def similar_achievements(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse("")
