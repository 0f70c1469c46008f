"""Test helpers for matchmaking: a published demand, a published achievement, a broker and a rival enterprise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import Organisation, User
from techtransfer.achievements import services as achievement_services
from techtransfer.achievements.models import Achievement
from techtransfer.market.models import TechnologyDemand
from techtransfer.market.tests.helpers import Enterprise, make_enterprise, make_published
from techtransfer.matchmaking import services
from techtransfer.matchmaking.models import ContactRequest
from techtransfer.testing import Personas, make_achievement, make_org, make_user


@dataclass
class World:
    """`ent` posted `demand` (published); the university (p.tto_officer) owns `achievement` (published);
    `broker` works at `broker_org`, a technology-transfer institution; `rival` is another enterprise's staff."""

    p: Personas
    ent: Enterprise
    demand: TechnologyDemand
    achievement: Achievement
    broker_org: Organisation
    broker: User
    rival: User


def publish_achievement(p: Personas, **overrides: Any) -> Achievement:
    achievement = make_achievement(p, **overrides)
    achievement_services.achievement_submit(achievement=achievement, by=p.tto_officer)
    achievement_services.achievement_register(achievement=achievement, by=p.reviewer)
    achievement.refresh_from_db()
    return achievement


def make_world(p: Personas) -> World:
    ent = make_enterprise()
    broker_org = make_org("中关村技术经理人事务所", OrgType.TRANSFER_INSTITUTION, name_en="Zhongguancun Brokers")
    rival_ent = make_enterprise("天津竞争对手制造有限公司", prefix="rival")
    return World(
        p=p,
        ent=ent,
        demand=make_published(ent, p.reviewer),
        achievement=publish_achievement(p),
        broker_org=broker_org,
        broker=make_user("broker", broker_org, Role.MEMBER, full_name="周经纪"),
        rival=rival_ent.staff,
    )


def open_request(w: World, by: User | None = None, **kwargs: Any) -> ContactRequest:
    return services.contact_request_open(
        by=by or w.ent.staff,
        demand=w.demand,
        achievement=w.achievement,
        message=kwargs.pop("message", "我们希望就涂布厚度在线检测开展合作，能否约时间面谈？"),
        **kwargs,
    )


def to_negotiation(w: World, cr: ContactRequest) -> ContactRequest:
    return services.contact_request_advance(contact_request=cr, by=w.p.tto_officer)


def sign(w: World, cr: ContactRequest) -> ContactRequest:
    cr = to_negotiation(w, cr)
    services.contact_request_confirm_signing(contact_request=cr, by=w.ent.staff)
    return services.contact_request_confirm_signing(contact_request=cr, by=w.p.tto_officer)
