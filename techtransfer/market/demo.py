"""Demo data for the technology market: demands, challenges with proposals, contact requests, subscriptions.

Runs after the achievements demo (achievements/demo.py), on its organisations and users, through the real
services (so moderation, numbering of states and the audit trail are all real). Texts are written from the
same themes as the demo achievements, so that the matching panels have something to find.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import Membership, Organisation, User
from techtransfer.achievements.demo import THEMES, Theme
from techtransfer.achievements.models import Achievement
from techtransfer.core.codetables import code_item
from techtransfer.market import services as demand_services
from techtransfer.market.models import TechnologyDemand

MODES = ("transfer", "licence", "commissioned", "joint", "service", "equity")


@dataclass
class MarketSummary:
    demands: int = 0
    challenges: int = 0
    proposals: int = 0
    contact_requests: int = 0
    subscriptions: int = 0
    notes: list[str] = field(default_factory=list)


def _member(org: Organisation, role: str | None = None) -> User | None:
    memberships = Membership.objects.filter(organisation=org).select_related("user").order_by("id")
    if role:
        memberships = memberships.filter(role=role)
    first = memberships.first()
    return first.user if first else None


def _moderator() -> User | None:
    """The commission's administrator: moderates every region (a district reviewer would not cover Tianjin)."""
    membership = Membership.objects.filter(role=Role.COMMISSION_ADMIN).select_related("user").first()
    return membership.user if membership else None


def demand_text(rng: random.Random, theme: Theme) -> tuple[str, str]:
    method, _, product, _ = rng.choice(theme.pairs)
    target, _ = rng.choice(theme.objects)
    problem, _ = rng.choice(theme.problems)
    result, _ = rng.choice(theme.results)
    title = f"面向{target}的{product}技术需求"
    description = (
        f"我公司在{target}业务中面临{problem}的问题，现有方案难以满足量产和成本要求。"
        f"希望引进或联合开发基于{method}的{product}，目标指标：{result}。"
        "欢迎高校、科研院所和技术转移机构对接，可先行开展小试验证。"
    )
    return title, description


def _demands(rng: random.Random, enterprises: list[Organisation], reviewer: User, summary: MarketSummary) -> list:
    themes = list(THEMES.values())
    created: list[TechnologyDemand] = []
    today = timezone.localdate()
    for number in range(10):
        org = enterprises[number % len(enterprises)]
        staff = _member(org)
        if staff is None:
            continue
        theme = themes[number % len(themes)]
        title, description = demand_text(rng, theme)
        low = Decimal(rng.choice((20, 50, 100, 200))) * 10_000
        demand = demand_services.demand_create(
            by=staff,
            owner=org,
            data={
                "title": title,
                "description": description,
                "field": code_item("high_tech_field", theme.field),
                "region": org.region,
                "budget_min": low,
                "budget_max": low * rng.choice((2, 3, 5)),
                "deadline": today + datetime.timedelta(days=rng.randint(30, 150)),
                "contact_public": number % 3 == 0,
                "contact_name": staff.display_name,
                "contact_phone": f"010-8{rng.randint(1000000, 9999999)}",
                "contact_email": staff.email,
            },
            cooperation_modes=[code_item("cooperation_mode", m) for m in rng.sample(MODES, 2)],
        )
        if number < 8:  # most are published; one waits for moderation, one stays a draft
            demand_services.demand_submit(demand=demand, by=staff)
            if number < 7:
                demand_services.demand_approve(demand=demand, by=reviewer)
        created.append(demand)
    summary.demands = len(created)
    return created


