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


def onto_status_history(
    model_name: str,
    *,
    record_field: str,
    record_to: str,
    record_verbose_name: str,
    from_field: str = "from_status",
    to_field: str = "to_status",
    reason_field: str = "reason",
    related_name: str = "status_changes",
) -> list[Any]:
    """The schema operations that turn an app's own history model into a StatusHistory: its record link is
    called `record`, its states `from_state`/`to_state`, its note `reason`, and it gains `step`. Renames keep
    every row and value; the caller adds a `fill_steps` RunPython to name the step of the existing rows."""
    import django.db.models.deletion
    import django.utils.timezone
    from django.conf import settings
    from django.db import migrations, models

    operations: list[Any] = [
        migrations.RenameField(model_name, record_field, "record"),
        migrations.RenameField(model_name, from_field, "from_state"),
        migrations.RenameField(model_name, to_field, "to_state"),
    ]
    if reason_field != "reason":
        operations.append(migrations.RenameField(model_name, reason_field, "reason"))
    operations += [
        migrations.AlterField(
            model_name,
            "record",
            models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name=related_name,
                to=record_to,
                verbose_name=record_verbose_name,
            ),
        ),
        migrations.AlterField(
            model_name, "from_state", models.CharField(blank=True, max_length=32, verbose_name="from")
        ),
        migrations.AlterField(model_name, "to_state", models.CharField(max_length=32, verbose_name="to")),
        migrations.AlterField(model_name, "reason", models.TextField(blank=True, verbose_name="reason")),
        migrations.AlterField(
            model_name, "at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="at")
        ),
        migrations.AlterField(
            model_name,
            "by",
            models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="by",
            ),
        ),
        migrations.AddField(model_name, "step", models.CharField(blank=True, max_length=32, verbose_name="step")),
    ]
    return operations
