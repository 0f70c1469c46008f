"""Routes of this app under /api/v1/ (gathered by techtransfer/urls.py)."""

from django.urls import path

from techtransfer.api.routing import method_route
from techtransfer.investment import api

urlpatterns = [
    path("investors/", method_route(get=api.InvestorListApi, post=api.InvestorCreateApi), name="investors"),
    path("investors/<int:pk>/", method_route(get=api.InvestorDetailApi, patch=api.InvestorUpdateApi),
         name="investor"),
    path("funding-projects/", method_route(get=api.ProjectListApi, post=api.ProjectCreateApi),
         name="funding-projects"),
    path("funding-projects/requests/", api.RequestListApi.as_view(), name="funding-requests"),
    path("funding-projects/requests/<int:pk>/", api.RequestDetailApi.as_view(), name="funding-request"),
    path("funding-projects/requests/<int:pk>/invest", api.RequestInvestApi.as_view(), name="funding-request-invest"),
    path("funding-projects/<int:pk>/", method_route(get=api.ProjectDetailApi, patch=api.ProjectUpdateApi),
         name="funding-project"),
    path("funding-projects/<int:pk>/matches", api.ProjectMatchesApi.as_view(), name="funding-project-matches"),
    path("funding-projects/<int:pk>/requests/", method_route(get=api.ProjectRequestsApi, post=api.ProjectSendApi),
         name="funding-project-requests"),
    *api.STEP_ROUTES,
]
