from django.urls import path

from techtransfer.agencies import views
from techtransfer.agencies.choices import AgencyKind

app_name = "agencies"
urlpatterns = [
    path("", views.agency_directory, name="list"),
    path("new/broker/", views.agency_new, {"kind": AgencyKind.BROKER}, name="new_broker"),
    path("new/institution/", views.agency_new, {"kind": AgencyKind.INSTITUTION}, name="new_institution"),
    path("mine/", views.agency_mine, name="mine"),
    path("review/", views.review_queue, name="review_queue"),
    path("help-requests/", views.help_list, name="help_list"),
    path("help-requests/<int:pk>/", views.help_detail, name="help_detail"),
    path("<int:pk>/", views.agency_detail, name="detail"),
    path("<int:pk>/edit/", views.agency_edit, name="edit"),
    path("<int:pk>/filing/", views.agency_file, name="filing"),
    path("<int:pk>/help/", views.help_new, name="help_new"),
]
