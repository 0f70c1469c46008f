"""The shared import runner, through a format declared here (code-table items): real files, a real database.

The format is what a third app would write: columns with Chinese and English names, a row parser with a
code lookup, the stored keys, and a save step that refuses what the model refuses.
"""

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from techtransfer.core import jobs
from techtransfer.core.imports import (
    CodeLookup,
    ImportFormat,
    ParsedRow,
    RowInvalid,
    batches_for,
    import_format,
    register_import_format,
    table_import,
)
from techtransfer.core.models import AuditEvent, CodeItem, CodeTable, ImportBatch, ImportMode, Job
from techtransfer.lib.tables import Column, text_of

IMPORTED: list[list[int]] = []


@register_import_format
class CodeItemFormat(ImportFormat):
    """Items of one code table (the scope), keyed by their code."""

    kind = "test_code_items"
    label = "Code items"
    columns = [
        Column("code", "代码", "Code", required=True, aliases=("编码",)),
        Column("label_zh", "中文名称", "Chinese", required=True, aliases=("名称",)),
        Column("label_en", "英文名称", "English"),
        Column("parent", "上级", "Parent", aliases=("上级代码",)),
    ]
    audit_action = "code_items.import"
    chunk_size = 2

    def row_parse(self, number: int, cells: dict[str, Any]) -> ParsedRow:
        values = {key: text_of(value) for key, value in cells.items()}
        errors = [(c.key, "This column is required.") for c in self.columns if c.required and c.key not in values]
        if "parent" in values:
            parent = self.codes.find(self.scope.key, values["parent"])
            if parent is None:
                errors.append(("parent", f"{values['parent']} is not in the table."))
            values["parent"] = parent
        if errors:
            raise RowInvalid(errors)
        return ParsedRow(number, values["code"], values, key_column="code")

    def keys_stored(self, keys: Sequence[str]) -> set[str]:
        return set(CodeItem.objects.filter(table=self.scope, code__in=keys).values_list("code", flat=True))

    def rows_save(self, rows: Sequence[ParsedRow]) -> list[int]:
        items = [CodeItem(table=self.scope, sort_order=r.number, **r.values) for r in rows]
        for item in items:
            item.full_clean(exclude=["table", "parent"], validate_unique=False)
            jobs.enqueue("techtransfer.core.tests.test_imports.per_record_job", code=item.code)
        CodeItem.objects.bulk_create(items)
        return [item.pk for item in items]

    def imported(self, ids: list[int]) -> None:
        IMPORTED.append(ids)
        jobs.enqueue("techtransfer.core.tests.test_imports.per_record_job", code=f"{len(ids)} imported")


def per_record_job(*, code: str) -> None:
    """A side effect a service queues (indexing, mail...)."""


LONG = "长" * 201
# The table holds X 农林牧渔业 (Agriculture) already; parents are looked up among the stored items.
TABLE = [
    ["代码", "名称", "English", "上级代码", "备注"],
    ["A", "农业", "Farming", "", ""],                 # 2: good
    ["A1", "种植业", "Crops", "X", ""],               # 3: good, parent by code
    ["A2", "", "Animals", "农林牧渔业", ""],           # 4: no Chinese name
    ["A3", "林业", "", "不存在", ""],                  # 5: unknown parent
    ["", "", "", "", ""],                             # 6: blank, skipped
    ["B", LONG, "", "", ""],                          # 7: refused when saved (too long)
    ["A1", "重复", "", "", ""],                        # 8: repeats row 3
    ["C", "渔业", "Fishery", "agriculture", "内部"],   # 9: good, parent by English label
]
BAD = [(4, "名称"), (5, "上级代码"), (7, "名称"), (8, "代码")]


@pytest.fixture
def table(db: None) -> CodeTable:
    IMPORTED.clear()
    table = CodeTable.objects.create(key="test_industries", version="2024", name="测试行业")
    CodeItem.objects.create(table=table, code="X", label_zh="农林牧渔业", label_en="Agriculture")
    return table


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig", delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def run(table: CodeTable, content: Any, mode: str = ImportMode.GOOD_ROWS, name: str = "行业.csv") -> ImportBatch:
    return table_import(CodeItemFormat(by=None, scope=table), file=content, file_name=name, mode=mode)


def stored(table: CodeTable) -> dict[str, str | None]:
    """The imported items and their parents' codes."""
    items = table.items.exclude(code="X").select_related("parent")
    return {i.code: (i.parent.code if i.parent else None) for i in items}


