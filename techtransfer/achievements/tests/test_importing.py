import csv
import datetime
import io
import logging
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from techtransfer.achievements import importing
from techtransfer.achievements.importing import COLUMNS, achievement_import, achievement_import_template
from techtransfer.achievements.models import Achievement, FundedProject
from techtransfer.core.codetables import code_item
from techtransfer.core.models import AuditEvent, ImportBatch, ImportMode
from techtransfer.lib.validators import patent_check_character
from techtransfer.testing import Personas

HEADERS = [c.zh for c in COLUMNS]


def patent(digits: str = "202110123456") -> str:
    return f"ZL{digits}.{patent_check_character(digits)}"


def row(**values: Any) -> dict[str, Any]:
    """A good row by Chinese header; override cells by column key."""
    cells = {
        "name": "一种高效钙钛矿太阳能电池的制备方法",
        "achievement_type": "应用技术",
        "summary": "本成果提出一种低温制备高效钙钛矿太阳能电池的方法，光电转换效率达到24%。",
        "keywords": "钙钛矿；太阳能电池",
        "discipline": "材料科学",
        "high_tech_field": "新能源与高效节能",
        "stage": "中期阶段（中试）",
        "level": "国内领先",
        "research_start": "2020-03",
        "research_end": "2022.12",
        "persons": "李研究、王成果",
        "patents": patent(),
        "transfer_modes": "许可；转让",
        "secrecy": "无",
        "contact_name": "王成果",
        "contact_phone": "010-62780000",
        "contact_email": "tto@example.cn",
    }
    cells.update(values)
    return cells


