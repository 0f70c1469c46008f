"""Routes of this app under /api/v1/ (included by techtransfer/urls.py's API_ROUTES)."""

from django.urls import path

from techtransfer.agencies import api
from techtransfer.api.routing import method_route

urlpatterns = [
    path("agencies/", method_route(get=api.AgencyListApi, post=api.InstitutionCreateApi), name="agencies"),
    path(
        "agencies/help-requests/",
        method_route(get=api.HelpRequestListApi, post=api.HelpRequestOpenApi),
        name="agency-help-requests",
    ),
    path("agencies/help-requests/<int:pk>/", api.HelpRequestDetailApi.as_view(), name="agency-help-request"),
    path("agencies/<int:pk>/", method_route(get=api.AgencyDetailApi, patch=api.AgencyUpdateApi), name="agency"),
    path(
        "agencies/<int:pk>/filings/",
        method_route(get=api.FilingListApi, post=api.FilingCreateApi),
        name="agency-filings",
    ),
    path("brokers/", method_route(get=api.BrokerListApi, post=api.BrokerCreateApi), name="brokers"),
    path("brokers/<int:pk>/", api.BrokerDetailApi.as_view(), name="broker"),
    *api.STEP_ROUTES,
    *api.HELP_STEP_ROUTES,
]
