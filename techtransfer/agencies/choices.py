"""The vocabularies of service agencies and their two workflow tables: the profile's review and listing, and
an enterprise's request for help on a demand.

The service types and the filing deadlines change with regulation: they are a code table
(core/codes/agency_service.json) and dated rules (rules/filing.json, the FilingRule and FilingYear tables).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from techtransfer.core.workflow import INITIAL, SYSTEM, Reason, Step


class AgencyKind(models.TextChoices):
    INSTITUTION = "institution", _("Technology-transfer institution")
    BROKER = "broker", _("Technology broker")


class BrokerLevel(models.TextChoices):
    """The three levels of the technology broker's qualification (技术经纪专业人员 初级、中级、高级)."""

    JUNIOR = "junior", _("Junior (初级)")
    INTERMEDIATE = "intermediate", _("Intermediate (中级)")
    SENIOR = "senior", _("Senior (高级)")


class AgencyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    UNDER_REVIEW = "under_review", _("Under review")
    LISTED = "listed", _("Listed")
    LAPSED = "lapsed", _("Lapsed (filing missed)")


# Only a listed profile is in the public directory: a draft is its owner's, one under review its reviewers',
# and a lapsed one (its annual filing missed) stays out until it files again.
PUBLIC_STATUSES = frozenset({AgencyStatus.LISTED})
# A profile that has been approved files every year (a lapsed one files to come back).
FILING_STATUSES = frozenset({AgencyStatus.LISTED, AgencyStatus.LAPSED})


class HelpStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_HELP_STATUSES = frozenset({HelpStatus.PENDING, HelpStatus.ACCEPTED})


# The workflow of an agency's profile. Roles: owner (the institution's members, or the broker), reviewer (the
# commission's administrators and the registration body's reviewers of the agency's region, never for their
# own profile or organisation). "lapse" and "reinstate" are the scheduler's and the filing's.
AGENCY_STEPS = (
    Step(
        "submit",
        AgencyStatus.DRAFT,
        AgencyStatus.UNDER_REVIEW,
        who=("owner",),
        when=("may_act",),
        label=_("Submit for review"),
        help=_("Send a complete profile to the commission's reviewers."),
        done=_("Submitted for review. The profile is listed in the directory once a reviewer approves it."),
        audit_label=_("submitted the profile for review"),
        notify=("reviewer",),
        notice=_("%(actor)s submitted the service agency profile “%(title)s” for review."),
    ),
    Step(
        "approve",
        AgencyStatus.UNDER_REVIEW,
        AgencyStatus.LISTED,
        who=("reviewer",),
        label=_("Approve and list"),
        help=_("Reviewer: list the profile in the public directory."),
        done=_("Approved: the profile is listed in the directory."),
        audit_label=_("approved and listed the profile"),
        notify=("owner",),
        notice=_("%(actor)s approved your profile “%(title)s”: it is listed in the directory."),
    ),
    Step(
        "return",
        AgencyStatus.UNDER_REVIEW,
        AgencyStatus.DRAFT,
        who=("reviewer",),
        label=_("Return with reasons"),
        help=_("Reviewer: send the profile back to its owner, saying what to fix."),
        reason=Reason.REQUIRED,
        reason_label=_("What the owner must fix"),
        reason_missing=_("Say why the profile is returned, so its owner can fix it."),
        done=_("Returned to its owner with your reasons."),
        audit_label=_("returned the profile to its owner"),
        notify=("owner",),
        notice=_("%(actor)s returned your profile “%(title)s” with reasons."),
        style="contrast",
    ),
    Step(
        "revise",
        AgencyStatus.LISTED,
        AgencyStatus.DRAFT,
        who=("owner",),
        label=_("Change the profile"),
        help=_("The owner takes a listed profile back to a draft to change it; it is reviewed again."),
        irreversible=True,
        confirm=_("Change this profile? It leaves the directory until a reviewer approves it again."),
        done=_("The profile is a draft again: change it and submit it for review."),
        audit_label=_("took the profile back to change it"),
        style="secondary",
    ),
    Step(
        "lapse",
        AgencyStatus.LISTED,
        AgencyStatus.LAPSED,
        who=(SYSTEM,),
        label=_("Lapse"),
        audit_label=_("the profile lapsed: its annual filing was missed"),
        notify=("owner",),
        notice=_("The annual filing of “%(title)s” was missed: it has left the directory until it files."),
    ),
    Step(
        "reinstate",
        AgencyStatus.LAPSED,
        AgencyStatus.LISTED,
        who=(SYSTEM,),
        label=_("Reinstate"),
        audit_label=_("the profile is listed again after its filing"),
        notify=("owner",),
        notice=_("“%(title)s” filed its annual figures and is listed in the directory again."),
    ),
)

# An enterprise's request to an agency for help on one of its demands. Roles: requester (members of the
# demand's enterprise), agency (the broker, or the institution's members). "open" is taken by the request's
# form (who may ask on which demand is the service's rule).
HELP_STEPS = (
    Step(
        "open",
        INITIAL,
        HelpStatus.PENDING,
        who=("requester",),
        own_page=True,
        label=_("Ask for help"),
        audit_label=_("asked the agency for help"),
        notify=("agency",),
        notice=_("%(actor)s asks for your help: “%(title)s”."),
    ),
    Step(
        "accept",
        HelpStatus.PENDING,
        HelpStatus.ACCEPTED,
        who=("agency",),
        label=_("Accept"),
        help=_("The agency takes the demand on; the help request counts in its track record."),
        reason=Reason.OPTIONAL,
        reason_name="note",
        reason_label=_("note to the enterprise"),
        done=_("Accepted: the enterprise is told, and the demand's contact requests count in your track record."),
        audit_label=_("accepted the request for help"),
        notify=("requester",),
        notice=_("%(actor)s accepted your request for help “%(title)s”."),
    ),
    Step(
        "decline",
        HelpStatus.PENDING,
        HelpStatus.DECLINED,
        who=("agency",),
        label=_("Decline"),
        help=_("The agency declines, saying why, so the enterprise can ask someone else."),
        reason=Reason.REQUIRED,
        reason_label=_("Why you decline"),
        reason_missing=_("Say why you decline, so the enterprise can ask someone else."),
        irreversible=True,
        confirm=_("Decline this request for help? The enterprise is told your reason."),
        done=_("Declined: the enterprise is told your reason."),
        audit_label=_("declined the request for help"),
        notify=("requester",),
        notice=_("%(actor)s declined your request for help “%(title)s”."),
        style="secondary",
    ),
    Step(
        "withdraw",
        HelpStatus.PENDING,
        HelpStatus.WITHDRAWN,
        who=("requester",),
        label=_("Withdraw the request"),
        help=_("The enterprise withdraws a request the agency has not answered yet."),
        reason=Reason.OPTIONAL,
        irreversible=True,
        confirm=_("Withdraw this request for help?"),
        done=_("The request for help is withdrawn."),
        audit_label=_("withdrew the request for help"),
        notify=("agency",),
        notice=_("%(actor)s withdrew the request for help “%(title)s”."),
        style="secondary",
    ),
)
