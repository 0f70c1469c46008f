"""Routes of this app under /api/v1/ (included by techtransfer/urls.py)."""

from django.urls import path

from techtransfer.api.routing import method_route
from techtransfer.contracts import api

urlpatterns = [
    path("contracts/", method_route(get=api.ContractListApi, post=api.ContractCreateApi), name="contracts"),
    path("contracts/<int:pk>/", method_route(get=api.ContractDetailApi, patch=api.ContractUpdateApi),
         name="contract"),
    path("contracts/<int:pk>/register", api.ContractRegisterApi.as_view(), name="contract-register"),
    path("contracts/<int:pk>/refuse", api.ContractRefuseApi.as_view(), name="contract-refuse"),
    *api.STEP_ROUTES,
]
