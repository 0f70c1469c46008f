from django.urls import path

from techtransfer.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("start/", views.report_start, name="start"),
    path("queue/", views.review_queue, name="queue"),
    path("overview/", views.overview, name="overview"),
    path("overview/export.xlsx", views.overview_xlsx, name="overview_xlsx"),
    path("overview/export.pdf", views.overview_pdf, name="overview_pdf"),
    path("years/", views.years, name="years"),
    path("years/units/<int:pk>/remove/", views.reporting_unit_remove, name="unit_remove"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/edit/", views.report_edit, name="edit"),
    path("<int:pk>/prefill/", views.report_prefill, name="prefill"),
    path("<int:pk>/attachments/", views.ATTACHMENTS.add_view, name="attachment_add"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.ATTACHMENTS.download_view, name="attachment"),
    path("<int:pk>/attachments/<int:attachment_pk>/remove/", views.ATTACHMENTS.remove_view, name="attachment_remove"),
]
