"""Writes to achievements: create, edit, the registration workflow, numbering, revisions, attachments.

Every service checks its own permission and state rules, runs in one transaction, writes the audit trail,
and asks for a search re-index after commit. Pages, the API and importers all call these.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.services import user_require_confirmed
from techtransfer.achievements import permissions as perms
from techtransfer.achievements.choices import (
    PATENT_KINDS,
    REGISTERED_STATUSES,
    IPKind,
    Secrecy,
)
from techtransfer.achievements.models import (
    Achievement,
    Attachment,
    CompletingPerson,
    CompletingUnit,
    IPItem,
    NumberSequence,
    RegistrationScheme,
    Revision,
)
from techtransfer.achievements.workflows import ACHIEVEMENT_FLOW
from techtransfer.core.audit import audit_record, audit_rows, audit_rows_insert, diff, snapshot, snapshots
from techtransfer.core.bulk import InstanceMaker, RowValues, bulk_insert_rows, saved_mark, values_insert
from techtransfer.core.codetables import code_table_key
from techtransfer.core.exceptions import ApplicationError, ErrorCollector
from techtransfer.core.models import CodeItem
from techtransfer.core.workflow import transition
from techtransfer.lib import validators
from techtransfer.lib.uploads import pdf_store

MAX_KEYWORDS = 3

# Fields a unit fills on the form (and that a revision may change), in form order.
FORM_FIELDS = [
    "achievement_type", "name", "name_en", "summary", "summary_en", "keywords", "keywords_en", "discipline",
    "high_tech_field", "industry", "stage", "level", "application_status", "attribute", "output_form",
    "evaluation_method", "project_source", "region", "secrecy", "programme_name", "programme_number",
    "funded_project", "research_start", "research_end", "recommending_unit", "evaluation_date",
    "internal_registration_date", "public_release", "contact_name", "contact_phone", "contact_email",
    "contact_address",
]
AUDITED_FIELDS = [*FORM_FIELDS, "status", "registration_number"]


def _code_table(field: models.ForeignKey[Any, Any]) -> str:
    """The code table a foreign key to CodeItem is limited to (`_code` in models.py limits it by a dict)."""
    limit = field.remote_field.limit_choices_to
    assert isinstance(limit, dict)
    return str(limit["table__key"])


# Form fields that point at a code item, and the code table each must come from.
CODE_FIELDS = {
    f.name: _code_table(f)
    for f in Achievement._meta.get_fields()
    if isinstance(f, models.ForeignKey) and f.many_to_one and f.related_model is CodeItem and f.name in FORM_FIELDS
}


def _reindex_on_commit(achievement: Achievement) -> None:
    _reindex_id_on_commit(achievement.pk)


def _reindex_id_on_commit(pk: int) -> None:
    from techtransfer.achievements.tasks import enqueue_reindex

    enqueue_reindex(pk)


def _locked(achievement: Achievement) -> Achievement:
    # Lock the record's row only, not the owner and region rows joined in for the reviewer check.
    return Achievement.objects.select_for_update(of=("self",)).select_related("owner__region").get(pk=achievement.pk)


def _normalise_keywords(values: Any) -> list[str]:
    if isinstance(values, str):
        values = values.replace("；", ";").replace("，", ",").replace("、", ",").replace(";", ",").split(",")
    return [v.strip() for v in values or [] if v and v.strip()]


IP_KINDS = frozenset(IPKind.values)
# Fields the form must always have (validated even when not given); every other field is validated when given.
REQUIRED_FIELDS = {f.name for f in Achievement._meta.concrete_fields if not f.blank}
CLEANED_FIELDS = [f for f in Achievement._meta.fields if not f.generated]
NOT_CLEANED = {"owner", "created_by", "registry", "registered_by", "funded_project", *CODE_FIELDS}


@functools.lru_cache(maxsize=64)
def _not_given(given: frozenset[str]) -> frozenset[str]:
    """The fields a new record's cleaning skips: neither given nor required (imported rows share a few sets)."""
    checked = {*given, *REQUIRED_FIELDS, "import_key"}
    return frozenset({f.name for f in Achievement._meta.concrete_fields if f.name not in checked} | NOT_CLEANED)


# Values whose field check can be remembered within one call (immutable; the check depends on nothing else).
MEMO_CLASSES = (str, int, bool, datetime.date, datetime.datetime)


