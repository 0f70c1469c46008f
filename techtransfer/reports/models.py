"""The annual S&T-achievement transformation report (科技成果转化年度报告, domain-spec §4): the reporting years
and their deadlines, the new-type R&D institutions that report, each unit's report with its six parts, its
attachments and history, and the log of reminders sent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.models import Organisation
from techtransfer.core.models import StatusHistory, TimeStampedModel
from techtransfer.lib.fields import BoundedTextField
from techtransfer.lib.validators import NOTE_MAX_LENGTH, TEXT_MAX_LENGTH, validate_sane_date
from techtransfer.reports.choices import AttachmentKind, DeadlineKind, ReminderWhen, ReportStatus


def _default_before() -> list[int]:
    return [30, 7, 1]


def _default_after() -> list[int]:
    return [1, 7, 14]


class DeadlineRule(models.Model):
    """The default deadlines from `valid_from` on (rules/deadlines.json, loaded on post_migrate): the unit
    reports by <unit_month>-<unit_day> of the year after the data year, the department submits by
    <department_month>-<department_day>. A reporting year with its own ReportingYear row overrides them."""

    valid_from = models.DateField(_("valid from"), unique=True, validators=[validate_sane_date])
    name = models.CharField(_("name"), max_length=200)
    source = models.TextField(_("source"))
    unit_month = models.PositiveSmallIntegerField(_("unit deadline month"))
    unit_day = models.PositiveSmallIntegerField(_("unit deadline day"))
    department_month = models.PositiveSmallIntegerField(_("department deadline month"))
    department_day = models.PositiveSmallIntegerField(_("department deadline day"))
    reminder_days_before = models.JSONField(_("reminders before a deadline (days)"), default=_default_before)
    reminder_days_after = models.JSONField(_("reminders after a deadline (days)"), default=_default_after)

    class Meta:
        verbose_name = _("annual report deadline rule")
        verbose_name_plural = _("annual report deadline rules")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from})"


class ReportingYear(TimeStampedModel):
    """The deadlines of one reporting year (the data year `year`, reported in the following year), set by the
    commission when a yearly notice departs from the default rule."""

    year = models.PositiveSmallIntegerField(_("reporting year"), unique=True)
    unit_deadline = models.DateField(_("unit deadline"), validators=[validate_sane_date])
    department_deadline = models.DateField(_("department deadline"), validators=[validate_sane_date])
    reminder_days_before = models.JSONField(_("reminders before a deadline (days)"), default=_default_before)
    reminder_days_after = models.JSONField(_("reminders after a deadline (days)"), default=_default_after)
    source = models.TextField(_("source"), blank=True, help_text=_("The notice that set these dates."))
    note = BoundedTextField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("reporting year")
        verbose_name_plural = _("reporting years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class ReportingUnitExtra(TimeStampedModel):
    """A unit that reports although its type is none of university, institute or hospital: a new-type R&D
    institution with public-institution status (新型研发机构, reporting from the 2019 data year, [S26])."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="reporting_extra", verbose_name=_("organisation")
    )
    reason = models.CharField(
        _("why it reports"), max_length=200, default="新型研发机构（事业单位性质）",
        help_text=_("E.g. a new-type R&D institution with public-institution status."),
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("additional reporting unit")
        verbose_name_plural = _("additional reporting units")
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return str(self.organisation)


class AnnualReport(TimeStampedModel):
    """One unit's report for one data year. The figures of parts 2–5 are prefilled from the platform
    (`prefilled`, with the source of each in `sources`) and may be corrected by the unit (`overrides`): the
    reviewer sees both. The narrative parts are the unit's own text."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="annual_reports", verbose_name=_("reporting unit")
    )
    year = models.PositiveSmallIntegerField(_("reporting year"))
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    # The department at the time of submission (a unit may change department later).
    department = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="annual_reports_reviewed",
        verbose_name=_("supervising department"),
    )
    copy_to_commission = models.BooleanField(
        _("copy to the commission"), default=False,
        help_text=_("Units under central ministries send a copy to the commission (Beijing 条例 Art. 29)."),
    )

    # Part 1: work done, results, experience, problems
    part1_work = BoundedTextField(_("work done and results"), max_length=TEXT_MAX_LENGTH, blank=True)
    part1_experience = BoundedTextField(_("experience"), max_length=TEXT_MAX_LENGTH, blank=True)
    part1_problems = BoundedTextField(_("problems and suggestions"), max_length=TEXT_MAX_LENGTH, blank=True)
    # Notes on parts 2–5 (the figures are in prefilled/overrides)
    part2_note = BoundedTextField(_("notes on the achievements held"), max_length=TEXT_MAX_LENGTH, blank=True)
    part3_note = BoundedTextField(_("notes on transformation"), max_length=TEXT_MAX_LENGTH, blank=True)
    part4_note = BoundedTextField(
        _("notes on industry–academia cooperation (R&D bodies, technology-transfer organisations, platforms)"),
        max_length=TEXT_MAX_LENGTH, blank=True,
    )
    part5_note = BoundedTextField(_("notes on income distribution and rewards"), max_length=TEXT_MAX_LENGTH, blank=True)
    # Part 6: other — policy implementation (the project list is `projects`)
    part6_policy = BoundedTextField(_("policy implementation"), max_length=TEXT_MAX_LENGTH, blank=True)

    prefilled = models.JSONField(_("figures from the platform"), default=dict, blank=True)
    sources = models.JSONField(_("sources of the figures"), default=dict, blank=True)
    overrides = models.JSONField(_("figures corrected by the unit"), default=dict, blank=True)
    projects = models.JSONField(_("project list"), default=list, blank=True)
    achievements_by_source = models.JSONField(_("achievements by project source"), default=list, blank=True)
    prefilled_at = models.DateTimeField(_("prefilled at"), null=True, blank=True)

    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    days_late = models.PositiveIntegerField(_("days late (unit)"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    forwarded_at = models.DateTimeField(_("submitted to the commission at"), null=True, blank=True)
    department_days_late = models.PositiveIntegerField(_("days late (department)"), null=True, blank=True)

    class Meta:
        verbose_name = _("annual transformation report")
        verbose_name_plural = _("annual transformation reports")
        ordering = ["-year", "organisation__name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="annualreport_unit_year")]

    def __str__(self) -> str:
        return f"{self.organisation.name} {self.year}"

    @property
    def owner(self) -> Organisation:
        return self.organisation

    @property
    def owner_id(self) -> int:
        return self.organisation_id

    def figure(self, key: str) -> Any:
        """The value that counts: the unit's correction if any, else the platform's; a total is the sum of
        its parts as they count (reports.figures.DERIVED)."""
        from techtransfer.reports.figures import BY_KEY, DERIVED, MONEY

        if key in DERIVED:
            total = sum((self.figure_decimal(part) for part in DERIVED[key]), Decimal("0"))
            return str(total.quantize(Decimal("0.01"))) if BY_KEY[key].kind == MONEY else int(total)
        if key in self.overrides:
            return self.overrides[key]
        return self.prefilled.get(key)

    def figure_decimal(self, key: str) -> Decimal:
        value = self.figure(key)
        return Decimal(str(value)) if value not in (None, "") else Decimal("0")


def attachment_path(instance: ReportAttachment, filename: str) -> str:
    return f"annual_reports/{instance.report_id}/{instance.sha256[:16]}.pdf"


class ReportAttachment(TimeStampedModel):
    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=16, choices=AttachmentKind.choices, default=AttachmentKind.REPORT)
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("annual report attachment")
        verbose_name_plural = _("annual report attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class AnnualReportStatusChange(StatusHistory):
    record = models.ForeignKey(
        AnnualReport, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("annual report")
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("annual report status change")
        verbose_name_plural = _("annual report status changes")


class ReminderSent(models.Model):
    """One reminder sent to one organisation (a unit, or a department) for one deadline and offset: the log
    that makes the daily command safe to repeat. A deadline moved by the commission gets its own reminders."""

    year = models.PositiveSmallIntegerField(_("reporting year"))
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    deadline_kind = models.CharField(_("deadline"), max_length=16, choices=DeadlineKind.choices)
    when = models.CharField(_("when"), max_length=8, choices=ReminderWhen.choices)
    offset = models.PositiveSmallIntegerField(_("days"))
    deadline = models.DateField(_("deadline date"))
    sent_on = models.DateField(_("sent on"))
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-sent_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "organisation", "deadline_kind", "when", "offset", "deadline"],
                name="remindersent_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year} {self.deadline_kind} {self.when} {self.offset}"
