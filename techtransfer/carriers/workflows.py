"""The carrier's workflow table (carriers.choices.CARRIER_STEPS) bound to its model, history, roles and services."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.permissions import MODERATOR, OWNER_EDITOR
from techtransfer.carriers.choices import CARRIER_STEPS, CarrierStatus
from techtransfer.carriers.models import Carrier, CarrierStatusChange
from techtransfer.core.workflow import Workflow, register

CARRIER_FLOW = register(
    Workflow(
        kind="carrier",
        label=_("transformation carrier"),
        model=Carrier,
        history=CarrierStatusChange,
        states=CarrierStatus,
        steps=CARRIER_STEPS,
        roles={"owner": OWNER_EDITOR, "moderator": MODERATOR},
        get_record="techtransfer.carriers.selectors.carrier_get",
        detail_url=lambda carrier: reverse("carriers:detail", args=[carrier.pk]),
        services={
            name: f"techtransfer.carriers.services.carrier_{name}" for name in ("submit", "approve", "return",
                                                                               "withdraw")
        },
        insider="techtransfer.carriers.permissions.is_insider",
    )
)
