import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import translation

from techtransfer.achievements import services
from techtransfer.achievements.exporting import FULL_COLUMNS, achievements_export, rows_export
from techtransfer.achievements.importing import achievement_import
from techtransfer.achievements.models import Achievement
from techtransfer.achievements.selectors import achievement_list
from techtransfer.achievements.tests.test_importing import csv_bytes, row
from techtransfer.testing import Personas, make_achievement


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to open UTF-8 Chinese text"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def three_records(p: Personas) -> list[Achievement]:
    """One entered on the form and registered, two imported (one with an external ID)."""
    registered = make_achievement(p)
    services.achievement_submit(achievement=registered, by=p.tto_officer)
    services.achievement_register(achievement=registered, by=p.reviewer)
    achievement_import(by=p.tto_officer, owner=p.university,
                       file=csv_bytes([row(external_id="KY-7", name="=外部编号的成果"), row(name="导入的成果")]))
    return list(Achievement.objects.order_by("pk"))


class TestAchievementExport:
    def test_csv_has_a_bom_the_listed_columns_and_iso_dates(self, p: Personas) -> None:
        records = three_records(p)
        with translation.override("en"):
            content = achievements_export(
                queryset=Achievement.objects.order_by("pk"), fmt="csv",
                columns=["name", "achievement_type", "research_start", "registered_at", "status", "transfer_modes"],
            )
        rows = read_csv(content)
        assert rows[0] == ["Record ID", "Name", "Type", "Research start", "Registered on", "Status",
                           "Intended transfer modes"]
        first = rows[1]
        assert first[0] == str(records[0].pk) and first[1] == records[0].name
        assert first[2] == "Applied technology" and first[3] == "2021-01"
        assert first[4] == datetime.date.today().isoformat() and first[5] == "Published"
        assert first[6] == "Licence"
        assert rows[2][1] == "'=外部编号的成果"  # a formula-looking name is not run by Excel
        assert len(rows) == 4

    def test_xlsx_keeps_dates_as_dates_and_text_as_text(self, p: Personas) -> None:
        three_records(p)
        content = achievements_export(
            queryset=Achievement.objects.order_by("pk"), fmt="xlsx", columns=["name", "registered_at", "keywords"]
        )
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        assert sheet.cell(2, 3).value.date() == datetime.date.today()
        assert sheet.cell(3, 2).value == "=外部编号的成果" and sheet.cell(3, 2).data_type == "s"
        assert sheet.cell(2, 4).value == "肺结节；医学影像；深度学习"

    def test_money_is_written_as_a_number(self, db: None) -> None:
        content = rows_export(headers=["amount"], rows=[[Decimal("180000.00")]], fmt="xlsx")
        cell = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0].cell(2, 1)
        assert cell.value == 180000 and cell.data_type == "n"
        assert read_csv(rows_export(headers=["amount"], rows=[[Decimal("180000.00")]], fmt="csv"))[1] == ["180000.00"]

    def test_it_refuses_unknown_columns_and_formats(self, p: Personas) -> None:
        with pytest.raises(ValueError):
            achievements_export(queryset=Achievement.objects.all(), fmt="csv", columns=["name", "password"])
        with pytest.raises(ValueError):
            achievements_export(queryset=Achievement.objects.all(), fmt="pdf")

    def test_an_export_shows_only_what_the_exporting_user_may_see(self, p: Personas) -> None:
        three_records(p)
        make_achievement(p, by=p.other_tto, name="别校的草稿")
        content = achievements_export(queryset=achievement_list(user=p.outsider), fmt="csv", columns=FULL_COLUMNS)
        assert [r[2] for r in read_csv(content)[1:]] == [Achievement.objects.get(status="published").name]
        mine = achievements_export(queryset=achievement_list(user=p.researcher), fmt="csv", columns=["name"])
        assert len(read_csv(mine)) == 4


class TestExportImportRoundTrip:
    @pytest.mark.parametrize("fmt", ["xlsx", "csv"])
    def test_re_importing_a_units_own_export_creates_nothing(self, p: Personas, fmt: str) -> None:
        three_records(p)
        content = achievements_export(queryset=Achievement.objects.all(), fmt=fmt, columns=["name", "status"])
        batch = achievement_import(by=p.tto_officer, owner=p.university, file=content, file_name=f"export.{fmt}")
        assert (batch.created_count, batch.unchanged_count, batch.error_count) == (0, 3, 0)
        assert Achievement.objects.count() == 3

    @pytest.mark.parametrize("language", ["zh-hans", "en"])
    def test_a_full_export_imported_by_another_unit_recreates_the_records(self, p: Personas, language: str) -> None:
        originals = three_records(p)
        with translation.override(language):
            content = achievements_export(queryset=Achievement.objects.order_by("pk"), fmt="xlsx", columns=FULL_COLUMNS)
            batch = achievement_import(by=p.other_tto, owner=p.other_university, file=content, file_name="all.xlsx")
        assert (batch.created_count, batch.error_count) == (3, 0), batch.errors

        def essence(a: Achievement) -> tuple[Any, ...]:
            return (
                a.name, a.achievement_type, a.summary, a.keywords, a.discipline_id, a.high_tech_field_id, a.industry_id,
                a.stage_id, a.level_id, a.project_source_id, a.research_start, a.research_end, a.contact_phone,
                [x.name for x in a.persons.all()], sorted(i.number for i in a.ip_items.all()),
                sorted(m.code for m in a.transfer_modes.all()),
            )

        copies = Achievement.objects.filter(owner=p.other_university).order_by("pk")
        assert [essence(a) for a in copies] == [essence(a) for a in originals]
        assert copies[1].import_key == "KY-7"  # the external ID travels with the record
        assert all(a.status == "draft" for a in copies)

    def test_the_export_command_writes_a_file_for_one_unit(self, p: Personas, tmp_path: Path) -> None:
        three_records(p)
        make_achievement(p, by=p.other_tto, name="别校的成果")
        out = tmp_path / "achievements.csv"
        call_command("export_achievements", "--format", "csv", "-o", str(out), "--owner", p.university.name,
                     stdout=io.StringIO())
        assert len(read_csv(out.read_bytes())) == 4
        call_command("export_achievements", "--format", "xlsx", "-o", str(tmp_path / "a.xlsx"), "--full",
                     stdout=io.StringIO())
        sheet = openpyxl.load_workbook(tmp_path / "a.xlsx").worksheets[0]
        assert sheet.max_row == 5 and sheet.max_column == len(FULL_COLUMNS)
