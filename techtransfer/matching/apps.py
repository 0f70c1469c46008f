from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "techtransfer.matching"
    label = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from techtransfer.matching.tasks import on_documents_indexed
        from techtransfer.search.api import documents_indexed

        documents_indexed.connect(on_documents_indexed, dispatch_uid="matching.embed_on_index")
