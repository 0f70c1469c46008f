from django.urls import path

from techtransfer.investment import views

app_name = "investment"
urlpatterns = [
    path("", views.investor_list, name="list"),
    path("investors/new/", views.investor_new, name="investor_new"),
    path("investors/mine/", views.investor_mine, name="investor_mine"),
    path("investors/<int:pk>/", views.investor_detail, name="investor"),
    path("investors/<int:pk>/edit/", views.investor_edit, name="investor_edit"),
    path("projects/", views.project_list, name="projects"),
    path("projects/new/", views.project_new, name="project_new"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/send/", views.request_send, name="send"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/outcome/", views.request_invest, name="invest"),
]
