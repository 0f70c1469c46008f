from django.db import models
from django.utils.translation import gettext_lazy as _

from techtransfer.core.workflow import SYSTEM, Reason, Step


class DemandStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    UNDER_REVIEW = "under_review", _("Under review")
    PUBLISHED = "published", _("Published")
    MATCHED = "matched", _("Matched")
    CLOSED = "closed", _("Closed")
    EXPIRED = "expired", _("Expired")


# Who reads a demand's page without working on it: published ones, and those that were (matched or expired
# ones keep their public link, shown with their status). A closed demand was taken down by its owner.
PUBLIC_STATUSES = {DemandStatus.PUBLISHED, DemandStatus.MATCHED, DemandStatus.EXPIRED}
# A deal may be signed after the deadline passed, from talks begun while the demand was public.
MATCHABLE_STATUSES = {DemandStatus.PUBLISHED, DemandStatus.EXPIRED}

# The workflow of a technology demand. Roles: owner (members of the owning organisation), moderator
# (commission administrators and the region's registration-body reviewers, never of their own organisation).
DEMAND_STEPS = (
    Step(
        "submit",
        DemandStatus.DRAFT,
        DemandStatus.UNDER_REVIEW,
        who=("owner",),
        when=("verified",),
        label=_("Submit for moderation"),
        help=_("Send a complete draft to moderation (its deadline must be in the future)."),
        done=_("Submitted for moderation. It will be public once a moderator approves it."),
        audit_label=_("submitted the demand for moderation"),
        notify=("moderator",),
        notice=_("%(actor)s submitted the demand “%(title)s” for moderation."),
    ),
    Step(
        "approve",
        DemandStatus.UNDER_REVIEW,
        DemandStatus.PUBLISHED,
        who=("moderator",),
        label=_("Approve and publish"),
        help=_("Moderator: publish a demand under review (not one of your own organisation)."),
        done=_("Approved: the demand is public."),
        audit_label=_("published the demand"),
        notify=("owner",),
        notice=_("%(actor)s published your demand “%(title)s”."),
    ),
    Step(
        "reject",
        DemandStatus.UNDER_REVIEW,
        DemandStatus.DRAFT,
        who=("moderator",),
        label=_("Return with reasons"),
        help=_("Moderator: return a demand under review to its owner as a draft, saying why."),
        reason=Reason.REQUIRED,
        reason_label=_("What the owner must fix"),
        reason_missing=_("Say why the demand is returned, so the owner can fix it."),
        done=_("Returned to its owner with your reasons."),
        audit_label=_("returned the demand to its owner"),
        notify=("owner",),
        notice=_("%(actor)s returned your demand “%(title)s” with reasons."),
        style="contrast",
    ),
    Step(
        "mark_matched",
        MATCHABLE_STATUSES,
        DemandStatus.MATCHED,
        who=("owner",),
        label=_("Mark as matched"),
        help=_("The owner records that a solver was found (from published or expired)."),
        reason=Reason.OPTIONAL,
        reason_name="note",
        reason_label=_("note"),
        irreversible=True,
        confirm=_("Mark this demand as matched? It leaves the market and cannot be reopened."),
        done=_("Marked as matched. Congratulations!"),
        audit_label=_("marked the demand as matched"),
        notify=("owner",),
        notice=_("%(actor)s marked the demand “%(title)s” as matched."),
    ),
    Step(
        "close",
        (DemandStatus.DRAFT, DemandStatus.UNDER_REVIEW, DemandStatus.PUBLISHED),
        DemandStatus.CLOSED,
        who=("owner", "moderator"),
        label=_("Close this demand"),
        help=_("The owner withdraws the demand (or a moderator takes it down)."),
        reason=Reason.OPTIONAL,
        irreversible=True,
        confirm=_("Close this demand? It leaves the market and cannot be reopened."),
        done=_("The demand is closed."),
        audit_label=_("closed the demand"),
        notify=("owner",),
        notice=_("%(actor)s closed the demand “%(title)s”."),
        style="secondary",
    ),
    Step(
        "expire",
        DemandStatus.PUBLISHED,
        DemandStatus.EXPIRED,
        who=(SYSTEM,),
        label=_("Expire"),
        audit_label=_("the demand expired"),
        notify=("owner",),
        notice=_("Your demand “%(title)s” passed its deadline and expired."),
    ),
)
