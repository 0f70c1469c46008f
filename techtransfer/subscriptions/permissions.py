"""Who may see and change what: subscriptions and notifications are personal, each only its user's."""

from __future__ import annotations

from techtransfer.accounts.permissions import AnyUser, is_signed_in
from techtransfer.subscriptions.models import Notification, Subscription


def can_subscribe(user: AnyUser) -> bool:
    """Any signed-in, active user may subscribe (no organisation needed: the records followed are public)."""
    return (is_signed_in(user) and user.is_active)


def owns(user: AnyUser, obj: Subscription | Notification) -> bool:
    return (is_signed_in(user) and obj.user_id == user.pk)
