import json
from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

RULES_DIR = Path(__file__).resolve().parent / "rules"


def rule_set_specs() -> list[dict[str, Any]]:
    """The shipped rule sets, with "same as <date>" resolved to that rule set's value."""
    specs: list[dict[str, Any]] = json.loads((RULES_DIR / "rule_sets.json").read_text(encoding="utf-8"))
    by_date = {spec["valid_from"]: spec for spec in specs}
    for spec in specs:
        for key, value in list(spec.items()):
            if isinstance(value, str) and value.startswith("same as "):
                spec[key] = by_date[value.removeprefix("same as ")][key]
    return specs


def _load_rules(sender: AppConfig, **kwargs: Any) -> None:
    """Dated rules ship as versioned fixtures; existing rows keep any change an administrator made."""
    from django.db import connection

    from techtransfer.contracts.models import ContractRuleSet

    # Not after `migrate contracts` back to before the table existed.
    if ContractRuleSet._meta.db_table not in connection.introspection.table_names():
        return
    for spec in rule_set_specs():
        ContractRuleSet.objects.get_or_create(valid_from=spec.pop("valid_from"), defaults=spec)


def _contact_request_panel(request: Any, record: Any) -> Any:
    from techtransfer.contracts.views.applications import contact_request_panel

    return contact_request_panel(request, record)


class ContractsConfig(AppConfig):
    name = "techtransfer.contracts"
    label = "contracts"
    verbose_name = _("Technology contracts")

    def ready(self) -> None:
        post_migrate.connect(_load_rules, sender=self, dispatch_uid="contracts_load_rules")
        from techtransfer.contracts import selectors, workflows  # noqa: F401  (registers the workflow)
        from techtransfer.contracts.permissions import is_registrar
        from techtransfer.core.audit import register_action_labels
        from techtransfer.core.workbench import Queue, register_queue

        register_action_labels(
            {
                "contract.create": _("created the application"),
                "contract.update": _("edited the application"),
                "contract.import": _("imported registered contracts"),
                "contract_attachment.add": _("attached a file"),
                "contract_attachment.remove": _("removed a file"),
            }
        )
        from techtransfer.core.panels import Panel, register_panel

        register_panel(
            Panel(
                model="matchmaking.contactrequest",
                template="contracts/_contact_request_panel.html",
                context=lambda request, record: _contact_request_panel(request, record),
            )
        )
        register_queue(
            Queue(
                key="contracts_to_decide",
                label=_("Technology contracts to decide"),
                url_name="contracts:queue",
                works=is_registrar,
                count=lambda user: selectors.contract_decision_queue(user=user).count(),
                order=15,
            )
        )
