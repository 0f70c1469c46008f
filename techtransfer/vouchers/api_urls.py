"""Routes of this app under /api/v1/ (gathered by techtransfer/urls.py)."""

from django.urls import path

from techtransfer.api.routing import method_route
from techtransfer.vouchers import api

urlpatterns = [
    path("vouchers/", method_route(get=api.VoucherListApi, post=api.VoucherApplyApi), name="vouchers"),
    path("vouchers/programmes/", api.ProgrammeListApi.as_view(), name="voucher-programmes"),
    path("vouchers/programmes/<int:pk>/", api.ProgrammeDetailApi.as_view(), name="voucher-programme"),
    path("vouchers/programmes/<int:pk>/providers", api.ProviderListApi.as_view(), name="voucher-providers"),
    path("vouchers/programmes/<int:pk>/budget", api.BudgetApi.as_view(), name="voucher-budget"),
    path("vouchers/<int:pk>/", api.VoucherDetailApi.as_view(), name="voucher"),
    path("vouchers/<int:pk>/book", api.VoucherBookApi.as_view(), name="voucher-book"),
    path("vouchers/<int:pk>/use", api.VoucherUseApi.as_view(), name="voucher-use"),
    path("vouchers/<int:pk>/redeem", api.VoucherRedeemApi.as_view(), name="voucher-redeem"),
    *api.STEP_ROUTES,
]
