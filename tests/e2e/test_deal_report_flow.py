"""A licence from its collective decision to the commission's overview (S8 deals, S9 rewards, annual report),
clicked through in a real browser with the clock moved by time_machine.

A TTO officer of a Beijing university records a negotiated exclusive licence with its collective decision and
publicises the price (2026-01-10); an anonymous visitor objects on the public notice (01-12) and never sees the
contact given there again; the officer answers, cannot complete before the period of the rule set (15 days) ends,
and completes it after (01-26). The rewards (02-10): the net income is the gross minus a tax and patent fees, the
pool 70% of it (Beijing 条例 Art. 12); the president, a completer, is refused equity (厅字〔2016〕35号, shown on an
作价投资 deal's plan, the only kind that offers equity) and given cash; the main contributors receive more than
half; the plan is approved and two rewards paid. The 2026 annual report (2027-03) shows the licence and the
rewards; the supervising department returns it once, then accepts it and submits it to the commission, whose
overview shows it on time. Screenshots of every step, and of the public notice, the reward plan, the report and
the overview at phone width too, go to test-results/screenshots/<test name>/.

The ORM sets up the people, the organisations and the achievement (and the clock); everything else goes through
the pages.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import Page, expect

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.achievements import services as achievement_services
from techtransfer.achievements.models import Achievement
from techtransfer.core.codetables import code_item
from techtransfer.deals.choices import DealStatus, ObjectionStatus, RewardPlanStatus
from techtransfer.deals.models import Deal, Objection, RewardAllocation, RewardPlan
from techtransfer.reports.choices import ReportStatus
from techtransfer.reports.models import AnnualReport
from techtransfer.reports.tests.factories import local
from techtransfer.testing import PDF_BYTES, Personas, achievement_data, make_org, make_personas, make_user, pdf_upload
from tests.e2e.browsing import log_in, take_step, zh

pytestmark = pytest.mark.django_db(transaction=True)

ACHIEVEMENT = "高通量单细胞测序微流控芯片"
PRESIDENT = "张校长"
BUYER = "北京智诊医疗科技有限公司"
OBJECTOR_CONTACT = "objector-13800138000@example.cn"
OBJECTION = "拟交易价格明显低于同类专利的市场许可费，请说明定价依据。"
ANSWER = "价格经第三方评估（评估值95万元）并在校内公示前经校长办公会集体决策确定，高于评估值。"
RETURN_REASON = "第五部分现金奖励的代扣个税金额与工资发放记录不一致，请核对。"


class Clock:
    """The server's (and the ORM's) clock: time_machine moves it for the whole process, so the live server's
    thread reads the same time. It ticks, so records made one after the other keep their order."""

    def __init__(self) -> None:
        self._travel: Any = None

    def set(self, when: datetime.datetime) -> None:
        self.stop()
        self._travel = time_machine.travel(when, tick=True)
        self._travel.start()

    def stop(self) -> None:
        if self._travel is not None:
            self._travel.stop()
            self._travel = None


@pytest.fixture
def clock() -> Iterator[Clock]:
    moved = Clock()
    yield moved
    moved.stop()


def no_horizontal_overflow(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def the_world() -> tuple[Personas, Any, Achievement]:
    """The university (Haidian, Beijing) under the municipal education commission, with a reviewer there, and its
    registered and published achievement completed by the president and two researchers."""
    p = make_personas()
    department = make_org("北京市教育委员会", OrgType.SUPERVISING_DEPARTMENT, region="110000")
    p.university.supervising_department = department
    p.university.save(update_fields=["supervising_department"])
    reviewer = make_user("edu_reviewer", department, Role.REVIEWER, full_name="刘审核")
    achievement = achievement_services.achievement_create(
        by=p.tto_officer,
        owner=p.university,
        data=achievement_data(name=ACHIEVEMENT, name_en="High-throughput single-cell sequencing microfluidic chip"),
        persons=[{"name": "李研究", "title": "教授"}, {"name": "王成果", "title": "副教授"},
                 {"name": PRESIDENT, "title": "校长、教授"}],
        ip_items=[{"kind": "invention_patent", "number": "ZL202110123456." + _check("202110123456")}],
        transfer_modes=[code_item("transfer_mode", "licence")],
    )
    achievement_services.attachment_add(achievement=achievement, by=p.tto_officer, upload=pdf_upload(),
                                        kind="evaluation")
    achievement_services.achievement_submit(achievement=achievement, by=p.tto_officer)
    achievement_services.achievement_register(achievement=achievement, by=p.reviewer)
    achievement.refresh_from_db()
    return p, reviewer, achievement


def _check(digits: str) -> str:
    from techtransfer.lib.validators import patent_check_character

    return patent_check_character(digits)


def signed_in(new_page: Any, username: str, *, mobile: bool = False) -> Page:
    """A fresh browser of one person: sessions last 14 days, and the clock jumps further than that."""
    page: Page = new_page(mobile=mobile)
    log_in(page, username)
    return page


def choose_mode(page: Page, mode: str, *, gone: str) -> None:
    """Choose the deal's mode: htmx fetches the fields of that mode; `gone` is a field of the others."""
    page.locator("#id_mode").select_option(mode)
    expect(page.locator(gone)).to_have_count(0)
    settled(page)


