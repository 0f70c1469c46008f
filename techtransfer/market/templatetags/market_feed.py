"""`{% latest_market_feed as feed %}`: the live feed's first items for pages rendered by other apps (home)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def latest_market_feed(limit: int = 10) -> dict[str, Any]:
    from techtransfer.market.views import feed_context

    return feed_context(limit=limit)
