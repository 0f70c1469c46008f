"""Routes of the deals (S8) under /api/v1/ (included through deals/api_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from techtransfer.api.routing import method_route
from techtransfer.deals import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("deals/", method_route(get=api.DealListApi, post=api.DealCreateApi), name="deals"),
    path("deals/<int:pk>/", method_route(get=api.DealDetailApi, patch=api.DealUpdateApi), name="deal"),
    path("deals/<int:pk>/complete", api.DealCompleteApi.as_view(), name="deal-complete"),
    path("deals/<int:pk>/objections/", method_route(get=api.ObjectionListApi, post=api.ObjectionLodgeApi),
         name="deal-objections"),
    path("deals/<int:pk>/objections/<int:objection_pk>/answer", api.ObjectionAnswerApi.as_view(),
         name="deal-objection-answer"),
    path("publicity/", api.PublicityListApi.as_view(), name="publicity"),
    path("publicity/<int:pk>/", api.PublicityDetailApi.as_view(), name="publicity-detail"),
    *api.STEP_ROUTES,
]
