"""R&D crowdsourcing (研发众包 / 难题招标 / 揭榜挂帅): challenges, the sealed proposals answering them, and Q&A."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techtransfer.challenges.choices import ChallengeStatus, ProposalStatus
from techtransfer.core.models import CodeItem, StatusHistory, TimeStampedModel
from techtransfer.lib.fields import BoundedTextField
from techtransfer.lib.validators import NOTE_MAX_LENGTH, SUMMARY_MAX_LENGTH, TEXT_MAX_LENGTH, validate_deadline

QA_AFTER_DEADLINE_MESSAGE = _("The question deadline cannot be after the submission deadline.")


class Challenge(TimeStampedModel):
    """A technical challenge (难题/榜单) an organisation posts with a reward, for researchers and teams to solve."""

    owner = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="challenges", verbose_name=_("owner")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    title = models.CharField(_("title"), max_length=200)
    problem = BoundedTextField(
        _("background and problem"), max_length=TEXT_MAX_LENGTH, blank=True,
        help_text=_("Why the problem matters and what has been tried.")
    )
    requirements = BoundedTextField(
        _("technical requirements"), max_length=TEXT_MAX_LENGTH, blank=True,
        help_text=_("The indicators (技术指标) a solution must reach.")
    )
    # Field, region, reward and deadline may be empty while the challenge is a draft; submission requires them.
    field = models.ForeignKey(
        CodeItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("technical field"),
        limit_choices_to={"table__key": "high_tech_field"},
    )
    region = models.ForeignKey(
        CodeItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
        limit_choices_to={"table__key": "region"},
    )
    reward = models.DecimalField(
        _("reward (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    reward_note = models.CharField(
        _("reward note"), max_length=300, blank=True, help_text=_("E.g. paid in stages, plus a follow-up contract.")
    )
    submission_deadline = models.DateTimeField(
        _("submission deadline"),
        null=True,
        blank=True,
        help_text=_("No proposal can be submitted or changed after it."),
        validators=[validate_deadline],
    )
    qa_deadline = models.DateTimeField(
        _("question deadline"),
        null=True,
        blank=True,
        help_text=_("The last moment to ask questions; empty means until the submission deadline."),
        validators=[validate_deadline],
    )
    eligibility = BoundedTextField(
        _("eligibility"), max_length=NOTE_MAX_LENGTH, blank=True, help_text=_("Who may take part.")
    )
    max_winners = models.PositiveSmallIntegerField(
        _("number of winners"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("How many proposals may be awarded (the reward is shared between them)."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ChallengeStatus.choices, default=ChallengeStatus.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    moderation_note = BoundedTextField(
        _("moderation note"), max_length=NOTE_MAX_LENGTH, blank=True, help_text=_("Why the challenge was returned.")
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    proposals_opened_at = models.DateTimeField(
        _("proposals opened at"),
        null=True,
        blank=True,
        help_text=_("The proposals stay sealed until the submission deadline and open then, all at once."),
    )
    awarded_at = models.DateTimeField(_("awarded at"), null=True, blank=True)
    result_note = BoundedTextField(
        _("result"), max_length=SUMMARY_MAX_LENGTH, blank=True, help_text=_("The published result of the challenge.")
    )

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        ordering = ["-published_at", "-created"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reward__isnull=True) | Q(reward__gte=0), name="challenge_reward_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(qa_deadline__isnull=True)
                | Q(submission_deadline__isnull=True)
                | Q(qa_deadline__lte=F("submission_deadline")),
                name="challenge_qa_before_submission_deadline",
                violation_error_message=QA_AFTER_DEADLINE_MESSAGE,
            ),
            models.CheckConstraint(condition=Q(max_winners__gte=1), name="challenge_at_least_one_winner"),
        ]
        indexes = [models.Index(fields=["status", "submission_deadline"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        qa, deadline = self.qa_deadline, self.submission_deadline
        # Values that failed their own field check (not dates) are reported by clean_fields.
        if isinstance(qa, datetime.datetime) and isinstance(deadline, datetime.datetime) and qa > deadline:
            raise ValidationError({"qa_deadline": [QA_AFTER_DEADLINE_MESSAGE]})

    @property
    def question_deadline(self) -> datetime.datetime | None:
        """When questions stop: the Q&A deadline, or else the submission deadline."""
        return self.qa_deadline or self.submission_deadline

    def deadline_passed(self, now: datetime.datetime | None = None) -> bool:
        deadline = self.submission_deadline
        return deadline is not None and (now or timezone.now()) >= deadline

    @property
    def effective_status(self) -> str:
        """The status the rules read: an open challenge whose deadline has passed is closed, whether or not the
        scheduled `close_challenges` has recorded it yet (reading never writes)."""
        if self.status == ChallengeStatus.OPEN and self.deadline_passed():
            return ChallengeStatus.CLOSED
        return self.status

    @property
    def status_label(self) -> str:
        return str(ChallengeStatus(self.effective_status).label)

    @property
    def proposals_open(self) -> bool:
        """The sealed proposals can be read (by the owner and the commission): the deadline has passed."""
        return self.published_at is not None and self.deadline_passed()


class ChallengeStatusChange(StatusHistory):
    """One step of a challenge's life (submitted, returned, published, closed, awarded...)."""

    record = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("challenge")
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("challenge status change")
        verbose_name_plural = _("challenge status changes")