def _clean_new(achievement: Achievement, exclude: frozenset[str], memo: dict[tuple[str, Any], Any]) -> None:
    """`Model.full_clean` (without the unique and constraint checks, as below) for a batch of new records:
    the same `Field.clean` of every field not excluded, with the result remembered per field and value.
    Imported rows repeat many values (type, secrecy, the unit's contact person), so most checks run once."""
    errors: dict[str, list[Any]] = {}
    for field in CLEANED_FIELDS:
        if field.name in exclude:
            continue
        raw = getattr(achievement, field.attname)
        if field.blank and raw in field.empty_values:
            continue
        key = (field.name, raw) if raw.__class__ in MEMO_CLASSES else None
        if key is not None and key in memo:
            setattr(achievement, field.attname, memo[key])
            continue
        try:
            value = field.clean(raw, achievement)
        except ValidationError as exc:
            errors[field.name] = exc.error_list
            continue
        setattr(achievement, field.attname, value)
        if key is not None:
            memo[key] = value
    achievement.clean()
    if errors:
        raise ValidationError(errors)


def _clean_fields(
    achievement: Achievement, *, given: Iterable[str] | None = None, memo: dict[tuple[str, Any], Any] | None = None
) -> None:
    """The form's checks. With `given` (a new record), only the fields given and the required ones are
    checked: every other field still holds the model's default, which is valid by definition; `memo`
    remembers the checks of repeated values across the records of one call."""
    errors: dict[str, list[str]] = {}
    if len(achievement.keywords) > MAX_KEYWORDS:
        errors["keywords"] = [_("At most %(n)d keywords are allowed.") % {"n": MAX_KEYWORDS}]
    start, end = achievement.research_start, achievement.research_end
    if start and end and end < start:
        errors["research_end"] = [_("The research end is before its start.")]
    # A new record's code fields not given are empty: only the given ones need the check.
    for field in CODE_FIELDS if given is None else CODE_FIELDS.keys() & given:
        item = getattr(achievement, field)
        if item is not None and code_table_key(item.table_id) != CODE_FIELDS[field]:
            errors.setdefault(field, []).append(_("This value belongs to another code table."))
    try:
        # Code fields are checked above against a cached table map: full_clean would query each one.
        # Unique and check constraints are the database's to enforce: validating them here costs a query each.
        if given is None:
            achievement.full_clean(exclude=NOT_CLEANED, validate_unique=False, validate_constraints=False)
        else:
            _clean_new(achievement, _not_given(frozenset(given)), {} if memo is None else memo)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


FORM_FIELD_SET = frozenset(FORM_FIELDS)
# Form fields that are foreign keys, by name, with the model each points at: for building new records.
RELATED_FIELDS: dict[str, tuple[models.ForeignKey[Any, Any], type[models.Model]]] = {
    f.name: (f, f.related_model)
    for f in Achievement._meta.concrete_fields
    if isinstance(f, models.ForeignKey) and isinstance(f.related_model, type) and f.name in FORM_FIELDS
}
# The links every new record has, set from the owner and the author rather than from the form.
OWN_LINKS = {
    name: field
    for name in ("owner", "created_by", "region")
    if isinstance(field := Achievement._meta.get_field(name), models.ForeignKey)
}


def _normalised(data: dict[str, Any]) -> dict[str, Any]:
    """The form data as the record stores it; a field the form does not have is refused."""
    values = {}
    for field, value in data.items():
        if field not in FORM_FIELD_SET:
            raise ValidationError({field: [_("This field cannot be set here.")]})
        if field in {"keywords", "keywords_en"}:
            value = _normalise_keywords(value)
        elif field in {"research_start", "research_end"} and value:
            value = value.replace(day=1)  # the form records year and month only
        values[field] = value
    return values


def _apply(achievement: Achievement, data: dict[str, Any]) -> None:
    for field, value in _normalised(data).items():
        setattr(achievement, field, value)


