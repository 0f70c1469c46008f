from django.urls import path

from techtransfer.contracts import views
from techtransfer.contracts.views import exchange, imports
from techtransfer.contracts.views.certificate import certificate_urlpatterns

app_name = "contracts"
urlpatterns = [
    path("", views.contract_list, name="list"),
    path("new/", views.contract_new, name="new"),
    path("new/item-row/", views.item_row, name="item_row"),
    path("queue/", views.decision_queue, name="queue"),
    path("import/", imports.import_upload, name="import"),
    path("exchange/", exchange.exchange_download, name="exchange"),
    path("import/<int:pk>/", imports.import_batch, name="import_batch"),
    path("from-contact-request/<int:contact_request_pk>/", views.contract_from_contact_request,
         name="from_contact_request"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/edit/", views.contract_edit, name="edit"),
    path("<int:pk>/register/", views.contract_register, name="register"),
    path("<int:pk>/refuse/", views.contract_refuse, name="refuse"),
    path("<int:pk>/attachments/", views.ATTACHMENTS.add_view, name="attachment_add"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.ATTACHMENTS.download_view, name="attachment"),
    path("<int:pk>/attachments/<int:attachment_pk>/remove/", views.ATTACHMENTS.remove_view, name="attachment_remove"),
    *certificate_urlpatterns,
]
