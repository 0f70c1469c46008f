"""Helpers for data migrations that move a history onto the workflow core (techtransfer.core.models.StatusHistory)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def fill_steps(
    app_label: str, model_name: str, *, by_pair: dict[tuple[str, str], str], by_target: dict[str, str]
) -> Callable[[Any, Any], None]:
    """A RunPython function naming the step of every existing history row: first by its (from, to) pair, then
    by its target state. Rows keep everything else; a row that fits neither keeps an empty step."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        history = apps.get_model(app_label, model_name)
        for (source, target), step in by_pair.items():
            history.objects.filter(from_state=source, to_state=target, step="").update(step=step)
        for target, step in by_target.items():
            history.objects.filter(to_state=target, step="").update(step=step)

    return forwards


def noop(apps: Any, schema_editor: Any) -> None:
    """Going back keeps the rows as they are (the step column is dropped)."""
