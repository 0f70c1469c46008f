"""The commission's overview: every reporting unit's status and lateness (overdue computed on read, nothing
written), the indicators of the national summary reports (domain-spec §4 [S26][S51][S52]) over the reports
submitted to the commission and over all handed in, and the XLSX and PDF exports."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pypdf
import pytest
import time_machine
from django.urls import reverse

from techtransfer.reports import services
from techtransfer.reports.models import AnnualReport
from techtransfer.reports.selectors import overview
from techtransfer.reports.tests.factories import World, contract, deal, local

pytestmark = pytest.mark.django_db
YEAR = 2025


@pytest.fixture
def reports(w: World) -> dict[str, AnnualReport]:
    deal(w.university, mode="transfer", price=Decimal("150000000"), completed_at=local(YEAR, 2, 1))
    deal(w.university, mode="licence", price=Decimal("2000000"), completed_at=local(YEAR, 3, 1))
    deal(w.university, mode="equity", price=Decimal("500000"), completed_at=local(YEAR, 4, 1), company="新公司")
    deal(w.institute, mode="transfer", price=Decimal("3000000"), completed_at=local(YEAR, 5, 1))
    contract(w.university, w.registry, category="development", turnover=Decimal("800000"),
             registered_on=datetime.date(YEAR, 6, 1))
    contract(w.institute, w.registry, category="service", turnover=Decimal("50000"),
             registered_on=datetime.date(YEAR, 6, 2))
    with time_machine.travel(local(YEAR + 1, 3, 10), tick=False):
        uni = services.report_create(by=w.uni_tto, organisation=w.university, year=YEAR)
        inst = services.report_create(by=w.inst_tto, organisation=w.institute, year=YEAR)
        services.report_update(report=inst, by=w.inst_tto, data={}, overrides={"service_turnover": "60000"})
        services.report_submit(report=uni, by=w.uni_tto)
        services.report_accept(report=uni, by=w.reviewer)
        services.report_forward(report=uni, by=w.reviewer)
    with time_machine.travel(local(YEAR + 1, 4, 5), tick=False):
        services.report_submit(report=inst, by=w.inst_tto)
    return {"uni": uni, "inst": inst}


def test_overview_numbers(w: World, reports: dict[str, AnnualReport]) -> None:
    """Forwarded: the university only; handed in: both (the institute's corrected figure counts); the hospital
    (not started) is overdue by the days since 31 March, computed on read; units above 1亿 counted."""
    with time_machine.travel(local(YEAR + 1, 4, 10), tick=False):
        data = overview(year=YEAR)
    rows = {row.organisation.pk: row for row in data.rows}
    assert set(rows) == {w.university.pk, w.institute.pk, w.hospital.pk, w.other_unit.pk}  # not the enterprise
    assert rows[w.university.pk].status == "forwarded" and rows[w.university.pk].days_late == 0
    assert rows[w.university.pk].copy is True
    assert rows[w.institute.pk].days_late == 5 and rows[w.institute.pk].overdue_days is None
    assert rows[w.hospital.pk].status == "not_started" and rows[w.hospital.pk].overdue_days == 10
    assert rows[w.hospital.pk].department is None
    assert rows[w.other_unit.pk].department == w.other_department
    assert not AnnualReport.objects.filter(organisation=w.hospital).exists()  # the read wrote nothing

    f, h = data.forwarded, data.handed_in
    assert f.reports == 1 and h.reports == 2
    assert f.values["transfer_count"] == 1 and f.values["transfer_amount"] == Decimal("150000000")
    assert h.values["transfer_count"] == 2 and h.values["transfer_amount"] == Decimal("153000000")
    assert f.values["total_count"] == 3 and f.values["total_count_1m"] == 2 and f.values["total_count_100m"] == 1
    assert f.values["companies_created"] == 1
    assert f.values["development_turnover"] == Decimal("800000")
    assert h.values["service_turnover"] == Decimal("60000")  # the institute's correction
    assert f.units_over_100m == 1 and h.units_over_100m == 1


def test_exports(w: World, reports: dict[str, AnnualReport], client) -> None:
    """The XLSX opens with openpyxl and holds the figures; the PDF is a PDF holding the unit's name (CJK font)."""
    client.force_login(w.admin)
    response = client.get(reverse("reports:overview_xlsx") + f"?year={YEAR}")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    units, indicators = book.worksheets
    names = [row[0].value for row in units.iter_rows(min_row=2)]
    assert w.university.name in names and w.hospital.name in names
    values = {row[0].value: (row[1].value, row[2].value) for row in indicators.iter_rows(min_row=2)}
    transfer_amount = next(v for k, v in values.items() if "Transfer" in str(k) and "amount" in str(k))
    assert transfer_amount == (150000000, 153000000)

    response = client.get(reverse("reports:overview_pdf") + f"?year={YEAR}")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert w.university.name in text

    page = client.get(reverse("reports:overview") + f"?year={YEAR}")
    assert page.status_code == 200
    assert b"annual-report-chart-data" in page.content
    assert w.hospital.name in page.content.decode()

    api = client.get(f"/api/v1/annual-reports/overview/?year={YEAR}")
    assert api.status_code == 200
    body = api.json()
    assert body["forwarded"]["reports"] == 1
    hospital = next(u for u in body["units"] if u["organisation"]["id"] == w.hospital.pk)
    assert hospital["status"] == "not_started"
