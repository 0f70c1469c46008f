"""The demo's S&T commissioners (科技特派员) and consultations (S17), written through the talent services.

Six commissioners of the demo's universities and institutes serve agricultural and manufacturing enterprises
and three villages in 延庆, 密云 and 平谷 this year; they record about forty visits, most of which the
enterprises confirm (two are disputed); a few enterprises ask experts (from the matching index) for advice.
The most published expert at a university has claimed the profile (login expert_demo) and written a research
focus; the same person is also named, as a part-time researcher, on an achievement of another university, which
makes a second profile for the commission to merge. A second expert's claim waits for review by the commission
and the expert's unit.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import Organisation, User
from techtransfer.achievements.models import Achievement, CompletingPerson
from techtransfer.core.codetables import code_item
from techtransfer.core.models import CodeItem
from techtransfer.core.workflow import step_take
from techtransfer.demo.identifiers import uscc_make
from techtransfer.demo.loader import demo_user
from techtransfer.matching.models import Expert
from techtransfer.matching.profiles import profiles_refresh_for_achievement
from techtransfer.talent import services
from techtransfer.talent.models import Commissioner
from techtransfer.talent.workflows import CLAIM_FLOW

# (username, name, field codes, service district)
PEOPLE = [
    ("tp_sunhe", "孙禾", ["agriculture", "biomedicine"], "110119"),
    ("tp_zhoumin", "周敏", ["agriculture"], "110118"),
    ("tp_hanlei", "韩磊", ["manufacturing", "electronics"], "110117"),
    ("tp_wujing", "吴静", ["materials", "agriculture"], "110119"),
    ("tp_liuyang", "刘洋", ["energy", "environment"], "110118"),
    ("tp_zhengqi", "郑琪", ["agriculture", "electronics"], "110117"),
]
# (name, district, staff username, staff name)
ENTERPRISES = [
    ("北京妫水葡萄酒庄有限公司", "110119", "ent_guishui", "高晓燕"),
    ("北京延怀河谷农业科技有限公司", "110119", "ent_yanhuai", "马建军"),
    ("北京密云水库鱼业有限公司", "110118", "ent_miyunyu", "杜春华"),
    ("北京云岫蜂业科技有限公司", "110118", "ent_yunxiu", "许国栋"),
    ("北京平谷大桃产业发展有限公司", "110117", "ent_dataoye", "王秋实"),
    ("北京峪口智能装备有限公司", "110117", "ent_yukou", "邵立新"),
]
VILLAGES = [("大庄科乡沙塘沟村", "110119"), ("古北口镇古北口村", "110118"), ("大华山镇挂甲峪村", "110117")]
NOTES = {
    "guidance": ["现场指导葡萄霜霉病防治与修剪", "调试温室滴灌控制器并讲解水肥一体化参数", "指导冷库温湿度控制方案"],
    "training": ["为合作社社员讲授林下养蜂技术", "开展设施农业病虫害绿色防控培训", "数控设备操作与维护培训"],
    "achievement": ["介绍大桃果实品质无损检测成果", "推介冷水鱼循环水养殖技术成果"],
    "diagnosis": ["诊断果园土壤板结原因并取样送检", "排查生产线视觉检测误判问题"],
    "project": ["辅导企业申报区级农业科技项目"],
    "demonstration": ["示范蜂箱智能称重监测设备", "示范果园无人机植保作业"],
}
FIELDS_FALLBACK = "agriculture"
# (username, evidence) of the person who claimed a profile, and of one whose claim waits for review.
EXPERT_LOGIN = ("expert_demo", "本校教授，个人主页见学院网站“师资队伍”栏目，可用单位邮箱核实。")
CLAIM_WAITING = ("expert_claim_demo", "本人为该单位研究员，工号可由人事处核实。")


@dataclass
class TalentSummary:
    commissioners: int = 0
    assignments: int = 0
    visits: int = 0
    confirmed: int = 0
    consultations: int = 0
    claimed: int = 0
    seconds: float = 0.0


def talent_logins() -> list[tuple[str, str, str]]:
    """(role, username, organisation) of one commissioner and one served enterprise, for `demo_logins`."""
    rows = []
    c = Commissioner.objects.filter(user__username=PEOPLE[0][0]).select_related("user", "dispatching_unit").first()
    if c is not None:
        rows.append(("科技特派员 / S&T commissioner", c.user.username, c.dispatching_unit.name))
    staff = User.objects.filter(username=ENTERPRISES[0][2]).first()
    if staff is not None:
        rows.append(("受援企业 / Served enterprise", staff.username, ENTERPRISES[0][0]))
    expert = Expert.objects.filter(account__username=EXPERT_LOGIN[0]).first()
    if expert is not None:
        rows.append(("专家（已认领档案）/ Expert, claimed profile", EXPERT_LOGIN[0], expert.unit_name))
    return rows


def _claim_experts(admin: User) -> int:
    """The first expert at a university claims the profile, is approved and writes its own part; the next one's
    claim waits for review. Returns how many profiles are claimed."""
    experts = list(Expert.objects.filter(organisation__org_type=OrgType.UNIVERSITY, account__isnull=True)
                   .select_related("organisation").order_by("-achievement_count", "pk")[:2])
    for n, expert in enumerate(experts):
        username, evidence = (EXPERT_LOGIN, CLAIM_WAITING)[n]
        user, _created = demo_user(username, name=expert.name, organisation=expert.organisation)
        claim = services.expert_claim(by=user, expert=expert, evidence=evidence)
        if n == 0:
            CLAIM_FLOW.run("approve", record=claim, by=admin)
            named = Achievement.objects.public().filter(persons__name=expert.name, owner=expert.organisation)
            keywords = [k for a in named.order_by("-published_at")[:6] for k in a.keywords]
            field = named.exclude(high_tech_field=None).values_list("high_tech_field__label_zh", flat=True).first()
            terms = list(dict.fromkeys(keywords))
            directions = f"，主要方向：{'、'.join(terms[:4])}" if terms else ""
            services.expert_profile_update(by=user, expert=expert, data={
                "research_focus": f"长期从事{field or '相关'}领域的应用研究与成果转化{directions}。"
                                  "欢迎企业就工程化、中试与标准制定开展合作。",
                "expertise": terms[:8],
            })
            _named_elsewhere(expert)
    return min(len(experts), 1)


def _named_elsewhere(expert: Expert) -> None:
    """Name the expert as a part-time researcher on another university's published achievement, as joint
    appointments do: the records then make a second profile, a merge candidate. (The persons of a published
    record are written directly: the demo stands in for an import of such a record.)"""
    achievement = (Achievement.objects.public().filter(owner__org_type=OrgType.UNIVERSITY)
                   .exclude(owner=expert.organisation).order_by("pk").first())
    if achievement is None:
        return
    last = achievement.persons.order_by("-position").values_list("position", flat=True).first() or 0
    CompletingPerson.objects.create(achievement=achievement, position=last + 1, name=expert.name,
                                    unit_name=achievement.owner.name, title="兼职研究员")
    profiles_refresh_for_achievement(achievement.pk)


def _field(code: str) -> list[CodeItem]:
    return list(CodeItem.objects.current("high_tech_field").filter(code=code)[:1])


def talent_seed(*, seed: int = 17, progress: Callable[[str], None] = lambda _m: None) -> TalentSummary:
    started = time.monotonic()
    summary = TalentSummary()
    rng = random.Random(seed)
    admin = User.objects.filter(memberships__role=Role.COMMISSION_ADMIN).order_by("pk").first()
    units = list(Organisation.objects.filter(org_type__in=[OrgType.UNIVERSITY, OrgType.INSTITUTE]).order_by("pk")[:6])
    if admin is None or not units or Commissioner.objects.filter(user__username=PEOPLE[0][0]).exists():
        return summary
    today = timezone.localdate()
    enterprises = []
    for name, district, username, person in ENTERPRISES:
        org = Organisation.objects.filter(name=name).first() or Organisation.objects.create(
            name=name, org_type=OrgType.ENTERPRISE, is_verified=True, verified_at=timezone.now(),
            region=code_item("region", district), uscc=uscc_make(rng, category="91", region=district))
        staff, _created = demo_user(username, name=person, organisation=org, role=Role.TTO_OFFICER)
        enterprises.append((org, staff, district))
    start, end = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    plans = []
    for n, (username, person, fields, district) in enumerate(PEOPLE):
        unit = units[n % len(units)]
        user, _created = demo_user(username, name=person, organisation=unit)
        items = [item for code in fields for item in _field(code)] or _field(FIELDS_FALLBACK)
        commissioner = services.commissioner_appoint(by=admin, user=user, year=today.year, dispatching_unit=unit,
                                                     service_region=code_item("region", district), fields=items)
        summary.commissioners += 1
        org, staff, _district = enterprises[n]
        first = services.assignment_add(by=admin, commissioner=commissioner, enterprise=org, start=start, end=end)
        plans.append((user, first, staff))
        if n < len(VILLAGES):
            name, village_district = VILLAGES[n]
            village = services.assignment_add(by=admin, commissioner=commissioner, village_name=name,
                                              village_region=code_item("region", village_district),
                                              start=start, end=end)
            plans.append((user, village, None))
            summary.assignments += 1
        summary.assignments += 1
    days = max((today - start).days, 1)
    disputed = 0
    for i in range(40):
        user, assignment, staff = plans[i % len(plans)]
        kind = rng.choice(list(NOTES))
        visit = services.visit_record(by=user, assignment=assignment, data={
            "date": start + datetime.timedelta(days=rng.randrange(days)), "kind": kind,
            "hours": Decimal(rng.choice(["2.0", "3.0", "3.5", "4.0", "6.0", "8.0"])),
            "people_served": rng.randint(2, 40) if kind == "training" else rng.randint(1, 8),
            "note": rng.choice(NOTES[kind]),
        })
        summary.visits += 1
        if staff is not None and rng.random() < 0.8:
            dispute = disputed < 2 and rng.random() < 0.1
            services.visit_confirm(visit=visit, by=staff, disputed=dispute,
                                   note="当天特派员未到企业，记录日期有误" if dispute else "")
            disputed += dispute
            summary.confirmed += not dispute
    experts = list(Expert.objects.order_by("-achievement_count", "pk")[:4])
    questions = ["想请教葡萄酒发酵温度控制的优化方案", "冷水鱼循环水养殖的水质在线监测如何选型？",
                 "果品分选线的视觉检测能否识别内部褐变？", "蜂蜜溯源需要哪些检测指标？"]
    for n, expert in enumerate(experts):
        _org, staff, _d = enterprises[n]
        c = services.consultation_ask(by=staff, expert=expert, message=questions[n])
        if n in (1, 2):
            c = step_take(record=c, step="accept", by=admin, reason="专家同意，下周电话沟通")
        if n == 2:
            step_take(record=c, step="finish", by=admin, reason="已电话答复并推荐检测方案")
        if n == 3:
            step_take(record=c, step="decline", by=admin, reason="专家近期出国交流，建议另选专家")
        summary.consultations += 1
    summary.claimed = _claim_experts(admin)
    # The experts' profiles as the claim and the second unit left them, embedded, so the match panels use them.
    call_command("rebuild_matching_index", "--kind=expert", stdout=StringIO(), stderr=StringIO())
    summary.seconds = time.monotonic() - started
    progress(f"commissioners: {summary.commissioners} appointed")
    return summary


def talent_summary_line(s: TalentSummary) -> str:
    return (f"S&T commissioners: {s.commissioners}, {s.assignments} assignments, {s.visits} visits "
            f"({s.confirmed} confirmed), {s.consultations} consultations, {s.claimed} expert profile claimed "
            f"({s.seconds:.1f} s)")
