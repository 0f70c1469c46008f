"""Demo technology contracts at real scale: Beijing's 16 district registration points with a registrar each,
sellers (the demo's units and generated ones) and N registered contracts whose yearly counts and turnover,
category mix, buyers' destinations and Tianjin–Hebei share follow the published Beijing figures, scaled to N
(data/contracts.toml gives every target with its source).

Written with bulk_create, not through the services: 100,000 contracts in well under two minutes. What the
services would set is set here the same way: numbers of the rule set's format (year + the point's region +
serial, in registration order per prefix, the sequences moved past them so that later registrations continue
the series), the rule set in force on the submission day, the decision deadline, the approved and declared
technical values (with the non-technical items that make the difference), the seller's central/local
attribute and a verification code. A handful of applications wait at each point (submitted with deadlines,
returned, drafts) for the registrars' queues, and today has registrations so the live board is not empty.
`contracts_changed` is sent at the end with every registration month.
"""

from __future__ import annotations

import bisect
import datetime
import hashlib
import math
import random
import time
import tomllib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from techtransfer.accounts.choices import Affiliation, OrgType, Role
from techtransfer.accounts.models import Organisation, User
from techtransfer.contracts import rules
from techtransfer.contracts.choices import AttachmentKind, Category, ContractStatus, NonTechnicalKind, SubType
from techtransfer.contracts.models import (
    ContractAttachment,
    ContractNumberSequence,
    ContractRuleSet,
    ContractStatusChange,
    NonTechnicalItem,
    TechnologyContract,
)
from techtransfer.contracts.signals import contracts_changed_send, registration_months
from techtransfer.core.models import CodeItem
from techtransfer.demo.identifiers import USCC_CATEGORY, proof_pdf, uscc_make
from techtransfer.demo.loader import EMAIL_DOMAIN, demo_user

DATA = Path(__file__).resolve().parent / "data" / "contracts.toml"
DEFAULT_CONTRACTS = 600
BATCH = 5000
CHINA = "142"
HMT = {"110": "810000", "121": "820000", "143": "710000"}  # customs code → GB/T 2260 region
REGISTRAR = "registrar"
REGISTRAR_LOGIN = ("海淀区技术合同登记员", "Registrar at a contract registration point (Haidian)")

# Beijing's 16 districts: GB/T 2260 code, name, pinyin (for the registrars' user names).
DISTRICTS = [
    ("110101", "东城区", "dongcheng"), ("110102", "西城区", "xicheng"), ("110105", "朝阳区", "chaoyang"),
    ("110106", "丰台区", "fengtai"), ("110107", "石景山区", "shijingshan"), ("110108", "海淀区", "haidian"),
    ("110109", "门头沟区", "mentougou"), ("110111", "房山区", "fangshan"), ("110112", "通州区", "tongzhou"),
    ("110113", "顺义区", "shunyi"), ("110114", "昌平区", "changping"), ("110115", "大兴区", "daxing"),
    ("110116", "怀柔区", "huairou"), ("110117", "平谷区", "pinggu"), ("110118", "密云区", "miyun"),
    ("110119", "延庆区", "yanqing"),
]
MAIN_POINT = "110108"  # the registrar login's point: Haidian, where most sellers are
# Where the generated sellers are (weights): the university and high-tech districts first. UNCONFIRMED.
SELLER_DISTRICTS = {
    "110108": 30, "110105": 16, "110102": 8, "110101": 5, "110106": 6, "110114": 7, "110115": 6, "110112": 5,
    "110113": 4, "110107": 3, "110111": 3, "110116": 2, "110109": 1, "110117": 1, "110118": 1, "110119": 1,
}
# Generated sellers: no universities (the demo's own universities, with their supervising department, sell).
SELLER_TYPES = {OrgType.ENTERPRISE: 82, OrgType.INSTITUTE: 10, OrgType.TRANSFER_INSTITUTION: 5, OrgType.HOSPITAL: 3}
SELLER_ORG_TYPES = (*SELLER_TYPES, OrgType.UNIVERSITY)
KIND_WORDS = {OrgType.ENTERPRISE: "企业", OrgType.INSTITUTE: "研究机构", OrgType.TRANSFER_INSTITUTION: "技术转移机构",
              OrgType.HOSPITAL: "医疗机构"}
NATURE_OF_TYPE = {
    OrgType.UNIVERSITY: "0221", OrgType.INSTITUTE: "0211", OrgType.HOSPITAL: "0231",
    OrgType.TRANSFER_INSTITUTION: "150",
}
ENTERPRISE_NATURES = {"150": 60, "170": 15, "160": 15, "110": 10}
CENTRAL_SHARE = {OrgType.UNIVERSITY: 0.6, OrgType.INSTITUTE: 0.6, OrgType.HOSPITAL: 0.3}
BUYER_NATURES = {"150": 45, "170": 15, "160": 12, "110": 10, "0211": 4, "0221": 3, "0231": 3, "0131": 4, "030": 2,
                 "180": 2}
