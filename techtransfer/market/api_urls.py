"""Routes of this app under /api/v1/ (included by techtransfer/api/urls.py)."""

from django.urls import path

from techtransfer.api.routing import method_route
from techtransfer.market import api

urlpatterns = [
    path("demands/", method_route(get=api.DemandListApi, post=api.DemandCreateApi), name="demands"),
    path("demands/<int:pk>/", method_route(get=api.DemandDetailApi, patch=api.DemandUpdateApi), name="demand"),
    *api.STEP_ROUTES,
]
