import json
from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

RULES_DIR = Path(__file__).resolve().parent / "rules"


def filing_rule_specs() -> list[dict[str, Any]]:
    specs: list[dict[str, Any]] = json.loads((RULES_DIR / "filing.json").read_text(encoding="utf-8"))
    return specs


def _load_rules(sender: AppConfig, **kwargs: Any) -> None:
    """The default filing deadline ships as a versioned fixture; an existing row keeps an administrator's change."""
    from django.db import connection

    from techtransfer.agencies.models import FilingRule

    if FilingRule._meta.db_table not in connection.introspection.table_names():
        return
    for spec in filing_rule_specs():
        spec = dict(spec)
        FilingRule.objects.get_or_create(valid_from=spec.pop("valid_from"), defaults=spec)


class AgenciesConfig(AppConfig):
    name = "techtransfer.agencies"
    label = "agencies"
    verbose_name = _("Service agencies")

    def ready(self) -> None:
        post_migrate.connect(_load_rules, sender=self, dispatch_uid="agencies_load_rules")
        # What this app brings to the layers below: its workflows, audit labels, queues and shortcut.
        from techtransfer.agencies import permissions, selectors, workflows  # noqa: F401  (registers the workflows)
        from techtransfer.core.audit import register_action_labels
        from techtransfer.core.workbench import Queue, Shortcut, register_queue, register_shortcut

        register_action_labels(
            {
                "agency.create": _("created the service agency profile"),
                "agency.update": _("edited the service agency profile"),
                "agency.file": _("made the annual filing"),
                "filing_year.save": _("set the filing deadline of a year"),
            }
        )
        register_queue(
            Queue(
                key="agencies_to_review",
                label=_("Service agency profiles to review"),
                url_name="agencies:review_queue",
                works=permissions.reviews_agencies,
                count=lambda user: selectors.agency_review_queue(user=user).count(),
                order=25,
            )
        )
        register_queue(
            Queue(
                key="help_requests_waiting",
                label=_("Requests for help waiting for your answer"),
                url_name="agencies:help_list",
                query="waiting=1",
                works=permissions.has_agency,
                count=lambda user: selectors.help_request_list(user=user, waiting=True).count(),
                order=45,
            )
        )
        register_shortcut(
            Shortcut(key="agencies_mine", label=_("My service agency profiles"), url_name="agencies:mine",
                     shows=permissions.may_register_agency, order=60)
        )