def _challenges(rng: random.Random, enterprise: Organisation, reviewer: User, summary: MarketSummary) -> None:
    from techtransfer.challenges import services as challenge_services

    staff = _member(enterprise)
    bidders = [
        m.user
        for m in Membership.objects.filter(organisation__org_type=OrgType.UNIVERSITY, role=Role.MEMBER)
        .select_related("user")
        .order_by("organisation_id", "id")
    ]
    seen_orgs: set[int] = set()
    teams = []
    for membership in Membership.objects.filter(user__in=bidders).select_related("organisation"):
        if membership.organisation_id not in seen_orgs:
            seen_orgs.add(membership.organisation_id)
            teams.append((membership.user, membership.organisation))
    if staff is None:
        return
    now = timezone.now()
    plans = [
        ("高镍三元正极材料高温循环寿命提升", "materials", Decimal("800000"), 30),
        ("5G专网基站能耗优化算法揭榜", "electronics", Decimal("500000"), 45),
        ("冬奥场馆智能运维平台关键技术攻关", "electronics", Decimal("1200000"), 20),
    ]
    for index, (title, field_code, reward, days) in enumerate(plans):
        challenge = challenge_services.challenge_create(
            by=staff,
            owner=enterprise,
            data={
                "title": title,
                "problem": f"{title}：现有技术路线在量产条件下指标不稳定，需要外部团队提出可工程化的解决方案。",
                "requirements": "提交技术方案、实施计划和验收指标；方案须可在12个月内完成中试验证。",
                "field": code_item("high_tech_field", field_code),
                "region": enterprise.region,
                "reward": reward,
                "reward_note": "验收通过后支付，另签技术开发合同",
                "submission_deadline": now + datetime.timedelta(days=days),
                "qa_deadline": now + datetime.timedelta(days=days - 5),
                "eligibility": "高校、科研院所及其团队均可揭榜。",
                "max_winners": 1,
            },
        )
        challenge_services.challenge_submit(challenge=challenge, by=staff)
        challenge_services.challenge_approve(challenge=challenge, by=reviewer)
        summary.challenges += 1
        proposals = []
        for user, org in teams[:2]:
            proposal = challenge_services.proposal_create(
                challenge=challenge,
                by=user,
                data={
                    "team_org": org,
                    "team_name": f"{org.name}攻关团队",
                    "members": f"{user.display_name}（负责人）",
                    "summary": f"针对“{title}”，提出分阶段攻关方案，先小试后中试。",
                    "approach": "1. 机理分析与建模；2. 关键工艺优化；3. 中试验证与指标考核。",
                    "price_quote": reward * Decimal("0.9"),
                },
            )
            proposals.append(challenge_services.proposal_submit(proposal=proposal, by=user))
            summary.proposals += 1
        if index == 0 and teams:
            question = challenge_services.question_ask(
                challenge=challenge, by=teams[0][0], text="验收时的循环测试温度和倍率以哪项标准为准？"
            )
            challenge_services.question_answer(
                question=question, by=staff, answer="按45℃、1C条件测试，参照GB/T 31486执行。"
            )
        if index == 2 and proposals:
            # The demo's one finished challenge: its deadline is moved into the past, then it is awarded.
            type(challenge).objects.filter(pk=challenge.pk).update(
                submission_deadline=now - datetime.timedelta(hours=1), qa_deadline=now - datetime.timedelta(days=2)
            )
            challenge.refresh_from_db()
            challenge_services.proposals_shortlist(challenge=challenge, by=staff, proposals=proposals)
            challenge_services.challenge_award(
                challenge=challenge, by=staff, proposals=proposals[:1], result_note="经专家评审，确定揭榜团队。"
            )


def _contact_requests(demands: list[TechnologyDemand], summary: MarketSummary) -> None:
    from techtransfer.matchmaking import services as contact_services

    broker_org = Organisation.objects.filter(org_type=OrgType.TRANSFER_INSTITUTION).first()
    broker = _member(broker_org) if broker_org else None
    # The services moderate copies they lock; the statuses are read back from the database.
    published = list(TechnologyDemand.objects.filter(pk__in=[d.pk for d in demands], status="published").order_by("pk"))
    achievements = list(Achievement.objects.public().order_by("id")[:10])
    for index, demand in enumerate(published[:2]):
        achievement = next((a for a in achievements if a.owner_id != demand.owner_id), None)
        if achievement is None:
            continue
        by = broker if index == 0 and broker else _member(demand.owner)
        if by is None:
            continue
        request = contact_services.contact_request_open(
            by=by,
            demand=demand,
            achievement=achievement,
            message="该成果与贵方需求高度相关，建议安排一次技术交流。",
        )
        if index == 0:
            contact_services.contact_request_advance(contact_request=request, by=by, note="已约定下周线上交流。")
        summary.contact_requests += 1


def _subscriptions(enterprises: list[Organisation], summary: MarketSummary) -> None:
    from techtransfer.subscriptions import services as subscription_services

    for org in enterprises[:1]:
        user = _member(org)
        if user is None:
            continue
        subscription_services.subscription_create(
            by=user,
            data={
                "name": "新一代信息技术成果",
                "kinds": ["achievement"],
                "keywords": "5G 边缘计算",
                "frequency": "daily",
            },
            fields=[code_item("high_tech_field", "electronics")],
        )
        summary.subscriptions += 1


@transaction.atomic
def market_demo_seed(*, seed: int = 42) -> MarketSummary:
    """Demands, challenges, contact requests and a subscription on top of the achievements demo."""
    summary = MarketSummary()
    rng = random.Random(seed)
    reviewer = _moderator()
    enterprises = list(Organisation.objects.filter(org_type=OrgType.ENTERPRISE).order_by("id"))
    if reviewer is None or not enterprises:  # a demo without them (custom sizes) simply has no market
        summary.notes.append("skipped: the demo has no enterprise or no reviewer")
        return summary
    demands = _demands(rng, enterprises, reviewer, summary)
    _challenges(rng, enterprises[0], reviewer, summary)
    _contact_requests(demands, summary)
    _subscriptions(enterprises, summary)
    return summary
