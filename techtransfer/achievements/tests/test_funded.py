import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from techtransfer.accounts.choices import OrgType
from techtransfer.achievements import services
from techtransfer.achievements.funded import (
    achievement_link_funded_project,
    funded_projects_export,
    funded_projects_import,
    funded_projects_owing,
)
from techtransfer.achievements.models import FundedProject, Revision
from techtransfer.core.audit import audit_for
from techtransfer.core.codetables import code_item
from techtransfer.core.models import CodeItem, ImportBatch
from techtransfer.testing import Personas, make_achievement, make_org

NSFC_FILE = Path(settings.BASE_DIR).parent / "shared" / "data" / "nsfc" / "nsfc_mgmt_projects.tsv"
CHINESE_HEADERS = ["批准号", "项目类别", "项目名称", "依托单位", "负责人", "金额（万元）", "起止年月", "结题评估"]


def nsfc_slice(tmp_path: Path, lines: int = 500) -> Path:
    assert NSFC_FILE.is_file(), f"the real NSFC list is expected at {NSFC_FILE}"
    with NSFC_FILE.open(encoding="utf-8") as source:
        head = [next(source) for _ in range(lines)]
    path = tmp_path / "nsfc_first_500.tsv"
    path.write_text("".join(head), encoding="utf-8")
    return path


def xlsx(rows: list[list[Any]], headers: list[str] = CHINESE_HEADERS) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(headers)
    for r in rows:
        workbook.active.append(r)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def project(grant: str, org: Any, *, end: datetime.date | None = datetime.date(2022, 12, 31), **kwargs: Any) -> Any:
    return FundedProject.objects.create(
        programme=code_item("project_source", "nsfc"), grant_number=grant, title=f"项目{grant}",
        institution_name=org.name if org else kwargs.pop("institution_name"), organisation=org, end=end,
        start=datetime.date(2019, 1, 1), **kwargs,
    )


