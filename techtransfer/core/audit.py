"""Writing the audit trail. Services call `audit_record` inside their transaction."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from techtransfer.core.models import AuditEvent

# What each recorded action is called on the pages (the action codes stay stable in the table).
ACTION_LABELS = {
    "achievement.create": _("created the record"),
    "achievement.update": _("edited"),
    "achievement.submitted": _("submitted for review"),
    "achievement.returned": _("returned with reasons"),
    "achievement.registered": _("registered"),
    "achievement.published": _("published"),
    "achievement.withdrawn": _("withdrawn"),
    "achievement.revise": _("revised after registration"),
    "achievement.import": _("imported achievements"),
    "attachment.add": _("attached a file"),
    "attachment.remove": _("removed a file"),
    "funded_projects.import": _("imported funded projects"),
    "membership.join": _("asked to join"),
    "membership.approve": _("approved a member"),
    "membership.reject": _("declined a member"),
    "organisation.request": _("requested an organisation"),
    "organisation.verify": _("verified the organisation"),
    "user.signup": _("signed up"),
    "user.email_confirm": _("confirmed the e-mail address"),
    "api_token.create": _("created an API token"),
    "api_token.revoke": _("revoked an API token"),
    "challenge.create": _("created the challenge"),
    "challenge.update": _("edited the challenge"),
    "challenge.submitted": _("submitted the challenge for moderation"),
    "challenge.returned": _("returned the challenge with reasons"),
    "challenge.published": _("published the challenge"),
    "challenge.closed": _("closed the challenge for proposals"),
    "challenge.awarded": _("awarded the challenge"),
    "challenge.cancelled": _("cancelled the challenge"),
    "proposal.create": _("started a proposal"),
    "proposal.update": _("edited a proposal"),
    "proposal.submitted": _("submitted a proposal"),
    "proposal.withdrawn": _("withdrew a proposal"),
    "proposal.shortlisted": _("shortlisted a proposal"),
    "proposal.awarded": _("awarded a proposal"),
    "proposal.not_selected": _("did not select a proposal"),
    "question.ask": _("asked a question"),
    "question.answer": _("answered a question"),
    "contact_request.open": _("opened the contact request"),
    "contact_request.negotiation": _("moved the contact request to negotiation"),
    "contact_request.confirm_signing": _("confirmed signing for their side"),
    "contact_request.signed": _("the contact request is signed"),
    "contact_request.abandoned": _("abandoned the contact request"),
    "contact_request.note": _("added a note"),
    "contact_request.link_contract": _("linked the technology contract"),
    "contact_request.demand_not_marked": _("the demand could not be marked as matched"),
    "demand.create": _("created the demand"),
    "demand.update": _("edited the demand"),
    "demand.under_review": _("submitted the demand for moderation"),
    "demand.draft": _("returned the demand to its owner"),
    "demand.published": _("published the demand"),
    "demand.matched": _("marked the demand as matched"),
    "demand.closed": _("closed the demand"),
    "demand.expired": _("the demand expired"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value for the changes column."""
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
    user = actor if getattr(actor, "is_authenticated", False) else None
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=user,
            actor_repr=(user.get_username() if user else "system"),
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:300],
            changes=change,
            note=note,
        )
        for obj, change in zip(objs, changes, strict=True)
    )


def audit_for(obj: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
