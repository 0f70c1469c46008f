"""Test helpers for the market: an enterprise with a member, and a complete, submittable demand."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import Organisation, User
from techtransfer.core.codetables import code_item
from techtransfer.market import services
from techtransfer.market.models import TechnologyDemand
from techtransfer.testing import make_org, make_user


@dataclass
class Enterprise:
    """`org` is an enterprise in Haidian; `staff` is its member, `colleague` another member."""

    org: Organisation
    staff: User
    colleague: User


def make_enterprise(name: str = "北京智造科技有限公司", region: str = "110108", prefix: str = "ent") -> Enterprise:
    org = make_org(name, OrgType.ENTERPRISE, region=region, name_en="Beijing Smart Manufacturing Co.")
    return Enterprise(
        org=org,
        staff=make_user(f"{prefix}_staff", org, Role.MEMBER, full_name="刘企业"),
        colleague=make_user(f"{prefix}_colleague", org, Role.TTO_OFFICER, full_name="孙同事"),
    )


def demand_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "锂电池极片涂布厚度在线检测",
        "description": "现有离线抽检无法发现涂布厚度波动，需要一种在线、非接触、精度达到±1微米的检测方法。",
        "field": code_item("high_tech_field", "manufacturing"),
        "region": code_item("region", "110108"),
        "budget_min": "500000",
        "budget_max": "2000000.00",
        "deadline": timezone.localdate() + datetime.timedelta(days=60),
        "contact_public": False,
        "contact_name": "刘企业",
        "contact_phone": "010-82000000",
        "contact_email": "liu@smart.example.cn",
    }
    data.update(overrides)
    return data


def make_demand(
    ent: Enterprise, *, modes: tuple[str, ...] = ("commissioned", "joint"), **overrides: Any
) -> TechnologyDemand:
    return services.demand_create(
        by=ent.staff,
        owner=ent.org,
        data=demand_data(**overrides),
        cooperation_modes=[code_item("cooperation_mode", m) for m in modes],
    )


def make_published(ent: Enterprise, moderator: User, **overrides: Any) -> TechnologyDemand:
    demand = make_demand(ent, **overrides)
    services.demand_submit(demand=demand, by=ent.staff)
    services.demand_approve(demand=demand, by=moderator)
    demand.refresh_from_db()
    return demand