REGISTRAR_NAMES = ["何静", "刘洋", "王芳", "张伟", "陈晨", "杨帆", "赵敏", "黄磊", "周婷", "吴昊", "徐丽", "孙鹏",
                   "马琳", "朱峰", "胡悦", "郭强"]

# Name parts of the invented parties and projects.
NAME_HEADS = ["中科", "华信", "京东方圆", "创新", "智源", "星河", "博远", "恒通", "天润", "远景", "清源", "未来",
              "鼎新", "联创", "海创", "瑞达", "启明", "金石", "云帆", "卓越", "汇智", "锐思", "新锐", "长城",
              "燕山", "昆仑", "长风", "融信", "正阳", "明德", "盛世", "宏图", "北斗", "磐石", "数联", "通达"]
NAME_TRADES = ["信息技术", "智能科技", "生物技术", "医药科技", "新材料", "能源科技", "环境工程", "交通科技",
               "软件", "数据科技", "电子", "精密制造", "检测技术", "工程设计", "农业科技", "航空科技"]
SELLER_SUFFIX = {
    OrgType.ENTERPRISE: "有限公司", OrgType.TRANSFER_INSTITUTION: "技术转移有限公司", OrgType.INSTITUTE: "研究院",
    OrgType.UNIVERSITY: "学院", OrgType.HOSPITAL: "医院",
}
FOREIGN_HEADS = ["Northwind", "Bluepeak", "Silverline", "Greenfield", "Brightwave", "Ironwood", "Clearwater",
                 "Summit", "Harbor", "Keystone", "Redstone", "Lakeside"]
FOREIGN_TRADES = ["Technologies", "Systems", "Biotech", "Materials", "Energy", "Robotics", "Diagnostics", "Labs"]
FOREIGN_SUFFIX = {"502": "Inc.", "304": "GmbH", "116": "K.K.", "133": "Co., Ltd.", "132": "Pte. Ltd.",
                  "344": "LLC", "303": "Ltd.", "601": "Pty Ltd", "110": "Limited", "121": "Limitada",
                  "143": "Co., Ltd."}
TOPICS = {
    "01": ["工业互联网平台", "智慧城市数据中台", "5G专网", "人工智能视觉检测", "政务云迁移", "大数据风控模型",
           "物联网感知终端", "网络安全态势感知"],
    "02": ["无人机飞控系统", "卫星遥感数据处理", "航空发动机部件检测", "机载设备适航"],
    "03": ["数控机床误差补偿", "工业机器人离线编程", "增材制造工艺", "智能产线改造", "精密减速器"],
    "04": ["创新药临床前研究", "医疗器械注册检验", "细胞治疗工艺", "体外诊断试剂", "中药质量标准"],
    "05": ["高性能碳纤维复合材料", "石墨烯导热膜", "特种合金热处理", "新型建筑涂料"],
    "06": ["储能电站能量管理", "光伏电站运维", "氢燃料电池系统", "建筑节能改造", "余热回收"],
    "07": ["污水处理提标改造", "土壤修复", "固废资源化利用", "大气污染源解析", "碳排放核算"],
    "08": ["核技术辐照应用", "放射性检测"],
    "09": ["设施农业智能控制", "种质资源鉴定", "畜禽疫病检测"],
    "10": ["城市轨道交通信号", "智能网联汽车测试", "交通流量预测", "桥梁健康监测"],
    "11": ["城市更新规划", "智慧社区建设", "地下管网检测", "文物数字化保护", "应急管理平台"],
}
CATEGORY_WORDS = {
    Category.DEVELOPMENT: "技术开发", Category.TRANSFER: "技术转让", Category.LICENCE: "技术许可",
    Category.CONSULTING: "技术咨询", Category.SERVICE: "技术服务",
}
ITEM_KINDS = [NonTechnicalKind.EQUIPMENT, NonTechnicalKind.INSTRUMENTS, NonTechnicalKind.COMPONENTS,
              NonTechnicalKind.MATERIALS]
ITEM_DESCRIPTIONS = {
    NonTechnicalKind.EQUIPMENT: "配套设备采购", NonTechnicalKind.INSTRUMENTS: "检测仪器采购",
    NonTechnicalKind.COMPONENTS: "元器件采购", NonTechnicalKind.MATERIALS: "原材料采购",
}
RETURN_REASON = "请补充技术合同的技术指标和验收标准，并提供加盖公章的合同文本。"
# Destination groups of the buyers.
LOCAL, TJ, OTHER, ABROAD = "local", "tianjin_hebei", "other", "abroad"
DESTINATIONS = (LOCAL, TJ, OTHER, ABROAD)


