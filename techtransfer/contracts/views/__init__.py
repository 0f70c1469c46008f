"""Server-rendered pages for technology contracts: the seller's application, the registrar's queue and decision,
the certificate and its public verification (views.certificate)."""

from techtransfer.contracts.views.applications import (
    ATTACHMENTS,
    contract_detail,
    contract_edit,
    contract_from_contact_request,
    contract_list,
    contract_new,
    item_row,
)
from techtransfer.contracts.views.decisions import contract_refuse, contract_register, decision_queue

__all__ = [
    "ATTACHMENTS",
    "contract_detail",
    "contract_edit",
    "contract_from_contact_request",
    "contract_list",
    "contract_new",
    "contract_refuse",
    "contract_register",
    "decision_queue",
    "item_row",
]
