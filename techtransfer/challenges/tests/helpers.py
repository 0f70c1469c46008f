"""Test helpers for challenges: a complete challenge, a published one, proposals, and moving the clock."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import time_machine
from django.utils import timezone

from techtransfer.accounts.models import User
from techtransfer.challenges import services
from techtransfer.challenges.models import Challenge, Proposal
from techtransfer.core.codetables import code_item
from techtransfer.market.tests.helpers import Enterprise

TITLE = "高镍三元正极材料循环寿命提升"
DEADLINE_DAYS = 10
# A deadline year that is ahead, but within validators.DEADLINE_MAX_YEARS, whenever the tests run.
NEXT_YEAR = timezone.localdate().year + 1


def challenge_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": TITLE,
        "problem": "现有高镍正极材料在45℃高温循环500次后容量保持率不足80%，影响动力电池寿命。",
        "requirements": "45℃、1C循环1000次容量保持率≥90%；成本增加不超过5%；可在现有产线放大。",
        "field": code_item("high_tech_field", "materials"),
        "region": code_item("region", "110108"),
        "reward": Decimal("500000"),
        "reward_note": "分两期支付，验收后另签技术开发合同",
        "submission_deadline": timezone.now() + datetime.timedelta(days=DEADLINE_DAYS),
        "qa_deadline": timezone.now() + datetime.timedelta(days=DEADLINE_DAYS - 3),
        "eligibility": "高校、科研院所及其团队均可揭榜。",
        "max_winners": 1,
    }
    data.update(overrides)
    return data


def make_challenge(ent: Enterprise, **overrides: Any) -> Challenge:
    return services.challenge_create(by=ent.staff, owner=ent.org, data=challenge_data(**overrides))


def make_open_challenge(ent: Enterprise, moderator: User, **overrides: Any) -> Challenge:
    challenge = make_challenge(ent, **overrides)
    services.challenge_submit(challenge=challenge, by=ent.staff)
    services.challenge_approve(challenge=challenge, by=moderator)
    challenge.refresh_from_db()
    return challenge


def proposal_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "team_name": "示范大学电池材料团队",
        "members": "李研究（负责人）\n王成果",
        "summary": "采用单晶化与表面包覆协同改性，抑制高温下的相变与副反应。",
        "approach": "1. 单晶化合成；2. 原子层沉积包覆；3. 中试放大验证。",
        "price_quote": Decimal("450000"),
    }
    data.update(overrides)
    return data


def make_proposal(challenge: Challenge, by: User, *, submit: bool = True, **overrides: Any) -> Proposal:
    proposal = services.proposal_create(challenge=challenge, by=by, data=proposal_data(**overrides))
    if submit:
        proposal = services.proposal_submit(proposal=proposal, by=by)
    proposal.refresh_from_db()
    return proposal


@contextmanager
def after_deadline(challenge: Challenge, *, minutes: int = 1) -> Iterator[None]:
    """Move the clock just past the challenge's submission deadline (no sleeping)."""
    challenge.refresh_from_db()
    assert challenge.submission_deadline is not None
    with time_machine.travel(challenge.submission_deadline + datetime.timedelta(minutes=minutes), tick=False):
        yield


@contextmanager
def just_before_deadline(challenge: Challenge) -> Iterator[None]:
    challenge.refresh_from_db()
    assert challenge.submission_deadline is not None
    with time_machine.travel(challenge.submission_deadline - datetime.timedelta(seconds=1), tick=False):
        yield
