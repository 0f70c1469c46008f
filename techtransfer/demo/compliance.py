"""The demo's compliance year: transformation deals with their publicity, objections and reward plans, staff
mobility, a unit's own reward rule, S&T reports of funded projects and the annual transformation reports of
the last reporting year whose deadlines have passed, in every state the commission's overview shows (on time,
late, returned, overdue, not started).

Everything is written through the services, at the dates it happened: the clock is moved to each date
(time-machine), so histories, audit trails, lateness and notifications are what the platform itself records.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings
from django.utils import timezone

from techtransfer.accounts.models import Organisation, User
from techtransfer.achievements.choices import REGISTERED_STATUSES, Secrecy
from techtransfer.achievements.models import Achievement, FundedProject
from techtransfer.deals import services as deals
from techtransfer.deals import services_rewards as rewards
from techtransfer.deals.choices import DealAttachmentKind
from techtransfer.deals.models import Deal
from techtransfer.demo.identifiers import proof_pdf
from techtransfer.reports import rules as report_rules
from techtransfer.reports import services as reports
from techtransfer.scireports import services as scireports


@dataclass
class ComplianceSummary:
    deals: int = 0
    plans: int = 0
    annual_reports: int = 0
    sci_reports: int = 0
    data_year: int = 0


@contextmanager
def _on(day: datetime.date, hour: int = 10) -> Iterator[None]:
    """Run the block as if it were `day` at `hour` in the site's time zone."""
    import time_machine  # the demo's clock only; the platform never moves time

    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))
    with time_machine.travel(moment, tick=False):
        yield


def _pdf(name: str, title: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, proof_pdf([title, "Demo document"]), content_type="application/pdf")


def _data_year(today: datetime.date) -> int:
    """The last reporting year whose department deadline has passed, so every demo date is in the past."""
    year = today.year - 1
    return year if report_rules.deadlines_for(year).department < today else year - 1


