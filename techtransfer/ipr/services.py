"""Writes to IP records: create, edit, holders, links, fee events, publish and withdraw.

Every service checks permission (403), then state (409), then content (400), runs in one transaction and
writes the audit trail. Pages, the API, the import and the demo all call these.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.services import user_require_confirmed
from techtransfer.achievements.models import Achievement
from techtransfer.achievements.permissions import achievement_visible_q
from techtransfer.contracts.models import TechnologyContract
from techtransfer.contracts.permissions import contract_visible_q
from techtransfer.core.audit import audit_record, diff, snapshot
from techtransfer.core.codetables import code_table_key
from techtransfer.core.exceptions import ApplicationError, ErrorCollector
from techtransfer.core.workflow import transition
from techtransfer.deals.models import Deal
from techtransfer.deals.permissions import deal_visible_q
from techtransfer.ipr import permissions as perms
from techtransfer.ipr.choices import IPType
from techtransfer.ipr.models import (
    FeeEvent,
    IPAchievementLink,
    IPContractLink,
    IPDealLink,
    IPHolder,
    IPRecord,
)
from techtransfer.ipr.validators import normalise_ip_number, validate_ip_number

# Fields the manager fills on the form, in form order (holders, inventors and links have their own inputs).
FORM_FIELDS = [
    "ip_type", "number", "title", "abstract", "application_date", "grant_date", "legal_status", "field",
    "private_note",
]
CODE_FIELDS = {"legal_status": "ip_legal_status", "field": "high_tech_field"}
FEE_FIELDS = ["kind", "due_date", "amount", "note"]
MAX_NAMES = 50
NAME_MAX = 200

NOT_A_MANAGER = perms.NOT_THE_MANAGER
NO_UNIT = gettext_lazy("You can only record IP for a unit whose TTO officer you are.")
NUMBER_TAKEN = gettext_lazy("The number %(number)s is already recorded on the platform.")
NUMBER_TAKEN_BY = gettext_lazy("The number %(number)s is already recorded, by %(owner)s.")
WRONG_TABLE = gettext_lazy("This value belongs to another code table.")
TOO_MANY_NAMES = gettext_lazy("At most %(n)d names.")
NAME_TOO_LONG = gettext_lazy("A name has at most %(n)d characters: %(name)s.")
NO_HOLDER = gettext_lazy("Name at least one holder.")
FIELD_NOT_SETTABLE = gettext_lazy("This field cannot be set here.")
NOT_VISIBLE = gettext_lazy("These do not exist or you cannot see them: %(ids)s.")
FEE_PAID_ALREADY = gettext_lazy("This fee was recorded as paid on %(date)s.")
FEE_DUPLICATE = gettext_lazy("A fee of this kind is recorded for this due date already.")
PAID_IN_FUTURE = gettext_lazy("The payment date is in the future.")


def _locked(record: IPRecord) -> IPRecord:
    return IPRecord.objects.select_for_update(of=("self",)).select_related("owner").get(pk=record.pk)


def _names(values: Iterable[Any], field: str) -> list[str]:
    """Cleaned, de-duplicated names in their order; ValidationError on `field` for too many or too long."""
    names: list[str] = []
    for value in values:
        name = value.name if isinstance(value, Organisation) else " ".join(str(value or "").split())
        if name and name not in names:
            names.append(name)
    problems = [str(NAME_TOO_LONG) % {"n": NAME_MAX, "name": n[:20] + "…"} for n in names if len(n) > NAME_MAX]
    if len(names) > MAX_NAMES:
        problems.append(str(TOO_MANY_NAMES) % {"n": MAX_NAMES})
    if problems:
        raise ValidationError({field: problems})
    return names


def _apply(record: IPRecord, data: dict[str, Any]) -> None:
    for name, value in data.items():
        if name not in FORM_FIELDS:
            raise ValidationError({name: [str(FIELD_NOT_SETTABLE)]})
        if isinstance(value, str):
            value = value.strip()
        setattr(record, name, value)
    if record.ip_type and record.number:
        record.number = normalise_ip_number(record.ip_type, record.number)


def _clean(record: IPRecord, by: User | None) -> None:
    """Every content check of the record's own fields, reported at once."""
    errors = ErrorCollector()
    for name, table in CODE_FIELDS.items():
        item = getattr(record, name) if getattr(record, f"{name}_id") is not None else None
        if item is not None and code_table_key(item.table_id) != table:
            errors.add(ValidationError({name: [str(WRONG_TABLE)]}))
    if record.ip_type in IPType.values and record.number:
        with errors.collect():
            try:
                validate_ip_number(record.ip_type, record.number)
            except ValidationError as exc:
                raise ValidationError({"number": exc.messages}) from None
        taken = IPRecord.objects.filter(number=record.number).exclude(pk=record.pk).select_related("owner").first()
        if taken is not None:
            visible = by is not None and IPRecord.objects.filter(perms.ip_visible_q(by), pk=taken.pk).exists()
            message = (NUMBER_TAKEN_BY % {"number": record.number, "owner": taken.owner.name} if visible
                       else NUMBER_TAKEN % {"number": record.number})
            errors.add(ValidationError({"number": [message]}))
    with errors.collect():
        record.full_clean(exclude=["owner", "created_by", "number", *CODE_FIELDS], validate_unique=False,
                          validate_constraints=False)
    legal_status_id: Any = record.legal_status_id  # None on an unsaved record the form left without one
    if legal_status_id is None:
        # full_clean skipped it with the code fields; a record must have one.
        errors.add(ValidationError({"legal_status": [_("Please choose the legal status.")]}))
    errors.raise_if_any()


