from django.db import models
from django.utils.translation import gettext_lazy as _

from techtransfer.core.workflow import INITIAL, SYSTEM, Reason, Step


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


SIGNED_DONE = _("Both sides have confirmed: the contact request is signed.")
CONFIRMED_DONE = _("Your side's signing is recorded; waiting for the other side to confirm.")

# The workflow of a contact request. Roles: party (members of the demand's owner, of the achievement's owner
# and of the opening organisation), side (members of the demand's or the achievement's owner, who sign).
# "open" is taken by the request's form (who may open is the service's rule: an eligible organisation);
# "sign" is taken by the service when the second side confirms.
CONTACT_REQUEST_STEPS = (
    Step(
        "open",
        INITIAL,
        Stage.INTENT,
        who=("party",),
        own_page=True,
        label=_("Open a contact request"),
        audit_label=_("opened the contact request"),
        notify=("party",),
        notice=_("%(actor)s opened a contact request: “%(title)s”."),
    ),
    Step(
        "advance",
        Stage.INTENT,
        Stage.NEGOTIATION,
        who=("party",),
        label=_("Start negotiation"),
        help=_("Any party moves a request from intent to negotiation (stages are never skipped)."),
        reason=Reason.OPTIONAL,
        reason_name="note",
        reason_label=_("note"),
        done=_("The contact request is now in negotiation."),
        audit_label=_("moved the contact request to negotiation"),
        notify=("party",),
        notice=_("%(actor)s moved the contact request “%(title)s” to negotiation."),
    ),
    Step(
        "confirm_signing",
        Stage.NEGOTIATION,
        None,
        who=("side",),
        when=("side_unconfirmed",),
        label=_("Confirm signing"),
        help=_("The demand side or the achievement side confirms the deal is signed for it; when both have, the "
               "request is signed and the demand marked matched."),
        reason=Reason.OPTIONAL,
        reason_name="note",
        reason_label=_("note"),
        irreversible=True,
        confirm=_("Confirm that your side has signed the deal? When the other side confirms too, the request is "
                  "signed and the demand is marked as matched."),
        done=lambda cr: SIGNED_DONE if cr.stage == Stage.SIGNED else CONFIRMED_DONE,
        audit_label=_("confirmed signing for their side"),
        notify=("party",),
        notice=_("%(actor)s confirmed signing of “%(title)s” for their side."),
    ),
    Step(
        "sign",
        Stage.NEGOTIATION,
        Stage.SIGNED,
        who=(SYSTEM,),
        label=_("Signed"),
        audit_label=_("the contact request is signed"),
        notify=("party",),
        notice=_("Both sides confirmed: the contact request “%(title)s” is signed."),
    ),
    Step(
        "abandon",
        (Stage.INTENT, Stage.NEGOTIATION),
        Stage.ABANDONED,
        who=("party",),
        label=_("Abandon this contact request"),
        help=_("Any party ends an open request, saying why. Abandoned is final."),
        reason=Reason.REQUIRED,
        reason_missing=_("Say why the contact request is abandoned."),
        irreversible=True,
        confirm=_("Abandon this contact request? It cannot be reopened; a new one can be opened later."),
        done=_("The contact request is abandoned."),
        audit_label=_("abandoned the contact request"),
        notify=("party",),
        notice=_("%(actor)s abandoned the contact request “%(title)s”."),
        style="secondary",
    ),
)
