"""Matchmaking (对接): contact requests between a technology demand and an achievement, and how each went.

A request links one demand to one achievement. It is opened by someone acting for the demand's owner, for the
achievement's owner, or for a technology-transfer institution (a broker). It moves intent → negotiation →
signed, or to abandoned from any open stage; every move is a `ContactStageChange` row, and the parties talk in
`ContactNote`s.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techtransfer.core.models import StatusHistory, TimeStampedModel
from techtransfer.lib.fields import BoundedTextField
from techtransfer.lib.validators import NOTE_MAX_LENGTH
from techtransfer.matchmaking.choices import OPEN_STAGES, Stage


class ContactRequest(TimeStampedModel):
    """A contact request (对接申请): one party asks to talk about solving a demand with an achievement."""

    demand = models.ForeignKey(
        "market.TechnologyDemand",
        on_delete=models.PROTECT,
        related_name="contact_requests",
        verbose_name=_("technology demand"),
    )
    achievement = models.ForeignKey(
        "achievements.Achievement",
        on_delete=models.PROTECT,
        related_name="contact_requests",
        verbose_name=_("achievement"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("opened by")
    )
    opened_by_org = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="opened_contact_requests",
        verbose_name=_("opened for"),
        help_text=_("The organisation acting: the demand's owner, the achievement's owner, or a broker."),
    )
    message = BoundedTextField(_("message"), max_length=NOTE_MAX_LENGTH)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.INTENT, db_index=True)
    # Signing needs both sides: each records who agreed for it and when; the second makes the request signed.
    demand_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signing confirmed for the demand side by"),
    )
    demand_confirmed_at = models.DateTimeField(_("demand side confirmed at"), null=True, blank=True)
    achievement_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signing confirmed for the achievement side by"),
    )
    achievement_confirmed_at = models.DateTimeField(_("achievement side confirmed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The technology contract that records a signed deal. Contracts arrive with the contract-registration
    # issue; until then this is a plain id (and the registered number), set only through
    # `services.contact_request_link_contract`. That issue turns `contract_id` into a ForeignKey.
    contract_id = models.BigIntegerField(_("technology contract id"), null=True, blank=True)
    contract_number = models.CharField(_("contract registration number"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("contact request")
        verbose_name_plural = _("contact requests")
        ordering = ["-updated", "-id"]
        constraints = [
            # One open conversation per opener about the same pair; after it closes, a new one may start.
            models.UniqueConstraint(
                fields=["demand", "achievement", "opened_by_org"],
                condition=Q(stage__in=sorted(OPEN_STAGES)),
                name="contact_request_one_open_per_opener",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.demand} ↔ {self.achievement}"

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def party_org_ids(self) -> set[int]:
        """The organisations that take part: the demand's owner, the achievement's owner and the opener's."""
        return {self.demand.owner_id, self.achievement.owner_id, self.opened_by_org_id}


class ContactStageChange(StatusHistory):
    """One step of a contact request (opened, to negotiation, a side's signing, signed, abandoned), for the
    timeline; `reason` holds the note the party wrote with it."""

    record = models.ForeignKey(
        ContactRequest, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("contact request")
    )

    class Meta(StatusHistory.Meta):
        verbose_name = _("contact request stage change")
        verbose_name_plural = _("contact request stage changes")


class ContactNote(models.Model):
    """A message in a contact request's thread, written by a member of one of the parties."""

    request = models.ForeignKey(
        ContactRequest, on_delete=models.CASCADE, related_name="notes", verbose_name=_("contact request")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    org = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
        help_text=_("The party the author wrote for."),
    )
    text = BoundedTextField(_("text"), max_length=NOTE_MAX_LENGTH)
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("contact note")
        verbose_name_plural = _("contact notes")
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return self.text[:60]