class ChallengeQuestion(TimeStampedModel):
    """A bidder's question about a challenge; private to the asker and the owner until it is answered."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="questions", verbose_name=_("challenge")
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("asked by")
    )
    text = BoundedTextField(_("question"), max_length=SUMMARY_MAX_LENGTH)
    answer = BoundedTextField(_("answer"), max_length=SUMMARY_MAX_LENGTH, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    is_public = models.BooleanField(_("public"), default=False, help_text=_("Answered questions are public."))

    class Meta:
        verbose_name = _("challenge question")
        verbose_name_plural = _("challenge questions")
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return self.text[:80]


def proposal_attachment_path(instance: Proposal, filename: str) -> str:
    # A random name: files are served only through the permission-checked view, and must not be guessable.
    return f"challenges/{instance.challenge_id}/{uuid.uuid4().hex}.pdf"


class Proposal(TimeStampedModel):
    """A sealed proposal (方案) a researcher or team hands in for a challenge; other bidders never see it."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("challenge")
    )
    team_org = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="challenge_proposals",
        verbose_name=_("team organisation"),
        help_text=_("Members of this organisation can read and edit the proposal with you."),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="challenge_proposals", verbose_name=_("bidder")
    )
    team_name = models.CharField(_("team name"), max_length=200)
    members = BoundedTextField(
        _("team members"), max_length=NOTE_MAX_LENGTH, blank=True, help_text=_("Names and roles, one per line.")
    )
    summary = BoundedTextField(
        _("summary"), max_length=SUMMARY_MAX_LENGTH, blank=True, help_text=_("Published with the result if you win.")
    )
    approach = BoundedTextField(_("technical approach"), max_length=TEXT_MAX_LENGTH, blank=True)
    price_quote = models.DecimalField(
        _("price quote (yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    attachment = models.FileField(_("PDF attachment"), upload_to=proposal_attachment_path, blank=True)
    attachment_name = models.CharField(_("file name"), max_length=255, blank=True)
    attachment_size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    attachment_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-submitted_at", "-created"]
        constraints = [
            # One proposal per bidder and challenge: they edit it until the deadline instead of adding more.
            models.UniqueConstraint(fields=["challenge", "submitted_by"], name="proposal_one_per_bidder"),
            models.CheckConstraint(
                condition=Q(price_quote__isnull=True) | Q(price_quote__gte=0), name="proposal_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.team_name


class ProposalStatusChange(StatusHistory):
    """One step of a proposal's life (submitted, withdrawn, shortlisted, awarded, not selected)."""

    record = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("proposal")
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("proposal status change")
        verbose_name_plural = _("proposal status changes")
