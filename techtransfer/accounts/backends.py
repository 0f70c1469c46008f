from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest

from techtransfer.accounts.abuse import password_check_slot
from techtransfer.accounts.permissions import is_commission_admin


class EmailOrUsernameBackend(ModelBackend):
    """Sign in with either the user name or the e-mail address."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None or password is None:
            return None
        user_model = get_user_model()
        user = user_model.objects.filter(Q(username=username) | Q(email__iexact=username)).first()
        # Every hash waits for a slot (accounts.abuse): parallel log-ins cannot take all the CPU.
        with password_check_slot():
            if user is None:
                user_model().set_password(password)  # same cost as a real check, so timing does not reveal users
                return None
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        """Model permissions from groups and users, plus those of the commission administrator's role (so the
        role works in the Django admin without anyone handing out permissions there)."""
        permissions: set[str] = super().get_all_permissions(user_obj, obj)
        if obj is None and user_obj.is_active and not user_obj.is_anonymous and is_commission_admin(user_obj):
            return permissions | COMMISSION_ADMIN_PERMISSIONS
        return permissions


def _perms(app_model: str, *actions: str) -> set[str]:
    app, model = app_model.split(".")
    return {f"{app}.{action}_{model}" for action in actions}


# What the commission administrator looks after in the admin (README: code tables, organisations, numbering
# rules, funded projects), and what it may only read. No delete anywhere: records end through their
# workflows, the audit trail and the number sequences are never rewritten; users' rights, roles and passwords
# and API tokens stay with superusers; sealed proposals and private contact requests are not the commission's.
COMMISSION_ADMIN_PERMISSIONS = frozenset(
    _perms("core.codetable", "view", "change")
    | _perms("core.codeitem", "view", "add", "change")
    | _perms("core.auditevent", "view")
    | _perms("core.importbatch", "view")
    | _perms("accounts.organisation", "view", "add", "change")
    | _perms("accounts.membership", "view")  # changing roles would let it make more administrators
    | _perms("accounts.user", "view")
    | _perms("achievements.achievement", "view")
    | _perms("achievements.registrationscheme", "view", "add", "change")
    | _perms("achievements.numbersequence", "view")
    | _perms("achievements.fundedproject", "view", "add", "change")
    | _perms("market.technologydemand", "view")
    | _perms("challenges.challenge", "view")
    | _perms("challenges.challengequestion", "view")
)