def _new(
    make: InstanceMaker[Achievement], *, owner: Organisation, by: User, draft: NewAchievement, now: Any
) -> Achievement:
    """A new draft with the form data applied, built in one go (see `_apply` for an existing record)."""
    attributes: dict[str, Any] = {
        "owner_id": owner.pk, "created_by_id": by.pk, "import_key": draft.import_key, "created": now,
        "region_id": owner.region_id,
    }
    links: dict[str, Any] = {"owner": owner, "created_by": by, "region": owner.region}
    related: list[tuple[models.ForeignKey[Any, Any], Any]] = []
    for name, value in _normalised(draft.data).items():
        if name not in RELATED_FIELDS:
            attributes[name] = value
            continue
        field, model = RELATED_FIELDS[name]
        if value is not None and not isinstance(value, model):
            raise ValueError(f"{name} must be a {model.__name__}, not {value!r}")
        attributes[field.attname] = value.pk if value is not None else None
        related.append((field, value))
    achievement = make(**attributes)
    # The related objects are at hand: cache them so that cleaning and the audit snapshot need no query.
    for name, value in links.items():
        OWN_LINKS[name].set_cached_value(achievement, value)
    for field, value in related:
        field.set_cached_value(achievement, value)
    return achievement


@functools.lru_cache(maxsize=4096)
def ip_number_validate(kind: str, number: str) -> str:
    """Validate an IP number for its kind and return it in canonical form.

    Remembered: an importer checks a row's numbers while reading it and the service checks them again.
    """
    if kind in PATENT_KINDS:
        validators.validate_patent_number(number)
        return validators.normalise_patent_number(number)
    if kind == IPKind.SOFTWARE_COPYRIGHT:
        validators.validate_software_copyright_number(number)
    elif kind == IPKind.PLANT_VARIETY:
        validators.validate_plant_variety_number(number)
    return number.strip().upper()


Row = dict[str, Any]  # a part's row as {attname: value}, without its achievement


def _units(units: Sequence[dict[str, Any]]) -> list[Row]:
    rows, errors = [], []
    for position, unit in enumerate(units, start=1):
        name = (unit.get("name") or "").strip()
        if not name:
            errors.append(_("Completing unit %(n)d has no name.") % {"n": position})
            continue
        organisation = unit.get("organisation")
        rows.append({"position": position, "name": name, "organisation_id": organisation.pk if organisation else None})
    if errors:
        raise ValidationError({"units": errors})
    return rows


def _persons(persons: Sequence[dict[str, Any]]) -> list[Row]:
    rows, errors = [], []
    for position, person in enumerate(persons, start=1):
        name = (person.get("name") or "").strip()
        if not name:
            errors.append(_("Completing person %(n)d has no name.") % {"n": position})
            continue
        rows.append({
            "position": position,
            "name": name,
            "unit_name": person.get("unit_name", ""),
            "title": person.get("title", ""),
            "education": person.get("education", ""),
            "birth_year": person.get("birth_year"),
        })
    if errors:
        raise ValidationError({"persons": errors})
    return rows


def _ip_items(items: Sequence[dict[str, Any]]) -> list[Row]:
    found: dict[tuple[str, str], Row] = {}  # the same number twice is one item
    errors = []
    for position, item in enumerate(items, start=1):
        kind = item.get("kind") or ""
        if kind not in IP_KINDS:
            errors.append(_("IP item %(n)d: unknown kind %(kind)s.") % {"n": position, "kind": kind})
            continue
        try:
            number = ip_number_validate(kind, item.get("number") or "")
        except ValidationError as exc:
            errors.extend(_("IP item %(n)d: %(message)s") % {"n": position, "message": m} for m in exc.messages)
            continue
        found[(kind, number)] = {
            "kind": kind,
            "number": number,
            "title": item.get("title", ""),
            "holder": item.get("holder", ""),
            "granted": bool(item.get("granted", False)),
        }
    if errors:
        raise ValidationError({"ip_items": errors})
    return list(found.values())


@dataclass
class Parts:
    """The repeated parts of a form, built and checked but not yet saved (rows without their achievement)."""

    achievement: Achievement
    units: list[Row] = dataclasses.field(default_factory=list)
    persons: list[Row] = dataclasses.field(default_factory=list)
    ip_items: list[Row] = dataclasses.field(default_factory=list)
    transfer_modes: list[Row] = dataclasses.field(default_factory=list)

    def save(self) -> None:
        _parts_save([self])


PART_MODELS: list[tuple[str, type[Any]]] = [
    ("units", CompletingUnit),
    ("persons", CompletingPerson),
    ("ip_items", IPItem),
    ("transfer_modes", Achievement.transfer_modes.through),
]


