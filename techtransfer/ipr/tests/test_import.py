"""Importing IP records through the shared import module: every good row saved, every bad one reported with its
row, column and reason; all-or-nothing saves nothing when a row is bad; importing again creates nothing twice."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from techtransfer.core.models import ImportMode
from techtransfer.ipr.choices import IPStatus
from techtransfer.ipr.importing import COLUMNS, EXAMPLE_NUMBER, ip_import, ip_import_template
from techtransfer.ipr.models import FeeEvent, IPRecord
from techtransfer.ipr.tests.helpers import make_record, serial_number
from techtransfer.testing import Personas

pytestmark = pytest.mark.django_db

HEADER = ["类型", "号码", "名称", "权利人", "发明人", "申请日", "授权日", "法律状态", "技术领域", "下次缴费日",
          "缴费金额（元）"]
GOOD_PATENT = serial_number(101)
GOOD_SOFTWARE = "2023SR0456789"


def rows() -> list[list[str]]:
    bad_check = GOOD_PATENT[:-1] + ("0" if GOOD_PATENT[-1] != "0" else "1")
    return [
        ["发明专利", "ZL" + GOOD_PATENT, "一种极片涂布厚度在线检测方法", "北京示范大学；张三", "李研究；王成果",
         "2022-03-15", "2023-09-01", "授权", "新能源与高效节能", "2026-03-15", "900"],          # row 2: good
        ["发明专利", bad_check, "校验位错误的专利", "", "", "2022-04-01", "", "申请中", "", "", ""],  # row 3
        ["商标", "12345678", "不是知识产权类型", "", "", "2022-04-01", "", "申请中", "", "", ""],     # row 4
        ["软件著作权", GOOD_SOFTWARE, "涂布厚度检测软件V1.0", "", "", "2023/05/06", "2023年7月8日", "已登记",
         "electronics", "", ""],                                                                   # row 5: good
        ["实用新型", serial_number(7, type_digit="2"), "", "", "", "2022-13-40", "", "不知道", "", "",
         "-5"],                                                                                    # row 6
        ["发明", GOOD_PATENT, "重复的行", "", "", "2022-03-15", "", "授权", "", "", ""],            # row 7: repeats 2
    ]


def csv_file(data: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(data)
    return out.getvalue().encode("utf-8")


def errors_by_row(batch: object) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for error in batch.errors:  # type: ignore[attr-defined]
        found.setdefault(error["row"], []).append((error["field"], error["message"]))
    return found


class TestImport:
    def test_good_rows_are_saved_and_every_bad_row_is_reported(self, p: Personas) -> None:
        batch = ip_import(by=p.tto_officer, owner=p.university, file=csv_file(rows()), file_name="ip.csv")
        assert (batch.total_rows, batch.created_count, batch.error_count) == (6, 2, 4)
        patent = IPRecord.objects.get(number=GOOD_PATENT)
        assert patent.owner == p.university and patent.status == IPStatus.DRAFT
        assert [h.name for h in patent.holders.all()] == ["北京示范大学", "张三"]
        assert patent.holders.first().organisation == p.university
        assert patent.legal_status.code == "granted" and patent.field.code == "energy"
        assert (patent.next_fee_due, patent.next_fee_amount) == (datetime.date(2026, 3, 15), Decimal("900.00"))
        software = IPRecord.objects.get(number=GOOD_SOFTWARE)
        assert software.grant_date == datetime.date(2023, 7, 8) and software.field.code == "electronics"

        errors = errors_by_row(batch)
        assert set(errors) == {3, 4, 6, 7}
        assert errors[3][0][0] == "号码" and "check digit" in errors[3][0][1]
        assert errors[4][0][0] == "类型" and "not an IP type" in errors[4][0][1]
        row6 = dict(errors[6])
        assert set(row6) == {"名称", "申请日", "法律状态", "缴费金额（元）"}
        assert "not a date" in row6["申请日"] and "not in the code table" in row6["法律状态"]
        assert row6["名称"] == "This column is required." and "negative" in row6["缴费金额（元）"]
        assert errors[7] == [("号码", "This number repeats row 2.")]

    def test_importing_the_same_file_again_creates_nothing_twice(self, p: Personas) -> None:
        content = csv_file(rows())
        ip_import(by=p.tto_officer, owner=p.university, file=content, file_name="ip.csv")
        again = ip_import(by=p.tto_officer, owner=p.university, file=content, file_name="ip.csv")
        assert (again.created_count, again.unchanged_count, again.error_count) == (0, 2, 4)
        assert IPRecord.objects.count() == 2 and FeeEvent.objects.count() == 1

    def test_all_or_nothing_saves_nothing_when_a_row_is_bad(self, p: Personas) -> None:
        batch = ip_import(by=p.tto_officer, owner=p.university, file=csv_file(rows()), file_name="ip.csv",
                          mode=ImportMode.ALL_OR_NOTHING)
        assert batch.nothing_saved and batch.created_count == 0 and batch.error_count == 4
        assert not IPRecord.objects.exists()
        good = [rows()[0], rows()[3]]
        batch = ip_import(by=p.tto_officer, owner=p.university, file=csv_file(good), file_name="ip.csv",
                          mode=ImportMode.ALL_OR_NOTHING, publish=True)
        assert batch.created_count == 2 and not batch.nothing_saved
        assert set(IPRecord.objects.values_list("status", flat=True)) == {IPStatus.PUBLIC}

    def test_a_number_another_unit_recorded_is_refused_for_its_row(self, p: Personas) -> None:
        make_record(p, by=p.other_tto, number=GOOD_PATENT)
        batch = ip_import(by=p.tto_officer, owner=p.university, file=csv_file([rows()[0], rows()[3]]),
                          file_name="ip.csv")
        assert (batch.created_count, batch.error_count) == (1, 1)
        assert batch.errors[0]["row"] == 2 and "another unit" in batch.errors[0]["message"]

    def test_an_xlsx_file_with_english_headers_and_real_dates(self, p: Personas) -> None:
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(["IP type", "Number", "Title", "Application date", "Grant date", "Legal status"])
        sheet.append(["Invention patent", GOOD_PATENT, "A coating thickness gauge", datetime.datetime(2022, 3, 15),
                      None, "Application pending"])
        out = io.BytesIO()
        workbook.save(out)
        batch = ip_import(by=p.tto_officer, owner=p.university, file=out.getvalue(), file_name="ip.xlsx")
        assert batch.created_count == 1, batch.errors
        record = IPRecord.objects.get()
        assert record.application_date == datetime.date(2022, 3, 15) and record.legal_status.code == "filed"

    def test_the_template_imports_as_nothing_and_nobody_else_imports(self, p: Personas) -> None:
        template = ip_import_template("csv")
        assert EXAMPLE_NUMBER.encode() in template and all(c.zh.encode() in template for c in COLUMNS)
        batch = ip_import(by=p.tto_officer, owner=p.university, file=template, file_name="template.csv")
        assert batch.created_count == 0 and batch.error_count == 0
        for user in (p.researcher, p.other_tto, p.outsider, p.commission_admin):
            with pytest.raises(PermissionDenied):
                ip_import(by=user, owner=p.university, file=csv_file(rows()), file_name="ip.csv")
        assert not IPRecord.objects.exists()