class TestFundedProjectImport:
    def test_the_real_nsfc_list_imports_with_amounts_in_yuan(self, p: Personas, tmp_path: Path) -> None:
        path = nsfc_slice(tmp_path)
        bjtu = make_org("北京交通大学", OrgType.UNIVERSITY)
        sysu = make_org("中山 大学", OrgType.UNIVERSITY)  # matched by the name without spaces
        batch = funded_projects_import(file=path, programme_code="nsfc", by=p.commission_admin)
        assert (batch.total_rows, batch.created_count, batch.error_count) == (499, 499, 0), batch.errors[:3]

        first = FundedProject.objects.get(grant_number="71701001")
        assert first.programme.code == "nsfc" and first.grant_type == "青年科学基金项目"
        assert first.institution_name == "安徽大学" and first.principal_investigator == "陶志富"
        assert first.amount == Decimal("180000.00") and first.evaluation == "尚未评估"
        assert (first.start, first.end) == (datetime.date(2018, 1, 1), datetime.date(2020, 12, 31))
        with path.open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        expected = sum(Decimal(r["amount_wan_cny"]) for r in rows) * 10_000
        assert sum(FundedProject.objects.values_list("amount", flat=True)) == expected
        assert FundedProject.objects.filter(organisation=bjtu).count() == 9
        assert FundedProject.objects.filter(organisation=sysu).count() == 14

        again = funded_projects_import(file=path, programme_code="nsfc", by=p.commission_admin)
        assert (again.created_count, again.unchanged_count, again.error_count) == (0, 499, 0)
        assert FundedProject.objects.count() == 499

    def test_titles_that_start_with_a_quote_do_not_swallow_the_following_lines(
        self, db: None, tmp_path: Path
    ) -> None:
        with NSFC_FILE.open(encoding="utf-8") as source:
            header = next(source)
            quoted = [line for line in source if '\t"' in line][:3]
        assert len(quoted) == 3
        path = tmp_path / "quoted.tsv"
        whole_cell_quoted = '1\t面上项目\t"整格""加引号"""\t某大学\t张三\t10\t2018.01-2020.12\t\n'
        path.write_text(header + "".join(quoted) + whole_cell_quoted, encoding="utf-8")
        batch = funded_projects_import(file=path, programme_code="nsfc", by=None)
        assert (batch.total_rows, batch.created_count) == (4, 4)
        titles = [line.split("\t")[2] for line in quoted]
        assert list(FundedProject.objects.filter(title__in=titles).values_list("title", flat=True).order_by("title")) \
            == sorted(titles)
        assert FundedProject.objects.get(grant_number="1").title == '整格"加引号"'

    def test_chinese_headers_in_xlsx_and_every_bad_row_is_reported(self, p: Personas) -> None:
        bjtu = make_org("北京交通大学", OrgType.UNIVERSITY)
        content = xlsx([
            ["72001001", "面上项目", "城市交通韧性研究", "北京 交通大学", "张三", 48, "2020.01-2023.12", ""],  # good
            ["72001002", "面上项目", "金额错误", "安徽大学", "李四", "十八", "2020.01-2023.12", ""],
            ["72001003", "面上项目", "期限错误", "安徽大学", "王五", 18, "2018-2020", ""],
            [None, "面上项目", "没有批准号", "安徽大学", "赵六", 18, "2020.01-2023.12", ""],
            ["72001001", "面上项目", "批准号重复", "安徽大学", "钱七", 18, "2020.01-2023.12", ""],
            ["72001006", "青年科学基金项目", "期限颠倒", "安徽大学", "孙八", 20.5, "2023.01-2020.12", "良"],
            ["72001007", "青年科学基金项目", "小数金额", "安徽大学", "周九", 20.5, "2021年1月-2023年12月", "优"],
        ])
        batch = funded_projects_import(file=content, file_name="nsfc.xlsx", programme_code="国家自然科学基金",
                                       by=p.commission_admin)
        assert (batch.created_count, batch.error_count) == (2, 5)
        assert [(e["row"], e["field"]) for e in batch.errors] == [
            (3, "金额（万元）"), (4, "起止年月"), (5, "批准号"), (6, "批准号"), (7, "起止年月"),
        ]
        assert "row 2" in batch.errors[3]["message"]
        good = FundedProject.objects.get(grant_number="72001001")
        assert good.organisation == bjtu and good.amount == Decimal("480000.00")
        assert FundedProject.objects.get(grant_number="72001007").amount == Decimal("205000.00")

    def test_a_unit_that_joins_later_is_linked_on_the_next_import(self, p: Personas) -> None:
        content = xlsx([["72001001", "面上项目", "城市交通韧性", "北京交通大学", "张三", 48, "2020.01-2023.12", ""]])
        funded_projects_import(file=content, programme_code="nsfc", by=None)
        bjtu = make_org("北京交通大学", OrgType.UNIVERSITY)
        batch = funded_projects_import(file=content, programme_code="nsfc", by=None)
        assert batch.unchanged_count == 1 and FundedProject.objects.get().organisation == bjtu

    def test_only_commission_administrators_import_programme_lists(self, p: Personas, tmp_path: Path) -> None:
        path = nsfc_slice(tmp_path, lines=5)
        for person in (p.tto_officer, p.reviewer, p.outsider):
            with pytest.raises(PermissionDenied):
                funded_projects_import(file=path, programme_code="nsfc", by=person)
        assert not FundedProject.objects.exists() and not ImportBatch.objects.exists()

    def test_an_unknown_programme_or_a_list_without_grant_numbers_is_refused(self, p: Personas) -> None:
        content = xlsx([["72001001", "面上项目", "标题", "安徽大学", "张三", 48, "2020.01-2023.12", ""]])
        with pytest.raises(ValidationError) as exc:
            funded_projects_import(file=content, programme_code="no-such-programme", by=p.commission_admin)
        assert "programme" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            funded_projects_import(file=xlsx([["标题"]], headers=["项目名称"]), programme_code="nsfc", by=None)
        assert "批准号" in exc.value.message_dict["file"][0]

    def test_the_command_imports_a_list_and_prints_the_summary(self, db: None, tmp_path: Path) -> None:
        out = io.StringIO()
        call_command("import_funded_projects", str(nsfc_slice(tmp_path, lines=21)), "--programme", "nsfc", stdout=out)
        assert "20 rows, 20 created, 0 unchanged, 0 with errors" in out.getvalue()


