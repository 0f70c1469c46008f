"""The API's own routes under /api/v1/: the OpenAPI document and its pages, the code tables, and any
workflow record's state and steps. The apps' routes are their own `api_urls` modules, which the project's
urls.py gathers under the same prefix and the "api" namespace (this package names no app)."""

from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView, SpectacularSwaggerView

from techtransfer.api import codetables
from techtransfer.api import workflow as workflow_api

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),  # JSON whatever the Accept header
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"), name="redoc"),
    # Code tables (public)
    path("code-tables/", codetables.CodeTableListApi.as_view(), name="code-tables"),
    path("code-tables/<slug:key>/", codetables.CodeTableDetailApi.as_view(), name="code-table"),
    # Any workflow record: its state, what you may do next, its history; and taking a step.
    path("workflows/<slug:kind>/<int:pk>", workflow_api.WorkflowRecordApi.as_view(), name="workflow"),
    path(
        "workflows/<slug:kind>/<int:pk>/<slug:step>",
        workflow_api.WorkflowRecordStepApi.as_view(),
        name="workflow-step",
    ),
]
