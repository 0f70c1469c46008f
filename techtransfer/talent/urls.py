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
]
