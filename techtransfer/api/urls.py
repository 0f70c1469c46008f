"""Routes of the JSON API, /api/v1/ (plural kebab-case resources; workflow steps are sub-paths)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView, SpectacularSwaggerView

from techtransfer.accounts import api as accounts_api
from techtransfer.achievements import api as achievements_api
from techtransfer.api import workflow as workflow_api
from techtransfer.api.routing import method_route
from techtransfer.core import api as core_api

app_name = "api"
urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),  # JSON whatever the Accept header
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"), name="redoc"),
    # Achievements
    path(
        "achievements/",
        method_route(get=achievements_api.AchievementListApi, post=achievements_api.AchievementCreateApi),
        name="achievements",
    ),
    path(
        "achievements/<int:pk>/",
        method_route(get=achievements_api.AchievementDetailApi, patch=achievements_api.AchievementUpdateApi),
        name="achievement",
    ),
    *achievements_api.STEP_ROUTES,
    path("achievements/<int:pk>/revise", achievements_api.AchievementReviseApi.as_view(), name="achievement-revise"),
    path(
        "achievements/<int:pk>/attachments",
        achievements_api.AttachmentUploadApi.as_view(),
        name="achievement-attachments",
    ),
    path("achievements/<int:pk>/history", achievements_api.AchievementHistoryApi.as_view(), name="achievement-history"),
    # Code tables and organisations (public)
    path("code-tables/", core_api.CodeTableListApi.as_view(), name="code-tables"),
    path("code-tables/<slug:key>/", core_api.CodeTableDetailApi.as_view(), name="code-table"),
    path("organisations/", accounts_api.OrganisationListApi.as_view(), name="organisations"),
    # The signed-in user and their tokens
    path("me", accounts_api.MeApi.as_view(), name="me"),
    path(
        "tokens/",
        method_route(get=accounts_api.TokenListApi, post=accounts_api.TokenCreateApi),
        name="tokens",
    ),
    path("tokens/<int:pk>/", accounts_api.TokenRevokeApi.as_view(), name="token"),
    # Any workflow record: its state, what you may do next, its history; and taking a step.
    path("workflows/<slug:kind>/<int:pk>", workflow_api.WorkflowRecordApi.as_view(), name="workflow"),
    path(
        "workflows/<slug:kind>/<int:pk>/<slug:step>",
        workflow_api.WorkflowRecordStepApi.as_view(),
        name="workflow-step",
    ),
    # Each app's own routes (demands, challenges, matching, contact requests, subscriptions)
    path("", include("techtransfer.market.api_urls")),
    path("", include("techtransfer.challenges.api_urls")),
    path("", include("techtransfer.matching.api_urls")),
    path("", include("techtransfer.matchmaking.api_urls")),
    path("", include("techtransfer.subscriptions.api_urls")),
]
