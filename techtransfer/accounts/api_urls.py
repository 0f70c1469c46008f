"""Routes of this app under /api/v1/ (gathered by the project's urls.py)."""

from django.urls import path

from techtransfer.accounts import api
from techtransfer.api.routing import method_route

urlpatterns = [
    path("organisations/", api.OrganisationListApi.as_view(), name="organisations"),
    path("organisations/<int:pk>/decide", api.OrganisationDecideApi.as_view(), name="organisation-decide"),
    # The signed-in user and their tokens
    path("me", api.MeApi.as_view(), name="me"),
    path("tokens/", method_route(get=api.TokenListApi, post=api.TokenCreateApi), name="tokens"),
    path("tokens/<int:pk>/", api.TokenRevokeApi.as_view(), name="token"),
]
