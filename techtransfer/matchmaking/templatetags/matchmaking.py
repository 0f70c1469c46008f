"""Template tags for entry points into matchmaking: may this user open a contact request on a pair?

    {% load matchmaking %}
    {% contact_request_open_state demand achievement as state %}   state.can_open, state.existing

It reads the signed-in user from the template context; `matchmaking/_open_button.html` uses it.
"""

from __future__ import annotations

from typing import Any

from django import template

from techtransfer.matchmaking import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def contact_request_open_state(context: template.Context, demand: Any, achievement: Any) -> selectors.OpenState:
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if demand is None or achievement is None:
        return selectors.OpenState()
    return selectors.contact_request_open_state(user=user, demand=demand, achievement=achievement)
