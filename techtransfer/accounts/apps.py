from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "techtransfer.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self) -> None:
        from techtransfer.accounts import selectors
        from techtransfer.accounts.abuse import form_tokens_purge
        from techtransfer.accounts.permissions import is_moderator
        from techtransfer.core.audit import register_action_labels
        from techtransfer.core.housekeeping import Purge, register_purge
        from techtransfer.core.workbench import Queue, register_queue

        register_queue(
            Queue(
                key="organisations_to_verify",
                label=_("Organisations to verify"),
                url_name="accounts:verification_queue",
                works=is_moderator,
                count=lambda user: selectors.organisation_verification_queue(user=user).count(),
                help=_("New organisations may only draft until you verify them."),
                order=5,
            )
        )

        register_purge(Purge("form_tokens", 2, form_tokens_purge))
        register_action_labels(
            {
                "membership.join": _("asked to join"),
                "membership.approve": _("approved a member"),
                "membership.reject": _("declined a member"),
                "organisation.request": _("requested an organisation"),
                "organisation.verify": _("verified the organisation"),
                "organisation.refuse": _("refused to verify the organisation"),
                "user.signup_existing": _("someone tried to sign up with this address"),
                "user.signup": _("signed up"),
                "user.email_confirm": _("confirmed the e-mail address"),
                "api_token.create": _("created an API token"),
                "api_token.revoke": _("revoked an API token"),
                "user.settings": _("changed their settings"),
            }
        )
