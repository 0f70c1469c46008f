from django.urls import path

from techtransfer.scireports.views import coverage, reports

app_name = "scireports"
urlpatterns = [
    path("", reports.public_list, name="list"),
    path("mine/", reports.mine, name="mine"),
    path("new/", reports.report_new, name="new"),
    path("queue/", reports.queue, name="queue"),
    path("coverage/", coverage.coverage, name="coverage"),
    path("coverage/remind-all/", coverage.remind_all, name="remind_all"),
    path("coverage/<int:org_pk>/", coverage.coverage_unit, name="coverage_unit"),
    path("coverage/<int:org_pk>/remind/", coverage.remind, name="remind"),
    path("<int:pk>/", reports.report_detail, name="detail"),
    path("<int:pk>/edit/", reports.report_edit, name="edit"),
    path("<int:pk>/file/", reports.report_file, name="file"),
    path("<int:pk>/sharing/", reports.report_sharing, name="sharing"),
]
