"""Shared set-up of the income-distribution tests (no tests here): a Beijing university with an achievement and
deals of each mode, created directly (the deal services are helper B's), and a unit outside Beijing."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import Organisation, User
from techtransfer.deals import services_rewards as services
from techtransfer.deals.models import Deal, RewardPlan
from techtransfer.testing import Personas, make_achievement, make_org, make_personas, make_user


@dataclass
class World:
    p: Personas
    achievement: Any
    shanghai: Organisation
    shanghai_tto: User
    shanghai_achievement: Any


def make_world() -> World:
    p = make_personas()
    achievement = make_achievement(p)
    shanghai = make_org("上海示范大学", OrgType.UNIVERSITY, region="310000")
    shanghai_tto = make_user("sh_tto", shanghai, Role.TTO_OFFICER, full_name="沈上海")
    return World(p=p, achievement=achievement, shanghai=shanghai, shanghai_tto=shanghai_tto,
                 shanghai_achievement=make_achievement(p, by=shanghai_tto))


def make_deal(world: World, mode: str = "transfer", *, shanghai: bool = False, **kwargs: Any) -> Deal:
    owner = world.shanghai if shanghai else world.p.university
    achievement = world.shanghai_achievement if shanghai else world.achievement
    return Deal.objects.create(owner=owner, achievement=achievement, mode=mode, counterparty_name="某科技有限公司",
                               **kwargs)


def make_plan(world: World, deal: Deal, *, by: User | None = None, **data: Any) -> RewardPlan:
    data.setdefault("income_date", datetime.date(2021, 6, 1))
    if deal.mode in ("transfer", "licence"):
        data.setdefault("gross_income", Decimal("1000000"))
    return services.plan_create(by=by or (world.shanghai_tto if deal.owner == world.shanghai else world.p.tto_officer),
                                deal=deal, data=data)


def cash(plan: RewardPlan, by: User, name: str, amount: str, **flags: Any) -> Any:
    return services.allocation_add(plan=plan, by=by, data={"person_name": name, "form": "cash",
                                                          "amount": Decimal(amount), **flags})
