from django.urls import path

from techtransfer.carriers import views

app_name = "carriers"
urlpatterns = [
    path("", views.carrier_list, name="list"),
    path("new/", views.carrier_new, name="new"),
    path("mine/", views.carrier_mine, name="mine"),
    path("review/", views.review_queue, name="review_queue"),
    path("incubation/", views.incubation, name="incubation"),
    path("import/template.<slug:fmt>", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_batch, name="import_batch"),
    path("<int:pk>/", views.carrier_detail, name="detail"),
    path("<int:pk>/edit/", views.carrier_edit, name="edit"),
    path("<int:pk>/firms/new/", views.firm_new, name="firm_new"),
    path("<int:pk>/firms/import/", views.firm_import, name="firm_import"),
    path("<int:pk>/firms/<int:firm_pk>/edit/", views.firm_edit, name="firm_edit"),
]
