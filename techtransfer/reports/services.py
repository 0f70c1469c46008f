"""Writes to annual transformation reports: creating and prefilling a unit's report, the unit's edits and
attachments, the review steps (through the workflow core), the commission's deadline settings and reporting
units, and the daily reminders.

Every service checks permission (403), then state (409), then content (400), runs in one transaction and
writes the audit trail.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.permissions import EDITOR_ROLES, is_commission_admin, members_of, org_ids
from techtransfer.core.audit import audit_record
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.workflow import transition
from techtransfer.lib.uploads import pdf_store
from techtransfer.reports import permissions as perms
from techtransfer.reports import rules, selectors
from techtransfer.reports.choices import EDITABLE_STATUSES, DeadlineKind, ReminderWhen, ReportStatus
from techtransfer.reports.figures import BY_KEY, COUNT, DERIVED, MONEY
from techtransfer.reports.models import (
    AnnualReport,
    ReminderSent,
    ReportAttachment,
    ReportingUnitExtra,
    ReportingYear,
)

NARRATIVE_FIELDS = (
    "part1_work", "part1_experience", "part1_problems", "part2_note", "part3_note", "part4_note", "part5_note",
    "part6_policy",
)
FIRST_YEAR = 2015  # the Law's amendment of 2015 (Art. 21) introduced the report

NOT_A_REPORTING_UNIT = _("“%(name)s” is not a reporting unit (universities, institutes, hospitals and new-type R&D "
                         "institutions with public-institution status report).")
NOT_YOUR_UNIT = _("You can write reports only for a unit you are a member of.")
YEAR_OUT_OF_RANGE = _("Choose a reporting year from %(first)s to %(last)s.")
ALREADY_EXISTS = _("The report of this unit for %(year)s already exists.")
NOT_EDITABLE = _("The report can be changed only as a draft or when it was returned.")
UNKNOWN_FIGURE = _("Unknown figure “%(key)s”.")
BAD_COUNT = _("Enter a whole number of at least 0.")
BAD_AMOUNT = _("Enter an amount of at least 0, with at most two decimals.")
COMMISSION_ONLY = _("Only the commission's administrators can do this.")
DEADLINE_ORDER = _("The department deadline cannot be before the unit deadline.")
BAD_OFFSETS = _("Enter whole numbers of days between 1 and 365, separated by commas.")
ALREADY_REPORTING = _("This organisation reports already.")

REMINDER_EVENT = "annual_report.reminder"
DEFAULT_LANGUAGE = "zh-hans"  # as techtransfer.subscriptions.work stores notification titles


def _locked(report: AnnualReport) -> AnnualReport:
    return AnnualReport.objects.select_for_update().select_related("organisation").get(pk=report.pk)


def _require_unit(by: User, report: AnnualReport) -> None:
    if not perms.UNIT.check(by, report):
        raise PermissionDenied(perms.NOT_THE_UNIT)


def _store_prefill(report: AnnualReport) -> None:
    figures = selectors.platform_figures(report.organisation, report.year)
    report.prefilled = figures.values
    report.sources = figures.sources
    report.projects = figures.projects
    report.achievements_by_source = figures.achievements_by_source
    report.prefilled_at = timezone.now()


@transaction.atomic
def report_create(*, by: User, organisation: Organisation, year: int) -> AnnualReport:
    """Start a unit's report for `year`, prefilled from the platform."""
    if organisation.pk not in org_ids(by, EDITOR_ROLES):
        raise PermissionDenied(NOT_YOUR_UNIT)
    if not perms.is_reporting_unit(organisation):
        raise PermissionDenied(str(NOT_A_REPORTING_UNIT) % {"name": organisation.name})
    last = timezone.localdate().year
    if not FIRST_YEAR <= year <= last:
        raise ValidationError({"year": [str(YEAR_OUT_OF_RANGE) % {"first": FIRST_YEAR, "last": last}]})
    report = AnnualReport(organisation=organisation, year=year, created_by=by)
    _store_prefill(report)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise ValidationError({"year": [str(ALREADY_EXISTS) % {"year": year}]}) from None
    audit_record(actor=by, action="annual_report.create", obj=report)
    return report


@transaction.atomic
def report_prefill(*, report: AnnualReport, by: User) -> AnnualReport:
    """Read the platform's figures again (the unit's corrections are kept)."""
    report = _locked(report)
    _require_unit(by, report)
    if report.status not in EDITABLE_STATUSES:
        raise ApplicationError(str(NOT_EDITABLE))
    _store_prefill(report)
    report.save()
    audit_record(actor=by, action="annual_report.prefill", obj=report)
    return report


