"""The demo's transformation carriers: about twenty incubators, maker spaces, 星创天地, university science parks,
transformation bases, an innovation alliance and R&D institutions across Beijing's districts, with a few
hundred incubated firms, so that the incubation count page reads like the real thing.

Every unit and firm is invented (names in the style of Beijing's carriers, credit codes with correct check
characters). The universities and an institute of the demo run their science parks, alliance and R&D
institutions; six invented operating companies run the incubators and maker spaces, each with a login (the
demo password). Everything is written through the services and the commission lists the carriers, except two
drafts and one under review (for the review queue).
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import Organisation, User
from techtransfer.carriers import services
from techtransfer.carriers.choices import CarrierStatus
from techtransfer.carriers.models import Carrier
from techtransfer.carriers.selectors import incubation_count
from techtransfer.core.codetables import code_item
from techtransfer.demo.identifiers import uscc_make
from techtransfer.demo.loader import EMAIL_DOMAIN, demo_user

# The operating companies this module adds: key, name, English name, district, login, the login's name.
OPERATORS = [
    ("zhigu", "北京中关村智谷孵化器管理有限公司", "Zhongguancun Zhigu Incubator Management Co.", "110108",
     "carrier_zhigu", "方晓芸"),
    ("wangjing", "北京望京创新港科技服务有限公司", "Wangjing Innovation Harbour Technology Services Co.", "110105",
     "carrier_wangjing", "胡立伟"),
    ("yizhuang", "北京亦庄生物医药加速器运营有限公司", "Yizhuang Biomedicine Accelerator Operations Co.", "110115",
     "carrier_yizhuang", "邓雅琴"),
    ("weilai", "北京未来城科创服务有限公司", "Future City S&T Services Co.", "110114", "carrier_weilai", "韩志刚"),
    ("yanqi", "北京雁栖湖创新服务有限公司", "Yanqi Lake Innovation Services Co.", "110116", "carrier_yanqi", "黎晓光"),
    ("miyun", "北京密云京东农业科技服务有限公司", "Miyun Jingdong Agricultural S&T Services Co.", "110118",
     "carrier_miyun", "曹秀兰"),
]
OPERATOR_DESCRIPTIONS = {
    "zhigu": "中关村科学城的孵化器运营机构，聚焦人工智能、集成电路设计和智能硬件，运营孵化器、众创空间和加速器各一处，"
             "设有天使投资基金和硬件打样工坊。",
    "wangjing": "望京地区的科技服务企业，运营国际孵化器和青年众创空间，"
                "面向数字城市、企业服务和跨境创业团队提供场地与投融资服务。",
    "yizhuang": "北京经济技术开发区的生物医药加速器运营方，提供GMP中试车间、动物实验平台和医疗器械注册申报辅导。",
    "weilai": "未来科学城的科创服务企业，围绕新能源和先进制造运营孵化器和成果转化基地，对接央企研究院的中试资源。",
    "yanqi": "怀柔科学城的创新服务企业，依托大科学装置周边的科研资源，运营面向新材料和量子科技的众创空间与孵化器。",
    "miyun": "密云区的农业科技服务企业，运营星创天地和生态农业众创空间，"
             "为返乡创业者和农业合作社提供技术培训和电商服务。",
}
# The carriers: operator (a key above, or a demo unit's name), name, type, level, year, district, area (m²),
# fields, how many firms it holds (over the years), status.
CARRIERS: list[dict[str, Any]] = [
    {"op": "百望理工大学", "name": "百望理工大学国家大学科技园", "type": "science_park", "level": "national",
     "year": 2014, "by": "科学技术部、教育部", "district": "110108", "area": 86000,
     "fields": ["manufacturing", "materials", "energy"], "firms": 48},
    {"op": "温榆信息科技大学", "name": "温榆信息科技大学科技园", "type": "science_park", "level": "municipal",
     "year": 2017, "by": "北京市科学技术委员会、北京市教育委员会", "district": "110105", "area": 32000,
     "fields": ["electronics", "urban"], "firms": 30},
    {"op": "京北医科大学", "name": "京北医科大学医药健康成果转化基地", "type": "transformation_base",
     "level": "municipal", "year": 2020, "by": "北京市科学技术委员会", "district": "110114", "area": 18000,
     "fields": ["biomedicine"], "firms": 16},
    {"op": "zhigu", "name": "中关村智谷创业孵化器", "type": "incubator", "level": "national", "year": 2016,
     "by": "科学技术部火炬高技术产业开发中心", "district": "110108", "area": 41000,
     "fields": ["electronics", "manufacturing"], "firms": 52},
    {"op": "zhigu", "name": "中关村智谷硬科技众创空间", "type": "maker_space", "level": "national", "year": 2018,
     "by": "科学技术部火炬高技术产业开发中心", "district": "110108", "area": 6500, "fields": ["electronics"],
     "firms": 34},
    {"op": "zhigu", "name": "中关村智谷人工智能加速器", "type": "incubator", "level": "municipal", "year": 2021,
     "by": "北京市科学技术委员会、中关村科技园区管理委员会", "district": "110108", "area": 12000,
     "fields": ["electronics"], "firms": 22},
    {"op": "wangjing", "name": "望京创新港国际孵化器", "type": "incubator", "level": "municipal", "year": 2017,
     "by": "北京市科学技术委员会", "district": "110105", "area": 27000, "fields": ["electronics", "urban"],
     "firms": 38},
    {"op": "wangjing", "name": "望京创新港青年众创空间", "type": "maker_space", "level": "district", "year": 2019,
     "by": "朝阳区科学技术和信息化局", "district": "110105", "area": 3200, "fields": ["electronics", "urban"],
     "firms": 24},
    {"op": "yizhuang", "name": "亦庄生物医药加速器", "type": "incubator", "level": "national", "year": 2019,
     "by": "科学技术部火炬高技术产业开发中心", "district": "110115", "area": 54000, "fields": ["biomedicine"],
     "firms": 36},
    {"op": "yizhuang", "name": "亦庄医疗器械众创空间", "type": "maker_space", "level": "municipal", "year": 2020,
     "by": "北京市科学技术委员会", "district": "110115", "area": 4800, "fields": ["biomedicine"], "firms": 20},
    {"op": "weilai", "name": "未来科学城能源科技孵化器", "type": "incubator", "level": "municipal", "year": 2018,
     "by": "北京市科学技术委员会", "district": "110114", "area": 23000, "fields": ["energy", "materials"],
     "firms": 28},
    {"op": "weilai", "name": "未来科学城成果转化基地", "type": "transformation_base", "level": "municipal",
     "year": 2021, "by": "北京市科学技术委员会", "district": "110114", "area": 15000,
     "fields": ["energy", "manufacturing"], "firms": 14},
    {"op": "yanqi", "name": "怀柔科学城雁栖湖众创空间", "type": "maker_space", "level": "district", "year": 2020,
     "by": "怀柔区科学技术委员会", "district": "110116", "area": 2800, "fields": ["materials"], "firms": 18},
    {"op": "雁栖先进材料研究所", "name": "怀柔先进材料新型研发机构", "type": "new_rd", "level": "municipal",
     "year": 2019, "by": "北京市科学技术委员会", "district": "110116", "area": 9000, "fields": ["materials", "energy"],
     "firms": 10},
    {"op": "雁栖先进材料研究所", "name": "北京先进结构材料产业技术创新联盟", "type": "alliance", "level": "municipal",
     "year": 2016, "by": "北京市科学技术委员会", "district": "110116", "area": None, "fields": ["materials"],
     "firms": 0},
    {"op": "百望理工大学", "name": "百望理工—驰远汽车轻量化联合研发中心", "type": "joint_rd", "level": "none",
     "year": None, "by": "", "district": "110108", "area": 1200, "fields": ["transport", "materials"], "firms": 0},
    {"op": "miyun", "name": "密云京东农业星创天地", "type": "star_space", "level": "national", "year": 2017,
     "by": "科学技术部", "district": "110118", "area": 15000, "fields": ["agriculture"], "firms": 16},
    {"op": "miyun", "name": "密云水库生态农业众创空间", "type": "maker_space", "level": "district", "year": 2021,
     "by": "密云区科学技术委员会", "district": "110118", "area": 2100, "fields": ["agriculture", "environment"],
     "firms": 10},
    {"op": "wangjing", "name": "望京数字城市孵化器", "type": "incubator", "level": "district", "year": 2023,
     "by": "朝阳区科学技术和信息化局", "district": "110105", "area": 8600, "fields": ["urban"], "firms": 12,
     "status": "under_review"},
    {"op": "yanqi", "name": "雁栖湖量子科技孵化器（筹）", "type": "incubator", "level": "none", "year": None,
     "by": "", "district": "110116", "area": 5000, "fields": ["electronics"], "firms": 4, "status": "draft"},
    {"op": "京北医科大学", "name": "京北医科大学临床研究转化中心", "type": "transformation_base", "level": "none",
     "year": None, "by": "", "district": "110114", "area": 3000, "fields": ["biomedicine"], "firms": 0,
     "status": "draft"},
]
# Firm names: a two-character brand and a business by field.
BRANDS = list(
    "云帆 智行 星河 青禾 芯源 博远 致衡 瀚海 极光 微纳 启明 钛合 睿思 深蓝 凌云 澜舟 锐驰 德润 弘毅 知行 远景 恒信 "
    "朗润 华擎 翼展 曦和 晟泰 泽川 麦穗 森垚 禾丰 安澜 景行 元初 拓思 柏川 若水 天枢 墨羽 北辰 鹏程 金穗 "
    "悦动 嘉禾 铭远 清研 万象 聚能 易联 众芯 华芯 新锐 紫光 宏图 卓越 长空 逸飞 同创 开物 格致 鼎新".split()
)
BUSINESSES = {
    "electronics": ["智能科技", "信息技术", "微电子", "数据科技", "物联网科技"],
    "manufacturing": ["智能装备", "机器人科技", "精密制造", "工业科技"],
    "biomedicine": ["生物科技", "医疗器械", "医药科技", "基因科技"],
    "materials": ["新材料科技", "复合材料", "纳米科技"],
    "energy": ["能源科技", "储能科技", "氢能科技"],
    "environment": ["环保科技", "环境技术"],
    "agriculture": ["农业科技", "生态农业", "食品科技"],
    "transport": ["汽车科技", "交通科技"],
    "urban": ["城市科技", "建筑科技", "空间信息"],
}
DESCRIPTIONS = {
    "incubator": "由{operator}运营的科技企业孵化器，提供办公与实验场地、公共技术平台、天使投资对接和创业导师辅导，"
                 "入驻企业一般孵化三年后毕业。",
    "maker_space": "由{operator}运营的众创空间，面向创业团队提供开放工位、原型加工工坊和路演活动，"
                   "帮助团队完成从想法到注册企业的第一步。",
    "star_space": "由{operator}运营的星创天地，围绕农业科技成果转化提供试验示范基地、技术培训和农产品电商服务。",
    "science_park": "依托{operator}建设的大学科技园，承接学校科技成果转化和师生创业，提供中试场地与知识产权服务。",
    "transformation_base": "由{operator}建设的科技成果转化基地，组织成果熟化、中试验证和产业化对接。",
    "alliance": "由{operator}牵头组建的产业技术创新联盟，联合上下游企业和高校院所开展共性技术攻关与标准制定。",
    "joint_rd": "由{operator}与合作企业共建的联合研发机构，按项目组建联合团队，成果按协议共享。",
    "new_rd": "由{operator}发起设立的新型研发机构，实行理事会领导下的院长负责制，以市场化机制开展研发和成果转化。",
}


@dataclass
class CarrierSummary:
    carriers: int = 0
    listed: int = 0
    firms: int = 0
    incubating: int = 0
    operators: int = 0
    seconds: float = 0.0


def carrier_logins() -> list[tuple[str, str, str]]:
    """(role, username, organisation) of the operating companies' logins, for `demo_logins`."""
    rows = []
    for _key, name, name_en, _district, username, _person in OPERATORS:
        if User.objects.filter(username=username).exists():
            rows.append(("载体运营方 / Carrier operator", username, f"{name} ({name_en})"))
    return rows