def _parts_save(parts: Sequence[Parts]) -> None:
    """Insert the parts of saved achievements, one multi-row INSERT per table (rows are not read back)."""
    for name, model in PART_MODELS:
        rows = []
        for part in parts:
            pk = part.achievement.pk
            for row in getattr(part, name):
                row["achievement_id"] = pk
                rows.append(row)
        bulk_insert_rows(model, rows)


def _parts(
    achievement: Achievement,
    *,
    units: Sequence[dict[str, Any]] | None,
    persons: Sequence[dict[str, Any]] | None,
    ip_items: Sequence[dict[str, Any]] | None,
    transfer_modes: Iterable[CodeItem] | None,
) -> Parts:
    return Parts(
        achievement=achievement,
        units=_units(units) if units is not None else [],
        persons=_persons(persons) if persons is not None else [],
        ip_items=_ip_items(ip_items) if ip_items is not None else [],
        transfer_modes=[{"codeitem_id": m.pk} for m in transfer_modes or []],
    )


def _checked(
    achievement: Achievement,
    data: dict[str, Any],
    *,
    units: Sequence[dict[str, Any]] | None,
    persons: Sequence[dict[str, Any]] | None,
    ip_items: Sequence[dict[str, Any]] | None,
    transfer_modes: Iterable[CodeItem] | None,
) -> Parts:
    """Apply `data` to `achievement` and build its parts, checking both: one ValidationError with every
    problem of the fields and of the parts."""
    _apply(achievement, data)  # a field that cannot be set here is refused alone: the data is not for this form
    errors = ErrorCollector()
    with errors.collect():
        _clean_fields(achievement)
    parts = Parts(achievement)
    with errors.collect():
        parts = _parts(achievement, units=units, persons=persons, ip_items=ip_items, transfer_modes=transfer_modes)
    errors.raise_if_any()
    return parts


def achievement_validate(
    *,
    owner: Organisation,
    data: dict[str, Any],
    achievement: Achievement | None = None,
    units: Sequence[dict[str, Any]] | None = None,
    persons: Sequence[dict[str, Any]] | None = None,
    ip_items: Sequence[dict[str, Any]] | None = None,
) -> None:
    """Every content check of `achievement_create` (or, given `achievement`, of `achievement_update`) on
    `data` and the parts given, without saving anything; one ValidationError with all the problems.

    The form pages call it when their own input checks fail, with the fields and parts that passed, so that
    the page shows every problem on one submit instead of the service's only after the form's are fixed.
    """
    if achievement is None:
        target = Achievement(owner=owner, region=owner.region)
    else:
        target = Achievement.objects.get(pk=achievement.pk)  # a fresh copy: the form may have changed the given one
    _checked(target, data, units=units, persons=persons, ip_items=ip_items, transfer_modes=None)


@dataclass
class NewAchievement:
    """What `achievements_create` needs for one draft: the form fields and its repeated parts."""

    data: dict[str, Any]
    units: Sequence[dict[str, Any]] | None = None
    persons: Sequence[dict[str, Any]] | None = None
    ip_items: Sequence[dict[str, Any]] | None = None
    transfer_modes: Iterable[CodeItem] | None = None
    import_key: str | None = None


def _require_can_create(by: User, owner: Organisation) -> None:
    user_require_confirmed(by)
    if not perms.can_create_for(by, owner.pk):
        raise PermissionDenied(_("You can only register achievements for your own organisation."))


@dataclass
class PreparedAchievement:
    """A new draft built and checked by `achievements_prepare`, not yet saved, with its rows converted for the
    database (`core.bulk.RowValues`): what `achievements_insert` writes."""

    achievement: Achievement
    row: list[Any]
    part_rows: dict[str, list[list[Any]]]  # by `PART_MODELS` name, without the achievement's key
    audit_row: list[Any]

    def __getstate__(self) -> dict[str, Any]:
        # Sent from an import's helper process without the instance: the rows are what is saved, and
        # unpickling a model instance costs more than saving its row.
        return {**self.__dict__, "achievement": None}


