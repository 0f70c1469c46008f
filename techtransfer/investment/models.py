"""Investment matching (投融资对接, S18): investors' fund profiles, projects seeking funding, and the requests
a project's owner sends to an investor with their answer and outcome."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from techtransfer.core.models import CodeItem, StatusHistory, TimeStampedModel
from techtransfer.investment.choices import InvestorKind, InvestorStatus, ProjectStatus, RequestStatus, Stage
from techtransfer.lib.fields import BoundedTextField
from techtransfer.lib.validators import NOTE_MAX_LENGTH, SUMMARY_MAX_LENGTH

MONEY = {"max_digits": 16, "decimal_places": 2, "validators": [MinValueValidator(0)]}
STAGE_SEPARATOR = "|"


class Investor(TimeStampedModel):
    """A fund or investor profile of an investor organisation (one organisation may list several funds)."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="investor_profiles",
        verbose_name=_("investor organisation"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=InvestorKind.choices)
    fields = models.ManyToManyField(
        CodeItem, related_name="+", blank=True, verbose_name=_("focus fields"),
        limit_choices_to={"table__key": "high_tech_field"},
    )
    # The stages invested in, as "|seed|growth|" so that one stage is found by a portable `contains`.
    stages = models.CharField(_("stages"), max_length=64, blank=True)
    ticket_min = models.DecimalField(_("smallest ticket (yuan)"), **MONEY)
    ticket_max = models.DecimalField(_("largest ticket (yuan)"), **MONEY)
    regions = models.ManyToManyField(
        CodeItem, related_name="+", blank=True, verbose_name=_("regions invested in"),
        limit_choices_to={"table__key": "region"},
    )
    description = BoundedTextField(_("description"), max_length=SUMMARY_MAX_LENGTH, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=InvestorStatus.choices, default=InvestorStatus.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("investor profile")
        verbose_name_plural = _("investor profiles")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ticket_max__gte=F("ticket_min")), name="investor_ticket_range"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def stage_list(self) -> list[str]:
        return [s for s in self.stages.split(STAGE_SEPARATOR) if s]

    @property
    def stage_labels(self) -> list[str]:
        labels = dict(Stage.choices)
        return [str(labels.get(s, s)) for s in self.stage_list]


class InvestorStatusChange(StatusHistory):
    record = models.ForeignKey(
        Investor, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("investor profile")
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("investor profile status change")
        verbose_name_plural = _("investor profile status changes")


class FundingProject(TimeStampedModel):
    """A project seeking funding: an achievement's owner unit, or an organisation for its own spin-off."""

    owner = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="funding_projects", verbose_name=_("owner")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    title = models.CharField(_("title"), max_length=200)
    summary = BoundedTextField(_("summary"), max_length=SUMMARY_MAX_LENGTH)
    amount = models.DecimalField(_("amount sought (yuan)"), **MONEY)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    field = models.ForeignKey(
        CodeItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("technical field"),
        limit_choices_to={"table__key": "high_tech_field"},
    )
    achievement = models.ForeignKey(
        "achievements.Achievement", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("achievement"),
    )
    deal = models.ForeignKey(
        "deals.Deal", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("transformation deal"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT, db_index=True
    )

    class Meta:
        verbose_name = _("funding project")
        verbose_name_plural = _("funding projects")
        ordering = ["-updated", "-id"]

    def __str__(self) -> str:
        return self.title


class ProjectStatusChange(StatusHistory):
    record = models.ForeignKey(
        FundingProject, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("funding project")
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("funding project status change")
        verbose_name_plural = _("funding project status changes")


class FundingRequest(TimeStampedModel):
    """A project sent to an investor, the investor's answer, and what came of it."""

    project = models.ForeignKey(
        FundingProject, on_delete=models.CASCADE, related_name="requests", verbose_name=_("funding project")
    )
    investor = models.ForeignKey(
        Investor, on_delete=models.PROTECT, related_name="requests", verbose_name=_("investor")
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("sent by")
    )
    message = BoundedTextField(_("message"), max_length=NOTE_MAX_LENGTH, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.SENT, db_index=True
    )
    invested_amount = models.DecimalField(_("amount invested (yuan)"), null=True, blank=True, **MONEY)
    invested_on = models.DateField(_("invested on"), null=True, blank=True)

    class Meta:
        verbose_name = _("funding request")
        verbose_name_plural = _("funding requests")
        ordering = ["-created", "-id"]
        constraints = [models.UniqueConstraint(fields=["project", "investor"], name="fundingrequest_unique")]

    def __str__(self) -> str:
        return f"{self.project} → {self.investor}"


class RequestStatusChange(StatusHistory):
    record = models.ForeignKey(
        FundingRequest, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("funding request")
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("funding request status change")
        verbose_name_plural = _("funding request status changes")
