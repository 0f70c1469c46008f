"""Writing the audit trail. Services call `audit_record` inside their transaction."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.functional import Promise

from techtransfer.core.bulk import RowValues, values_insert
from techtransfer.core.models import AuditEvent

# What each recorded action is called on the pages (the action codes stay stable in the table). Apps register
# their own (workflow steps register theirs through the workflow registry), so this module names no app.
_ACTION_LABELS: dict[str, str | Promise] = {}


def register_action_labels(labels: Mapping[str, str | Promise]) -> None:
    """Say how the pages name an app's audit actions ({"attachment.add": _("attached a file"), ...})."""
    _ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    return str(_ACTION_LABELS.get(action, action))


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value for the changes column."""
    if value is None or value.__class__ in (str, int, bool):
        return value
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime, decimal.Decimal)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "name") and hasattr(value, "url"):  # FieldFile
        return value.name or ""
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Values of the named fields, for diffing before and after a change."""
    return {name: _plain(getattr(instance, name)) for name in fields}


def snapshots(instances: Sequence[models.Model], fields: Iterable[str]) -> list[dict[str, Any]]:
    """`snapshot` of many instances; a related object they share (a code item) is turned into text once."""
    fields = list(fields)
    texts: dict[int, Any] = {}
    result = []
    for instance in instances:
        values = {}
        for name in fields:
            value = getattr(instance, name)
            if value is None or value.__class__ in (str, int, bool):
                values[name] = value
            elif isinstance(value, models.Model):
                text = texts.get(id(value))
                if text is None:
                    text = texts[id(value)] = str(value)
                values[name] = text
            else:
                values[name] = _plain(value)
        result.append(values)
    return result


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field whose value changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_repr=(user.get_username() if user else "system"),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        changes=changes or {},
        note=note,
    )


def audit_record_many(
    *, actor: Any, action: str, objs: Sequence[models.Model], changes: Sequence[dict[str, Any]], note: str = ""
) -> None:
    """The same event for many objects at once (bulk creation), in one INSERT."""
    rows = audit_rows(actor=actor, action=action, objs=objs, changes=changes, note=note)
    audit_rows_insert(rows, [str(obj.pk) for obj in objs])


def audit_rows(
    *, actor: Any, action: str, objs: Sequence[models.Model], changes: Sequence[dict[str, Any]], note: str = ""
) -> list[list[Any]]:
    """The rows of `audit_record_many`, converted for the database, for objects that may not be saved yet:
    `audit_rows_insert` fills in their ids. (An import's helper processes make them; the importer inserts.)"""
    user = actor if getattr(actor, "is_authenticated", False) else None
    actor_id, actor_repr, at = (user.pk if user else None), (user.get_username() if user else "system"), timezone.now()
    values = RowValues(AuditEvent)
    return [
        values.of_dict({
            "at": at,
            "actor_id": actor_id,
            "actor_repr": actor_repr,
            "action": action,
            "object_type": obj._meta.label_lower,
            "object_id": "",
            "object_repr": str(obj)[:300],
            "changes": change,
            "note": note,
        })
        for obj, change in zip(objs, changes, strict=True)
    ]


def audit_rows_insert(rows: list[list[Any]], object_ids: Sequence[str]) -> None:
    """INSERT `audit_rows` made for objects now saved with these ids."""
    column = RowValues(AuditEvent).index("object_id")
    for row, object_id in zip(rows, object_ids, strict=True):
        row[column] = object_id
    values_insert(AuditEvent, rows)


def audit_for(obj: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
