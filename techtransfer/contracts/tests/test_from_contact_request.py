"""From a deal to a contract: a signed contact request becomes a prefilled draft application, linked both ways."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from techtransfer.contracts import services
from techtransfer.contracts.choices import AttachmentKind, ContractStatus
from techtransfer.contracts.models import TechnologyContract
from techtransfer.core.exceptions import ApplicationError
from techtransfer.matchmaking.tests.helpers import make_world, open_request, sign
from techtransfer.testing import Personas, make_org, pdf_upload

pytestmark = pytest.mark.django_db


def test_a_signed_contact_request_becomes_a_linked_draft(p: Personas) -> None:
    make_org("海淀区技术合同登记站", "contract_registry", region="110108")
    w = make_world(p)
    cr = open_request(w)
    client = Client()
    client.force_login(p.tto_officer)
    page = client.get(reverse("matchmaking:detail", args=[cr.pk])).content.decode()
    assert 'id="register-contract"' not in page  # not signed yet
    with pytest.raises(ApplicationError):
        services.contract_from_contact_request(contact_request=cr, by=p.tto_officer)
    cr = sign(w, cr)
    page = client.get(reverse("matchmaking:detail", args=[cr.pk])).content.decode()
    assert 'id="register-contract"' in page
    # The buyer's staff are not the seller: no button for them.
    other = Client()
    other.force_login(w.ent.staff)
    assert 'id="register-contract"' not in other.get(reverse("matchmaking:detail", args=[cr.pk])).content.decode()

    response = client.post(reverse("contracts:from_contact_request", args=[cr.pk]))
    assert response.status_code == 302
    contract = TechnologyContract.objects.get(contact_request=cr)
    assert contract.seller == w.achievement.owner and contract.buyer == w.demand.owner
    assert contract.project_name == w.achievement.name[:200] and contract.status == ContractStatus.DRAFT
    cr.refresh_from_db()
    assert cr.contract_id == contract.pk
    # A second one is refused and sends the user to the first.
    again = client.post(reverse("contracts:from_contact_request", args=[cr.pk]))
    assert again["Location"] == reverse("contracts:detail", args=[contract.pk])
    page = client.get(reverse("matchmaking:detail", args=[cr.pk])).content.decode()
    assert reverse("contracts:detail", args=[contract.pk]) in page

    # Completed and registered, the number reaches the contact request.
    services.contract_update(contract=contract, by=p.tto_officer, data={"turnover": 500000})
    services.attachment_add(contract=contract, by=p.tto_officer, upload=pdf_upload(), kind=AttachmentKind.SIGNED_CONTRACT)
    from techtransfer.contracts.tests.factories import contract_data

    codes = contract_data()
    services.contract_update(contract=contract, by=p.tto_officer, data={
        name: codes[name] for name in ("seller_nature", "buyer_nature", "buyer_country", "buyer_region", "tech_field",
                                       "ip_type", "plan_source", "objective", "industry", "payment_mode")
    })
    contract = services.contract_submit(contract=contract, by=p.tto_officer)
    registrar = p.reviewer  # the commission (110000) reviewer; the Haidian point is the contract's
    from techtransfer.accounts.models import Membership

    Membership.objects.create(user=registrar, organisation=contract.registration_point, role="reviewer")
    registrar = type(registrar).objects.get(pk=registrar.pk)  # memberships are read once per user object
    contract = services.contract_register(contract=contract, by=registrar)
    cr.refresh_from_db()
    assert cr.contract_number == contract.number
