"""The API's own routes under /api/v1/: the OpenAPI document and its pages, the code tables, and any
workflow record's state and steps. The apps' routes are their own `api_urls` modules, which the project's
urls.py gathers under the same prefix and the "api" namespace (this package names no app)."""

from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from techtransfer.api import codetables
from techtransfer.api import workflow as workflow_api

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),  # JSON whatever the Accept header
    # The split view serves its start-up script from a URL instead of inline, as the Content-Security-Policy asks.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    # Redoc styles itself with <style> elements it writes at run time and searches in a blob: worker: this one
    # page's policy allows both (it shows only the public schema).
    path(
        "redoc/",
        csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})(
            SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")
        ),
        name="redoc",
    ),
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
