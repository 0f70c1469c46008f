"""Kinds, stages and states of investment matching (S18), and the workflow tables of investor profiles,
funding projects and funding requests."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from techtransfer.core.workflow import INITIAL, Reason, Step


class InvestorKind(models.TextChoices):
    VENTURE = "venture", _("Venture capital")
    ANGEL = "angel", _("Angel investor")
    GUIDANCE = "guidance", _("Government guidance fund")
    INDUSTRIAL = "industrial", _("Industrial fund")
    BANK = "bank", _("Bank or loan")


class Stage(models.TextChoices):
    SEED = "seed", _("Seed")
    STARTUP = "startup", _("Start-up")
    GROWTH = "growth", _("Growth")
    MATURE = "mature", _("Mature")


class InvestorStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Seeking funding")
    CLOSED = "closed", _("Closed")


class RequestStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    INTERESTED = "interested", _("Interested")
    DECLINED = "declined", _("Declined")
    INVESTED = "invested", _("Invested")
    NO_DEAL = "no_deal", _("No deal")


# Manager: the TTO officers (organisation admins) of the investor organisation.
INVESTOR_STEPS = (
    Step("publish", InvestorStatus.DRAFT, InvestorStatus.PUBLISHED, who=("manager",), label=_("Publish the profile"),
         help=_("List the fund publicly so that projects can find it and be sent to it."),
         done=_("The investor profile is published."), audit_label=_("published the investor profile")),
    Step("withdraw", InvestorStatus.PUBLISHED, InvestorStatus.DRAFT, who=("manager",),
         label=_("Withdraw the profile"), reason=Reason.OPTIONAL, style="secondary",
         done=_("The investor profile is no longer public."), audit_label=_("withdrew the investor profile")),
)

# Owner: the TTO officers of the unit seeking funding.
PROJECT_STEPS = (
    Step("open", ProjectStatus.DRAFT, ProjectStatus.OPEN, who=("owner",), label=_("Start seeking funding"),
         help=_("The project can then be sent to investors."),
         done=_("The project is seeking funding."), audit_label=_("started seeking funding")),
    Step("close", ProjectStatus.OPEN, ProjectStatus.CLOSED, who=("owner",), label=_("Close the project"),
         reason=Reason.OPTIONAL, style="secondary", irreversible=True,
         confirm=_("Close the project? It can no longer be sent to investors."),
         done=_("The project is closed."), audit_label=_("closed the funding project")),
)

# Investor: the staff (TTO officers) of the investor organisation the request was sent to; owner: the project's.
REQUEST_STEPS = (
    Step("send", INITIAL, RequestStatus.SENT, who=("owner",), own_page=True, label=_("Send to the investor"),
         notify=("investor",), audit_label=_("sent the project to the investor")),
    Step("interest", RequestStatus.SENT, RequestStatus.INTERESTED, who=("investor",), label=_("Interested"),
         reason=Reason.OPTIONAL, reason_label=_("Message to the project"), notify=("owner",),
         done=_("The project owner is told of your interest."), audit_label=_("declared interest in the project")),
    Step("decline", RequestStatus.SENT, RequestStatus.DECLINED, who=("investor",), label=_("Decline"),
         reason=Reason.REQUIRED, notify=("owner",), style="secondary",
         done=_("The request is declined."), audit_label=_("declined the funding request")),
    Step("invest", RequestStatus.INTERESTED, RequestStatus.INVESTED, who=("investor", "owner"),
         label=_("Record the investment"), own_page=True, notify=("owner", "investor"),
         done=_("The investment is recorded."), audit_label=_("recorded the investment")),
    Step("no_deal", RequestStatus.INTERESTED, RequestStatus.NO_DEAL, who=("investor", "owner"),
         label=_("No deal"), reason=Reason.OPTIONAL, style="secondary", notify=("owner", "investor"),
         done=_("The outcome is recorded: no deal."), audit_label=_("recorded that no deal came of it")),
)
