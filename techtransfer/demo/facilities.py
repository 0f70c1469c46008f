"""The demo's shared instruments and pilot platforms (S15) and innovation vouchers (S16).

Fifteen instruments, pilot lines and testing platforms at the demo's Beijing units and a Tianjin testing centre,
with opening hours and fees; a year of bookings (used, confirmed, waiting, declined, cancelled) that fill the
units' open-sharing statistics; this year's 首都科技创新券 and 京津冀创新券 programmes with their budgets and
provider lists (the latter with providers in Tianjin and Hebei); vouchers in every state (applied, approved,
issued, used, redeemed, rejected, expired), spent on bookings and on service contracts and redeemed with an
invoice and a report. Two logins to try it with: a start-up team holding an issued voucher (team_demo) and the
manager of an institute's instrument platform with a voucher to redeem (platform_demo).

Everything goes through the services at the dates it happened (the clock is moved with time-machine, as in
demo/compliance.py), so histories, audit trails, fees and budgets are what the platform itself records.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.test.utils import override_settings
from django.utils import timezone

from techtransfer.accounts.choices import MembershipStatus, OrgType, Role
from techtransfer.accounts.models import Membership, Organisation, User
from techtransfer.core.codetables import code_item
from techtransfer.core.exceptions import ApplicationError
from techtransfer.demo.identifiers import proof_pdf, uscc_make
from techtransfer.demo.loader import EMAIL_DOMAIN, demo_user
from techtransfer.facilities import services as facilities
from techtransfer.facilities.choices import BookingStatus
from techtransfer.facilities.models import Booking, Facility
from techtransfer.vouchers import services as vouchers
from techtransfer.vouchers.choices import VoucherStatus
from techtransfer.vouchers.models import Programme, Voucher

TEAM_LOGIN = ("创业团队（申请和使用创新券）", "Start-up team (applies for and spends an innovation voucher)")
PLATFORM_LOGIN = ("仪器平台管理员（确认预约、兑现创新券）",
                  "Instrument platform manager (bookings, voucher redemption)")
TEAM_MEMBERS = "负责人：周启航（硬件架构）\n成员：沈一诺（嵌入式软件）、陆嘉禾（结构设计）"
WEEKDAYS = range(5)
PILOT_DAYS = range(6)


@dataclass
class FacilitySummary:
    facilities: int = 0
    bookings: int = 0
    programmes: int = 0
    vouchers: dict[str, int] = field(default_factory=dict)
    redemptions: int = 0


@contextmanager
def _on(moment: datetime.datetime) -> Iterator[None]:
    import time_machine  # the demo's clock only; the platform never moves time

    with time_machine.travel(moment, tick=False):
        yield


def _at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _report(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, proof_pdf(["Service report", name, "Demo document"]),
                              content_type="application/pdf")


# Units (demo organisations by name), then what each lists: name, English name, kind, field, model, maker,
# fees outside / inside (元 per hour), specifications, open days.
UNITS = {
    "bwut": "百望理工大学",
    "yqiam": "雁栖先进材料研究所",
    "jbmu": "京北医科大学",
    "wyist": "温榆信息科技大学",
    "xsiee": "西山生态环境研究院",
    "hongxin": "北京泓芯微电子有限公司",
    "chiyuan": "北京驰远汽车零部件有限公司",
}
FACILITIES: list[dict[str, Any]] = [
    {"unit": "bwut", "name": "场发射扫描电子显微镜", "name_en": "Field-emission scanning electron microscope",
     "kind": "instrument", "field": "materials", "model_number": "SU8220", "maker": "日立高新",
     "fees": (500, 200), "address": "北京市海淀区百望理工大学分析测试中心B105",
     "specifications": "扫描电镜（SEM）：二次电子分辨率0.8 nm（15 kV）、1.1 nm（1 kV）；"
                       "放大倍数20–2,000,000倍；配牛津Ultim Max 65能谱仪和"
                       "背散射电子探头，可做形貌观察、断口分析和微区成分分析。"},
    {"unit": "bwut", "name": "场发射透射电子显微镜", "name_en": "Field-emission transmission electron microscope",
     "kind": "instrument", "field": "materials", "model_number": "JEM-F200", "maker": "日本电子",
     "fees": (1200, 600), "address": "北京市海淀区百望理工大学分析测试中心B101",
     "specifications": "透射电镜（TEM）：加速电压200 kV，点分辨率0.23 nm，STEM-HAADF分辨率0.16 nm；"
                       "配冷场发射枪和EDS，可做高分辨像、电子衍射和纳米尺度元素分布。"},
    {"unit": "bwut", "name": "X射线光电子能谱仪", "name_en": "X-ray photoelectron spectrometer",
     "kind": "instrument", "field": "chemicals", "model_number": "ESCALAB Xi+", "maker": "赛默飞世尔",
     "fees": (800, 400), "address": "北京市海淀区百望理工大学分析测试中心B203",
     "specifications": "单色化Al Kα光源，最佳能量分辨率0.45 eV，"
                       "最小束斑20 μm；配离子枪深度剖析和紫外光电子能谱（UPS）。"},
    {"unit": "bwut", "name": "400 MHz核磁共振波谱仪", "name_en": "400 MHz NMR spectrometer",
     "kind": "instrument", "field": "chemicals", "model_number": "AVANCE NEO 400", "maker": "布鲁克",
     "fees": (400, 150), "address": "北京市海淀区百望理工大学化学楼107",
     "specifications": "1H、13C、19F、31P等核的一维和二维谱；配宽带低温探头和60位自动进样器，适合有机合成结构鉴定。"},
    {"unit": "yqiam", "name": "高分辨X射线衍射仪", "name_en": "High-resolution X-ray diffractometer",
     "kind": "instrument", "field": "materials", "model_number": "SmartLab 9kW", "maker": "理学",
     "fees": (450, 200), "address": "北京市怀柔区雁栖先进材料研究所测试楼102",
     "specifications": "9 kW转靶Cu光源，测角精度0.0001°；可做物相分析、"
                       "薄膜掠入射、高分辨摇摆曲线、小角散射和原位变温。"},
    {"unit": "yqiam", "name": "动态热机械分析仪", "name_en": "Dynamic mechanical analyser",
     "kind": "instrument", "field": "materials", "model_number": "DMA 850", "maker": "TA仪器",
     "fees": (300, 120), "address": "北京市怀柔区雁栖先进材料研究所测试楼215",
     "specifications": "温度范围−150–600 ℃，频率0.01–200 Hz，"
                       "拉伸、三点弯曲、剪切等夹具；测储能模量、损耗因子和玻璃化转变。"},
    {"unit": "yqiam", "name": "百公斤级纳米粉体喷雾干燥中试线",
     "name_en": "100 kg-scale nano-powder spray-drying pilot line",
     "kind": "pilot_line", "field": "materials", "model_number": "PD-100", "maker": "自主集成",
     "fees": (3000, 1500), "address": "北京市怀柔区雁栖先进材料研究所中试基地2号厂房", "days": PILOT_DAYS,
     "specifications": "从浆料配制、砂磨、喷雾干燥到煅烧的连续中试线，日处理能力100 kg；可做正极材料前驱体、陶瓷粉体的"
                       "工艺放大和小批量试制，提供工艺参数记录。"},
    {"unit": "jbmu", "name": "流式细胞分选仪", "name_en": "Flow cytometry cell sorter",
     "kind": "instrument", "field": "biomedicine", "model_number": "FACSAria III", "maker": "BD",
     "fees": (600, 300), "address": "北京市昌平区京北医科大学公共技术平台C302",
     "specifications": "4激光18色，四路分选，分选纯度>98%；配生物安全柜，可做细胞亚群分析和无菌分选。"},
    {"unit": "jbmu", "name": "液相色谱-高分辨质谱联用仪", "name_en": "LC–high-resolution mass spectrometer",
     "kind": "instrument", "field": "biomedicine", "model_number": "Q Exactive HF", "maker": "赛默飞世尔",
     "fees": (900, 400), "address": "北京市昌平区京北医科大学公共技术平台C108",
     "specifications": "分辨率240,000（m/z 200），质量精度<1 ppm；用于小分子药物代谢、蛋白组学和非靶向代谢组学。"},
    {"unit": "wyist", "name": "5G毫米波射频测试平台", "name_en": "5G mmWave RF test platform",
     "kind": "test_platform", "field": "electronics", "model_number": "CMX500 + ATS1800C", "maker": "罗德与施瓦茨",
     "fees": (1500, 600), "address": "北京市朝阳区温榆信息科技大学通信楼B1",
     "specifications": "覆盖FR1与FR2（24–44 GHz）频段，支持NSA/SA协议一致性测试、OTA辐射性能和波束管理测试。"},
    {"unit": "wyist", "name": "电磁兼容3米法半电波暗室", "name_en": "3 m semi-anechoic EMC chamber",
     "kind": "test_platform", "field": "electronics", "model_number": "3m SAC", "maker": "ETS-Lindgren",
     "fees": (1000, 400), "address": "北京市朝阳区温榆信息科技大学电磁兼容实验室",
     "specifications": "30 MHz–18 GHz辐射发射与辐射抗扰度测试，转台承重2吨；"
                       "按GB/T 9254、GB/T 17626系列标准出具测试数据。"},
    {"unit": "xsiee", "name": "电感耦合等离子体质谱仪", "name_en": "ICP mass spectrometer",
     "kind": "instrument", "field": "environment", "model_number": "7900 ICP-MS", "maker": "安捷伦",
     "fees": (500, 200), "address": "北京市门头沟区西山生态环境研究院分析中心",
     "specifications": "检出限ng/L级，可测水、土壤、沉积物和固废中70余种元素；配激光剥蚀进样，做环境样品重金属分析。"},
    {"unit": "hongxin", "name": "8英寸MEMS工艺中试线", "name_en": "8-inch MEMS process pilot line",
     "kind": "pilot_line", "field": "electronics", "model_number": "—", "maker": "泓芯微电子",
     "fees": (5000, 5000), "address": "北京市海淀区永丰产业基地泓芯微电子园区",
     "specifications": "光刻、深硅刻蚀、薄膜沉积和晶圆键合全流程，"
                       "月产能500片；为MEMS传感器初创企业提供流片和工艺验证。"},
    {"unit": "chiyuan", "name": "新能源汽车电驱动总成中试验证平台", "name_en": "EV e-drive pilot validation platform",
     "kind": "test_platform", "field": "transport", "model_number": "EDT-250", "maker": "驰远汽车零部件",
     "fees": (2500, 2500), "address": "北京市顺义区驰远汽车零部件公司试验中心", "days": PILOT_DAYS,
     "specifications": "250 kW双电机对拖台架，转速0–20,000 rpm；"
                       "可做电驱动总成效率MAP、NVH和耐久验证，配小批量装配线。"},
]
TIANJIN_FACILITY: dict[str, Any] = {
    "name": "高精度三坐标测量机", "name_en": "High-precision coordinate measuring machine",
    "kind": "instrument", "field": "manufacturing", "model_number": "PRISMO ultra", "maker": "蔡司",
    "fees": (350, 350), "address": "天津市滨海新区经济技术开发区第三大街51号",
    "specifications": "测量范围900×1200×700 mm，示值误差(0.5+L/500) μm；做精密零部件几何量检测和逆向测量。",
}

# New organisations of the demo: applicants, and providers in Tianjin and Hebei (name, English name, type, region).
APPLICANTS = {
    "team": ("光合智能硬件创业团队", "Guanghe Smart Hardware Start-up Team", OrgType.OTHER, "110108"),
    "weimi": ("北京微米传感科技有限公司", "Beijing Weimi Sensing Technology Co., Ltd.", OrgType.ENTERPRISE, "110108"),
    "qinghe": ("北京青禾合成生物科技有限公司", "Beijing Qinghe Synthetic Biology Co., Ltd.", OrgType.ENTERPRISE,
               "110114"),
    "yunduan": ("云端视觉创业团队", "Yunduan Vision Start-up Team", OrgType.OTHER, "110105"),
    "jijian": ("北京极简储能科技有限公司", "Beijing Jijian Energy Storage Co., Ltd.", OrgType.ENTERPRISE, "110112"),
    "shulian": ("北京数联工业软件有限公司", "Beijing Shulian Industrial Software Co., Ltd.", OrgType.ENTERPRISE,
                "110106"),
    "lvneng": ("保定绿能新材料科技有限公司", "Baoding Lvneng New Materials Co., Ltd.", OrgType.ENTERPRISE, "130606"),
    "tjteam": ("滨海微流控创业团队", "Binhai Microfluidics Start-up Team", OrgType.OTHER, "120116"),
}
PROVIDERS_ELSEWHERE = {
    "tjtest": ("天津滨海先进制造检测认证中心", "Tianjin Binhai Advanced Manufacturing Testing Centre",
               OrgType.INSTITUTE, "120116"),
    "tjpilot": ("天津生物医药中试研究院", "Tianjin Biomedicine Pilot Institute", OrgType.INSTITUTE, "120116"),
    "hbequip": ("河北省智能装备工程技术研究中心", "Hebei Intelligent Equipment Engineering Research Centre",
                OrgType.INSTITUTE, "130102"),
    "xiongan": ("雄安新区数字孪生城市实验室", "Xiong'an Digital Twin City Laboratory", OrgType.INSTITUTE, "130629"),
}


class _Seed:
    def __init__(self, progress: Callable[[str], None]) -> None:
        self.progress = progress
        self.summary = FacilitySummary()
        self.today = timezone.localdate()
        self.year = self.today.year
        self.rng = random.Random(1215)
        self.commission = User.objects.get(username="commission")
        self.orgs: dict[str, Organisation] = {}
        self.people: dict[str, User] = {}
        self.facilities: dict[str, Facility] = {}

    # -- helpers -------------------------------------------------------------------------------------------

    def day(self, days_ago: int) -> datetime.date:
        """A day `days_ago` before today, but not before the programme year's first weeks (a run early in the
        year puts the past into the last weeks instead)."""
        earliest = datetime.date(self.year, 1, 8)
        span = max((self.today - earliest).days - 10, 40)
        return self.today - datetime.timedelta(days=min(days_ago, span))

    def open_day(self, facility: Facility, after: datetime.date) -> datetime.date:
        """The first day after `after` on which the facility is open."""
        open_days = {w.weekday for w in facility.opening_hours.all()}
        day = after + datetime.timedelta(days=1)
        while day.weekday() not in open_days:
            day += datetime.timedelta(days=1)
        return day

    def organisation(self, key: str, spec: tuple[str, str, str, str]) -> Organisation:
        name, name_en, org_type, region = spec
        # A start-up team without a company yet has no credit code (it applies as an organisation of type
        # "other"); firms and institutes have theirs.
        category = {OrgType.ENTERPRISE: "91", OrgType.INSTITUTE: "12"}.get(org_type)
        uscc = uscc_make(self.rng, category=category, region=region) if category else None
        org, _created = Organisation.objects.get_or_create(
            name=name,
            defaults={"name_en": name_en, "org_type": org_type, "region": code_item("region", region),
                      "uscc": uscc, "is_verified": True, "verified_at": timezone.now()},
        )
        self.orgs[key] = org
        return org

    def user(self, username: str, org: Organisation, name: str, role: str = Role.TTO_OFFICER) -> User:
        user, _created = demo_user(username, name=name, organisation=org, role=role)
        self.people[username] = user
        return user

    def manager(self, unit: str) -> User:
        if unit == "yqiam":  # the institute's instrument platform: its own manager, the demo's provider login
            return self.people["platform_demo"]
        org = self.orgs[unit]
        membership = (
            Membership.objects.filter(organisation=org, role=Role.TTO_OFFICER, status=MembershipStatus.ACTIVE)
            .select_related("user").order_by("-user__username").first()
        )
        assert membership is not None, f"{org.name} has no TTO officer"
        return membership.user

    # -- facilities ----------------------------------------------------------------------------------------

    def list_facilities(self) -> None:
        for key, name in UNITS.items():
            self.orgs[key] = Organisation.objects.get(name=name)
        # The institute's instrument platform has a manager of its own: the demo's provider login.
        self.user("platform_demo", self.orgs["yqiam"], "高雅琴")
        listed_on = self.day(330)
        with _on(_at(listed_on, 9)):
            for spec in FACILITIES:
                unit = spec["unit"]
                self.facilities[spec["name"]] = self.facility(self.orgs[unit], self.manager(unit), spec)
            tianjin = self.orgs["tjtest"]
            self.facilities[TIANJIN_FACILITY["name"]] = self.facility(tianjin, self.people["tto_tjtest"],
                                                                      TIANJIN_FACILITY)

    def facility(self, owner: Organisation, by: User, spec: dict[str, Any]) -> Facility:
        outside, inside = spec["fees"]
        days = spec.get("days", WEEKDAYS)
        hours = (datetime.time(8, 0), datetime.time(20, 0)) if spec["kind"] == "pilot_line" else (
            datetime.time(8, 30), datetime.time(17, 30))
        data = {
            "name": spec["name"], "name_en": spec["name_en"], "kind": spec["kind"],
            "field": code_item("high_tech_field", spec["field"]), "specifications": spec["specifications"],
            "model_number": spec["model_number"], "maker": spec["maker"], "address": spec["address"],
            "district": owner.region, "fee_outside": Decimal(outside), "fee_inside": Decimal(inside),
            "sharing_rules": "对校（院）内外用户开放。校外用户请提前3个工作日在线预约，"
                             "首次使用须参加机组培训或由机组人员代测；"
                             "样品须提前送检并说明成分和危险性。预约时段未使用且未提前24小时取消的，按预约时长的50%收费。"
                             "收费标准经本单位物价管理部门核定，按《北京市促进科技成果转化条例》和首都科技条件平台要求开放共享。",
            "contact_name": by.full_name, "contact_phone": "010-6" + str(7000000 + owner.pk * 37 % 999999)[:7],
            "contact_email": f"platform-{owner.pk}@{EMAIL_DOMAIN}",
        }
        windows = [facilities.Window(d, *hours) for d in days]
        facility = facilities.facility_create(by=by, owner=owner, data=data, opening_hours=windows)
        facility = facilities.facility_publish(facility=facility, by=by)
        self.summary.facilities += 1
        return facility

    def booking(self, facility: Facility, by: User, made: datetime.date | None, *, start_hour: int = 9,
                hours: int = 3, outcome: str = BookingStatus.COMPLETED, used: Decimal | None = None,
                purpose: str = "") -> Booking | None:
        """A booking made on `made` (None: now) for the next open day after it, taken to `outcome` at the time
        it happens; None when the time is already taken."""
        manager = self.manager_of(facility)
        day = self.open_day(facility, (made or self.today) + datetime.timedelta(days=1))
        start = _at(day, start_hour)
        with _on(_at(made, 10)) if made else nullcontext():
            try:
                booking = facilities.booking_create(by=by, facility=facility, start=start,
                                                    end=start + datetime.timedelta(hours=hours), purpose=purpose)
            except ApplicationError:
                return None
        self.summary.bookings += 1
        self.take(booking, manager, made, outcome, used)
        return booking

    def take(self, booking: Booking, manager: User, made: datetime.date | None, outcome: str,
             used: Decimal | None = None) -> None:
        def at(hour: int) -> Any:
            return _on(_at(made, hour)) if made else nullcontext()

        if outcome == BookingStatus.DECLINED:
            with at(15):
                facilities.booking_decline(booking=booking, by=manager, reason="该时段设备年度维保，请改约其他时间。")
            return
        if outcome == BookingStatus.PENDING:
            return
        with at(14):
            facilities.booking_confirm(booking=booking, by=manager)
        if outcome == BookingStatus.CANCELLED:
            with at(16):
                facilities.booking_cancel(booking=booking, by=booking.booked_by, reason="样品未能按期制备完成。")
        elif outcome == BookingStatus.COMPLETED:
            with _on(booking.end + datetime.timedelta(hours=1)):
                facilities.booking_record_usage(booking=booking, by=manager, hours_used=used or booking.hours)

    def manager_of(self, facility: Facility) -> User:
        if facility.owner_id == self.orgs["tjtest"].pk:
            return self.people["tto_tjtest"]
        unit = next(k for k, o in self.orgs.items() if o.pk == facility.owner_id)
        return self.manager(unit)

    def bookings(self) -> None:
        """A year of use: each instrument booked by outside firms and the unit's own researchers."""
        firms = [self.people[u] for u in ("weimi_ceo", "qinghe_ceo", "jijian_ceo", "shulian_ceo")]
        own = {"bwut": "researcher", "yqiam": "yqiam_xu", "jbmu": "jbmu_lin", "wyist": "wyist_song"}
        purposes = ["样品形貌与成分分析", "工艺优化对比测试", "产品送检前的摸底测试", "课题组常规表征",
                    "合作项目联合测试", "失效分析"]
        busy = list(self.facilities.values())[:12]
        for n in range(34):
            facility = busy[n % len(busy)]
            unit = next((k for k, o in self.orgs.items() if o.pk == facility.owner_id), "")
            inside = unit in own and n % 3 == 0
            by = User.objects.get(username=own[unit]) if inside else firms[n % len(firms)]
            made = self.day(320 - n * 9)
            outcome = BookingStatus.COMPLETED
            if n % 11 == 5:
                outcome = BookingStatus.DECLINED
            elif n % 13 == 7:
                outcome = BookingStatus.CANCELLED
            used = None if n % 4 else Decimal("2.5")
            self.booking(facility, by, made, start_hour=9 if n % 2 else 14, hours=3, outcome=outcome, used=used,
                         purpose=purposes[n % len(purposes)])
        # Coming up: confirmed and waiting bookings.
        for name, username, outcome in [
            ("场发射扫描电子显微镜", "weimi_ceo", BookingStatus.CONFIRMED),
            ("高分辨X射线衍射仪", "qinghe_ceo", BookingStatus.PENDING),
            ("流式细胞分选仪", "qinghe_ceo", BookingStatus.PENDING),
            ("5G毫米波射频测试平台", "shulian_ceo", BookingStatus.CONFIRMED),
        ]:
            self.booking(self.facilities[name], self.people[username], None, start_hour=14, hours=2,
                         outcome=outcome, purpose="新产品研发测试")

    # -- vouchers ------------------------------------------------------------------------------------------

    def programmes(self) -> tuple[Programme, Programme]:
        source = ("示例数值：单张券金额上限、自付比例、有效期和“小微”标准均未经公开文本确认（domain-spec §6 "
                  "UNCONFIRMED），由市科委按年度在本页设定。依据：北京市促进科技成果转化条例第三十六条。")
        with _on(_at(self.day(340), 9)):
            capital = vouchers.programme_create(by=self.commission, data={
                "kind": "capital", "year": self.year, "name": f"{self.year}年首都科技创新券",
                "name_en": f"{self.year} Capital S&T Innovation Voucher",
                "issuer": "北京市科学技术委员会、中关村科技园区管理委员会、北京市财政局", "number_prefix": "SDKJ",
                "description": "支持本市小微企业和创业团队利用国家和市级重点实验室、"
                               "工程技术研究中心、设计创新中心及首都科技"
                               "条件平台的仪器设备开展研发活动；企业以创新券支付服务费用，服务机构持券兑现。",
                "budget": Decimal("30000000"), "max_amount": Decimal("300000"), "co_payment_ratio": Decimal("0.5"),
                "validity_days": 365, "end_date": datetime.date(self.year + 1, 6, 30), "max_employees": 100,
                "max_revenue": Decimal("50000000"), "applicant_regions": "11", "source": source,
            })
            jjj = vouchers.programme_create(by=self.commission, data={
                "kind": "jingjinji", "year": self.year, "name": f"{self.year}年京津冀创新券",
                "name_en": f"{self.year} Beijing–Tianjin–Hebei Innovation Voucher",
                "issuer": "北京市科学技术委员会、天津市科学技术局、河北省科学技术厅", "number_prefix": "JJJ",
                "description": "京津冀三地互认的创新券：三地小微企业和创业团队可在名录内的京津冀服务机构使用，"
                               "促进科技资源跨区域开放共享。",
                "budget": Decimal("15000000"), "max_amount": Decimal("200000"), "co_payment_ratio": Decimal("0.5"),
                "validity_days": 120, "end_date": datetime.date(self.year + 1, 3, 31), "max_employees": 100,
                "max_revenue": Decimal("30000000"), "applicant_regions": "11,12,13", "source": source,
            })
            self.summary.programmes = 2
            materials, bio = code_item("high_tech_field", "materials"), code_item("high_tech_field", "biomedicine")
            electronics, manufacturing = code_item("high_tech_field", "electronics"), code_item(
                "high_tech_field", "manufacturing")
            listing = [
                ("bwut", "instrument_platform", "百望理工大学分析测试中心：电镜、"
                                                "能谱、核磁等大型仪器测试与分析。", [materials]),
                ("yqiam", "key_lab", "先进功能材料北京市重点实验室：材料表征、热分析和粉体工艺中试。", [materials]),
                ("jbmu", "key_lab", "生物医药公共技术平台：流式细胞、质谱和细胞治疗产品检测。", [bio]),
                ("wyist", "engineering_centre", "北京市5G通信工程技术研究中心：射频、协议一致性和电磁兼容测试。",
                 [electronics]),
                ("xsiee", "testing", "环境监测分析中心：水、土壤和固废中重金属与有机污染物检测。",
                 [code_item("high_tech_field", "environment")]),
                ("hongxin", "pilot_base", "MEMS工艺中试平台：传感器流片和工艺验证。", [electronics]),
                ("chiyuan", "pilot_base", "新能源汽车电驱动中试验证平台：台架验证和小批量试制。",
                 [code_item("high_tech_field", "transport")]),
            ]
            for key, category, services_text, fields in listing:
                vouchers.provider_add(by=self.commission, programme=capital, organisation=self.orgs[key],
                                      data={"category": category, "services": services_text}, fields=fields)
            for key, category, services_text, fields in [
                ("bwut", "instrument_platform", "百望理工大学分析测试中心：电镜、能谱、核磁测试。", [materials]),
                ("yqiam", "key_lab", "材料表征与粉体工艺中试。", [materials]),
                ("tjtest", "testing", "精密几何量、力学和环境可靠性检测，CNAS认可实验室。", [manufacturing]),
                ("tjpilot", "pilot_base", "生物药和制剂的中试放大与工艺验证（GMP中试车间）。", [bio]),
                ("hbequip", "engineering_centre", "工业机器人和智能装备的可靠性测试与联合研发。", [manufacturing]),
                ("xiongan", "key_lab", "城市信息模型与数字孪生仿真服务。", [code_item("high_tech_field", "urban")]),
            ]:
                vouchers.provider_add(by=self.commission, programme=jjj, organisation=self.orgs[key],
                                      data={"category": category, "services": services_text}, fields=fields)
        return capital, jjj

    def apply(self, programme: Programme, holder: str, username: str, day: datetime.date, amount: int,
              purpose: str, **data: Any) -> Voucher:
        org = self.orgs[holder]
        kind = "startup_team" if org.org_type == OrgType.OTHER else "small_micro"
        team = TEAM_MEMBERS if kind == "startup_team" else ""
        values = {"applicant_type": kind, "requested_amount": Decimal(amount), "purpose": purpose,
                  "employees": 6 if kind == "startup_team" else 38,
                  "annual_revenue": Decimal(0) if kind == "startup_team" else Decimal("8600000"),
                  "team_members": team, **data}
        with _on(_at(day, 10)):
            return vouchers.voucher_apply(by=self.people[username], programme=programme, holder=org, data=values)

    def decide(self, voucher: Voucher, day: datetime.date, *, issue: bool = True) -> Voucher:
        with _on(_at(day, 11)):
            voucher = vouchers.voucher_approve(voucher=voucher, by=self.commission)
        if issue:
            with _on(_at(day + datetime.timedelta(days=3), 11)):
                voucher = vouchers.voucher_issue(voucher=voucher, by=self.commission)
        return voucher

    def spend_on_booking(self, voucher: Voucher, facility_name: str, username: str, day: datetime.date,
                         hours: int = 4) -> Booking:
        facility = self.facilities[facility_name]
        slot_day = self.open_day(facility, day + datetime.timedelta(days=1))
        start = _at(slot_day, 9)
        with _on(_at(day, 10)):
            booking = vouchers.voucher_use_booking(voucher=voucher, by=self.people[username], facility=facility,
                                                   start=start, end=start + datetime.timedelta(hours=hours),
                                                   purpose="使用创新券委托测试")
        self.summary.bookings += 1
        return booking

    def redeem(self, voucher: Voucher, provider: User, day: datetime.date, number: str, amount: Decimal,
               report: str) -> None:
        with _on(_at(day, 15)):
            vouchers.voucher_redeem(voucher=voucher, by=provider, invoice_number=number, invoice_amount=amount,
                                    report=_report(report))
        self.summary.redemptions += 1

    def vouchers(self, capital: Programme, jjj: Programme) -> None:
        # Redeemed: a sensor firm's SEM and XPS work at the university, used, invoiced and redeemed.
        weimi = self.decide(self.apply(capital, "weimi", "weimi_ceo", self.day(300), 150000,
                                       "MEMS压力传感器敏感膜的形貌、成分和界面分析，用于量产工艺定型。"), self.day(290))
        booking = self.spend_on_booking(weimi, "场发射扫描电子显微镜", "weimi_ceo", self.day(280), hours=6)
        manager = self.manager("bwut")
        self.take(booking, manager, self.day(280), BookingStatus.COMPLETED)
        self.redeem(weimi, manager, self.day(270), "No.11002378", Decimal("62000"), "SEM-EDS检测报告.pdf")

        # Redeemed on a service contract: an industrial-software firm's EMC tests.
        shulian = self.decide(self.apply(capital, "shulian", "shulian_ceo", self.day(240), 100000,
                                         "工业网关产品电磁兼容摸底测试和整改验证。"), self.day(232))
        with _on(_at(self.day(225), 10)):
            vouchers.voucher_use_contract(voucher=shulian, by=self.people["shulian_ceo"],
                                          provider=capital.providers.get(organisation=self.orgs["wyist"]),
                                          contract_number=f"WY-JSFW-{self.year}-031", agreed_amount=Decimal("86000"),
                                          description="工业网关EMC辐射发射、静电放电和浪涌测试，含两轮整改复测。")
        self.redeem(shulian, self.manager("wyist"), self.day(190), "No.20938811", Decimal("86000"), "EMC测试报告.pdf")

        # Used, waiting for the provider's redemption: the battery firm's XRD work at the institute.
        jijian = self.decide(self.apply(capital, "jijian", "jijian_ceo", self.day(60), 120000,
                                        "钠离子电池正极材料的物相和热机械性能测试。"), self.day(50))
        booking = self.spend_on_booking(jijian, "高分辨X射线衍射仪", "jijian_ceo", self.day(30), hours=5)
        self.take(booking, self.people["platform_demo"], self.day(30), BookingStatus.COMPLETED)

        # Issued: the start-up team's voucher, ready to be spent (the team_demo login).
        self.decide(self.apply(capital, "team", "team_demo", self.day(40), 80000,
                               "智能穿戴设备外壳材料和电路板焊点的失效分析，为样机定型提供依据。"), self.day(25))
        # Approved, to be issued; applied, to be decided; rejected with a reason.
        self.decide(self.apply(capital, "qinghe", "qinghe_ceo", self.day(12), 200000,
                               "合成生物菌株代谢产物的高分辨质谱鉴定。"), self.day(5), issue=False)
        self.apply(capital, "yunduan", "yunduan_lead", self.day(3), 60000, "视觉检测算法在5G专网下的时延和可靠性测试。")
        rejected = self.apply(jjj, "weimi", "weimi_ceo", self.day(150), 200000,
                              "购置一台小型真空镀膜设备。")
        with _on(_at(self.day(145), 11)):
            vouchers.voucher_reject(voucher=rejected, by=self.commission,
                                    reason="创新券用于购买名录内服务机构的研发服务，不能用于购置设备；请改为委托测试或联合研发后重新申请。")

        # 京津冀: a Hebei firm redeems with the Tianjin testing centre; a Tianjin team's voucher expired unused.
        lvneng = self.decide(self.apply(jjj, "lvneng", "lvneng_ceo", self.day(200), 150000,
                                        "光伏背板用改性聚酯薄膜的尺寸稳定性和力学性能检测。"), self.day(195))
        booking = self.spend_on_booking(lvneng, "高精度三坐标测量机", "lvneng_ceo", self.day(185), hours=8)
        self.take(booking, self.people["tto_tjtest"], self.day(185), BookingStatus.COMPLETED)
        self.redeem(lvneng, self.people["tto_tjtest"], self.day(175), "No.12007731", Decimal("9800"),
                    "三坐标检测报告.pdf")
        self.decide(self.apply(jjj, "tjteam", "tjteam_lead", self.day(230), 50000,
                               "微流控芯片的细胞捕获效率验证。"), self.day(226))
        expiry = self.day(226) + datetime.timedelta(days=3 + (jjj.validity_days or 0) + 1)
        if expiry < self.today:
            with _on(_at(expiry, 0, 5)):  # the daily expire_vouchers of that night
                vouchers.vouchers_expire(today=expiry)
        # A Beijing firm's 京津冀 voucher, issued for work in Hebei.
        self.decide(self.apply(jjj, "qinghe", "qinghe_ceo", self.day(20), 120000,
                               "发酵罐控制系统的机器人化改造联合验证。"), self.day(10))

        counts = dict(Voucher.objects.values_list("status").annotate(n=Count("id")).order_by())
        self.summary.vouchers = {value: counts[value] for value in VoucherStatus.values if counts.get(value)}

    def people_and_places(self) -> None:
        for key, spec in APPLICANTS.items():
            self.organisation(key, spec)
        for key, spec in PROVIDERS_ELSEWHERE.items():
            self.organisation(key, spec)
        self.user("team_demo", self.orgs["team"], "周启航")
        for username, key, name in [
            ("weimi_ceo", "weimi", "韩立明"), ("qinghe_ceo", "qinghe", "苏婉清"), ("yunduan_lead", "yunduan", "程远"),
            ("jijian_ceo", "jijian", "贺东升"), ("shulian_ceo", "shulian", "冯启"), ("lvneng_ceo", "lvneng", "田志刚"),
            ("tjteam_lead", "tjteam", "邵雨桐"), ("tto_tjtest", "tjtest", "马骏"), ("tto_tjpilot", "tjpilot", "钱宁"),
            ("tto_hbequip", "hbequip", "赵振华"), ("tto_xiongan", "xiongan", "孔令晖"),
        ]:
            self.user(username, self.orgs[key], name)

    def run(self) -> FacilitySummary:
        self.people_and_places()
        self.list_facilities()
        self.progress(f"{self.summary.facilities} shared facilities listed")
        self.bookings()
        capital, jjj = self.programmes()
        self.vouchers(capital, jjj)
        return self.summary


def facilities_seed(progress: Callable[[str], None] = lambda message: None) -> FacilitySummary:
    """Seed the facilities and vouchers (see the module docstring); returns what was made."""
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        return _Seed(progress).run()


def facilities_summary_line(summary: FacilitySummary) -> str:
    states = ", ".join(f"{label} {count}" for label, count in summary.vouchers.items())
    return (f"Shared facilities and vouchers: {summary.facilities} facilities, {summary.bookings} bookings, "
            f"{summary.programmes} voucher programmes, vouchers {states}; {summary.redemptions} redemptions")


def voucher_logins() -> list[tuple[str, str, str]]:
    """(role, username, organisation) of the two logins to try vouchers with, for `demo_logins`."""
    rows = []
    for username, (zh, en) in (("team_demo", TEAM_LOGIN), ("platform_demo", PLATFORM_LOGIN)):
        user = User.objects.filter(username=username).prefetch_related("memberships__organisation").first()
        if user is None:
            continue
        membership = next(iter(user.memberships.all()), None)
        org = membership.organisation if membership else None
        where = f"{org.name} ({org.name_en})" if org and org.name_en else (org.name if org else "—")
        rows.append((f"{zh} / {en}", username, where))
    return rows
