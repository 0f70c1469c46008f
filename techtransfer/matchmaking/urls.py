from django.urls import path

from techtransfer.matchmaking import views

app_name = "matchmaking"
urlpatterns = [
    path("", views.contact_request_list, name="list"),
    path("new/", views.contact_request_new, name="new"),
    path("<int:pk>/", views.contact_request_detail, name="detail"),
    path("<int:pk>/notes/", views.contact_note_add, name="note_add"),
]
