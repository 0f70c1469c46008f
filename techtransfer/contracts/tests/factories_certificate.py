"""Technology contracts for the certificate, verification and tax tests, built directly (not through the
registration workflow): a registered contract is a contract with its status, number, verification code, approved
value and registration date set."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from techtransfer.accounts.choices import OrgType
from techtransfer.accounts.models import Organisation
from techtransfer.contracts.choices import Category, ContractStatus, SubType
from techtransfer.contracts.models import TechnologyContract
from techtransfer.core.models import CodeItem
from techtransfer.testing import make_org

_serial = itertools.count(1)

PROJECT_NAME = "高比能锂离子电池正极材料专利权转让"
SELLER_NAME = "北京示范大学"
BUYER_NAME = "北京新能源科技有限公司"


def region(code: str = "110108") -> CodeItem:
    return CodeItem.objects.current("region").get(code=code)


def ip_type(code: str) -> CodeItem | None:
    """An item of the contract_ip_type table (2-digit codes, "00" 未涉及知识产权); None when not loaded."""
    return CodeItem.objects.current("contract_ip_type").filter(code=code).first()


def registration_point(name: str = "海淀区技术合同登记站") -> Organisation:
    point = Organisation.objects.filter(name=name).first()
    return point or make_org(name, OrgType.CONTRACT_REGISTRY, region="110108", name_en="Haidian registration point")


def make_contract(
    *, seller: Organisation, point: Organisation | None = None, buyer: Organisation | None = None, **fields: Any
) -> TechnologyContract:
    """A submitted-looking contract: a patent transfer unless `fields` say otherwise."""
    values: dict[str, Any] = {
        "seller": seller,
        "registration_point": point or registration_point(),
        "status": ContractStatus.SUBMITTED,
        "project_name": PROJECT_NAME,
        "signed_on": datetime.date(2024, 3, 1),
        "valid_from": datetime.date(2024, 3, 1),
        "valid_to": datetime.date(2029, 2, 28),
        "category": Category.TRANSFER,
        "subtype": SubType.PATENT,
        "seller_name": seller.name,
        "seller_region": region(),
        "buyer": buyer,
        "buyer_name": buyer.name if buyer else BUYER_NAME,
        "turnover": Decimal("1234567.89"),
        "declared_technical_value": Decimal("1200000.00"),
        "ip_type": ip_type("02"),
    }
    values.update(fields)
    return TechnologyContract.objects.create(**values)


def register(contract: TechnologyContract, *, approved: Decimal | str = "1150000.50",
             on: datetime.date = datetime.date(2024, 3, 20)) -> TechnologyContract:
    """Sets what `contract_register` sets: a 16-digit number, a verification code, the approved value, the day."""
    contract.status = ContractStatus.REGISTERED
    contract.number = f"{on.year}110108{next(_serial):06d}"
    contract.ensure_verification_code()
    contract.approved_technical_value = Decimal(approved)
    contract.registered_on = on
    contract.save()
    return contract


def make_registered_contract(*, seller: Organisation, **fields: Any) -> TechnologyContract:
    return register(make_contract(seller=seller, **fields))


def make_refused_contract(*, seller: Organisation, **fields: Any) -> TechnologyContract:
    """A refused contract that nevertheless carries a number and code (as a forged or stale link would name)."""
    contract = make_contract(seller=seller, status=ContractStatus.REFUSED, **fields)
    contract.number = f"2024110108{next(_serial) + 500000:06d}"
    contract.ensure_verification_code()
    contract.save()
    return contract
