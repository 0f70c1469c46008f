"""Routes of the statistics API under /api/v1/ (gathered by the project's urls.py into API_ROUTES)."""

from django.urls import path

from techtransfer.stats import api

urlpatterns = [
    path("stats/summary", api.SummaryApi.as_view(), name="stats-summary"),
    path("stats/breakdown", api.BreakdownApi.as_view(), name="stats-breakdown"),
    path("stats/flows", api.FlowsApi.as_view(), name="stats-flows"),
    path("stats/region-groups", api.RegionGroupsApi.as_view(), name="stats-region-groups"),
    path("stats/live", api.LiveApi.as_view(), name="stats-live"),
]
