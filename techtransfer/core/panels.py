"""Panels that apps above add to the pages of records below them, without the lower app naming them.

An app registers a panel for a model ("matchmaking.contactrequest") with a template and a function of
(request, record) that returns the template's context, or None when the panel has nothing to show this user;
the lower app's page renders `{% record_panels record %}` (core/templatetags/panels.py) where panels belong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class Panel:
    model: str  # app_label.modelname
    template: str
    context: Callable[[HttpRequest, Any], dict[str, Any] | None]
    order: int = 100


_PANELS: list[Panel] = []


def register_panel(panel: Panel) -> None:
    _PANELS.append(panel)
    _PANELS.sort(key=lambda p: p.order)


def panels_for(request: HttpRequest, record: Any) -> list[tuple[str, dict[str, Any]]]:
    """(template, context) of every panel registered for the record's model that has something to show."""
    label = record._meta.label_lower
    shown = []
    for panel in _PANELS:
        if panel.model != label:
            continue
        context = panel.context(request, record)
        if context is not None:
            shown.append((panel.template, context))
    return shown
