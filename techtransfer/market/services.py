"""Writes to technology demands: create, edit, and the moderation workflow up to matched/closed/expired.

Every service checks its own permission and state rules, runs in one transaction and writes the audit
trail. Pages, the API and the daily expiry command all call these.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.permissions import NOT_AN_EDITOR, OWNER_EDITOR
from techtransfer.accounts.services import user_require_confirmed
from techtransfer.core.audit import audit_record, diff, snapshot
from techtransfer.core.codetables import code_table_key
from techtransfer.core.exceptions import ApplicationError, ErrorCollector
from techtransfer.core.models import CodeItem
from techtransfer.core.workflow import transition
from techtransfer.market import permissions as perms
from techtransfer.market.choices import DemandStatus
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.tasks import enqueue_reindex, enqueue_reindex_many
from techtransfer.market.workflows import DEMAND_FLOW

# Fields the owner fills on the form, in form order.
FORM_FIELDS = [
    "title",
    "description",
    "field",
    "region",
    "budget_min",
    "budget_max",
    "deadline",
    "contact_public",
    "contact_name",
    "contact_phone",
    "contact_email",
]
# Code fields and the code table each must come from.
CODE_FIELDS = {"field": "high_tech_field", "region": "region"}
COOPERATION_TABLE = "cooperation_mode"
# Required before a demand goes to moderation (a draft may be saved half-done).
REQUIRED_TO_SUBMIT = ["title", "description", "field", "region", "deadline", "contact_name"]

# Module constants are lazy: they are built at import time, but must be translated per request.
NOT_A_MEMBER = NOT_AN_EDITOR
DEADLINE_PASSED = gettext_lazy("The deadline has passed; return the demand so the owner can set a new one.")


def _locked(demand: TechnologyDemand) -> TechnologyDemand:
    # Lock the demand row only, not the owner and region rows joined in for the moderator check.
    return TechnologyDemand.objects.select_for_update(of=("self",)).select_related("owner__region").get(pk=demand.pk)


def _reindex_on_commit(demand: TechnologyDemand) -> None:
    """The search index follows every change, once the transaction commits (core.jobs)."""
    enqueue_reindex(demand.pk)


def _apply(demand: TechnologyDemand, data: dict[str, Any]) -> None:
    for name, value in data.items():
        if name not in FORM_FIELDS:
            raise ValidationError({name: [_("This field cannot be set here.")]})
        if isinstance(value, str):
            value = value.strip()
        setattr(demand, name, value)


def _clean(demand: TechnologyDemand) -> None:
    errors: dict[str, list[str]] = {}
    for name, table in CODE_FIELDS.items():
        item = getattr(demand, name)
        if item is not None and code_table_key(item.table_id) != table:
            errors.setdefault(name, []).append(_("This value belongs to another code table."))
    try:
        # Code fields were checked above; constraints are the database's (and clean()'s) to enforce.
        demand.full_clean(exclude=["owner", "created_by", *CODE_FIELDS], validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _check_modes(modes: Iterable[CodeItem]) -> None:
    wrong = [str(m) for m in modes if code_table_key(m.table_id) != COOPERATION_TABLE]
    if wrong:
        raise ValidationError(
            {"cooperation_modes": [_("Not a cooperation mode: %(items)s.") % {"items": ", ".join(wrong)}]}
        )


def _set_modes(demand: TechnologyDemand, modes: Iterable[CodeItem]) -> None:
    modes = list(modes)
    _check_modes(modes)
    demand.cooperation_modes.set(modes)


def demand_validate(
    *,
    owner: Organisation,
    data: dict[str, Any],
    cooperation_modes: Iterable[CodeItem] | None = None,
    demand: TechnologyDemand | None = None,
    submitting: bool = False,
) -> None:
    """Every content check of `demand_create` (or, given `demand`, of `demand_update`) on `data`, and with
    `submitting` those of `demand_submit` too, without saving anything; one ValidationError with all the
    problems. The form page calls it so that one submit shows every problem: the form's, the content's and
    what would stop the submission."""
    if demand is None:
        target = TechnologyDemand(owner=owner)
        current_modes: list[CodeItem] = []
    else:
        target = TechnologyDemand.objects.get(pk=demand.pk)  # a fresh copy: the form may have changed the given one
        current_modes = list(target.cooperation_modes.all())
    _apply(target, data)
    modes = current_modes if cooperation_modes is None else list(cooperation_modes)
    errors = ErrorCollector()
    with errors.collect():
        _clean(target)
    with errors.collect():
        _check_modes(modes)
    if submitting:
        problems = submission_problems(target, cooperation_modes=modes)
        # A field already wrong is not also "missing".
        errors.add(ValidationError({f: m for f, m in problems.items() if f not in errors.errors}))
    errors.raise_if_any()


@transaction.atomic
def demand_create(
    *,
    by: User,
    owner: Organisation,
    data: dict[str, Any],
    cooperation_modes: Iterable[CodeItem] | None = None,
) -> TechnologyDemand:
    """Create a draft demand for `owner`, written by one of its members."""
    user_require_confirmed(by)
    if not perms.can_create_for(by, owner.pk):
        raise PermissionDenied(_("You can only post demands for an organisation you belong to."))
    demand = TechnologyDemand(owner=owner, created_by=by)
    _apply(demand, data)
    _clean(demand)
    demand.save()
    changes = snapshot(demand, FORM_FIELDS)
    if cooperation_modes is not None:
        _set_modes(demand, cooperation_modes)
        changes["cooperation_modes"] = sorted(m.code for m in demand.cooperation_modes.all())
    audit_record(actor=by, action="demand.create", obj=demand, changes=changes)
    _reindex_on_commit(demand)
    return demand


@transaction.atomic
def demand_update(
    *,
    demand: TechnologyDemand,
    by: User,
    data: dict[str, Any],
    cooperation_modes: Iterable[CodeItem] | None = None,
) -> TechnologyDemand:
    """Edit a draft. Once submitted, a demand changes only after moderation sends it back."""
    demand = _locked(demand)
    if not OWNER_EDITOR.check(by, demand):
        raise PermissionDenied(NOT_A_MEMBER)
    if not perms.can_edit(by, demand):
        raise ApplicationError(
            _("Only a draft can be edited; this demand is %(status)s.") % {"status": demand.get_status_display()}
        )
    before = snapshot(demand, FORM_FIELDS)
    _apply(demand, data)
    _clean(demand)
    demand.save()
    changes = diff(before, snapshot(demand, FORM_FIELDS))
    if cooperation_modes is not None:
        old = sorted(m.code for m in demand.cooperation_modes.all())
        _set_modes(demand, cooperation_modes)
        new = sorted(m.code for m in demand.cooperation_modes.all())
        if old != new:
            changes["cooperation_modes"] = [old, new]
    audit_record(actor=by, action="demand.update", obj=demand, changes=changes)
    _reindex_on_commit(demand)
    return demand


def submission_problems(
    demand: TechnologyDemand,
    *,
    today: datetime.date | None = None,
    cooperation_modes: Iterable[CodeItem] | None = None,
) -> dict[str, list[str]]:
    """What stops the demand from going to moderation, by field (empty when it may go). The messages name
    their field: they are also shown away from it (on the demand's page). `cooperation_modes`: the modes
    about to be saved, instead of the stored ones."""
    today = today or timezone.localdate()
    problems: dict[str, list[str]] = {}
    for name in REQUIRED_TO_SUBMIT:
        if getattr(demand, name) in (None, ""):
            field = TechnologyDemand._meta.get_field(name)
            assert isinstance(field, models.Field)  # the demand's own fields, not reverse relations
            label = field.verbose_name
            problems[name] = [_("Fill in the %(field)s before the demand is submitted.") % {"field": label}]
    if demand.deadline is not None and demand.deadline <= today:
        problems["deadline"] = [
            _("The deadline %(deadline)s is not in the future.") % {"deadline": demand.deadline.isoformat()}
        ]
    has_modes = bool(list(cooperation_modes)) if cooperation_modes is not None else demand.cooperation_modes.exists()
    if not has_modes:
        problems["cooperation_modes"] = [_("Choose at least one cooperation mode.")]
    return problems


@transaction.atomic
def demand_submit(*, demand: TechnologyDemand, by: User) -> TechnologyDemand:
    """Send a complete draft to moderation."""
    demand = _locked(demand)
    DEMAND_FLOW.check(demand, "submit", by)  # also: the owner is verified (the step's condition)
    problems = submission_problems(demand)
    if problems:
        raise ValidationError(problems)
    transition(demand, "submit", by=by)
    demand.submitted_at = timezone.now()
    demand.save()
    _reindex_on_commit(demand)
    return demand


@transaction.atomic
def demand_approve(*, demand: TechnologyDemand, by: User) -> TechnologyDemand:
    """A moderator publishes the demand."""
    demand = _locked(demand)
    DEMAND_FLOW.check(demand, "approve", by)
    # A demand that waited in the queue past its deadline would be published already expired.
    if demand.is_past_deadline:
        raise ApplicationError(DEADLINE_PASSED)
    transition(demand, "approve", by=by)
    now = timezone.now()
    demand.reviewed_by, demand.reviewed_at, demand.review_note = by, now, ""
    demand.published_at = now
    demand.save()
    _reindex_on_commit(demand)
    return demand


@transaction.atomic
def demand_reject(*, demand: TechnologyDemand, by: User, reason: str) -> TechnologyDemand:
    """A moderator returns the demand to its owner as a draft, saying why."""
    demand = _locked(demand)
    change = transition(demand, "reject", by=by, reason=reason)
    demand.reviewed_by, demand.reviewed_at, demand.review_note = by, change.at, change.reason
    demand.save()
    _reindex_on_commit(demand)
    return demand


@transaction.atomic
def demand_close(*, demand: TechnologyDemand, by: User, reason: str = "") -> TechnologyDemand:
    """The owner withdraws the demand (or a moderator takes it down); it leaves the public market."""
    demand = _locked(demand)
    transition(demand, "close", by=by, reason=reason)
    demand.save()
    _reindex_on_commit(demand)
    return demand


@transaction.atomic
def demand_mark_matched(*, demand: TechnologyDemand, by: User, note: str = "") -> TechnologyDemand:
    """The owner records that a solver was found (matchmaking does it when a contact request is signed)."""
    demand = _locked(demand)
    transition(demand, "mark_matched", by=by, reason=note)
    demand.save()
    _reindex_on_commit(demand)
    return demand


@transaction.atomic
def demands_expire(*, today: datetime.date | None = None) -> int:
    """Expire every published demand whose deadline (its last open day) is before `today`.

    Run daily by `manage.py expire_demands`. Idempotent: a second run on the same day finds nothing.
    """
    today = today or timezone.localdate()
    demands = list(
        TechnologyDemand.objects.select_for_update().filter(status=DemandStatus.PUBLISHED, deadline__lt=today)
    )
    DEMAND_FLOW.record_many(demands, DEMAND_FLOW.step("expire"))
    enqueue_reindex_many([d.pk for d in demands])
    return len(demands)