def achievements_prepare(
    *, by: User, owner: Organisation, drafts: Sequence[NewAchievement], note: str = ""
) -> list[PreparedAchievement]:
    """Every check of `achievements_create`, writing nothing: the first invalid draft raises ValidationError
    with all of its field and part problems. It reads only code tables and memberships, so an import may run
    it in helper processes while its own process saves what they prepared. The first completing unit
    defaults to the owner (R1.2)."""
    _require_can_create(by, owner)
    make = InstanceMaker(Achievement)
    now = timezone.now()
    achievements: list[Achievement] = []
    parts: list[Parts] = []
    memo: dict[tuple[str, Any], Any] = {}
    for draft in drafts:
        achievement = _new(make, owner=owner, by=by, draft=draft, now=now)
        errors = ErrorCollector()
        with errors.collect():
            _clean_fields(achievement, given=draft.data, memo=memo)
        with errors.collect():
            part = _parts(
                achievement,
                units=draft.units or [{"name": owner.name, "organisation": owner}],
                persons=draft.persons,
                ip_items=draft.ip_items,
                transfer_modes=draft.transfer_modes,
            )
        errors.raise_if_any()
        achievements.append(achievement)
        parts.append(part)
    values = RowValues(Achievement)
    part_values = {name: RowValues(model) for name, model in PART_MODELS}
    audits = audit_rows(
        actor=by, action="achievement.create", objs=achievements, changes=snapshots(achievements, FORM_FIELDS),
        note=note,
    )
    return [
        PreparedAchievement(
            achievement=achievement,
            row=values.of_instance(achievement),
            part_rows={name: [part_values[name].of_dict(r) for r in getattr(part, name)] for name, _m in PART_MODELS},
            audit_row=audit,
        )
        for achievement, part, audit in zip(achievements, parts, audits, strict=True)
    ]


@transaction.atomic
def achievements_insert(*, by: User, owner: Organisation, prepared: Sequence[PreparedAchievement]) -> list[int]:
    """Save drafts that `achievements_prepare` built and checked (a few multi-row INSERTs, the audit included)
    and return their ids. The instances are not needed: an import's helper processes send only the rows."""
    _require_can_create(by, owner)
    owner_column = RowValues(Achievement).index("owner_id")
    if any(p.row[owner_column] != owner.pk for p in prepared):
        raise PermissionDenied(_("You can only register achievements for your own organisation."))
    pks = values_insert(Achievement, [p.row for p in prepared], returning=True)
    for name, model in PART_MODELS:
        column = RowValues(model).index("achievement_id")
        rows = []
        for item, pk in zip(prepared, pks, strict=True):
            for row in item.part_rows[name]:
                row[column] = pk
                rows.append(row)
        values_insert(model, rows)
    audit_rows_insert([p.audit_row for p in prepared], [str(pk) for pk in pks])
    for pk in pks:
        _reindex_id_on_commit(pk)
    return pks


def achievements_create(
    *, by: User, owner: Organisation, drafts: Sequence[NewAchievement], note: str = ""
) -> list[Achievement]:
    """Create drafts for `owner` (one from the form, thousands on import): every draft and its parts are
    checked before anything is written, so one bad IP number saves nothing."""
    prepared = achievements_prepare(by=by, owner=owner, drafts=drafts, note=note)
    achievements = [p.achievement for p in prepared]
    saved_mark(achievements, achievements_insert(by=by, owner=owner, prepared=prepared))
    return achievements


def achievement_create(
    *,
    by: User,
    owner: Organisation,
    data: dict[str, Any],
    units: Sequence[dict[str, Any]] | None = None,
    persons: Sequence[dict[str, Any]] | None = None,
    ip_items: Sequence[dict[str, Any]] | None = None,
    transfer_modes: Iterable[CodeItem] | None = None,
    import_key: str | None = None,
) -> Achievement:
    """Create one draft for `owner` (see `achievements_create`)."""
    draft = NewAchievement(data, units, persons, ip_items, transfer_modes, import_key)
    return achievements_create(by=by, owner=owner, drafts=[draft])[0]


