"""Reading and writing tables: real files in the encodings and layouts offices send, and formula-safe exports."""

import codecs
import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from techtransfer.lib.tables import (
    Column,
    columns_map,
    month_parse,
    rows_export,
    table_open,
    text_of,
    upload_read,
)

COLUMNS = [
    Column("grant_number", "批准号", "Grant number", required=True, aliases=("grant_no", "项目编号")),
    Column("title", "项目名称", "Title", aliases=("project title",)),
    Column("amount", "金额(万元)", "Amount", aliases=("资助金额",)),
]
ROWS = [["批准号", "项目名称", "金额(万元)"], ["72001", "𠀀生僻字与供应链研究", "18"], ["72002", "数字经济", "7.5"]]


def read(path: Path) -> tuple[list[object], list[tuple[int, list[object]]]]:
    header, rows = table_open(upload_read(path), path.name)
    return header, list(rows)


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue()


class TestReadingFiles:
    def test_it_reads_gb18030_csv_as_chinese_excel_saves_it(self, tmp_path: Path) -> None:
        path = tmp_path / "名单.csv"
        path.write_bytes(csv_text(ROWS).encode("gb18030"))
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")
        header, rows = read(path)
        assert header == ROWS[0]
        assert rows == [(2, ROWS[1]), (3, ROWS[2])]  # the 4-byte GB18030 character survives

    def test_it_reads_utf8_with_and_without_bom_and_utf16_tab_text(self, tmp_path: Path) -> None:
        for name, content in [
            ("bom.csv", codecs.BOM_UTF8 + csv_text(ROWS).encode()),
            ("plain.csv", csv_text(ROWS).encode()),
            ("unicode.txt", csv_text(ROWS, "\t").encode("utf-16")),
            ("semicolon.csv", csv_text(ROWS, ";").encode()),
        ]:
            path = tmp_path / name
            path.write_bytes(content)
            header, rows = read(path)
            assert header[0] == "批准号", name  # no BOM left on the first header
            assert rows[1] == (3, ["72002", "数字经济", "7.5"]), name

    def test_tab_separated_titles_may_start_with_a_quote(self, tmp_path: Path) -> None:
        path = tmp_path / "nsfc.tsv"
        path.write_text('批准号\t项目名称\n72003\t"规模导向"还是"创新导向"\n72004\t"整格引号"\n', encoding="utf-8")
        _header, rows = read(path)
        assert rows == [(2, ["72003", '"规模导向"还是"创新导向"']), (3, ["72004", "整格引号"])]

    def test_it_reads_the_first_sheet_of_a_workbook_with_excels_own_values(self, tmp_path: Path) -> None:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(["批准号\nGrant number", "项目名称", "起始"])
        sheet.append([72001, "  前后空格  ", datetime.datetime(2021, 3, 1)])
        sheet.append([])
        sheet.append(["'=1+2", None, 2021.1])
        path = tmp_path / "名单.xlsx"
        workbook.save(path)
        header, rows = read(path)
        assert header[0] == "批准号\nGrant number"
        assert rows[0] == (2, [72001, "前后空格", datetime.datetime(2021, 3, 1)])
        assert rows[1][0] == 3 and rows[2][0] == 4  # blank rows keep Excel's numbering
        assert rows[2][1][0] == "=1+2"  # the ' our exports put before formula-like text is taken off
        assert text_of(rows[0][1][0]) == "72001" and month_parse(rows[2][1][2]) == datetime.date(2021, 10, 1)

    @pytest.mark.parametrize(
        ("content", "name", "says"),
        [
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", ".xls"),
            (b"PK\x03\x04 damaged", "broken.xlsx", "could not be read"),
            (b"not a workbook", "named.xlsx", "not an Excel workbook"),
            (b"\x89PNG\r\n\x1a\n\x00\x00", "picture.csv", "neither an Excel workbook"),
            (b"\n\n", "blank.csv", "empty"),
            (b",,\n1,2,3\n", "noheader.csv", "column headers"),
        ],
    )
    def test_an_unreadable_file_is_refused_with_one_message(self, content: bytes, name: str, says: str) -> None:
        with pytest.raises(ValidationError) as exc:
            table_open(upload_read(content), name)
        assert says in exc.value.message_dict["file"][0]

    def test_an_upload_over_the_limit_is_refused_before_it_is_read(self) -> None:
        upload = SimpleUploadedFile("big.csv", b"x" * 3000)
        with pytest.raises(ValidationError, match="larger than"):
            upload_read(upload, max_bytes=2000)
        assert upload_read(SimpleUploadedFile("ok.csv", b"a,b\n"), max_bytes=2000) == b"a,b\n"

    def test_months_in_the_ways_people_write_them(self) -> None:
        for value in ["2021-03", "2021.3", "2021/03", "2021年3月", "202103", "2021-03-15", datetime.date(2021, 3, 9)]:
            assert month_parse(value) == datetime.date(2021, 3, 1), value
        with pytest.raises(ValueError, match="YYYY-MM"):
            month_parse("三月")
        with pytest.raises(ValueError, match="not a valid"):
            month_parse("2021-13")


