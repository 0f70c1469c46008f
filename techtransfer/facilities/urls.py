from django.urls import path

from techtransfer.facilities import views

app_name = "facilities"
urlpatterns = [
    path("", views.facility_list, name="list"),
    path("new/", views.facility_new, name="new"),
    path("mine/", views.facility_mine, name="mine"),
    path("sharing/", views.sharing, name="sharing"),
    path("bookings/", views.booking_list, name="bookings"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking"),
    path("bookings/<int:pk>/usage/", views.booking_usage, name="booking_usage"),
    path("<int:pk>/", views.facility_detail, name="detail"),
    path("<int:pk>/edit/", views.facility_edit, name="edit"),
]
