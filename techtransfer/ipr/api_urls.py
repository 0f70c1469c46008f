"""Routes of this app under /api/v1/ (gathered by techtransfer/urls.py)."""

from django.urls import path

from techtransfer.api.routing import method_route
from techtransfer.ipr import api

urlpatterns = [
    path("ip-records/", method_route(get=api.IPRecordListApi, post=api.IPRecordCreateApi), name="ip-records"),
    path("ip-records/analysis", api.AnalysisApi.as_view(), name="ip-analysis"),
    path("ip-records/fees-due", api.FeesDueApi.as_view(), name="ip-fees-due"),
    path(
        "ip-records/<int:pk>/",
        method_route(get=api.IPRecordDetailApi, patch=api.IPRecordUpdateApi),
        name="ip-record",
    ),
    path("ip-records/<int:pk>/fees/", api.FeeCreateApi.as_view(), name="ip-record-fees"),
    path("ip-records/<int:pk>/fees/<int:fee_pk>/pay", api.FeePayApi.as_view(), name="ip-record-fee-pay"),
    *api.STEP_ROUTES,
]
