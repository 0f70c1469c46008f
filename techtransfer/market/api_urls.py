"""Routes of this app under /api/v1/ (included by techtransfer/api/urls.py)."""

from django.urls import path

from techtransfer.api.routing import method_route
from techtransfer.market import api

urlpatterns = [
    path("demands/", method_route(get=api.DemandListApi, post=api.DemandCreateApi), name="demands"),
    path("demands/<int:pk>/", method_route(get=api.DemandDetailApi, patch=api.DemandUpdateApi), name="demand"),
    path("demands/<int:pk>/submit", api.DemandSubmitApi.as_view(), name="demand-submit"),
    path("demands/<int:pk>/approve", api.DemandApproveApi.as_view(), name="demand-approve"),
    path("demands/<int:pk>/reject", api.DemandRejectApi.as_view(), name="demand-reject"),
    path("demands/<int:pk>/close", api.DemandCloseApi.as_view(), name="demand-close"),
    path("demands/<int:pk>/mark-matched", api.DemandMarkMatchedApi.as_view(), name="demand-mark-matched"),
]