@transaction.atomic
def achievement_update(
    *,
    achievement: Achievement,
    by: User,
    data: dict[str, Any],
    units: Sequence[dict[str, Any]] | None = None,
    persons: Sequence[dict[str, Any]] | None = None,
    ip_items: Sequence[dict[str, Any]] | None = None,
    transfer_modes: Iterable[CodeItem] | None = None,
) -> Achievement:
    """Edit a draft or returned record. Registered records change only through `achievement_revise`."""
    achievement = _locked(achievement)
    # Only those who could revise hear about revisions; anyone else is simply not allowed (403, not 409).
    if achievement.status in REGISTERED_STATUSES and perms.can_revise(by, achievement):
        raise ApplicationError(_("A registered achievement can only be changed through a recorded revision."))
    if not perms.can_edit(by, achievement):
        raise PermissionDenied(_("You cannot edit this achievement."))
    before = snapshot(achievement, FORM_FIELDS)
    parts = _checked(
        achievement, data, units=units, persons=persons, ip_items=ip_items, transfer_modes=transfer_modes
    )
    achievement.save()
    given = {"units": units, "persons": persons, "ip_items": ip_items, "transfer_modes": transfer_modes}
    replaced = [name for name, value in given.items() if value is not None]
    for name in replaced:  # a part that is given replaces the stored one
        if name == "transfer_modes":
            achievement.transfer_modes.clear()
        else:
            getattr(achievement, name).all().delete()
    parts.save()
    changes = diff(before, snapshot(achievement, FORM_FIELDS))
    changes.update({name: ["…", "updated"] for name in replaced})
    audit_record(actor=by, action="achievement.update", obj=achievement, changes=changes)
    _reindex_on_commit(achievement)
    return achievement