def clean_figure(key: str, value: Any) -> Any:
    """A corrected figure as stored (int for counts, a string of the amount for money), or ValidationError."""
    figure = BY_KEY.get(key)
    if figure is None or key in DERIVED:
        raise ValidationError({key: [str(UNKNOWN_FIGURE) % {"key": key}]})
    text = str(value).strip().replace(",", "")
    if figure.kind == COUNT:
        if not text.isdigit() or len(text) > 12:
            raise ValidationError({key: [str(BAD_COUNT)]})
        return int(text)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError({key: [str(BAD_AMOUNT)]}) from None
    places = 2 if figure.kind == MONEY else 4
    if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -places or amount >= Decimal(10) ** 16:  # type: ignore[operator]
        raise ValidationError({key: [str(BAD_AMOUNT)]})
    return str(amount.quantize(Decimal(1).scaleb(-places)))


@transaction.atomic
def report_update(
    *, report: AnnualReport, by: User, data: dict[str, Any], overrides: dict[str, Any] | None = None
) -> AnnualReport:
    """Change the narrative parts and correct figures. `overrides`: figure key → value; an empty value (or the
    platform's own value) removes the correction. Keys absent from `overrides` keep their correction."""
    report = _locked(report)
    _require_unit(by, report)
    if report.status not in EDITABLE_STATUSES:
        raise ApplicationError(str(NOT_EDITABLE))
    before = {name: getattr(report, name) for name in NARRATIVE_FIELDS}
    before_overrides = dict(report.overrides)
    for name in NARRATIVE_FIELDS:
        if name in data:
            setattr(report, name, (data[name] or "").strip())
    errors: dict[str, list[str]] = {}
    for key, value in (overrides or {}).items():
        if value is None or str(value).strip() == "":
            report.overrides.pop(key, None)
            continue
        try:
            cleaned = clean_figure(key, value)
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        if BY_KEY[key].prefilled and str(report.prefilled.get(key)) == str(cleaned):
            report.overrides.pop(key, None)
        else:
            report.overrides[key] = cleaned
    try:
        report.full_clean(exclude=["organisation", "created_by", "department"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    report.save()
    changes: dict[str, Any] = {
        name: [before[name][:80], getattr(report, name)[:80]] for name in NARRATIVE_FIELDS
        if before[name] != getattr(report, name)
    }
    if before_overrides != report.overrides:
        changes["overrides"] = [before_overrides, report.overrides]
    audit_record(actor=by, action="annual_report.update", obj=report, changes=changes)
    return report


@transaction.atomic
def report_submit(*, report: AnnualReport, by: User) -> AnnualReport:
    """The unit sends its report to its supervising department (Law Art. 21). The first submission is
    measured against the unit deadline of the reporting year (days_late); the department of the moment is
    recorded; a unit under a central ministry sends a copy to the commission (its administrators are told).
    A unit without a supervising department reports straight to the commission, whose administrators then
    review it (permissions module docstring)."""
    report = _locked(report)
    transition(report, "submit", by=by)
    now = timezone.now()
    report.submitted_at = now
    report.department = report.organisation.supervising_department
    report.copy_to_commission = perms.is_central(report.organisation)
    if report.first_submitted_at is None:
        report.first_submitted_at = now
        deadline = rules.deadlines_for(report.year).unit
        report.days_late = rules.days_late(deadline, timezone.localdate(now))
    report.save()
    return report


@transaction.atomic
def report_return(*, report: AnnualReport, by: User, reason: str) -> AnnualReport:
    report = _locked(report)
    transition(report, "return", by=by, reason=reason)
    report.save()
    return report


@transaction.atomic
def report_accept(*, report: AnnualReport, by: User) -> AnnualReport:
    report = _locked(report)
    transition(report, "accept", by=by)
    report.accepted_at = timezone.now()
    report.save()
    return report


@transaction.atomic
def report_forward(*, report: AnnualReport, by: User) -> AnnualReport:
    """The department submits an accepted report to the commission (irreversible); its lateness is measured
    against the department deadline. The workflow refuses a report the department has not accepted (409)."""
    report = _locked(report)
    transition(report, "forward", by=by)
    now = timezone.now()
    report.forwarded_at = now
    report.department_days_late = rules.days_late(rules.deadlines_for(report.year).department, timezone.localdate(now))
    report.save()
    return report


# ---------------------------------------------------------------- attachments


@transaction.atomic
def attachment_add(*, report: AnnualReport, by: User, upload: UploadedFile, kind: str) -> ReportAttachment:
    _require_unit(by, report)
    if report.status not in EDITABLE_STATUSES:
        raise ApplicationError(str(NOT_EDITABLE))
    attachment = pdf_store(ReportAttachment(report=report, kind=kind, uploaded_by=by), upload)
    audit_record(
        actor=by, action="annual_report_attachment.add", obj=report, changes={"attachment": [None, upload.name]}
    )
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: ReportAttachment, by: User) -> None:
    report = attachment.report
    _require_unit(by, report)
    if report.status not in EDITABLE_STATUSES:
        raise ApplicationError(str(NOT_EDITABLE))
    name = attachment.original_name
    attachment.file.delete(save=False)
    attachment.delete()
    audit_record(actor=by, action="annual_report_attachment.remove", obj=report, changes={"attachment": [name, None]})


# ---------------------------------------------------------------- the commission's settings


def _require_commission(by: User) -> None:
    if not is_commission_admin(by):
        raise PermissionDenied(COMMISSION_ONLY)


def parse_offsets(value: Any, field: str) -> list[int]:
    if isinstance(value, str):
        parts = [p for p in value.replace("，", ",").replace(" ", ",").split(",") if p]
    else:
        parts = list(value or [])
    try:
        offsets = sorted({int(p) for p in parts}, reverse=True)
    except (TypeError, ValueError):
        raise ValidationError({field: [str(BAD_OFFSETS)]}) from None
    if any(not 1 <= o <= 365 for o in offsets) or len(offsets) > 20:
        raise ValidationError({field: [str(BAD_OFFSETS)]})
    return offsets


@transaction.atomic
def reporting_year_save(
    *, by: User, year: int, unit_deadline: datetime.date, department_deadline: datetime.date,
    reminder_days_before: Any, reminder_days_after: Any, source: str = "", note: str = "",
) -> ReportingYear:
    """Set (or change) the deadlines of one reporting year: they override the default rule."""
    _require_commission(by)
    if department_deadline < unit_deadline:
        raise ValidationError({"department_deadline": [str(DEADLINE_ORDER)]})
    row, _created = ReportingYear.objects.select_for_update().get_or_create(
        year=year,
        defaults={"unit_deadline": unit_deadline, "department_deadline": department_deadline},
    )
    before = {"unit_deadline": str(row.unit_deadline), "department_deadline": str(row.department_deadline)}
    row.unit_deadline = unit_deadline
    row.department_deadline = department_deadline
    row.reminder_days_before = parse_offsets(reminder_days_before, "reminder_days_before")
    row.reminder_days_after = parse_offsets(reminder_days_after, "reminder_days_after")
    row.source = source.strip()
    row.note = note.strip()
    row.full_clean()
    row.save()
    audit_record(
        actor=by, action="reporting_year.save", obj=row,
        changes={k: [before[k], str(getattr(row, k))] for k in before if before[k] != str(getattr(row, k))},
    )
    return row


@transaction.atomic
def reporting_unit_add(*, by: User, organisation: Organisation, reason: str = "") -> ReportingUnitExtra:
    """Add a new-type R&D institution with public-institution status to the reporting units."""
    _require_commission(by)
    if perms.is_reporting_unit(organisation) or ReportingUnitExtra.objects.filter(organisation=organisation).exists():
        raise ValidationError({"organisation": [str(ALREADY_REPORTING)]})
    extra = ReportingUnitExtra.objects.create(
        organisation=organisation, added_by=by, **({"reason": reason.strip()} if reason.strip() else {})
    )
    audit_record(actor=by, action="reporting_unit.add", obj=organisation)
    return extra


@transaction.atomic
def reporting_unit_remove(*, by: User, extra: ReportingUnitExtra) -> None:
    _require_commission(by)
    organisation = extra.organisation
    extra.delete()
    audit_record(actor=by, action="reporting_unit.remove", obj=organisation)


# ---------------------------------------------------------------- reminders


def _remind(
    *, year: int, organisation: Organisation, kind: str, when: str, offset: int, deadline: datetime.date,
    today: datetime.date, people: list[User], record_id: int, title: str, url: str,
) -> bool:
    """One reminder to one organisation's people, once (the ReminderSent row); True if sent now."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                year=year, organisation=organisation, deadline_kind=kind, when=when, offset=offset,
                deadline=deadline, sent_on=today, recipients=len(people),
            )
    except IntegrityError:
        return False
    from techtransfer.subscriptions.work import notify_people

    notify_people(people, kind="annual_report", record_id=record_id, title=title, url=url, event=REMINDER_EVENT)
    return True


REMINDER_UNIT_BEFORE = _(
    "%(name)s: the annual transformation report %(year)s is due to the supervising department on %(date)s, "
    "in %(days)s days."
)
REMINDER_UNIT_AFTER = _(
    "%(name)s: the annual transformation report %(year)s was due to the supervising department on %(date)s; "
    "it is %(days)s days overdue."
)
REMINDER_DEPARTMENT_BEFORE = _(
    "%(name)s: the units' annual transformation reports %(year)s are due to the commission on %(date)s, "
    "in %(days)s days."
)
REMINDER_DEPARTMENT_AFTER = _(
    "%(name)s: the units' annual transformation reports %(year)s were due to the commission on %(date)s; "
    "they are %(days)s days overdue."
)


def _reminder_title(year: int, kind: str, when: str, offset: int, deadline: datetime.date, name: str) -> str:
    """The notification's title, in the platform's language (as the workflow's notifications are stored)."""
    texts: dict[tuple[str, str], Any] = {
        (DeadlineKind.UNIT, ReminderWhen.BEFORE): REMINDER_UNIT_BEFORE,
        (DeadlineKind.UNIT, ReminderWhen.AFTER): REMINDER_UNIT_AFTER,
        (DeadlineKind.DEPARTMENT, ReminderWhen.BEFORE): REMINDER_DEPARTMENT_BEFORE,
        (DeadlineKind.DEPARTMENT, ReminderWhen.AFTER): REMINDER_DEPARTMENT_AFTER,
    }
    with translation.override(DEFAULT_LANGUAGE):
        return str(texts[(kind, when)]) % {"name": name, "year": year, "date": deadline.isoformat(), "days": offset}


def _candidate_years(today: datetime.date) -> list[int]:
    years = {today.year - 1, today.year - 2}
    years |= set(ReportingYear.objects.filter(year__gte=today.year - 3).values_list("year", flat=True))
    return sorted(y for y in years if y >= FIRST_YEAR)


def send_reminders(*, today: datetime.date | None = None) -> int:
    """The daily reminders (the `send_report_reminders` command): N days before and after the unit deadline to
    every reporting unit whose report is not submitted (not started, draft or returned), and around the
    department deadline to every department with units' reports not yet submitted to the commission. In the
    site and by e-mail by each person's preference; each reminder once (ReminderSent). Returns how many
    organisations were reminded."""
    today = today or timezone.localdate()
    sent = 0
    for year in _candidate_years(today):
        try:
            deadlines = rules.deadlines_for(year)
        except ApplicationError:
            continue
        sent += _unit_reminders(year, deadlines, today)
        sent += _department_reminders(year, deadlines, today)
    return sent


def _offset_today(deadline: datetime.date, today: datetime.date, before: tuple[int, ...],
                  after: tuple[int, ...]) -> tuple[str, int] | None:
    days = (deadline - today).days
    if days > 0 and days in before:
        return ReminderWhen.BEFORE, days
    if days < 0 and -days in after:
        return ReminderWhen.AFTER, -days
    return None


def _unit_reminders(year: int, deadlines: rules.Deadlines, today: datetime.date) -> int:
    moment = _offset_today(deadlines.unit, today, deadlines.before, deadlines.after)
    if moment is None:
        return 0
    when, offset = moment
    reports = {r.organisation_id: r for r in AnnualReport.objects.filter(year=year)}
    sent = 0
    for unit in perms.reporting_units():
        report = reports.get(unit.pk)
        if report is not None and report.status not in EDITABLE_STATUSES:
            continue
        people = list(members_of(unit.pk, EDITOR_ROLES))
        url = reverse("reports:detail", args=[report.pk]) if report else reverse("reports:list") + f"?year={year}"
        sent += _remind(
            year=year, organisation=unit, kind=DeadlineKind.UNIT, when=when, offset=offset, deadline=deadlines.unit,
            today=today, people=people, record_id=report.pk if report else 0,
            title=_reminder_title(year, DeadlineKind.UNIT, when, offset, deadlines.unit, unit.name), url=url,
        )
    return sent


def _department_reminders(year: int, deadlines: rules.Deadlines, today: datetime.date) -> int:
    moment = _offset_today(deadlines.department, today, deadlines.before, deadlines.after)
    if moment is None:
        return 0
    when, offset = moment
    forwarded = set(
        AnnualReport.objects.filter(year=year, status=ReportStatus.FORWARDED).values_list("organisation_id", flat=True)
    )
    waiting: dict[int, Organisation] = {}
    for unit in perms.reporting_units():
        department = unit.supervising_department
        if department is not None and unit.pk not in forwarded:
            waiting.setdefault(department.pk, department)
    sent = 0
    for department in waiting.values():
        people = [u for u in members_of(department.pk, perms.DEPARTMENT_ROLES)]
        sent += _remind(
            year=year, organisation=department, kind=DeadlineKind.DEPARTMENT, when=when, offset=offset,
            deadline=deadlines.department, today=today, people=people, record_id=0,
            title=_reminder_title(year, DeadlineKind.DEPARTMENT, when, offset, deadlines.department, department.name),
            url=reverse("reports:queue"),
        )
    return sent
