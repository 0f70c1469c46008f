"""Choices of the subscriptions app: what one can subscribe to, and how often the digest comes."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """Kinds of public record a subscription can follow (search index kinds)."""

    ACHIEVEMENT = "achievement", _("Achievements")
    DEMAND = "demand", _("Technology demands")
    CHALLENGE = "challenge", _("Challenges")


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


# How long after its last check a subscription is due again. A run may come a little early (cron jitter,
# a slow previous run): SLACK keeps a daily subscription from skipping a day because of a few minutes.
PERIODS = {Frequency.DAILY: datetime.timedelta(days=1), Frequency.WEEKLY: datetime.timedelta(days=7)}
SLACK = datetime.timedelta(hours=1)
