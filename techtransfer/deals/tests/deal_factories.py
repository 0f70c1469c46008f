"""Test data for deals: a unit's published achievement and complete deals of each mode."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.test import Client

from techtransfer.accounts.models import User
from techtransfer.achievements import services as achievement_services
from techtransfer.achievements.models import Achievement
from techtransfer.deals import services
from techtransfer.deals.choices import DealAttachmentKind
from techtransfer.deals.models import Deal
from techtransfer.testing import Personas, make_achievement, pdf_upload

CONTACT = "objector-secret-13800138000@example.cn"


def published(p: Personas) -> Achievement:
    achievement = make_achievement(p)
    achievement_services.achievement_submit(achievement=achievement, by=p.tto_officer)
    achievement_services.achievement_register(achievement=achievement, by=p.reviewer)
    achievement.refresh_from_db()
    return achievement


def deal_data(achievement: Achievement, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "achievement": achievement,
        "mode": "transfer",
        "counterparty_name": "北京智诊医疗科技有限公司",
        "pricing_method": "negotiated",
        "price": Decimal("1500000.00"),
        "decision_date": datetime.date.today() - datetime.timedelta(days=3),
        "decision_meeting": "校长办公会 2026年第12次会议",
        "due_diligence": "核查了专利权属、评估报告与市场询价，无利益冲突。",
    }
    data.update(overrides)
    return data


def make_deal(p: Personas, achievement: Achievement | None = None, *, attach: bool = True, **overrides: Any) -> Deal:
    achievement = achievement or published(p)
    deal = services.deal_create(by=p.tto_officer, owner=p.university, data=deal_data(achievement, **overrides))
    if attach:
        services.attachment_add(
            deal=deal, by=p.tto_officer, upload=pdf_upload("decision.pdf"), kind=DealAttachmentKind.DECISION
        )
    return deal


def publicised(p: Personas, **overrides: Any) -> Deal:
    return services.deal_publicise(deal=make_deal(p, **overrides), by=p.tto_officer)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
