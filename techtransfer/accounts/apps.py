from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "techtransfer.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self) -> None:
        from techtransfer.core.audit import register_action_labels

        register_action_labels(
            {
                "membership.join": _("asked to join"),
                "membership.approve": _("approved a member"),
                "membership.reject": _("declined a member"),
                "organisation.request": _("requested an organisation"),
                "organisation.verify": _("verified the organisation"),
                "user.signup": _("signed up"),
                "user.email_confirm": _("confirmed the e-mail address"),
                "api_token.create": _("created an API token"),
                "api_token.revoke": _("revoked an API token"),
                "user.settings": _("changed their settings"),
            }
        )
