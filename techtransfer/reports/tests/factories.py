"""A small world for the annual report tests: the commission, two supervising departments, reporting units and
their people; and rows of deals, contracts and rewards made directly (the figures read them as they are)."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from techtransfer.accounts.choices import Affiliation, OrgType, Role
from techtransfer.accounts.models import Membership, Organisation, User
from techtransfer.achievements.choices import Secrecy, Status
from techtransfer.achievements.models import Achievement
from techtransfer.contracts.choices import ContractStatus
from techtransfer.contracts.models import TechnologyContract
from techtransfer.deals.choices import DealStatus, RewardPlanStatus
from techtransfer.deals.models import Deal, RewardAllocation, RewardPayment, RewardPlan
from techtransfer.testing import make_org, make_user

SHANGHAI = timezone.get_default_timezone()
_serial = itertools.count(1)


@dataclass
class World:
    commission: Organisation
    department: Organisation
    other_department: Organisation
    registry: Organisation
    university: Organisation  # central, supervised by `department`
    institute: Organisation  # local, supervised by `department`
    hospital: Organisation  # no supervising department: reports to the commission
    other_unit: Organisation  # supervised by `other_department`
    enterprise: Organisation  # does not report
    uni_tto: User
    uni_member: User
    inst_tto: User
    hosp_tto: User
    other_tto: User
    reviewer: User
    reviewer_in_unit: User  # a reviewer of `department` who also belongs to `university`
    other_reviewer: User
    admin: User
    outsider: User


def make_world() -> World:
    commission = make_org("北京市科学技术委员会", OrgType.REGISTRATION_BODY, region="110000", registry_code="110")
    department = make_org("北京市教育委员会", OrgType.SUPERVISING_DEPARTMENT, region="110000")
    other_department = make_org("北京市卫生健康委员会", OrgType.SUPERVISING_DEPARTMENT, region="110000")
    registry = make_org("海淀区技术合同登记站", OrgType.CONTRACT_REGISTRY, region="110108")
    university = make_org("北京示范大学", OrgType.UNIVERSITY, supervising_department=department,
                          affiliation=Affiliation.CENTRAL)
    institute = make_org("北京示范研究所", OrgType.INSTITUTE, supervising_department=department,
                         affiliation=Affiliation.LOCAL)
    hospital = make_org("北京示范医院", OrgType.HOSPITAL)
    other_unit = make_org("北京另一大学", OrgType.UNIVERSITY, supervising_department=other_department)
    enterprise = make_org("北京示范科技有限公司", OrgType.ENTERPRISE)
    reviewer_in_unit = make_user("dept_and_unit", department, Role.REVIEWER)
    Membership.objects.create(user=reviewer_in_unit, organisation=university, role=Role.MEMBER)
    return World(
        commission=commission, department=department, other_department=other_department, registry=registry,
        university=university, institute=institute, hospital=hospital, other_unit=other_unit, enterprise=enterprise,
        uni_tto=make_user("uni_tto", university, Role.TTO_OFFICER),
        uni_member=make_user("uni_member", university, Role.MEMBER),
        inst_tto=make_user("inst_tto", institute, Role.TTO_OFFICER),
        hosp_tto=make_user("hosp_tto", hospital, Role.TTO_OFFICER),
        other_tto=make_user("other_tto", other_unit, Role.TTO_OFFICER),
        reviewer=make_user("dept_reviewer", department, Role.REVIEWER),
        reviewer_in_unit=reviewer_in_unit,
        other_reviewer=make_user("other_reviewer", other_department, Role.REVIEWER),
        admin=make_user("commission_admin", commission, Role.COMMISSION_ADMIN),
        outsider=make_user("outsider", enterprise, Role.TTO_OFFICER),
    )


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def achievement(owner: Organisation, *, secrecy: str = Secrecy.NONE, kind: str = "applied",
                status: str = Status.REGISTERED, registered_at: datetime.datetime | None = None) -> Achievement:
    return Achievement.objects.create(
        owner=owner, achievement_type=kind, name=f"成果{next(_serial)}", summary="摘要", secrecy=secrecy,
        status=status, registered_at=registered_at or local(2024, 6, 1), registration_number=f"T{next(_serial):010d}",
    )


def deal(owner: Organisation, *, mode: str, price: Decimal | None, completed_at: datetime.datetime,
         secrecy: str = Secrecy.NONE, status: str = DealStatus.COMPLETED, company: str = "",
         shares: Decimal | None = None) -> Deal:
    return Deal.objects.create(
        owner=owner, achievement=achievement(owner, secrecy=secrecy), status=status, mode=mode, price=price,
        completed_at=completed_at, counterparty_name="买方公司", company_name=company, shares=shares,
    )


def contract(seller: Organisation, registry: Organisation, *, category: str, turnover: Decimal,
             approved: Decimal | None = None, registered_on: datetime.date,
             status: str = ContractStatus.REGISTERED) -> TechnologyContract:
    subtype = {"development": "commissioned", "transfer": "patent", "licence": "patent_licence",
               "consulting": "consulting", "service": "service"}[category]
    return TechnologyContract.objects.create(
        seller=seller, registration_point=registry, status=status, project_name=f"合同{next(_serial)}",
        signed_on=datetime.date(2024, 1, 1), valid_from=datetime.date(2024, 1, 1), valid_to=datetime.date(2027, 1, 1),
        category=category, subtype=subtype, seller_name=seller.name, buyer_name="买方", turnover=turnover,
        declared_technical_value=turnover, approved_technical_value=approved, registered_on=registered_on,
    )


def payment(the_deal: Deal, *, form: str, paid_on: datetime.date, amount: Decimal | None = None,
            shares: Decimal | None = None, tax: Decimal | None = None) -> RewardPayment:
    plan = RewardPlan.objects.create(deal=the_deal, income_date=paid_on, status=RewardPlanStatus.APPROVED,
                                     gross_income=Decimal("1000"), approved_at=timezone.now())
    allocation = RewardAllocation.objects.create(plan=plan, person_name=f"人{next(_serial)}", form=form,
                                                 amount=amount, shares=shares)
    return RewardPayment.objects.create(allocation=allocation, paid_on=paid_on, amount=amount, shares=shares,
                                        tax_withheld=tax)


def attrs(**kwargs: Any) -> dict[str, Any]:
    return kwargs
