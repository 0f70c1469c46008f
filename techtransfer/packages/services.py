"""Writes to achievement packages: create, edit, the achievements in it, publish, withdraw; and the users'
subscriptions to a key field's packages.

Every service checks permission (403), then state (409), then content (400), runs in one transaction and
writes the audit trail. Pages, the API and the demo all call these.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from techtransfer.accounts.models import User
from techtransfer.accounts.permissions import is_signed_in
from techtransfer.core.audit import audit_record, diff, snapshot
from techtransfer.core.codetables import code_table_key
from techtransfer.core.exceptions import ApplicationError, ErrorCollector
from techtransfer.core.models import CodeItem
from techtransfer.core.workflow import transition
from techtransfer.packages import permissions as perms
from techtransfer.packages.choices import MAX_ITEMS, PackageStatus
from techtransfer.packages.models import KeyFieldSubscription, Package, PackageItem
from techtransfer.packages.selectors import KEY_FIELD_TABLE

FORM_FIELDS = ["key_field", "title", "title_en", "cover", "cover_en"]
NOT_AN_EDITOR = perms.NOT_AN_EDITOR
FIELD_NOT_SETTABLE = gettext_lazy("This field cannot be set here.")
WRONG_TABLE = gettext_lazy("Choose one of the key fields.")
TITLE_MISSING = gettext_lazy("Give the package a title.")
NOT_PUBLIC = gettext_lazy("Only published achievements can be in a package; these are not: %(ids)s.")
TOO_MANY = gettext_lazy("A package holds at most %(n)d achievements.")
DUPLICATE = gettext_lazy("An achievement is listed twice: %(ids)s.")
ALREADY_IN = gettext_lazy("This achievement is in the package already.")
EMPTY_PACKAGE = gettext_lazy("Add at least one published achievement before publishing the package.")
NOTE_TOO_LONG = gettext_lazy("A note has at most %(n)d characters.")
KEY_FIELD_LOCKED = gettext_lazy("The key field of a published package cannot change; withdraw it first.")
SIGN_IN = gettext_lazy("Sign in to subscribe.")
NOTHING_TO_CHANGE = gettext_lazy("Send at least one field to change.")
NOTE_MAX = 300


def _locked(package: Package) -> Package:
    return Package.objects.select_for_update(of=("self",)).get(pk=package.pk)


def _require_editor(by: User) -> None:
    if not perms.is_editor(by):
        raise PermissionDenied(NOT_AN_EDITOR)


def _apply(package: Package, data: dict[str, Any]) -> None:
    errors = ErrorCollector()
    for name, value in data.items():
        if name not in FORM_FIELDS:
            errors.add(ValidationError({name: [str(FIELD_NOT_SETTABLE)]}))
            continue
        if isinstance(value, str):
            value = value.strip()
        setattr(package, name, value)
    errors.raise_if_any()
    key_field_id: Any = package.key_field_id  # None on a new package the input left without one
    item: Any = package.key_field if key_field_id is not None else None
    if item is None or code_table_key(item.table_id) != KEY_FIELD_TABLE:
        errors.add(ValidationError({"key_field": [str(WRONG_TABLE)]}))
    if not package.title:
        errors.add(ValidationError({"title": [str(TITLE_MISSING)]}))
    with errors.collect():
        package.full_clean(exclude=["key_field", "created_by", "title"], validate_unique=False)
    errors.raise_if_any()


@transaction.atomic
def package_create(*, by: User, data: dict[str, Any]) -> Package:
    """A new draft package (the editor then picks its achievements and publishes it)."""
    _require_editor(by)
    package = Package(created_by=by)
    _apply(package, data)
    package.save()
    audit_record(actor=by, action="package.create", obj=package, changes=snapshot(package, FORM_FIELDS))
    return package


@transaction.atomic
def package_update(*, package: Package, by: User, data: dict[str, Any]) -> Package:
    package = _locked(package)
    _require_editor(by)
    if "key_field" in data and package.status == PackageStatus.PUBLISHED and data["key_field"] != package.key_field:
        raise ApplicationError(KEY_FIELD_LOCKED)
    before = snapshot(package, FORM_FIELDS)
    _apply(package, data)
    package.save()
    audit_record(actor=by, action="package.update", obj=package, changes=diff(before, snapshot(package, FORM_FIELDS)))
    return package


def _check_items(items: Sequence[tuple[int, str]]) -> None:
    errors = ErrorCollector()
    ids = [pk for pk, _note in items]
    if len(ids) > MAX_ITEMS:
        errors.add(ValidationError({"items": [str(TOO_MANY % {"n": MAX_ITEMS})]}))
    twice = sorted({pk for pk in ids if ids.count(pk) > 1})
    if twice:
        errors.add(ValidationError({"items": [str(DUPLICATE % {"ids": ", ".join(map(str, twice))})]}))
    if any(len(note or "") > NOTE_MAX for _pk, note in items):
        errors.add(ValidationError({"items": [str(NOTE_TOO_LONG % {"n": NOTE_MAX})]}))
    public = set(perms.public_achievements().filter(pk__in=ids).values_list("pk", flat=True))
    missing = [pk for pk in ids if pk not in public]
    if missing:
        errors.add(ValidationError({"items": [str(NOT_PUBLIC % {"ids": ", ".join(map(str, missing))})]}))
    errors.raise_if_any()


@transaction.atomic
def package_items_set(*, package: Package, by: User, items: Sequence[tuple[int, str]]) -> Package:
    """Replace the package's achievements: (achievement id, note) in their order; each must be published."""
    package = _locked(package)
    _require_editor(by)
    items = [(int(pk), (note or "").strip()) for pk, note in items]
    _check_items(items)
    before = list(package.items.values_list("achievement_id", flat=True))
    package.items.all().delete()
    PackageItem.objects.bulk_create(
        PackageItem(package=package, achievement_id=pk, position=i, note=note) for i, (pk, note) in enumerate(items)
    )
    package.save(update_fields=["updated"])
    audit_record(actor=by, action="package.items", obj=package,
                 changes={"achievements": [before, [pk for pk, _note in items]]})
    return package


