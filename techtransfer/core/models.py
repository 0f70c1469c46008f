"""Shared building blocks: timestamps, versioned code tables, and the append-only audit trail."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from techtransfer.lib.fields import BoundedTextField
from techtransfer.lib.validators import NOTE_MAX_LENGTH


class TimeStampedModel(models.Model):
    """Abstract base: when a row was created and last changed."""

    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class CodeTable(models.Model):
    """One version of a code table (GB/T 2260 regions, GB/T 4754 industries, high-tech fields, ...).

    A code table changes when its standard is revised; old records keep pointing at the items of the
    version they were entered under, so versions live side by side and exactly one is current.
    """

    key = models.SlugField(_("key"), max_length=64)
    version = models.CharField(_("version"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    confirmed = models.BooleanField(
        _("confirmed"),
        default=True,
        help_text=_("False where the value list could not be confirmed in an official text."),
    )
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    is_current = models.BooleanField(_("current version"), default=True)

    class Meta:
        verbose_name = _("code table")
        verbose_name_plural = _("code tables")
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="codetable_key_version_unique"),
            models.UniqueConstraint(
                fields=["key"], condition=models.Q(is_current=True), name="codetable_one_current_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"


class CodeItemQuerySet(models.QuerySet["CodeItem"]):
    def current(self, key: str) -> CodeItemQuerySet:
        return self.filter(table__key=key, table__is_current=True, active=True)


class CodeItem(models.Model):
    """One value of a code table, e.g. region 110108 海淀区, with its labels in both languages."""

    table = models.ForeignKey(CodeTable, on_delete=models.PROTECT, related_name="items", verbose_name=_("table"))
    code = models.CharField(_("code"), max_length=32)
    label_zh = models.CharField(_("Chinese label"), max_length=200)
    label_en = models.CharField(_("English label"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    objects = CodeItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("code item")
        verbose_name_plural = _("code items")
        ordering = ["table", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["table", "code"], name="codeitem_table_code_unique")]
        indexes = [models.Index(fields=["code"])]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The label in the active language (English falls back to Chinese)."""
        if (get_language() or "").startswith("en") and self.label_en:
            return self.label_en
        return self.label_zh


