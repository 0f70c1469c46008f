from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentConfig(AppConfig):
    name = "techtransfer.talent"
    label = "talent"
    verbose_name = _("Experts, S&T commissioners and consultations")

    def ready(self) -> None:
        from techtransfer.core.audit import register_action_labels
        from techtransfer.core.panels import Panel, register_panel
        from techtransfer.core.workbench import Shortcut, register_shortcut
        from techtransfer.talent import panels, permissions, selectors, workflows  # noqa: F401  (registers)

        register_action_labels({
            "commissioner.appoint": _("appointed an S&T commissioner"),
            "commissioner.assign": _("assigned an S&T commissioner"),
            "visit.record": _("recorded a commissioner's visit"),
            "visit.confirm": _("answered a commissioner's visit record"),
            "expert.edit": _("edited an expert profile"),
            "expert.merge": _("merged two expert profiles"),
            "expert.split": _("undid a merge of expert profiles"),
        })
        register_panel(Panel(model="matching.expert", template="talent/_expert_panel.html",
                             context=panels.expert_panel, order=50))
        register_shortcut(
            Shortcut(
                key="commissioners",
                label=_("S&T commissioners"),
                url_name="talent:home",
                shows=lambda user: permissions.is_commission(user)
                or selectors.commissioner_list(user=user).exists()
                or bool(permissions.enterprise_ids(user)),
                order=70,
            )
        )
        register_shortcut(
            Shortcut(
                key="expert_claims",
                label=_("Expert profile claims"),
                url_name="talent:claims",
                shows=lambda user: selectors.claim_list(user=user).exists(),
                order=71,
            )
        )
