"""The transformation deal's workflow (S8): a draft is publicised (公示, a negotiated price, Law Art. 18) and
completed once the period has ended with every objection answered; a listed or auctioned price, or own or joint
implementation, completes without publicity. The table (DEAL_STEPS) lives here because choices.py is the lead's.

What makes a deal complete enough to publicise or to complete is `services.record_problems`; the period and the
objections are read from the record (publicity_end against now), never written by a read.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.permissions import OWNER_VERIFIED
from techtransfer.core.workflow import Condition, Reason, Step, Workflow, register
from techtransfer.deals.choices import PRICED_MODES, DealStatus, ObjectionStatus, PricingMethod
from techtransfer.deals.models import Deal, DealStatusChange
from techtransfer.deals.permissions import UNIT

DEAL_STEPS = (
    Step(
        "publicise",
        DealStatus.DRAFT,
        DealStatus.PUBLICITY,
        who=("owner",),
        when=("verified", "negotiated", "complete"),
        label=_("Publicise the price (公示)"),
        help=_("A negotiated price is publicised on the public site for the period of the rule set in force; "
               "anyone may object (Law Art. 18)."),
        irreversible=True,
        confirm=_("Publicise this price? The achievement, its completers and the proposed price appear on the "
                  "public site at once; the deal can no longer be edited."),
        done=_("The price is publicised. The deal can be completed when the period has ended and every "
               "objection is answered."),
        audit_label=_("publicised the price"),
    ),
    Step(
        "complete",
        (DealStatus.DRAFT, DealStatus.PUBLICITY),
        DealStatus.COMPLETED,
        who=("owner",),
        when=("verified", "may_complete"),
        label=_("Complete the deal"),
        help=_("Record that the deal was concluded, with its registered technology contract if there is one."),
        irreversible=True,
        own_page=True,
        done=_("The deal is completed."),
        audit_label=_("completed the deal"),
    ),
    Step(
        "withdraw",
        (DealStatus.DRAFT, DealStatus.PUBLICITY),
        DealStatus.WITHDRAWN,
        who=("owner",),
        label=_("Withdraw the deal"),
        reason=Reason.OPTIONAL,
        irreversible=True,
        confirm=_("Withdraw this deal? It cannot be publicised or completed any more; its notice leaves the "
                  "public site."),
        done=_("The deal was withdrawn."),
        audit_label=_("withdrew the deal"),
        style="secondary",
    ),
)

NOT_NEGOTIATED = _("Only a negotiated price (协议定价) of a transfer, licence or equity investment is publicised.")
INCOMPLETE = _("The deal is not complete yet: see what is missing on its page.")


def publicity_ended(deal: Deal) -> bool:
    """The period is over (a read: computed from publicity_end and now)."""
    return deal.publicity_end is not None and timezone.now() >= deal.publicity_end


def open_objections(deal: Deal) -> int:
    return deal.objections.filter(status=ObjectionStatus.OPEN).count()


def _negotiated(deal: Deal) -> bool:
    return deal.mode in PRICED_MODES and deal.pricing_method == PricingMethod.NEGOTIATED


def _complete(deal: Deal) -> bool:
    from techtransfer.deals.services import publicise_problems

    return not publicise_problems(deal)


def completion_refusal(deal: Deal) -> str | None:
    """Why the deal cannot be completed now (None: it can): the period, the open objections, or what it lacks."""
    from techtransfer.deals.services import completion_problems

    problems = completion_problems(deal)
    if not problems:
        return None
    return " ".join(message for messages in problems.values() for message in messages)


CONDITIONS = {
    "verified": OWNER_VERIFIED,
    "negotiated": Condition(test=_negotiated, refusal=NOT_NEGOTIATED),
    "complete": Condition(test=_complete, refusal=INCOMPLETE),
    "may_complete": Condition(
        test=lambda deal: completion_refusal(deal) is None,
        refusal=lambda deal: completion_refusal(deal) or gettext("This cannot be done now."),
    ),
}


DEAL_FLOW = register(
    Workflow(
        kind="deal",
        label=_("transformation deal"),
        model=Deal,
        history=DealStatusChange,
        states=DealStatus,
        steps=DEAL_STEPS,
        roles={"owner": UNIT},
        conditions=CONDITIONS,
        get_record="techtransfer.deals.selectors.deal_get",
        detail_url=lambda deal: reverse("deals:detail", args=[deal.pk]),
        services={name: f"techtransfer.deals.services.deal_{name}" for name in ("publicise", "complete", "withdraw")},
        title=lambda deal: deal.achievement.name,
    )
)
