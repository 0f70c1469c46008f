"""Routes of this app under /api/v1/ (included by techtransfer/api/urls.py)."""

from django.urls import path

from techtransfer.api.routing import method_route
from techtransfer.matchmaking import api

urlpatterns = [
    path(
        "contact-requests/",
        method_route(get=api.ContactRequestListApi, post=api.ContactRequestOpenApi),
        name="contact-requests",
    ),
    path("contact-requests/<int:pk>/", api.ContactRequestDetailApi.as_view(), name="contact-request"),
    path(
        "contact-requests/<int:pk>/notes",
        method_route(get=api.ContactNoteListApi, post=api.ContactNoteCreateApi),
        name="contact-request-notes",
    ),
    *api.STEP_ROUTES,
]
