"""Writes of the commissioner scheme, consultations and expert profiles: appoint, assign, record a visit,
confirm it, ask; claim a profile, approve the claim, edit the profile, merge two profiles of one person.

Every service checks permission (403), then state (409), then content (400), runs in one transaction and
writes the audit trail. Consultation steps (accept, decline, finish, withdraw) run through the workflow core.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from techtransfer.accounts.choices import OrgType
from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.permissions import is_commission_admin
from techtransfer.achievements.models import Achievement
from techtransfer.achievements.permissions import achievement_visible_q
from techtransfer.core.audit import audit_record
from techtransfer.core.codetables import code_table_key
from techtransfer.core.exceptions import ApplicationError, ErrorCollector
from techtransfer.core.models import CodeItem
from techtransfer.core.workflow import INITIAL, transition, workflow_for
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.permissions import demand_visible_q
from techtransfer.matching.models import RESEARCH_FOCUS_MAX, Expert, ExpertAlias
from techtransfer.matching.profiles import expert_refresh, experts_merge, experts_split
from techtransfer.talent import permissions as perms
from techtransfer.talent.choices import ClaimStatus, Confirmation, ConsultationStatus, ServiceKind
from techtransfer.talent.models import Assignment, Commissioner, Consultation, ExpertClaim, Visit

ALREADY_APPOINTED = gettext_lazy("This person is already a commissioner for %(year)d.")
WRONG_TABLE = gettext_lazy("This value belongs to another code table.")
NOT_AN_ENTERPRISE = gettext_lazy("Choose an enterprise registered on the platform.")
PLACE_MISSING = gettext_lazy("Name an enterprise, or a village or community with its region.")
PLACE_BOTH = gettext_lazy("Name either an enterprise or a village or community, not both.")
VILLAGE_REGION_MISSING = gettext_lazy("Give the region of the village or community.")
END_BEFORE_START = gettext_lazy("The end date is before the start date.")
OUTSIDE_ASSIGNMENT = gettext_lazy("The date is outside the assignment (%(start)s to %(end)s).")
IN_FUTURE = gettext_lazy("The date is in the future.")
HOURS_RANGE = gettext_lazy("Between 0.5 and 24 hours.")
PEOPLE_RANGE = gettext_lazy("Between 1 and 10000 people.")
UNKNOWN_KIND = gettext_lazy("Choose a kind of service from the list.")
NOT_VISIBLE = gettext_lazy("This record does not exist or you cannot see it.")
ALREADY_ANSWERED = gettext_lazy("The enterprise has already answered this record: %(state)s.")
DISPUTE_REASON = gettext_lazy("Say what is wrong with the record.")
MESSAGE_MISSING = gettext_lazy("Write what you want to ask the expert.")
OPEN_REQUEST = gettext_lazy("Your enterprise already has an open request to this expert.")
NO_ENTERPRISE = gettext_lazy("Choose one of your enterprises.")
NOT_TAKING_CONSULTATIONS = gettext_lazy("This expert does not take consultation requests on the platform.")
ALREADY_CLAIMED = gettext_lazy("This profile is already kept by someone; if it is yours, ask the commission.")
ALREADY_YOURS = gettext_lazy("This profile is already yours.")
OPEN_CLAIM = gettext_lazy("You have already claimed this profile; the claim is waiting for review.")
EVIDENCE_MISSING = gettext_lazy("Say how a reviewer can check that this profile is yours.")
TOO_LONG = gettext_lazy("At most %(max)d characters.")
TOO_MANY_TERMS = gettext_lazy("At most %(max)d terms.")
TERM_TOO_LONG = gettext_lazy("Each term at most %(max)d characters: %(term)s")
ALREADY_SPLIT = gettext_lazy("This merge has been undone already.")
SAME_EXPERT = gettext_lazy("Choose another profile: a profile cannot be merged into itself.")
TWO_ACCOUNTS = gettext_lazy(
    "Both profiles are kept by different accounts, so they may be two people. One claim must be withdrawn first."
)
NOTE_MAX = 2000
STATED_TITLE_MAX = 50
EXPERTISE_TERMS = 20
EXPERTISE_TERM_MAX = 30


def _code(item: CodeItem | None, table: str, field: str, errors: ErrorCollector) -> None:
    if item is not None and code_table_key(item.table_id) != table:
        errors.add(ValidationError({field: [str(WRONG_TABLE)]}))


@transaction.atomic
def commissioner_appoint(
    *, by: User, user: User, year: int, dispatching_unit: Organisation, service_region: CodeItem,
    fields: Iterable[CodeItem] = (),
) -> Commissioner:
    """Appoint `user` S&T commissioner for `year`, sent by `dispatching_unit` to serve `service_region`."""
    if not is_commission_admin(by):
        raise PermissionDenied(perms.NOT_COMMISSION_ADMIN)
    if Commissioner.objects.filter(user=user, year=year).exists():
        raise ApplicationError(str(ALREADY_APPOINTED % {"year": year}))
    errors = ErrorCollector()
    _code(service_region, "region", "service_region", errors)
    field_list = list(fields)
    for item in field_list:
        _code(item, "high_tech_field", "fields", errors)
    if not 2000 <= year <= 2100:
        errors.add(ValidationError({"year": [str(gettext_lazy("A year between 2000 and 2100."))]}))
    errors.raise_if_any()
    commissioner = Commissioner.objects.create(
        user=user, year=year, dispatching_unit=dispatching_unit, service_region=service_region, appointed_by=by
    )
    commissioner.fields.set(field_list)
    audit_record(actor=by, action="commissioner.appoint", obj=commissioner, changes={
        "user": user.pk, "year": year, "dispatching_unit": dispatching_unit.pk,
        "service_region": service_region.code, "fields": [f.code for f in field_list],
    })
    return commissioner


@transaction.atomic
def assignment_add(
    *, by: User, commissioner: Commissioner, start: datetime.date, end: datetime.date,
    enterprise: Organisation | None = None, village_name: str = "", village_region: CodeItem | None = None,
) -> Assignment:
    """Send a commissioner to an enterprise, or to a village or community (a name and its region)."""
    if not is_commission_admin(by):
        raise PermissionDenied(perms.NOT_COMMISSION_ADMIN)
    commissioner = Commissioner.objects.select_for_update().get(pk=commissioner.pk)
    village_name = " ".join((village_name or "").split())
    errors = ErrorCollector()
    if enterprise is not None and village_name:
        errors.add(ValidationError({"village_name": [str(PLACE_BOTH)]}))
    elif enterprise is None and not village_name:
        errors.add(ValidationError({"enterprise": [str(PLACE_MISSING)]}))
    if enterprise is not None and enterprise.org_type != OrgType.ENTERPRISE:
        errors.add(ValidationError({"enterprise": [str(NOT_AN_ENTERPRISE)]}))
    if village_name and village_region is None:
        errors.add(ValidationError({"village_region": [str(VILLAGE_REGION_MISSING)]}))
    if len(village_name) > 100:
        errors.add(ValidationError({"village_name": [str(gettext_lazy("At most 100 characters."))]}))
    _code(village_region, "region", "village_region", errors)
    if end < start:
        errors.add(ValidationError({"end": [str(END_BEFORE_START)]}))
    errors.raise_if_any()
    assignment = Assignment.objects.create(
        commissioner=commissioner, enterprise=enterprise, village_name=village_name,
        village_region=village_region if enterprise is None else None, start=start, end=end,
    )
    audit_record(actor=by, action="commissioner.assign", obj=assignment, changes={
        "commissioner": commissioner.pk, "enterprise": getattr(enterprise, "pk", None),
        "village_name": village_name, "start": str(start), "end": str(end),
    })
    return assignment


@transaction.atomic
def visit_record(*, by: User, assignment: Assignment, data: dict[str, Any]) -> Visit:
    """The commissioner records a visit or service for one of their assignments."""
    assignment = Assignment.objects.select_for_update().select_related("commissioner").get(pk=assignment.pk)
    if not perms.can_record_visit(by, assignment.commissioner.user_id):
        raise PermissionDenied(perms.NOT_THE_COMMISSIONER)
    errors = ErrorCollector()
    date = data.get("date")
    if not isinstance(date, datetime.date):
        errors.add(ValidationError({"date": [str(gettext_lazy("Give the date of the visit."))]}))
    else:
        if date > timezone.localdate():
            errors.add(ValidationError({"date": [str(IN_FUTURE)]}))
        elif not assignment.start <= date <= assignment.end:
            errors.add(ValidationError({"date": [str(OUTSIDE_ASSIGNMENT % {
                "start": assignment.start, "end": assignment.end})]}))
    if data.get("kind") not in ServiceKind.values:
        errors.add(ValidationError({"kind": [str(UNKNOWN_KIND)]}))
    hours = data.get("hours")
    if not isinstance(hours, Decimal | int | float) or not Decimal("0.5") <= Decimal(str(hours)) <= 24:
        errors.add(ValidationError({"hours": [str(HOURS_RANGE)]}))
    people = data.get("people_served")
    if not isinstance(people, int) or not 1 <= people <= 10000:
        errors.add(ValidationError({"people_served": [str(PEOPLE_RANGE)]}))
    note = str(data.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        errors.add(ValidationError({"note": [str(gettext_lazy("At most 2000 characters."))]}))
    achievement = data.get("achievement")
    if achievement is not None and not Achievement.objects.filter(
            achievement_visible_q(by), pk=getattr(achievement, "pk", achievement)).exists():
        errors.add(ValidationError({"achievement": [str(NOT_VISIBLE)]}))
    demand = data.get("demand")
    if demand is not None and not TechnologyDemand.objects.filter(
            demand_visible_q(by), pk=getattr(demand, "pk", demand)).exists():
        errors.add(ValidationError({"demand": [str(NOT_VISIBLE)]}))
    errors.raise_if_any()
    assert isinstance(date, datetime.date) and isinstance(people, int)  # checked above
    visit = Visit.objects.create(
        assignment=assignment, date=date, kind=data["kind"], hours=Decimal(str(hours)), people_served=people,
        note=note, achievement_id=getattr(achievement, "pk", achievement),
        demand_id=getattr(demand, "pk", demand),
    )
    audit_record(actor=by, action="visit.record", obj=visit, changes={
        "assignment": assignment.pk, "date": str(date), "kind": visit.kind, "hours": str(visit.hours),
        "people_served": people,
    })
    return visit


@transaction.atomic
def visit_confirm(*, visit: Visit, by: User, disputed: bool = False, note: str = "") -> Visit:
    """The served enterprise confirms the record, or disputes it with a note; either is final."""
    visit = Visit.objects.select_for_update(of=("self",)).select_related("assignment").get(pk=visit.pk)
    if not perms.can_confirm(by, visit.assignment.enterprise_id):
        raise PermissionDenied(perms.NOT_THE_ENTERPRISE)
    if visit.confirmation != Confirmation.PENDING:
        raise ApplicationError(str(ALREADY_ANSWERED % {"state": visit.get_confirmation_display()}))
    note = (note or "").strip()
    if disputed and not note:
        raise ValidationError({"note": [str(DISPUTE_REASON)]})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": [str(gettext_lazy("At most 2000 characters."))]})
    before = visit.confirmation
    visit.confirmation = Confirmation.DISPUTED if disputed else Confirmation.CONFIRMED
    visit.confirmed_by = by
    visit.confirmed_at = timezone.now()
    visit.confirmation_note = note
    visit.save(update_fields=["confirmation", "confirmed_by", "confirmed_at", "confirmation_note", "updated"])
    audit_record(actor=by, action="visit.confirm", obj=visit,
                 changes={"confirmation": [before, visit.confirmation]}, note=note)
    return visit


@transaction.atomic
def consultation_ask(
    *, by: User, expert: Expert, message: str, enterprise: Organisation | None = None,
    demand: TechnologyDemand | None = None,
) -> Consultation:
    """A member of an enterprise asks an expert for a consultation (optionally about one of its demands)."""
    mine = perms.enterprise_ids(by)
    if not mine:
        raise PermissionDenied(perms.NOT_AN_ENTERPRISE)
    if enterprise is None:
        enterprise = Organisation.objects.get(pk=min(mine))
    errors = ErrorCollector()
    if enterprise.pk not in mine:
        errors.add(ValidationError({"enterprise": [str(NO_ENTERPRISE)]}))
    message = (message or "").strip()
    if not message:
        errors.add(ValidationError({"message": [str(MESSAGE_MISSING)]}))
    elif len(message) > NOTE_MAX:
        errors.add(ValidationError({"message": [str(gettext_lazy("At most 2000 characters."))]}))
    if demand is not None and not TechnologyDemand.objects.filter(demand_visible_q(by), pk=demand.pk).exists():
        errors.add(ValidationError({"demand": [str(NOT_VISIBLE)]}))
    errors.raise_if_any()
    expert = Expert.objects.select_for_update().get(pk=expert.pk)  # one open request per enterprise and expert
    if not expert.accepts_consultations:
        raise ApplicationError(str(NOT_TAKING_CONSULTATIONS))
    if Consultation.objects.filter(expert=expert, enterprise=enterprise,
                                   status__in=[ConsultationStatus.ASKED, ConsultationStatus.ACCEPTED]).exists():
        raise ApplicationError(str(OPEN_REQUEST))
    consultation = Consultation.objects.create(
        expert=expert, enterprise=enterprise, asked_by=by, demand=demand, message=message
    )
    flow = workflow_for(consultation)
    flow.record(consultation, flow.step("ask"), by=by, from_state=INITIAL)  # history row and audit "consultation.ask"
    return consultation


# ---------------------------------------------------------------- expert profiles


def _locked_expert(expert: Expert) -> Expert:
    return Expert.objects.select_for_update().get(pk=expert.pk)


@transaction.atomic
def expert_claim(*, by: User, expert: Expert, evidence: str) -> ExpertClaim:
    """A signed-in user says an expert profile is theirs; the commission or the expert's unit reviews it."""
    expert = _locked_expert(expert)
    if expert.account_id == by.pk:
        raise ApplicationError(str(ALREADY_YOURS))
    if not perms.may_claim(by, expert):
        raise ApplicationError(str(ALREADY_CLAIMED))
    if ExpertClaim.objects.filter(expert=expert, claimant=by, status=ClaimStatus.ASKED).exists():
        raise ApplicationError(str(OPEN_CLAIM))
    evidence = (evidence or "").strip()
    if not evidence:
        raise ValidationError({"evidence": [str(EVIDENCE_MISSING)]})
    if len(evidence) > NOTE_MAX:
        raise ValidationError({"evidence": [str(TOO_LONG % {"max": NOTE_MAX})]})
    claim = ExpertClaim.objects.create(expert=expert, claimant=by, evidence=evidence)
    flow = workflow_for(claim)
    flow.record(claim, flow.step("claim"), by=by, from_state=INITIAL)  # history row and audit "expert_claim.claim"
    return claim


