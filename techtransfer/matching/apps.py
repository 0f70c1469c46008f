from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "techtransfer.matching"
    label = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from techtransfer.achievements.signals import achievement_reindexed
        from techtransfer.market.signals import demand_reindexed
        from techtransfer.matching import tasks
        from techtransfer.matching.engine import semantic_search
        from techtransfer.search.api import documents_indexed, register_semantic_search

        documents_indexed.connect(tasks.on_documents_indexed, dispatch_uid="matching.embed_on_index")
        achievement_reindexed.connect(tasks.on_achievement_reindexed, dispatch_uid="matching.achievement_profiles")
        demand_reindexed.connect(tasks.on_demand_reindexed, dispatch_uid="matching.organisation_profile")
        # The search page falls back on meaning when no record has any word of the query.
        register_semantic_search(semantic_search)