class _Seed:
    def __init__(self, rng: random.Random, progress: Callable[[str], None]) -> None:
        self.rng = rng
        self.progress = progress
        self.today = timezone.localdate()
        self.summary = CarrierSummary()
        self.names: set[str] = set()

    def operators(self) -> dict[str, tuple[Organisation, User]]:
        found: dict[str, tuple[Organisation, User]] = {}
        for key, name, name_en, district, username, person in OPERATORS:
            org = Organisation.objects.filter(name=name).first()
            if org is None:
                org = Organisation.objects.create(
                    name=name, name_en=name_en, org_type=OrgType.ENTERPRISE, is_verified=True,
                    verified_at=timezone.now(), region=code_item("region", district),
                    uscc=uscc_make(self.rng, category="91", region=district),
                    description=OPERATOR_DESCRIPTIONS[key],
                )
                self.summary.operators += 1
            user, _created = demo_user(username, name=person, organisation=org, role=Role.TTO_OFFICER,
                                       email_domain=f"{key}.{EMAIL_DOMAIN}")
            found[key] = (org, user)
        for unit in Organisation.objects.filter(name__in={c["op"] for c in CARRIERS} - found.keys()):
            membership = unit.memberships.filter(role=Role.TTO_OFFICER).select_related("user").first()
            if membership is not None:
                found[unit.name] = (unit, membership.user)
        return found

    def firm_name(self, field: str) -> str:
        while True:
            name = f"北京{self.rng.choice(BRANDS)}{self.rng.choice(BUSINESSES.get(field, ['科技']))}有限公司"
            if name not in self.names:
                self.names.add(name)
                return name

    def firms(self, carrier: Carrier, user: User, spec: dict[str, Any]) -> None:
        start = datetime.date(max(spec["year"] or 2019, 2015), 1, 1)
        span = (self.today - start).days
        for _ in range(spec["firms"]):
            field = self.rng.choice(spec["fields"])
            # Entries lean towards recent years, as carriers fill up.
            entry = start + datetime.timedelta(days=int(span * (self.rng.random() ** 0.6)))
            entry = min(entry, self.today - datetime.timedelta(days=3))
            data: dict[str, Any] = {
                "name": self.firm_name(field),
                "uscc": uscc_make(self.rng, category="91", region=spec["district"]),
                "entry_date": entry, "field": code_item("high_tech_field", field),
                "status": "incubating", "graduation_date": None,
            }
            # Incubation lasts up to about three years (four for biomedicine); some firms leave early.
            years = 4 if field == "biomedicine" else 3
            stay = int(365 * years * (0.3 + self.rng.random()))
            if entry + datetime.timedelta(days=stay) < self.today:
                data["graduation_date"] = entry + datetime.timedelta(days=stay)
                data["status"] = self.rng.choices(["graduated", "left"], weights=[78, 22])[0]
            services.firm_create(carrier=carrier, by=user, data=data)
            self.summary.firms += 1

    def run(self) -> None:
        operators = self.operators()
        admin = User.objects.filter(memberships__role=Role.COMMISSION_ADMIN).order_by("pk").first()
        for spec in CARRIERS:
            if spec["op"] not in operators or Carrier.objects.filter(name=spec["name"]).exists():
                continue
            org, user = operators[spec["op"]]
            district = code_item("region", spec["district"])
            street = f"{self.rng.choice(['科技园路', '创新大街', '创业路', '科学城南路'])}{self.rng.randint(1, 99)}号"
            carrier = services.carrier_create(by=user, owner=org, fields=[
                code_item("high_tech_field", f) for f in spec["fields"]
            ], data={
                "name": spec["name"], "carrier_type": code_item("carrier_type", spec["type"]), "level": spec["level"],
                "recognition_year": spec["year"], "recognised_by": spec["by"], "district": district,
                "address": f"北京市{district.label_zh}{street}", "area_m2": spec["area"],
                "contact_name": user.full_name,
                "contact_phone": f"010-{self.rng.randint(6000, 8999)}{self.rng.randint(1000, 9999)}",
                "description": DESCRIPTIONS[spec["type"]].format(operator=org.name),
            })
            self.summary.carriers += 1
            self.firms(carrier, user, spec)
            status = spec.get("status", CarrierStatus.LISTED)
            if status != CarrierStatus.DRAFT:
                services.carrier_submit(carrier=carrier, by=user)
            if status == CarrierStatus.LISTED and admin is not None:
                services.carrier_approve(carrier=carrier, by=admin)
                self.summary.listed += 1


def carriers_seed(*, seed: int = 2016, progress: Callable[[str], None] = lambda message: None) -> CarrierSummary:
    """Write the demo's carriers and their firms through the services; returns what was made."""
    started = time.monotonic()
    run = _Seed(random.Random(seed), progress)
    run.run()
    run.summary.incubating = incubation_count().total
    run.summary.seconds = time.monotonic() - started
    return run.summary
