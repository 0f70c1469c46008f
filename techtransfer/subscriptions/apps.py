from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "techtransfer.subscriptions"
    label = "subscriptions"
    verbose_name = _("Subscriptions")

    def ready(self) -> None:
        # Work notifications follow every workflow step; subscriptions hear of records entering the index.
        from techtransfer.core.workflow import step_taken
        from techtransfer.search.api import documents_indexed
        from techtransfer.subscriptions.tasks import on_documents_indexed
        from techtransfer.subscriptions.work import on_step_taken

        step_taken.connect(on_step_taken, dispatch_uid="subscriptions.work_notifications")
        documents_indexed.connect(on_documents_indexed, dispatch_uid="subscriptions.notify_published")
