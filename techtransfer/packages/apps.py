from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PackagesConfig(AppConfig):
    name = "techtransfer.packages"
    label = "packages"
    verbose_name = _("Achievement packages")

    def ready(self) -> None:
        from techtransfer.core.audit import register_action_labels
        from techtransfer.core.workbench import Shortcut, register_shortcut
        from techtransfer.packages import permissions, workflows  # noqa: F401  (registers)

        register_action_labels({
            "package.create": _("created the achievement package"),
            "package.update": _("edited the achievement package"),
            "package.items": _("changed the achievements of the package"),
        })
        register_shortcut(
            Shortcut(
                key="achievement_packages",
                label=_("Achievement packages"),
                url_name="packages:list",
                shows=permissions.is_editor,
                order=65,
            )
        )
