from django.urls import path

from techtransfer.ipr import views

app_name = "ipr"
urlpatterns = [
    path("", views.ip_list, name="list"),
    path("new/", views.ip_new, name="new"),
    path("mine/", views.ip_mine, name="mine"),
    path("fees/", views.fees_due, name="fees"),
    path("analysis/", views.analysis, name="analysis"),
    path("import/", views.import_upload, name="import"),
    path("import/template.<slug:fmt>", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_batch, name="import_batch"),
    path("<int:pk>/", views.ip_detail, name="detail"),
    path("<int:pk>/edit/", views.ip_edit, name="edit"),
    path("<int:pk>/fees/", views.fee_add, name="fee_add"),
    path("fee-events/<int:pk>/pay/", views.fee_pay, name="fee_pay"),
]
