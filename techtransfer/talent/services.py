"""Writes of the commissioner scheme and consultations: appoint, assign, record a visit, confirm it, ask.

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
from techtransfer.core.workflow import INITIAL, workflow_for
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.permissions import demand_visible_q
from techtransfer.matching.models import Expert
from techtransfer.talent import permissions as perms
from techtransfer.talent.choices import Confirmation, ConsultationStatus, ServiceKind
from techtransfer.talent.models import Assignment, Commissioner, Consultation, Visit

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
NOTE_MAX = 2000


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
    Expert.objects.select_for_update().filter(pk=expert.pk).first()  # one open request per enterprise and expert
    if Consultation.objects.filter(expert=expert, enterprise=enterprise,
                                   status__in=[ConsultationStatus.ASKED, ConsultationStatus.ACCEPTED]).exists():
        raise ApplicationError(str(OPEN_REQUEST))
    consultation = Consultation.objects.create(
        expert=expert, enterprise=enterprise, asked_by=by, demand=demand, message=message
    )
    flow = workflow_for(consultation)
    flow.record(consultation, flow.step("ask"), by=by, from_state=INITIAL)  # history row and audit "consultation.ask"
    return consultation
