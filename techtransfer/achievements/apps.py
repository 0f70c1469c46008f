import json
from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

RULES_DIR = Path(__file__).resolve().parent / "rules"


def _load_rules(sender: AppConfig, **kwargs: Any) -> None:
    """Dated rules ship as versioned fixtures; existing rows keep any change an administrator made."""
    from techtransfer.achievements.models import RegistrationScheme

    for spec in json.loads((RULES_DIR / "registration_schemes.json").read_text(encoding="utf-8")):
        RegistrationScheme.objects.get_or_create(valid_from=spec.pop("valid_from"), defaults=spec)


class AchievementsConfig(AppConfig):
    name = "techtransfer.achievements"
    label = "achievements"
    verbose_name = _("S&T achievements")

    def ready(self) -> None:
        post_migrate.connect(_load_rules, sender=self, dispatch_uid="achievements_load_rules")
        # What this app brings to the layers below: its workflow, audit labels and review queue.
        from techtransfer.accounts.permissions import is_moderator
        from techtransfer.achievements import selectors, workflows  # noqa: F401  (registers the workflow)
        from techtransfer.core.audit import register_action_labels
        from techtransfer.core.workbench import Queue, register_queue

        register_action_labels(
            {
                "achievement.create": _("created the record"),
                "achievement.update": _("edited"),
                "achievement.revise": _("revised after registration"),
                "achievement.import": _("imported achievements"),
                "attachment.add": _("attached a file"),
                "attachment.remove": _("removed a file"),
                "funded_projects.import": _("imported funded projects"),
            }
        )
        register_queue(
            Queue(
                key="achievements_to_review",
                label=_("Achievements to review and register"),
                url_name="achievements:review_queue",
                works=is_moderator,
                count=lambda user: selectors.achievement_review_queue(user=user).count(),
                order=10,
            )
        )
        # The import formats register themselves with core.imports.
        from techtransfer.achievements import funded, importing  # noqa: F401
