"""Levels and states of transformation carriers and their incubated firms, and the carrier's workflow table."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from techtransfer.core.workflow import Reason, Step


class RecognitionLevel(models.TextChoices):
    """Who recognised the carrier (认定/备案): the state (科技部...), the city (市科委...) or a district."""

    NATIONAL = "national", _("National (国家级)")
    MUNICIPAL = "municipal", _("Municipal (市级)")
    DISTRICT = "district", _("District (区级)")
    NONE = "none", _("Not recognised")


class CarrierStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    UNDER_REVIEW = "under_review", _("Under review")
    LISTED = "listed", _("Listed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class FirmStatus(models.TextChoices):
    INCUBATING = "incubating", _("Incubating")
    GRADUATED = "graduated", _("Graduated")
    LEFT = "left", _("Left")


# The statuses in which the operator still manages the carrier's firms.
FIRMS_OPEN = {CarrierStatus.DRAFT, CarrierStatus.UNDER_REVIEW, CarrierStatus.LISTED}

# Roles: owner (the editors of the operating organisation), moderator (commission administrators and the
# region's registration-body reviewers, never of the operator itself): the commission checks the claimed
# recognition before a carrier is listed and counted.
CARRIER_STEPS = (
    Step(
        "submit",
        CarrierStatus.DRAFT,
        CarrierStatus.UNDER_REVIEW,
        who=("owner",),
        label=_("Submit for review"),
        help=_("Send the carrier to the commission, which checks its recognition before listing it."),
        done=_("Submitted for review. The carrier is listed once the commission approves it."),
        audit_label=_("submitted the carrier for review"),
        notify=("moderator",),
        notice=_("%(actor)s submitted the carrier “%(title)s” for review."),
    ),
    Step(
        "approve",
        CarrierStatus.UNDER_REVIEW,
        CarrierStatus.LISTED,
        who=("moderator",),
        label=_("Approve and list"),
        help=_("The recognition is confirmed: list the carrier and count its firms."),
        done=_("The carrier is listed."),
        audit_label=_("listed the carrier"),
        notify=("owner",),
        notice=_("%(actor)s listed your carrier “%(title)s”."),
    ),
    Step(
        "return",
        CarrierStatus.UNDER_REVIEW,
        CarrierStatus.DRAFT,
        who=("moderator",),
        label=_("Return with reasons"),
        help=_("Return the carrier to its operator as a draft, saying what to correct."),
        reason=Reason.REQUIRED,
        reason_label=_("What the operator must correct"),
        reason_missing=_("Say why the carrier is returned, so the operator can correct it."),
        done=_("Returned to its operator with your reasons."),
        audit_label=_("returned the carrier to its operator"),
        notify=("owner",),
        notice=_("%(actor)s returned your carrier “%(title)s” with reasons."),
        style="contrast",
    ),
    Step(
        "withdraw",
        (CarrierStatus.DRAFT, CarrierStatus.UNDER_REVIEW, CarrierStatus.LISTED),
        CarrierStatus.WITHDRAWN,
        who=("owner", "moderator"),
        label=_("Withdraw the carrier"),
        help=_("The carrier closed or lost its recognition: it leaves the registry and the counts."),
        reason=Reason.OPTIONAL,
        irreversible=True,
        confirm=_("Withdraw this carrier? It leaves the registry and its firms are no longer counted."),
        done=_("The carrier is withdrawn."),
        audit_label=_("withdrew the carrier"),
        notify=("owner",),
        notice=_("%(actor)s withdrew the carrier “%(title)s”."),
        style="secondary",
    ),
)
