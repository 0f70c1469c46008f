"""Test helpers for investment matching: an investor organisation with its admin, profiles and projects made
through the services."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import Organisation, User
from techtransfer.core.codetables import code_item
from techtransfer.investment import services
from techtransfer.investment.models import FundingProject, Investor
from techtransfer.testing import Personas, make_org, make_user


@dataclass
class World:
    p: Personas
    investor_org: Organisation
    investor_admin: User
    investor_staff: User
    other_investor_org: Organisation
    other_investor_admin: User


def make_world(p: Personas) -> World:
    org = make_org("中关村示范创投", OrgType.INVESTOR, region="110108")
    other = make_org("京津冀产业投资基金", OrgType.INVESTOR, region="110105")
    return World(
        p=p, investor_org=org, investor_admin=make_user("vc_admin", org, Role.TTO_OFFICER, full_name="钱投资"),
        investor_staff=make_user("vc_staff", org, Role.MEMBER, full_name="孙分析"),
        other_investor_org=other,
        other_investor_admin=make_user("fund_admin", other, Role.TTO_OFFICER, full_name="周基金"),
    )


def investor_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "中关村示范创投一期基金",
        "name_en": "ZGC Demo Venture Fund I",
        "kind": "venture",
        "stages": ["startup", "growth"],
        "ticket_min": Decimal("5000000"),
        "ticket_max": Decimal("30000000"),
        "description": "专注锂电池、储能与新能源汽车产业链的早期投资，关注固态电解质与电池管理系统。",
        "fields": [code_item("high_tech_field", "energy")],
        "regions": [code_item("region", "110000")],
    }
    data.update(overrides)
    return data


def make_investor(w: World, *, by: User | None = None, publish: bool = True, **overrides: Any) -> Investor:
    by = by or w.investor_admin
    org = by.memberships.first().organisation
    investor = services.investor_create(by=by, organisation=org, data=investor_data(**overrides))
    if publish:
        investor = services.investor_publish(investor=investor, by=by)
    return investor


def project_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "固态锂电池电解质中试项目",
        "summary": "基于硫化物固态电解质的锂电池中试线建设，寻求储能与新能源汽车领域的投资。",
        "amount": Decimal("10000000"),
        "stage": "startup",
        "field": code_item("high_tech_field", "energy"),
    }
    data.update(overrides)
    return data


def make_project(w: World, *, by: User | None = None, open_: bool = True, **overrides: Any) -> FundingProject:
    by = by or w.p.tto_officer
    project = services.project_create(by=by, owner=w.p.university, data=project_data(**overrides))
    if open_:
        project = services.project_open(project=project, by=by)
    return project
