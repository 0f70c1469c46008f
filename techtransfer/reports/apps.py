import json
from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

RULES_DIR = Path(__file__).resolve().parent / "rules"


def deadline_rule_specs() -> list[dict[str, Any]]:
    specs: list[dict[str, Any]] = json.loads((RULES_DIR / "deadlines.json").read_text(encoding="utf-8"))
    return specs


def _load_rules(sender: AppConfig, **kwargs: Any) -> None:
    """The default deadline rules ship as a versioned fixture; existing rows keep an administrator's change."""
    from django.db import connection

    from techtransfer.reports.models import DeadlineRule

    if DeadlineRule._meta.db_table not in connection.introspection.table_names():
        return
    for spec in deadline_rule_specs():
        spec = dict(spec)
        DeadlineRule.objects.get_or_create(valid_from=spec.pop("valid_from"), defaults=spec)


class ReportsConfig(AppConfig):
    name = "techtransfer.reports"
    label = "reports"
    verbose_name = _("Annual transformation reports")

    def ready(self) -> None:
        post_migrate.connect(_load_rules, sender=self, dispatch_uid="reports_load_rules")
        from techtransfer.accounts.permissions import is_commission_admin
        from techtransfer.core.audit import register_action_labels
        from techtransfer.core.workbench import Queue, Shortcut, register_queue, register_shortcut
        from techtransfer.reports import selectors, workflows  # noqa: F401  (registers the workflow)
        from techtransfer.reports.permissions import works_queue, writes_or_reviews_reports

        register_action_labels(
            {
                "annual_report.create": _("started the annual report"),
                "annual_report.prefill": _("filled in the figures from the platform"),
                "annual_report.update": _("edited the annual report"),
                "annual_report_attachment.add": _("attached a file"),
                "annual_report_attachment.remove": _("removed a file"),
                "reporting_year.save": _("set the deadlines of a reporting year"),
                "reporting_unit.add": _("added a reporting unit"),
                "reporting_unit.remove": _("removed a reporting unit"),
            }
        )
        register_queue(
            Queue(
                key="annual_reports_to_review",
                label=_("Annual reports to review"),
                url_name="reports:queue",
                works=works_queue,
                count=lambda user: selectors.review_queue(user=user).count(),
                order=40,
            )
        )
        register_shortcut(
            Shortcut(key="annual_reports", label=_("Annual transformation reports"), url_name="reports:list",
                     shows=writes_or_reviews_reports, order=50)
        )
        register_shortcut(
            Shortcut(key="annual_reports_overview", label=_("Annual reports: overview"), url_name="reports:overview",
                     shows=is_commission_admin, order=51)
        )
