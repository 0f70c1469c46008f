from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """Where a contact request (对接) stands. Signed and abandoned are final."""

    INTENT = "intent", _("Intent")
    NEGOTIATION = "negotiation", _("Negotiation")
    SIGNED = "signed", _("Signed")
    ABANDONED = "abandoned", _("Abandoned")


# Stages in which the parties are still talking: notes, moves and the one-open-request rule apply.
OPEN_STAGES = {Stage.INTENT, Stage.NEGOTIATION}


class Side(models.TextChoices):
    """The two sides that must both agree before a deal counts as signed (a broker is neither)."""

    DEMAND = "demand", _("Demand side")
    ACHIEVEMENT = "achievement", _("Achievement side")
