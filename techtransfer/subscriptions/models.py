"""Subscriptions (what a user wants to hear about) and the in-site notifications they produce."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from techtransfer.core.models import CodeItem, TimeStampedModel
from techtransfer.lib.fields import BoundedTextField
from techtransfer.lib.validators import NOTE_MAX_LENGTH
from techtransfer.subscriptions.choices import Frequency, Kind


class Subscription(TimeStampedModel):
    """New public records of some kinds that match fields, regions, keywords and/or a saved search.

    Every criterion given must hold (fields and regions: one of them; keywords: one of the words; the saved
    search: its words and its filters). The digest check runs per `frequency`; `last_checked_at` is where
    the next check starts.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    kinds = models.JSONField(_("kinds"), default=list, help_text=_("Which records: achievement, demand, challenge."))
    fields = models.ManyToManyField(
        CodeItem,
        blank=True,
        related_name="+",
        verbose_name=_("high-tech fields"),
        limit_choices_to={"table__key": "high_tech_field"},
    )
    regions = models.ManyToManyField(
        CodeItem,
        blank=True,
        related_name="+",
        verbose_name=_("regions"),
        limit_choices_to={"table__key": "region"},
    )
    keywords = models.CharField(
        _("keywords"),
        max_length=300,
        blank=True,
        help_text=_("Words separated by spaces or commas; a record matches if it contains any of them."),
    )
    query = models.CharField(_("saved search words"), max_length=200, blank=True)
    filters = models.JSONField(
        _("saved search filters"), default=dict, blank=True, help_text=_("Search facet → codes.")
    )
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices, default=Frequency.DAILY)
    email_enabled = models.BooleanField(_("e-mail digest"), default=True)
    last_checked_at = models.DateTimeField(_("last checked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["frequency", "last_checked_at"], name="subscription_due")]

    def __str__(self) -> str:
        return self.name

    def get_kinds_display(self) -> list[str]:
        labels = dict(Kind.choices)
        return [str(labels[k]) for k in self.kinds if k in labels]


class Notification(models.Model):
    """One thing one user should know: a new record matching a subscription, or a workflow event about a
    record they work on (returned with a reason, registered, to moderate...; `event` is its `<kind>.<step>`).
    Shown in the inbox; mailed at once or in the digest, as the user (or the subscription) prefers."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("subscription"),
    )
    kind = models.CharField(_("kind"), max_length=32, help_text=_("The kind of record (achievement, demand...)."))
    object_id = models.BigIntegerField(_("object id"))
    title = models.CharField(_("title"), max_length=300)
    url = models.CharField(_("link"), max_length=300)
    reason = models.CharField(_("reason"), max_length=300, blank=True, help_text=_("The words that matched."))
    event = models.CharField(
        _("event"), max_length=64, blank=True, help_text=_("For work notifications: the workflow step, kind.step.")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = BoundedTextField(
        _("note"), max_length=NOTE_MAX_LENGTH, blank=True, help_text=_("The reason or note given with the step.")
    )
    created = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Waiting for the next e-mail digest (only when the subscription's e-mail is on).
    digest_pending = models.BooleanField(_("waiting for the digest"), default=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "object_id", "subscription"], name="notification_once_per_subscription"
            )
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def reason_words(self) -> list[str]:
        return [w for w in self.reason.split("、") if w]

    @property
    def kind_label(self) -> str:
        if self.kind in Kind.values:
            return str(Kind(self.kind).label)
        from techtransfer.core.workflow import workflow

        try:
            return str(workflow(self.kind).label).capitalize()
        except LookupError:
            return self.kind

    @property
    def sentence(self) -> str:
        """What happened, in the reader's language (work notifications): the step's notice, or the notice an
        app registered for an event that is not a step."""
        from techtransfer.core.workflow import step_notice
        from techtransfer.subscriptions.work import event_notice

        found = step_notice(self.event) if self.event else None
        if found is None:
            notice = event_notice(self.event) if self.event else None
            return str(notice) % {"title": self.title} if notice is not None else self.title
        _flow, step = found
        actor = self.actor.display_name if self.actor else gettext("The platform")
        return str(step.notice or step.audit_label or step.label) % {"actor": actor, "title": self.title}
