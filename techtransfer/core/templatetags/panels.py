"""`{% record_panels record %}`: the panels apps above registered for the record's model (core.panels)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from techtransfer.core.panels import panels_for

register = template.Library()


@register.simple_tag(takes_context=True)
def record_panels(context: template.Context, record: Any) -> SafeString:
    request = context["request"]
    parts = [
        render_to_string(template_name, {**panel_context, "record": record}, request=request)
        for template_name, panel_context in panels_for(request, record)
    ]
    return mark_safe("".join(parts))  # each part was rendered by the template engine, escaping included
