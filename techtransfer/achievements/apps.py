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
