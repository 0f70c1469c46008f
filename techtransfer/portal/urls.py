from django.urls import path

from techtransfer.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
