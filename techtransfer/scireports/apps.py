import json
from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

RULES_DIR = Path(__file__).resolve().parent / "rules"


def _load_rules(sender: AppConfig, **kwargs: Any) -> None:
    """The dated report rules ship as a versioned fixture; existing rows keep any change an administrator made."""
    from django.db import connection

    from techtransfer.scireports.models import ReportRuleSet

    if ReportRuleSet._meta.db_table not in connection.introspection.table_names():
        return
    for spec in json.loads((RULES_DIR / "rule_sets.json").read_text(encoding="utf-8")):
        ReportRuleSet.objects.get_or_create(valid_from=spec.pop("valid_from"), defaults=spec)


class SciReportsConfig(AppConfig):
    name = "techtransfer.scireports"
    label = "scireports"
    verbose_name = _("S&T reports")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(_load_rules, sender=self, dispatch_uid="scireports_load_rules")
        from techtransfer.accounts.permissions import is_commission_admin
        from techtransfer.core.audit import register_action_labels
        from techtransfer.core.workbench import Queue, Shortcut, register_queue, register_shortcut
        from techtransfer.scireports import selectors, workflows  # noqa: F401  (registers the workflow)

        register_action_labels(
            {
                "scireport.create": _("created the S&T report"),
                "scireport.update": _("edited the S&T report"),
                "scireport.sharing": _("changed the sharing status"),
                "scireport.reminder": _("reminded the unit of missing S&T reports"),
            }
        )
        register_queue(
            Queue(
                key="scireports_to_accept",
                label=_("S&T reports to accept"),
                url_name="scireports:queue",
                works=is_commission_admin,
                count=lambda user: selectors.report_decision_queue(user=user).count(),
                order=16,
            )
        )
        register_shortcut(
            Shortcut(key="scireports", label=_("S&T reports"), url_name="scireports:mine",
                     shows=selectors.has_funded_projects, order=55)
        )
        register_shortcut(
            Shortcut(key="scireports_coverage", label=_("S&T reports: coverage"), url_name="scireports:coverage",
                     shows=is_commission_admin, order=56)
        )