class _Seed:
    def __init__(self, progress: Callable[[str], None]) -> None:
        self.progress = progress
        self.summary = ComplianceSummary()
        self.today = timezone.localdate()
        self.year = _data_year(self.today)
        self.summary.data_year = self.year

    def user(self, username: str) -> User:
        return User.objects.get(username=username)

    def achievements(self, owner: Organisation) -> list[Achievement]:
        return list(
            Achievement.objects.filter(owner=owner, status__in=REGISTERED_STATUSES, secrecy=Secrecy.NONE)
            .prefetch_related("persons")
            .order_by("pk")
        )

    def day(self, month: int, day: int, year_offset: int = 0) -> datetime.date:
        return datetime.date(self.year + year_offset, month, day)

    # -- deals ---------------------------------------------------------------------------------------------

    def deal(self, officer: User, owner: Organisation, achievement: Achievement, decided: datetime.date,
             **data: Any) -> Deal:
        with _on(decided):
            deal = deals.deal_create(by=officer, owner=owner, data={
                "achievement": achievement,
                "decision_date": decided,
                "decision_meeting": f"{owner.name}校长办公会{decided.year}年第{decided.month + 8}次会议",
                "due_diligence": "核查了专利权属与法律状态、资产评估报告、受让方资信和市场询价情况，"
                                 "完成人与受让方无关联关系，未发现利益冲突。",
                **data,
            })
            deals.attachment_add(deal=deal, by=officer, upload=_pdf("decision.pdf", "Collective decision minutes"),
                                 kind=DealAttachmentKind.DECISION)
            deals.attachment_add(deal=deal, by=officer, upload=_pdf("due-diligence.pdf", "Due diligence record"),
                                 kind=DealAttachmentKind.DUE_DILIGENCE)
        self.summary.deals += 1
        return deal

    def deals_and_rewards(self) -> None:
        officer = self.user("tto_demo_univ")
        univ = officer.memberships.get().organisation
        held = self.achievements(univ)
        if len(held) < 4:
            self.progress("Compliance demo skipped: the university has fewer than 4 registered achievements.")
            return
        licensed, transferred, invested, current = held[:4]

        # A negotiated licence, publicised in May, an objection answered, completed after the period.
        licence = self.deal(officer, univ, licensed, self.day(5, 6), mode="licence", licence_type="exclusive",
                            counterparty_name="北京智诊医疗科技有限公司", pricing_method="negotiated",
                            price=Decimal("2800000"), summary="独占许可五年，含技术服务。")
        with _on(self.day(5, 10)):
            deals.deal_publicise(deal=licence, by=officer)
        with _on(self.day(5, 13), hour=15):
            objection = deals.objection_lodge(deal=licence, by=None, name="陈先生", contact="13911112222",
                                              text="拟交易价格明显低于同类专利许可的市场价格，请说明定价依据。")
        with _on(self.day(5, 16)):
            deals.objection_answer(objection=objection, by=officer,
                                   answer="定价以第三方评估报告（评估值260万元）为基础，经三轮谈判确定，"
                                          "高于评估值；评估报告可在技术转移中心查阅。")
        with _on(self.day(6, 2)):
            deals.deal_complete(deal=licence, by=officer, signed_on=self.day(6, 1))
        self.reward_plan(officer, licence, self.day(6, 20), gross=Decimal("2800000"), costs=[
            ("tax", "增值税及附加（技术许可免征增值税，仅附加）", Decimal("16800")),
            ("maintenance", "专利年费（3件）", Decimal("9600")),
            ("evaluation", "资产评估费", Decimal("30000")),
            ("negotiation", "谈判差旅及法律顾问费", Decimal("12000")),
        ], paid=self.day(7, 15))

        # A negotiated transfer, publicised and completed in autumn.
        transfer = self.deal(officer, univ, transferred, self.day(9, 1), mode="transfer",
                             counterparty_name="北京合创新材料有限公司", pricing_method="negotiated",
                             price=Decimal("650000"))
        with _on(self.day(9, 5)):
            deals.deal_publicise(deal=transfer, by=officer)
        with _on(self.day(9, 25)):
            deals.deal_complete(deal=transfer, by=officer, signed_on=self.day(9, 24))

        # 作价投资 listed on an exchange (no publicity: the listing set the price), with an equity reward plan.
        equity = self.deal(officer, univ, invested, self.day(10, 9), mode="equity",
                           counterparty_name="北京未来智造科技有限公司", company_name="北京未来智造科技有限公司",
                           shares=Decimal("3000000"), capital_share=Decimal("0.2000"), pricing_method="listed",
                           exchange_name="北京技术交易所", listing_reference=f"BJTE-{self.year}-0917",
                           price=Decimal("3000000"))
        with _on(self.day(11, 3)):
            deals.deal_complete(deal=equity, by=officer, signed_on=self.day(11, 1))
        self.equity_plan(officer, equity, self.day(12, 1))

        # Now: a negotiated licence in its publicity period, with an objection waiting for the unit's answer.
        decided = self.today - datetime.timedelta(days=6)
        running = self.deal(officer, univ, current, decided, mode="licence", licence_type="ordinary",
                            counterparty_name="北京康源生物技术有限公司", pricing_method="negotiated",
                            price=Decimal("480000"))
        with _on(self.today - datetime.timedelta(days=4)):
            deals.deal_publicise(deal=running, by=officer)
        with _on(self.today - datetime.timedelta(days=1), hour=9):
            deals.objection_lodge(deal=running, by=None, name="李女士", contact="li.objection@example.cn",
                                  text="该成果的一项专利是否仍在有效期内？请公开专利法律状态。")

        for person, kind, enterprise, start, end in (
            ("赵明远", "part_time", "北京未来智造科技有限公司", self.day(3, 1), None),
            ("叶清", "part_time", "北京合创新材料有限公司", self.day(1, 10), self.day(12, 31)),
            ("孙博", "leave", "北京未来智造科技有限公司", self.day(10, 15), None),
        ):
            with _on(start):
                rewards.mobility_create(by=officer, organisation=univ, data={
                    "person_name": person, "kind": kind, "enterprise": enterprise, "start": start, "end": end,
                    "deal": equity if enterprise == equity.company_name else None,
                })

    def reward_plan(self, officer: User, deal: Deal, income: datetime.date, *, gross: Decimal,
                    costs: list[tuple[str, str, Decimal]], paid: datetime.date) -> None:
        with _on(income):
            plan = rewards.plan_create(by=officer, deal=deal, data={"income_date": income, "gross_income": gross})
            for kind, description, amount in costs:
                rewards.cost_add(plan=plan, by=officer, kind=kind, description=description, amount=amount,
                                 evidence=_pdf(f"{kind}.pdf", f"Evidence: {kind}"))
            pool = rewards.plan_figures(plan).pool
            persons = list(deal.achievement.persons.all())
            main = (pool * Decimal("0.6")).quantize(Decimal("0.01"))
            shares = [main] + [((pool - main) / max(1, len(persons) - 1)).quantize(Decimal("0.01"))] * (
                len(persons) - 1)
            shares[-1] += pool - sum(shares)
            allocations = [
                rewards.allocation_add(plan=plan, by=officer, data={
                    "person": person, "person_name": person.name, "form": "cash", "amount": amount,
                    "is_main_contributor": index == 0, "is_leader": index == 0 and len(persons) > 1,
                })
                for index, (person, amount) in enumerate(zip(persons, shares, strict=True))
            ]
            rewards.plan_approve(plan=plan, by=officer)
        with _on(paid):
            for allocation in allocations:
                rewards.payment_add(allocation=allocation, by=officer, paid_on=paid, amount=allocation.amount,
                                    tax_withheld=(allocation.amount * Decimal("0.2")).quantize(Decimal("0.01")))
        self.summary.plans += 1

    def equity_plan(self, officer: User, deal: Deal, income: datetime.date) -> None:
        with _on(income):
            plan = rewards.plan_create(by=officer, deal=deal, data={"income_date": income})
            pool = rewards.plan_figures(plan).pool
            persons = list(deal.achievement.persons.all())[:2] or []
            if not persons:
                return
            main = (pool * Decimal("0.7")).quantize(Decimal("0.0001"))
            for index, person in enumerate(persons):
                rewards.allocation_add(plan=plan, by=officer, data={
                    "person": person, "person_name": person.name, "form": "equity",
                    "shares": main if index == 0 else pool - main, "is_main_contributor": index == 0,
                })
            rewards.plan_approve(plan=plan, by=officer)
        self.summary.plans += 1

    # -- a unit's own reward rule ---------------------------------------------------------------------------

    def unit_rule(self) -> None:
        officer = self.user("tto_jbmu")
        unit = officer.memberships.get().organisation
        with _on(datetime.date(2021, 1, 5)):
            rewards.unit_rule_create(by=officer, organisation=unit, data={
                "valid_from": datetime.date(2021, 1, 1), "title": f"{unit.name}科技成果转化管理办法（2021年修订）",
                "transfer_share": Decimal("0.8000"), "equity_share": Decimal("0.8000"),
            })

    # -- S&T reports --------------------------------------------------------------------------------------

    def sci_reports(self) -> None:
        commission = self.user("commission")
        for project in FundedProject.objects.filter(organisation__isnull=False).order_by("pk")[:6:2]:
            officer = next((m.user for m in project.organisation.memberships.select_related("user")
                            if m.role == "tto_officer"), None)
            if officer is None:
                continue
            when = min(project.end or self.today, self.today - datetime.timedelta(days=60))
            with _on(when):
                report = scireports.report_create(by=officer, project=project, upload=_pdf("report.pdf", "Report"),
                                                  data={
                    "number": f"BJKJ-{when.year}-{project.pk:04d}", "title": f"{project.title}最终报告",
                    "report_type": "final", "secrecy": Secrecy.NONE, "release_mode": "open",
                    "delay_months": None, "abstract": f"本报告总结了“{project.title}”的研究内容、方法与主要结论。",
                    "keywords": "科技报告, 最终报告",
                })
                scireports.report_submit(report=report, by=officer)
            if self.summary.sci_reports % 2 == 0:
                with _on(when + datetime.timedelta(days=10)):
                    scireports.report_accept(report=report, by=commission)
            self.summary.sci_reports += 1

    # -- annual reports -------------------------------------------------------------------------------------

    def annual_reports(self) -> None:
        year = self.year
        due = report_rules.deadlines_for(year)
        commission = self.user("commission")
        reviewer = self.user("reviewer_edu")
        health_reviewer = self.user("reviewer_health")

        def report(officer_name: str, started: datetime.date) -> Any:
            officer = self.user(officer_name)
            with _on(started):
                made = reports.report_create(by=officer, organisation=officer.memberships.get().organisation,
                                             year=year)
                reports.report_update(report=made, by=officer, data={
                    "part1_work": "建立了成果转化“一站式”服务流程，完成成果评价、定价公示和收益分配的全流程线上办理。",
                    "part1_problems": "专业技术经理人数量不足，作价投资后的股权管理经验有待积累。",
                    "part6_policy": "落实《北京市促进科技成果转化条例》第十二条，奖励比例不低于70%。",
                })
            self.summary.annual_reports += 1
            return officer, made

        def at(offset_days: int, deadline: datetime.date) -> datetime.date:
            return deadline + datetime.timedelta(days=offset_days)

        officer, bwut = report("tto_demo_univ", at(-30, due.unit))  # on time, forwarded on time
        with _on(at(-9, due.unit)):
            reports.report_submit(report=bwut, by=officer)
        with _on(at(-15, due.department)):
            reports.report_return(report=bwut, by=reviewer,
                                  reason="请在第五部分补充奖励个人所得税代扣代缴情况。")
        with _on(at(-13, due.department)):
            reports.report_update(report=bwut, by=officer, data={
                "part5_note": "现金奖励已按规定代扣代缴个人所得税；股权奖励递延纳税备案已完成。"})
            reports.report_submit(report=bwut, by=officer)
        with _on(at(-8, due.department)):
            reports.report_accept(report=bwut, by=reviewer)
        with _on(at(-6, due.department)):
            reports.report_forward(report=bwut, by=reviewer)

        officer, jbmu = report("tto_jbmu", at(-6, due.unit))  # late, then returned
        with _on(at(5, due.unit)):
            reports.report_submit(report=jbmu, by=officer)
        with _on(at(12, due.unit)):
            reports.report_return(report=jbmu, by=reviewer,
                                  reason="请补充作价投资形成的股权比例和现金奖励人次的依据材料。")

        officer, chh = report("tto_chh", at(-10, due.unit))  # on time; its department late
        with _on(at(-3, due.unit)):
            reports.report_submit(report=chh, by=officer)
        with _on(at(-10, due.department)):
            reports.report_accept(report=chh, by=health_reviewer)
        with _on(at(6, due.department)):
            reports.report_forward(report=chh, by=health_reviewer)

        officer, yqiam = report("tto_yqiam", at(-20, due.unit))  # no department: straight to the commission
        with _on(at(-2, due.unit)):
            reports.report_submit(report=yqiam, by=officer)
        with _on(at(-20, due.department)):
            reports.report_accept(report=yqiam, by=commission)
            reports.report_forward(report=yqiam, by=commission)

        officer, wyist = report("tto_wyist", at(2, due.unit))  # late, waiting in the department's queue
        with _on(at(12, due.unit)):
            reports.report_submit(report=wyist, by=officer)

        report("tto_xsiee", at(-1, due.unit))  # started, never submitted: overdue

    def run(self) -> ComplianceSummary:
        self.unit_rule()
        self.deals_and_rewards()
        self.sci_reports()
        self.annual_reports()
        return self.summary


def compliance_seed(progress: Callable[[str], None] = lambda message: None) -> ComplianceSummary:
    """Seed the compliance year (see the module docstring); returns what was made. The work notifications are
    made as the platform makes them; their e-mails go nowhere (the demo's people have no mailboxes)."""
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        return _Seed(progress).run()
