"""Writes to achievements: create, edit, the registration workflow, numbering, revisions, attachments.

Every service checks its own permission and state rules, runs in one transaction, writes the audit trail,
and asks for a search re-index after commit. Pages, the API and importers all call these.
"""

from __future__ import annotations

import dataclasses
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
from techtransfer.core.audit import audit_record, audit_record_many, diff, snapshot
from techtransfer.core.codetables import code_table_key
from techtransfer.core.exceptions import ApplicationError, ErrorCollector
from techtransfer.core.models import CodeItem
from techtransfer.core.workflow import transition
from techtransfer.lib import validators
from techtransfer.lib.uploads import pdf_upload_check

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
    from techtransfer.achievements.tasks import enqueue_reindex

    enqueue_reindex(achievement.pk)


def _locked(achievement: Achievement) -> Achievement:
    # Lock the record's row only, not the owner and region rows joined in for the reviewer check.
    return Achievement.objects.select_for_update(of=("self",)).select_related("owner__region").get(pk=achievement.pk)


def _normalise_keywords(values: Any) -> list[str]:
    if isinstance(values, str):
        values = values.replace("；", ";").replace("，", ",").replace("、", ",").replace(";", ",").split(",")
    return [v.strip() for v in values or [] if v and v.strip()]


def _clean_fields(achievement: Achievement) -> None:
    errors: dict[str, list[str]] = {}
    if len(achievement.keywords) > MAX_KEYWORDS:
        errors["keywords"] = [_("At most %(n)d keywords are allowed.") % {"n": MAX_KEYWORDS}]
    start, end = achievement.research_start, achievement.research_end
    if start and end and end < start:
        errors["research_end"] = [_("The research end is before its start.")]
    for field in CODE_FIELDS:
        item = getattr(achievement, field)
        if item is not None and code_table_key(item.table_id) != CODE_FIELDS[field]:
            errors.setdefault(field, []).append(_("This value belongs to another code table."))
    try:
        # Code fields are checked above against a cached table map: full_clean would query each one.
        # Unique and check constraints are the database's to enforce: validating them here costs a query each.
        achievement.full_clean(
            exclude=["owner", "created_by", "registry", "registered_by", "funded_project", *CODE_FIELDS],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _apply(achievement: Achievement, data: dict[str, Any]) -> None:
    for field, value in data.items():
        if field not in FORM_FIELDS:
            raise ValidationError({field: [_("This field cannot be set here.")]})
        if field in {"keywords", "keywords_en"}:
            value = _normalise_keywords(value)
        if field in {"research_start", "research_end"} and value:
            value = value.replace(day=1)  # the form records year and month only
        setattr(achievement, field, value)


def ip_number_validate(kind: str, number: str) -> str:
    """Validate an IP number for its kind and return it in canonical form."""
    if kind in PATENT_KINDS:
        validators.validate_patent_number(number)
        return validators.normalise_patent_number(number)
    if kind == IPKind.SOFTWARE_COPYRIGHT:
        validators.validate_software_copyright_number(number)
    elif kind == IPKind.PLANT_VARIETY:
        validators.validate_plant_variety_number(number)
    return number.strip().upper()


def _units(achievement: Achievement, units: Sequence[dict[str, Any]]) -> list[CompletingUnit]:
    rows, errors = [], []
    for position, unit in enumerate(units, start=1):
        name = (unit.get("name") or "").strip()
        if not name:
            errors.append(_("Completing unit %(n)d has no name.") % {"n": position})
            continue
        rows.append(
            CompletingUnit(achievement=achievement, position=position, name=name, organisation=unit.get("organisation"))
        )
    if errors:
        raise ValidationError({"units": errors})
    return rows


def _persons(achievement: Achievement, persons: Sequence[dict[str, Any]]) -> list[CompletingPerson]:
    rows, errors = [], []
    for position, person in enumerate(persons, start=1):
        name = (person.get("name") or "").strip()
        if not name:
            errors.append(_("Completing person %(n)d has no name.") % {"n": position})
            continue
        rows.append(
            CompletingPerson(
                achievement=achievement,
                position=position,
                name=name,
                unit_name=person.get("unit_name", ""),
                title=person.get("title", ""),
                education=person.get("education", ""),
                birth_year=person.get("birth_year"),
            )
        )
    if errors:
        raise ValidationError({"persons": errors})
    return rows


def _ip_items(achievement: Achievement, items: Sequence[dict[str, Any]]) -> list[IPItem]:
    found: dict[tuple[str, str], IPItem] = {}  # the same number twice is one item
    errors = []
    for position, item in enumerate(items, start=1):
        kind = item.get("kind") or ""
        if kind not in IPKind.values:
            errors.append(_("IP item %(n)d: unknown kind %(kind)s.") % {"n": position, "kind": kind})
            continue
        try:
            number = ip_number_validate(kind, item.get("number") or "")
        except ValidationError as exc:
            errors.extend(_("IP item %(n)d: %(message)s") % {"n": position, "message": m} for m in exc.messages)
            continue
        found[(kind, number)] = IPItem(
            achievement=achievement,
            kind=kind,
            number=number,
            title=item.get("title", ""),
            holder=item.get("holder", ""),
            granted=bool(item.get("granted", False)),
        )
    if errors:
        raise ValidationError({"ip_items": errors})
    return list(found.values())


@dataclass
class Parts:
    """The repeated parts of a form, built and checked but not yet saved."""

    units: list[CompletingUnit] = dataclasses.field(default_factory=list)
    persons: list[CompletingPerson] = dataclasses.field(default_factory=list)
    ip_items: list[IPItem] = dataclasses.field(default_factory=list)
    transfer_modes: list[Any] = dataclasses.field(default_factory=list)

    def save(self) -> None:
        CompletingUnit.objects.bulk_create(self.units)
        CompletingPerson.objects.bulk_create(self.persons)
        IPItem.objects.bulk_create(self.ip_items)
        Achievement.transfer_modes.through.objects.bulk_create(self.transfer_modes)


def _parts(
    achievement: Achievement,
    *,
    units: Sequence[dict[str, Any]] | None,
    persons: Sequence[dict[str, Any]] | None,
    ip_items: Sequence[dict[str, Any]] | None,
    transfer_modes: Iterable[CodeItem] | None,
) -> Parts:
    through = Achievement.transfer_modes.through
    return Parts(
        units=_units(achievement, units) if units is not None else [],
        persons=_persons(achievement, persons) if persons is not None else [],
        ip_items=_ip_items(achievement, ip_items) if ip_items is not None else [],
        transfer_modes=[through(achievement=achievement, codeitem=m) for m in transfer_modes or []],
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
    parts = Parts()
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


@transaction.atomic
def achievements_create(
    *, by: User, owner: Organisation, drafts: Sequence[NewAchievement], note: str = ""
) -> list[Achievement]:
    """Create drafts for `owner` with a few multi-row INSERTs (one draft from the form, thousands on import).

    Every draft gets the same checks; the first invalid one raises ValidationError and nothing is saved.
    The first completing unit defaults to the owner (R1.2).
    """
    user_require_confirmed(by)
    if not perms.can_create_for(by, owner.pk):
        raise PermissionDenied(_("You can only register achievements for your own organisation."))
    achievements, parts = [], []
    # Every draft and its parts are checked before anything is written, so a bad IP number saves nothing.
    for draft in drafts:
        achievement = Achievement(owner=owner, created_by=by, import_key=draft.import_key, region=owner.region)
        parts.append(
            _checked(
                achievement,
                draft.data,
                units=draft.units or [{"name": owner.name, "organisation": owner}],
                persons=draft.persons,
                ip_items=draft.ip_items,
                transfer_modes=draft.transfer_modes,
            )
        )
        achievements.append(achievement)
    Achievement.objects.bulk_create(achievements)  # sets primary keys on SQLite and PostgreSQL
    for part in parts:
        for row in (*part.units, *part.persons, *part.ip_items, *part.transfer_modes):
            row.achievement_id = row.achievement.pk
    Parts(
        units=[u for part in parts for u in part.units],
        persons=[p for part in parts for p in part.persons],
        ip_items=[i for part in parts for i in part.ip_items],
        transfer_modes=[m for part in parts for m in part.transfer_modes],
    ).save()
    audit_record_many(
        actor=by,
        action="achievement.create",
        objs=achievements,
        changes=[snapshot(a, FORM_FIELDS) for a in achievements],
        note=note,
    )
    for achievement in achievements:
        _reindex_on_commit(achievement)
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
    ACHIEVEMENT_FLOW.check(achievement, "submit", by)
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
    if achievement.public_release:
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
    sha256 = pdf_upload_check(upload)
    assert upload.name is not None and upload.size is not None  # the check refused a file without either
    attachment = Attachment(
        achievement=achievement, kind=kind, original_name=upload.name[:255], size=upload.size,
        sha256=sha256, uploaded_by=by,
    )
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
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