class TestFundedProjectsOwing:
    def setup_projects(self, p: Personas) -> dict[str, Any]:
        projects = {
            "u_owing": project("U1", p.university),
            "u_reported": project("U2", p.university),
            "u_running": project("U3", p.university, end=datetime.date(2030, 12, 31)),
            "u_withdrawn": project("U4", p.university),
            "o_owing": project("O1", p.other_university),
            "elsewhere": project("X1", None, institution_name="外省某大学"),
        }
        reported = make_achievement(p, name="已报")
        achievement_link_funded_project(achievement=reported, funded_project=projects["u_reported"], by=p.tto_officer)
        withdrawn = make_achievement(p, name="撤回的")
        achievement_link_funded_project(achievement=withdrawn, funded_project=projects["u_withdrawn"], by=p.tto_officer)
        services.achievement_withdraw(achievement=withdrawn, by=p.tto_officer)
        return projects

    def test_it_lists_per_unit_the_finished_projects_without_a_record(self, p: Personas) -> None:
        projects = self.setup_projects(p)
        owing = funded_projects_owing(today=datetime.date(2025, 1, 1))
        assert [(u.organisation, u.count) for u in owing] == [(p.university, 2), (p.other_university, 1)]
        assert owing[0].projects == [projects["u_owing"], projects["u_withdrawn"]]

    def test_it_can_include_running_projects_and_hosts_not_on_the_platform(self, p: Personas) -> None:
        self.setup_projects(p)
        owing = funded_projects_owing(ended_only=False, include_unlinked=True, today=datetime.date(2025, 1, 1))
        assert [(u.institution_name, u.count) for u in owing] == [
            (p.university.name, 3), ("京东理工学院", 1), ("外省某大学", 1)
        ]
        assert owing[2].organisation is None

    def test_for_one_unit_it_answers_even_when_nothing_is_owed(self, p: Personas) -> None:
        projects = self.setup_projects(p)
        mine = make_achievement(p, by=p.other_tto, name="别校的成果")
        achievement_link_funded_project(achievement=mine, funded_project=projects["o_owing"], by=p.other_tto)
        owing = funded_projects_owing(organisation=p.other_university, today=datetime.date(2025, 1, 1))
        assert [(u.organisation, u.count, u.projects) for u in owing] == [(p.other_university, 0, [])]