@transaction.atomic
def claim_approve(*, claim: ExpertClaim, by: User) -> ExpertClaim:
    """The reviewer approves: the claimant now speaks for the expert. A profile has one keeper, so the expert row
    is locked and a profile someone else has meanwhile been given is refused."""
    claim = ExpertClaim.objects.select_for_update().get(pk=claim.pk)
    expert = _locked_expert(claim.expert)
    if expert.account_id is not None and expert.account_id != claim.claimant_id:
        raise ApplicationError(str(ALREADY_CLAIMED))
    change = transition(claim, "approve", by=by)
    claim.save()
    expert.account_id, expert.claimed_at = claim.claimant_id, change.at
    expert.save(update_fields=["account", "claimed_at", "updated"])
    expert_refresh(expert)
    return claim


def _expertise(value: Any, errors: ErrorCollector) -> list[str]:
    """Terms from a list or from text separated by commas, semicolons or new lines, each once, in order."""
    if isinstance(value, str):
        for sep in "，,；;、\n":
            value = value.replace(sep, ",")
        value = value.split(",")
    terms = list(dict.fromkeys(str(term).strip() for term in (value or []) if str(term).strip()))
    if len(terms) > EXPERTISE_TERMS:
        errors.add(ValidationError({"expertise": [str(TOO_MANY_TERMS % {"max": EXPERTISE_TERMS})]}))
    for term in terms:
        if len(term) > EXPERTISE_TERM_MAX:
            errors.add(ValidationError({"expertise": [str(TERM_TOO_LONG % {"max": EXPERTISE_TERM_MAX, "term": term})]}))
    return terms


