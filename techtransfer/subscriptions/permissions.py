"""Who may see and change what: subscriptions and notifications are personal, each only its user's."""

from __future__ import annotations

from typing import Any

from techtransfer.subscriptions.models import Notification, Subscription


def can_subscribe(user: Any) -> bool:
    """Any signed-in, active user may subscribe (no organisation needed: the records followed are public)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def owns(user: Any, obj: Subscription | Notification) -> bool:
    return bool(getattr(user, "is_authenticated", False) and obj.user_id == user.pk)
