"""Test data for agencies: an institution with its officer and a broker who works there, an independent broker,
two enterprises, complete profiles, and listing them through the review."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import time_machine
from django.utils import timezone

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import Membership, Organisation, User
from techtransfer.agencies import services
from techtransfer.agencies.choices import AgencyKind
from techtransfer.agencies.models import Agency
from techtransfer.core.codetables import code_item
from techtransfer.market.tests.helpers import Enterprise, make_enterprise
from techtransfer.testing import Personas, make_org, make_user


@dataclass
class World:
    """`institution` (a technology-transfer institution in Chaoyang) with `officer` (its TTO officer) and
    `broker` (a member who is a broker); `loner` an independent broker; `ent` and `other_ent` two enterprises."""

    p: Personas
    institution: Organisation
    officer: User
    broker: User
    loner: User
    ent: Enterprise
    other_ent: Enterprise


def make_world(p: Personas) -> World:
    institution = make_org(
        "北京金台技术转移有限公司", OrgType.TRANSFER_INSTITUTION, region="110105",
        name_en="Beijing Jintai Technology Transfer Co., Ltd.",
    )
    officer = make_user("jintai_officer", institution, Role.TTO_OFFICER, full_name="周机构")
    broker = make_user("jintai_broker", institution, Role.MEMBER, full_name="高鹏")
    loner = make_user("loner_broker", None, full_name="林独立")
    return World(
        p=p,
        institution=institution,
        officer=officer,
        broker=broker,
        loner=loner,
        ent=make_enterprise(),
        other_ent=make_enterprise("北京泓芯微电子有限公司", region="110108", prefix="hx"),
    )


def lists(services_: tuple[str, ...] = ("evaluation", "brokerage"), fields: tuple[str, ...] = ("biomedicine",),
          regions: tuple[str, ...] = ("110000",)) -> dict[str, Any]:
    return {
        "services": [code_item("agency_service", c) for c in services_],
        "fields": [code_item("high_tech_field", c) for c in fields],
        "regions": [code_item("region", c) for c in regions],
    }


def institution_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "description": "专业技术转移服务机构，为企业梳理技术需求、寻找高校院所成果并组织技术对接、评估和合同谈判。",
    }
    data.update(overrides)
    return data


def broker_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "region": code_item("region", "110105"),
        "description": "从事生物医药领域技术经纪八年，熟悉专利许可谈判与技术合同登记。",
        "certificate_number": "JJR-2021-110105-0088",
        "level": "intermediate",
        "certificate_issuer": "北京技术市场协会",
        "certificate_issued_on": datetime.date(2021, 6, 18),
    }
    data.update(overrides)
    return data


def make_institution(w: World, **overrides: Any) -> Agency:
    codes = lists(**overrides.pop("lists", {}))
    return services.agency_create(
        by=w.officer, kind=AgencyKind.INSTITUTION, organisation=w.institution, data=institution_data(**overrides),
        **codes,
    )


def make_broker(user: User, **overrides: Any) -> Agency:
    codes = lists(**overrides.pop("lists", {}))
    return services.agency_create(by=user, kind=AgencyKind.BROKER, data=broker_data(**overrides), **codes)


def list_it(agency: Agency, by: User, reviewer: User, *, on: datetime.date | None = None) -> Agency:
    """Submit and approve the profile (on the given day, the clock moved there)."""
    if on is None:
        services.agency_submit(agency=agency, by=by)
        services.agency_approve(agency=agency, by=reviewer)
    else:
        moment = timezone.make_aware(datetime.datetime.combine(on, datetime.time(10, 0)))
        with time_machine.travel(moment, tick=False):
            services.agency_submit(agency=agency, by=by)
            services.agency_approve(agency=agency, by=reviewer)
    agency.refresh_from_db()
    return agency


def member(user: User, organisation: Organisation, role: str = Role.MEMBER) -> None:
    Membership.objects.create(user=user, organisation=organisation, role=role)
