"""Routes of this app under /api/v1/ (gathered by techtransfer/urls.py)."""

from django.urls import path

from techtransfer.api.routing import method_route
from techtransfer.carriers import api

urlpatterns = [
    path("carriers/", method_route(get=api.CarrierListApi, post=api.CarrierCreateApi), name="carriers"),
    path("carriers/incubation", api.IncubationApi.as_view(), name="carriers-incubation"),
    path("carriers/<int:pk>/", method_route(get=api.CarrierDetailApi, patch=api.CarrierUpdateApi), name="carrier"),
    path("carriers/<int:pk>/firms/", method_route(get=api.FirmListApi, post=api.FirmCreateApi), name="carrier-firms"),
    path(
        "carriers/<int:pk>/firms/<int:firm_pk>/",
        method_route(get=api.FirmDetailApi, patch=api.FirmUpdateApi),
        name="carrier-firm",
    ),
    *api.STEP_ROUTES,
]