@transaction.atomic
def expert_profile_update(*, by: User, expert: Expert, data: dict[str, Any]) -> Expert:
    """The person who holds the profile (or a commission administrator) writes its own part: title, research
    focus, expertise and whether they take consultation requests. Matching reads it at once."""
    expert = _locked_expert(expert)
    if not perms.can_edit_expert(by, expert):
        raise PermissionDenied(perms.NOT_THE_EXPERT)
    errors = ErrorCollector()
    before = {f: getattr(expert, f) for f in ("stated_title", "research_focus", "expertise", "accepts_consultations")}
    if "stated_title" in data:
        expert.stated_title = (data["stated_title"] or "").strip()
        if len(expert.stated_title) > STATED_TITLE_MAX:
            errors.add(ValidationError({"stated_title": [str(TOO_LONG % {"max": STATED_TITLE_MAX})]}))
    if "research_focus" in data:
        expert.research_focus = (data["research_focus"] or "").strip()
        if len(expert.research_focus) > RESEARCH_FOCUS_MAX:
            errors.add(ValidationError({"research_focus": [str(TOO_LONG % {"max": RESEARCH_FOCUS_MAX})]}))
    if "expertise" in data:
        expert.expertise = _expertise(data["expertise"], errors)
    if "accepts_consultations" in data:
        expert.accepts_consultations = bool(data["accepts_consultations"])
    errors.raise_if_any()
    changes = {f: [old, getattr(expert, f)] for f, old in before.items() if getattr(expert, f) != old}
    expert.save()
    if changes:
        audit_record(actor=by, action="expert.edit", obj=expert, changes=changes)
        expert_refresh(expert)
    return expert


