"""The demo's service side (S13): eight technology-transfer institutions and fifteen technology brokers with
their certificates, registered and reviewed through the services, listed years ago and filing every year; one
broker missed the last filing and has lapsed; one profile waits for review and one is a draft; enterprises asked
brokers for help on their demands (accepted, waiting, declined); the institution of the market demo registered
two contracts as the intermediary (技术中介).

Everything happens at the date it happened: the clock is moved to each date (time-machine), so histories, the
audit trail, lateness and notifications are what the platform itself records. Demo users get the password of
every demo user (loader.DEMO_PASSWORD).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings
from django.utils import timezone

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.accounts.models import Organisation, User
from techtransfer.agencies import services
from techtransfer.agencies.choices import AgencyKind, AgencyStatus, HelpStatus
from techtransfer.agencies.models import Agency, AgencyFiling, HelpRequest
from techtransfer.core.codetables import code_item
from techtransfer.core.exceptions import ApplicationError
from techtransfer.demo.identifiers import USCC_CATEGORY, proof_pdf, uscc_make
from techtransfer.demo.loader import EMAIL_DOMAIN, demo_user
from techtransfer.market.choices import DemandStatus
from techtransfer.market.models import TechnologyDemand

ISSUERS = ("北京技术市场协会", "中国技术市场协会", "中关村技术经理人协会")
# The demo's login of an independent broker (demo_logins prints it beside the institution's broker).
INDEPENDENT_BROKER = "broker_lin"
INDEPENDENT_LOGIN = ("独立技术经纪人", "Independent technology broker")


@dataclass(frozen=True)
class InstitutionSpec:
    name: str
    name_en: str
    region: str
    category: str  # of the unified social credit code: 91 company, 12 public institution, 51 association
    officer: tuple[str, str]  # username, name (the existing institution's officer exists already)
    description: str
    services: tuple[str, ...]
    fields: tuple[str, ...]
    regions: tuple[str, ...]
    listed: datetime.date
    staff: int


@dataclass(frozen=True)
class BrokerSpec:
    username: str
    name: str
    employer: str | None  # an institution's name, or None (independent)
    region: str
    level: str
    certificate: str
    issuer: str
    issued: datetime.date
    description: str
    services: tuple[str, ...]
    fields: tuple[str, ...]
    regions: tuple[str, ...]
    listed: datetime.date | None  # None: not listed (see `state`)
    state: str = "listed"  # listed, lapsed (misses the last filing), under_review, draft


BJ, TJ, HB = "110000", "120000", "130000"

INSTITUTIONS = [
    InstitutionSpec(
        "北京金台技术转移有限公司", "Beijing Jintai Technology Transfer Co., Ltd.", "110105", "91",
        ("broker", "高鹏"),
        "专业技术转移服务机构，技术经理人团队熟悉生物医药、新材料和节能环保领域，为企业梳理技术需求、寻找高校院所"
        "成果并组织技术对接、评估和合同谈判。近三年促成技术许可和委托开发项目四十余项。",
        ("brokerage", "evaluation", "demand_mining", "financing"), ("biomedicine", "materials", "environment"),
        (BJ, TJ, HB), datetime.date(2022, 6, 15), 26,
    ),
    InstitutionSpec(
        "北京技术交易促进中心", "Beijing Technology Exchange Promotion Center", "110108", "12",
        ("ttc_promotion", "邓思远"),
        "面向首都技术市场的公益性服务机构：技术合同认定登记咨询、技术交易政策宣讲、京津冀技术交易对接活动和"
        "国际技术转移合作。",
        ("contract_registration", "policy", "brokerage", "international"),
        ("electronics", "manufacturing", "biomedicine", "energy"), (BJ, TJ, HB), datetime.date(2022, 4, 20), 48,
    ),
    InstitutionSpec(
        "百望理工大学技术转移中心", "Technology Transfer Center of Baiwang University of Technology", "110108", "12",
        ("ttc_bwut", "钱立群"),
        "学校科技成果转化的专业服务部门：成果披露与评估、专利布局与运营、概念验证和中试熟化，协助完成成果"
        "作价投资和许可。",
        ("evaluation", "ip_operation", "pilot"), ("manufacturing", "materials", "environment"), (BJ,),
        datetime.date(2023, 3, 8), 15,
    ),
    InstitutionSpec(
        "京北医科大学技术转移中心", "Technology Transfer Center of Jingbei Medical University", "110114", "12",
        ("ttc_jbmu", "韩若冰"),
        "负责医学院和附属医院科技成果的转化：药物和医疗器械成果评估、临床转化合作、专利许可谈判，以及"
        "与生物医药园区的项目对接。",
        ("evaluation", "ip_operation", "brokerage"), ("biomedicine",), (BJ, HB), datetime.date(2023, 5, 12), 11,
    ),
    InstitutionSpec(
        "中关村技术经理人事务所（北京）有限公司", "Zhongguancun Technology Managers Office (Beijing) Co., Ltd.",
        "110108", "91", ("ttc_zgc", "周明远"),
        "中关村技术经理人协会会员单位，提供技术需求挖掘、技术评估和交易经纪服务，为科技型中小企业"
        "匹配高校院所的专利技术。",
        ("demand_mining", "evaluation", "brokerage"), ("electronics", "manufacturing"), (BJ,),
        datetime.date(2023, 9, 1), 19,
    ),
    InstitutionSpec(
        "北京怀柔科学城技术转移有限公司", "Huairou Science City Technology Transfer Co., Ltd.", "110116", "91",
        ("ttc_huairou", "许清扬"),
        "依托怀柔科学城大科学装置和交叉研究平台，提供中试熟化、概念验证、孵化和技术投融资服务，"
        "重点服务新材料和清洁能源领域的早期项目。",
        ("pilot", "incubation", "financing"), ("materials", "energy"), (BJ, HB), datetime.date(2024, 2, 26), 22,
    ),
    InstitutionSpec(
        "北京经开区技术交易服务有限公司", "Beijing E-Town Technology Trading Services Co., Ltd.", "110115", "91",
        ("ttc_etown", "孟嘉禾"),
        "服务北京经济技术开发区的先进制造、新能源汽车和集成电路企业：知识产权运营、技术交易经纪和技术合同"
        "登记咨询。",
        ("ip_operation", "brokerage", "contract_registration"), ("manufacturing", "transport", "electronics"),
        (BJ, TJ), datetime.date(2024, 6, 18), 17,
    ),
    InstitutionSpec(
        "京津冀协同创新技术转移中心（北京）有限公司",
        "Beijing-Tianjin-Hebei Collaborative Innovation Technology Transfer Center (Beijing) Co., Ltd.",
        "110105", "91", ("ttc_jjj", "石雨桐"),
        "推动北京科技成果在天津、河北落地转化：组织跨区域技术对接、协助办理京津冀创新券和政策咨询，"
        "重点领域为节能环保和现代农业。",
        ("brokerage", "policy", "demand_mining"), ("environment", "agriculture"), (BJ, TJ, HB),
        datetime.date(2026, 5, 6), 9,
    ),
]

JINTAI, PROMOTION, BWUT, JBMU, ZGC, HUAIROU, ETOWN, JJJ = (spec.name for spec in INSTITUTIONS)

BROKERS = [
    BrokerSpec("broker", "高鹏", JINTAI, "110105", "senior", "BJJJ-2019-0137", ISSUERS[0], datetime.date(2019, 11, 8),
               "技术经理人，长期服务生物医药和新材料企业，促成多项高校专利许可和委托开发合同。",
               ("brokerage", "evaluation"), ("biomedicine", "materials"), (BJ, HB), datetime.date(2022, 7, 1)),
    BrokerSpec("broker_wang", "王海宁", JINTAI, "110105", "intermediate", "BJJJ-2021-0456", ISSUERS[0],
               datetime.date(2021, 10, 22), "节能环保领域技术经纪，熟悉工业废水和VOCs治理技术的评估与对接。",
               ("brokerage", "demand_mining"), ("environment",), (BJ, TJ, HB), datetime.date(2022, 9, 14)),
    BrokerSpec("broker_deng", "邓晓岚", PROMOTION, "110108", "senior", "ZGJS-2018-2210", ISSUERS[1],
               datetime.date(2018, 6, 30), "技术合同认定登记和技术交易政策咨询，协助企业办理技术合同登记和税收优惠。",
               ("contract_registration", "policy"), ("electronics", "manufacturing"), (BJ,),
               datetime.date(2022, 5, 10)),
    BrokerSpec("broker_fan", "范志宏", PROMOTION, "110108", "intermediate", "ZGJS-2020-3318", ISSUERS[1],
               datetime.date(2020, 12, 4), "国际技术转移经纪，负责中外技术合作项目的对接与许可谈判。",
               ("international", "brokerage"), ("energy", "biomedicine"), (BJ, TJ), datetime.date(2023, 1, 16)),
    BrokerSpec("broker_qiu", "邱雪", BWUT, "110108", "intermediate", "BJJJ-2022-0721", ISSUERS[0],
               datetime.date(2022, 8, 19), "高校技术经理人，负责材料与制造学院的成果披露、评估和专利运营。",
               ("evaluation", "ip_operation"), ("materials", "manufacturing"), (BJ,), datetime.date(2023, 4, 3)),
    BrokerSpec("broker_cao", "曹铭", BWUT, "110108", "junior", "BJJJ-2023-1102", ISSUERS[0],
               datetime.date(2023, 9, 15), "协助中试熟化项目的立项和验收，联系区内中试基地。",
               ("pilot",), ("environment", "manufacturing"), (BJ,), datetime.date(2024, 3, 20)),
    BrokerSpec("broker_he", "何丽娟", JBMU, "110114", "senior", "BJJJ-2018-0089", ISSUERS[0],
               datetime.date(2018, 4, 27), "医药成果转化经纪，熟悉药品和医疗器械的临床转化路径和许可定价。",
               ("brokerage", "evaluation"), ("biomedicine",), (BJ, HB), datetime.date(2023, 6, 2)),
    BrokerSpec("broker_zhao", "赵启航", ZGC, "110108", "senior", "ZGC-JLR-2020-0015", ISSUERS[2],
               datetime.date(2020, 7, 3), "中关村技术经理人，专注集成电路和智能制造企业的技术需求挖掘与成果匹配。",
               ("demand_mining", "brokerage"), ("electronics", "manufacturing"), (BJ,), datetime.date(2023, 9, 20)),
    BrokerSpec("broker_sun", "孙亦凡", ZGC, "110108", "intermediate", "ZGC-JLR-2021-0142", ISSUERS[2],
               datetime.date(2021, 11, 12), "软件和信息服务领域技术评估，协助科技型中小企业引进高校软件著作权。",
               ("evaluation", "brokerage"), ("electronics",), (BJ,), datetime.date(2023, 10, 9)),
    BrokerSpec("broker_xu", "许清扬", HUAIROU, "110116", "intermediate", "BJJJ-2022-0903", ISSUERS[0],
               datetime.date(2022, 10, 28), "科学城早期项目的技术投融资服务，对接天使投资和政府引导基金。",
               ("financing", "incubation"), ("materials", "energy"), (BJ,), datetime.date(2024, 3, 5)),
    BrokerSpec("broker_meng", "孟嘉禾", ETOWN, "110115", "intermediate", "BJJJ-2021-0587", ISSUERS[0],
               datetime.date(2021, 9, 9), "新能源汽车零部件和集成电路装备领域的知识产权运营与交易经纪。",
               ("ip_operation", "brokerage"), ("transport", "electronics"), (BJ, TJ), datetime.date(2024, 7, 1)),
    BrokerSpec(INDEPENDENT_BROKER, "林静怡", None, "110102", "senior", "BJJJ-2017-0031", ISSUERS[0],
               datetime.date(2017, 5, 19), "独立执业的技术经纪人，十五年医药和食品领域技术交易经验，服务京津冀企业。",
               ("brokerage", "evaluation", "demand_mining"), ("biomedicine", "agriculture"), (BJ, TJ, HB),
               datetime.date(2022, 8, 8)),
    BrokerSpec("broker_tang", "唐振宇", None, "110112", "junior", "BJJJ-2023-1376", ISSUERS[0],
               datetime.date(2023, 11, 24), "独立技术经纪人，服务通州及周边的环保和食品企业。",
               ("demand_mining",), ("environment", "agriculture"), (BJ, HB), datetime.date(2024, 4, 11),
               state="lapsed"),
    BrokerSpec("broker_shi", "石雨桐", JJJ, "110105", "intermediate", "ZGJS-2022-4471", ISSUERS[1],
               datetime.date(2022, 6, 6), "京津冀跨区域技术转移经纪，熟悉京津冀创新券的申请与兑付。",
               ("brokerage", "policy"), ("environment", "agriculture"), (BJ, TJ, HB), None, state="under_review"),
    BrokerSpec("broker_lu", "陆一鸣", None, "110108", "junior", "BJJJ-2024-1588", ISSUERS[0],
               datetime.date(2024, 12, 20), "刚取得证书的技术经纪人，关注人工智能和智能制造。",
               ("demand_mining",), ("electronics",), (BJ,), None, state="draft"),
]

HELP = [
    # (enterprise member, enterprise name, words of the demand's title, broker username, message,
    #  answer: accept / decline / None, reply)
    ("ruihe_qa", "北京瑞禾生物制药有限公司", "亚硝胺", INDEPENDENT_BROKER,
     "我们的亚硝胺杂质检测需求已收到两所高校的回复，希望请您协助比较方案并参与许可谈判。", "accept",
     "可以承接。先安排与两校课题组分别交流，两周内给出对比意见和谈判要点。"),
    ("tto_chiyuan", "北京驰远汽车零部件有限公司", "上盖", "broker_meng",
     "电池包上盖轻量化阻燃复合材料的需求，希望对接经开区内的材料企业和高校团队，请协助梳理可选方案。", None, ""),
    ("tto_chengyuan", "北京澄源环境工程有限公司", "高盐废水", "broker_qiu",
     "高盐废水分盐结晶需求想请贵校技术转移中心推荐课题组，并评估中试条件。", "decline",
     "本校相关课题组目前承担的中试项目已满，建议联系金台公司的王海宁，他熟悉该领域的成熟团队。"),
    ("tto_chengyuan", "北京澄源环境工程有限公司", "高盐废水", "broker_wang",
     "高盐废水分盐结晶需求，经百望理工大学推荐请您协助对接。", "accept",
     "已联系两个团队，下周安排现场考察，费用按技术交易额的3%收取。"),
]


@dataclass
class AgenciesSummary:
    institutions: int = 0
    brokers: int = 0
    filings: int = 0
    lapsed: int = 0
    help_requests: int = 0
    contracts: int = 0


@contextmanager
def _on(day: datetime.date, hour: int = 10) -> Iterator[None]:
    """Run the block as if it were `day` at `hour` in the site's time zone."""
    import time_machine  # the demo's clock only; the platform never moves time

    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))
    with time_machine.travel(moment, tick=False):
        yield