def settled(page: Page) -> None:
    """htmx has settled the fields it swapped in (it binds their own triggers only then)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def cell(page: Page, figure: str) -> Any:
    """The "reported" value of a figure of the annual report."""
    return page.locator(f"#fig-{figure} td").nth(2)


def open_summary(page: Page, details: str) -> None:
    page.locator(f"{details} > summary").click()


def add_allocation(page: Page, *, person: int, amount: str = "", shares: str = "", form: str = "cash",
                   main: bool = False, unit_head: bool = False) -> None:
    box = page.locator("#allocation-form")
    if box.get_attribute("open") is None:
        open_summary(page, "#allocation-form")
    box.locator("select[name=person]").select_option(str(person))
    if main:
        box.locator("input[name=is_main_contributor]").check()
    if unit_head:
        box.locator("input[name=is_leader]").check()
        box.locator("input[name=is_unit_head]").check()
    box.locator("select[name=form]").select_option(form)
    if amount:
        box.locator("input[name=amount]").fill(amount)
    if shares:
        box.locator("input[name=shares]").fill(shares)
    box.locator("button[type=submit]").click()


def pay(page: Page, plan: RewardPlan, allocation: RewardAllocation, *, on: str, amount: str, tax: str) -> None:
    form = page.locator(f"form[action='{reverse('deals:payment_add', args=[plan.pk, allocation.pk])}']")
    page.locator("details", has=form).locator("summary").click()
    form.locator("input[name=paid_on]").fill(on)
    form.locator("input[name=amount]").fill(amount)
    form.locator("input[name=tax_withheld]").fill(tax)
    form.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text(zh("The payment is recorded."))


def test_a_licence_from_publicity_to_the_commissions_overview(
    new_page: Any, shots: Any, clock: Clock
) -> None:
    clock.set(local(2025, 11, 20, 9))
    p, reviewer, achievement = the_world()
    president = achievement.persons.get(name=PRESIDENT)
    li = achievement.persons.get(name="李研究")
    wang = achievement.persons.get(name="王成果")

    # 1. 2026-01-10: the officer records the licence with its collective decision, attaches the minutes and
    #    publicises the price.
    clock.set(local(2026, 1, 10, 9))
    officer = signed_in(new_page, "tto")
    officer.goto("/deals/new/")
    officer.locator("#id_achievement").select_option(str(achievement.pk))
    choose_mode(officer, "licence", gone="#id_company_name")
    officer.locator("#id_pricing_method").select_option("negotiated")
    expect(officer.locator("#id_listing_reference")).to_have_count(0)
    settled(officer)
    officer.locator("#id_licence_type").select_option("exclusive")
    officer.locator("#id_price").fill("1000000")
    officer.locator("#id_counterparty_name").fill(BUYER)
    officer.locator("#id_summary").fill("独占许可芯片设计与制备专利，许可期限10年，用于临床单细胞检测产品。")
    officer.locator("#id_decision_date").fill("2026-01-08")
    officer.locator("#id_decision_meeting").fill("校长办公会 2026年第1次会议")
    officer.locator("#id_due_diligence").fill("核查了专利权属与有效性、第三方评估报告（95万元）与市场询价；"
                                              "完成人与买方无关联关系，无利益冲突。")
    shots(officer, "deal-form")
    officer.locator("#deal-form button[type=submit]").last.click()
    expect(officer.get_by_role("heading", name=ACHIEVEMENT, level=1)).to_be_visible()
    expect(officer.locator("#problems")).to_contain_text(zh("Attach the minutes of the collective decision (PDF)."))
    deal = Deal.objects.get(achievement=achievement)
    assert (deal.mode, deal.licence_type, deal.pricing_method) == ("licence", "exclusive", "negotiated")
    officer.locator("#attach-form select[name=kind]").select_option("decision")
    officer.locator("#attach-form input[type=file]").set_input_files(
        files=[{"name": "校长办公会纪要.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    officer.locator("#attach-form button[type=submit]").click()
    expect(officer.locator("#attachments")).to_contain_text("校长办公会纪要.pdf")
    expect(officer.locator("#problems")).to_have_count(0)
    shots(officer, "deal-draft-complete")
    take_step(officer, "publicise")  # folds out "appears on the public site at once", then confirms
    expect(officer.locator("#deal-status")).to_have_text(zh("Price publicised (公示中)"))
    expect(officer.locator("#publicity")).to_contain_text("2026-01-25")  # 15 days, the rule set's default
    shots(officer, "deal-publicised")
    deal.refresh_from_db()
    assert deal.status == DealStatus.PUBLICITY and deal.rule_set is not None and deal.rule_set.region_prefix == "11"

    # 2. 2026-01-12: an anonymous visitor finds the notice and objects; the contact never shows on the site.
    clock.set(local(2026, 1, 12, 10))
    visitor = new_page()
    visitor.goto("/deals/publicity/")
    visitor.get_by_role("link", name=ACHIEVEMENT, exact=True).click()
    expect(visitor.locator("#notice-price")).to_contain_text("1,000,000.00")
    expect(visitor.locator("#notice-persons")).to_contain_text(PRESIDENT)
    visitor.locator("#objection-form #id_name").fill("赵先生")
    visitor.locator("#objection-form #id_contact").fill(OBJECTOR_CONTACT)
    visitor.locator("#objection-form #id_text").fill(OBJECTION)
    shots(visitor, "visitor-objection-form")
    visitor.locator("#objection-form button[type=submit]").click()
    expect(visitor.locator(".messages")).to_contain_text(
        zh("Your objection is lodged. The unit will answer you through the contact you gave.")
    )
    assert OBJECTOR_CONTACT not in visitor.content()
    shots(visitor, "visitor-objection-lodged")
    visitor.goto("/deals/publicity/")
    assert OBJECTOR_CONTACT not in visitor.content()
    phone_notice = new_page(mobile=True)
    phone_notice.goto(f"/deals/publicity/{deal.pk}/")
    expect(phone_notice.locator("#notice-achievement")).to_contain_text(ACHIEVEMENT)
    assert OBJECTOR_CONTACT not in phone_notice.content()
    shots(phone_notice, "phone-public-notice")
    assert no_horizontal_overflow(phone_notice), "the public notice scrolls sideways on a phone"

    # The unit sees the contact, answers, and still cannot complete before the period ends.
    officer = signed_in(new_page, "tto")
    officer.goto(f"/deals/{deal.pk}/")
    objection = Objection.objects.get(deal=deal)
    entry = officer.locator(f"#objection-{objection.pk}")
    expect(entry.locator(".objection-contact")).to_have_text(OBJECTOR_CONTACT)
    expect(officer.locator("#complete-link")).to_have_count(0)
    expect(officer.locator("#problems")).to_contain_text(zh("%(n)d objection(s) are not answered yet: answer every "
                                                            "objection first.", n=1))
    entry.locator("textarea[name=answer]").fill(ANSWER)
    entry.locator("button[type=submit]").click()
    expect(officer.locator(".messages")).to_contain_text(zh("The answer is recorded; the objection is resolved."))
    expect(officer.locator(f"#objection-{objection.pk} .badge")).to_have_text(zh("Answered and resolved"))
    expect(officer.locator("#complete-link")).to_have_count(0)
    expect(officer.locator("#problems")).to_contain_text("2026-01-25")  # "the period ends on …; only after it"
    shots(officer, "objection-answered-not-yet")
    officer.goto(f"/deals/{deal.pk}/complete/")
    expect(officer.locator("#refusal")).to_contain_text("2026-01-25")
    expect(officer.locator("#complete-form")).to_have_count(0)
    shots(officer, "complete-refused-during-period")
    assert Objection.objects.get().status == ObjectionStatus.RESOLVED

    # 3. 2026-01-26: the period has ended; the officer completes the deal on its own page.
    clock.set(local(2026, 1, 26, 10))
    officer = signed_in(new_page, "tto")
    officer.goto(f"/deals/{deal.pk}/")
    officer.locator("#complete-link").click()
    expect(officer.locator("#complete-form select[name=contract]")).to_be_visible()  # optional: none registered
    officer.locator("#complete-form input[name=signed_on]").fill("2026-01-26")
    shots(officer, "complete-form")
    officer.locator("#complete-form button[type=submit]").click()
    expect(officer.locator("#deal-status")).to_have_text(zh("Completed"))
    shots(officer, "deal-completed")
    visitor.goto(f"/deals/publicity/{deal.pk}/")
    expect(visitor.locator("#notice-completed")).to_be_visible()
    expect(visitor.locator("#objection-form")).to_have_count(0)
    deal.refresh_from_db()
    assert deal.status == DealStatus.COMPLETED and deal.signed_on == datetime.date(2026, 1, 26)

    # 4. 2026-02-10: rewards. First an 作价投资 deal's plan, the only kind that offers equity: the president is
    #    refused equity, with the rule's source on the page (厅字〔2016〕35号).
    clock.set(local(2026, 2, 10, 10))
    officer = signed_in(new_page, "tto")
    officer.goto("/deals/new/")
    officer.locator("#id_achievement").select_option(str(achievement.pk))
    choose_mode(officer, "equity", gone="#id_licence_type")
    officer.locator("#id_company_name").fill("北京芯测生物科技有限公司")
    officer.locator("#id_shares").fill("1000000")
    officer.locator("#id_counterparty_name").fill("北京芯测生物科技有限公司")
    officer.locator("#deal-form button[type=submit]").last.click()
    expect(officer.locator("#deal-status")).to_have_text(zh("Draft"))
    equity_deal = Deal.objects.get(mode="equity")
    officer.locator("#reward-plans a[role=button]").click()
    officer.locator("#plan-form input[name=income_date]").fill("2026-02-05")
    officer.locator("#plan-form button[type=submit]").click()
    expect(officer.locator("#plan-status")).to_have_text(zh("Draft"))
    add_allocation(officer, person=president.pk, form="equity", shares="100000", unit_head=True)
    refusal = officer.locator("#allocation-form #field-form .errorlist")
    expect(refusal).to_contain_text("厅字〔2016〕35号")
    expect(refusal).to_contain_text(zh("A unit head (正职领导) may receive cash but not equity. Source: %(source)s",
                                       source="").strip())
    shots(officer, "equity-refused-to-the-president")
    assert not RewardAllocation.objects.filter(plan__deal=equity_deal).exists()
    officer.goto(f"/deals/{equity_deal.pk}/")
    take_step(officer, "withdraw")  # the 作价投资 was only a draft: withdrawn
    expect(officer.locator("#deal-status")).to_have_text(zh("Withdrawn"))

    # The licence's plan: gross income, a tax and patent fees deducted; 70% of the net is the pool.
    officer.goto(f"/deals/{deal.pk}/")
    officer.locator("#reward-plans a[role=button]").click()
    officer.locator("#plan-form input[name=income_date]").fill("2026-02-05")
    officer.locator("#plan-form input[name=gross_income]").fill("1000000")
    shots(officer, "plan-form")
    officer.locator("#plan-form button[type=submit]").click()
    expect(officer.locator("#plan-status")).to_have_text(zh("Draft"))
    plan = RewardPlan.objects.get(deal=deal)
    for kind, description, amount in (("tax", "增值税及附加", "60000"),
                                      ("maintenance", "专利年费（2021–2026年）", "40000")):
        open_summary(officer, "#cost-form")
        officer.locator("#cost-form select[name=kind]").select_option(kind)
        officer.locator("#cost-form input[name=description]").fill(description)
        officer.locator("#cost-form input[name=amount]").fill(amount)
        officer.locator("#cost-form button[type=submit]").click()
        expect(officer.locator(".messages")).to_contain_text(zh("The deduction is added."))
    expect(officer.locator("#gross")).to_have_text("1,000,000.00")
    expect(officer.locator("#net")).to_have_text("900,000.00")  # 1,000,000 − 60,000 − 40,000
    expect(officer.locator("#rule-name")).to_contain_text("北京市促进科技成果转化条例")
    expect(officer.locator("#share")).to_have_text("70%")
    expect(officer.locator("#pool")).to_have_text("630,000.00 元")  # 70% × 900,000 (条例 Art. 12)
    # A licence's rewards are cash only: equity is not even offered.
    assert officer.locator("#allocation-form select[name=form] option").evaluate_all(
        "options => options.map(o => o.value)") == ["cash"]

    add_allocation(officer, person=president.pk, amount="63000", unit_head=True)
    expect(officer.locator(".messages")).to_contain_text(zh("The allocation is added."))
    add_allocation(officer, person=li.pk, amount="400000", main=True)
    add_allocation(officer, person=wang.pk, amount="200000", main=True)
    expect(officer.locator("#allocations tbody tr")).to_have_count(3)
    checks = officer.locator("#running-check li")
    expect(checks.nth(0)).to_have_class("ok")  # 663,000 ≥ the pool of 630,000
    expect(checks.nth(1)).to_have_class("ok")  # main contributors 600,000 of 663,000 ≥ 50%
    expect(checks.nth(1)).to_contain_text("90.5%")
    expect(officer.locator("#problems")).to_have_count(0)
    shots(officer, "plan-allocated")
    take_step(officer, "approve")  # folds out "the rule, the share, the pool … are then fixed", then confirms
    expect(officer.locator("#plan-status")).to_have_text(zh("Approved"))
    head = RewardAllocation.objects.get(plan=plan, person=president)
    main = RewardAllocation.objects.get(plan=plan, person=li)
    assert head.is_unit_head and head.form == "cash" and main.is_main_contributor
    pay(officer, plan, main, on="2026-02-10", amount="400000", tax="80000")
    pay(officer, plan, head, on="2026-02-10", amount="63000", tax="12600")
    expect(officer.locator(f"#payments-{main.pk} + .table-wrap")).to_contain_text("400,000.00")
    shots(officer, "plan-approved-and-paid")
    phone_plan = signed_in(new_page, "tto", mobile=True)
    phone_plan.goto(f"/deals/rewards/{plan.pk}/")
    expect(phone_plan.locator("#pool")).to_have_text("630,000.00 元")
    shots(phone_plan, "phone-plan")
    assert no_horizontal_overflow(phone_plan), "the reward plan scrolls sideways on a phone"
    plan.refresh_from_db()
    assert plan.status == RewardPlanStatus.APPROVED and plan.pool_cash == 630000
    # Leaders' rewards are public (条例 Art. 13): the president's cash on the notice, nobody else's.
    visitor.goto(f"/deals/publicity/{deal.pk}/")
    expect(visitor.locator("#leader-rewards")).to_contain_text(PRESIDENT)
    expect(visitor.locator("#leader-rewards")).to_contain_text("63,000.00")
    expect(visitor.locator("#leader-rewards")).not_to_contain_text("李研究")
    shots(visitor, "public-notice-leader-reward")

    # 5. 2027-03-01: the 2026 annual report shows the licence and the rewards; the unit submits it on time.
    clock.set(local(2027, 3, 1, 10))
    officer = signed_in(new_page, "tto")
    officer.goto("/annual-reports/")
    expect(officer.locator("#deadlines")).to_contain_text("2027-03-31")
    officer.locator("#start select[name=organisation]").select_option(str(p.university.pk))
    officer.locator("#start input[name=year]").fill("2026")
    officer.locator("#start button[type=submit]").click()
    expect(officer.locator("#status")).to_have_text(zh("Draft"))
    projects = officer.locator("#part6 table")
    expect(projects).to_contain_text(ACHIEVEMENT)
    expect(projects).to_contain_text("1,000,000.00")
    expect(projects).to_contain_text("2026-01-26")
    expect(cell(officer, "licence_count")).to_have_text("1")
    expect(cell(officer, "licence_amount")).to_have_text("1,000,000.00")
    expect(cell(officer, "cash_amount")).to_have_text("463,000.00")
    expect(cell(officer, "cash_person_times")).to_have_text("2")
    expect(cell(officer, "tax_withheld")).to_have_text("92,600.00")
    shots(officer, "report-draft")
    take_step(officer, "submit")
    expect(officer.locator("#status")).to_have_text(zh("Submitted to the supervising department"))
    shots(officer, "report-submitted")
    report = AnnualReport.objects.get(organisation=p.university, year=2026)
    assert report.days_late == 0

    # 6. The department returns it once with its reason; the unit resubmits; the department accepts it and
    #    submits it to the commission.
    clock.set(local(2027, 3, 5, 10))
    department = signed_in(new_page, reviewer.username)
    department.goto("/annual-reports/queue/")
    department.get_by_role("link", name=p.university.name, exact=True).click()
    expect(cell(department, "licence_amount")).to_have_text("1,000,000.00")
    take_step(department, "return", reason=RETURN_REASON)
    expect(department.locator("#status")).to_have_text(zh("Returned for correction"))
    shots(department, "report-returned")

    clock.set(local(2027, 3, 6, 10))
    officer = signed_in(new_page, "tto")
    officer.goto(f"/annual-reports/{report.pk}/")
    expect(officer.locator("#returned")).to_contain_text(RETURN_REASON)
    shots(officer, "report-returned-seen-by-the-unit")
    take_step(officer, "submit")
    expect(officer.locator("#status")).to_have_text(zh("Submitted to the supervising department"))

    clock.set(local(2027, 3, 10, 10))
    department = signed_in(new_page, reviewer.username)
    department.goto(f"/annual-reports/{report.pk}/")
    take_step(department, "accept")
    expect(department.locator("#status")).to_have_text(zh("Accepted by the supervising department"))
    take_step(department, "forward")  # folds out "cannot be taken back", then confirms
    expect(department.locator("#status")).to_have_text(zh("Submitted to the commission"))
    shots(department, "report-forwarded")
    phone_report = signed_in(new_page, "tto", mobile=True)
    phone_report.goto(f"/annual-reports/{report.pk}/")
    expect(phone_report.locator("#status")).to_have_text(zh("Submitted to the commission"))
    shots(phone_report, "phone-report")
    assert no_horizontal_overflow(phone_report), "the annual report scrolls sideways on a phone"

    # 7. The commission's overview: the unit's report submitted to the commission, on time.
    commission = signed_in(new_page, "admin")
    commission.goto("/annual-reports/overview/?year=2026")
    row = commission.locator(f"#unit-{p.university.pk}")
    expect(row).to_contain_text(p.university.name)
    expect(row.locator(".badge")).to_have_text(zh("Submitted to the commission"))
    expect(row).to_contain_text(zh("on time"))
    expect(row).to_contain_text("2027-03-10")
    expect(row).not_to_have_class("overdue")
    expect(commission.locator("#forwarded-reports")).to_have_text("1")
    shots(commission, "overview")
    phone_overview = signed_in(new_page, "admin", mobile=True)
    phone_overview.goto("/annual-reports/overview/?year=2026")
    expect(phone_overview.locator(f"#unit-{p.university.pk}")).to_contain_text(zh("on time"))
    shots(phone_overview, "phone-overview")
    assert no_horizontal_overflow(phone_overview), "the overview scrolls sideways on a phone"

    # What the clicks left in the database.
    report.refresh_from_db()
    assert report.status == ReportStatus.FORWARDED and report.days_late == 0 and not report.department_days_late
    steps = list(report.status_changes.values_list("to_state", "by__username"))
    assert steps == [
        (ReportStatus.SUBMITTED, "tto"),
        (ReportStatus.RETURNED, reviewer.username),
        (ReportStatus.SUBMITTED, "tto"),
        (ReportStatus.ACCEPTED, reviewer.username),
        (ReportStatus.FORWARDED, reviewer.username),
    ]
    assert list(deal.status_changes.values_list("to_state", flat=True)) == [DealStatus.PUBLICITY,
                                                                            DealStatus.COMPLETED]
