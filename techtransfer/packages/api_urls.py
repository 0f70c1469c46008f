"""Routes of this app under /api/v1/ (gathered by techtransfer/urls.py)."""

from django.urls import path

from techtransfer.api.routing import method_route
from techtransfer.packages import api

urlpatterns = [
    path("packages/", method_route(get=api.PackageListApi, post=api.PackageCreateApi), name="packages"),
    path("packages/key-fields/", method_route(get=api.KeyFieldListApi, post=api.KeyFieldSubscribeApi),
         name="package-key-fields"),
    path("packages/<int:pk>/", method_route(get=api.PackageDetailApi, patch=api.PackageUpdateApi), name="package"),
    path("packages/<int:pk>/achievements/", api.PackageItemAddApi.as_view(), name="package-achievements"),
    path("packages/<int:pk>/suggestions", api.PackageSuggestionsApi.as_view(), name="package-suggestions"),
    *api.STEP_ROUTES,
]
