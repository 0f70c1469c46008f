"""Synthetic demo data: organisations, people, funded projects and achievements in every workflow state.

Everything here is invented. Names come from fictional place words and templates per high-tech theme, so
no real unit or person is named, except the public bodies the workflow needs (the Beijing S&T commission
and the supervising departments). Identifiers are well-formed: every unified social credit code and patent
number carries a correct check character.

Two consumers:
- `demo_seed()` (the `seed_demo` command) writes through the achievement services, so registration
  numbers, the audit trail and the status history are the real thing;
- `achievement_rows()` gives plain dicts for the import benchmark, without touching the database.
The same seed gives the same data.
"""

from __future__ import annotations

import csv
import datetime
import importlib
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import Membership, Organisation, User
from techtransfer.achievements import services
from techtransfer.achievements.choices import PATENT_KINDS as PATENT_IP_KINDS
from techtransfer.achievements.choices import AchievementType, AttachmentKind, IPKind, Status
from techtransfer.achievements.models import Achievement, FundedProject
from techtransfer.core import jobs
from techtransfer.core.models import CodeItem
from techtransfer.lib.validators import patent_check_character, uscc_check_character

# Demo only: every demo account shares this password (documented in the README and by `demo_logins`).
DEMO_PASSWORD = "demo12345"
EMAIL_DOMAIN = "demo.example.org"

SIZES: dict[str, tuple[int, int]] = {"small": (12, 60), "medium": (40, 600), "large": (100, 5000)}
MIN_ORGANISATIONS = 8

# The accounts `demo_logins` prints: username, role in Chinese, role in English.
KEY_LOGINS: list[tuple[str, str, str]] = [
    ("tto_demo_univ", "高校技术转移办公室负责人", "University TTO officer"),
    ("researcher", "科研人员", "Researcher"),
    ("reviewer", "登记机构审核员", "Reviewer at the registration body"),
    ("commission", "科委管理员", "Commission administrator"),
    ("enterprise", "企业用户", "Enterprise user"),
    ("admin", "超级管理员", "Superuser"),
]

# --------------------------------------------------------------------------------------------------
# Word lists. Each theme is one of the key fields of the Beijing action plan, mapped to a high-tech field.
# "pairs" join a method with the product it yields, so that generated names read naturally.
# --------------------------------------------------------------------------------------------------

Pair = tuple[str, str]  # (Chinese, English)


@dataclass(frozen=True)
class Theme:
    """A technology theme and the words its achievements are written with."""

    key: str
    zh: str
    en: str
    field: str  # high_tech_field code
    disciplines: tuple[str, ...]
    industries: tuple[str, ...]
    nsfc_division: str  # first digit of an NSFC grant number
    keywords: tuple[Pair, ...]
    pairs: tuple[tuple[str, str, str, str], ...]  # method zh, method en, product zh, product en
    objects: tuple[Pair, ...]
    problems: tuple[Pair, ...]
    results: tuple[Pair, ...]
    applications: tuple[Pair, ...]
    ip_kinds: tuple[str, ...]
    output_forms: tuple[str, ...] = ("new_tech", "new_product")


