"""The demo's investment matching (S18): eight investors and funds (a municipal guidance fund, venture capital,
angel, industrial funds and a bank's technology loan programme) of five investor organisations, funding projects
of demo units linked to their published achievements, and requests in every state.

Every organisation and fund is invented (names in the style of Beijing's investors); amounts in 元. Written
through the services. The investor organisations' admins log in with the demo password.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import Membership, Organisation, User
from techtransfer.achievements.choices import Status
from techtransfer.achievements.models import Achievement
from techtransfer.core.codetables import code_item
from techtransfer.core.jobs import suppressed
from techtransfer.demo.identifiers import uscc_make
from techtransfer.demo.loader import EMAIL_DOMAIN, demo_user
from techtransfer.investment import services
from techtransfer.investment.models import FundingProject, FundingRequest, Investor

W = Decimal(10000)  # 万元
# Investor organisations: key, name, English name, district, login, the login's name.
ORGS = [
    ("kcjj", "北京市科技创新基金管理有限公司", "Beijing S&T Innovation Fund Management Co.", "110102",
     "investor_kcjj", "沈立群"),
    ("zgccy", "北京中关村前沿创业投资有限公司", "Zhongguancun Frontier Venture Capital Co.", "110108",
     "investor_zgc", "罗安琪"),
    ("yzcy", "北京亦庄生物医药产业投资基金管理有限公司", "Yizhuang Biomedicine Industry Fund Management Co.",
     "110115", "investor_yizhuang", "贺文涛"),
    ("tianshi", "北京燕园天使投资合伙企业（有限合伙）", "Yanyuan Angel Investment Partnership", "110108",
     "investor_angel", "孔令仪"),
    ("bank", "北京京科银行中关村科技金融支行", "Jingke Bank Zhongguancun Technology Finance Branch", "110108",
     "investor_bank", "钟海峰"),
]
INVESTORS: list[dict[str, Any]] = [
    {"org": "kcjj", "name": "北京市科技创新基金（成果转化子基金）",
     "name_en": "Beijing S&T Innovation Fund (Transfer Sub-fund)",
     "kind": "guidance", "fields": ["electronics", "biomedicine", "materials", "energy", "manufacturing"],
     "stages": ["seed", "startup"], "min": 500 * W, "max": 5000 * W, "regions": ["110000"],
     "description": "政府引导基金，以“投早、投小、投硬科技”为导向，支持高校院所科技成果在京转化落地，"
                    "与社会资本按一比一比例联合投资，重点关注原始创新成果的概念验证与中试。"},
    {"org": "kcjj", "name": "北京市科技创新基金（前沿技术子基金）",
     "name_en": "Beijing S&T Innovation Fund (Frontier Sub-fund)",
     "kind": "guidance", "fields": ["electronics", "materials"], "stages": ["startup", "growth"],
     "min": 2000 * W, "max": 20000 * W, "regions": ["110000"],
     "description": "聚焦人工智能、集成电路、量子信息和先进材料等前沿领域，通过子基金和直投支持成长期硬科技企业。"},
    {"org": "zgccy", "name": "中关村前沿创投二期基金", "name_en": "ZGC Frontier Venture Fund II", "kind": "venture",
     "fields": ["electronics", "manufacturing"], "stages": ["startup", "growth"], "min": 1000 * W,
     "max": 8000 * W, "regions": [],
     "description": "专注智能硬件、工业软件、机器人与集成电路设计的早中期投资，单笔投资一千万元至八千万元，"
                    "可为被投企业对接产业链上下游客户。"},
    {"org": "zgccy", "name": "中关村前沿新能源基金", "name_en": "ZGC Frontier New Energy Fund", "kind": "venture",
     "fields": ["energy", "environment", "materials"], "stages": ["growth", "mature"], "min": 3000 * W,
     "max": 15000 * W, "regions": [],
     "description": "投资锂电池、储能、氢能与光伏产业链，关注固态电池材料、电池回收和碳减排技术的产业化。"},
    {"org": "yzcy", "name": "亦庄生物医药产业基金", "name_en": "Yizhuang Biomedicine Industry Fund",
     "kind": "industrial",
     "fields": ["biomedicine"], "stages": ["startup", "growth", "mature"], "min": 2000 * W, "max": 30000 * W,
     "regions": ["110000"],
     "description": "北京经济技术开发区产业基金，投资创新药、高端医疗器械和细胞与基因治疗，"
                    "要求被投企业在亦庄落地研发或生产。"},
    {"org": "tianshi", "name": "燕园天使一期", "name_en": "Yanyuan Angel Fund I", "kind": "angel",
     "fields": ["electronics", "biomedicine", "agriculture"], "stages": ["seed"], "min": 50 * W, "max": 500 * W,
     "regions": ["110000"],
     "description": "校友天使基金，投资高校师生创业团队的种子轮，单笔五十万元至五百万元，提供创业辅导。"},
    {"org": "tianshi", "name": "燕园硬科技天使二期", "name_en": "Yanyuan Deep Tech Angel Fund II", "kind": "angel",
     "fields": ["materials", "manufacturing", "energy"], "stages": ["seed", "startup"], "min": 100 * W,
     "max": 1000 * W, "regions": [],
     "description": "投资新材料、先进制造和新能源方向的实验室成果转化项目，偏好有发明专利和中试数据的团队。"},
    {"org": "bank", "name": "京科银行“科创贷”", "name_en": "Jingke Bank Tech Innovation Loan", "kind": "bank",
     "fields": ["electronics", "biomedicine", "materials", "energy", "manufacturing", "environment"],
     "stages": ["startup", "growth", "mature"], "min": 100 * W, "max": 3000 * W, "regions": ["110000"],
     "description": "面向科技型中小企业的知识产权质押贷款和信用贷款，可叠加北京市贷款贴息政策，审批周期约四周。"},
]
# Projects: amount (元), stage, and the requests sent (investor index, final state).
PROJECTS: list[dict[str, Any]] = [
    {"amount": 1500 * W, "stage": "startup", "requests": [(0, "interested"), (2, "sent"), (7, "invested")]},
    {"amount": 300 * W, "stage": "seed", "requests": [(5, "declined"), (0, "sent")]},
    {"amount": 5000 * W, "stage": "growth", "requests": [(3, "no_deal"), (1, "interested")]},
    {"amount": 800 * W, "stage": "startup", "requests": []},
]


@dataclass
class InvestmentSummary:
    investors: int = 0
    projects: int = 0
    requests: int = 0
    seconds: float = 0.0


def investment_logins() -> list[tuple[str, str, str]]:
    """(role, username, organisation) of the investor organisations' admins, for `demo_logins`."""
    rows = []
    for _key, name, name_en, _district, username, _person in ORGS:
        if User.objects.filter(username=username).exists():
            rows.append(("投资机构 / Investor", username, f"{name} ({name_en})"))
    return rows