class AuditEvent(models.Model):
    """One recorded change: who did what to which object, when, with the changed fields.

    The table is append-only: the model refuses updates and deletes, and a database trigger (see the
    migration) refuses them for anyone who bypasses the ORM.
    """

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("actor")
    )
    actor_repr = models.CharField(_("actor name"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_repr} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events cannot be deleted.")


class StatusHistory(models.Model):
    """Abstract base of every workflow's history: one row per step taken (which step, from what state to
    what state, by whom, when and why). Statistics and timelines read these; the audit trail keeps the same
    events with the rest of what changed.

    A concrete history adds `record = models.ForeignKey(<the record>, related_name="status_changes")`.
    """

    from_state = models.CharField(_("from"), max_length=32, blank=True)
    to_state = models.CharField(_("to"), max_length=32)
    step = models.CharField(_("step"), max_length=32, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = BoundedTextField(_("reason"), max_length=NOTE_MAX_LENGTH, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or '—'} → {self.to_state}"

    def _flow(self) -> Any:
        from techtransfer.core.workflow import workflow_of_history

        return workflow_of_history(type(self))

    @property
    def from_label(self) -> str:
        flow = self._flow()
        return flow.state_label(self.from_state) if flow else self.from_state

    @property
    def to_label(self) -> str:
        flow = self._flow()
        return flow.state_label(self.to_state) if flow else self.to_state

    @property
    def step_label(self) -> str:
        flow = self._flow()
        if flow is None or self.step not in flow.steps:
            return self.step
        return str(flow.steps[self.step].label)


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class Job(models.Model):
    """One background job of the "db" backend: a dotted function path and its id-only arguments."""

    path = models.CharField(_("function"), max_length=200)
    kwargs = models.JSONField(_("arguments"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    # Not before this time: a failed job waits here for its retry (backoff).
    run_after = models.DateTimeField(_("run after"), default=timezone.now)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    # While running: the claim holds until then; its worker renews it, and once it has passed (the worker
    # died) any worker claims the job again.
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "run_after"], name="core_job_status_run_after")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.path} ({self.status})"


class ImportMode(models.TextChoices):
    # Units correct a few bad rows and import the file again: the good rows are in already, and nothing
    # is created twice. Some lists must go in whole or not at all (a programme's list, a contract register).
    GOOD_ROWS = "good_rows", _("save every good row, report every bad one")
    ALL_OR_NOTHING = "all_or_nothing", _("save nothing if any row is bad")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("waiting to start")
    RUNNING = "running", _("in progress")
    DONE = "done", _("finished")
    FAILED = "failed", _("failed")


# A running import saves its progress every chunk (seconds apart): this long without one, its process died.
STALLED_AFTER = timedelta(minutes=10)


class ImportBatch(TimeStampedModel):
    """One bulk import of a table file: the file, who ran it into whose records, and what became of each row.

    `kind` names the import format an app registered (techtransfer.core.imports); the scope (usually the unit
    whose records the rows became) is referenced like an audit event's object, so that core names no app and a
    batch stays on record like the audit trail.
    """

    kind = models.CharField(_("kind"), max_length=32)
    scope_type = models.CharField(_("object type"), max_length=100, blank=True)
    scope_id = models.CharField(_("object id"), max_length=64, blank=True)
    scope_repr = models.CharField(_("object"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    mode = models.CharField(_("mode"), max_length=16, choices=ImportMode.choices, default=ImportMode.GOOD_ROWS)
    total_rows = models.PositiveIntegerField(_("rows read"), default=0)
    created_count = models.PositiveIntegerField(
        pgettext_lazy("number of rows an import saved as new records", "created"), default=0
    )
    unchanged_count = models.PositiveIntegerField(_("Unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("bad rows"), default=0)
    # [{"row": Excel row number, "field": the column as the file names it ("" for the whole row), "message"}]
    errors = models.JSONField(_("problems"), default=list, blank=True)
    # An import run as a background job: its state, how far it got (rows of the file, blank ones included),
    # the stored upload (relative to MEDIA_ROOT, private, deleted when done) and the format's options.
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.DONE)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_expected = models.PositiveIntegerField(_("rows in the file"), null=True, blank=True)
    upload = models.FileField(_("stored upload"), upload_to="imports/", max_length=255, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    failure = models.TextField(_("why it failed"), blank=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created"]
        indexes = [models.Index(fields=["kind", "scope_type", "scope_id"], name="core_importbatch_scope")]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.created:%Y-%m-%d %H:%M})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def stalled(self) -> bool:
        """Running, but without progress for long: its process stopped (an inline thread dies with its web
        process; a worker's job is taken again by another worker, which saves progress again)."""
        return self.status == ImportStatus.RUNNING and self.updated < timezone.now() - STALLED_AFTER

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        if not self.rows_expected:
            return 0
        return min(100, 100 * self.rows_done // self.rows_expected)

    @property
    def nothing_saved(self) -> bool:
        """An all-or-nothing import that found a bad row saved none of the rows."""
        return self.mode == ImportMode.ALL_OR_NOTHING and self.error_count > 0


class ExportFile(TimeStampedModel):
    """One export written by a background job: what was asked (kind, format, the list's filters), by whom, how
    far it got, and the file (relative to MEDIA_ROOT, in a private folder; offered only by a checked view).

    Who may download it: the user who asked, and when `scope_*` names an organisation, that organisation's
    members. Like ImportBatch, the scope is referenced as an audit event's object so that core names no app.
    """

    kind = models.CharField(_("kind"), max_length=32)
    fmt = models.CharField(_("format"), max_length=8)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("by")
    )
    scope_type = models.CharField(_("object type"), max_length=100, blank=True)
    scope_id = models.CharField(_("object id"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_expected = models.PositiveIntegerField(_("rows to write"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="exports/", max_length=255, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    failure = models.TextField(_("why it failed"), blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.kind} {self.fmt} #{self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        if not self.rows_expected:
            return 0
        return min(100, 100 * self.rows_done // self.rows_expected)


class CalendarDayKind(models.TextChoices):
    # A day of a public-holiday period (法定节假日 and the rest days joined to it by 调休); the period's weekend
    # days are listed too, as the State Council's notice gives the whole period.
    HOLIDAY = "holiday", _("public holiday (day off)")
    # A Saturday or Sunday that is worked to make up for a holiday (调休上班).
    WORKDAY = "workday", _("make-up working day")


class CalendarDay(models.Model):
    """A day that is not what its weekday says: a public holiday, or a weekend day that is worked.

    Every other day is a working day from Monday to Friday and a rest day on Saturday and Sunday. The rows come from
    the chinesecalendar package on every migrate (techtransfer.core.calendar), and an administrator adds the years
    the package does not have yet; deadlines in working days are counted on them.
    """

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("The holiday, e.g. Spring Festival."))
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_(
            "Where the day comes from, e.g. the State Council's notice. Days whose source starts with "
            "“chinesecalendar” are kept in line with that package on every update; any other day is kept as entered "
            "and wins over the package."
        ),
    )

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name or self.get_kind_display()}"
