"""Kinds of commissioner services, confirmation states of a visit, and the workflow tables of consultations and
of claims to expert profiles."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from techtransfer.core.workflow import INITIAL, SYSTEM, Reason, Step


class ServiceKind(models.TextChoices):
    """What a commissioner did on a visit (科技特派员服务类型)."""

    GUIDANCE = "guidance", _("Technical guidance")
    TRAINING = "training", _("Training")
    ACHIEVEMENT = "achievement", _("Introducing an achievement")
    DIAGNOSIS = "diagnosis", _("Problem diagnosis")
    PROJECT = "project", _("Project application help")
    DEMONSTRATION = "demonstration", _("Demonstration of a technique")
    OTHER = "other", _("Other service")


class Confirmation(models.TextChoices):
    """What the served enterprise says about a visit record."""

    PENDING = "pending", _("Not yet confirmed")
    CONFIRMED = "confirmed", _("Confirmed")
    DISPUTED = "disputed", _("Disputed")


class ConsultationStatus(models.TextChoices):
    ASKED = "asked", pgettext_lazy("consultation", "Asked")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    DONE = "done", _("Done")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# answerer: the expert's own account when one is linked, otherwise the commission on the expert's behalf
# (talent.permissions.answerers). asker: the members of the enterprise that asked.
CONSULTATION_STEPS = (
    # Recorded by talent.services.consultation_ask when the request is made; never offered as a button.
    Step(
        "ask",
        INITIAL,
        ConsultationStatus.ASKED,
        who=(SYSTEM,),
        label=_("Ask for a consultation"),
        audit_label=_("asked an expert for a consultation"),
        notify=("answerer",),
    ),
    Step(
        "accept",
        ConsultationStatus.ASKED,
        ConsultationStatus.ACCEPTED,
        who=("answerer",),
        label=_("Accept the consultation"),
        reason=Reason.OPTIONAL,
        reason_label=_("Message to the enterprise"),
        notify=("asker",),
        done=_("The consultation is accepted; the enterprise is told."),
        audit_label=_("accepted the consultation"),
    ),
    Step(
        "decline",
        ConsultationStatus.ASKED,
        ConsultationStatus.DECLINED,
        who=("answerer",),
        label=_("Decline the consultation"),
        reason=Reason.REQUIRED,
        notify=("asker",),
        done=_("The consultation is declined; the enterprise reads your reason."),
        audit_label=_("declined the consultation"),
        style="secondary",
    ),
    Step(
        "finish",
        ConsultationStatus.ACCEPTED,
        ConsultationStatus.DONE,
        who=("answerer",),
        label=_("Mark the consultation done"),
        reason=Reason.OPTIONAL,
        reason_label=_("Summary of the advice"),
        notify=("asker",),
        done=_("The consultation is done."),
        audit_label=_("marked the consultation done"),
    ),
    Step(
        "withdraw",
        ConsultationStatus.ASKED,
        ConsultationStatus.WITHDRAWN,
        who=("asker",),
        label=_("Withdraw the request"),
        reason=Reason.OPTIONAL,
        done=_("The request is withdrawn."),
        audit_label=_("withdrew the consultation request"),
        style="secondary",
    ),
)


class ClaimStatus(models.TextChoices):
    ASKED = "asked", pgettext_lazy("claim", "Waiting for review")
    APPROVED = "approved", pgettext_lazy("claim", "Approved")
    REFUSED = "refused", pgettext_lazy("claim", "Refused")
    WITHDRAWN = "withdrawn", pgettext_lazy("claim", "Withdrawn")


# claimant: the user who claims. reviewer: a commission administrator, or an officer of the expert's unit
# (talent.permissions.can_review_claim).
CLAIM_STEPS = (
    # Recorded by talent.services.expert_claim when the claim is made; never offered as a button.
    Step(
        "claim",
        INITIAL,
        ClaimStatus.ASKED,
        who=(SYSTEM,),
        label=_("Claim this profile"),
        audit_label=_("claimed an expert profile"),
        notify=("reviewer",),
    ),
    Step(
        "approve",
        ClaimStatus.ASKED,
        ClaimStatus.APPROVED,
        who=("reviewer",),
        label=_("Approve the claim"),
        notify=("claimant",),
        done=_("The claim is approved: the person now keeps the profile and answers its consultations."),
        audit_label=_("approved a claim to an expert profile"),
    ),
    Step(
        "refuse",
        ClaimStatus.ASKED,
        ClaimStatus.REFUSED,
        who=("reviewer",),
        label=_("Refuse the claim"),
        reason=Reason.REQUIRED,
        notify=("claimant",),
        done=_("The claim is refused; the claimant reads your reason."),
        audit_label=_("refused a claim to an expert profile"),
        style="secondary",
    ),
    Step(
        "withdraw",
        ClaimStatus.ASKED,
        ClaimStatus.WITHDRAWN,
        who=("claimant",),
        label=_("Withdraw the claim"),
        done=_("The claim is withdrawn."),
        audit_label=_("withdrew a claim to an expert profile"),
        style="secondary",
    ),
)
