from django.urls import path

from techtransfer.vouchers import views

app_name = "vouchers"
urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("review/", views.review, name="review"),
    path("programmes/new/", views.programme_form, name="programme_new"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme"),
    path("programmes/<int:pk>/edit/", views.programme_form, name="programme_edit"),
    path("programmes/<int:pk>/apply/", views.apply, name="apply"),
    path("programmes/<int:pk>/budget/", views.budget, name="budget"),
    path("programmes/<int:programme_pk>/providers/new/", views.provider_form, name="provider_new"),
    path("providers/<int:pk>/edit/", views.provider_form, name="provider_edit"),
    path("<int:pk>/", views.voucher_detail, name="detail"),
    path("<int:pk>/book/<int:facility_pk>/", views.voucher_book, name="book"),
    path("<int:pk>/use/", views.voucher_use, name="use"),
    path("<int:pk>/redeem/", views.voucher_redeem, name="redeem"),
    path("<int:pk>/report/", views.voucher_report, name="report"),
]