def _orgs() -> dict[str, tuple[Organisation, User]]:
    found = {}
    rng = random.Random(2018)
    for key, name, name_en, district, username, person in ORGS:
        org = Organisation.objects.filter(name=name).first() or Organisation.objects.create(
            name=name, name_en=name_en, org_type=OrgType.INVESTOR, is_verified=True, verified_at=timezone.now(),
            region=code_item("region", district), uscc=uscc_make(rng, category="91", region=district),
        )
        user, _created = demo_user(username, name=person, organisation=org, role=Role.TTO_OFFICER,
                                   email_domain=f"{key}.{EMAIL_DOMAIN}")
        found[key] = (org, user)
    return found


def _take(request: FundingRequest, state: str, owner: User, investor_user: User, today: datetime.date) -> None:
    if state == "sent":
        return
    if state == "declined":
        services.request_decline(request=request, by=investor_user,
                                 reason="项目所处阶段与本基金的投资阶段不符，且团队尚未完成中试，建议完成中试后再联系。")
        return
    request = services.request_interest(request=request, by=investor_user,
                                        reason="有兴趣，约下周到实验室路演并考察中试线。")
    if state == "invested":
        services.request_invest(request=request, by=investor_user, amount=Decimal("12000000.00"),
                                invested_on=today - datetime.timedelta(days=12))
    elif state == "no_deal":
        services.request_no_deal(request=request, by=owner, reason="估值与对赌条款未能谈拢。")


def investment_seed(*, progress: Callable[[str], None] = lambda message: None) -> InvestmentSummary:
    """Write the demo's investors, funding projects and requests through the services; returns what was made."""
    started = time.monotonic()
    summary = InvestmentSummary()
    if Investor.objects.exists():
        return summary
    today = timezone.localdate()
    with suppressed(), transaction.atomic():
        orgs = _orgs()
        investors = []
        for spec in INVESTORS:
            org, user = orgs[spec["org"]]
            data = {
                "name": spec["name"], "name_en": spec["name_en"], "kind": spec["kind"], "stages": spec["stages"],
                "ticket_min": spec["min"], "ticket_max": spec["max"], "description": spec["description"],
                "fields": [code_item("high_tech_field", c) for c in spec["fields"]],
                "regions": [code_item("region", c) for c in spec["regions"]],
            }
            investor = services.investor_create(by=user, organisation=org, data=data)
            investors.append((services.investor_publish(investor=investor, by=user), user))
        summary.investors = len(investors)
        progress(f"{summary.investors} investors and funds")
        achievements = list(
            Achievement.objects.filter(status__in=[Status.PUBLISHED, Status.REGISTERED], high_tech_field__isnull=False)
            .select_related("owner", "high_tech_field").order_by("id")
        )
        used: set[int] = set()
        for spec in PROJECTS:
            achievement, owner_user = _achievement_with_officer(achievements, used)
            if achievement is None or owner_user is None:
                break
            project = services.project_create(by=owner_user, owner=achievement.owner, data={
                "title": f"{achievement.name[:60]}产业化融资",
                "summary": achievement.summary[:900],
                "amount": spec["amount"], "stage": spec["stage"], "field": achievement.high_tech_field,
                "achievement": achievement,
            })
            summary.projects += 1
            if not spec["requests"]:
                continue
            project = services.project_open(project=project, by=owner_user)
            for index, state in spec["requests"]:
                investor, investor_user = investors[index]
                request = services.request_send(project=project, investor=investor, by=owner_user,
                                                message="附项目路演材料，期待与贵机构进一步交流。")
                _take(request, state, owner_user, investor_user, today)
                summary.requests += 1
    # The investors in the search index and embedded, so the projects' match panels work straight away.
    call_command("rebuild_matching_index", "--kind=investor", stdout=StringIO(), stderr=StringIO())
    summary.seconds = time.monotonic() - started
    return summary


def _achievement_with_officer(achievements: list[Achievement], used: set[int]) -> tuple[Any, Any]:
    for achievement in achievements:
        if achievement.owner_id in used:
            continue
        membership = Membership.objects.filter(
            organisation_id=achievement.owner_id, role=Role.TTO_OFFICER, user__email_confirmed=True,
        ).select_related("user").first()
        if membership is None:
            continue
        used.add(achievement.owner_id)
        return achievement, membership.user
    return None, None


def investment_summary_line(made: InvestmentSummary) -> str:
    return (f"Investment matching: {made.investors} investors and funds, {made.projects} funding projects, "
            f"{made.requests} requests sent ({FundingProject.objects.count()} projects in all) ({made.seconds:.1f} s)")
