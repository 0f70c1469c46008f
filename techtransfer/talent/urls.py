from django.urls import path

from techtransfer.talent import views

app_name = "talent"
urlpatterns = [
    path("", views.home, name="home"),
    path("commissioners/new/", views.appoint, name="appoint"),
    path("commissioners/<int:pk>/", views.commissioner_detail, name="commissioner"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("activity/", views.activity, name="activity"),
    path("consultations/", views.consultation_list, name="consultations"),
    path("consultations/new/", views.consultation_new, name="consultation_new"),
    path("consultations/<int:pk>/", views.consultation_detail, name="consultation"),
    path("experts/<int:pk>/claim/", views.expert_claim, name="expert_claim"),
    path("experts/<int:pk>/edit/", views.expert_edit, name="expert_edit"),
    path("experts/<int:pk>/merge/", views.expert_merge, name="expert_merge"),
    path("experts/<int:pk>/merges/<int:merge_pk>/split/", views.expert_split, name="expert_split"),
    path("claims/", views.claim_list, name="claims"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
]
