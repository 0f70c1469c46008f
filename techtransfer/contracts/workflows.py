"""The technology contract's registration workflow (contracts.choices.CONTRACT_STEPS) bound to its model,
roles, conditions and services."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.permissions import OWNER_VERIFIED
from techtransfer.contracts.choices import CONTRACT_STEPS, ContractStatus
from techtransfer.contracts.models import ContractStatusChange, TechnologyContract
from techtransfer.contracts.permissions import REGISTRAR, SELLER
from techtransfer.core.workflow import Condition, Workflow, register

INCOMPLETE = _("The application is not complete yet: see what is missing on its page.")
ALREADY_DISPUTED = _("The application is already marked as disputed.")


def _complete(contract: TechnologyContract) -> bool:
    from techtransfer.contracts.services import submission_problems

    return not submission_problems(contract)


CONTRACT_FLOW = register(
    Workflow(
        kind="contract",
        label=_("technology contract"),
        model=TechnologyContract,
        history=ContractStatusChange,
        states=ContractStatus,
        steps=CONTRACT_STEPS,
        roles={"owner": SELLER, "registrar": REGISTRAR},
        conditions={
            "verified": OWNER_VERIFIED,
            "complete": Condition(test=_complete, refusal=INCOMPLETE),
            "not_disputed": Condition(test=lambda contract: not contract.disputed, refusal=ALREADY_DISPUTED),
        },
        get_record="techtransfer.contracts.selectors.contract_get",
        detail_url=lambda contract: reverse("contracts:detail", args=[contract.pk]),
        services={
            name: f"techtransfer.contracts.services.contract_{name}"
            for name in ("submit", "return", "dispute", "withdraw")
        },
        title=lambda contract: contract.project_name,
    )
)