THEMES: dict[str, Theme] = {
    t.key: t
    for t in [
        Theme(
            key="5g",
            zh="5G与移动互联网",
            en="5G and mobile internet",
            field="electronics",
            disciplines=("510", "520"),
            industries=("I", "C"),
            nsfc_division="6",
            keywords=(("5G", "5G"), ("移动互联网", "mobile internet"), ("通信", "communications")),
            pairs=(
                ("大规模MIMO", "massive MIMO", "基站关键技术", "base-station technology"),
                ("毫米波", "millimetre-wave", "通信模组", "communication module"),
                ("边缘计算", "edge computing", "业务调度平台", "service scheduling platform"),
                ("网络切片", "network slicing", "专网系统", "private network system"),
                ("深度强化学习", "deep reinforcement learning", "无线资源管理方法", "radio resource management method"),
                ("软件定义网络", "software-defined networking", "智能运维系统", "intelligent operations system"),
            ),
            objects=(
                ("工业互联网", "the industrial internet"),
                ("车联网", "vehicle-to-everything networks"),
                ("智慧园区", "smart campuses"),
                ("超高清视频", "ultra-HD video"),
                ("室内覆盖", "indoor coverage"),
                ("冬季运动场馆", "winter-sports venues"),
            ),
            problems=(
                ("时延高、可靠性不足", "high latency and limited reliability"),
                ("频谱资源紧张", "scarce spectrum"),
                ("网络能耗高", "high network energy use"),
            ),
            results=(
                ("端到端时延低于10毫秒", "end-to-end latency below 10 ms"),
                ("频谱效率提升35%", "35% higher spectral efficiency"),
                ("基站能耗降低20%", "20% lower base-station energy use"),
                ("连接密度达到每平方公里百万级", "a million connections per square kilometre"),
            ),
            applications=(
                (
                    "已在北京经济技术开发区的3家工厂部署应用",
                    "It is deployed in three factories in the Beijing Economic-Technological Development Area",
                ),
                ("已在中关村科学城开展试点", "It is being piloted in Zhongguancun Science City"),
            ),
            ip_kinds=(IPKind.INVENTION_PATENT, IPKind.UTILITY_MODEL, IPKind.SOFTWARE_COPYRIGHT),
            output_forms=("new_tech", "new_device", "software"),
        ),
        Theme(
            key="chip",
            zh="集成电路与芯片",
            en="integrated circuits",
            field="electronics",
            disciplines=("510", "430"),
            industries=("C", "I"),
            nsfc_division="6",
            keywords=(("芯片", "chips"), ("集成电路", "integrated circuits"), ("半导体", "semiconductors")),
            pairs=(
                ("RISC-V", "RISC-V", "处理器芯片", "processor chip"),
                ("存算一体", "compute-in-memory", "人工智能加速芯片", "AI accelerator chip"),
                ("第三代半导体", "wide-bandgap semiconductor", "功率器件", "power device"),
                ("先进封装", "advanced packaging", "芯粒集成技术", "chiplet integration technology"),
                ("低功耗设计", "low-power design", "物联网芯片", "IoT chip"),
                ("硅基光电子", "silicon photonics", "光互连芯片", "optical interconnect chip"),
            ),
            objects=(
                ("数据中心", "data centres"),
                ("智能终端", "smart devices"),
                ("新能源汽车", "new-energy vehicles"),
                ("工业控制", "industrial control"),
                ("可穿戴设备", "wearable devices"),
            ),
            problems=(
                ("功耗高、算力不足", "high power draw and limited computing power"),
                ("核心器件依赖进口", "dependence on imported core components"),
                ("散热困难", "poor heat dissipation"),
            ),
            results=(
                ("能效比提升3倍", "three times higher energy efficiency"),
                ("芯片面积减小40%", "a 40% smaller die"),
                ("良率达到98%", "a 98% yield"),
                ("工作频率达到2GHz", "a 2 GHz operating frequency"),
            ),
            applications=(
                (
                    "已完成流片并在合作企业小批量应用",
                    "It has been taped out and is used in small batches by partner firms",
                ),
                ("已通过车规级可靠性认证", "It has passed automotive-grade reliability qualification"),
            ),
            ip_kinds=(IPKind.INVENTION_PATENT, IPKind.IC_LAYOUT),
            output_forms=("new_product", "new_device"),
        ),
        Theme(
            key="manufacturing",
            zh="数字化制造",
            en="digital manufacturing",
            field="manufacturing",
            disciplines=("460", "413"),
            industries=("C",),
            nsfc_division="5",
            keywords=(
                ("数字化制造", "digital manufacturing"),
                ("智能制造", "intelligent manufacturing"),
                ("机器人", "robotics"),
            ),
            pairs=(
                ("数字孪生", "digital-twin", "生产线管控系统", "production-line control system"),
                ("五轴联动", "five-axis", "数控加工中心", "CNC machining centre"),
                ("机器视觉", "machine-vision", "质量检测装备", "quality inspection equipment"),
                ("柔性协作", "flexible collaborative", "工业机器人", "industrial robot"),
                ("增材制造", "additive manufacturing", "成形工艺", "forming process"),
                ("工业大数据", "industrial big data", "预测性维护平台", "predictive maintenance platform"),
            ),
            objects=(
                ("航空发动机叶片", "aero-engine blades"),
                ("汽车零部件", "automotive parts"),
                ("精密轴承", "precision bearings"),
                ("电子装配", "electronics assembly"),
                ("医疗器械零件", "medical device parts"),
            ),
            problems=(
                ("加工精度不稳定", "unstable machining accuracy"),
                ("人工检测效率低", "slow manual inspection"),
                ("设备非计划停机多", "frequent unplanned downtime"),
            ),
            results=(
                ("加工精度达到±2微米", "±2 µm machining accuracy"),
                ("检测效率提高5倍", "five times faster inspection"),
                ("设备综合效率提升18%", "18% higher overall equipment effectiveness"),
                ("非计划停机减少40%", "40% less unplanned downtime"),
            ),
            applications=(
                ("已在京津两地5家制造企业推广应用", "It is in use at five manufacturers in Beijing and Tianjin"),
                (
                    "已在北京经济技术开发区建成示范生产线",
                    "A demonstration line was built in the Beijing Economic-Technological Development Area",
                ),
            ),
            ip_kinds=(IPKind.INVENTION_PATENT, IPKind.UTILITY_MODEL, IPKind.SOFTWARE_COPYRIGHT),
            output_forms=("new_tech", "new_process", "new_device"),
        ),
        Theme(
            key="biomedicine",
            zh="生物医药",
            en="biomedicine",
            field="biomedicine",
            disciplines=("310", "350", "180"),
            industries=("C", "M"),
            nsfc_division="8",
            keywords=(("生物医药", "biomedicine"), ("创新药", "innovative drugs"), ("疫苗", "vaccines")),
            pairs=(
                ("mRNA", "mRNA", "疫苗", "vaccine"),
                ("抗体工程", "antibody engineering", "人源化单克隆抗体", "humanised monoclonal antibody"),
                ("纳米递送", "nano-delivery", "靶向制剂", "targeted formulation"),
                ("单细胞测序", "single-cell sequencing", "分子分型技术", "molecular subtyping technology"),
                ("基因编辑", "gene editing", "细胞治疗产品", "cell therapy product"),
                ("中药活性成分", "active TCM ingredients", "复方制剂", "compound preparation"),
            ),
            objects=(
                ("流感", "influenza"),
                ("肺癌", "lung cancer"),
                ("肝癌", "liver cancer"),
                ("阿尔茨海默病", "Alzheimer's disease"),
                ("2型糖尿病", "type 2 diabetes"),
                ("类风湿关节炎", "rheumatoid arthritis"),
            ),
            problems=(
                ("临床治疗手段有限", "limited treatment options"),
                ("药物靶向性差", "poor drug targeting"),
                ("早期诊断率低", "low early-diagnosis rates"),
            ),
            results=(
                ("动物实验有效率达到85%", "85% efficacy in animal studies"),
                ("已完成临床前研究并获得临床试验批件", "completed pre-clinical studies with clinical trial approval"),
                ("不良反应发生率降低30%", "30% fewer adverse reactions"),
                ("生产成本降低50%", "50% lower production cost"),
            ),
            applications=(
                (
                    "已与大兴生物医药产业基地企业签订技术许可合同",
                    "It is licensed to a company in the Daxing biomedicine industrial base",
                ),
                ("正在开展II期临床试验", "It is in a phase II clinical trial"),
            ),
            ip_kinds=(IPKind.INVENTION_PATENT,),
            output_forms=("new_product", "new_tech"),
        ),
        Theme(
            key="medical_devices",
            zh="医疗器械与智慧医疗",
            en="medical devices and smart healthcare",
            field="biomedicine",
            disciplines=("320", "520", "416"),
            industries=("C", "Q"),
            nsfc_division="8",
            keywords=(
                ("医疗器械", "medical devices"),
                ("智慧医疗", "smart healthcare"),
                ("医学影像", "medical imaging"),
            ),
            pairs=(
                ("深度学习", "deep-learning", "影像辅助诊断系统", "imaging diagnosis-assistance system"),
                ("微流控", "microfluidic", "快速检测试剂盒", "rapid test kit"),
                ("柔性传感", "flexible-sensing", "可穿戴监测设备", "wearable monitor"),
                ("手术导航", "surgical-navigation", "骨科手术机器人", "orthopaedic surgical robot"),
                ("光声成像", "photoacoustic-imaging", "早期筛查设备", "early screening device"),
                ("远程医疗", "telemedicine", "分级诊疗平台", "tiered-care platform"),
            ),
            objects=(
                ("肺结节", "pulmonary nodules"),
                ("乳腺癌", "breast cancer"),
                ("心血管疾病", "cardiovascular disease"),
                ("脑卒中", "stroke"),
                ("慢性病管理", "chronic disease management"),
                ("新生儿疾病", "neonatal disease"),
            ),
            problems=(
                ("基层医院诊断能力不足", "limited diagnostic capacity in community hospitals"),
                ("检测耗时长", "long test turnaround"),
                ("漏诊率高", "high missed-diagnosis rates"),
            ),
            results=(
                ("敏感度达到96%", "96% sensitivity"),
                ("检测时间缩短至15分钟", "test time cut to 15 minutes"),
                ("定位精度优于1毫米", "positioning accuracy better than 1 mm"),
                ("漏诊率下降40%", "40% fewer missed diagnoses"),
            ),
            applications=(
                ("已在北京市3家三级甲等医院试用", "It is in trial use at three tertiary hospitals in Beijing"),
                ("已取得第二类医疗器械注册证", "It is registered as a Class II medical device"),
            ),
            ip_kinds=(IPKind.INVENTION_PATENT, IPKind.UTILITY_MODEL, IPKind.SOFTWARE_COPYRIGHT),
            output_forms=("new_product", "new_device", "software"),
        ),
        Theme(
            key="nev",
            zh="新能源汽车",
            en="new-energy vehicles",
            field="transport",
            disciplines=("580", "470"),
            industries=("C",),
            nsfc_division="5",
            keywords=(
                ("新能源汽车", "new-energy vehicles"),
                ("动力电池", "traction batteries"),
                ("电驱动", "electric drive"),
            ),
            pairs=(
                ("固态电解质", "solid-state electrolyte", "动力电池", "traction battery"),
                ("碳化硅", "silicon-carbide", "电机控制器", "motor controller"),
                ("热泵", "heat-pump", "整车热管理系统", "vehicle thermal management system"),
                ("磁耦合谐振", "magnetic-resonance", "无线充电装置", "wireless charging device"),
                ("多传感器融合", "multi-sensor fusion", "自动驾驶系统", "automated driving system"),
                ("电池健康诊断", "battery health diagnosis", "电池管理系统", "battery management system"),
            ),
            objects=(
                ("纯电动乘用车", "battery-electric cars"),
                ("城市公交", "city buses"),
                ("物流车", "logistics vehicles"),
                ("燃料电池汽车", "fuel-cell vehicles"),
                ("出租车", "taxis"),
            ),
            problems=(
                ("续驶里程短", "short driving range"),
                ("低温性能差", "poor cold-weather performance"),
                ("电池安全风险高", "battery safety risks"),
            ),
            results=(
                ("能量密度达到350Wh/kg", "350 Wh/kg energy density"),
                ("零下20℃续驶里程提升25%", "25% more range at −20 °C"),
                ("充电效率达到93%", "93% charging efficiency"),
                ("电池热失控预警提前30分钟", "thermal-runaway warnings 30 minutes ahead"),
            ),
            applications=(
                ("已在北京市公交线路示范运行", "It runs in demonstration on Beijing bus routes"),
                ("已配套两家整车企业", "It is supplied to two vehicle makers"),
            ),
            ip_kinds=(IPKind.INVENTION_PATENT, IPKind.UTILITY_MODEL),
            output_forms=("new_product", "new_device", "new_tech"),
        ),
        Theme(
            key="energy",
            zh="新能源与储能",
            en="new energy and storage",
            field="energy",
            disciplines=("480", "470", "430"),
            industries=("D", "C"),
            nsfc_division="5",
            keywords=(("储能", "energy storage"), ("光伏", "photovoltaics"), ("氢能", "hydrogen energy")),
            pairs=(
                ("钙钛矿", "perovskite", "光伏组件", "PV module"),
                ("液流电池", "flow-battery", "储能系统", "storage system"),
                ("电解水制氢", "water-electrolysis", "制氢装备", "hydrogen production equipment"),
                ("虚拟电厂", "virtual-power-plant", "调度平台", "dispatch platform"),
                ("相变储热", "phase-change heat storage", "供热装置", "heating unit"),
                ("智能微电网", "smart-microgrid", "能量管理系统", "energy management system"),
            ),
            objects=(
                ("分布式光伏", "distributed PV"),
                ("工业园区", "industrial parks"),
                ("农村清洁供暖", "clean rural heating"),
                ("数据中心", "data centres"),
                ("建筑屋顶", "building roofs"),
            ),
            problems=(
                ("新能源消纳困难", "difficult renewable integration"),
                ("储能成本高", "high storage cost"),
                ("转换效率低", "low conversion efficiency"),
            ),
            results=(
                ("光电转换效率达到24.5%", "24.5% power conversion efficiency"),
                ("循环寿命超过10000次", "over 10,000 cycles"),
                ("度电成本降低30%", "30% lower cost per kWh"),
                ("系统综合能效提高15%", "15% higher overall efficiency"),
            ),
            applications=(
                ("已在延庆、怀柔建成示范工程", "Demonstration projects were built in Yanqing and Huairou"),
                ("已在河北张家口实现规模化应用", "It is in large-scale use in Zhangjiakou, Hebei"),
            ),
            ip_kinds=(IPKind.INVENTION_PATENT, IPKind.UTILITY_MODEL),
            output_forms=("new_tech", "new_device", "new_material"),
        ),
        Theme(
            key="rail",
            zh="轨道交通",
            en="rail transit",
            field="transport",
            disciplines=("580", "560"),
            industries=("G", "C"),
            nsfc_division="5",
            keywords=(("轨道交通", "rail transit"), ("城市轨道", "urban rail"), ("列车控制", "train control")),
            pairs=(
                ("全自动运行", "fully automatic", "列车控制系统", "train control system"),
                ("北斗定位", "BeiDou-based", "列车定位系统", "train positioning system"),
                ("声学监测", "acoustic-monitoring", "轨道病害检测装置", "track defect detector"),
                ("客流大数据", "passenger-flow big data", "运营调度平台", "operations dispatch platform"),
                ("再生制动", "regenerative-braking", "能量回收装置", "energy recovery unit"),
                ("减振降噪", "low-vibration", "轨道结构", "track structure"),
            ),
            objects=(
                ("地铁", "metro lines"),
                ("市郊铁路", "suburban railways"),
                ("有轨电车", "trams"),
                ("高速铁路", "high-speed rail"),
                ("城际铁路", "intercity railways"),
            ),
            problems=(
                ("行车间隔难以压缩", "headways that are hard to shorten"),
                ("运维成本高", "high maintenance cost"),
                ("振动噪声扰民", "vibration and noise near the lines"),
            ),
            results=(
                ("最小行车间隔缩短至90秒", "a minimum headway of 90 s"),
                ("牵引能耗降低12%", "12% lower traction energy"),
                ("病害识别准确率达到95%", "95% defect detection accuracy"),
                ("沿线噪声降低8分贝", "8 dB less noise along the line"),
            ),
            applications=(
                ("已在北京地铁线路开通运营", "It is in service on Beijing metro lines"),
                ("已应用于京津冀城际线路", "It is used on Jing-Jin-Ji intercity lines"),
            ),
            ip_kinds=(IPKind.INVENTION_PATENT, IPKind.UTILITY_MODEL, IPKind.SOFTWARE_COPYRIGHT),
            output_forms=("new_tech", "new_device", "software"),
        ),
        Theme(
            key="environment",
            zh="节能环保与生态环境",
            en="eco-environment",
            field="environment",
            disciplines=("610", "530"),
            industries=("N", "C"),
            nsfc_division="4",
            keywords=(
                ("生态环境", "eco-environment"),
                ("节能环保", "energy saving"),
                ("污染治理", "pollution control"),
            ),
            pairs=(
                ("低温等离子体", "low-temperature plasma", "VOCs治理装备", "VOC treatment equipment"),
                ("膜生物反应器", "membrane-bioreactor", "污水处理工艺", "wastewater treatment process"),
                ("卫星遥感", "satellite remote sensing", "监测预警平台", "monitoring and early-warning platform"),
                ("微生物修复", "microbial", "土壤修复技术", "soil remediation technology"),
                ("高效催化", "high-efficiency catalytic", "脱硝催化剂", "denitrification catalyst"),
                ("资源化利用", "resource-recovery", "建筑垃圾再生技术", "construction waste recycling technology"),
            ),
            objects=(
                ("工业园区", "industrial parks"),
                ("城市河道", "urban rivers"),
                ("京津冀区域大气", "Jing-Jin-Ji regional air"),
                ("工业污染场地", "contaminated industrial sites"),
                ("农村生活污水", "rural sewage"),
                ("密云水库上游", "the upper Miyun Reservoir"),
            ),
            problems=(
                ("污染物排放超标", "excess pollutant emissions"),
                ("处理能耗高", "energy-intensive treatment"),
                ("监测手段单一", "limited monitoring"),
            ),
            results=(
                ("VOCs去除率达到95%", "95% VOC removal"),
                ("出水达到北京市地方标准A级", "effluent at Beijing's grade-A standard"),
                ("PM2.5预报准确率提升20%", "20% more accurate PM2.5 forecasts"),
                ("运行成本降低35%", "35% lower operating cost"),
            ),
            applications=(
                ("已在顺义、通州等区推广应用", "It is in use in Shunyi, Tongzhou and other districts"),
                ("已纳入北京市生态环境监测网络", "It is part of Beijing's environmental monitoring network"),
            ),
            ip_kinds=(IPKind.INVENTION_PATENT, IPKind.UTILITY_MODEL, IPKind.SOFTWARE_COPYRIGHT),
            output_forms=("new_tech", "new_process", "new_device"),
        ),
        Theme(
            key="urban",
            zh="城市精细化管理",
            en="city management",
            field="urban",
            disciplines=("560", "520", "630"),
            industries=("N", "S", "I"),
            nsfc_division="7",
            keywords=(("城市治理", "urban governance"), ("智慧城市", "smart city"), ("城市管理", "city management")),
            pairs=(
                ("城市信息模型", "city-information-model", "管理平台", "management platform"),
                ("物联网感知", "IoT-sensing", "地下管网监测系统", "underground pipeline monitoring system"),
                ("时空大数据", "spatio-temporal big data", "决策支持系统", "decision support system"),
                ("视频智能分析", "video-analytics", "事件识别系统", "incident recognition system"),
                ("网格化管理", "grid-management", "接诉即办平台", "citizen-hotline response platform"),
                ("数字孪生", "digital-twin", "城市运行仿真平台", "urban operation simulation platform"),
            ),
            objects=(
                ("老旧小区改造", "old residential compound renovation"),
                ("城市交通拥堵", "urban traffic congestion"),
                ("城市内涝", "urban waterlogging"),
                ("街道治理", "street-level governance"),
                ("燃气管网", "gas networks"),
                ("垃圾分类", "waste sorting"),
            ),
            problems=(
                ("问题发现滞后", "late detection of problems"),
                ("部门数据分散", "data scattered across departments"),
                ("应急响应慢", "slow emergency response"),
            ),
            results=(
                ("事件发现时间缩短60%", "60% faster incident detection"),
                ("处置效率提升45%", "45% more efficient handling"),
                ("预警准确率达到92%", "92% warning accuracy"),
                ("覆盖200余个社区", "coverage of over 200 communities"),
            ),
            applications=(
                (
                    "已在东城、西城等区的街道部署运行",
                    "It runs in sub-districts of Dongcheng, Xicheng and other districts",
                ),
                ("已服务北京城市副中心建设", "It serves the Beijing Municipal Administrative Centre in Tongzhou"),
            ),
            ip_kinds=(IPKind.INVENTION_PATENT, IPKind.SOFTWARE_COPYRIGHT),
            output_forms=("software", "new_tech", "report"),
        ),
        Theme(
            key="food",
            zh="食品安全",
            en="food safety",
            field="agriculture",
            disciplines=("550", "330"),
            industries=("C", "M", "A"),
            nsfc_division="3",
            keywords=(("食品安全", "food safety"), ("快速检测", "rapid testing"), ("溯源", "traceability")),
            pairs=(
                ("表面增强拉曼", "surface-enhanced Raman", "快速检测方法", "rapid test method"),
                ("区块链", "blockchain", "追溯系统", "traceability system"),
                ("免疫层析", "immunochromatographic", "检测试纸条", "test strip"),
                ("高光谱成像", "hyperspectral", "品质无损检测装备", "non-destructive inspection equipment"),
                ("冷链物联网", "cold-chain IoT", "温控监管平台", "temperature supervision platform"),
                ("风险评估模型", "risk-model", "预警系统", "early-warning system"),
            ),
            objects=(
                ("农药残留", "pesticide residues"),
                ("冷链食品", "cold-chain food"),
                ("乳制品", "dairy products"),
                ("食用农产品", "edible farm produce"),
                ("校园食堂", "school canteens"),
                ("进口肉类", "imported meat"),
            ),
            problems=(
                ("检测周期长", "long testing cycles"),
                ("来源难以追溯", "untraceable origins"),
                ("风险预警滞后", "late risk warnings"),
            ),
            results=(
                ("检出限达到0.01mg/kg", "a detection limit of 0.01 mg/kg"),
                ("单样检测时间小于10分钟", "under 10 minutes a sample"),
                ("追溯信息上链率100%", "every traceability record on chain"),
                ("预警准确率达到90%", "90% warning accuracy"),
            ),
            applications=(
                ("已在北京新发地等批发市场应用", "It is in use at Xinfadi and other Beijing wholesale markets"),
                ("已被市场监管部门采用", "It has been adopted by market regulators"),
            ),
            ip_kinds=(IPKind.INVENTION_PATENT, IPKind.UTILITY_MODEL, IPKind.SOFTWARE_COPYRIGHT),
            output_forms=("new_tech", "new_product", "standard"),
        ),
        Theme(
            key="materials",
            zh="新材料",
            en="new materials",
            field="materials",
            disciplines=("430", "150"),
            industries=("C",),
            nsfc_division="5",
            keywords=(("新材料", "new materials"), ("复合材料", "composites"), ("先进材料", "advanced materials")),
            pairs=(
                ("石墨烯", "graphene", "导热膜", "thermal film"),
                ("碳纤维", "carbon-fibre", "复合材料构件", "composite components"),
                ("高熵合金", "high-entropy alloy", "耐高温涂层", "high-temperature coating"),
                ("气凝胶", "aerogel", "保温材料", "insulation material"),
                ("稀土永磁", "rare-earth", "永磁材料", "permanent magnet material"),
                ("生物可降解", "biodegradable", "高分子材料", "polymer material"),
            ),
            objects=(
                ("航空航天", "aerospace"),
                ("5G终端散热", "5G device cooling"),
                ("新能源汽车轻量化", "lightweight vehicles"),
                ("建筑节能", "energy-efficient buildings"),
                ("医用植入物", "medical implants"),
            ),
            problems=(
                ("材料性能不足", "insufficient material performance"),
                ("制备成本高", "high production cost"),
                ("依赖进口", "import dependence"),
            ),
            results=(
                ("导热系数达到1500W/(m·K)", "a thermal conductivity of 1,500 W/(m·K)"),
                ("构件减重35%", "35% lighter parts"),
                ("耐温达到1200℃", "heat resistance up to 1,200 °C"),
                ("成本降低40%", "40% lower cost"),
            ),
            applications=(
                ("已建成年产10万平方米中试线", "A pilot line makes 100,000 m² a year"),
                ("产品已通过下游企业验证", "The products are qualified by downstream customers"),
            ),
            ip_kinds=(IPKind.INVENTION_PATENT, IPKind.UTILITY_MODEL),
            output_forms=("new_material", "new_process"),
        ),
        Theme(
            key="agriculture",
            zh="现代农业",
            en="modern agriculture",
            field="agriculture",
            disciplines=("210", "180", "230"),
            industries=("A",),
            nsfc_division="3",
            keywords=(
                ("现代农业", "modern agriculture"),
                ("种业", "seed industry"),
                ("设施农业", "protected agriculture"),
            ),
            pairs=(
                ("分子标记辅助育种", "marker-assisted breeding", "新品种", "new variety"),
                ("智能灌溉", "smart-irrigation", "水肥一体化系统", "fertigation system"),
                ("植物工厂", "plant-factory", "LED补光技术", "LED lighting technology"),
                ("病虫害图像识别", "pest-recognition", "绿色防控技术", "green pest control technology"),
                ("疫病快速诊断", "rapid-diagnosis", "检测试剂盒", "test kit"),
                ("秸秆资源化", "straw-recycling", "生物有机肥", "bio-organic fertiliser"),
            ),
            objects=(
                ("京郊设施蔬菜", "greenhouse vegetables near Beijing"),
                ("玉米", "maize"),
                ("小麦", "wheat"),
                ("生猪养殖", "pig farming"),
                ("果园", "orchards"),
                ("食用菌", "edible fungi"),
            ),
            problems=(
                ("水肥利用率低", "low water and fertiliser efficiency"),
                ("病虫害损失大", "heavy pest losses"),
                ("品种抗逆性差", "poor stress tolerance"),
            ),
            results=(
                ("亩产提高15%", "15% higher yield"),
                ("节水40%", "40% water saving"),
                ("化肥用量减少30%", "30% less chemical fertiliser"),
                ("病害识别准确率达到93%", "93% disease recognition accuracy"),
            ),
            applications=(
                ("已在平谷、密云等区推广10万亩", "It is used on 100,000 mu in Pinggu, Miyun and other districts"),
                ("已在河北保定、廊坊示范推广", "It is demonstrated in Baoding and Langfang, Hebei"),
            ),
            ip_kinds=(IPKind.INVENTION_PATENT, IPKind.PLANT_VARIETY, IPKind.UTILITY_MODEL),
            output_forms=("new_variety", "new_tech", "new_product"),
        ),
    ]
}

