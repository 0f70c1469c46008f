"""The deal pages (S8): the unit's records under /deals/, the public publicity notices under /deals/publicity/."""

from django.urls import URLPattern, URLResolver, path

from techtransfer.deals.views import deals, public

urlpatterns: list[URLPattern | URLResolver] = [
    path("", deals.deal_list, name="list"),
    path("new/", deals.deal_create, name="create"),
    path("mode-fields/", deals.mode_fields, name="mode_fields"),
    path("publicity/", public.public_list, name="public_list"),
    path("publicity/<int:pk>/", public.public_detail, name="public_detail"),
    path("publicity/<int:pk>/object/", public.object_to_price, name="object"),
    path("<int:pk>/", deals.deal_detail, name="detail"),
    path("<int:pk>/edit/", deals.deal_edit, name="edit"),
    path("<int:pk>/complete/", deals.deal_complete, name="complete"),
    path("<int:pk>/contract/", deals.link_contract, name="link_contract"),
    path("<int:pk>/attachments/", deals.ATTACHMENTS.add_view, name="attachment_add"),
    path("<int:pk>/attachments/<int:attachment_pk>/", deals.ATTACHMENTS.download_view, name="attachment"),
    path("<int:pk>/attachments/<int:attachment_pk>/remove/", deals.ATTACHMENTS.remove_view, name="attachment_remove"),
    path("<int:pk>/objections/<int:objection_pk>/answer/", deals.objection_answer, name="objection_answer"),
]
