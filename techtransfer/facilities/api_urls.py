"""Routes of this app under /api/v1/ (gathered by techtransfer/urls.py)."""

from django.urls import path

from techtransfer.api.routing import method_route
from techtransfer.facilities import api

urlpatterns = [
    path("facilities/", method_route(get=api.FacilityListApi, post=api.FacilityCreateApi), name="facilities"),
    path("facilities/sharing-stats", api.SharingStatsApi.as_view(), name="facility-sharing-stats"),
    path("facilities/bookings/", method_route(get=api.BookingListApi, post=api.BookingCreateApi),
         name="facility-bookings"),
    path("facilities/bookings/<int:pk>/", api.BookingDetailApi.as_view(), name="facility-booking"),
    path("facilities/bookings/<int:pk>/usage", api.BookingUsageApi.as_view(), name="facility-booking-usage"),
    path("facilities/<int:pk>/", method_route(get=api.FacilityDetailApi, patch=api.FacilityUpdateApi),
         name="facility"),
    path("facilities/<int:pk>/calendar", api.FacilityCalendarApi.as_view(), name="facility-calendar"),
    *api.FACILITY_STEP_ROUTES,
    *api.BOOKING_STEP_ROUTES,
]
