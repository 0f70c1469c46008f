from django.urls import path

from techtransfer.matching import views

app_name = "matching"
urlpatterns = [
    path("demands/<int:pk>/", views.demand_matches, name="demand"),
    path("challenges/<int:pk>/", views.challenge_matches, name="challenge"),
    path("achievements/<int:pk>/", views.achievement_matches, name="achievement"),
    path("achievements/<int:pk>/similar/", views.similar_achievements, name="similar"),
    path("experts/<int:pk>/", views.expert_detail, name="expert"),
    path("status/", views.index_status, name="status"),
]
