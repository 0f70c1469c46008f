"""An innovation voucher from the application to the commission's budget page (S15 facilities, S16 vouchers),
clicked through in a real browser, in Chinese (the default language).

A start-up team (an organisation of type "other", its founder as organisation admin) applies for a 首都科技创新券
of this year's programme; the commission's administrator approves it (the amount is reserved in the budget) and
issues it; the team books the university's field-emission SEM with the voucher; the university's TTO officer (the
instrument platform's manager) confirms the booking and redeems the voucher with the invoice and the service
report (a PDF upload); the administrator's budget page shows the redemption, its report and the money. Every
step is photographed at desktop width, and the pages of the flow again at phone width (390×844), where no page
may scroll sideways. Screenshots: test-results/screenshots/<test name>/.

The ORM sets up the people, the programme with its provider list and the published instrument; everything else
goes through the pages.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from techtransfer.accounts.choices import OrgType, Role
from techtransfer.facilities.models import Booking
from techtransfer.facilities.tests.factories import make_facility
from techtransfer.testing import PDF_BYTES, make_org, make_personas, make_user
from techtransfer.vouchers import services
from techtransfer.vouchers.choices import VoucherStatus
from techtransfer.vouchers.models import Redemption, Voucher
from techtransfer.vouchers.tests.factories import programme_data
from tests.e2e.browsing import Watch, log_in, take_step, zh

pytestmark = pytest.mark.django_db(transaction=True)

INVOICE = "No.11023456"
REPORT = "扫描电镜检测报告.pdf"


def no_horizontal_overflow(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def the_world() -> dict[str, Any]:
    p = make_personas()
    programme = services.programme_create(by=p.commission_admin, data=programme_data())
    services.provider_add(
        by=p.commission_admin, programme=programme, organisation=p.university,
        data={"category": "instrument_platform", "services": "分析测试中心：扫描电镜、能谱、X射线衍射。"},
    )
    facility = make_facility(p)
    team = make_org("光合智能硬件创业团队", OrgType.OTHER, region="110108", name_en="Guanghe Smart Hardware Team")
    make_user("founder", team, Role.TTO_OFFICER, full_name="周启航")
    return {"p": p, "programme": programme, "facility": facility, "team": team}


def test_a_startup_team_spends_a_voucher_on_an_instrument_and_the_budget_shows_it(
    new_page: Any, shots: Any, tmp_path: Path
) -> None:
    world = the_world()
    programme, facility = world["programme"], world["facility"]

    # 1. The team applies.
    team: Page = new_page()
    log_in(team, "founder")
    team.goto(reverse("vouchers:programme", args=[programme.pk]))
    expect(team.get_by_role("heading", name=programme.name)).to_be_visible()
    expect(team.locator("#providers")).to_contain_text("北京示范大学")
    shots(team, "programme-and-providers")
    team.locator("#apply").click()
    team.locator("input[name=applicant_type][value=startup_team]").check()
    team.locator("#id_requested_amount").fill("10")
    team.locator("#id_employees").fill("6")
    team.locator("#id_annual_revenue").fill("0")
    team.locator("#id_purpose").fill("智能穿戴设备外壳材料的形貌和成分分析，为样机定型提供依据。")
    team.locator("#id_team_members").fill("周启航 负责人\n沈一诺 嵌入式软件")
    shots(team, "application-form")
    team.get_by_role("button", name=zh("Send the application")).click()
    expect(team.locator("#voucher-status")).to_have_text(zh("Applied"))
    voucher = Voucher.objects.get()
    assert voucher.requested_amount == Decimal("100000") and voucher.holder == world["team"]
    shots(team, "applied")

    # 2. The commission's administrator approves and issues it.
    admin: Page = new_page()
    log_in(admin, "admin")
    admin.goto(reverse("vouchers:review"))
    admin.locator(f"a[href='{reverse('vouchers:detail', args=[voucher.pk])}']").click()
    expect(admin.locator("#application")).to_contain_text("沈一诺")
    take_step(admin, "approve")
    expect(admin.locator("#voucher-status")).to_have_text(zh("Approved"))
    take_step(admin, "issue")
    expect(admin.locator("#voucher-status")).to_have_text(zh("Issued"))
    shots(admin, "approved-and-issued")
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.ISSUED and voucher.number and voucher.amount == Decimal("100000")

    # 3. The team books the SEM with it.
    team.goto(reverse("vouchers:detail", args=[voucher.pk]))
    expect(team.locator("#voucher-status")).to_have_text(zh("Issued"))
    team.locator(f"#book-{facility.pk}").click()
    day = timezone.localdate() + datetime.timedelta(days=3)
    team.locator("#id_day").fill(day.isoformat())
    team.locator("#id_start_time").fill("09:00")
    team.locator("#id_end_time").fill("12:00")
    team.locator("#id_purpose").fill("外壳断口形貌观察和能谱分析")
    shots(team, "book-with-voucher")
    team.get_by_role("button", name=zh("Book with the voucher")).click()
    expect(team.locator("#booking-status")).to_have_text(zh("Waiting for the provider"))
    expect(team.locator("#voucher-panel")).to_contain_text(voucher.number)
    booking = Booking.objects.get()
    shots(team, "booked")

    # 4. The provider confirms the booking and redeems the voucher with the invoice and the report.
    provider: Page = new_page()
    log_in(provider, "tto")
    provider.goto(reverse("facilities:booking", args=[booking.pk]))
    take_step(provider, "confirm")
    expect(provider.locator("#booking-status")).to_have_text(zh("Confirmed"))
    shots(provider, "booking-confirmed")
    provider.locator("#redeem-from-booking").click()
    report = tmp_path / REPORT
    report.write_bytes(PDF_BYTES)
    provider.locator("#id_invoice_number").fill(INVOICE)
    provider.locator("#id_invoice_amount").fill("3000")
    provider.locator("#id_report").set_input_files(str(report))
    shots(provider, "redeem-form")
    provider.get_by_role("button", name=zh("Redeem"), exact=True).click()
    expect(provider.locator("#voucher-status")).to_have_text(zh("Redeemed"))
    expect(provider.locator("#redemption")).to_contain_text(REPORT)
    shots(provider, "redeemed")
    redemption = Redemption.objects.get()
    assert redemption.paid_amount == Decimal("1500.00") and redemption.invoice_number == INVOICE

    # 5. The administrator's budget page shows the redemption.
    watch = Watch(admin, console_errors=True)
    admin.goto(reverse("vouchers:budget", args=[programme.pk]))
    row = admin.locator(f"#redemption-{redemption.pk}")
    expect(row).to_contain_text(INVOICE)
    expect(row).to_contain_text(REPORT)
    expect(admin.locator("#budget-spent")).to_have_text("1,500元")
    expect(admin.locator("#budget-reserved")).to_have_text("0元")
    expect(admin.locator("#budget-chart svg")).to_have_count(1)  # the ECharts chart was drawn
    shots(admin, "budget")
    assert watch.problems == []

    # The same pages at phone width: readable, nothing scrolls sideways.
    phones = {"admin": new_page(mobile=True), "founder": new_page(mobile=True)}
    for username, phone in phones.items():
        log_in(phone, username)
    for name, username, url in [
        ("phone-programme", "founder", reverse("vouchers:programme", args=[programme.pk])),
        ("phone-facility", "founder", reverse("facilities:detail", args=[facility.pk])),
        ("phone-voucher", "founder", reverse("vouchers:detail", args=[voucher.pk])),
        ("phone-booking", "founder", reverse("facilities:booking", args=[booking.pk])),
        ("phone-budget", "admin", reverse("vouchers:budget", args=[programme.pk])),
    ]:
        phone = phones[username]
        phone.goto(url)
        expect(phone.locator("main h1")).to_be_visible()
        assert no_horizontal_overflow(phone), name
        shots(phone, name)
    expect(phones["admin"].locator(f"#redemption-{redemption.pk}")).to_contain_text(INVOICE)
