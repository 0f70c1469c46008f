"""Test data of innovation vouchers: a programme of this year, a start-up team, a listed provider and vouchers
brought to any state through the services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import Organisation, User
from techtransfer.core.codetables import code_item
from techtransfer.facilities.models import Facility
from techtransfer.facilities.tests.factories import make_facility, slot
from techtransfer.testing import Personas, make_org, make_user
from techtransfer.vouchers import services
from techtransfer.vouchers.models import Programme, Provider, Voucher


def programme_data(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    year = today.year
    data: dict[str, Any] = {
        "kind": "capital",
        "year": year,
        "name": f"{year}年首都科技创新券",
        "name_en": f"{year} Capital S&T Innovation Voucher",
        "issuer": "北京市科学技术委员会、北京市财政局",
        "number_prefix": "SDKJ",
        "budget": Decimal("1000000"),
        "max_amount": Decimal("200000"),
        "co_payment_ratio": Decimal("0.5"),
        "validity_days": 180,
        # Runs late in December still leave a voucher its validity.
        "end_date": today + datetime.timedelta(days=365),
        "max_employees": 100,
        "max_revenue": Decimal("20000000"),
        "applicant_regions": "11",
        "source": "测试数据",
    }
    data.update(overrides)
    return data


def make_programme(p: Personas, **overrides: Any) -> Programme:
    return services.programme_create(by=p.commission_admin, data=programme_data(**overrides))


@dataclass
class World:
    p: Personas
    programme: Programme
    provider: Provider  # the university, listed
    facility: Facility  # the university's published SEM
    team: Organisation  # a start-up team (type other)
    founder: User  # the team's organisation admin


def team_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "applicant_type": "startup_team",
        "requested_amount": Decimal("100000"),
        "purpose": "委托检测钙钛矿薄膜的微观形貌和成分，用于中试工艺定型。",
        "employees": 6,
        "annual_revenue": Decimal("0"),
        "team_members": "林创业 负责人\n吴工程 工艺工程师",
    }
    data.update(overrides)
    return data


def make_world(p: Personas, **programme: Any) -> World:
    prog = make_programme(p, **programme)
    provider = services.provider_add(
        by=p.commission_admin, programme=prog, organisation=p.university,
        data={"category": "instrument_platform", "services": "分析测试中心：扫描电镜、X射线衍射、质谱。"},
        fields=[code_item("high_tech_field", "materials")],
    )
    team = make_org("光启新材创业团队", OrgType.OTHER, region="110108")
    founder = make_user("founder", team, Role.TTO_OFFICER, full_name="林创业")
    return World(p, prog, provider, make_facility(p), team, founder)


def apply(w: World, *, by: User | None = None, holder: Organisation | None = None, **overrides: Any) -> Voucher:
    return services.voucher_apply(
        by=by or w.founder, programme=w.programme, holder=holder or w.team, data=team_data(**overrides)
    )


def issued(w: World, **overrides: Any) -> Voucher:
    voucher = apply(w, **overrides)
    services.voucher_approve(voucher=voucher, by=w.p.commission_admin)
    return services.voucher_issue(voucher=voucher, by=w.p.commission_admin)


def used(w: World, *, days: int = 3, by: User | None = None, **overrides: Any) -> Voucher:
    voucher = issued(w, by=by, **overrides)
    start, end = slot(days=days)
    services.voucher_use_booking(voucher=voucher, by=by or w.founder, facility=w.facility, start=start, end=end,
                                 purpose="薄膜形貌观察")
    voucher.refresh_from_db()
    return voucher