def _codes(table: str, codes: tuple[str, ...]) -> list[Any]:
    return [code_item(table, code) for code in codes]


class _Seed:
    def __init__(self, progress: Callable[[str], None]) -> None:
        self.progress = progress
        self.summary = AgenciesSummary()
        self.today = timezone.localdate()
        self.rng = random.Random(13)
        self.reviewer = User.objects.get(username="reviewer")
        self.admin = User.objects.get(username="commission")
        self.orgs: dict[str, Organisation] = {}

    def user(self, username: str, name: str, organisation: Organisation | None, role: str = Role.MEMBER) -> User:
        return demo_user(username, name=name, organisation=organisation, role=role,
                         email_domain=f"agencies.{EMAIL_DOMAIN}")[0]

    def institution_org(self, spec: InstitutionSpec) -> Organisation:
        existing = Organisation.objects.filter(name=spec.name).first()
        if existing is not None:
            return existing
        return Organisation.objects.create(
            name=spec.name, name_en=spec.name_en, org_type=OrgType.TRANSFER_INSTITUTION,
            region=code_item("region", spec.region),
            uscc=uscc_make(self.rng, category=spec.category or USCC_CATEGORY[OrgType.TRANSFER_INSTITUTION],
                           region=spec.region),
            description=spec.description[:200], is_verified=True, verified_at=timezone.now(),
        )

    # -- profiles ---------------------------------------------------------------------------------------------

    def review(self, agency: Agency, owner: User, listed: datetime.date, *, returned: str = "") -> Agency:
        with _on(listed - datetime.timedelta(days=12)):
            services.agency_submit(agency=agency, by=owner)
        if returned:
            with _on(listed - datetime.timedelta(days=9), 15):
                services.agency_return(agency=agency, by=self.reviewer, reason=returned)
            with _on(listed - datetime.timedelta(days=5)):
                services.agency_submit(agency=agency, by=owner)
        with _on(listed, 16):
            services.agency_approve(agency=agency, by=self.reviewer if listed.day % 2 else self.admin)
        agency.refresh_from_db()
        return agency

    def institutions(self) -> None:
        for spec in INSTITUTIONS:
            organisation = self.institution_org(spec)
            self.orgs[spec.name] = organisation
            officer = self.user(spec.officer[0], spec.officer[1], organisation, Role.TTO_OFFICER)
            with _on(spec.listed - datetime.timedelta(days=20)):
                agency = services.agency_create(
                    by=officer, kind=AgencyKind.INSTITUTION, organisation=organisation,
                    data={"description": spec.description},
                    services=_codes("agency_service", spec.services), fields=_codes("high_tech_field", spec.fields),
                    regions=_codes("region", spec.regions),
                )
            returned = "请在简介中写明技术中介服务的具体内容和近三年的代表性案例。" if spec.name == ZGC else ""
            agency = self.review(agency, officer, spec.listed, returned=returned)
            self.file_years(agency, officer, staff=spec.staff)
            self.summary.institutions += 1

    def brokers(self) -> None:
        for spec in BROKERS:
            employer = self.orgs.get(spec.employer) if spec.employer else None
            user = self.user(spec.username, spec.name, employer)
            created = (spec.listed or self.today - datetime.timedelta(days=3)) - datetime.timedelta(days=20)
            with _on(created):
                agency = services.agency_create(
                    by=user, kind=AgencyKind.BROKER,
                    data={
                        "region": code_item("region", spec.region), "description": spec.description,
                        "certificate_number": spec.certificate, "level": spec.level,
                        "certificate_issuer": spec.issuer, "certificate_issued_on": spec.issued, "employer": employer,
                    },
                    services=_codes("agency_service", spec.services), fields=_codes("high_tech_field", spec.fields),
                    regions=_codes("region", spec.regions),
                )
            self.summary.brokers += 1
            if spec.state == "draft":
                continue
            if spec.state == "under_review":
                with _on(self.today - datetime.timedelta(days=2)):
                    services.agency_submit(agency=agency, by=user)
                continue
            assert spec.listed is not None
            returned = "证书扫描件中的发证日期与填写的不一致，请核对。" if spec.username == "broker_sun" else ""
            agency = self.review(agency, user, spec.listed, returned=returned)
            self.file_years(agency, user, skip_last=spec.state == "lapsed")

    def file_years(self, agency: Agency, owner: User, *, staff: int | None = None, skip_last: bool = False) -> None:
        """File every year since the listing whose deadline has passed (the lapsed broker misses the last)."""
        from techtransfer.agencies import rules

        assert agency.listed_since is not None
        period = rules.current_period(self.today)
        if period is None:
            return
        for year in range(agency.listed_since.year, period + 1):
            if skip_last and year == period:
                continue
            deadline = rules.filing_deadline(year) or datetime.date(year + 1, 3, 31)
            # Most file in March; now and then one files a fortnight late.
            day = deadline - datetime.timedelta(days=self.rng.randint(3, 40))
            if self.rng.random() < 0.08:
                day = deadline + datetime.timedelta(days=15)
            scale = max(1, year - agency.listed_since.year + 1)
            contracts = self.rng.randint(3, 9) * scale if staff else self.rng.randint(1, 6) * scale
            turnover = Decimal(self.rng.randint(60, 420) * 10000 * (3 if staff else 1) * scale)
            data: dict[str, Any] = {"contracts_brokered": contracts, "turnover": turnover}
            if staff is not None:
                data["staff"] = max(3, staff - (period - year) * 2)
            with _on(day):
                services.filing_submit(agency=agency, by=owner, year=year, data=data, today=day)
            self.summary.filings += 1

    # -- the enterprises' requests for help ------------------------------------------------------------------

    def help_requests(self) -> None:
        for username, enterprise, words, broker, message, answer, reply in HELP:
            asker = User.objects.filter(username=username).first()
            agency = Agency.objects.filter(user__username=broker, status=AgencyStatus.LISTED).first()
            demand = (
                TechnologyDemand.objects.filter(owner__name=enterprise, title__contains=words)
                .filter(status=DemandStatus.PUBLISHED).order_by("pk").first()
            )
            if asker is None or agency is None or demand is None:
                self.progress(f"Request for help skipped: {username} → {broker} (no published demand or profile).")
                continue
            try:
                with _on(self.today - datetime.timedelta(days=6), 9):
                    help_request = services.help_request_open(by=asker, agency=agency, demand=demand, message=message)
            except ApplicationError as exc:  # e.g. asked already: the demo is loaded once per database
                self.progress(f"Request for help skipped: {exc.message}")
                continue
            self.summary.help_requests += 1
            owner = agency.user
            assert owner is not None
            with _on(self.today - datetime.timedelta(days=4), 14):
                if answer == "accept":
                    services.help_request_accept(help_request=help_request, by=owner, note=reply)
                elif answer == "decline":
                    services.help_request_decline(help_request=help_request, by=owner, reason=reply)

    # -- contracts registered with the institution as the intermediary (技术中介) ------------------------------

    def intermediary_contracts(self) -> None:
        from techtransfer.contracts import services as contracts
        from techtransfer.contracts.choices import AttachmentKind
        from techtransfer.contracts.permissions import registration_point_for

        jintai = self.orgs[JINTAI]
        point = registration_point_for(jintai.region.code)
        registrar = (
            User.objects.filter(memberships__organisation=point, memberships__role=Role.REVIEWER).first()
            if point is not None else None
        )
        officer = User.objects.get(username="broker")
        if registrar is None:
            self.progress("Intermediary contracts skipped: no registration point for Chaoyang (seed the contracts).")
            return
        for name, buyer, turnover, days_ago in (
            ("低突释微球制剂技术许可居间服务", "北京瑞禾生物制药有限公司", Decimal("360000.00"), 75),
            ("工业高盐废水分盐结晶技术转让居间服务", "北京澄源环境工程有限公司", Decimal("240000.00"), 40),
        ):
            signed = self.today - datetime.timedelta(days=days_ago)
            buyer_org = Organisation.objects.filter(name=buyer).first()
            data = {
                "project_name": name, "contract_form": "written", "signed_on": signed, "valid_from": signed,
                "valid_to": signed + datetime.timedelta(days=365), "category": "service", "subtype": "intermediary",
                "summary": "受委托方委托，为其与技术持有方订立技术合同提供居间服务，并协助合同履行。",
                "seller_name": jintai.name, "seller_nature": code_item("contract_party_nature", "150"),
                "buyer": buyer_org, "buyer_name": buyer, "buyer_nature": code_item("contract_party_nature", "150"),
                "buyer_country": code_item("country", "142"), "buyer_region": buyer_org.region if buyer_org else None,
                "tech_field": code_item("contract_tech_field", "05"), "ip_type": code_item("contract_ip_type", "02"),
                "plan_source": code_item("contract_plan_source", "50"),
                "objective": code_item("socio_economic_objective", "03"), "industry": code_item("industry", "M"),
                "payment_mode": code_item("payment_mode", "2"), "turnover": turnover,
            }
            try:
                contract = contracts.contract_create(by=officer, seller=jintai, data=data)
                pdf = proof_pdf(["Intermediary contract", "Demo document"])
                upload = SimpleUploadedFile("contract.pdf", pdf, content_type="application/pdf")
                contracts.attachment_add(
                    contract=contract, by=officer, upload=upload, kind=AttachmentKind.SIGNED_CONTRACT
                )
                contracts.contract_submit(contract=contract, by=officer)
                contracts.contract_register(contract=contract, by=registrar)
            except Exception as exc:  # the demo goes on without them; say why
                self.progress(f"Intermediary contract skipped: {exc}")
                continue
            self.summary.contracts += 1

    def run(self) -> AgenciesSummary:
        self.institutions()
        self.brokers()
        self.help_requests()
        self.intermediary_contracts()
        with _on(self.today, 0):
            self.summary.lapsed = services.agencies_lapse(today=self.today)
        return self.summary