# Fictional place words for organisation names (Chinese, pinyin for English names and usernames).
PLACES: tuple[Pair, ...] = (
    ("京华", "Jinghua"),
    ("北辰", "Beichen"),
    ("西山", "Xishan"),
    ("潮白", "Chaobai"),
    ("永定", "Yongding"),
    ("京西", "Jingxi"),
    ("京北", "Jingbei"),
    ("京南", "Jingnan"),
    ("长河", "Changhe"),
    ("金台", "Jintai"),
    ("温榆", "Wenyu"),
    ("妫水", "Guishui"),
    ("云蒙", "Yunmeng"),
    ("雁栖", "Yanqi"),
    ("百望", "Baiwang"),
    ("翠微", "Cuiwei"),
    ("凉水", "Liangshui"),
    ("通惠", "Tonghui"),
    ("坝河", "Bahe"),
    ("清河", "Qinghe"),
    ("沙河", "Shahe"),
    ("泃河", "Juhe"),
    ("拒马", "Juma"),
    ("红螺", "Hongluo"),
    ("凤河", "Fenghe"),
    ("白河", "Baihe"),
    ("海坨", "Haituo"),
    ("灵山", "Lingshan"),
    ("石城", "Shicheng"),
    ("蓟门", "Jimen"),
)

# Name suffix, English suffix, slug tag and the themes units of that kind work on.
OrgSuffix = tuple[str, str, str, tuple[str, ...]]
SUFFIXES: dict[str, tuple[OrgSuffix, ...]] = {
    OrgType.UNIVERSITY: (
        ("理工大学", "University of Technology", "univ", ("manufacturing", "materials", "energy", "chip", "nev")),
        ("医科大学", "Medical University", "med", ("biomedicine", "medical_devices", "food")),
        ("交通大学", "Jiaotong University", "jtu", ("rail", "nev", "5g", "urban")),
        (
            "信息科技大学",
            "University of Information Science and Technology",
            "info",
            ("5g", "chip", "urban", "medical_devices"),
        ),
        ("农林大学", "University of Agriculture and Forestry", "agri", ("agriculture", "food", "environment")),
        ("建筑大学", "University of Civil Engineering and Architecture", "arch", ("urban", "environment", "energy")),
        ("化工大学", "University of Chemical Technology", "chem", ("materials", "energy", "environment")),
        ("师范大学", "Normal University", "norm", ("urban", "environment", "agriculture")),
    ),
    OrgType.INSTITUTE: (
        ("智能感知研究院", "Institute of Intelligent Sensing", "sense", ("5g", "chip", "urban")),
        ("先进材料研究所", "Institute of Advanced Materials", "mat", ("materials", "energy")),
        ("生物医药研究院", "Institute of Biomedicine", "bio", ("biomedicine", "medical_devices")),
        ("城市运行技术研究院", "Institute of Urban Operation Technology", "city", ("urban", "rail", "environment")),
        ("新能源研究所", "Institute of New Energy", "energy", ("energy", "nev")),
        ("轨道交通技术研究院", "Institute of Rail Transit Technology", "rail", ("rail",)),
        ("食品安全研究所", "Institute of Food Safety", "food", ("food", "agriculture")),
        ("生态环境研究院", "Institute of Eco-Environment", "eco", ("environment",)),
        ("智能制造研究院", "Institute of Intelligent Manufacturing", "mfg", ("manufacturing", "chip")),
        ("农业科学研究院", "Academy of Agricultural Sciences", "aas", ("agriculture", "food")),
    ),
    OrgType.HOSPITAL: (
        ("肿瘤医院", "Cancer Hospital", "cancer", ("biomedicine", "medical_devices")),
        ("心血管病医院", "Heart Hospital", "heart", ("medical_devices", "biomedicine")),
        ("中医医院", "Hospital of Traditional Chinese Medicine", "tcm", ("biomedicine",)),
        ("儿童医院", "Children's Hospital", "child", ("medical_devices", "biomedicine")),
        ("口腔医院", "Stomatological Hospital", "dental", ("medical_devices", "materials")),
    ),
    OrgType.ENTERPRISE: (
        ("通信技术有限公司", "Communication Technology Co., Ltd.", "comm", ("5g",)),
        ("智能装备股份有限公司", "Intelligent Equipment Co., Ltd.", "equip", ("manufacturing",)),
        ("生物制药有限公司", "Biopharmaceutical Co., Ltd.", "pharma", ("biomedicine",)),
        ("新能源汽车科技有限公司", "New Energy Vehicle Technology Co., Ltd.", "nev", ("nev",)),
        ("微电子有限公司", "Microelectronics Co., Ltd.", "micro", ("chip",)),
        ("储能科技有限公司", "Energy Storage Technology Co., Ltd.", "storage", ("energy",)),
        ("医疗科技有限公司", "Medical Technology Co., Ltd.", "medtech", ("medical_devices",)),
        ("轨道交通装备有限公司", "Rail Transit Equipment Co., Ltd.", "railco", ("rail",)),
        ("环境工程有限公司", "Environmental Engineering Co., Ltd.", "env", ("environment",)),
        ("城市科技有限公司", "Urban Technology Co., Ltd.", "urban", ("urban",)),
        ("食品检测技术有限公司", "Food Testing Technology Co., Ltd.", "foodco", ("food",)),
        ("新材料科技股份有限公司", "New Materials Technology Co., Ltd.", "matco", ("materials",)),
        ("农业科技有限公司", "Agricultural Technology Co., Ltd.", "agrico", ("agriculture",)),
    ),
    OrgType.TRANSFER_INSTITUTION: (
        ("技术转移中心有限公司", "Technology Transfer Center Co., Ltd.", "ttc", tuple(THEMES)),
        ("科技成果转化服务中心", "S&T Achievement Transfer Service Center", "tsc", tuple(THEMES)),
        ("知识产权运营有限公司", "IP Operation Co., Ltd.", "ipo", tuple(THEMES)),
    ),
    OrgType.INVESTOR: (
        ("创业投资管理有限公司", "Venture Capital Management Co., Ltd.", "vc", tuple(THEMES)),
        ("科创基金管理有限公司", "Sci-Tech Fund Management Co., Ltd.", "fund", tuple(THEMES)),
    ),
}

