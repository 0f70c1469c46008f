"""The demo's IP records (S14): a few hundred patents, software copyrights, IC layout designs and plant variety
rights of the demo's universities, institutes, hospital and enterprises, written through the IP services.

First every IP item the demo's achievements already name becomes a record of its unit, linked to its
achievement; then each unit gets generated records in its own fields (titles from the word lists below, the
unit's researchers as inventors, now and then an enterprise as co-holder), with application numbers carrying
correct check digits. Patents in force have last year's annual fee paid and the next one due on the
application's anniversary (the CNIPA annual-fee scale below, full fees without the reductions most units get:
demo figures only), so the fee list of the next 90 days is populated. About one record in twelve stays a draft.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from techtransfer.accounts.choices import MembershipStatus, OrgType, Role
from techtransfer.accounts.models import Membership, Organisation, User
from techtransfer.achievements.models import Achievement, IPItem
from techtransfer.core.codetables import code_item
from techtransfer.demo.content import content_load
from techtransfer.ipr import services
from techtransfer.ipr.choices import PATENT_TYPES, IPType
from techtransfer.ipr.models import FeeEvent, IPRecord
from techtransfer.ipr.validators import normalise_ip_number, patent_number_with_check, validate_ip_number

DEFAULT_RECORDS = 320
# How many of the generated records each kind of unit gets, relative to the others.
UNIT_WEIGHTS = {OrgType.UNIVERSITY: 10, OrgType.INSTITUTE: 6, OrgType.HOSPITAL: 3, OrgType.ENTERPRISE: 2}
KIND_OF_ITEM = {
    "invention_patent": IPType.INVENTION, "utility_model": IPType.UTILITY_MODEL, "design_patent": IPType.DESIGN,
    "software_copyright": IPType.SOFTWARE, "ic_layout": IPType.IC_LAYOUT, "plant_variety": IPType.PLANT_VARIETY,
}
TYPE_DIGIT = {IPType.INVENTION: "1", IPType.UTILITY_MODEL: "2", IPType.DESIGN: "3"}
# (kind, weight) of a generated record of a unit.
TYPE_MIX = [(IPType.INVENTION, 55), (IPType.UTILITY_MODEL, 20), (IPType.SOFTWARE, 14), (IPType.DESIGN, 6)]

# CNIPA annual fees in 元 by year of the patent (invention; utility model and design), full rates.
ANNUAL_FEES = {
    IPType.INVENTION: [(3, 900), (6, 1200), (9, 2000), (12, 4000), (15, 6000), (20, 8000)],
    "other": [(3, 600), (5, 900), (8, 1200), (10, 2000), (15, 2000)],
}
TERM_YEARS = {IPType.INVENTION: 20, IPType.UTILITY_MODEL: 10, IPType.DESIGN: 15}

# Word lists per high-tech field: techniques, objects (what an invention is about), devices (utility models),
# products (designs) and systems (software).
WORDS: dict[str, dict[str, list[str]]] = {
    "electronics": {
        "tech": ["基于深度学习的", "基于边缘计算的", "低功耗", "基于联邦学习的", "多模态", "抗干扰"],
        "object": ["图像目标检测", "无线传感网络数据融合", "语音关键词识别", "工业视觉缺陷识别", "射频前端信号处理",
                   "存内计算单元调度"],
        "device": ["物联网网关", "毫米波雷达天线", "边缘计算终端", "信号采集板卡"],
        "product": ["边缘计算终端", "智能网关", "工业相机"],
        "system": ["工业视觉质检", "物联网设备管理", "语音识别引擎", "边缘推理调度"],
    },
    "manufacturing": {
        "tech": ["高精度", "自适应", "多轴联动", "在线", "基于数字孪生的", "柔性"],
        "object": ["数控机床热误差补偿", "机器人焊缝跟踪", "减速器齿轮修形", "薄壁件铣削振动抑制",
                   "激光增材制造路径规划", "装配质量检测"],
        "device": ["工件快换夹具", "刀具磨损检测装置", "机器人末端执行器", "自动上下料机构"],
        "product": ["协作机器人", "数控系统操作面板", "视觉检测工作站"],
        "system": ["数控加工仿真", "生产排程优化", "设备健康管理", "机器人离线编程"],
    },
    "biomedicine": {
        "tech": ["靶向", "长效缓释", "基于单细胞测序的", "无创", "高通量", "快速"],
        "object": ["肿瘤标志物检测", "抗体药物偶联物制备", "mRNA递送载体", "肺结节影像辅助诊断", "骨修复支架",
                   "血糖连续监测"],
        "device": ["采血针固定装置", "免疫层析读取装置", "术后引流装置", "医用雾化器"],
        "product": ["医用监护仪", "便携式血糖仪", "核酸检测仪"],
        "system": ["医学影像辅助诊断", "临床试验数据管理", "慢病随访管理", "病理切片分析"],
    },
    "materials": {
        "tech": ["高强韧", "耐高温", "自修复", "纳米", "低成本", "连续"],
        "object": ["铝合金压铸", "碳纤维复合材料成型", "固态电解质膜", "高熵合金涂层", "石墨烯导热膜",
                   "陶瓷基复合材料"],
        "device": ["复合材料热压模具", "粉末冶金送料装置", "涂层厚度检测装置", "熔体除气装置"],
        "product": ["导热垫片", "复合材料型材", "合金铸锭"],
        "system": ["材料性能数据库", "压铸工艺仿真", "热处理工艺优化", "成分设计辅助"],
    },
    "energy": {
        "tech": ["高效", "长寿命", "低成本", "智能", "宽温域", "快速"],
        "object": ["锂离子电池热失控预警", "钠离子电池正极材料", "光伏组件清洗", "氢燃料电池膜电极", "储能变流器控制",
                   "工业余热回收"],
        "device": ["电池包气体采样模块", "光伏支架", "换热器", "储能柜散热装置"],
        "product": ["储能柜", "充电模块", "光伏逆变器"],
        "system": ["电池管理", "微电网能量调度", "光伏电站运维", "储能安全监控"],
    },
    "environment": {
        "tech": ["低温", "高效", "原位", "节能", "一体化", "智能"],
        "object": ["挥发性有机物催化燃烧", "污泥干化", "土壤重金属钝化", "脱硝催化剂", "地下水修复",
                   "垃圾渗滤液处理"],
        "device": ["转轮吸附浓缩装置", "污泥干化机", "在线水质采样器", "除尘器"],
        "product": ["空气质量监测站", "水质检测仪", "除尘设备"],
        "system": ["污染源在线监测", "环境应急指挥", "碳排放核算", "水环境模型"],
    },
    "agriculture": {
        "tech": ["智能", "节水", "绿色", "精准", "低温", "高产"],
        "object": ["温室环境调控", "奶牛发情监测", "小麦抗病品种筛选", "水肥一体化灌溉", "果蔬采后保鲜",
                   "乳酸菌发酵剂制备"],
        "device": ["滴灌控制阀", "牛只计步器", "种子包衣机", "冷链温湿度记录标签"],
        "product": ["温室控制器", "牧场巡检终端", "保鲜箱"],
        "system": ["智慧牧场管理", "农田墒情监测", "冷链温控追溯", "病虫害识别"],
    },
    "transport": {
        "tech": ["主动", "轻量化", "高速", "在线", "智能", "低噪声"],
        "object": ["列车轴承故障诊断", "车身结构件成型", "电动汽车热管理", "自动驾驶路径规划", "轨道扣件检测",
                   "充电桩负荷调度"],
        "device": ["电池包上盖", "转向节", "轨道巡检小车", "制动盘"],
        "product": ["车载控制器", "充电桩", "轨道巡检机器人"],
        "system": ["车辆故障诊断", "轨道交通运维", "车队调度", "高精地图更新"],
    },
    "urban": {
        "tech": ["数字孪生", "智能", "韧性", "多源数据融合的", "实时", "低成本"],
        "object": ["城市内涝预警", "桥梁健康监测", "地下管网泄漏定位", "建筑能耗管理", "交通信号配时",
                   "垃圾分类识别"],
        "device": ["井盖位移监测装置", "桥梁振动传感器", "智能垃圾箱", "路灯控制器"],
        "product": ["智能垃圾箱", "城市部件监测终端", "社区服务终端"],
        "system": ["城市运行监测", "智慧社区服务", "建筑能耗监管", "交通态势研判"],
    },
}
# An invention about a thing (a material, a carrier, a catalyst) is claimed with its preparation; one about a
# task (detection, diagnosis, control) as a method, system or device.
THING_ENDINGS = ["及其制备方法", "的制备方法及应用", "及其制备方法和应用"]
TASK_ENDINGS = ["方法", "方法及系统", "方法及装置", "系统"]
THINGS = ("材料", "膜", "涂层", "载体", "支架", "催化剂", "合金", "偶联物", "发酵剂")
DESIGN_VARIANTS = ["（手持式）", "（便携式）", "（壁挂式）", "（立式）", "（车载）"]
# Enterprises that co-hold some of the universities' and institutes' patents (joint development).
CO_HOLDERS = ["北京泓芯微电子有限公司", "北京驰远汽车零部件有限公司", "北京瑞禾生物制药有限公司",
              "北京澄源环境工程有限公司", "北京云蒙乳业有限公司"]


@dataclass
class IPSummary:
    records: int = 0
    public: int = 0
    linked: int = 0
    fees_due_90: int = 0
    seconds: float = 0.0


def _anniversary_after(applied: datetime.date, day: datetime.date) -> datetime.date:
    """The first anniversary of the application date after `day` (annual fees fall due on it)."""
    year = day.year
    while True:
        try:
            candidate = applied.replace(year=year)
        except ValueError:  # 29 February
            candidate = datetime.date(year, 2, 28)
        if candidate > day:
            return candidate
        year += 1


def annual_fee(ip_type: str, patent_year: int) -> Decimal:
    scale = ANNUAL_FEES.get(ip_type, ANNUAL_FEES["other"])
    for until, amount in scale:
        if patent_year <= until:
            return Decimal(amount)
    return Decimal(scale[-1][1])


class _Seed:
    def __init__(self, rng: random.Random, progress: Callable[[str], None]) -> None:
        self.rng = rng
        self.progress = progress
        self.today = timezone.localdate()
        self.summary = IPSummary()
        self.numbers = set(IPRecord.objects.values_list("number", flat=True))
        self.co_holders = {o.name: o for o in Organisation.objects.filter(name__in=CO_HOLDERS)}

    def managers(self) -> dict[int, User]:
        """The first TTO officer of each unit that has one."""
        found: dict[int, User] = {}
        for m in Membership.objects.filter(role=Role.TTO_OFFICER, status=MembershipStatus.ACTIVE).select_related(
            "user", "organisation"
        ).order_by("pk"):
            if m.organisation.org_type in UNIT_WEIGHTS:
                found.setdefault(m.organisation_id, m.user)
        return found

    def researchers(self, unit: Organisation) -> list[str]:
        names = list(
            Achievement.objects.filter(owner=unit).values_list("persons__name", flat=True).distinct()[:30]
        )
        return [n for n in names if n] or ["王建国", "李明", "张晓"]

    def status_of(self, ip_type: str, granted: bool, applied: datetime.date) -> str:
        if not granted:
            return self.rng.choice(["filed", "examination"]) if ip_type == IPType.INVENTION else "filed"
        if ip_type in (IPType.SOFTWARE, IPType.IC_LAYOUT, IPType.PLANT_VARIETY):
            return "registered"
        term = TERM_YEARS.get(ip_type, 10)
        if (self.today - applied).days > term * 365:
            return "expired"
        return self.rng.choices(["maintained", "granted", "licensed", "transferred", "pledged", "lapsed"],
                                weights=[45, 20, 12, 8, 3, 12])[0]

    def number(self, ip_type: str, year: int) -> str:
        while True:
            if ip_type in PATENT_TYPES:
                number = patent_number_with_check(f"{year}{TYPE_DIGIT[ip_type]}{self.rng.randrange(10**7):07d}")
            elif ip_type == IPType.SOFTWARE:
                number = f"{year}SR{self.rng.randrange(10**6, 2 * 10**6):07d}"
            elif ip_type == IPType.IC_LAYOUT:
                number = f"BS.{year % 100:02d}5{self.rng.randrange(10**6):06d}"
            else:
                number = f"CNA{year}{self.rng.randrange(10**4):04d}.{self.rng.randrange(10)}"
            if number not in self.numbers:
                self.numbers.add(number)
                return number

    def title(self, ip_type: str, field: str) -> str:
        words = WORDS[field]
        pick = self.rng.choice
        if ip_type == IPType.INVENTION:
            subject = pick(words["object"])
            endings = THING_ENDINGS if subject.endswith(THINGS) else TASK_ENDINGS
            return f"一种{pick(words['tech'])}{subject}{pick(endings)}"
        if ip_type == IPType.UTILITY_MODEL:
            return f"一种{pick(['', '便携式', '可调节', '模块化', '一体化'])}{pick(words['device'])}"
        if ip_type == IPType.DESIGN:
            return f"{pick(words['product'])}{pick(DESIGN_VARIANTS)}"
        if ip_type == IPType.PLANT_VARIETY:
            return f"{pick(['京麦', '京冬', '燕农', '京科', '中蔬'])}{self.rng.randint(10, 99)}"
        if ip_type == IPType.IC_LAYOUT:
            serial = self.rng.randint(100, 999)
            return f"{pick(['HX', 'WY', 'BW'])}-{pick(['ADC', 'PMU', 'SoC', 'RF'])}{serial}集成电路布图"
        version = f"V{self.rng.randint(1, 3)}.{self.rng.randint(0, 5)}"
        return f"{pick(words['system'])}{pick(['软件', '平台', '系统'])}{version}"

    def dates(self, ip_type: str, year: int | None = None) -> tuple[datetime.date, datetime.date | None]:
        year = year or self.rng.choices(range(self.today.year - 12, self.today.year + 1),
                                        weights=[1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 8, 8, 5])[0]
        applied = datetime.date(year, self.rng.randint(1, 12), self.rng.randint(1, 28))
        applied = min(applied, self.today - datetime.timedelta(days=20))
        lag = {IPType.INVENTION: (420, 1100), IPType.SOFTWARE: (30, 90), IPType.IC_LAYOUT: (60, 150)}.get(
            ip_type, (150, 330))
        granted = applied + datetime.timedelta(days=self.rng.randint(*lag))
        if granted > self.today - datetime.timedelta(days=7) or (
            ip_type == IPType.INVENTION and self.rng.random() < 0.12
        ):
            return applied, None
        return applied, granted

    def create(self, *, manager: User, unit: Organisation, ip_type: str, number: str, title: str,
               applied: datetime.date, granted: datetime.date | None, field: str | None,
               inventors: list[str], holders: list[Organisation | str], achievement: Achievement | None = None
               ) -> IPRecord | None:
        status = self.status_of(ip_type, granted is not None, applied)
        try:
            record = services.ip_create(by=manager, owner=unit, holders=holders, inventors=inventors, data={
                "ip_type": ip_type, "number": number, "title": title[:300], "application_date": applied,
                "grant_date": granted, "legal_status": code_item("ip_legal_status", status),
                "field": code_item("high_tech_field", field) if field else None,
                "abstract": "", "private_note": "",
            })
        except ValidationError as exc:  # a number the demo's achievements already gave twice: skip it, say so
            self.progress(f"IP record {number} skipped: {exc}")
            return None
        self.summary.records += 1
        if granted is not None and ip_type in PATENT_TYPES and status in ("maintained", "granted", "licensed",
                                                                         "transferred", "pledged"):
            self.fees(manager, record, ip_type, applied, granted)
        if achievement is not None:
            services.ip_links_set(record=record, by=manager, achievements=[achievement.pk])
            self.summary.linked += 1
        if self.rng.random() > 0.08:
            services.ip_publish(record=record, by=manager)
            self.summary.public += 1
        return record

    def fees(self, manager: User, record: IPRecord, ip_type: str, applied: datetime.date,
             granted: datetime.date) -> None:
        due = _anniversary_after(applied, self.today - datetime.timedelta(days=10))
        patent_year = due.year - applied.year + 1
        if patent_year > TERM_YEARS.get(ip_type, 10):
            return
        last = due.replace(year=due.year - 1) if not (due.month == 2 and due.day == 29) else due.replace(
            year=due.year - 1, day=28)
        if last > granted:
            paid = services.fee_add(record=record, by=manager, data={
                "kind": FeeEvent.Kind.ANNUAL, "due_date": last, "amount": annual_fee(ip_type, patent_year - 1),
            })
            paid_on = last - datetime.timedelta(days=self.rng.randint(5, 40))
            services.fee_pay(fee=paid, by=manager, paid_on=min(paid_on, self.today))
        services.fee_add(record=record, by=manager, data={
            "kind": FeeEvent.Kind.ANNUAL, "due_date": due, "amount": annual_fee(ip_type, patent_year),
            "note": f"第{patent_year}年年费",
        })

    def from_achievements(self, managers: dict[int, User]) -> None:
        items = IPItem.objects.select_related("achievement", "achievement__owner", "achievement__high_tech_field")
        for item in items.order_by("pk"):
            achievement = item.achievement
            manager = managers.get(achievement.owner_id)
            ip_type = KIND_OF_ITEM.get(item.kind)
            if manager is None or ip_type is None:
                continue
            number = normalise_ip_number(ip_type, item.number)
            try:
                validate_ip_number(ip_type, number)
            except ValidationError:
                continue
            if number in self.numbers:
                continue
            self.numbers.add(number)
            year = int(number[:4]) if number[:4].isdigit() else None
            applied, granted = self.dates(ip_type, year)
            if item.granted and granted is None:
                granted = min(applied + datetime.timedelta(days=400), self.today - datetime.timedelta(days=8))
            if not item.granted:
                granted = None
            inventors = [p.name for p in achievement.persons.all()][:5] or self.researchers(achievement.owner)[:3]
            self.create(manager=manager, unit=achievement.owner, ip_type=ip_type, number=number,
                        title=item.title or achievement.name, applied=applied, granted=granted,
                        field=achievement.high_tech_field.code if achievement.high_tech_field else None,
                        inventors=inventors, holders=[achievement.owner], achievement=achievement)

    def generated(self, managers: dict[int, User], target: int) -> None:
        units = list(Organisation.objects.filter(pk__in=managers).order_by("pk"))
        weights = [UNIT_WEIGHTS[u.org_type] for u in units]
        specs = {spec.name: spec for spec in content_load().organisations}
        fields_of = {u.pk: [f for f in getattr(specs.get(u.name), "fields", ()) if f in WORDS] or ["electronics"]
                     for u in units}
        registered = {
            u.pk: list(Achievement.objects.filter(owner=u, status__in=["registered", "published"]).order_by("pk"))
            for u in units
        }
        while self.summary.records < target:
            unit = self.rng.choices(units, weights=weights)[0]
            field = self.rng.choice(fields_of[unit.pk])
            kinds, kind_weights = zip(*TYPE_MIX, strict=True)
            ip_type = self.rng.choices(kinds, weights=kind_weights)[0]
            if unit.name == "北京泓芯微电子有限公司" and self.rng.random() < 0.3:
                ip_type = IPType.IC_LAYOUT
            breeder = unit.name in ("京北医科大学", "北京云蒙乳业有限公司") and field == "agriculture"
            if breeder and self.rng.random() < 0.3:
                ip_type = IPType.PLANT_VARIETY
            applied, granted = self.dates(ip_type)
            holders: list[Organisation | str] = [unit]
            if unit.org_type != OrgType.ENTERPRISE and ip_type in PATENT_TYPES and self.rng.random() < 0.15:
                partner = self.co_holders.get(self.rng.choice(CO_HOLDERS))
                if partner is not None:
                    holders.append(partner)
            people = self.researchers(unit)
            inventors = self.rng.sample(people, k=min(len(people), self.rng.randint(1, 4)))
            linked = None
            candidates = [a for a in registered[unit.pk] if a.high_tech_field_id and
                          a.high_tech_field.code == field] if registered[unit.pk] else []
            if candidates and self.rng.random() < 0.2:
                linked = self.rng.choice(candidates)
            number = self.number(ip_type, applied.year)
            self.create(manager=managers[unit.pk], unit=unit, ip_type=ip_type, number=number,
                        title=self.title(ip_type, field), applied=applied, granted=granted, field=field,
                        inventors=inventors, holders=holders, achievement=linked)
            if self.summary.records % 100 == 0:
                self.progress(f"IP records: {self.summary.records}")


def ipr_seed(*, records: int = DEFAULT_RECORDS, seed: int = 12,
             progress: Callable[[str], None] = lambda message: None) -> IPSummary:
    """Write the demo's IP records (about `records`) through the services; returns what was made."""
    started = time.monotonic()
    run = _Seed(random.Random(seed), progress)
    managers = run.managers()
    if not managers:
        progress("IP demo skipped: no unit has a TTO officer.")
        return run.summary
    run.from_achievements(managers)
    run.generated(managers, records)
    horizon = run.today + datetime.timedelta(days=90)
    run.summary.fees_due_90 = IPRecord.objects.filter(next_fee_due__lte=horizon).count()
    run.summary.seconds = time.monotonic() - started
    return run.summary
