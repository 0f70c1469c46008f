"""The workflow core: every reviewed record moves through its states by named steps that are declared as data.

An app declares its table beside its choices (which steps exist, from which states to which, who may take
each, whether a reason is asked for, which are irreversible, who hears about it):

    DEMAND_STEPS = (
        Step("submit", DemandStatus.DRAFT, DemandStatus.UNDER_REVIEW, who=("owner",), label=_("Submit")),
        Step("reject", DemandStatus.UNDER_REVIEW, DemandStatus.DRAFT, who=("moderator",),
             reason=Reason.REQUIRED, notify=("owner",), label=_("Return with reasons")),
        ...
    )

and binds it once (its `workflows.py`) to the model, its history model and the roles it names:

    DEMAND_FLOW = register(Workflow(kind="demand", model=TechnologyDemand, history=DemandStatusChange,
                                    states=DemandStatus, steps=DEMAND_STEPS, roles={...}, ...))

From that one table come the service guards (`Workflow.check`, called by `transition`), the buttons of the
pages (the `workflow_actions` template tag), the API's `allowed_actions` and generated step endpoints, the
audit vocabulary (`<kind>.<step>`) and the notifications (the `step_taken` signal, sent by a job after
commit). Services keep what is particular to them (numbering, timestamps, what must be filled in) and call
`transition()` for the step itself.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from techtransfer.core.audit import audit_record, audit_record_many, register_action_labels
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.jobs import enqueue
from techtransfer.lib.validators import NOTE_MAX_LENGTH

if TYPE_CHECKING:
    from techtransfer.core.models import StatusHistory

logger = logging.getLogger(__name__)
Text = str | Promise
SYSTEM = "system"  # the role of the scheduler: a step only it takes runs with by=None
INITIAL = ""  # the state a record is in before its first step (a history row's empty "from")

# Sent (from a job, after the commit) when a step has been taken: sender is the Workflow; arguments:
# record, step (Step), actor (User or None), history (the history row). Apps above listen (notifications).
step_taken = Signal()

NOT_ALLOWED = _("You cannot do this.")
WRONG_STATE = _("This cannot be done now: it is %(state)s.")
REASON_MISSING = _("Say why; the reason is recorded and shown to the others involved.")
REASON_TOO_LONG = _("At most %(n)d characters.")
REASON_MAX = NOTE_MAX_LENGTH  # the history row's limit
REASON_LABEL = _("Reason")


class Reason:
    """Whether a step asks for a reason (a note) from the person taking it."""

    NONE = "none"
    OPTIONAL = "optional"
    REQUIRED = "required"


@dataclass(frozen=True)
class Role:
    """Who takes part in a workflow, as a check (may this user act?) and as people (whom to tell?).

    `refusal` is what someone without the role is told: a text, or a function of (user, record) when the
    reason differs (e.g. a moderator who belongs to the record's own organisation).
    """

    name: str
    check: Callable[[Any, Any], bool]
    people: Callable[[Any], Iterable[Any]] | None = None
    refusal: Text | Callable[[Any, Any], Text] = NOT_ALLOWED

    def refusal_for(self, user: Any, record: Any) -> str:
        return str(self.refusal(user, record) if callable(self.refusal) else self.refusal)


@dataclass(frozen=True)
class Step:
    """One step of a workflow table.

    sources: the states it may be taken from (one or several); target: the state it leads to (None: the
    state stays, the step is still recorded, e.g. one side confirming a signature). who: role names
    (SYSTEM: only the scheduler). when: names of conditions (bound by the Workflow) that must hold, such as
    "before the deadline". reason: Reason.NONE / OPTIONAL / REQUIRED, taken as the input `reason_name`.
    irreversible: the page asks for confirmation. done: what the page says afterwards (a function of the record
    the service returned when it depends on the outcome).
    notify: role names whose people are told. own_page: the step needs more input than a reason (an award
    with its winners) and the app gives it its own form; it is still guarded, listed and recorded here.
    """

    name: str
    sources: str | Iterable[str]
    target: str | None
    who: tuple[str, ...]
    label: Text
    help: Text = ""
    reason: str = Reason.NONE
    reason_name: str = "reason"
    reason_label: Text = REASON_LABEL
    reason_missing: Text = ""
    when: tuple[str, ...] = ()
    irreversible: bool = False
    confirm: Text = ""
    done: Text | Callable[[Any], Text] = ""
    audit_label: Text = ""
    notify: tuple[str, ...] = ()
    notice: Text = ""
    own_page: bool = False
    style: str = ""
    source_set: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        sources = {self.sources} if isinstance(self.sources, str) else set(self.sources)
        object.__setattr__(self, "source_set", frozenset(str(s) for s in sources))
        if self.reason not in (Reason.NONE, Reason.OPTIONAL, Reason.REQUIRED):
            raise ImproperlyConfigured(f"Step {self.name}: unknown reason mode {self.reason!r}.")

    @property
    def takes_reason(self) -> bool:
        return self.reason != Reason.NONE

    @property
    def by_system_only(self) -> bool:
        return self.who == (SYSTEM,)


@dataclass(frozen=True)
class Condition:
    """A named condition a step may require: `test(record)` holds (`test(record, user)` when `per_user`: e.g.
    "your side has not confirmed yet"), else `refusal` (a text, or a function of the record — of the record
    and the user when `per_user` — when the reason varies) explains why not.

    `denies`: the condition is about who acts, not about the record's moment (the acting organisation is
    not verified yet): `check` refuses it as a permission (403) rather than a conflict (409). Either way
    the step is not offered (no button, not in `allowed_actions`).
    """

    test: Callable[..., bool]
    refusal: Text | Callable[..., Text]
    per_user: bool = False
    denies: bool = False

    def holds(self, record: Any, user: Any) -> bool:
        return bool(self.test(record, user) if self.per_user else self.test(record))

    def refusal_for(self, record: Any, user: Any = None) -> str:
        if not callable(self.refusal):
            return str(self.refusal)
        return str(self.refusal(record, user) if self.per_user else self.refusal(record))


class Workflow:
    """A workflow table bound to its model, history model, roles and conditions (see the module docstring).

    kind: the name in audit codes, URLs and the registry ("demand"). record_name: the keyword the app's
    services take the record by ("demand"). get_record(user, pk): the app's selector, so a record the user
    may not see is a 404 (a dotted path is resolved on first use, to avoid import cycles). detail_url(record):
    the record's page. services: step name → the app's service for that step (dotted paths allowed), called
    as service(<record_name>=record, by=user[, <reason_name>=text]); a step without one runs `step_take`.
    state(record): the state rules read, when it is computed (a challenge past its deadline is closed before
    the daily command records it). insider(user, record): who reads the history (default: anyone who has a
    role in the table on the record).
    """

    def __init__(
        self,
        *,
        kind: str,
        model: type[models.Model],
        history: type[StatusHistory],
        states: type[models.TextChoices],
        steps: Sequence[Step],
        roles: dict[str, Role],
        label: Text,
        record_name: str = "",
        state_field: str = "status",
        conditions: dict[str, Condition] | None = None,
        get_record: str | Callable[[Any, Any], Any] | None = None,
        detail_url: Callable[[Any], str] | None = None,
        services: dict[str, str | Callable[..., Any]] | None = None,
        state: Callable[[Any], str] | None = None,
        legacy_audit_codes: dict[str, str] | None = None,
        title: Callable[[Any], str] = str,
        insider: str | Callable[[Any, Any], bool] | None = None,
    ) -> None:
        self.kind = kind
        self.model = model
        self.history = history
        self.states = states
        self.steps = {step.name: step for step in steps}
        self.roles = roles
        self.label = label
        self.record_name = record_name or kind
        self.state_field = state_field
        self.conditions = conditions or {}
        self._get_record = get_record
        self._detail_url = detail_url
        self._services = dict(services or {})
        self._state = state
        self.legacy_audit_codes = legacy_audit_codes or {}
        self.title = title
        self._insider = insider
        self._validate()

    def _validate(self) -> None:
        """A table that names a state, role or condition that does not exist fails at start-up, not at a click."""
        states = set(self.states.values) | {INITIAL}
        for step in self.steps.values():
            unknown = (step.source_set | {step.target or INITIAL}) - states
            if unknown:
                raise ImproperlyConfigured(f"{self.kind}.{step.name}: unknown states {sorted(unknown)}.")
            for role in (*step.who, *step.notify):
                if role != SYSTEM and role not in self.roles:
                    raise ImproperlyConfigured(f"{self.kind}.{step.name}: unknown role {role!r}.")
            for name in step.when:
                if name not in self.conditions:
                    raise ImproperlyConfigured(f"{self.kind}.{step.name}: unknown condition {name!r}.")

    def __repr__(self) -> str:
        return f"<Workflow {self.kind}>"

    # ---- reading the table

    def step(self, name: str) -> Step:
        try:
            return self.steps[name]
        except KeyError:
            raise ImproperlyConfigured(f"The {self.kind} workflow has no step {name!r}.") from None

    def state_of(self, record: Any) -> str:
        return self._state(record) if self._state else str(getattr(record, self.state_field))

    def state_label(self, value: str) -> str:
        if not value:
            return ""
        return str(dict(self.states.choices).get(value, value))

    def has_role(self, user: Any, record: Any, step: Step) -> bool:
        if user is None:
            return SYSTEM in step.who
        if not getattr(user, "is_authenticated", False):
            return False
        return any(name != SYSTEM and self.roles[name].check(user, record) for name in step.who)

    def role_refusal(self, user: Any, record: Any, step: Step) -> str:
        """What someone without a role for the step is told (the first role's refusal)."""
        roles = [self.roles[name] for name in step.who if name != SYSTEM]
        return roles[0].refusal_for(user, record) if roles else str(NOT_ALLOWED)

    def state_refusal(self, record: Any, step: Step, user: Any = None) -> str | None:
        """Why the step cannot be taken now (its state or a condition), whoever asks; None when it can."""
        state = self.state_of(record)
        if state not in step.source_set:
            return str(WRONG_STATE) % {"state": self.state_label(state)}
        for name in step.when:
            condition = self.conditions[name]
            if not condition.holds(record, user):
                return condition.refusal_for(record, user)
        return None

    def denial(self, record: Any, step: Step, user: Any = None) -> str | None:
        """Why the step is refused to this actor by a `denies` condition (a permission); None when none is."""
        for name in step.when:
            condition = self.conditions[name]
            if condition.denies and not condition.holds(record, user):
                return condition.refusal_for(record, user)
        return None

    def is_insider(self, user: Any, record: Any) -> bool:
        """Works on the record (reads its history), as opposed to the public reading it."""
        if not getattr(user, "is_authenticated", False):
            return False
        if self._insider is not None:
            return bool(_resolved(self._insider)(user, record))
        return any(role.check(user, record) for role in self.roles.values())

    def allowed(self, user: Any, record: Any) -> list[Step]:
        """The steps `user` may take on `record` now, in table order (what the buttons and the API offer)."""
        if not getattr(user, "is_authenticated", False):
            return []
        return [
            step
            for step in self.steps.values()
            if not step.by_system_only
            and self.has_role(user, record, step)
            and self.state_refusal(record, step, user) is None
        ]

    def may(self, user: Any, record: Any, step_name: str) -> bool:
        step = self.step(step_name)
        return self.has_role(user, record, step) and self.state_refusal(record, step, user) is None

    # ---- guards and records

    def check(self, record: Any, step_name: str, by: Any) -> Step:
        """Refuse the step as the services do: PermissionDenied (403) for who (the role, or a `denies`
        condition), ApplicationError (409) for when."""
        step = self.step(step_name)
        if not self.has_role(by, record, step):
            raise PermissionDenied(self.role_refusal(by, record, step) if by is not None else NOT_ALLOWED)
        denial = self.denial(record, step, by)
        if denial:
            raise PermissionDenied(denial)
        refusal = self.state_refusal(record, step, by)
        if refusal:
            raise ApplicationError(refusal)
        return step

    def clean_reason(self, step: Step, reason: str | None) -> str:
        """The reason as recorded, or a ValidationError (400) on the step's input field."""
        text = (reason or "").strip()
        if step.reason == Reason.REQUIRED and not text:
            raise ValidationError({step.reason_name: [str(step.reason_missing or REASON_MISSING)]})
        if len(text) > REASON_MAX:
            raise ValidationError({step.reason_name: [str(REASON_TOO_LONG) % {"n": REASON_MAX}]})
        return text

    def record(
        self,
        record: Any,
        step: Step,
        *,
        by: Any,
        reason: str = "",
        from_state: str | None = None,
        at: datetime.datetime | None = None,
    ) -> StatusHistory:
        """Write the step: the history row, the audit event `<kind>.<step>`, the new state on the object (the
        caller saves it), and the announcement after commit. No checks: `transition` checks first."""
        before = self.state_of(record) if from_state is None else from_state
        after = step.target or before
        # `record` is the foreign key each concrete history declares; the plugin checks the abstract base's fields.
        row = self.history._default_manager.create(  # type: ignore[misc]  # `record`: see the comment above
            record=record,
            from_state=before,
            to_state=after,
            step=step.name,
            by=by,
            at=at or timezone.now(),
            reason=reason,
        )
        changes = {self.state_field: [before, after]} if after != before else {}
        audit_record(actor=by, action=self.audit_code(step), obj=record, changes=changes, note=reason)
        setattr(record, self.state_field, after)
        self._announce(record.pk, step, by, row.pk)
        return row

    def record_many(self, records: Sequence[Any], step: Step, *, reason: str = "") -> None:
        """The same system step for many records (a daily expiry), in a few statements."""
        if not records:
            return
        now = timezone.now()
        target = step.target or ""
        rows = self.history._default_manager.bulk_create(
            self.history(  # type: ignore[misc]  # `record`: declared by each concrete history (see `record()`)
                record=r, from_state=self.state_of(r), to_state=target or self.state_of(r), step=step.name, at=now,
                reason=reason,
            )
            for r in records
        )
        audit_record_many(
            actor=None,
            action=self.audit_code(step),
            objs=records,
            changes=[{self.state_field: [self.state_of(r), target]} for r in records],
            note=reason,
        )
        pks = [r.pk for r in records]
        if target:
            values: dict[str, Any] = {self.state_field: target}
            if any(f.name == "updated" for f in self.model._meta.concrete_fields):
                values["updated"] = now
            self.model._default_manager.filter(pk__in=pks).update(**values)
        for pk, row in zip(pks, rows, strict=True):  # PostgreSQL and SQLite give bulk_create's rows their ids
            self._announce(pk, step, None, row.pk)

    def audit_code(self, step: Step) -> str:
        return f"{self.kind}.{step.name}"

    def _announce(self, record_id: Any, step: Step, by: Any, history_id: int) -> None:
        enqueue(
            "techtransfer.core.workflow.announce",
            kind=self.kind,
            record_id=record_id,
            step=step.name,
            actor_id=getattr(by, "pk", None),
            history_id=history_id,
        )

    # ---- the app's side: its selector, page and services

    def get_record(self, user: Any, pk: Any) -> Any:
        if self._get_record is None:
            raise ImproperlyConfigured(f"The {self.kind} workflow has no get_record.")
        return _resolved(self._get_record)(user=user, pk=pk)

    def detail_url(self, record: Any) -> str:
        if self._detail_url is not None:
            return self._detail_url(record)
        return str(record.get_absolute_url())

    def run(self, step_name: str, *, record: Any, by: Any, reason: str = "") -> Any:
        """Take a step the way pages and the API do: through the app's service for it, given the reason if the
        step takes one, or through the generic `step_take` when the app has none."""
        step = self.step(step_name)
        service = self._services.get(step_name)
        if service is None:
            return step_take(record=record, step=step_name, by=by, reason=reason)
        kwargs: dict[str, Any] = {self.record_name: record, "by": by}
        if step.takes_reason:
            kwargs[step.reason_name] = reason
        return _resolved(service)(**kwargs)

    def history_of(self, record: Any) -> models.QuerySet[StatusHistory]:
        rows = self.history._default_manager.filter(record=record)  # type: ignore[misc]  # `record`: see `record()`
        return rows.select_related("by").order_by("at", "id")


def _resolved(target: str | Callable[..., Any]) -> Callable[..., Any]:
    """A function given directly or by dotted path (paths avoid import cycles between an app's modules)."""
    return import_string(target) if isinstance(target, str) else target


def transition(record: Any, step_name: str, *, by: Any, reason: str = "") -> StatusHistory:
    """Check and take one step inside the caller's transaction (which has locked the record).

    Checks who (403), then when (409), then the reason (400); writes history and audit, sets the new state
    (the caller saves the record with whatever else it changes) and announces the step after commit.
    """
    flow = workflow_for(record)
    step = flow.check(record, step_name, by)
    return flow.record(record, step, by=by, reason=flow.clean_reason(step, reason))


@transaction.atomic
def step_take(*, record: Any, step: str, by: Any, reason: str = "") -> Any:
    """A step with nothing particular to it: lock the record, take the step, save. (What a workflow without
    its own service for a step runs.)"""
    flow = workflow_for(record)
    locked = flow.model._default_manager.select_for_update().get(pk=record.pk)
    transition(locked, step, by=by, reason=reason)
    locked.save()
    return locked


# ---- the registry


_BY_KIND: dict[str, Workflow] = {}
_BY_MODEL: dict[type[models.Model], Workflow] = {}
_BY_HISTORY: dict[type[models.Model], Workflow] = {}


def register(flow: Workflow) -> Workflow:
    """Make a workflow known (to the generic pages, API, audit labels and notifications); returns it."""
    _BY_KIND[flow.kind] = flow
    _BY_MODEL[flow.model] = flow
    _BY_HISTORY[flow.history] = flow
    labels: dict[str, Text] = {flow.audit_code(step): step.audit_label or step.label for step in flow.steps.values()}
    for old, step_name in flow.legacy_audit_codes.items():
        step = flow.step(step_name)
        labels[old] = step.audit_label or step.label
    register_action_labels(labels)
    return flow


def unregister(flow: Workflow) -> None:
    """Forget a workflow (tests that declare their own)."""
    _BY_KIND.pop(flow.kind, None)
    _BY_MODEL.pop(flow.model, None)
    _BY_HISTORY.pop(flow.history, None)


def workflow(kind: str) -> Workflow:
    try:
        return _BY_KIND[kind]
    except KeyError:
        raise LookupError(f"No workflow {kind!r}.") from None


def workflows() -> list[Workflow]:
    return list(_BY_KIND.values())


def workflow_for(record_or_model: Any) -> Workflow:
    model = record_or_model if isinstance(record_or_model, type) else type(record_or_model)
    for klass in model.__mro__:
        if klass in _BY_MODEL:
            return _BY_MODEL[klass]
    raise LookupError(f"No workflow for {model.__name__}.")


def workflow_of_history(history_model: type[models.Model]) -> Workflow | None:
    return _BY_HISTORY.get(history_model)


def announce(*, kind: str, record_id: Any, step: str, actor_id: int | None, history_id: int) -> None:
    """The job behind `step_taken`: load what the listeners need, then tell them (one listener's failure is
    logged and does not stop the others)."""
    from django.contrib.auth import get_user_model

    flow = workflow(kind)
    record = flow.model._default_manager.filter(pk=record_id).first()
    history = flow.history._default_manager.filter(pk=history_id).first()
    if record is None or history is None:
        return
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    for _receiver, result in step_taken.send_robust(
        sender=flow, record=record, step=flow.step(step), actor=actor, history=history
    ):
        if isinstance(result, Exception):
            logger.error("step_taken listener failed for %s.%s #%s", kind, step, record_id, exc_info=result)


def step_notice(event: str) -> tuple[Workflow, Step] | None:
    """The workflow and step of an audit-style event code ("demand.reject"), if both still exist."""
    kind, _sep, name = event.partition(".")
    flow = _BY_KIND.get(kind)
    if flow is None or name not in flow.steps:
        return None
    return flow, flow.steps[name]


def done_message(step: Step, result: Any = None) -> str:
    """What the page says after the step (`done` may depend on the outcome: the record the service returned)."""
    if callable(step.done):
        return str(step.done(result))
    return str(step.done) if step.done else gettext("Done: %(step)s.") % {"step": step.label}
