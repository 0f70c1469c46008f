"""Kinds and states of IP records, and the record's workflow table (draft → public → draft)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from techtransfer.core.workflow import Reason, Step


class IPType(models.TextChoices):
    """The kinds of IP the platform records; the number is checked by the rule of its kind (ipr.validators)."""

    INVENTION = "invention", _("Invention patent")
    UTILITY_MODEL = "utility_model", _("Utility model patent")
    DESIGN = "design", _("Design patent")
    SOFTWARE = "software", _("Software copyright")
    IC_LAYOUT = "ic_layout", _("IC layout design")
    PLANT_VARIETY = "plant_variety", _("Plant variety right")


PATENT_TYPES = frozenset({IPType.INVENTION, IPType.UTILITY_MODEL, IPType.DESIGN})
# The CNIPA type digit of an application number (8 and 9: PCT applications entering China).
PATENT_TYPE_DIGITS = {
    IPType.INVENTION: {"1", "8"},
    IPType.UTILITY_MODEL: {"2", "9"},
    IPType.DESIGN: {"3"},
}


class IPStatus(models.TextChoices):
    """Whether the record is public (on the list, the analysis and the API for everybody) or the unit's draft."""

    DRAFT = "draft", _("Draft")
    PUBLIC = "public", _("Public")


# Owner: the TTO officers of the owning unit (ipr.permissions.MANAGER). Patents are public information once
# published by the patent office, so publishing needs no moderation; the unit decides what it lists.
IP_STEPS = (
    Step(
        "publish",
        IPStatus.DRAFT,
        IPStatus.PUBLIC,
        who=("owner",),
        label=_("Make public"),
        help=_("List the record publicly: on the IP list, in the IP analysis and in the API."),
        done=_("The IP record is public."),
        audit_label=_("made the IP record public"),
    ),
    Step(
        "withdraw",
        IPStatus.PUBLIC,
        IPStatus.DRAFT,
        who=("owner",),
        label=_("Withdraw from public view"),
        help=_("Take the record off the public list; the unit keeps it as a draft."),
        reason=Reason.OPTIONAL,
        done=_("The IP record is no longer public."),
        audit_label=_("withdrew the IP record from public view"),
        style="secondary",
    ),
)

# How many days ahead the upcoming-fee list looks by default (the owner may ask for another window).
FEE_WINDOW_DAYS = 90
FEE_WINDOW_MAX_DAYS = 730