@transaction.atomic
def expert_merge(*, by: User, into: Expert, other: Expert) -> Expert:
    """A commission administrator merges `other` (the same person at another unit) into `into`; every link to
    `other` follows (matching.profiles.experts_merge)."""
    if not perms.can_merge_experts(by):
        raise PermissionDenied(perms.NOT_A_MERGER)
    if into.pk == other.pk:
        raise ValidationError({"other": [str(SAME_EXPERT)]})
    # Locked in one order, so that two opposite merges cannot deadlock.
    locked = {e.pk: e for e in Expert.objects.select_for_update().filter(pk__in=[into.pk, other.pk]).order_by("pk")}
    into, other = locked[into.pk], locked[other.pk]
    if into.account_id and other.account_id and into.account_id != other.account_id:
        raise ApplicationError(str(TWO_ACCOUNTS))
    note = f"{other.name} · {other.unit_name}"
    merged = experts_merge(into=into, other=other, by=by)
    audit_record(actor=by, action="expert.merge", obj=merged, changes={"merged": [None, note]})
    return merged


@transaction.atomic
def expert_split(*, by: User, merge: ExpertAlias) -> Expert | None:
    """A commission administrator undoes a merge made by mistake (two people of one name): the profile merged in
    comes back with its records and the links the merge moved (matching.profiles.experts_split)."""
    if not perms.can_merge_experts(by):
        raise PermissionDenied(perms.NOT_A_MERGER)
    kept = Expert.objects.select_for_update().get(pk=merge.expert_id)
    current = ExpertAlias.objects.filter(pk=merge.pk, expert=kept).first()  # another request may have undone it
    if current is None:
        raise ApplicationError(ALREADY_SPLIT)
    current.expert = kept
    note = f"{current.name} · {current.unit_name}"
    restored = experts_split(merge=current)
    audit_record(actor=by, action="expert.split", obj=kept, changes={"merged": [note, None]})
    return restored
