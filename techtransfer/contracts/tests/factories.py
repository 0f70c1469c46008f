"""Test data for contracts: the people of a registration and a complete, submittable application."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import Organisation, User
from techtransfer.contracts import services
from techtransfer.contracts.choices import AttachmentKind
from techtransfer.contracts.models import TechnologyContract
from techtransfer.core.codetables import code_item
from techtransfer.testing import make_org, make_user, pdf_upload


@dataclass
class ContractPeople:
    """seller (a university in Haidian) with its TTO officer; buyer (an enterprise in Tianjin) with a member;
    the Haidian registration point with its registrar; another district's registrar; an outsider."""

    point: Organisation
    seller: Organisation
    buyer: Organisation
    seller_tto: User
    buyer_member: User
    registrar: User
    other_registrar: User
    outsider: User


def make_people() -> ContractPeople:
    point = make_org("海淀区技术合同登记站", OrgType.CONTRACT_REGISTRY, region="110108")
    other_point = make_org("朝阳区技术合同登记站", OrgType.CONTRACT_REGISTRY, region="110105")
    seller = make_org("京华工业大学", OrgType.UNIVERSITY, region="110108")
    buyer = make_org("天津智造有限公司", OrgType.ENTERPRISE, region="120116")
    return ContractPeople(
        point=point,
        seller=seller,
        buyer=buyer,
        seller_tto=make_user("seller_tto", seller, Role.TTO_OFFICER),
        buyer_member=make_user("buyer_member", buyer, Role.MEMBER),
        registrar=make_user("registrar", point, Role.REVIEWER),
        other_registrar=make_user("other_registrar", other_point, Role.REVIEWER),
        outsider=make_user("contract_outsider"),
    )


def contract_data(**overrides: Any) -> dict[str, Any]:
    """A complete JJ-001 application: a commissioned development signed last month, valid for a year."""
    today = datetime.date.today()
    signed = today - datetime.timedelta(days=30)
    data: dict[str, Any] = {
        "project_name": "锂电池正极材料中试工艺开发",
        "contract_form": "written",
        "signed_on": signed,
        "valid_from": signed,
        "valid_to": signed + datetime.timedelta(days=365),
        "category": "development",
        "subtype": "commissioned",
        "summary": "为买方开发高镍正极材料的中试工艺并交付工艺包。",
        "seller_name": "京华工业大学",
        "seller_nature": code_item("contract_party_nature", "0221"),
        "buyer_name": "天津智造有限公司",
        "buyer_nature": code_item("contract_party_nature", "150"),
        "buyer_country": code_item("country", "142"),
        "buyer_region": code_item("region", "120116"),
        "tech_field": code_item("contract_tech_field", "05"),
        "ip_type": code_item("contract_ip_type", "02"),
        "plan_source": code_item("contract_plan_source", "50"),
        "objective": code_item("socio_economic_objective", "03"),
        "industry": code_item("industry", "C"),
        "payment_mode": code_item("payment_mode", "2"),
        "turnover": Decimal("1200000.00"),
    }
    data.update(overrides)
    return data


def make_contract(
    people: ContractPeople, *, items: list[dict[str, Any]] | None = None, attach: bool = True, **overrides: Any
) -> TechnologyContract:
    overrides.setdefault("buyer", people.buyer)
    contract = services.contract_create(
        by=people.seller_tto, seller=people.seller, data=contract_data(**overrides), items=items or []
    )
    if attach:
        services.attachment_add(
            contract=contract, by=people.seller_tto, upload=pdf_upload("contract.pdf"),
            kind=AttachmentKind.SIGNED_CONTRACT,
        )
    return contract


def submitted(people: ContractPeople, **overrides: Any) -> TechnologyContract:
    return services.contract_submit(contract=make_contract(people, **overrides), by=people.seller_tto)


def registered(people: ContractPeople, **overrides: Any) -> TechnologyContract:
    return services.contract_register(contract=submitted(people, **overrides), by=people.registrar)