class TestSavingGoodRowsAndReportingBadOnes:
    def test_every_good_row_is_saved_and_every_bad_one_reported_by_row_column_and_reason(self, table: CodeTable) -> None:
        batch = run(table, csv_bytes(TABLE))
        batch.refresh_from_db()
        assert stored(table) == {"A": None, "A1": "X", "C": "X"}
        assert (batch.total_rows, batch.created_count, batch.unchanged_count, batch.error_count) == (7, 3, 0, 4)
        problems = [(e["row"], e["field"]) for e in batch.errors]
        assert problems == [(1, "备注"), *BAD]  # the unknown column is a note on the header row
        reasons = {e["row"]: e["message"] for e in batch.errors}
        assert reasons[4] == "This column is required."
        assert "不存在" in reasons[5] and "at most 200 characters" in reasons[7] and "row 3" in reasons[8]
        assert (batch.kind, batch.scope_type, batch.scope_id, batch.mode) == (
            "test_code_items", "core.codetable", str(table.pk), ImportMode.GOOD_ROWS
        )
        assert batch.file_name == "行业.csv" and len(batch.sha256) == 64 and not batch.nothing_saved
        assert list(batches_for([table], kind="test_code_items")) == [batch]

    def test_the_import_is_audited_and_its_side_effects_are_queued_once_at_the_end(
        self, table: CodeTable, settings: Any
    ) -> None:
        settings.JOBS_BACKEND = "db"
        batch = run(table, csv_bytes(TABLE))
        assert IMPORTED == [sorted(table.items.exclude(code="X").values_list("pk", flat=True))]
        # The per-record jobs of the save step were dropped; the format queued its one job instead.
        assert list(Job.objects.values_list("kwargs", flat=True)) == [{"code": "3 imported"}]
        event = AuditEvent.objects.get(action="code_items.import")
        assert event.object_id == str(table.pk) and event.changes == {"created": 3, "unchanged": 0, "errors": 4}
        assert f"import batch {batch.pk}" in event.note

    def test_importing_the_same_file_again_creates_nothing_twice(self, table: CodeTable) -> None:
        run(table, csv_bytes(TABLE))
        again = run(table, csv_bytes(TABLE))
        assert (again.created_count, again.unchanged_count, again.error_count) == (0, 3, 4)
        changed = [TABLE[0], ["C", "制造业（改）", "", "", ""], ["D", "建筑业", "", "", ""]]
        third = run(table, csv_bytes(changed))
        assert (third.created_count, third.unchanged_count) == (1, 1)  # the key is the code
        assert CodeItem.objects.filter(table=table).count() == 5 and IMPORTED[-1] == [table.items.get(code="D").pk]


class TestAllOrNothing:
    def test_a_bad_row_saves_nothing_and_the_batch_says_so(self, table: CodeTable) -> None:
        batch = run(table, csv_bytes(TABLE), mode=ImportMode.ALL_OR_NOTHING)
        batch.refresh_from_db()
        assert stored(table) == {}
        assert batch.nothing_saved and batch.mode == ImportMode.ALL_OR_NOTHING
        assert (batch.total_rows, batch.created_count, batch.error_count) == (7, 0, 4)
        assert [(e["row"], e["field"]) for e in batch.errors][1:] == BAD  # every bad row is still reported
        assert AuditEvent.objects.get(action="code_items.import").changes["nothing_saved"] is True
        assert IMPORTED == []

    def test_a_clean_file_is_saved_whole(self, table: CodeTable) -> None:
        good = [TABLE[0], TABLE[1], TABLE[2], TABLE[8]]
        batch = run(table, csv_bytes(good), mode=ImportMode.ALL_OR_NOTHING)
        assert batch.created_count == 3 and not batch.nothing_saved and batch.errors == [{
            "row": 1, "field": "备注", "message": "Unknown column; its cells were ignored."
        }]
        assert stored(table) == {"A": None, "A1": "X", "C": "X"}


class TestFilesAndHeaders:
    @pytest.mark.parametrize("layout", ["gb18030 csv", "utf-16 tab text", "xlsx with english headers"])
    def test_the_same_rows_in_every_file_layout_give_the_same_records(
        self, table: CodeTable, tmp_path: Path, layout: str
    ) -> None:
        rows = [["代码", "中文名称", "英文名称"], ["A", "农业", "Agriculture"], ["B", "采矿业", "Mining"]]
        if layout == "gb18030 csv":
            path = tmp_path / "行业.csv"
            path.write_bytes(csv_bytes(rows, encoding="gb18030"))
        elif layout == "utf-16 tab text":
            path = tmp_path / "行业.txt"
            path.write_bytes(csv_bytes(rows, encoding="utf-16", delimiter="\t"))
        else:
            path = tmp_path / "行业.xlsx"
            workbook = openpyxl.Workbook()
            workbook.active.append(["Code", "Chinese*", "English"])
            for row in rows[1:]:
                workbook.active.append(row)
            workbook.save(path)
        batch = table_import(CodeItemFormat(by=None, scope=table), file=path)
        assert (batch.created_count, batch.error_count, batch.file_name) == (2, 0, path.name)
        assert dict(table.items.exclude(code="X").values_list("code", "label_zh")) == {"A": "农业", "B": "采矿业"}

    def test_a_file_without_a_required_column_is_refused_and_recorded_nowhere(self, table: CodeTable) -> None:
        with pytest.raises(ValidationError) as exc:
            run(table, csv_bytes([["代码", "英文名称"], ["A", "Agriculture"]]))
        assert "名称" in exc.value.message_dict["file"][0]
        assert not ImportBatch.objects.exists() and list(table.items.values_list("code", flat=True)) == ["X"]

    def test_formats_are_known_by_their_kind(self) -> None:
        assert import_format("test_code_items") is CodeItemFormat
        assert import_format("achievements") is not None  # the achievements app registered its own
        assert import_format("no such kind") is None


class TestCodeLookup:
    def test_it_finds_items_by_code_or_label_in_either_language(self, db: None) -> None:
        codes = CodeLookup()
        assert codes.find("discipline", "430").code == "430"
        assert codes.find("discipline", "430 材料科学").code == "430"
        assert codes.find("high_tech_field", "新能源与高效节能").code == "energy"
        assert codes.find("high_tech_field", "ＥＮＥＲＧＹ").code == "energy"  # full-width, any case
        assert codes.find("industry", 1).code == "01"  # Excel dropped the leading zero
        assert codes.find("industry", "炼金术") is None