def _set_holders(record: IPRecord, holders: Sequence[Organisation | str]) -> list[str]:
    """Replace the holders: an Organisation, or a name (linked to the organisation of that exact name)."""
    given = {h.name: h for h in holders if isinstance(h, Organisation)}
    names = _names(holders, "holders")
    if not names:
        raise ValidationError({"holders": [str(NO_HOLDER)]})
    known = {o.name: o for o in Organisation.objects.filter(name__in=[n for n in names if n not in given])}
    known.update(given)
    IPHolder.objects.filter(record=record).delete()
    IPHolder.objects.bulk_create(
        IPHolder(record=record, position=i, organisation=known.get(name), name=name) for i, name in enumerate(names)
    )
    return names


def ip_validate(
    *, by: User, owner: Organisation, data: dict[str, Any], record: IPRecord | None = None,
    holders: Sequence[Organisation | str] | None = None, inventors: Sequence[str] | None = None,
) -> None:
    """Every content check of `ip_create` (or, given `record`, of `ip_update`) without saving anything: one
    ValidationError with all the problems (the form shows them at once)."""
    target = IPRecord(owner=owner) if record is None else IPRecord.objects.get(pk=record.pk)
    errors = ErrorCollector()
    with errors.collect():
        _apply(target, data)
        _clean(target, by)
    if holders is not None:
        with errors.collect():
            if not _names(holders, "holders"):
                raise ValidationError({"holders": [str(NO_HOLDER)]})
    if inventors is not None:
        with errors.collect():
            _names(inventors, "inventors")
    errors.raise_if_any()


@transaction.atomic
def ip_create(
    *,
    by: User,
    owner: Organisation,
    data: dict[str, Any],
    holders: Sequence[Organisation | str] | None = None,
    inventors: Sequence[str] | None = None,
) -> IPRecord:
    """Record an IP right held by `owner` (a draft; `ip_publish` lists it). Holders default to the owner."""
    user_require_confirmed(by)
    if not perms.can_create_for(by, owner.pk):
        raise PermissionDenied(NO_UNIT)
    ip_validate(by=by, owner=owner, data=data, holders=holders, inventors=inventors)
    record = IPRecord(owner=owner, created_by=by)
    _apply(record, data)
    record.inventors = _names(inventors or [], "inventors")
    record.save()
    names = _set_holders(record, list(holders) if holders else [owner])
    changes = snapshot(record, FORM_FIELDS)
    changes.update(holders=names, inventors=record.inventors)
    audit_record(actor=by, action="ip_record.create", obj=record, changes=changes)
    return record


@transaction.atomic
def ip_update(
    *,
    record: IPRecord,
    by: User,
    data: dict[str, Any],
    holders: Sequence[Organisation | str] | None = None,
    inventors: Sequence[str] | None = None,
) -> IPRecord:
    """Edit a record, in any status: its legal status and fees change over its life, public or not."""
    record = _locked(record)
    if not perms.can_manage(by, record):
        raise PermissionDenied(NOT_A_MANAGER)
    ip_validate(by=by, owner=record.owner, data=data, record=record, holders=holders, inventors=inventors)
    before = snapshot(record, FORM_FIELDS)
    before_holders = list(record.holders.values_list("name", flat=True))
    _apply(record, data)
    old_inventors = list(record.inventors)
    if inventors is not None:
        record.inventors = _names(inventors, "inventors")
    record.save()
    changes = diff(before, snapshot(record, FORM_FIELDS))
    if old_inventors != record.inventors:
        changes["inventors"] = [old_inventors, record.inventors]
    if holders is not None:
        names = _set_holders(record, holders)
        if names != before_holders:
            changes["holders"] = [before_holders, names]
    audit_record(actor=by, action="ip_record.update", obj=record, changes=changes)
    return record


def _visible_ids(model: Any, visible: Any, ids: Iterable[int], field: str) -> set[int]:
    wanted = {int(i) for i in ids}
    found = set(model._default_manager.filter(visible, pk__in=wanted).values_list("pk", flat=True))
    missing = sorted(wanted - found)
    if missing:
        raise ValidationError({field: [str(NOT_VISIBLE) % {"ids": ", ".join(map(str, missing))}]})
    return found