# The 16 districts, in the order each kind of unit prefers them (universities in Haidian, enterprises in
# Daxing's development area...). The union covers every district, so a medium demo shows them all.
DISTRICT_PREFERENCE: dict[str, tuple[str, ...]] = {
    OrgType.UNIVERSITY: ("110108", "110114", "110105", "110102", "110115", "110111", "110116", "110106"),
    OrgType.INSTITUTE: ("110108", "110116", "110114", "110112", "110107", "110109", "110119"),
    OrgType.HOSPITAL: ("110101", "110102", "110105", "110106", "110112", "110108"),
    OrgType.ENTERPRISE: tuple(
        "110115 110113 110108 110114 110117 110118 110119 110109 110106 110111 110107 110112".split()
    ),
    OrgType.TRANSFER_INSTITUTION: ("110108", "110105", "110101", "110112"),
    OrgType.INVESTOR: ("110102", "110105", "110108"),
}
# Jing-Jin-Ji neighbours: a few units there complete achievements together with Beijing units.
OUTSIDE_REGIONS: tuple[tuple[str, str, str], ...] = (
    ("120116", "天津", "Tianjin"),
    ("131000", "廊坊", "Langfang"),
    ("130600", "保定", "Baoding"),
    ("120104", "天津", "Tianjin"),
    ("130200", "唐山", "Tangshan"),
    ("120111", "天津", "Tianjin"),
    ("130100", "石家庄", "Shijiazhuang"),
)
DISTRICT_NAMES = {
    "110101": "东城区",
    "110102": "西城区",
    "110105": "朝阳区",
    "110106": "丰台区",
    "110107": "石景山区",
    "110108": "海淀区",
    "110109": "门头沟区",
    "110111": "房山区",
    "110112": "通州区",
    "110113": "顺义区",
    "110114": "昌平区",
    "110115": "大兴区",
    "110116": "怀柔区",
    "110117": "平谷区",
    "110118": "密云区",
    "110119": "延庆区",
}
DISTRICTS = tuple(DISTRICT_NAMES)
ROADS = ("学院路", "科学园路", "创新大道", "文昌路", "知春路", "北清路", "科创街", "永昌路", "兴业街", "康庄路")

COMMISSION = ("北京市科学技术委员会", "Beijing Municipal Science and Technology Commission")
DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("edu", "北京市教育委员会", "Beijing Municipal Education Commission"),
    ("health", "北京市卫生健康委员会", "Beijing Municipal Health Commission"),
    ("econ", "北京市经济和信息化局", "Beijing Municipal Bureau of Economy and Information Technology"),
    ("agri", "北京市农业农村局", "Beijing Municipal Bureau of Agriculture and Rural Affairs"),
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范"
    "金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚文辉鑫宇晨浩然睿博思雨欣"
    "佳怡涵诺萱嘉俊志国建华海峰云松林颖琳婷健鹏飞亮晓红玉新春雪凯斌坤宁蕾莉萍楠"
)
TITLES = ("教授", "研究员", "副教授", "副研究员", "高级工程师", "工程师", "助理研究员", "讲师")
MEDICAL_TITLES = ("主任医师", "副主任医师", "主治医师", "研究员")
EDUCATION = ("博士研究生", "博士研究生", "硕士研究生", "大学本科")
RETURN_REASONS = (
    "缺少用户证明材料，请补充加盖公章的用户使用证明。",
    "成果简介过于简略，请补充主要技术指标和应用情况。",
    "完成人排序与评价证明不一致，请核对后重新提交。",
    "知识产权信息不完整，请补充专利授权证书扫描件。",
    "研究起止时间与项目任务书不一致，请核对。",
)
WITHDRAW_REASONS = ("成果已整体转让给企业，单位申请撤回登记。", "与已登记成果重复，申请撤回。", "项目组决定暂缓登记。")
REVISION_REASON = "成果已实现产业化应用，更新应用状态。"

