"""Routes of this app under /api/v1/ (included by techtransfer/urls.py)."""

from django.urls import path

from techtransfer.api.routing import method_route
from techtransfer.scireports import api

urlpatterns = [
    path("sci-reports/", method_route(get=api.ReportListApi, post=api.ReportCreateApi), name="sci-reports"),
    path("sci-reports/coverage/", api.CoverageApi.as_view(), name="sci-reports-coverage"),
    path("sci-reports/<int:pk>/", method_route(get=api.ReportDetailApi, patch=api.ReportUpdateApi),
         name="sci-report"),
    *api.STEP_ROUTES,
]
