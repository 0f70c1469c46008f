from django.urls import path

from techtransfer.achievements import views

app_name = "achievements"
urlpatterns = [
    path("", views.achievement_list, name="list"),
    path("new/", views.achievement_new, name="new"),
    path("rows/<slug:prefix>/", views.form_row, name="form_row"),
    path("review/", views.review_queue, name="review_queue"),
    path("export.<slug:fmt>", views.achievement_export, name="export"),
    path("exports/<int:pk>/", views.export_status, name="export_status"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("import/", views.import_upload, name="import"),
    path("import/template.<slug:fmt>", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_batch, name="import_batch"),
    path("funded-projects/", views.funded_owing, name="funded"),
    path("funded-projects/import/", views.funded_import, name="funded_import"),
    path("funded-projects/<int:pk>.<slug:fmt>", views.funded_owing_export, name="funded_export"),
    path("<int:pk>/", views.achievement_detail, name="detail"),
    path("<int:pk>/edit/", views.achievement_edit, name="edit"),
    path("<int:pk>/revise/", views.achievement_revise, name="revise"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path("<int:pk>/attachments/<int:attachment_pk>/remove/", views.attachment_remove, name="attachment_remove"),
]
