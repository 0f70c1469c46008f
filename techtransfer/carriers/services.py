"""Writes to carriers and their incubated firms: create, edit, the registration workflow, firms.

Every service checks permission (403), then state (409), then content (400), runs in one transaction and
writes the audit trail. Pages, the API, the import and the demo all call these.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.permissions import NOT_AN_EDITOR
from techtransfer.accounts.services import user_require_confirmed
from techtransfer.carriers import permissions as perms
from techtransfer.carriers.choices import FIRMS_OPEN, CarrierStatus, RecognitionLevel
from techtransfer.carriers.models import Carrier, IncubatedFirm
from techtransfer.carriers.workflows import CARRIER_FLOW
from techtransfer.core.audit import audit_record, diff, snapshot
from techtransfer.core.codetables import code_table_key
from techtransfer.core.exceptions import ApplicationError, ErrorCollector
from techtransfer.core.models import CodeItem
from techtransfer.core.workflow import transition
from techtransfer.lib.validators import normalise_uscc

FORM_FIELDS = [
    "name", "name_en", "carrier_type", "level", "recognition_year", "recognised_by", "district", "address",
    "area_m2", "description", "website", "contact_name", "contact_phone", "private_note",
]
# What the commission checked before listing: a listed carrier keeps it (withdraw and register anew to change it).
RECOGNITION_FIELDS = ["name", "carrier_type", "level", "recognition_year", "recognised_by"]
CODE_FIELDS = {"carrier_type": "carrier_type", "district": "region"}
FIELDS_TABLE = "high_tech_field"
REQUIRED_TO_SUBMIT = ["address", "contact_name", "contact_phone"]
FIRM_FIELDS = ["name", "uscc", "entry_date", "graduation_date", "status", "field", "note"]

NO_UNIT = gettext_lazy("You can only register a carrier that an organisation you belong to operates.")
NOT_EDITABLE = gettext_lazy("A %(status)s carrier cannot be edited.")
RECOGNITION_FROZEN = gettext_lazy(
    "The commission checked this when it listed the carrier; it cannot change on a listed carrier."
)
FIRMS_CLOSED = gettext_lazy("The carrier is withdrawn: its firms can no longer change.")
WRONG_TABLE = gettext_lazy("This value belongs to another code table.")
NOT_A_DISTRICT = gettext_lazy("Choose a district (or county), not a whole province or city.")
FIELD_NOT_SETTABLE = gettext_lazy("This field cannot be set here.")
YEAR_NEEDED = gettext_lazy("Give the year of the recognition.")
YEAR_WITHOUT_LEVEL = gettext_lazy("A carrier that is not recognised has no recognition year.")
USCC_TAKEN = gettext_lazy("The carrier already lists a firm with this code: %(name)s.")
NOT_A_FIELD = gettext_lazy("Not a technical field: %(items)s.")
FILL_BEFORE_SUBMIT = gettext_lazy("Fill in the %(field)s before the carrier is submitted.")


def _label(name: str) -> str:
    field = Carrier._meta.get_field(name)
    assert isinstance(field, models.Field)  # the carrier's own fields, not reverse relations
    return str(field.verbose_name)


def _locked(carrier: Carrier) -> Carrier:
    return Carrier.objects.select_for_update(of=("self",)).select_related("owner__region").get(pk=carrier.pk)


def _apply(target: Any, data: dict[str, Any], allowed: list[str]) -> None:
    for name, value in data.items():
        if name not in allowed:
            raise ValidationError({name: [str(FIELD_NOT_SETTABLE)]})
        if isinstance(value, str):
            value = value.strip()
        setattr(target, name, value)


def _clean(carrier: Carrier) -> None:
    errors = ErrorCollector()
    for name, table in CODE_FIELDS.items():
        item = getattr(carrier, name) if getattr(carrier, f"{name}_id") is not None else None
        if item is not None and code_table_key(item.table_id) != table:
            errors.add(ValidationError({name: [str(WRONG_TABLE)]}))
        elif name == "district" and item is not None and item.code.endswith("00"):
            errors.add(ValidationError({name: [str(NOT_A_DISTRICT)]}))
    if carrier.level and carrier.level != RecognitionLevel.NONE and not carrier.recognition_year:
        errors.add(ValidationError({"recognition_year": [str(YEAR_NEEDED)]}))
    if carrier.level == RecognitionLevel.NONE and carrier.recognition_year:
        errors.add(ValidationError({"recognition_year": [str(YEAR_WITHOUT_LEVEL)]}))
    with errors.collect():
        carrier.full_clean(exclude=["owner", "created_by", *CODE_FIELDS], validate_constraints=False)
    for name in CODE_FIELDS:
        if getattr(carrier, f"{name}_id") is None and name not in errors.errors:
            label = _label(name)
            errors.add(ValidationError({name: [_("Please choose the %(field)s.") % {"field": label}]}))
    errors.raise_if_any()


def _check_fields(items: Iterable[CodeItem]) -> list[CodeItem]:
    items = list(items)
    wrong = [str(i) for i in items if code_table_key(i.table_id) != FIELDS_TABLE]
    if wrong:
        raise ValidationError({"fields": [str(NOT_A_FIELD) % {"items": ", ".join(wrong)}]})
    return items


def carrier_validate(
    *, owner: Organisation, data: dict[str, Any], fields: Iterable[CodeItem] | None = None,
    carrier: Carrier | None = None,
) -> None:
    """Every content check of `carrier_create` (or, given `carrier`, of `carrier_update`), saving nothing."""
    target = Carrier(owner=owner) if carrier is None else Carrier.objects.get(pk=carrier.pk)
    listed = carrier is not None and target.status == CarrierStatus.LISTED
    before = snapshot(target, RECOGNITION_FIELDS) if listed else {}
    errors = ErrorCollector()
    with errors.collect():
        _apply(target, data, FORM_FIELDS)
        _clean(target)
    if listed:
        changed = diff(before, snapshot(target, RECOGNITION_FIELDS))
        for name in changed:
            errors.add(ValidationError({name: [str(RECOGNITION_FROZEN)]}))
    if fields is not None:
        with errors.collect():
            _check_fields(fields)
    errors.raise_if_any()


@transaction.atomic
def carrier_create(
    *, by: User, owner: Organisation, data: dict[str, Any], fields: Iterable[CodeItem] | None = None
) -> Carrier:
    """Register a carrier operated by `owner`, as a draft."""
    user_require_confirmed(by)
    if not perms.can_create_for(by, owner.pk):
        raise PermissionDenied(NO_UNIT)
    carrier_validate(owner=owner, data=data, fields=fields)
    carrier = Carrier(owner=owner, created_by=by)
    _apply(carrier, data, FORM_FIELDS)
    carrier.save()
    changes = snapshot(carrier, FORM_FIELDS)
    if fields is not None:
        carrier.fields.set(_check_fields(fields))
        changes["fields"] = sorted(i.code for i in carrier.fields.all())
    audit_record(actor=by, action="carrier.create", obj=carrier, changes=changes)
    return carrier


@transaction.atomic
def carrier_update(
    *, carrier: Carrier, by: User, data: dict[str, Any], fields: Iterable[CodeItem] | None = None
) -> Carrier:
    """Edit a draft, or the details of a listed carrier (its recognition stays as the commission checked it)."""
    carrier = _locked(carrier)
    if not perms.can_manage(by, carrier):
        raise PermissionDenied(NOT_AN_EDITOR)
    if carrier.status not in (CarrierStatus.DRAFT, CarrierStatus.LISTED):
        raise ApplicationError(NOT_EDITABLE % {"status": carrier.get_status_display()})
    carrier_validate(owner=carrier.owner, data=data, fields=fields, carrier=carrier)
    before = snapshot(carrier, FORM_FIELDS)
    _apply(carrier, data, FORM_FIELDS)
    carrier.save()
    changes = diff(before, snapshot(carrier, FORM_FIELDS))
    if fields is not None:
        old = sorted(i.code for i in carrier.fields.all())
        carrier.fields.set(_check_fields(fields))
        new = sorted(i.code for i in carrier.fields.all())
        if old != new:
            changes["fields"] = [old, new]
    audit_record(actor=by, action="carrier.update", obj=carrier, changes=changes)
    return carrier


def submission_problems(carrier: Carrier) -> dict[str, list[str]]:
    """What stops the carrier from going to review, by field (empty when it may go)."""
    problems: dict[str, list[str]] = {}
    for name in REQUIRED_TO_SUBMIT:
        if not getattr(carrier, name):
            label = _label(name)
            problems[name] = [str(FILL_BEFORE_SUBMIT) % {"field": label}]
    return problems


@transaction.atomic
def carrier_submit(*, carrier: Carrier, by: User) -> Carrier:
    carrier = _locked(carrier)
    CARRIER_FLOW.check(carrier, "submit", by)
    problems = submission_problems(carrier)
    if problems:
        raise ValidationError(problems)
    transition(carrier, "submit", by=by)
    carrier.submitted_at = timezone.now()
    carrier.save()
    return carrier


@transaction.atomic
def carrier_approve(*, carrier: Carrier, by: User) -> Carrier:
    carrier = _locked(carrier)
    transition(carrier, "approve", by=by)
    now = timezone.now()
    carrier.reviewed_at, carrier.review_note, carrier.listed_at = now, "", now
    carrier.save()
    return carrier


@transaction.atomic
def carrier_return(*, carrier: Carrier, by: User, reason: str) -> Carrier:
    carrier = _locked(carrier)
    change = transition(carrier, "return", by=by, reason=reason)
    carrier.reviewed_at, carrier.review_note = change.at, change.reason
    carrier.save()
    return carrier


@transaction.atomic
def carrier_withdraw(*, carrier: Carrier, by: User, reason: str = "") -> Carrier:
    carrier = _locked(carrier)
    transition(carrier, "withdraw", by=by, reason=reason)
    carrier.save()
    return carrier


# --- firms ------------------------------------------------------------------------------------------------


def _firm_clean(firm: IncubatedFirm) -> None:
    errors = ErrorCollector()
    if firm.field is not None and code_table_key(firm.field.table_id) != FIELDS_TABLE:
        errors.add(ValidationError({"field": [str(WRONG_TABLE)]}))
    with errors.collect():
        firm.full_clean(exclude=["carrier", "field"], validate_unique=False, validate_constraints=False)
    if firm.uscc and "uscc" not in errors.errors:
        other = IncubatedFirm.objects.filter(carrier_id=firm.carrier_id, uscc=firm.uscc).exclude(pk=firm.pk).first()
        if other is not None:
            errors.add(ValidationError({"uscc": [str(USCC_TAKEN) % {"name": other.name}]}))
    errors.raise_if_any()


def _firm_prepare(firm: IncubatedFirm, data: dict[str, Any]) -> None:
    _apply(firm, data, FIRM_FIELDS)
    firm.uscc = normalise_uscc(firm.uscc)


def firm_validate(*, carrier: Carrier, data: dict[str, Any], firm: IncubatedFirm | None = None) -> None:
    """Every content check of `firm_create` (or, given `firm`, of `firm_update`), saving nothing."""
    target = IncubatedFirm(carrier=carrier) if firm is None else IncubatedFirm.objects.get(pk=firm.pk)
    errors = ErrorCollector()
    with errors.collect():
        _firm_prepare(target, data)
        _firm_clean(target)
    errors.raise_if_any()


def _firm_guard(carrier: Carrier, by: User) -> None:
    if not perms.can_manage(by, carrier):
        raise PermissionDenied(NOT_AN_EDITOR)
    if carrier.status not in FIRMS_OPEN:
        raise ApplicationError(FIRMS_CLOSED)


@transaction.atomic
def firm_create(*, carrier: Carrier, by: User, data: dict[str, Any]) -> IncubatedFirm:
    """Add a firm the carrier incubates (or did)."""
    carrier = _locked(carrier)
    _firm_guard(carrier, by)
    firm = IncubatedFirm(carrier=carrier)
    _firm_prepare(firm, data)
    _firm_clean(firm)
    firm.save()
    audit_record(actor=by, action="carrier.firm_create", obj=carrier, changes=snapshot(firm, FIRM_FIELDS))
    return firm


@transaction.atomic
def firm_update(*, firm: IncubatedFirm, by: User, data: dict[str, Any]) -> IncubatedFirm:
    """Change a firm: most often it graduates or leaves (status and date)."""
    carrier = _locked(firm.carrier)
    _firm_guard(carrier, by)
    firm = IncubatedFirm.objects.select_for_update().get(pk=firm.pk, carrier=carrier)
    before = snapshot(firm, FIRM_FIELDS)
    _firm_prepare(firm, data)
    _firm_clean(firm)
    firm.save()
    changes = diff(before, snapshot(firm, FIRM_FIELDS))
    audit_record(actor=by, action="carrier.firm_update", obj=carrier, changes=changes, note=firm.name)
    return firm