class TestHeaders:
    def test_chinese_english_bilingual_and_alias_headers_find_their_columns(self) -> None:
        header = columns_map(["grant_no", "项目名称\nTitle", "资助金额 ", "备注"], COLUMNS)
        assert {c.key: i for i, c in header.columns.items()} == {"grant_number": 0, "title": 1, "amount": 2}
        assert header.title("title") == "项目名称" and header.title("grant_number") == "grant_no"
        assert header.notes == [{"row": 1, "field": "备注", "message": "Unknown column; its cells were ignored."}]
        assert header.cells(["72001", "", None, "x"]) == {"grant_number": "72001"}

    def test_full_width_letters_and_the_required_star_do_not_matter(self) -> None:
        header = columns_map(["ＧＲＡＮＴ＿ＮＯ", "Title*"], COLUMNS)
        assert header.has("grant_number") and header.has("title")

    def test_a_column_named_twice_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="appears twice"):
            columns_map(["批准号", "Grant number"], COLUMNS)

    def test_ignored_columns_are_accepted_but_not_read(self) -> None:
        ignored = [Column("status", "状态", "Status")]
        header = columns_map(["批准号", "状态"], COLUMNS, ignored=ignored)
        assert header.has("status") and header.notes == [] and list(header.cells(["1", "x"])) == ["grant_number"]


class TestFormulaSafeExport:
    DANGEROUS = ["=HYPERLINK(\"http://x\")", "+1+2", "-3+4", "@SUM(A1)", "\tTab", "normal 文本"]

    def test_csv_cells_that_start_like_a_formula_get_a_quote_and_read_back_as_written(self, tmp_path: Path) -> None:
        content = rows_export(headers=["text", "number"], rows=[[t, -5] for t in self.DANGEROUS], fmt="csv")
        assert content.startswith(codecs.BOM_UTF8)
        cells = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        assert [row[0] for row in cells[1:]] == ["'" + t for t in self.DANGEROUS[:5]] + ["normal 文本"]
        assert cells[1][1] == "-5"  # a number is a number, not a formula
        path = tmp_path / "export.csv"
        path.write_bytes(content)
        _header, rows = read(path)
        assert [r[1][0] for r in rows] == self.DANGEROUS  # what a user re-imports is what was exported

    def test_xlsx_stores_formula_like_text_as_text(self, tmp_path: Path) -> None:
        path = tmp_path / "export.xlsx"
        path.write_bytes(rows_export(
            headers=["text", "amount", "date"],
            rows=[[t, Decimal("180000.00"), datetime.date(2024, 1, 31)] for t in self.DANGEROUS],
            fmt="xlsx", sheet_title="成果",
        ))
        sheet = openpyxl.load_workbook(path).active
        assert sheet.title == "成果"
        for row, text in enumerate(self.DANGEROUS, start=2):
            cell = sheet.cell(row, 1)
            assert cell.data_type == "s" and cell.value == text
        assert sheet.cell(2, 2).value == 180000 and sheet.cell(2, 3).is_date

    def test_an_unknown_format_is_a_programming_error(self) -> None:
        with pytest.raises(ValueError, match="Unknown export format"):
            rows_export(headers=[], rows=[], fmt="pdf")
