"""Routes of this app under /api/v1/ (gathered by techtransfer/urls.py)."""

from django.urls import path

from techtransfer.api.routing import method_route
from techtransfer.talent import api

urlpatterns = [
    path("commissioners/", method_route(get=api.CommissionerListApi, post=api.CommissionerAppointApi),
         name="commissioners"),
    path("commissioners/activity", api.ActivityApi.as_view(), name="commissioners-activity"),
    path("commissioners/visits/", api.VisitListApi.as_view(), name="commissioner-visits"),
    path("commissioners/visits/<int:pk>/", api.VisitDetailApi.as_view(), name="commissioner-visit"),
    path("commissioners/visits/<int:pk>/confirm", api.VisitConfirmApi.as_view(), name="commissioner-visit-confirm"),
    path("commissioners/assignments/<int:pk>/visits/", api.VisitCreateApi.as_view(),
         name="commissioner-assignment-visits"),
    path("commissioners/<int:pk>/", api.CommissionerDetailApi.as_view(), name="commissioner"),
    path("commissioners/<int:pk>/assignments/", api.AssignmentCreateApi.as_view(), name="commissioner-assignments"),
    path("consultations/", method_route(get=api.ConsultationListApi, post=api.ConsultationCreateApi),
         name="consultations"),
    path("consultations/<int:pk>/", api.ConsultationDetailApi.as_view(), name="consultation"),
    *api.STEP_ROUTES,
    path("expert-claims/", api.ClaimListApi.as_view(), name="expert-claims"),
    path("expert-claims/<int:pk>/", api.ClaimDetailApi.as_view(), name="expert-claim"),
    *api.CLAIM_STEP_ROUTES,
    path("experts/<int:pk>/claims", api.ClaimCreateApi.as_view(), name="expert-claims-create"),
    path("experts/<int:pk>/profile", api.ExpertProfileUpdateApi.as_view(), name="expert-profile"),
    path("experts/<int:pk>/merge", api.ExpertMergeApi.as_view(), name="expert-merge"),
    path("experts/<int:pk>/merges", api.ExpertMergesApi.as_view(), name="expert-merges"),
    path("experts/<int:pk>/merges/<int:merge_pk>/split", api.ExpertSplitApi.as_view(), name="expert-split"),
]