def csv_bytes(rows: Sequence[dict[str, Any]], *, encoding: str = "utf-8-sig", headers: list[str] = HEADERS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    keys = [c.key for c in COLUMNS]
    for r in rows:
        writer.writerow([r.get(k, "") for k in keys])
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[dict[str, Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([c.header() for c in COLUMNS])
    for r in rows:
        sheet.append([r.get(c.key) for c in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def errors_of(batch: ImportBatch) -> list[tuple[int, str]]:
    return [(e["row"], e["field"]) for e in batch.errors]


WRONG_PATENT = "ZL202110123456." + ("1" if patent().endswith(".0") else "0")
MIXED = [
    row(name="成果甲"),                                                     # row 2: good
    row(name="成果乙", achievement_type="发明创造"),                          # row 3: unknown type
    row(name="成果丙", keywords="甲、乙、丙、丁"),                             # row 4: four keywords
    row(name=""),                                                            # row 5: no name
    row(name="成果丁", patents=WRONG_PATENT),                                 # row 6: wrong check digit
    row(name="成果戊", secrecy="机密"),                                       # row 7: classified
    row(name="成果己", research_start="2021-05", research_end="2020-01"),     # row 8: ends before it starts
    row(name="成果庚", contact_email="not-an-address"),                       # row 9: bad e-mail
    row(name="成果辛", discipline="炼金术"),                                   # row 10: not in the code table
    row(name="成果壬", achievement_type="basic", discipline="430", research_start="2019年7月"),  # row 11: good
    row(name="成果癸", transfer_modes="licence；Transfer"),                   # row 12: good
]
MIXED_ERRORS = [
    (3, "成果类型"), (4, "关键词"), (5, "成果名称"), (6, "专利号"), (7, "密级"), (8, "研究终止"), (9, "联系邮箱"),
    (10, "学科"),
]


class TestAchievementImport:
    def test_it_saves_every_good_row_and_reports_every_bad_row_with_its_row_and_column(self, p: Personas) -> None:
        batch = achievement_import(by=p.tto_officer, owner=p.university, file=csv_bytes(MIXED), file_name="mixed.csv")
        batch.refresh_from_db()
        assert (batch.total_rows, batch.created_count, batch.unchanged_count, batch.error_count) == (11, 3, 0, 8)
        assert errors_of(batch) == MIXED_ERRORS
        assert all(e["message"] for e in batch.errors)
        assert "机密" in batch.errors[4]["message"]
        names = set(Achievement.objects.filter(owner=p.university).values_list("name", flat=True))
        assert names == {"成果甲", "成果壬", "成果癸"}

    def test_a_good_row_becomes_a_complete_draft(self, p: Personas) -> None:
        achievement_import(by=p.researcher, owner=p.university, file=csv_bytes([row(units="北京合作研究院；清华大学")]))
        a = Achievement.objects.get()
        assert a.status == "draft" and a.created_by == p.researcher and a.owner == p.university
        assert a.achievement_type == "applied" and a.keywords == ["钙钛矿", "太阳能电池"]
        assert (a.discipline.code, a.high_tech_field.code, a.stage.code, a.level.code) == (
            "430", "energy", "middle", "dom_leading"
        )
        assert a.research_start == datetime.date(2020, 3, 1) and a.research_end == datetime.date(2022, 12, 1)
        assert [u.name for u in a.units.all()] == ["北京示范大学", "北京合作研究院", "清华大学"]
        assert a.units.first().organisation == p.university
        assert [x.name for x in a.persons.all()] == ["李研究", "王成果"]
        assert [(i.kind, i.number, i.granted) for i in a.ip_items.all()] == [
            ("invention_patent", patent()[2:], True)
        ]
        assert sorted(m.code for m in a.transfer_modes.all()) == ["licence", "transfer"]
        assert a.import_key and len(a.import_key) == 64
        assert AuditEvent.objects.filter(action="achievement.create", object_id=str(a.pk)).count() == 1

    def test_importing_the_same_file_twice_creates_nothing_twice(self, p: Personas) -> None:
        content = csv_bytes(MIXED)
        first = achievement_import(by=p.tto_officer, owner=p.university, file=content, file_name="mixed.csv")
        second = achievement_import(by=p.tto_officer, owner=p.university, file=content, file_name="mixed.csv")
        assert first.created_count == 3
        assert (second.created_count, second.unchanged_count, second.error_count) == (0, 3, 8)
        assert Achievement.objects.count() == 3

    def test_labels_codes_and_english_mean_the_same_row(self, p: Personas) -> None:
        chinese = row()
        coded = row(achievement_type="applied", discipline="430", high_tech_field="ENERGY", stage="middle",
                    level="Nationally leading", transfer_modes="transfer, licence")
        achievement_import(by=p.tto_officer, owner=p.university, file=csv_bytes([chinese]))
        batch = achievement_import(by=p.tto_officer, owner=p.university, file=csv_bytes([coded]))
        assert (batch.created_count, batch.unchanged_count) == (0, 1)

    def test_an_external_id_identifies_the_row_even_when_its_content_changes(self, p: Personas) -> None:
        achievement_import(by=p.tto_officer, owner=p.university, file=csv_bytes([row(external_id="KY-2023-001")]))
        changed = csv_bytes([row(external_id="KY-2023-001", name="改过的名称")])
        batch = achievement_import(by=p.tto_officer, owner=p.university, file=changed)
        assert (batch.created_count, batch.unchanged_count) == (0, 1)
        assert Achievement.objects.get().import_key == "KY-2023-001"

    def test_the_same_external_id_may_be_used_by_another_unit(self, p: Personas) -> None:
        content = csv_bytes([row(external_id="2023-001")])
        achievement_import(by=p.tto_officer, owner=p.university, file=content)
        batch = achievement_import(by=p.other_tto, owner=p.other_university, file=content)
        assert batch.created_count == 1 and Achievement.objects.count() == 2

    def test_a_row_repeated_inside_the_file_is_reported(self, p: Personas) -> None:
        content = csv_bytes([row(external_id="A1"), row(external_id="A1", name="别的"), row(), row()])
        batch = achievement_import(by=p.tto_officer, owner=p.university, file=content)
        assert batch.created_count == 2
        assert errors_of(batch) == [(3, "外部编号"), (5, "")]
        assert "row 2" in batch.errors[0]["message"] and "row 4" in batch.errors[1]["message"]

    def test_it_reads_xlsx_with_numbers_and_dates_as_excel_stores_them(self, p: Personas) -> None:
        content = xlsx_bytes([
            row(discipline=430, contact_phone=13800138000, research_start=datetime.datetime(2020, 3, 15),
                research_end=2022.1, industry=1),
            row(name="", summary=""),
        ])
        batch = achievement_import(by=p.tto_officer, owner=p.university, file=content, file_name="成果.xlsx")
        assert batch.created_count == 1
        assert errors_of(batch) == [(3, "成果名称"), (3, "成果简介")]
        a = Achievement.objects.get()
        assert a.discipline.code == "430" and a.contact_phone == "13800138000" and a.industry.code == "01"
        # Excel turns a typed 2022.10 into the number 2022.1.
        assert (a.research_start, a.research_end) == (datetime.date(2020, 3, 1), datetime.date(2022, 10, 1))

    def test_an_xlsx_row_number_counts_blank_rows_as_excel_does(self, p: Personas) -> None:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(HEADERS)
        sheet.append([row().get(c.key) for c in COLUMNS])
        sheet.append([])
        sheet.append([])
        sheet.append([row(achievement_type="??").get(c.key) for c in COLUMNS])
        out = io.BytesIO()
        workbook.save(out)
        batch = achievement_import(by=p.tto_officer, owner=p.university, file=out.getvalue(), file_name="x.xlsx")
        assert batch.total_rows == 2 and errors_of(batch) == [(5, "成果类型")]

    def test_it_reads_gb18030_csv_saved_by_chinese_excel(self, p: Personas) -> None:
        content = csv_bytes([row(name="𠀀生僻字与中文名称")], encoding="gb18030")
        with pytest.raises(UnicodeDecodeError):
            content.decode("utf-8")
        batch = achievement_import(by=p.tto_officer, owner=p.university, file=content, file_name="成果.csv")
        assert batch.created_count == 1 and Achievement.objects.get().name == "𠀀生僻字与中文名称"

    def test_it_reads_utf8_csv_without_bom_and_tab_separated_text(self, p: Personas) -> None:
        plain = csv_bytes([row(name="无BOM")], encoding="utf-8")
        assert not plain.startswith(b"\xef\xbb\xbf")
        achievement_import(by=p.tto_officer, owner=p.university, file=plain)
        tsv = "\t".join(["成果名称", "成果类型", "成果简介"]) + "\n" + "\t".join(["制表符", "软科学", "简介"]) + "\n"
        achievement_import(by=p.tto_officer, owner=p.university, file=tsv.encode("utf-16"), file_name="unicode.txt")
        stored = dict(Achievement.objects.values_list("name", "achievement_type"))
        assert stored == {"无BOM": "applied", "制表符": "soft"}

    def test_it_accepts_an_upload_and_bilingual_or_english_headers(self, p: Personas) -> None:
        english = ["Name", "type", "Summary", "Keywords"]
        out = io.StringIO()
        csv.writer(out).writerows([english, ["An English row", "Basic theory", "A summary.", "a; b"]])
        upload = SimpleUploadedFile("english.csv", out.getvalue().encode())
        batch = achievement_import(by=p.tto_officer, owner=p.university, file=upload, file_name=upload.name)
        assert batch.created_count == 1 and batch.file_name == "english.csv"
        assert Achievement.objects.get().keywords == ["a", "b"]

    def test_unknown_columns_are_listed_but_do_not_count_as_bad_rows(self, p: Personas) -> None:
        out = io.StringIO()
        csv.writer(out).writerows([["成果名称", "成果类型", "成果简介", "备注"], ["有备注", "软科学", "简介", "内部"]])
        batch = achievement_import(by=p.tto_officer, owner=p.university, file=out.getvalue().encode())
        assert (batch.created_count, batch.error_count) == (1, 0)
        assert errors_of(batch) == [(1, "备注")]

    def test_a_row_with_a_programme_number_is_linked_to_its_funded_project(self, p: Personas) -> None:
        project = FundedProject.objects.create(
            programme=code_item("project_source", "nsfc"), grant_number="52172001", title="钙钛矿电池",
            institution_name=p.university.name, organisation=p.university, end=datetime.date(2023, 12, 31),
        )
        other = FundedProject.objects.create(
            programme=code_item("project_source", "nsfc"), grant_number="52172002", title="别人的项目",
            institution_name=p.other_university.name, organisation=p.other_university,
        )
        content = csv_bytes([
            row(project_source="国家自然科学基金", programme_number="52172001"),
            row(name="别人的", project_source="nsfc", programme_number="52172002"),
        ])
        achievement_import(by=p.tto_officer, owner=p.university, file=content)
        assert Achievement.objects.get(funded_project=project).name == row()["name"]
        assert not other.achievements.exists()

    def test_each_imported_record_has_its_parts_and_an_audit_event(self, p: Personas) -> None:
        batch = achievement_import(by=p.tto_officer, owner=p.university, file=csv_bytes(MIXED))
        assert batch.created_count == 3
        for a in Achievement.objects.filter(owner=p.university):
            assert a.status == "draft" and a.created_by == p.tto_officer and a.region_id == p.university.region_id
            assert a.units.first().name == p.university.name and a.persons.exists()
            event = AuditEvent.objects.get(action="achievement.create", object_id=str(a.pk))
            assert event.actor == p.tto_officer and event.changes["name"] == a.name
            assert batch.file_name in event.note

    def test_per_row_index_jobs_are_replaced_by_one_batch_at_the_end(
        self, p: Personas, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
    ) -> None:
        indexed: list[list[int]] = []
        monkeypatch.setattr(importing, "search_reindex", lambda ids: indexed.append(list(ids)))
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            achievement_import(by=p.tto_officer, owner=p.university, file=csv_bytes(MIXED))
        assert len(callbacks) == 1  # no per-row reindex job was queued
        assert indexed == [list(Achievement.objects.order_by("pk").values_list("pk", flat=True))]

    def test_imported_rows_reach_the_search_index(self, p: Personas, django_capture_on_commit_callbacks: Any) -> None:
        from techtransfer.search.models import SearchDocument

        with django_capture_on_commit_callbacks(execute=True):
            achievement_import(by=p.tto_officer, owner=p.university, file=csv_bytes([row(), row(name="第二条")]))
        ids = set(Achievement.objects.values_list("pk", flat=True))
        assert set(SearchDocument.objects.filter(kind="achievement").values_list("object_id", flat=True)) == ids

    def test_without_a_search_module_it_says_so_in_the_log(
        self, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
    ) -> None:
        monkeypatch.setitem(sys.modules, "techtransfer.achievements.search", None)
        with caplog.at_level(logging.WARNING, logger="techtransfer.achievements.importing"):
            importing.search_reindex([1, 2])
        assert "2 imported achievements were not indexed" in caplog.text


class TestImportRefusals:
    def test_an_outsider_cannot_import_into_a_unit(self, p: Personas) -> None:
        with pytest.raises(PermissionDenied):
            achievement_import(by=p.outsider, owner=p.university, file=csv_bytes([row()]))
        with pytest.raises(PermissionDenied):
            achievement_import(by=p.other_tto, owner=p.university, file=csv_bytes([row()]))
        assert not Achievement.objects.exists() and not ImportBatch.objects.exists()

    def test_an_oversize_file_is_refused_with_one_error_and_nothing_saved(self, p: Personas) -> None:
        with pytest.raises(ValidationError) as exc:
            achievement_import(by=p.tto_officer, owner=p.university, file=csv_bytes([row()] * 20), max_bytes=2000)
        assert "larger than" in exc.value.message_dict["file"][0]
        assert not Achievement.objects.exists() and not ImportBatch.objects.exists()

    @pytest.mark.parametrize(
        ("content", "file_name", "says"),
        [
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.xls", ".xls"),
            (b"PK\x03\x04 this is no workbook", "broken.xlsx", "could not be read"),
            (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "picture.csv", "could not be read"),
            (b"   \n", "empty.csv", "empty"),
            ("标题,备注\n甲,乙\n".encode(), "wrong.csv", "成果名称"),
        ],
    )
    def test_an_unreadable_file_is_refused_with_one_clear_error(
        self, p: Personas, content: bytes, file_name: str, says: str
    ) -> None:
        with pytest.raises(ValidationError) as exc:
            achievement_import(by=p.tto_officer, owner=p.university, file=content, file_name=file_name)
        assert says in exc.value.message_dict["file"][0]
        assert not ImportBatch.objects.exists()


class TestImportTemplate:
    def test_the_xlsx_template_has_bilingual_headers_an_example_and_a_code_sheet(self, db: None) -> None:
        workbook = openpyxl.load_workbook(io.BytesIO(achievement_import_template("xlsx")))
        sheet, codes = workbook.worksheets
        assert sheet.cell(1, 2).value == "成果名称*\nName"
        assert sheet.cell(2, 2).value.endswith("（示例）")
        assert sheet.cell(1, 8).comment is not None
        listed = {(r[0], r[1]) for r in codes.iter_rows(min_row=2, values_only=True)}
        assert {("成果类型", "applied"), ("密级", "0"), ("学科", "430"), ("转化方式", "licence")} <= listed

    def test_the_untouched_example_row_is_skipped(self, p: Personas) -> None:
        batch = achievement_import(by=p.tto_officer, owner=p.university, file=achievement_import_template("xlsx"),
                                   file_name="template.xlsx")
        assert (batch.total_rows, batch.created_count, batch.error_count) == (0, 0, 0)
        assert errors_of(batch) == [(2, "")]

    @pytest.mark.parametrize("fmt", ["xlsx", "csv"])
    def test_a_filled_in_template_imports(self, p: Personas, tmp_path: Path, fmt: str) -> None:
        path = tmp_path / f"filled.{fmt}"
        template = achievement_import_template(fmt)
        if fmt == "xlsx":
            workbook = openpyxl.load_workbook(io.BytesIO(template))
            workbook.worksheets[0]["B2"] = "北斗高精度定位终端"
            workbook.save(path)
        else:
            example = "基于深度学习的道路裂缝自动检测方法（示例）"
            text = template.decode("utf-8-sig").replace(example, "北斗高精度定位终端")
            path.write_bytes(text.encode("utf-8-sig"))
        batch = achievement_import(by=p.tto_officer, owner=p.university, file=path)
        assert (batch.created_count, batch.error_count) == (1, 0), batch.errors
        a = Achievement.objects.get()
        assert a.name == "北斗高精度定位终端" and batch.file_name == f"filled.{fmt}"
        assert a.ip_items.count() == 2 and a.transfer_modes.count() == 2 and a.persons.count() == 2
        assert a.project_source.code == "nsfc" and a.industry.code == "I"


class TestImportCommand:
    def test_it_prints_the_summary_and_each_error(self, p: Personas, tmp_path: Path) -> None:
        path = tmp_path / "mixed.csv"
        path.write_bytes(csv_bytes(MIXED))
        out = io.StringIO()
        call_command("import_achievements", str(path), owner=p.university.name, user="tto", stdout=out)
        text = out.getvalue()
        assert "11 rows, 3 created, 0 unchanged, 8 with errors" in text
        assert "row 3, 成果类型:" in text and "row 10, 学科:" in text

    def test_it_refuses_a_user_of_another_unit(self, p: Personas, tmp_path: Path) -> None:
        from django.core.management.base import CommandError

        path = tmp_path / "one.csv"
        path.write_bytes(csv_bytes([row()]))
        with pytest.raises(CommandError):
            call_command("import_achievements", str(path), owner=p.university.name, user="other_tto")
        assert not Achievement.objects.exists()


class TestAllOrNothingImport:
    def test_a_file_with_a_bad_row_saves_nothing_and_reports_every_bad_row(self, p: Personas) -> None:
        batch = achievement_import(by=p.tto_officer, owner=p.university, file=csv_bytes(MIXED),
                                   mode=ImportMode.ALL_OR_NOTHING)
        assert batch.nothing_saved and (batch.total_rows, batch.created_count, batch.error_count) == (11, 0, 8)
        assert errors_of(batch) == MIXED_ERRORS
        assert not Achievement.objects.exists()
        assert not AuditEvent.objects.filter(action="achievement.create").exists()

    def test_the_command_and_the_page_offer_it(self, p: Personas, tmp_path: Path) -> None:
        from django.test import Client

        path = tmp_path / "mixed.csv"
        path.write_bytes(csv_bytes(MIXED))
        out = io.StringIO()
        call_command("import_achievements", str(path), "--all-or-nothing", owner=p.university.name, user="tto",
                     stdout=out)
        assert "Nothing was saved" in out.getvalue() and not Achievement.objects.exists()
        client = Client()
        client.force_login(p.tto_officer)
        upload = SimpleUploadedFile("mixed.csv", csv_bytes(MIXED))
        response = client.post(reverse("achievements:import"),
                               {"file": upload, "owner": p.university.pk, "mode": "all_or_nothing"}, follow=True)
        assert 'id="nothing-saved"' in response.content.decode() and not Achievement.objects.exists()


class TestIndexingAfterTheImport:
    def test_the_new_drafts_reach_the_index_through_queued_jobs_of_ids(
        self, p: Personas, settings: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from techtransfer.core.models import Job
        from techtransfer.search.models import SearchDocument

        settings.JOBS_BACKEND = "db"
        monkeypatch.setattr(importing, "INDEX_JOB_SIZE", 2)
        monkeypatch.setattr(importing, "OPTIMIZE_AFTER", 5)  # a "large" import: its last job compacts the index
        achievement_import(by=p.tto_officer, owner=p.university,
                           file=csv_bytes([row(name=f"成果{n}") for n in range(5)]))
        ids = sorted(Achievement.objects.values_list("pk", flat=True))
        queued = list(Job.objects.order_by("pk").values_list("path", "kwargs"))
        path = "techtransfer.achievements.tasks.reindex_imported"
        assert queued == [  # ids only, one job per chunk of ids; no job per record
            (path, {"achievement_ids": ids[0:2]}), (path, {"achievement_ids": ids[2:4]}),
            (path, {"achievement_ids": ids[4:], "optimize": True}),
        ]
        assert not SearchDocument.objects.filter(kind="achievement").exists()
        call_command("run_jobs", "--once", stdout=io.StringIO())
        indexed = SearchDocument.objects.filter(kind="achievement").values_list("object_id", flat=True)
        assert sorted(indexed) == ids


@pytest.fixture
def chinese(tmp_path: Path) -> Any:
    """The Chinese catalogue compiled afresh from the .po (as test_translations does)."""
    import shutil
    import subprocess

    from django.conf import settings
    from django.test import override_settings

    target = tmp_path / "zh_Hans" / "LC_MESSAGES"
    target.mkdir(parents=True)
    po = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    subprocess.run([shutil.which("msgfmt") or "msgfmt", "-o", str(target / "django.mo"), str(po)], check=True)
    with override_settings(LOCALE_PATHS=[tmp_path]):
        yield


class TestImportResultPage:
    def test_in_chinese_the_created_count_is_labelled_new_not_creation_time(
        self, p: Personas, chinese: None
    ) -> None:
        from django.test import Client

        batch = achievement_import(by=p.tto_officer, owner=p.university, file=csv_bytes(MIXED), file_name="混合.csv")
        client = Client()
        client.force_login(p.tto_officer)
        page = client.get(reverse("achievements:import_batch", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
        html = page.content.decode()
        created = re.search(r'<article id="created-count"><strong>(\d+)</strong>(.*?)</article>', html)
        assert created is not None and created.groups() == ("3", "新建")
        assert "创建时间" not in html  # the timestamp meaning of "created" stays out of the counts
        listing = client.get(reverse("achievements:import"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert "<th>新建</th>" in listing
