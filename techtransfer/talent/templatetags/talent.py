"""`may_ask_consultation`: whether the visitor may ask an expert for a consultation (a member of an enterprise).
Used by talent/_ask_button.html, which pages of lower apps include where they show an expert."""

from __future__ import annotations

from typing import Any

from django import template

from techtransfer.talent import permissions as perms

register = template.Library()


@register.simple_tag(takes_context=True)
def may_ask_consultation(context: Any) -> bool:
    request = context.get("request")
    return bool(request is not None and perms.enterprise_ids(request.user))