def submission_problems(achievement: Achievement) -> dict[str, list[str]]:
    """What stops the record from being submitted: the form and materials check (R1.3, R1.4)."""
    problems: dict[str, list[str]] = {}

    def need(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    if achievement.secrecy != Secrecy.NONE:
        need("secrecy", _("Classified achievements are not registered here; they follow the secrecy rules (R1.1)."))
    required = {
        "name": _("name"), "summary": _("summary"), "achievement_type": _("achievement type"),
        "high_tech_field": _("high-tech field"), "discipline": _("discipline"), "stage": _("stage"),
        "level": _("level"), "research_start": _("research start"), "research_end": _("research end"),
        "contact_name": _("contact person"), "contact_phone": _("contact phone"),
    }
    for field, label in required.items():
        if not getattr(achievement, field):
            need(field, _("Please fill in the %(field)s.") % {"field": label})
    if not achievement.keywords:
        need("keywords", _("Give at least one keyword."))
    if not achievement.units.exists():
        need("units", _("List at least one completing unit."))
    if not achievement.persons.exists():
        need("persons", _("List at least one completing person."))
    if not achievement.attachments.exists():
        need("attachments", _("Attach the supporting materials as PDF (evaluation proof, IP certificate or report)."))
    return problems


@transaction.atomic
def achievement_submit(*, achievement: Achievement, by: User) -> Achievement:
    achievement = _locked(achievement)
    ACHIEVEMENT_FLOW.check(achievement, "submit", by)  # also: the owner is verified (the step's condition)
    problems = submission_problems(achievement)
    if problems:
        raise ValidationError(problems)
    transition(achievement, "submit", by=by)
    achievement.submitted_at = timezone.now()
    achievement.return_reason = ""
    achievement.save()
    return achievement


@transaction.atomic
def achievement_return(*, achievement: Achievement, by: User, reason: str) -> Achievement:
    achievement = _locked(achievement)
    change = transition(achievement, "return", by=by, reason=reason)
    achievement.return_reason = change.reason
    achievement.save()
    return achievement


def current_scheme() -> RegistrationScheme:
    scheme = RegistrationScheme.objects.filter(valid_from__lte=timezone.localdate()).order_by("-valid_from").first()
    if scheme is None:
        raise ApplicationError(_("No registration number scheme is in force; the administrator must add one."))
    return scheme


def registration_number_next(*, achievement: Achievement, registry: Organisation | None) -> str:
    """Take the next serial for this registry, year and type, inside the caller's transaction.

    The sequence row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite runs write transactions one
    at a time), and it is incremented in the same transaction that stores the number, so a rollback gives
    the serial back: no gaps and no duplicates.
    """
    scheme = current_scheme()
    code = (registry.registry_code if registry else "") or scheme.default_registry_code
    flag = scheme.type_flags[achievement.achievement_type]
    year = timezone.localdate().year
    NumberSequence.objects.get_or_create(registry_code=code, year=year, type_flag=flag)
    sequence = NumberSequence.objects.select_for_update().get(registry_code=code, year=year, type_flag=flag)
    sequence.last += 1
    if sequence.last >= 10**scheme.serial_digits:
        raise ApplicationError(_("The registration serials of this year are used up; extend the number scheme."))
    sequence.save(update_fields=["last"])
    return scheme.pattern.format(registry=code, year=year, flag=flag, serial=sequence.last)


def _registry_of(by: User) -> Organisation | None:
    from techtransfer.accounts.choices import OrgType, Role
    from techtransfer.accounts.permissions import memberships

    for m in memberships(by):
        if m.role in {Role.REVIEWER, Role.COMMISSION_ADMIN} and m.organisation.org_type == OrgType.REGISTRATION_BODY:
            return m.organisation
    return None


@transaction.atomic
def achievement_register(*, achievement: Achievement, by: User) -> Achievement:
    """Formal review passed: assign the 批准登记号 and, unless the unit asked otherwise, publish."""
    achievement = _locked(achievement)
    ACHIEVEMENT_FLOW.check(achievement, "register", by)
    problems = submission_problems(achievement)
    if problems:
        raise ValidationError(problems)
    registry = _registry_of(by)
    achievement.registration_number = registration_number_next(achievement=achievement, registry=registry)
    achievement.registry = registry
    achievement.registered_at = timezone.now()
    achievement.registered_by = by
    transition(achievement, "register", by=by, reason=achievement.registration_number)
    # Published at once unless the unit asked otherwise, or the table refuses it now (an organisation whose
    # verification was withdrawn meanwhile: registered, published once verified again).
    if achievement.public_release and ACHIEVEMENT_FLOW.may(by, achievement, "publish"):
        transition(achievement, "publish", by=by)
        achievement.published_at = timezone.now()
    achievement.save()
    _reindex_on_commit(achievement)
    return achievement


@transaction.atomic
def achievement_publish(*, achievement: Achievement, by: User) -> Achievement:
    achievement = _locked(achievement)
    transition(achievement, "publish", by=by)
    achievement.published_at = timezone.now()
    achievement.save()
    _reindex_on_commit(achievement)
    return achievement


@transaction.atomic
def achievement_withdraw(*, achievement: Achievement, by: User, reason: str = "") -> Achievement:
    """The unit takes back a record it no longer wants registered (or published)."""
    achievement = _locked(achievement)
    transition(achievement, "withdraw", by=by, reason=reason)
    achievement.save()
    _reindex_on_commit(achievement)
    return achievement


@transaction.atomic
def achievement_revise(*, achievement: Achievement, by: User, data: dict[str, Any], reason: str) -> Revision:
    """Change a registered record; the revision keeps which fields changed, from what, to what, and why."""
    achievement = _locked(achievement)
    if not perms.can_revise(by, achievement):
        raise PermissionDenied(_("You cannot revise this achievement."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the registered record is revised.")]})
    if data.get("secrecy", Secrecy.NONE) != Secrecy.NONE:
        raise ValidationError({"secrecy": [_("A registered achievement cannot become classified; withdraw it.")]})
    before = snapshot(achievement, FORM_FIELDS)
    _apply(achievement, data)
    _clean_fields(achievement)
    changes = diff(before, snapshot(achievement, FORM_FIELDS))
    if not changes:
        raise ValidationError({"__all__": [_("The revision changes nothing.")]})
    achievement.revision_count += 1
    achievement.save()
    revision = Revision.objects.create(
        achievement=achievement, number=achievement.revision_count, changes=changes, reason=reason.strip(), by=by,
        at=timezone.now(),
    )
    audit_record(actor=by, action="achievement.revise", obj=achievement, changes=changes, note=reason.strip())
    _reindex_on_commit(achievement)
    return revision




@transaction.atomic
def attachment_add(*, achievement: Achievement, by: User, upload: UploadedFile, kind: str) -> Attachment:
    """Store a PDF proof after checking its type (by content, not by name) and size."""
    if not perms.can_edit(by, achievement):
        raise PermissionDenied(_("You cannot add files to this achievement."))
    attachment = pdf_store(Attachment(achievement=achievement, kind=kind, uploaded_by=by), upload)
    audit_record(actor=by, action="attachment.add", obj=achievement, changes={"attachment": [None, upload.name]})
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, by: User) -> None:
    achievement = attachment.achievement
    if not perms.can_edit(by, achievement):
        raise PermissionDenied(_("You cannot remove files from this achievement."))
    name = attachment.original_name
    attachment.file.delete(save=False)
    attachment.delete()
    audit_record(actor=by, action="attachment.remove", obj=achievement, changes={"attachment": [name, None]})
