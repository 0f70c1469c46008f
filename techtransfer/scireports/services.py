"""Writes to S&T reports: the unit's report (with its file, achievements and IP rows), the commission's
acceptance and sharing status, and the reminders to units that have not reported.

Every service checks permission (403), state (409) and content (400) in that order, runs in one transaction
and writes the audit trail; workflow steps go through the workflow core (`transition`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy, ngettext

from techtransfer.accounts.models import Organisation, User
from techtransfer.accounts.permissions import is_commission_admin, members_of
from techtransfer.achievements.choices import IPKind, Secrecy
from techtransfer.achievements.choices import Status as AchievementStatus
from techtransfer.achievements.models import Achievement, FundedProject
from techtransfer.core.audit import audit_record, diff, snapshot
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.workflow import transition
from techtransfer.lib.uploads import pdf_upload_check
from techtransfer.scireports import permissions as perms
from techtransfer.scireports import rules
from techtransfer.scireports.choices import EDITABLE_STATUSES, ReleaseMode, ReportStatus, Sharing
from techtransfer.scireports.models import ReportIPItem, ReportReminder, ScienceReport

FORM_FIELDS = ["number", "title", "report_type", "secrecy", "release_mode", "delay_months", "abstract", "keywords"]
AUDITED_FIELDS = [*FORM_FIELDS, "status", "sharing", "public_from", "original_name", "sha256"]
REMINDER_EVENT = "scireport.reminder"
DEFAULT_LANGUAGE = "zh-hans"

CANNOT_CREATE = gettext_lazy("You can write reports only for funded projects of a unit you are a member of.")
NOT_EDITABLE = gettext_lazy("The report can be changed only as a draft or when it was returned.")
DELAY_MISSING = gettext_lazy("Give the delay in months for a delayed release.")
DELAY_TOO_LONG = gettext_lazy(
    "At most %(n)d months (rule set “%(rules)s” in force on %(date)s)."
)
NUMBER_TAKEN = gettext_lazy("Another report already has this number.")
FOREIGN_ACHIEVEMENT = gettext_lazy("Achievement #%(pk)s is not an achievement of this unit.")
IP_INCOMPLETE = gettext_lazy("Row %(row)d: give the kind and the number of the IP right.")
IP_KIND_UNKNOWN = gettext_lazy("Row %(row)d: “%(kind)s” is not a kind of IP right.")
CLASSIFIED_NOT_OPEN = gettext_lazy("A classified report is never openly shared.")
NOT_ACCEPTED = gettext_lazy("The sharing status is set once the report is accepted.")
NOTHING_MISSING = gettext_lazy("This unit has no funded project without a report: nothing to remind.")
NO_EDITORS = gettext_lazy("This unit has no active member to remind.")


def _locked(report: ScienceReport) -> ScienceReport:
    return ScienceReport.objects.select_for_update().get(pk=report.pk)


def _clean(
    report: ScienceReport, achievements: Sequence[Achievement] | None, ip_items: Sequence[dict[str, Any]]
) -> None:
    """Every check a save must pass, by field (ValidationError)."""
    errors: dict[str, list[str]] = {}
    try:
        report.full_clean(exclude=["project", "owner", "file", "rule_set"], validate_unique=False)
    except ValidationError as exc:
        errors.update({k: [str(m) for m in v] for k, v in exc.message_dict.items()})
    if report.release_mode == ReleaseMode.OPEN:
        report.delay_months = None
    elif report.delay_months is None and "delay_months" not in errors:
        errors["delay_months"] = [str(DELAY_MISSING)]
    elif report.delay_months is not None and "delay_months" not in errors:
        today = timezone.localdate()
        try:
            rule_set = rules.rule_set_on(today)
        except ApplicationError as exc:
            errors["delay_months"] = [str(exc.message)]
        else:
            if report.delay_months > rule_set.max_delay_months:
                errors["delay_months"] = [str(DELAY_TOO_LONG) % {
                    "n": rule_set.max_delay_months, "rules": rule_set.name, "date": today.isoformat(),
                }]
    if report.number and ScienceReport.objects.filter(number=report.number).exclude(pk=report.pk).exists():
        errors.setdefault("number", []).append(str(NUMBER_TAKEN))
    for achievement in achievements or ():
        if achievement.owner_id != report.owner_id or achievement.status == AchievementStatus.WITHDRAWN:
            errors.setdefault("achievements", []).append(str(FOREIGN_ACHIEVEMENT) % {"pk": achievement.pk})
    for row, item in enumerate(ip_items, start=1):
        if not item.get("kind") or not (item.get("number") or "").strip():
            errors.setdefault("ip_items", []).append(str(IP_INCOMPLETE) % {"row": row})
        elif item["kind"] not in IPKind.values:
            errors.setdefault("ip_items", []).append(str(IP_KIND_UNKNOWN) % {"row": row, "kind": item["kind"]})
    if errors:
        raise ValidationError(errors)


def _apply(report: ScienceReport, data: dict[str, Any]) -> None:
    for name in FORM_FIELDS:
        if name in data:
            value = data[name]
            setattr(report, name, value.strip() if isinstance(value, str) else value)


def _store_file(report: ScienceReport, upload: UploadedFile) -> None:
    """Check the upload is a real PDF (by content, not by name) and keep it on the report (saved by the caller)."""
    report.sha256 = pdf_upload_check(upload, field="file")
    assert upload.name is not None and upload.size is not None  # the check refused a file without either
    old = report.file.name if report.file else ""
    report.original_name = upload.name[:255]
    report.size = upload.size
    report.file.save(upload.name, upload, save=False)
    if old and old != report.file.name:
        transaction.on_commit(lambda: report.file.storage.delete(old))


def _save_parts(
    report: ScienceReport, achievements: Sequence[Achievement] | None, ip_items: Sequence[dict[str, Any]] | None
) -> None:
    if achievements is not None:
        report.achievements.set(achievements)
    if ip_items is not None:
        report.ip_items.all().delete()
        ReportIPItem.objects.bulk_create(
            ReportIPItem(
                report=report, kind=i["kind"], number=i["number"].strip(), title=(i.get("title") or "").strip()
            )
            for i in ip_items
        )


@transaction.atomic
def report_create(
    *,
    by: User,
    project: FundedProject,
    data: dict[str, Any],
    upload: UploadedFile | None = None,
    achievements: Sequence[Achievement] = (),
    ip_items: Sequence[dict[str, Any]] = (),
) -> ScienceReport:
    """A new report (a draft) of a funded project; its unit (the project's host on the platform) owns it."""
    if project.organisation_id is None or project.organisation_id not in perms.reporting_units(by):
        raise PermissionDenied(CANNOT_CREATE)
    report = ScienceReport(project=project, owner_id=project.organisation_id, created_by=by)
    _apply(report, data)
    _clean(report, achievements, ip_items)
    if upload is not None:
        _store_file(report, upload)
    report.save()
    _save_parts(report, achievements, ip_items)
    audit_record(actor=by, action="scireport.create", obj=report)
    return report


@transaction.atomic
def report_update(
    *,
    report: ScienceReport,
    by: User,
    data: dict[str, Any],
    upload: UploadedFile | None = None,
    achievements: Sequence[Achievement] | None = None,
    ip_items: Sequence[dict[str, Any]] | None = None,
) -> ScienceReport:
    """Change a draft or a returned report; achievements and IP rows are replaced when given."""
    report = _locked(report)
    if not perms.OWNER.check(by, report):
        raise PermissionDenied(perms.NOT_THE_UNIT)
    if report.status not in EDITABLE_STATUSES:
        raise ApplicationError(str(NOT_EDITABLE))
    before = snapshot(report, AUDITED_FIELDS)
    before_links = sorted(report.achievements.values_list("pk", flat=True))
    _apply(report, data)
    stored_ip = [dict(r) for r in report.ip_items.values("kind", "number", "title")]
    _clean(report, achievements, stored_ip if ip_items is None else ip_items)
    if upload is not None:
        _store_file(report, upload)
    report.save()
    _save_parts(report, achievements, ip_items)
    changes = diff(before, snapshot(report, AUDITED_FIELDS))
    after_links = sorted(report.achievements.values_list("pk", flat=True))
    if after_links != before_links:
        changes["achievements"] = [before_links, after_links]
    if ip_items is not None and stored_ip != [dict(r) for r in report.ip_items.values("kind", "number", "title")]:
        changes["ip_items"] = [len(stored_ip), len(ip_items)]
    if changes:
        audit_record(actor=by, action="scireport.update", obj=report, changes=changes)
    return report


@transaction.atomic
def report_submit(*, report: ScienceReport, by: User) -> ScienceReport:
    """Send the report to the commission; the delay is checked again against the rule set in force today."""
    report = _locked(report)
    transition(report, "submit", by=by)
    _clean(report, None, [])
    report.submitted_at = timezone.now()
    report.rule_set = rules.rule_set_on(timezone.localdate(report.submitted_at))
    report.save()
    return report


@transaction.atomic
def report_return(*, report: ScienceReport, by: User, reason: str) -> ScienceReport:
    report = _locked(report)
    transition(report, "return", by=by, reason=reason)
    report.save()
    return report


def default_sharing(report: ScienceReport) -> str:
    """What an accepted report is shared as unless the commission says otherwise: a classified one not at all,
    any other openly (a delayed one from its release date on)."""
    return Sharing.NONE if report.secrecy != Secrecy.NONE else Sharing.OPEN


@transaction.atomic
def report_accept(*, report: ScienceReport, by: User) -> ScienceReport:
    """Accept: the public release date is the acceptance date plus the delay (none for a classified report)."""
    report = _locked(report)
    transition(report, "accept", by=by)
    report.accepted_at = timezone.now()
    report.accepted_by = by
    accepted_on = timezone.localdate(report.accepted_at)
    if report.secrecy != Secrecy.NONE:
        report.public_from = None
    else:
        report.public_from = rules.add_months(accepted_on, report.delay_months or 0)
    report.sharing = default_sharing(report)
    report.save()
    return report


@transaction.atomic
def report_set_sharing(*, report: ScienceReport, by: User, sharing: str, reason: str = "") -> ScienceReport:
    """The commission records how an accepted report is shared (a classified one is never openly)."""
    report = _locked(report)
    if not perms.can_decide(by, report):
        raise PermissionDenied(perms.NOT_THE_COMMISSION)
    if report.status != ReportStatus.ACCEPTED:
        raise ApplicationError(str(NOT_ACCEPTED))
    if sharing not in Sharing.values:
        raise ValidationError({"sharing": [gettext("Choose a sharing status from the list.")]})
    if sharing == Sharing.OPEN and report.secrecy != Secrecy.NONE:
        raise ValidationError({"sharing": [str(CLASSIFIED_NOT_OPEN)]})
    if sharing != report.sharing:
        audit_record(
            actor=by, action="scireport.sharing", obj=report, changes={"sharing": [report.sharing, sharing]},
            note=reason.strip(),
        )
        report.sharing = sharing
        report.save(update_fields=["sharing", "updated"])
    return report


# ---------------------------------------------------------------------------------------------------------
# Reminders


def _reminder_title(count: int) -> str:
    with translation.override(DEFAULT_LANGUAGE):
        return ngettext(
            "S&T reports due: %(n)d funded project has no report yet.",
            "S&T reports due: %(n)d funded projects have no report yet.",
            count,
        ) % {"n": count}


@transaction.atomic
def reminder_send(*, organisation: Organisation, by: User, ended_only: bool = True) -> ReportReminder:
    """Remind a unit's editors (in-site, and by e-mail as each prefers) of its funded projects without a
    submitted or accepted report, and record the reminder."""
    from techtransfer.scireports.selectors import projects_missing
    from techtransfer.subscriptions.work import notify_people

    if not is_commission_admin(by):
        raise PermissionDenied(perms.NOT_AN_ADMIN)
    projects = list(projects_missing(organisation=organisation, ended_only=ended_only))
    if not projects:
        raise ApplicationError(str(NOTHING_MISSING))
    people = list(members_of(organisation.pk))
    if not people:
        raise ApplicationError(str(NO_EDITORS))
    reminder = ReportReminder.objects.create(
        organisation=organisation, by=by, at=timezone.now(), ended_only=ended_only, recipients=len(people)
    )
    reminder.projects.set(projects)
    grants = ", ".join(p.grant_number for p in projects[:20]) + (" …" if len(projects) > 20 else "")
    notify_people(
        people, kind="scireport", record_id=reminder.pk, title=_reminder_title(len(projects)),
        url=reverse("scireports:mine"), event=REMINDER_EVENT, actor=by, note=grants,
    )
    audit_record(
        actor=by, action=REMINDER_EVENT, obj=organisation,
        changes={"projects": [None, [p.grant_number for p in projects]]},
    )
    return reminder


def reminder_send_all(*, by: User, ended_only: bool = True) -> list[ReportReminder]:
    """Remind every unit that has funded projects without a report (each in its own transaction; a unit
    without active members is skipped)."""
    from techtransfer.scireports.selectors import units_missing

    if not is_commission_admin(by):
        raise PermissionDenied(perms.NOT_AN_ADMIN)
    sent = []
    for organisation in units_missing(ended_only=ended_only):
        try:
            sent.append(reminder_send(organisation=organisation, by=by, ended_only=ended_only))
        except ApplicationError:
            continue
    return sent