@transaction.atomic
def ip_links_set(
    *,
    record: IPRecord,
    by: User,
    achievements: Iterable[int] | None = None,
    contracts: Iterable[int] | None = None,
    deals: Iterable[int] | None = None,
) -> IPRecord:
    """Replace the record's links of each kind given (ids). Only records `by` reads can be linked or unlinked:
    links to records they cannot see stay as they are."""
    record = _locked(record)
    if not perms.can_manage(by, record):
        raise PermissionDenied(NOT_A_MANAGER)
    kinds = [
        ("achievements", achievements, Achievement, achievement_visible_q(by), IPAchievementLink, "achievement_id"),
        ("contracts", contracts, TechnologyContract, contract_visible_q(by), IPContractLink, "contract_id"),
        ("deals", deals, Deal, deal_visible_q(by), IPDealLink, "deal_id"),
    ]
    errors = ErrorCollector()
    wanted: dict[str, set[int]] = {}
    for name, ids, model, visible, _link, _column in kinds:
        if ids is not None:
            with errors.collect():
                wanted[name] = _visible_ids(model, visible, ids, name)
    errors.raise_if_any()
    changes: dict[str, Any] = {}
    for name, _ids, model, visible, link, column in kinds:
        if name not in wanted:
            continue
        linked = link._default_manager.filter(record=record).values(column)
        current = set(model._default_manager.filter(visible, pk__in=linked).values_list("pk", flat=True))
        add, remove = wanted[name] - current, current - wanted[name]
        if remove:
            link._default_manager.filter(record=record, **{f"{column}__in": remove}).delete()
        if add:
            link._default_manager.bulk_create(link(record=record, **{column: pk}) for pk in sorted(add))
        if add or remove:
            changes[name] = [sorted(current), sorted(wanted[name])]
    if changes:
        audit_record(actor=by, action="ip_record.links", obj=record, changes=changes)
    return record


def _next_fee_refresh(record: IPRecord) -> None:
    """Keep the record's next fee (the earliest unpaid one) in step with its fee events."""
    nxt = FeeEvent.objects.filter(record=record, paid_on__isnull=True).order_by("due_date", "id").first()
    record.next_fee_due = nxt.due_date if nxt else None
    record.next_fee_amount = nxt.amount if nxt else None
    record.save(update_fields=["next_fee_due", "next_fee_amount", "updated"])


@transaction.atomic
def fee_add(*, record: IPRecord, by: User, data: dict[str, Any]) -> FeeEvent:
    """Record a fee that falls due (an annual fee, usually); the record's next fee follows."""
    record = _locked(record)
    if not perms.can_manage(by, record):
        raise PermissionDenied(NOT_A_MANAGER)
    fee = FeeEvent(record=record)
    for name, value in data.items():
        if name not in FEE_FIELDS:
            raise ValidationError({name: [str(FIELD_NOT_SETTABLE)]})
        setattr(fee, name, value.strip() if isinstance(value, str) else value)
    errors = ErrorCollector()
    with errors.collect():
        fee.full_clean(exclude=["record"], validate_unique=False, validate_constraints=False)
    due: Any = fee.due_date  # None when the input lacked it (full_clean reported that)
    if isinstance(due, datetime.date) and FeeEvent.objects.filter(record=record, kind=fee.kind, due_date=due).exists():
        errors.add(ValidationError({"due_date": [str(FEE_DUPLICATE)]}))
    errors.raise_if_any()
    fee.save()
    _next_fee_refresh(record)
    audit_record(actor=by, action="ip_record.fee_add", obj=record, changes=snapshot(fee, FEE_FIELDS))
    return fee


@transaction.atomic
def fee_pay(*, fee: FeeEvent, by: User, paid_on: datetime.date | None = None) -> FeeEvent:
    """Record that a fee was paid (today unless said otherwise); the record's next fee moves on."""
    fee = FeeEvent.objects.select_for_update().select_related("record").get(pk=fee.pk)
    record = _locked(fee.record)
    if not perms.can_manage(by, record):
        raise PermissionDenied(NOT_A_MANAGER)
    if fee.paid_on is not None:
        raise ApplicationError(FEE_PAID_ALREADY % {"date": fee.paid_on.isoformat()})
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": [str(PAID_IN_FUTURE)]})
    fee.paid_on = paid_on
    fee.save(update_fields=["paid_on"])
    _next_fee_refresh(record)
    audit_record(actor=by, action="ip_record.fee_pay", obj=record,
                 changes={"fee": [str(fee), str(fee.amount)], "paid_on": paid_on.isoformat()})
    return fee


@transaction.atomic
def ip_publish(*, record: IPRecord, by: User) -> IPRecord:
    """List the record publicly (list, analysis, API)."""
    record = _locked(record)
    transition(record, "publish", by=by)
    record.published_at = timezone.now()
    record.save()
    return record


@transaction.atomic
def ip_withdraw(*, record: IPRecord, by: User, reason: str = "") -> IPRecord:
    """Take the record off public view; the unit keeps it."""
    record = _locked(record)
    transition(record, "withdraw", by=by, reason=reason)
    record.save()
    return record
