"""Routes of the matching API under /api/v1/ (included by techtransfer/api/urls.py)."""

from django.urls import path

from techtransfer.matching import api

urlpatterns = [
    path("matching/demands/<int:pk>", api.DemandMatchesApi.as_view(), name="matching-demand"),
    path("matching/achievements/<int:pk>", api.AchievementMatchesApi.as_view(), name="matching-achievement"),
    path(
        "matching/achievements/<int:pk>/similar",
        api.SimilarAchievementsApi.as_view(),
        name="matching-similar",
    ),
    path("matching/search", api.TextMatchesApi.as_view(), name="matching-text"),
    path("matching/status", api.IndexStatusApi.as_view(), name="matching-status"),
    path("experts/<int:pk>", api.ExpertProfileApi.as_view(), name="expert"),
]