def targets() -> dict[str, Any]:
    with DATA.open("rb") as f:
        return tomllib.load(f)


@dataclass
class ContractsSummary:
    """What one run made, for the command's report."""

    registered: int = 0
    waiting: int = 0  # submitted, returned, drafts, refused
    points: int = 0
    sellers_created: int = 0
    users: int = 0
    seconds: float = 0.0
    by_year: dict[int, int] = field(default_factory=dict)


# -------------------------------------------------------------------------------------------------------------
# Plain helpers (no database)


def allocate(total: int, weights: dict[Any, float]) -> dict[Any, int]:
    """`total` split in proportion to `weights` by largest remainder (the counts add up exactly)."""
    whole = sum(weights.values())
    if total <= 0 or whole <= 0:
        return dict.fromkeys(weights, 0)
    exact = {k: total * w / whole for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    rest = total - sum(counts.values())
    for k in sorted(exact, key=lambda k: (exact[k] - counts[k], str(k)), reverse=True)[:rest]:
        counts[k] += 1
    return counts


def year_fraction(year: int, today: datetime.date) -> float:
    """The share of `year` gone by `today` (1 for past years, 0 for future ones)."""
    if year < today.year:
        return 1.0
    if year > today.year:
        return 0.0
    start = datetime.date(year, 1, 1)
    return ((today - start).days + 1) / ((datetime.date(year + 1, 1, 1) - start).days)


def year_counts(n: int, spec: dict[str, Any], today: datetime.date) -> dict[int, int]:
    """N registered contracts split over the years by their contract counts (the current year pro rata)."""
    weights = {y["year"]: y["contracts"] * year_fraction(y["year"], today) for y in spec["year"]}
    return {y: c for y, c in allocate(n, weights).items() if c}


def category_shares(spec: dict[str, Any], year: int, measure: str) -> dict[str, float]:
    """The category shares of a year; before 2021 the licence share goes to transfer."""
    shares = {key: float(value[measure]) for key, value in spec["categories"].items()}
    if year < 2021:
        shares[Category.TRANSFER] += shares.pop(Category.LICENCE)
    return shares


def destination_shares(spec: dict[str, Any], year: int, measure: str) -> dict[str, float]:
    flow = spec["flow"]
    tj = next(t[measure] for t in spec["tianjin_hebei"] if year in t["years"])
    outflow = flow["outflow"][measure]
    return {LOCAL: flow["local"][measure], TJ: outflow * tj, OTHER: outflow * (1 - tj),
            ABROAD: flow["abroad"][measure]}


def rake(
    weights: list[float], groups: Sequence[Sequence[Any]], targets_by: Sequence[dict[Any, float]],
    iterations: int = 40,
) -> list[float]:
    """Scale `weights` so that their sums per group meet every target (iterative proportional fitting):
    groups[k][i] is contract i's group in dimension k, targets_by[k] the wanted sum of each group."""
    values = list(weights)
    for _ in range(iterations):
        for dimension, wanted in zip(groups, targets_by, strict=True):
            sums: dict[Any, float] = defaultdict(float)
            for group, value in zip(dimension, values, strict=True):
                sums[group] += value
            factors = {g: (wanted.get(g, 0.0) / s if s else 0.0) for g, s in sums.items()}
            values = [value * factors[group] for group, value in zip(dimension, values, strict=True)]
    return values


def weighted(rng: random.Random, table: dict[str, float]) -> Callable[[], str]:
    keys, cumulative = list(table), []
    total = 0.0
    for key in keys:
        total += float(table[key])
        cumulative.append(total)

    def pick() -> str:
        return keys[bisect.bisect_right(cumulative, rng.random() * total)]

    return pick


# -------------------------------------------------------------------------------------------------------------
# The generator


class ContractGenerator:
    """One run: `ContractGenerator(n, seed=...).run()`."""

    def __init__(
        self, n: int, *, seed: int = 2023, today: datetime.date | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.n = n
        self.rng = random.Random(seed)
        self.spec = targets()
        self.today = today or timezone.localdate()
        self.progress = progress or (lambda _message: None)
        self.summary = ContractsSummary()
        self.codes: dict[str, dict[str, CodeItem]] = {}
        self.points: dict[str, Organisation] = {}
        self.registrars: dict[int, User] = {}
        self.sellers: list[Organisation] = []
        self.seller_weights: list[float] = []
        self.seller_nature: dict[int, str] = {}
        self.rule_sets = list(ContractRuleSet.objects.order_by("valid_from"))
        self._due: dict[tuple[Any, ...], datetime.date] = {}
        self.tz = timezone.get_current_timezone()

    # -- reference data --------------------------------------------------------------------------------

    def code(self, table: str, code: str) -> CodeItem:
        self.codes_of(table)
        return self.codes[table][code]

    def rule_set_on(self, day: datetime.date) -> ContractRuleSet:
        chosen = None
        for rule_set in self.rule_sets:
            if rule_set.valid_from <= day:
                chosen = rule_set
        if chosen is None:
            raise ValueError(f"No contract rule set on {day}")
        return chosen

    def categories_on(self, day: datetime.date) -> dict[str, list[str]]:
        return dict(self.rule_set_on(day).categories)

    def decision_due(self, rule_set: ContractRuleSet, accepted: datetime.date, value: Decimal) -> datetime.date:
        large = rule_set.large_threshold is not None and value >= rule_set.large_threshold
        key = (rule_set.pk, accepted, large)
        if key not in self._due:
            self._due[key] = rules.decision_due(rule_set, accepted, value, disputed=False)
        return self._due[key]

    # -- points, registrars, sellers -------------------------------------------------------------------

    def points_make(self) -> None:
        existing = {o.name: o for o in Organisation.objects.filter(org_type=OrgType.CONTRACT_REGISTRY)}
        for index, (code, district, pinyin) in enumerate(DISTRICTS):
            name = f"北京市{district}技术合同登记站"
            point = existing.get(name)
            if point is None:
                point = Organisation.objects.create(
                    name=name, name_en=f"{pinyin.capitalize()} District technology contract registration point",
                    org_type=OrgType.CONTRACT_REGISTRY, region=self.code("region", code),
                    uscc=uscc_make(self.rng, category=USCC_CATEGORY[OrgType.CONTRACT_REGISTRY], region=code),
                    address=f"北京市{district}", is_verified=True, verified_at=timezone.now(),
                    description=f"{district}的技术合同认定登记机构：受理卖方在本区的技术合同登记申请，核定技术交易额，"
                    "出具技术合同登记证明。",
                )
                self.summary.points += 1
            self.points[code] = point
            username = REGISTRAR if code == MAIN_POINT else f"{REGISTRAR}_{pinyin}"
            user, created = demo_user(username, name=REGISTRAR_NAMES[index], organisation=point, role=Role.REVIEWER,
                                      email_domain=f"{pinyin}-point.{EMAIL_DOMAIN}")
            self.summary.users += created
            self.registrars[point.pk] = user

    def sellers_make(self) -> None:
        """The demo's units that sell technology, and generated ones (more for a larger N)."""
        demo = list(
            Organisation.objects.filter(org_type__in=SELLER_ORG_TYPES, region__code__startswith="11")
            .select_related("region").order_by("name")
        )
        wanted = max(40, min(4000, self.n // 25))
        taken = set(Organisation.objects.values_list("name", flat=True))
        pick_type, pick_district = weighted(self.rng, SELLER_TYPES), weighted(self.rng, SELLER_DISTRICTS)
        new: list[Organisation] = []
        usccs = set(Organisation.objects.exclude(uscc=None).values_list("uscc", flat=True))
        attempts = 0
        while len(new) < wanted - len(demo) and attempts < wanted * 20:
            attempts += 1
            org_type = pick_type()
            district = pick_district()
            trade = self.rng.choice(NAME_TRADES)
            name = f"北京{self.rng.choice(NAME_HEADS)}{trade}{SELLER_SUFFIX[org_type]}"
            if org_type == OrgType.HOSPITAL:
                name = f"北京{self.rng.choice(NAME_HEADS)}{self.rng.choice(['中西医结合', '康复', '肿瘤', '骨科'])}医院"
            if name in taken:
                continue
            uscc = uscc_make(self.rng, category=USCC_CATEGORY[org_type], region=district)
            if uscc in usccs:
                continue
            taken.add(name)
            usccs.add(uscc)
            central = self.rng.random() < CENTRAL_SHARE.get(org_type, 0.1)
            new.append(Organisation(
                name=name, org_type=org_type, region=self.code("region", district), uscc=uscc,
                affiliation=Affiliation.CENTRAL if central else Affiliation.LOCAL, is_verified=True,
                verified_at=timezone.now(),
                description=f"从事{trade}领域技术开发、技术咨询和技术服务的{KIND_WORDS[org_type]}。",
            ))
        Organisation.objects.bulk_create(new, batch_size=BATCH)
        self.summary.sellers_created = len(new)
        self.sellers = demo + list(
            Organisation.objects.filter(name__in=[o.name for o in new]).select_related("region").order_by("name")
        )
        pick_nature = weighted(self.rng, ENTERPRISE_NATURES)
        for org in self.sellers:
            # Activity is heavy-tailed too: a few universities and firms file most contracts.
            bonus = 4.0 if org in demo else 1.0
            self.seller_weights.append(bonus * math.exp(self.rng.gauss(0, 1.2)))
            self.seller_nature[org.pk] = NATURE_OF_TYPE.get(org.org_type) or pick_nature()

    # -- buyers ----------------------------------------------------------------------------------------

    def regions_prepare(self) -> None:
        """Prefecture-level cities per province (districts for the municipalities), for the buyers' regions."""
        by_province: dict[str, list[str]] = defaultdict(list)
        counties: dict[str, list[str]] = defaultdict(list)
        for code in self.codes_of("region"):
            if len(code) != 6 or code.endswith("0000") or code == "900000":
                continue
            if code.endswith("00"):
                by_province[code[:2]].append(code)
            else:
                counties[code[:2]].append(code)
        self.cities = {p: sorted(by_province.get(p) or counties[p]) for p in {*by_province, *counties}}
        self.legacy = set(self.codes_of("legacy_region"))
        self.org_by_name = {o.name: o for o in Organisation.objects.select_related("region")}
        self.local_buyers = list(
            Organisation.objects.filter(
                org_type__in=[OrgType.ENTERPRISE, OrgType.HOSPITAL], region__code__startswith="11"
            ).select_related("region")
        )

    def codes_of(self, table: str) -> list[str]:
        if table not in self.codes:
            self.codes[table] = {i.code: i for i in CodeItem.objects.current(table)}
        return list(self.codes[table])

    def legacy_of(self, region: str) -> str:
        return region[:4] if region[:4] in self.legacy else f"{region[:2]}00"

    def buyer(self, destination: str) -> dict[str, Any]:
        rng = self.rng
        nature = self.pick_buyer_nature()
        head, trade = rng.choice(NAME_HEADS), rng.choice(NAME_TRADES)
        if destination == ABROAD:
            country = self.pick_country()
            name = f"{rng.choice(FOREIGN_HEADS)} {rng.choice(FOREIGN_TRADES)} {FOREIGN_SUFFIX.get(country, 'Ltd.')}"
            region = HMT.get(country)
            return {
                "buyer_name": name, "buyer_country": self.code("country", country),
                "buyer_region": self.code("region", region) if region else None,
                "buyer_legacy_region": self.code("legacy_region", "7100" if region else "8000"),
                "buyer_nature": self.code("contract_party_nature", "200" if region else "300"),
            }
        if destination == LOCAL:
            if self.local_buyers and rng.random() < 0.1:
                org = rng.choice(self.local_buyers)
                return {
                    "buyer": org, "buyer_name": org.name, "buyer_country": self.code("country", CHINA),
                    "buyer_region": org.region, "buyer_legacy_region": self.code("legacy_region", "1100"),
                    "buyer_nature": self.code("contract_party_nature", "150"),
                }
            region = self.code("region", rng.choice(DISTRICTS)[0])
            place = "北京"
        else:
            province = (
                ("12" if rng.random() < self.spec["flow"]["tianjin_share_of_tianjin_hebei"] else "13")
                if destination == TJ else self.pick_province()
            )
            region = self.code("region", rng.choice(self.cities[province]))
            place = region.label_zh.removesuffix("市").removesuffix("区")[:4]
        name = f"{place}{head}{trade}有限公司"
        org = self.org_by_name.get(name)
        if org is not None:  # the name of a unit on the platform: it is that unit (an import would say so too)
            region = org.region
        return {
            "buyer": org, "buyer_name": name, "buyer_country": self.code("country", CHINA),
            "buyer_region": region, "buyer_legacy_region": self.code("legacy_region", self.legacy_of(region.code)),
            "buyer_nature": self.code("contract_party_nature", nature),
        }

    # -- contracts -------------------------------------------------------------------------------------

    def registration_days(self, year: int, count: int) -> list[datetime.date]:
        """`count` weekdays of `year` (up to yesterday in the current year), weighted by month."""
        months = self.spec["calendar"]["months"]
        last = datetime.date(year, 12, 31) if year < self.today.year else self.today - datetime.timedelta(days=1)
        days, weights = [], []
        day = datetime.date(year, 1, 1)
        while day <= last:
            if day.weekday() < 5:
                days.append(day)
                weights.append(months[day.month - 1])
            day += datetime.timedelta(days=1)
        if not days:
            return [self.today] * count
        return self.rng.choices(days, weights=weights, k=count)

    def year_contracts(self, year: int, count: int) -> list[TechnologyContract]:
        rng, spec = self.rng, self.spec
        categories = [c for c, k in allocate(count, category_shares(spec, year, "contracts")).items() for _ in range(k)]
        destinations = [d for d, k in allocate(count, destination_shares(spec, year, "contracts")).items()
                        for _ in range(k)]
        rng.shuffle(categories)
        rng.shuffle(destinations)
        days = self.registration_days(year, count)
        if year == self.today.year:  # today's registrations, so that the live board has some
            for i in range(min(count, max(5, round(count / max(1, len(set(days))))))):
                days[i] = self.today
        sigma, cap = spec["amounts"]["sigma"], spec["amounts"]["cap_sigmas"]
        raw = [math.exp(max(-cap, min(cap, rng.gauss(0, 1))) * sigma) for _ in range(count)]
        # Each year's total is its count at the real average per contract of that year, so the yearly shares of
        # turnover follow the real ones; the category and destination totals are the real shares of it.
        total = self._year_total(year, count)
        cat_targets = {c: total * s for c, s in category_shares(spec, year, "turnover").items()}
        dest_targets = {d: total * s for d, s in destination_shares(spec, year, "turnover").items()}
        amounts = rake(raw, [categories, destinations], [cat_targets, dest_targets])
        round_to = spec["amounts"]["round_to"]
        contracts = []
        for i in range(count):
            amount = Decimal(max(round_to, round(amounts[i] / round_to) * round_to))
            contracts.append(self.contract(days[i], categories[i], destinations[i], amount))
        return contracts

    def _year_total(self, year: int, count: int) -> float:
        """The year's turnover in the demo: its count times the real average per contract of that year."""
        entry = next(y for y in self.spec["year"] if y["year"] == year)
        return count * entry["turnover"] * 1e8 / entry["contracts"]

    def pick_subtype(self, category: str) -> str:
        table = self.spec["categories"][category]["subtypes"]
        return weighted(self.rng, table)()

    def contract(
        self, registered: datetime.date, category: str, destination: str, turnover: Decimal
    ) -> TechnologyContract:
        rng, spec = self.rng, self.spec
        seller = self.pick_seller()
        gap = 3 + int(rng.expovariate(1 / spec["calendar"]["signing_gap_days"]))
        signed = registered - datetime.timedelta(days=min(gap, 180))
        categories = self.categories_on(signed)
        subtype = self.pick_subtype(category)
        if category not in categories:  # a licence signed before 2021: a sub-type of transfer then
            category = Category.TRANSFER
            subtype = SubType.PATENT_LICENCE if subtype != SubType.SECRET_LICENCE else SubType.SECRET_LICENCE
        submitted_day = max(signed, registered - datetime.timedelta(days=rng.randint(1, 12)))
        submitted_at = self.at(submitted_day, rng.randint(9, 16))
        decided_at = max(self.at(registered, rng.randint(9, 17)), submitted_at + datetime.timedelta(hours=1))
        rule_set = self.rule_set_on(submitted_day)
        ratio = 1.0
        if rng.random() < spec["amounts"]["items_share"]:
            ratio = rng.uniform(*spec["amounts"]["items_ratio"])
        declared = (turnover * Decimal(str(round(ratio, 4)))).quantize(Decimal("1"))
        approved, note = declared, ""
        if rng.random() < spec["amounts"]["approval_cut_share"]:
            approved = (declared * Decimal(str(round(rng.uniform(0.8, 0.97), 3)))).quantize(Decimal("1"))
            note = "部分条款属于设备采购，核减相应技术交易额。"
        field_code = self.pick_field()
        topic = rng.choice(TOPICS[field_code])
        valid_to = max(signed + datetime.timedelta(days=rng.randint(180, 1095)), registered + datetime.timedelta(30))
        contract = TechnologyContract(
            seller=seller, registration_point=self.point_of(seller), status=ContractStatus.REGISTERED,
            project_name=f"{topic}{CATEGORY_WORDS[Category(category)]}", signed_on=signed, valid_from=signed,
            valid_to=valid_to, category=category, subtype=subtype, summary="",
            seller_name=seller.name, seller_region=seller.region,
            seller_nature=self.code("contract_party_nature", self.seller_nature[seller.pk]),
            seller_legacy_region=self.code("legacy_region", "1100"), seller_affiliation=seller.affiliation,
            tech_field=self.code("contract_tech_field", field_code),
            ip_type=self.code("contract_ip_type", weighted(rng, spec["ip_types"][category])()),
            plan_source=self.code("contract_plan_source", self.pick_plan()),
            objective=self.code("socio_economic_objective", self.pick_objective()),
            industry=self.code("industry", self.pick_industry()),
            payment_mode=self.code("payment_mode", self.pick_payment()),
            turnover=turnover, declared_technical_value=declared, approved_technical_value=approved,
            approval_note=note, rule_set=rule_set, submitted_at=submitted_at,
            decision_due=self.decision_due(rule_set, submitted_day, declared), decided_at=decided_at,
            registered_on=registered, **self.buyer(destination),
        )
        if category == Category.TRANSFER:
            contract.expected_investment = (turnover * Decimal(str(round(rng.uniform(0.5, 3), 2)))).quantize(
                Decimal("1")
            )
            contract.expected_output = (turnover * Decimal(str(round(rng.uniform(2, 10), 2)))).quantize(Decimal("1"))
        contract.ensure_verification_code()
        return contract

    def at(self, day: datetime.date, hour: int) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour, self.rng.randint(0, 59)), tzinfo=self.tz)

    def point_of(self, seller: Organisation) -> Organisation:
        return self.points.get(seller.region.code) or self.points[MAIN_POINT]

    def pickers(self) -> None:
        codes = self.spec["codes"]
        self.pick_field = weighted(self.rng, codes["contract_tech_field"])
        self.pick_plan = weighted(self.rng, codes["contract_plan_source"])
        self.pick_objective = weighted(self.rng, codes["socio_economic_objective"])
        self.pick_industry = weighted(self.rng, codes["industry"])
        self.pick_payment = weighted(self.rng, codes["payment_mode"])
        self.pick_country = weighted(self.rng, self.spec["countries"])
        self.pick_province = weighted(self.rng, {str(k): v for k, v in self.spec["provinces"].items()})
        self.pick_buyer_nature = weighted(self.rng, BUYER_NATURES)
        self.pick_seller_index = weighted(self.rng, {str(i): w for i, w in enumerate(self.seller_weights)})

    def pick_seller(self) -> Organisation:
        return self.sellers[int(self.pick_seller_index())]

    # -- numbers, items, history -----------------------------------------------------------------------

    def number(self, contracts: list[TechnologyContract]) -> None:
        """Numbers in registration order per prefix (year + the point's region), after the sequence's last."""
        groups: dict[str, list[TechnologyContract]] = defaultdict(list)
        for contract in contracts:
            assert contract.registered_on is not None and contract.rule_set is not None
            on = contract.registered_on
            rule_set = self.rule_set_on(on)
            prefix = rules.number_prefix(rule_set, on.year, contract.registration_point.region.code)
            groups[prefix].append(contract)
        sequences = {s.prefix: s for s in ContractNumberSequence.objects.select_for_update().filter(prefix__in=groups)}
        new = []
        for prefix, members in groups.items():
            members.sort(key=lambda c: (c.decided_at, c.project_name))
            sequence = sequences.get(prefix) or ContractNumberSequence(prefix=prefix, last=0)
            digits = 16 - len(prefix)
            for contract in members:
                sequence.last += 1
                contract.number = f"{prefix}{sequence.last:0{digits}d}"
            if sequence.pk is None:
                new.append(sequence)
            else:
                sequence.save(update_fields=["last"])
        ContractNumberSequence.objects.bulk_create(new)

    def items_and_history(self, contracts: list[TechnologyContract]) -> None:
        items, history = [], []
        for contract in contracts:
            difference = contract.turnover - contract.declared_technical_value
            if difference > 0:
                kind = self.rng.choice(ITEM_KINDS)
                items.append(NonTechnicalItem(contract=contract, kind=kind, description=ITEM_DESCRIPTIONS[kind],
                                              amount=difference))
            registrar = self.registrars.get(contract.registration_point_id)
            history.append(ContractStatusChange(
                record=contract, from_state=ContractStatus.DRAFT, to_state=ContractStatus.SUBMITTED, step="submit",
                at=contract.submitted_at,
            ))
            history.append(ContractStatusChange(
                record=contract, from_state=ContractStatus.SUBMITTED, to_state=ContractStatus.REGISTERED,
                step="register", by=registrar, at=contract.decided_at, reason=contract.approval_note,
            ))
        NonTechnicalItem.objects.bulk_create(items, batch_size=BATCH)
        ContractStatusChange.objects.bulk_create(history, batch_size=BATCH)

    # -- the registrars' queues ------------------------------------------------------------------------

    def waiting(self) -> list[TechnologyContract]:
        """Applications not decided yet at every point (more at the registrar login's), and a few refused."""
        rng = self.rng
        made: list[TechnologyContract] = []
        for code, point in self.points.items():
            main = code == MAIN_POINT
            local = [s for s in self.sellers if s.region.code == code] or self.sellers
            plan = {ContractStatus.SUBMITTED: 6 if main else 2, ContractStatus.RETURNED: 3 if main else 1,
                    ContractStatus.DRAFT: 2 if main else 1, ContractStatus.REFUSED: 2 if main else 0}
            for status, count in plan.items():
                for k in range(count):
                    seller = rng.choice(local)
                    submitted_day = self.today - datetime.timedelta(days=rng.randint(0, 12) if k else 13)
                    contract = self.contract(submitted_day, Category.SERVICE if k % 2 else Category.DEVELOPMENT,
                                             rng.choice([LOCAL, OTHER, TJ]), Decimal(rng.randint(5, 500) * 10000))
                    contract.seller, contract.seller_name, contract.registration_point = seller, seller.name, point
                    contract.seller_region, contract.seller_affiliation = seller.region, seller.affiliation
                    contract.status, contract.registered_on, contract.approved_technical_value = status, None, None
                    contract.approval_note, contract.verification_code = "", None
                    contract.decided_at = None
                    rule_set = self.rule_set_on(submitted_day)
                    contract.rule_set = rule_set
                    if status == ContractStatus.SUBMITTED:
                        contract.submitted_at = self.at(submitted_day, rng.randint(9, 16))
                        contract.decision_due = self.decision_due(rule_set, submitted_day,
                                                                  contract.declared_technical_value)
                    elif status == ContractStatus.REFUSED:
                        contract.submitted_at = self.at(submitted_day, 9)
                        contract.decided_at = self.at(self.today, 10)
                        contract.decision_due = None
                        contract.refusal_grounds = [rules.refusal_grounds(rule_set)[1]["code"]]
                        contract.refusal_note = "合同内容为设备买卖，不属于技术合同。"
                    else:
                        contract.submitted_at = contract.decision_due = None
                        if status == ContractStatus.DRAFT:
                            contract.rule_set = None
                    made.append(contract)
        TechnologyContract.objects.bulk_create(made)
        history = []
        for contract in made:
            registrar = self.registrars[contract.registration_point_id]
            if contract.status == ContractStatus.DRAFT:
                continue
            history.append(ContractStatusChange(record=contract, from_state=ContractStatus.DRAFT,
                                                to_state=ContractStatus.SUBMITTED, step="submit",
                                                at=contract.submitted_at or timezone.now()))
            if contract.status == ContractStatus.RETURNED:
                history.append(ContractStatusChange(
                    record=contract, from_state=ContractStatus.SUBMITTED, to_state=ContractStatus.RETURNED,
                    step="return", by=registrar, reason=RETURN_REASON,
                ))
            elif contract.status == ContractStatus.REFUSED:
                history.append(ContractStatusChange(
                    record=contract, from_state=ContractStatus.SUBMITTED, to_state=ContractStatus.REFUSED,
                    step="refuse", by=registrar, at=contract.decided_at, reason=contract.refusal_note,
                ))
            else:
                self.attach(contract)
        ContractStatusChange.objects.bulk_create(history)
        return made

    def attach(self, contract: TechnologyContract) -> None:
        """The signed contract (a placeholder PDF) the registrar opens from the queue."""
        pdf = proof_pdf(["Signed technology contract - placeholder for the scanned document",
                         f"Signed on {contract.signed_on:%Y-%m-%d}"])
        attachment = ContractAttachment(
            contract=contract, kind=AttachmentKind.SIGNED_CONTRACT, original_name="signed-contract.pdf",
            size=len(pdf), sha256=hashlib.sha256(pdf).hexdigest(),
        )
        attachment.file.save("signed-contract.pdf", ContentFile(pdf), save=False)
        attachment.save()

    # -- the whole run ---------------------------------------------------------------------------------

    def run(self) -> ContractsSummary:
        started = time.monotonic()
        with transaction.atomic():
            self.points_make()
            self.sellers_make()
            self.regions_prepare()
            self.pickers()
        self.progress(f"{len(self.points)} registration points, {len(self.sellers)} sellers")
        months: set[datetime.date] = set()
        for year, count in sorted(year_counts(self.n, self.spec, self.today).items()):
            contracts = self.year_contracts(year, count)
            with transaction.atomic():
                self.number(contracts)
                for start in range(0, len(contracts), BATCH):
                    TechnologyContract.objects.bulk_create(contracts[start : start + BATCH])
                self.items_and_history(contracts)
            months.update(registration_months(c.registered_on for c in contracts))
            self.summary.by_year[year] = count
            self.summary.registered += count
            self.progress(f"{year}: {count} registered contracts")
        with transaction.atomic():
            self.summary.waiting = len(self.waiting())
            contracts_changed_send(months=months, source="demo")
        self.summary.seconds = time.monotonic() - started
        return self.summary


def contracts_seed(
    n: int = DEFAULT_CONTRACTS, *, seed: int = 2023, today: datetime.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> ContractsSummary:
    """Generate the demo's registration points, registrars, sellers and `n` registered contracts (see module)."""
    return ContractGenerator(n, seed=seed, today=today, progress=progress).run()


def registrar_logins() -> list[tuple[str, str, str]]:
    """(role, username, organisation) of the registrar login, for `demo_logins` (empty before a seed)."""
    user = User.objects.filter(username=REGISTRAR).prefetch_related("memberships__organisation").first()
    if user is None:
        return []
    membership = next(iter(user.memberships.all()), None)
    org = membership.organisation if membership else None
    where = f"{org.name} ({org.name_en})" if org and org.name_en else (org.name if org else "—")
    return [(f"{REGISTRAR_LOGIN[0]} / {REGISTRAR_LOGIN[1]}", REGISTRAR, where)]
