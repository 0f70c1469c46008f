"""Routes of this app under /api/v1/ (included by techtransfer/urls.py)."""

from django.urls import path

from techtransfer.api.routing import method_route
from techtransfer.reports import api

urlpatterns = [
    path("annual-reports/", api.ReportListApi.as_view(), name="annual-reports"),
    path("annual-reports/overview/", api.OverviewApi.as_view(), name="annual-reports-overview"),
    path("annual-reports/<int:pk>/", method_route(get=api.ReportDetailApi, patch=api.ReportUpdateApi),
         name="annual-report"),
    *api.STEP_ROUTES,
]