# Workflow states and their share of the demo. Every state appears even in the smallest demo.
STATE_SHARES: tuple[tuple[str, float], ...] = (
    (Status.DRAFT, 0.15),
    (Status.SUBMITTED, 0.15),
    (Status.RETURNED, 0.08),
    (Status.REGISTERED, 0.07),
    (Status.PUBLISHED, 0.45),
    (Status.WITHDRAWN, 0.10),
)
NSFC_GRANT_TYPES = (("青年科学基金项目", "0", 20, 30), ("面上项目", "1", 50, 60), ("重点项目", "3", 200, 300))
LATEST_END = datetime.date(2025, 12, 1)  # fixed, so that a seed gives the same data whatever the date


# --------------------------------------------------------------------------------------------------
# Pure generators (no database): identifiers, names, text.
# --------------------------------------------------------------------------------------------------

USCC_BODY_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def organisation_code_check(body8: str) -> str:
    """GB 11714 check character of a 9-character organisation code (positions 9–17 of a USCC)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, weights, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


# GB 32100 positions 1–2: registration authority and unit category.
USCC_CATEGORY = {
    OrgType.REGISTRATION_BODY: "11",  # 机构编制, 机关
    OrgType.SUPERVISING_DEPARTMENT: "11",
    OrgType.UNIVERSITY: "12",  # 机构编制, 事业单位
    OrgType.INSTITUTE: "12",
    OrgType.HOSPITAL: "12",
    OrgType.ENTERPRISE: "91",  # 工商, 企业
    OrgType.INVESTOR: "91",
    OrgType.TRANSFER_INSTITUTION: "91",
}


def uscc_make(rng: random.Random, *, category: str, region: str) -> str:
    """A well-formed unified social credit code: category, region, organisation code, check character."""
    if category == "91":  # enterprises registered since 2015 get an "MA" organisation code
        body = "MA0" + "".join(rng.choice(USCC_BODY_CHARS) for _ in range(5))
    else:
        body = rng.choice("04") + "".join(rng.choice("0123456789") for _ in range(7))
    first17 = category + region + body + organisation_code_check(body)
    return first17 + uscc_check_character(first17)


def patent_number_make(rng: random.Random, *, year: int, kind: str, granted: bool) -> str:
    """A CNIPA application number with its check digit; "ZL" marks a granted patent."""
    type_digit = {IPKind.INVENTION_PATENT: "1", IPKind.UTILITY_MODEL: "2", IPKind.DESIGN_PATENT: "3"}[kind]
    digits = f"{year}{type_digit}{rng.randrange(10**7):07d}"
    return f"{'ZL' if granted else ''}{digits}.{patent_check_character(digits)}"


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _month(year: int, month: int) -> datetime.date:
    return datetime.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


@dataclass
class AchievementText:
    """Names, summaries and keywords of one generated achievement, in both languages."""

    name: str
    name_en: str
    summary: str
    summary_en: str
    keywords: list[str]
    keywords_en: list[str]


def achievement_text(rng: random.Random, theme: Theme, achievement_type: str) -> AchievementText:
    m_zh, m_en, p_zh, p_en = rng.choice(theme.pairs)
    o_zh, o_en = rng.choice(theme.objects)
    problem_zh, problem_en = rng.choice(theme.problems)
    (r1_zh, r1_en), (r2_zh, r2_en) = rng.sample(theme.results, 2)
    app_zh, app_en = rng.choice(theme.applications)
    if achievement_type == AchievementType.BASIC:
        if rng.random() < 0.5:
            name, name_en = f"{m_zh}在{o_zh}中的基础理论与方法研究", f"Theory and methods of {m_en} in {o_en}"
        else:
            name, name_en = f"{o_zh}{m_zh}关键科学问题研究", f"Key scientific questions of {m_en} for {o_en}"
        papers = rng.randint(6, 25)
        summary = (
            f"本研究围绕{o_zh}中的{m_zh}关键科学问题开展系统研究，建立了相应的理论模型与分析方法，"
            f"揭示了{problem_zh}的内在机理，在国内外期刊发表论文{papers}篇，"
            f"为{theme.zh}领域的技术突破提供了理论基础。"
        )
        summary_en = (
            f"A systematic study of the key scientific questions of {m_en} in {o_en}. It builds theoretical models "
            f"and analysis methods, explains the mechanisms behind {problem_en}, and has produced "
            f"{papers} journal papers, laying foundations for {theme.en}."
        )
    elif achievement_type == AchievementType.SOFT:
        name, name_en = rng.choice(
            (
                (f"北京市{theme.zh}产业发展战略研究", f"Development strategy for Beijing's {theme.en} industry"),
                (f"京津冀{theme.zh}协同创新政策研究", f"Policy for Jing-Jin-Ji cooperation in {theme.en}"),
                (f"{theme.zh}领域科技成果转化机制研究", f"Mechanisms for transferring S&T achievements in {theme.en}"),
            )
        )
        summary = (
            f"本研究系统梳理了北京市{theme.zh}领域的发展现状，分析了{o_zh}等方向{problem_zh}的突出问题，"
            f"借鉴国内外经验，提出了推动{theme.zh}高质量发展的政策建议，部分建议已被相关部门采纳。"
        )
        summary_en = (
            f"A review of Beijing's {theme.en} sector. It analyses problems such as {problem_en} in {o_en}, draws "
            f"on experience at home and abroad, and proposes policies, some of which the authorities have adopted."
        )
    else:
        template = rng.randrange(4)
        if template == 0:
            name, name_en = f"基于{m_zh}的{o_zh}{p_zh}", f"{_cap(p_en)} for {o_en} based on {m_en} technology"
        elif template == 1:
            name, name_en = f"面向{o_zh}的{m_zh}{p_zh}", f"{_cap(m_en)} {p_en} for {o_en}"
        elif template == 2:
            name, name_en = f"{o_zh}{m_zh}{p_zh}研发及应用", f"Development and application of {m_en} {p_en} for {o_en}"
        else:
            name, name_en = f"{m_zh}{p_zh}在{o_zh}中的产业化应用", f"Industrial application of {m_en} {p_en} in {o_en}"
        summary = (
            f"针对{o_zh}领域{problem_zh}等问题，本成果采用{m_zh}技术，研制了{p_zh}。"
            f"经测试，{r1_zh}，{r2_zh}。{app_zh}。"
        )
        summary_en = (
            f"Addressing {problem_en} in {o_en}, this work applies {m_en} technology to develop a new {p_en}. "
            f"Tests show {r1_en} and {r2_en}. {app_en}."
        )
    candidates = [(m_zh, m_en), (o_zh, o_en), rng.choice(theme.keywords)]
    if achievement_type == AchievementType.SOFT:  # policy studies are indexed by their sector
        candidates = [*rng.sample(theme.keywords, 2), (o_zh, o_en)]
    keywords: list[Pair] = []
    for pair in candidates[: rng.randint(1, 3)]:
        if pair[0] not in {k[0] for k in keywords}:
            keywords.append(pair)
    return AchievementText(
        name=name[:200],
        name_en=name_en[:300],
        summary=summary,
        summary_en=summary_en,
        keywords=[k[0] for k in keywords],
        keywords_en=[k[1].removeprefix("the ").replace("-", " ") for k in keywords],
    )


@dataclass
class AchievementPlan:
    """One achievement as plain values (code-table codes, dates, names), before it touches the database."""

    theme: str
    data: dict[str, Any]  # form fields; code-table fields hold codes
    transfer_modes: list[str]
    units: list[str]
    persons: list[dict[str, Any]]
    ip_items: list[dict[str, Any]]


def ip_items_make(rng: random.Random, theme: Theme, *, year: int, holder: str, title: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for kind in rng.sample(theme.ip_kinds, rng.randint(1, min(2, len(theme.ip_kinds)))):
        granted = rng.random() < 0.7
        if kind in {IPKind.INVENTION_PATENT, IPKind.UTILITY_MODEL}:
            number = patent_number_make(rng, year=year, kind=kind, granted=granted)
        elif kind == IPKind.SOFTWARE_COPYRIGHT:
            number, granted = f"{year + 1}SR{rng.randrange(10**7):07d}", True
        elif kind == IPKind.PLANT_VARIETY:
            number = f"CNA{year}{rng.randrange(10**4):04d}.{rng.randrange(10)}"
        else:  # IC layout designs: the registration number has no published check rule
            number, granted = f"BS.{year % 100:02d}5{rng.randrange(10**6):06d}", True
        items.append({"kind": kind, "number": number, "title": title, "holder": holder, "granted": granted})
    return items


def achievement_plan(
    rng: random.Random,
    *,
    theme: Theme,
    owner_name: str,
    co_units: Sequence[str] = (),
    contact: dict[str, str] | None = None,
    funded: dict[str, Any] | None = None,
    medical: bool = False,
) -> AchievementPlan:
    """A complete, submittable achievement for `owner_name` on `theme`, as plain values."""
    roll = rng.random()
    achievement_type = (
        AchievementType.APPLIED if roll < 0.8 else AchievementType.BASIC if roll < 0.92 else AchievementType.SOFT
    )
    text = achievement_text(rng, theme, achievement_type)
    if funded:
        start, end = funded["start"], funded["end"]
    else:
        start = _month(rng.randint(2016, 2022), rng.randint(1, 12))
        end = min(_month(start.year, start.month + rng.randint(12, 48)), LATEST_END)
    evaluation = min(_month(end.year, end.month + rng.randint(1, 6)), LATEST_END) + datetime.timedelta(
        days=rng.randint(0, 27)
    )
    applied = achievement_type == AchievementType.APPLIED
    evaluation_method = rng.choice(
        ("appraisal", "acceptance", "acceptance", "assessment", "patent" if applied else "other")
    )
    level = (
        "unevaluated"
        if evaluation_method == "patent"
        else rng.choice(("intl_leading", "intl_advanced", "dom_leading", "dom_leading", "dom_advanced", "dom_advanced"))
    )
    if applied:
        output_form = rng.choice(theme.output_forms)
        stage = rng.choice(("early", "middle", "middle", "mature"))
        application_status = rng.choice(("industrial", "small_batch", "small_batch", "trial", "unused"))
    else:
        output_form = "paper" if achievement_type == AchievementType.BASIC else "report"
        stage = "early" if achievement_type == AchievementType.BASIC else "mature"
        application_status = "unused" if achievement_type == AchievementType.BASIC else "small_batch"
    data: dict[str, Any] = {
        "achievement_type": achievement_type,
        "name": text.name,
        "name_en": text.name_en,
        "summary": text.summary,
        "summary_en": text.summary_en,
        "keywords": text.keywords,
        "keywords_en": text.keywords_en,
        "discipline": rng.choice(theme.disciplines) if applied or achievement_type == AchievementType.BASIC else "630",
        "high_tech_field": theme.field,
        "industry": rng.choice(theme.industries),
        "stage": stage,
        "level": level,
        "application_status": application_status,
        "attribute": rng.choice(("original", "original", "secondary", "imported")),
        "output_form": output_form,
        "evaluation_method": evaluation_method,
        "project_source": funded["programme"]
        if funded
        else rng.choice(("national_key_rd", "beijing", "beijing_nsf", "enterprise", "ministry", "none", "beijing")),
        "programme_name": funded["programme_name"] if funded else "",
        "programme_number": funded["grant_number"] if funded else "",
        "research_start": start,
        "research_end": end,
        "evaluation_date": evaluation,
        "internal_registration_date": evaluation + datetime.timedelta(days=rng.randint(5, 60)),
        "public_release": True,
        "contact_name": (contact or {}).get("name") or person_name(rng),
        "contact_phone": (contact or {}).get("phone") or f"010-{rng.choice('68')}{rng.randrange(10**7):07d}",
        "contact_email": (contact or {}).get("email", ""),
        "contact_address": (contact or {}).get("address", ""),
    }
    units = [owner_name, *co_units]
    persons = []
    for i in range(rng.randint(2, 6)):
        unit = units[0] if i < 2 or len(units) == 1 else rng.choice(units[1:])
        persons.append(
            {
                "name": person_name(rng),
                "unit_name": unit,
                "title": rng.choice(MEDICAL_TITLES if medical and unit == owner_name else TITLES),
                "education": rng.choice(EDUCATION),
                "birth_year": rng.randint(1962, 1995),
            }
        )
    ip_items = ip_items_make(rng, theme, year=start.year, holder=owner_name, title=text.name) if applied else []
    modes = (
        rng.sample(("transfer", "licence", "equity", "joint", "self", "service"), rng.randint(1, 3))
        if applied
        else (["service"] if rng.random() < 0.5 else [])
    )
    return AchievementPlan(
        theme=theme.key, data=data, transfer_modes=modes, units=units, persons=persons, ip_items=ip_items
    )


def achievement_rows(count: int, *, seed: int = 42, owner: str = "") -> Iterator[dict[str, Any]]:
    """`count` synthetic achievements of one unit as flat dicts, for import benchmarks; no database needed.

    Keys are the service form-field names (code-table fields hold codes, dates are dates) plus
    "external_id", "units" (the other completing units), "persons" (names), "ip_items" and
    "transfer_modes" (codes); the caller formats them for its importer (see `bench_csv_write`).
    """
    rng = random.Random(seed)
    owner = owner or f"{PLACES[0][0]}{SUFFIXES[OrgType.UNIVERSITY][0][0]}"
    partners = [f"北京{place}{suffix[0]}" for place, _ in PLACES for suffix in SUFFIXES[OrgType.ENTERPRISE][:4]]
    themes = list(THEMES.values())
    for index in range(count):
        co_units = rng.sample(partners, rng.randint(1, 2)) if rng.random() < 0.3 else []
        plan = achievement_plan(rng, theme=rng.choice(themes), owner_name=owner, co_units=co_units)
        row = dict(plan.data)
        row.update(
            external_id=f"DEMO-{seed}-{index + 1:06d}",
            units=co_units,
            persons=[p["name"] for p in plan.persons],
            ip_items=plan.ip_items,
            transfer_modes=plan.transfer_modes,
        )
        yield row


TYPE_WORDS_ZH = {AchievementType.APPLIED: "应用技术", AchievementType.BASIC: "基础理论", AchievementType.SOFT: "软科学"}


def _code_labels() -> dict[str, dict[str, str]]:
    """Chinese labels of the shipped code tables, read from their files (no database needed)."""
    from techtransfer.core.codetables import CODES_DIR

    labels: dict[str, dict[str, str]] = {}
    for path in sorted(CODES_DIR.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        labels.setdefault(spec["key"], {}).update({item["code"]: item["zh"] for item in spec["items"]})
    return labels


def bench_csv_write(stream: IO[str], *, count: int, seed: int = 42, external_ids: bool = True) -> int:
    """Write `count` rows in the achievement import template's CSV layout (headers and labels as a unit
    would fill them in); returns the number of rows written."""
    from techtransfer.achievements.importing import COLUMNS

    labels = _code_labels()
    columns = [c for c in COLUMNS if external_ids or c.key != "external_id"]
    writer = csv.writer(stream)
    writer.writerow([c.header() for c in columns])
    written = 0
    for row in achievement_rows(count, seed=seed):
        cells: dict[str, str] = {
            "external_id": row["external_id"],
            "achievement_type": TYPE_WORDS_ZH[row["achievement_type"]],
            "keywords": "；".join(row["keywords"]),
            "research_start": f"{row['research_start']:%Y-%m}",
            "research_end": f"{row['research_end']:%Y-%m}",
            "persons": "、".join(row["persons"]),
            "units": "；".join(row["units"]),
            "patents": "；".join(i["number"] for i in row["ip_items"] if i["kind"] in PATENT_IP_KINDS),
            "software": "；".join(i["number"] for i in row["ip_items"] if i["kind"] == IPKind.SOFTWARE_COPYRIGHT),
            "transfer_modes": "；".join(labels["transfer_mode"][code] for code in row["transfer_modes"]),
            "secrecy": "无",
        }
        values = []
        for column in columns:
            if column.key in cells:
                values.append(cells[column.key])
            elif column.table:
                values.append(labels[column.table][row[column.key]])
            else:
                values.append(str(row.get(column.key) or ""))
        writer.writerow(values)
        written += 1
    return written


def demo_pdf(lines: Sequence[str]) -> bytes:
    """A small valid one-page PDF showing `lines` (ASCII) in Helvetica."""

    def escape(text: str) -> str:
        text = text.encode("ascii", "replace").decode("ascii")
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 11 Tf", "50 780 Td", "15 TL"]
    for line in lines:
        ops += [f"({escape(line[:95])}) Tj", "T*"]
    ops.append("ET")
    stream = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# --------------------------------------------------------------------------------------------------
# Organisation plan (pure) and the database writers.
# --------------------------------------------------------------------------------------------------


@dataclass
class OrgSpec:
    """One organisation to create, with the themes it works on and its username slug."""

    name: str
    name_en: str
    org_type: str
    region: str
    uscc: str
    slug: str
    themes: tuple[str, ...] = ()
    department: str = ""  # key of its supervising department
    registry_code: str = ""
    outside_beijing: bool = False


def _type_counts(rest: int) -> dict[str, int]:
    """How many units of each kind make up `rest` organisations (at least one of each)."""
    shares = [
        (OrgType.UNIVERSITY, 0.30),
        (OrgType.ENTERPRISE, 0.30),
        (OrgType.INSTITUTE, 0.16),
        (OrgType.HOSPITAL, 0.11),
        (OrgType.TRANSFER_INSTITUTION, 0.08),
        (OrgType.INVESTOR, 0.05),
    ]
    counts = {kind: max(1, int(rest * share)) for kind, share in shares}
    kinds = [kind for kind, _ in shares]
    i = 0
    while sum(counts.values()) < rest:
        counts[kinds[i % 4]] += 1  # the remainder goes to universities, enterprises, institutes, hospitals
        i += 1
    while sum(counts.values()) > rest:
        kind = max(kinds, key=lambda k: counts[k])
        counts[kind] -= 1
    return counts


def organisations_plan(rng: random.Random, total: int) -> list[OrgSpec]:
    """The demo's organisations: the commission, departments, then units of every kind across districts."""
    commission = OrgSpec(
        COMMISSION[0],
        COMMISSION[1],
        OrgType.REGISTRATION_BODY,
        "110000",
        uscc_make(rng, category="11", region="110000"),
        "commission",
        registry_code="110",
    )
    department_count = 2 if total < 30 else 4
    specs = [commission]
    for key, name, name_en in DEPARTMENTS[:department_count]:
        specs.append(
            OrgSpec(
                name,
                name_en,
                OrgType.SUPERVISING_DEPARTMENT,
                "110000",
                uscc_make(rng, category="11", region="110000"),
                key,
            )
        )
    departments = {spec.slug for spec in specs[1:]}
    counts = _type_counts(total - len(specs))
    units: list[OrgSpec] = []
    # One shuffled pool of place words for all kinds, so that two units rarely share one; a name already
    # taken moves on to the next word.
    places = list(PLACES)
    rng.shuffle(places)
    cursor = 0
    taken: set[str] = set()
    for org_type, count in counts.items():
        suffixes = SUFFIXES[org_type]
        preference = DISTRICT_PREFERENCE[org_type]
        others = [d for d in DISTRICTS if d not in preference]
        for i in range(count):
            suffix_zh, suffix_en, tag, themes = suffixes[i % len(suffixes)]
            while True:
                place_zh, place_en = places[cursor % len(places)]
                cursor += 1
                if org_type in {OrgType.ENTERPRISE, OrgType.INVESTOR} or suffix_zh.endswith("有限公司"):
                    name, name_en = f"北京{place_zh}{suffix_zh}", f"Beijing {place_en} {suffix_en}"
                else:
                    name, name_en = f"{place_zh}{suffix_zh}", f"{place_en} {suffix_en}"
                if name not in taken:
                    taken.add(name)
                    break
            region = preference[i] if i < len(preference) else (others + list(preference))[(i - len(preference)) % 16]
            department = ""
            if org_type == OrgType.UNIVERSITY:
                department = "edu"
            elif org_type == OrgType.HOSPITAL:
                department = "health"
            elif org_type == OrgType.INSTITUTE:
                department = "agri" if "agriculture" in themes and "agri" in departments else "econ"
            category = USCC_CATEGORY[org_type] if not suffix_zh.endswith("中心") else "12"
            units.append(
                OrgSpec(
                    name,
                    name_en,
                    org_type,
                    region,
                    uscc_make(rng, category=category, region=region),
                    slug=f"{place_en.lower()}_{tag}",
                    themes=themes,
                    department=department if department in departments else "",
                )
            )
    _move_some_outside(rng, units, count=max(1, len(units) // 8))
    seen: set[str] = set()
    for unit in units:  # slugs become usernames, so they must be unique
        base, n = unit.slug, 2
        while unit.slug in seen:
            unit.slug, n = f"{base}{n}", n + 1
        seen.add(unit.slug)
    return specs + units


def _move_some_outside(rng: random.Random, units: list[OrgSpec], *, count: int) -> None:
    """Put a few units (never the first of a kind, which carries a demo login) in Tianjin or Hebei."""
    by_type: dict[str, list[OrgSpec]] = {}
    for unit in units:
        by_type.setdefault(unit.org_type, []).append(unit)
    order = [OrgType.ENTERPRISE, OrgType.INSTITUTE, OrgType.UNIVERSITY, OrgType.TRANSFER_INSTITUTION]
    moved = 0
    while moved < count:
        progress = False
        for kind in order:
            candidates = [u for u in by_type.get(kind, [])[1:] if not u.outside_beijing]
            if not candidates or moved >= count:
                continue
            unit = candidates[-1]
            region, city_zh, city_en = OUTSIDE_REGIONS[moved % len(OUTSIDE_REGIONS)]
            unit.region, unit.outside_beijing, unit.department = region, True, ""
            unit.name = (
                unit.name.replace("北京", city_zh, 1) if unit.name.startswith("北京") else f"{city_zh}{unit.name}"
            )
            unit.name_en = (
                unit.name_en.replace("Beijing", city_en, 1)
                if unit.name_en.startswith("Beijing")
                else (f"{city_en} {unit.name_en}")
            )
            unit.uscc = uscc_make(rng, category=unit.uscc[:2], region=region)
            moved += 1
            progress = True
        if not progress:
            return


@dataclass
class DemoSummary:
    """What a demo seed created, for the command's report."""

    organisations: Counter[str] = field(default_factory=Counter)
    users: int = 0
    achievements: Counter[str] = field(default_factory=Counter)
    funded_projects: int = 0
    funded_linked: int = 0
    revisions: int = 0
    reindexed: str = ""
    seconds: float = 0.0


@contextmanager
def side_effects_suppressed() -> Iterator[None]:
    """No per-record jobs (search indexing, mail) while seeding; the index is rebuilt once at the end."""
    suppressed = getattr(jobs, "suppressed", None)
    if suppressed is not None:
        with suppressed():
            yield
        return
    from django.test import override_settings

    with override_settings(JOBS_BACKEND="off"):
        yield


def search_reindex_all() -> str:
    """Rebuild the search index if the search module is installed; say what happened."""
    try:
        search = importlib.import_module("techtransfer.achievements.search")
    except ModuleNotFoundError:
        return "skipped (no search module)"
    reindex = getattr(search, "achievements_reindex_all", None)
    if reindex is None:
        return "skipped (search module has no achievements_reindex_all)"
    result = reindex()
    return f"rebuilt ({result})" if result is not None else "rebuilt"


class _Codes:
    """Code items looked up once per (table, code)."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], CodeItem] = {}

    def __call__(self, key: str, code: str) -> CodeItem:
        if (key, code) not in self._items:
            self._items[(key, code)] = CodeItem.objects.current(key).get(code=code)
        return self._items[(key, code)]




class _Seeder:
    """Writes one demo: organisations, users, funded projects, then achievements through the services."""

    def __init__(self, *, organisations: int, achievements: int, seed: int, progress: Callable[[str], None]) -> None:
        self.rng = random.Random(seed)
        self.org_total = organisations
        self.achievement_total = achievements
        self.progress = progress
        self.codes = _Codes()
        self.password = make_password(DEMO_PASSWORD)  # hashed once: hashing per user would dominate small seeds
        self.summary = DemoSummary()
        self.orgs: dict[str, Organisation] = {}  # by slug
        self.specs: dict[str, OrgSpec] = {}
        self.officers: dict[str, User] = {}  # TTO officer per unit slug
        self.members: dict[str, list[User]] = {}
        self.reviewers: list[User] = []
        # Funded projects not yet reported on, per unit slug, with their programme code and name.
        self.funded: dict[str, list[tuple[FundedProject, str, str]]] = {}
        self.funded_total = 0
        self.patents_seen: set[str] = set()

    # -- organisations and people ------------------------------------------------------------------

    def organisation(self, spec: OrgSpec) -> Organisation:
        # Draw from the generator whether or not the unit exists, so a re-seed makes the same achievements.
        district = DISTRICT_NAMES.get(spec.region, "")
        road, number = self.rng.choice(ROADS), self.rng.randint(1, 199)
        address = f"北京市{district}{road}{number}号" if district else ""
        org = Organisation.objects.filter(name=spec.name).first()
        if org is None:
            org = Organisation(
                name=spec.name,
                name_en=spec.name_en,
                org_type=spec.org_type,
                uscc=spec.uscc,
                region=self.codes("region", spec.region),
                registry_code=spec.registry_code,
                address=address,
                description="演示数据：虚构单位，仅用于平台演示。Demo data: a fictional unit.",
                is_verified=True,
                supervising_department=self.orgs.get(spec.department) if spec.department else None,
            )
            org.full_clean()
            org.save()
        self.orgs[spec.slug] = org
        self.specs[spec.slug] = spec
        self.summary.organisations[spec.org_type] += 1
        return org

    def user(self, username: str, org: Organisation | None, role: str, **extra: Any) -> User:
        full_name = person_name(self.rng)
        phone = f"010-{self.rng.choice('68')}{self.rng.randrange(10**7):07d}"
        user = User.objects.filter(username=username).first()
        if user is None:
            extra.setdefault("full_name", full_name)
            user = User.objects.create(
                username=username,
                email=f"{username}@{EMAIL_DOMAIN}",
                password=self.password,
                email_confirmed=True,
                phone=phone,
                **extra,
            )
            self.summary.users += 1
        if org is not None:
            Membership.objects.get_or_create(user=user, organisation=org, defaults={"role": role})
        return user

    def people(self, specs: list[OrgSpec]) -> None:
        commission = self.orgs["commission"]
        self.user("admin", None, Role.MEMBER, is_staff=True, is_superuser=True, full_name="系统管理员")
        self.user("commission", commission, Role.COMMISSION_ADMIN, is_staff=True)
        self.reviewers.append(self.user("reviewer", commission, Role.REVIEWER))
        if self.org_total >= 30:
            self.reviewers.append(self.user("reviewer2", commission, Role.REVIEWER))
        for spec in specs:
            org = self.orgs[spec.slug]
            if spec.org_type == OrgType.SUPERVISING_DEPARTMENT:
                self.user(f"reviewer_{spec.slug}", org, Role.REVIEWER)
            elif spec.org_type != OrgType.REGISTRATION_BODY:
                self.officers[spec.slug] = self.user(self._officer_name(spec), org, Role.TTO_OFFICER)
                count = 2 if spec.org_type in {OrgType.UNIVERSITY, OrgType.INSTITUTE} else 1
                self.members[spec.slug] = [
                    self.user(self._member_name(spec, n), org, Role.MEMBER) for n in range(1, count + 1)
                ]

    def _first_of(self, org_type: str) -> OrgSpec | None:
        return next((s for s in self.specs.values() if s.org_type == org_type and not s.outside_beijing), None)

    def _officer_name(self, spec: OrgSpec) -> str:
        if spec is self._first_of(OrgType.UNIVERSITY):
            return "tto_demo_univ"
        if spec is self._first_of(OrgType.ENTERPRISE):
            return "enterprise"
        return f"tto_{spec.slug}"

    def _member_name(self, spec: OrgSpec, n: int) -> str:
        if spec is self._first_of(OrgType.UNIVERSITY) and n == 1:
            return "researcher"
        return f"{spec.slug}_{n}"

    # -- funded projects -----------------------------------------------------------------------------

    def funded_projects(self, hosts: list[OrgSpec]) -> None:
        total = max(20, min(50, self.achievement_total // 12))
        seen: set[tuple[str, str]] = set()
        for i in range(total):
            spec = hosts[i % len(hosts)]
            theme = THEMES[self.rng.choice(spec.themes)]
            year = self.rng.randint(2016, 2022)
            if self.rng.random() < 0.6:
                programme = "nsfc"
                grant_type, type_digit, low, high = self.rng.choice(NSFC_GRANT_TYPES)
                grant = f"{theme.nsfc_division}{year % 100 + 1:02d}{type_digit}{self.rng.randrange(10**4):04d}"
                title = achievement_text(self.rng, theme, AchievementType.BASIC).name
                programme_name = f"国家自然科学基金{grant_type}"
            else:
                programme, grant_type, low, high = "beijing", "北京市科技计划课题", 50, 500
                grant = f"Z{year % 100 + 1:02d}1100{self.rng.randrange(10**6):06d}"
                title = achievement_text(self.rng, theme, AchievementType.APPLIED).name
                programme_name = "北京市科技计划"
            if (programme, grant) in seen:
                continue
            seen.add((programme, grant))
            start = datetime.date(year + 1, 1, 1)
            end = datetime.date(year + self.rng.randint(3, 4), 12, 31)
            project, created = FundedProject.objects.get_or_create(
                programme=self.codes("project_source", programme),
                grant_number=grant,
                defaults={
                    "grant_type": grant_type,
                    "title": title,
                    "institution_name": spec.name,
                    "organisation": self.orgs[spec.slug],
                    "principal_investigator": person_name(self.rng),
                    "amount": Decimal(self.rng.randint(low, high) * 10_000),
                    "start": start,
                    "end": end,
                    "evaluation": "已结题" if end < LATEST_END else "在研",
                },
            )
            self.summary.funded_projects += int(created)
            self.funded_total += 1
            self.funded.setdefault(spec.slug, []).append((project, programme, programme_name))

    # -- achievements --------------------------------------------------------------------------------

    def states(self) -> list[str]:
        n = self.achievement_total
        counts = {state: max(1, round(n * share)) for state, share in STATE_SHARES}
        while sum(counts.values()) > n and counts[Status.PUBLISHED] > 1:
            counts[Status.PUBLISHED] -= 1
        while sum(counts.values()) < n:
            counts[Status.PUBLISHED] += 1
        rest = [state for state, count in counts.items() for _ in range(count - 1)]
        self.rng.shuffle(rest)
        # One of each state first: they go to the demo university, so its TTO officer sees every state.
        return [state for state, _ in STATE_SHARES] + rest

    def achievement(self, spec: OrgSpec, state: str, co_candidates: list[OrgSpec]) -> Achievement:
        rng = self.rng
        owner = self.orgs[spec.slug]
        officer = self.officers[spec.slug]
        theme = THEMES[rng.choice(spec.themes)]
        co_units: list[OrgSpec] = []
        if rng.random() < 0.35:
            matching = [c for c in co_candidates if c.slug != spec.slug and theme.key in c.themes] or co_candidates
            co_units = rng.sample(matching, min(len(matching), rng.randint(1, 2)))
        funded = None
        unlinked = self.funded.get(spec.slug, [])
        # Link at most about half of the funded projects, so the "still owes a record" view has content.
        if unlinked and rng.random() < 0.5 and self.summary.funded_linked < self.funded_total // 2:
            project, programme, programme_name = unlinked.pop(0)
            assert project.start is not None and project.end is not None
            funded = {
                "programme": programme,
                "programme_name": programme_name,
                "grant_number": project.grant_number,
                "start": project.start,
                "end": min(project.end.replace(day=1), LATEST_END),
                "project": project,
            }
            self.summary.funded_linked += 1
        plan = achievement_plan(
            rng,
            theme=theme,
            owner_name=owner.name,
            co_units=[c.name for c in co_units],
            funded=funded,
            medical=spec.org_type == OrgType.HOSPITAL,
            contact={
                "name": officer.full_name,
                "phone": officer.phone,
                "email": officer.email,
                "address": owner.address,
            },
        )
        self._unique_patents(plan)
        data = dict(plan.data)
        for key in services.CODE_FIELDS.keys() & data.keys():
            data[key] = self.codes(services.CODE_FIELDS[key], data[key])
        if funded:
            data["funded_project"] = funded["project"]
        if state == Status.REGISTERED:
            data["public_release"] = False  # the unit asked to keep it off the portal for now
        members = self.members.get(spec.slug) or []
        author = members[0] if members and rng.random() < 0.4 else officer
        units = [{"name": owner.name, "organisation": owner}] + [
            {"name": c.name, "organisation": self.orgs[c.slug]} for c in co_units
        ]
        achievement = services.achievement_create(
            by=author,
            owner=owner,
            data=data,
            units=units,
            persons=plan.persons,
            ip_items=plan.ip_items,
            transfer_modes=[self.codes("transfer_mode", code) for code in plan.transfer_modes],
        )
        if state == Status.DRAFT and rng.random() < 0.4:
            return achievement  # an unfinished draft without its materials yet
        kind = (
            AttachmentKind.EVALUATION if plan.data["evaluation_method"] != "patent" else AttachmentKind.IP_CERTIFICATE
        )
        pdf = demo_pdf(
            [
                "Demo material (synthetic) - not a real document",
                f"Kind: {kind.label}",
                f"Title: {plan.data['name_en']}",
                f"Evaluation date: {plan.data['evaluation_date']:%Y-%m-%d}",
            ]
        )
        services.attachment_add(
            achievement=achievement,
            by=author,
            upload=SimpleUploadedFile(f"{kind.value}.pdf", pdf, "application/pdf"),
            kind=kind,
        )
        return self._walk(achievement, state, officer)

    def _unique_patents(self, plan: AchievementPlan) -> None:
        # A clash of random serials is unlikely but would put one patent on two achievements; drop it.
        plan.ip_items = [item for item in plan.ip_items if item["number"] not in self.patents_seen]
        self.patents_seen.update(item["number"] for item in plan.ip_items)

    def _walk(self, achievement: Achievement, state: str, officer: User) -> Achievement:
        """Take the record through the workflow to `state`, as the unit and the commission would."""
        rng = self.rng
        if state == Status.DRAFT:
            return achievement
        if state == Status.WITHDRAWN and rng.random() < 0.5:
            return services.achievement_withdraw(
                achievement=achievement, by=officer, reason=rng.choice(WITHDRAW_REASONS)
            )
        reviewer = rng.choice(self.reviewers)
        achievement = services.achievement_submit(achievement=achievement, by=officer)
        if state == Status.SUBMITTED:
            return achievement
        if state == Status.RETURNED or rng.random() < 0.2:
            achievement = services.achievement_return(
                achievement=achievement, by=reviewer, reason=rng.choice(RETURN_REASONS)
            )
            if state == Status.RETURNED:
                return achievement
            # The unit fixes what was asked and sends it again.
            achievement = services.achievement_update(
                achievement=achievement,
                by=officer,
                data={"summary": achievement.summary + "已按审核意见补充相关材料。"},
            )
            achievement = services.achievement_submit(achievement=achievement, by=officer)
        achievement = services.achievement_register(achievement=achievement, by=reviewer)
        if state == Status.WITHDRAWN:
            return services.achievement_withdraw(
                achievement=achievement, by=officer, reason=rng.choice(WITHDRAW_REASONS)
            )
        if state == Status.PUBLISHED and achievement.application_status_id and rng.random() < 0.15:
            industrial = self.codes("application_status", "industrial")
            if achievement.application_status_id != industrial.pk:
                services.achievement_revise(
                    achievement=achievement, by=officer, data={"application_status": industrial}, reason=REVISION_REASON
                )
                self.summary.revisions += 1
        return achievement

    # -- the whole seed ------------------------------------------------------------------------------

    def run(self) -> DemoSummary:
        started = time.monotonic()
        specs = organisations_plan(self.rng, self.org_total)
        with transaction.atomic():
            for spec in specs:  # departments come before the units they supervise
                self.organisation(spec)
            self.people(specs)
            owners = [
                s
                for s in specs
                if s.org_type in {OrgType.UNIVERSITY, OrgType.INSTITUTE, OrgType.HOSPITAL, OrgType.ENTERPRISE}
                and not s.outside_beijing
            ]
            self.funded_projects([s for s in owners if s.org_type != OrgType.ENTERPRISE])
        self.progress(
            f"{len(specs)} organisations, {self.summary.users} users, {self.summary.funded_projects} funded projects"
        )
        co_candidates = [
            s
            for s in specs
            if s.org_type in {OrgType.UNIVERSITY, OrgType.INSTITUTE, OrgType.ENTERPRISE, OrgType.HOSPITAL}
        ]
        weights = [
            {OrgType.UNIVERSITY: 4, OrgType.INSTITUTE: 3, OrgType.HOSPITAL: 2}.get(s.org_type, 1) for s in owners
        ]
        first_university = self._first_of(OrgType.UNIVERSITY)
        states = self.states()
        chunk = 100  # one transaction per chunk: far fewer commits (and fsyncs) than one per service call
        for start in range(0, len(states), chunk):
            with transaction.atomic():
                for index in range(start, min(start + chunk, len(states))):
                    spec = first_university if index < len(STATE_SHARES) else self.rng.choices(owners, weights)[0]
                    assert spec is not None
                    achievement = self.achievement(spec, states[index], co_candidates)
                    self.summary.achievements[achievement.status] += 1
            if len(states) > chunk:
                self.progress(f"{min(start + chunk, len(states))}/{len(states)} achievements")
        self.summary.seconds = time.monotonic() - started
        return self.summary


def demo_seed(
    *, organisations: int, achievements: int, seed: int = 42, progress: Callable[[str], None] | None = None
) -> DemoSummary:
    """Create a synthetic demo of about `organisations` units and exactly `achievements` achievements."""
    if organisations < MIN_ORGANISATIONS:
        raise ValueError(f"A demo needs at least {MIN_ORGANISATIONS} organisations, not {organisations}.")
    if achievements < len(STATE_SHARES):
        raise ValueError(f"A demo needs at least {len(STATE_SHARES)} achievements (one per state), not {achievements}.")
    seeder = _Seeder(
        organisations=organisations, achievements=achievements, seed=seed, progress=progress or (lambda _: None)
    )
    with side_effects_suppressed():
        summary = seeder.run()
    started = time.monotonic()
    with side_effects_suppressed():
        summary.reindexed = search_reindex_all()
    summary.seconds += time.monotonic() - started
    return summary


def demo_logins() -> list[dict[str, str]]:
    """The key demo accounts that exist, with their organisation, for `demo_logins`."""
    rows = []
    users = {u.username: u for u in User.objects.filter(username__in=[k[0] for k in KEY_LOGINS])}
    for username, role_zh, role_en in KEY_LOGINS:
        user = users.get(username)
        if user is None:
            continue
        membership = user.memberships.select_related("organisation").first()
        org = membership.organisation if membership else None
        rows.append(
            {
                "username": username,
                "role_zh": role_zh,
                "role_en": role_en,
                "organisation": org.name if org else "—",
                "organisation_en": (org.name_en if org else "") or "",
                "password": DEMO_PASSWORD,
            }
        )
    return rows
