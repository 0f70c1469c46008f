"""The contact request's workflow table (matchmaking.choices.CONTACT_REQUEST_STEPS) bound to its model,
roles, condition and services."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.permissions import is_commission_admin
from techtransfer.core.workflow import Condition, Workflow, register
from techtransfer.matchmaking.choices import CONTACT_REQUEST_STEPS, Stage
from techtransfer.matchmaking.models import ContactRequest, ContactStageChange
from techtransfer.matchmaking.permissions import (
    ALREADY_CONFIRMED,
    PARTY,
    SIDE,
    is_party,
    unconfirmed_sides_of,
)

CONTACT_REQUEST_FLOW = register(
    Workflow(
        kind="contact_request",
        label=_("contact request"),
        model=ContactRequest,
        history=ContactStageChange,
        states=Stage,
        state_field="stage",
        steps=CONTACT_REQUEST_STEPS,
        roles={"party": PARTY, "side": SIDE},
        conditions={
            "side_unconfirmed": Condition(
                test=lambda cr, user: user is None or bool(unconfirmed_sides_of(user, cr)),
                refusal=ALREADY_CONFIRMED,
                per_user=True,
            )
        },
        get_record="techtransfer.matchmaking.selectors.contact_request_get",
        detail_url=lambda cr: reverse("matchmaking:detail", args=[cr.pk]),
        services={
            name: f"techtransfer.matchmaking.services.contact_request_{name}"
            for name in ("advance", "confirm_signing", "abandon")
        },
        insider=lambda user, cr: is_party(user, cr) or is_commission_admin(user),
        title=lambda cr: f"{cr.demand.title} ↔ {cr.achievement.display_name}",
        legacy_audit_codes={
            "contact_request.negotiation": "advance",
            "contact_request.signed": "sign",
            "contact_request.abandoned": "abandon",
        },
    )
)