@transaction.atomic
def package_item_add(*, package: Package, by: User, achievement_id: int, note: str = "") -> Package:
    """Add one achievement at the end (the one click on a suggestion)."""
    locked = _locked(package)
    _require_editor(by)
    current = [(i.achievement_id, i.note) for i in locked.items.order_by("position", "id")]
    if any(pk == achievement_id for pk, _note in current):
        raise ValidationError({"achievement": [str(ALREADY_IN)]})
    return package_items_set(package=locked, by=by, items=[*current, (achievement_id, note)])


@transaction.atomic
def package_publish(*, package: Package, by: User) -> Package:
    """Show the package publicly; the subscribers of its key field are told (Step.notify)."""
    package = _locked(package)
    from techtransfer.packages.workflows import PACKAGE_FLOW

    PACKAGE_FLOW.check(package, "publish", by)  # who (403), then the state (409), before the content (400)
    if not package.items.filter(achievement__in=perms.public_achievements()).exists():
        raise ValidationError({"items": [str(EMPTY_PACKAGE)]})
    transition(package, "publish", by=by)
    package.published_at = timezone.now()
    package.save()
    return package


@transaction.atomic
def package_withdraw(*, package: Package, by: User, reason: str = "") -> Package:
    package = _locked(package)
    transition(package, "withdraw", by=by, reason=reason)
    package.save()
    return package


@transaction.atomic
def key_field_subscribe(*, by: User, key_field: CodeItem) -> KeyFieldSubscription:
    """Hear when a package of this key field is published (idempotent)."""
    if not is_signed_in(by):
        raise PermissionDenied(SIGN_IN)
    if code_table_key(key_field.table_id) != KEY_FIELD_TABLE:
        raise ValidationError({"key_field": [str(WRONG_TABLE)]})
    subscription, _created = KeyFieldSubscription.objects.get_or_create(user=by, key_field=key_field)
    return subscription


@transaction.atomic
def key_field_unsubscribe(*, by: User, key_field: CodeItem) -> None:
    if not is_signed_in(by):
        raise PermissionDenied(SIGN_IN)
    KeyFieldSubscription.objects.filter(user=by, key_field=key_field).delete()
