"""Routes of this app under /api/v1/ (gathered by the project's urls.py)."""

from django.urls import path

from techtransfer.achievements import api
from techtransfer.api.routing import method_route

urlpatterns = [
    path("achievements/", method_route(get=api.AchievementListApi, post=api.AchievementCreateApi), name="achievements"),
    path(
        "achievements/<int:pk>/",
        method_route(get=api.AchievementDetailApi, patch=api.AchievementUpdateApi),
        name="achievement",
    ),
    *api.STEP_ROUTES,
    path("achievements/<int:pk>/revise", api.AchievementReviseApi.as_view(), name="achievement-revise"),
    path("achievements/<int:pk>/attachments", api.AttachmentUploadApi.as_view(), name="achievement-attachments"),
    path("achievements/<int:pk>/history", api.AchievementHistoryApi.as_view(), name="achievement-history"),
]