class TestLinkFundedProject:
    def test_a_tto_officer_links_a_draft_and_the_programme_fields_are_filled(self, p: Personas) -> None:
        grant = project("62171001", p.university, grant_type="面上项目")
        a = make_achievement(p, project_source=None)
        a = achievement_link_funded_project(achievement=a, funded_project=grant, by=p.researcher)
        assert a.funded_project == grant and a.project_source.code == "nsfc"
        assert a.programme_number == "62171001" and a.programme_name == "国家自然科学基金面上项目"
        assert audit_for(a).filter(action="achievement.update", changes__has_key="funded_project").exists()
        assert funded_projects_owing(organisation=p.university)[0].count == 0

    def test_outsiders_and_other_units_are_refused(self, p: Personas) -> None:
        grants = [project("62171001", p.university), project("62171002", p.other_university)]
        a = make_achievement(p)
        for person in (p.outsider, p.other_tto, p.reviewer):
            for grant in grants:
                with pytest.raises(PermissionDenied):
                    achievement_link_funded_project(achievement=a, funded_project=grant, by=person)
        a.refresh_from_db()
        assert a.funded_project is None

    def test_a_project_of_another_host_cannot_be_claimed(self, p: Personas) -> None:
        theirs = project("62171002", p.other_university)
        elsewhere = project("62171003", None, institution_name="外省某大学")
        a = make_achievement(p)
        for grant in (theirs, elsewhere):
            with pytest.raises(ValidationError) as exc:
                achievement_link_funded_project(achievement=a, funded_project=grant, by=p.tto_officer)
            assert "funded_project" in exc.value.message_dict

    def test_a_host_off_the_platform_may_be_a_completing_unit(self, p: Personas) -> None:
        grant = project("62171004", None, institution_name="北京合作 研究院")
        a = make_achievement(p)
        services.achievement_update(achievement=a, by=p.tto_officer, data={},
                                    units=[{"name": p.university.name, "organisation": p.university},
                                           {"name": "北京合作研究院"}])
        assert achievement_link_funded_project(achievement=a, funded_project=grant, by=p.tto_officer).funded_project

    def test_a_registered_record_is_linked_through_a_recorded_revision(self, p: Personas) -> None:
        grant = project("62171001", p.university)
        a = make_achievement(p)
        services.achievement_submit(achievement=a, by=p.tto_officer)
        services.achievement_register(achievement=a, by=p.reviewer)
        achievement_link_funded_project(achievement=a, funded_project=grant, by=p.tto_officer)
        revision = Revision.objects.get(achievement=a)
        assert "funded_project" in revision.changes and "62171001" in revision.reason
        achievement_link_funded_project(achievement=a, funded_project=None, by=p.tto_officer, reason="关联有误")
        a.refresh_from_db()
        assert a.funded_project is None and a.revision_count == 2


class TestFundedProjectExport:
    def test_amounts_are_exported_in_yuan_as_numbers(self, p: Personas) -> None:
        project("62171001", p.university, amount=Decimal("180000.00"))
        sheet = openpyxl.load_workbook(
            io.BytesIO(funded_projects_export(queryset=FundedProject.objects.all(), fmt="xlsx"))
        ).worksheets[0]
        assert sheet.cell(2, 7).value == 180000 and sheet.cell(2, 7).data_type == "n"
        assert sheet.cell(2, 9).value.date() == datetime.date(2022, 12, 31)


class TestFundedImportPage:
    def test_the_commission_uploads_a_programme_list_and_sees_the_result(self, p: Personas, client: Any) -> None:
        content = (
            "grant_no\tgrant_type\ttitle\tinstitution\tpi\tamount_wan_cny\tperiod\tevaluation\n"
            f"71990001\t面上项目\t城市韧性评估方法\t{p.university.name}\t李研究\t48\t2019.01-2022.12\t\n"
            "71990002\t面上项目\t坏行\t某大学\t张三\t四十\t2019.01-2022.12\t\n"
        ).encode()
        upload = SimpleUploadedFile("nsfc.tsv", content, content_type="text/tab-separated-values")
        client.force_login(p.tto_officer)
        assert client.get("/achievements/funded-projects/import/").status_code == 403
        client.force_login(p.commission_admin)
        programme = CodeItem.objects.current("project_source").get(code="nsfc")
        response = client.post("/achievements/funded-projects/import/", {"programme": programme.pk, "file": upload})
        assert response.status_code == 302
        project = FundedProject.objects.get(grant_number="71990001")
        assert project.organisation == p.university and project.amount == Decimal("480000")
        batch = ImportBatch.objects.get(kind="funded_projects")
        assert [e["row"] for e in batch.errors] == [3]
        page = client.get(response["Location"]).content.decode()
        assert batch.errors[0]["message"] in page
        assert FundedProject.objects.count() == 1
