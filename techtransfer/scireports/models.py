"""S&T reports (科技报告) of publicly funded projects: the report, its IP rows, its history, the dated rule of the
longest delay, and the commission's reminders to units that have not reported."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.models import Organisation
from techtransfer.achievements.choices import IPKind, Secrecy
from techtransfer.achievements.models import Achievement, FundedProject
from techtransfer.core.models import StatusHistory, TimeStampedModel
from techtransfer.lib.fields import BoundedTextField
from techtransfer.lib.validators import SUMMARY_MAX_LENGTH, validate_sane_date
from techtransfer.scireports.choices import ReleaseMode, ReportStatus, ReportType, Sharing


class ReportRuleSet(models.Model):
    """The report rules in force from `valid_from` on (regulation as dated data, rules/rule_sets.json).

    `max_delay_months`, the longest delay of a delayed release, defaults to 36 months: UNCONFIRMED (see the
    shipped rule set's `source`); the commission adds a rule set to change it.
    """

    valid_from = models.DateField(_("valid from"), unique=True, validators=[validate_sane_date])
    name = models.CharField(_("name"), max_length=200)
    source = models.TextField(_("source"), blank=True)
    confirmed = models.BooleanField(_("confirmed"), default=True)
    max_delay_months = models.PositiveSmallIntegerField(_("longest delay of a delayed release (months)"))

    class Meta:
        verbose_name = _("S&T report rule set")
        verbose_name_plural = _("S&T report rule sets")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from})"


def report_file_path(instance: ScienceReport, filename: str) -> str:
    return f"scireports/{instance.owner_id}/{instance.sha256[:16]}.pdf"


class ScienceReport(TimeStampedModel):
    """One S&T report of a funded project, from the unit's draft to its acceptance by the commission."""

    project = models.ForeignKey(
        FundedProject, on_delete=models.PROTECT, related_name="science_reports", verbose_name=_("funded project")
    )
    owner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="science_reports", verbose_name=_("unit")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT, db_index=True
    )
    number = models.CharField(_("report number (科技报告编号)"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=300)
    report_type = models.CharField(_("report type"), max_length=16, choices=ReportType.choices)
    secrecy = models.CharField(_("secrecy level"), max_length=1, choices=Secrecy.choices, default=Secrecy.NONE)
    release_mode = models.CharField(
        _("release"), max_length=8, choices=ReleaseMode.choices, default=ReleaseMode.OPEN
    )
    delay_months = models.PositiveSmallIntegerField(
        _("delay (months)"), null=True, blank=True, validators=[MinValueValidator(1)],
        help_text=_("For a delayed release: months from the acceptance to the public release."),
    )
    abstract = BoundedTextField(_("abstract"), max_length=SUMMARY_MAX_LENGTH)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True, help_text=_("Separated by commas."))
    file = models.FileField(_("report file (PDF)"), upload_to=report_file_path, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    achievements = models.ManyToManyField(
        Achievement, blank=True, related_name="science_reports", verbose_name=_("achievements of the project")
    )
    sharing = models.CharField(_("sharing status"), max_length=16, choices=Sharing.choices, default=Sharing.NONE)
    rule_set = models.ForeignKey(
        ReportRuleSet, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("rule set in force"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("accepted by"),
    )
    public_from = models.DateField(
        _("public from"), null=True, blank=True, db_index=True,
        help_text=_("The acceptance date plus the delay; none for a classified report."),
    )

    class Meta:
        verbose_name = _("S&T report")
        verbose_name_plural = _("S&T reports")
        ordering = ["-updated", "-id"]
        indexes = [models.Index(fields=["owner", "status"], name="scireport_owner_status")]

    def __str__(self) -> str:
        return self.title

    @property
    def keyword_list(self) -> list[str]:
        return [k for k in (w.strip() for w in self.keywords.replace("，", ",").replace("；", ",").split(",")) if k]


class ReportIPItem(models.Model):
    """An IP right the project produced (patent, software copyright...), as the unit lists it with the report."""

    report = models.ForeignKey(ScienceReport, on_delete=models.CASCADE, related_name="ip_items")
    kind = models.CharField(_("kind"), max_length=32, choices=IPKind.choices)
    number = models.CharField(_("number"), max_length=40)
    title = models.CharField(_("title"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("IP of the report")
        verbose_name_plural = _("IP of the reports")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class ReportStatusChange(StatusHistory):
    """One step of a report (submitted, returned, accepted, withdrawn)."""

    record = models.ForeignKey(
        ScienceReport, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("S&T report")
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("S&T report status change")
        verbose_name_plural = _("S&T report status changes")


class ReportReminder(models.Model):
    """The commission reminded a unit of its funded projects without a report (who, when, which projects)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), db_index=True)
    ended_only = models.BooleanField(_("finished projects only"), default=True)
    projects = models.ManyToManyField(FundedProject, related_name="+", verbose_name=_("projects"))
    recipients = models.PositiveIntegerField(_("people notified"), default=0)

    class Meta:
        verbose_name = _("S&T report reminder")
        verbose_name_plural = _("S&T report reminders")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.organisation} {self.at:%Y-%m-%d}"
