"""The nav's unread-notifications count: one small query per page, none for anonymous visitors."""

from __future__ import annotations

from typing import Any

from django import template

from techtransfer.subscriptions.selectors import UNREAD_BADGE_CAP, unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: Any) -> str:
    """The count as the badge shows it ("" for none, "99+" past the cap); computed once per request."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if not getattr(user, "is_authenticated", False):
        return ""
    cached = getattr(request, "_unread_notifications", None) if request is not None else None
    if cached is None:
        cached = unread_count(user=user)
        if request is not None:
            request._unread_notifications = cached
    return badge(cached)


@register.filter
def badge(count: int) -> str:
    if not count:
        return ""
    return f"{UNREAD_BADGE_CAP}+" if count > UNREAD_BADGE_CAP else str(count)