def agencies_seed(progress: Callable[[str], None] = lambda message: None) -> AgenciesSummary:
    """Seed the service agencies (see the module docstring); returns what was made. Notifications are made as
    the platform makes them; their e-mails go nowhere (the demo's people have no mailboxes)."""
    if Agency.objects.exists():
        progress("Service agencies: already loaded.")
        return AgenciesSummary()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        return _Seed(progress).run()


def agency_logins() -> list[tuple[str, str, str]]:
    """(role, username, organisation) of the independent broker's login, for `demo_logins` (empty before a seed)."""
    user = User.objects.filter(username=INDEPENDENT_BROKER, broker_profile__isnull=False).first()
    if user is None:
        return []
    return [(f"{INDEPENDENT_LOGIN[0]} / {INDEPENDENT_LOGIN[1]}", INDEPENDENT_BROKER, "—")]


def agencies_counts() -> str:
    """The summary line's figures, as they stand in the database."""
    agencies = Agency.objects.all()
    return (
        f"{agencies.filter(kind=AgencyKind.INSTITUTION).count()} institutions, "
        f"{agencies.filter(kind=AgencyKind.BROKER).count()} brokers "
        f"({agencies.filter(status=AgencyStatus.LISTED).count()} listed, "
        f"{agencies.filter(status=AgencyStatus.LAPSED).count()} lapsed, "
        f"{agencies.filter(status=AgencyStatus.UNDER_REVIEW).count()} under review, "
        f"{agencies.filter(status=AgencyStatus.DRAFT).count()} draft), "
        f"{AgencyFiling.objects.count()} annual filings, "
        f"{HelpRequest.objects.count()} requests for help "
        f"({HelpRequest.objects.filter(status=HelpStatus.ACCEPTED).count()} accepted)"
    )
