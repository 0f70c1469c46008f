import json
from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

RULES_DIR = Path(__file__).resolve().parent / "rules"


def _load_rules(sender: AppConfig, **kwargs: Any) -> None:
    """Dated rules ship as versioned fixtures; existing rows keep any change an administrator made."""
    from django.db import connection

    from techtransfer.deals.models import RewardRuleSet

    if RewardRuleSet._meta.db_table not in connection.introspection.table_names():
        return
    for spec in json.loads((RULES_DIR / "rule_sets.json").read_text(encoding="utf-8")):
        RewardRuleSet.objects.get_or_create(
            valid_from=spec.pop("valid_from"), region_prefix=spec.pop("region_prefix"), defaults=spec
        )


class DealsConfig(AppConfig):
    name = "techtransfer.deals"
    label = "deals"
    verbose_name = _("Transformation deals and income distribution")

    def ready(self) -> None:
        post_migrate.connect(_load_rules, sender=self, dispatch_uid="deals_load_rules")
        # Each part registers its workflow, audit labels, workbench queues and panels when imported.
        from techtransfer.deals import setup_deals, setup_rewards  # noqa: F401
