"""Test helpers: publish records with their indexing jobs run, and make subscriptions."""

from __future__ import annotations

from typing import Any

from django.core import mail

from techtransfer.accounts.models import User
from techtransfer.achievements import services as achievement_services
from techtransfer.core.codetables import code_item
from techtransfer.market.tests.helpers import Enterprise, make_published
from techtransfer.subscriptions import services
from techtransfer.subscriptions.models import Subscription
from techtransfer.testing import Personas, make_achievement

BATTERY = {
    "name": "锂电池极片涂布厚度激光在线测量装置",
    "name_en": "Laser in-line thickness gauge for lithium battery electrode coating",
    "summary": "采用激光三角测量，在线、非接触测量锂电池极片涂布厚度，精度±0.8微米。",
    "summary_en": "Laser triangulation gauge measuring lithium battery electrode coating thickness in line.",
    "keywords": ["锂电池", "涂布", "在线检测"],
    "keywords_en": ["lithium battery", "coating"],
}


def publish_achievement(p: Personas, capture: Any, **overrides: Any) -> Any:
    """A published achievement of p.university, indexed (its after-commit jobs run: the index, and the
    subscriptions' notice of a newly published record). The work e-mails of its workflow are dropped, so
    that tests read only what subscriptions send."""
    with capture(execute=True):
        a = make_achievement(p, **overrides)
        achievement_services.achievement_submit(achievement=a, by=p.tto_officer)
        a = achievement_services.achievement_register(achievement=a, by=p.reviewer)
    a.refresh_from_db()
    mail.outbox.clear()
    return a


def publish_battery(p: Personas, capture: Any) -> Any:
    return publish_achievement(p, capture, high_tech_field=code_item("high_tech_field", "manufacturing"), **BATTERY)


def publish_demand(ent: Enterprise, moderator: User, capture: Any, **overrides: Any) -> Any:
    with capture(execute=True):
        demand = make_published(ent, moderator, **overrides)
    mail.outbox.clear()
    return demand


def subscribe(
    user: User,
    *,
    kinds: tuple[str, ...] = ("achievement",),
    fields: tuple[str, ...] = (),
    regions: tuple[str, ...] = (),
    **data: Any,
) -> Subscription:
    data.setdefault("name", "测试订阅")
    return services.subscription_create(
        by=user,
        data={"kinds": list(kinds), **data},
        fields=[code_item("high_tech_field", c) for c in fields],
        regions=[code_item("region", c) for c in regions],
    )
