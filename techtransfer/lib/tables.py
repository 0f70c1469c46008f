"""Tables in and out: reading XLSX, CSV and TSV files people make, and writing lists as XLSX or CSV.

Pure helpers with no models, shared by every import and export (`techtransfer.core.imports` runs the
imports; apps declare their columns). Reading accepts what Chinese offices actually send: Excel workbooks,
CSV in UTF-8 (with or without BOM) or GB18030 (Chinese Excel's "CSV"), UTF-16 "Unicode text" with tabs,
and headers in Chinese, English or both. Writing neutralises cells that a spreadsheet would run as a
formula (= + - @ at the start), and reading takes that protection off again.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy binary .xls (and .doc)
# Characters a spreadsheet would run as a formula; exports prefix them with ' and imports take it off.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXPORT_FORMATS = ("xlsx", "csv")
LIST_JOIN = "；"
# Separators people use between the items of a list cell (keywords, codes, names).
LIST_SEPARATORS = re.compile(r"[;；,，、\n]+")

Cells = list[Any]
NumberedRow = tuple[int, Cells]  # (the row number Excel shows, the cells)


# ---------------------------------------------------------------------------------------------------------
# Columns and headers


@dataclass(frozen=True)
class Column:
    """One column of an import file: how it is named (Chinese, English, key, aliases) and how it is read.

    `kind` and `table` say how its cells become values; their meaning belongs to the format that declares
    the column (see `techtransfer.core.imports.ImportFormat`).
    """

    key: str
    zh: str
    en: str | Promise
    kind: str = "text"
    table: str = ""
    required: bool = False
    example: str = ""
    hint: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def english(self) -> str:
        with translation.override("en"):
            return str(self.en)

    def names(self) -> set[str]:
        """Every header text that means this column: key, Chinese, English and the active-language label."""
        return {header_normalise(n) for n in (self.key, self.zh, self.english, str(self.en), *self.aliases) if n}

    def header(self) -> str:
        """The template's header: Chinese (with * when required) on the first line, English on the second."""
        return f"{self.zh}{'*' if self.required else ''}\n{self.english}"


def header_normalise(text: Any) -> str:
    """Compare headers loosely: full-width to half-width, case, spaces and the * marker of required columns."""
    value = unicodedata.normalize("NFKC", str(text or ""))
    value = re.sub(r"\s+", " ", value).strip().strip("*").strip()
    return value.lower()


_SPACES = re.compile(r"\s+")


def value_normalise(text: Any) -> str:
    """Compare coded values loosely: full-width to half-width, case and runs of spaces."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", str(text or ""))).strip().lower()


@dataclass
class HeaderMap:
    """Which file column (by index) holds which Column, and how the user's file names it."""

    columns: dict[int, Column]
    titles: dict[str, str]  # column key → the header as the user sees it (its first line)
    notes: list[dict[str, Any]]  # unknown headers, reported on row 1
    declared: dict[str, Column]

    def has(self, key: str) -> bool:
        return key in self.titles

    def index(self, key: str) -> int | None:
        return next((i for i, c in self.columns.items() if c.key == key), None)

    def title(self, key: str) -> str:
        """The column as the user's file names it (or, if the file lacks it, its Chinese name); "" for the row."""
        if not key:
            return ""
        if key in self.titles:
            return self.titles[key]
        column = self.declared.get(key)
        return column.zh if column else key

    def cells(self, values: Sequence[Any]) -> dict[str, Any]:
        """The row's non-empty cells by column key."""
        found: dict[str, Any] = {}
        size = len(values)
        for index, column in self.columns.items():
            if index < size:
                value = values[index]
                if value is not None and value != "":
                    found[column.key] = value
        return found


def columns_map(headers: Sequence[Any], columns: Sequence[Column], *, ignored: Sequence[Column] = ()) -> HeaderMap:
    """Match a header row to columns. Unknown headers become notes (row 1) and their cells are ignored; so are
    the cells of `ignored` columns (an export's extra columns). A column named twice is refused."""
    lookup: dict[str, Column] = {}
    for column in [*ignored, *columns]:  # a real column wins over an ignored one of the same name
        for name in column.names():
            lookup[name] = column
    found: dict[int, Column] = {}
    titles: dict[str, str] = {}
    notes: list[dict[str, Any]] = []
    for index, raw in enumerate(headers):
        text = str(raw or "").strip()
        if not text:
            continue
        candidates = [text, *text.splitlines(), *re.split(r"[/|]", text)]
        column = next((lookup[n] for n in map(header_normalise, candidates) if n in lookup), None)
        shown = text.splitlines()[0].strip().rstrip("*＊").strip()
        if column is None:
            notes.append({"row": 1, "field": shown, "message": _("Unknown column; its cells were ignored.")})
            continue
        if column.key in titles:
            raise ValidationError(
                {"file": [_("The column %(name)s appears twice in the header row.") % {"name": shown}]}
            )
        titles[column.key] = shown
        if column in columns:
            found[index] = column
    declared = {c.key: c for c in [*ignored, *columns]}
    return HeaderMap(columns=found, titles=titles, notes=notes, declared=declared)


# ---------------------------------------------------------------------------------------------------------
# Reading files


def upload_read(file: Any, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The whole upload (bytes, a path, an uploaded or open file) as bytes; oversize or empty files are refused
    with one clear message."""
    too_big = ValidationError(
        {"file": [_("The file is larger than %(mb)d MB; split it into smaller files.") % {"mb": max_bytes // 2**20}]}
    )
    if isinstance(file, bytes | bytearray):
        content = bytes(file)
    elif isinstance(file, str | Path):
        path = Path(file)
        if path.stat().st_size > max_bytes:
            raise too_big
        content = path.read_bytes()
    else:
        size = getattr(file, "size", None)
        if size is not None and size > max_bytes:
            raise too_big
        if hasattr(file, "seek"):
            file.seek(0)
        content = b"".join(file.chunks()) if hasattr(file, "chunks") else file.read(max_bytes + 1)
        if isinstance(content, str):
            content = content.encode("utf-8")
    if len(content) > max_bytes:
        raise too_big
    if not content.strip():
        raise ValidationError({"file": [_("The file is empty.")]})
    return content


def file_name_of(file: Any, file_name: str = "") -> str:
    """The name to record for an upload: the one given, the upload's own, or the path's."""
    return file_name or getattr(file, "name", "") or (str(file) if isinstance(file, str | Path) else "")


def text_encoding(content: bytes) -> str:
    """The encoding of a CSV or TSV file: UTF-16 with BOM, UTF-8 (with or without BOM) or GB18030 (Chinese
    Excel's "CSV"). Checked piece by piece, so a 100 MB file is never held as text twice."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates: tuple[str, ...] = ("utf-16",)
    elif b"\x00" in content[:8192]:
        candidates = ()
    else:
        candidates = ("utf-8-sig", "gb18030")
    for encoding in candidates:
        if _decodes(content, encoding):
            return encoding
    raise ValidationError(
        {"file": [_("The file could not be read: it is neither an Excel workbook (.xlsx) nor a CSV text file in "
                    "UTF-8 or GB18030.")]}
    )


def _decodes(content: bytes, encoding: str, piece: int = 1 << 20) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(content)
    try:
        for start in range(0, len(content), piece):
            decoder.decode(view[start : start + piece])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def text_decode(content: bytes) -> str:
    """Text of a CSV: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (Chinese Excel's "CSV")."""
    return codecs.decode(content, text_encoding(content))


def cell_text(value: Any) -> Any:
    """Strip text cells, and the ' that our exports put before formula-like values; other values unchanged."""
    if value.__class__ is str:
        value = value.strip()
        if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START:
            value = value[1:]
    return value


def _cells(row: Iterable[Any]) -> Cells:
    return [cell_text(v) for v in row]


def table_open(content: bytes, file_name: str = "") -> tuple[Cells, Iterator[NumberedRow]]:
    """The header row and an iterator of (Excel row number, cells) for the first sheet or the CSV/TSV text.

    Rows stream: openpyxl read-only mode for XLSX, the csv module for text. An unreadable file, or one whose
    first row is empty, is refused with one message for the `file` field.
    """
    if content.startswith(OLE_MAGIC):
        raise ValidationError(
            {"file": [_("This is an old-style Excel file (.xls); save it as .xlsx or CSV and upload it again.")]}
        )
    if content.startswith(XLSX_MAGIC):
        rows = _xlsx_rows(content)
    else:
        if file_name.lower().endswith((".xlsx", ".xlsm")):
            raise ValidationError({"file": [_("The file is named .xlsx but is not an Excel workbook.")]})
        rows = _text_rows(content)
    header = next(rows, None)
    if header is None or not any(str(v or "").strip() for v in header):
        raise ValidationError({"file": [_("The first row must hold the column headers; it is empty.")]})
    return list(header), enumerate(rows, start=2)


def _xlsx_rows(content: bytes) -> Iterator[Cells]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers record wrong sheet dimensions
        rows = sheet.iter_rows(values_only=True)
        first = next(rows, None)
    except Exception as exc:  # any failure inside a damaged workbook is the same problem for the user
        logger.info("unreadable workbook: %r", exc)
        raise ValidationError(
            {"file": [_("The Excel file could not be read; it may be damaged or password-protected.")]}
        ) from None

    def generate() -> Iterator[Cells]:
        try:
            if first is not None:
                yield _cells(first)
            for row in rows:
                yield _cells(row)
        finally:
            workbook.close()

    return generate()


def _text_rows(content: bytes) -> Iterator[Cells]:
    """Rows of CSV or TSV text, decoded as they are read (the file's bytes stay the only full copy)."""
    text = io.TextIOWrapper(io.BytesIO(content), encoding=text_encoding(content), newline="")
    first_line = text.readline()
    text.seek(0)
    if "\t" in first_line:
        return _tsv_rows(text)
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    return map(_cells, csv.reader(text, delimiter=delimiter))


def _tsv_rows(text: IO[str]) -> Iterator[Cells]:
    """Tab-separated lists (programme data, Excel's "Unicode text"): one record a line.

    Quotes are not special, since titles such as "规模导向"还是"创新导向" start with one; a whole cell in
    quotes (as Excel writes a cell that holds quotes) is unquoted.
    """
    reader = csv.reader(text, delimiter="\t", quoting=csv.QUOTE_NONE)
    return ([cell_text(_unquote(v)) for v in row] for row in reader)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"' and '"' not in value[1:-1].replace('""', ""):
        return value[1:-1].replace('""', '"')
    return value


def is_blank(values: Sequence[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def text_of(value: Any) -> str:
    """A cell as text: whole numbers without '.0' (Excel stores 13800138000 and 320 as numbers)."""
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | Decimal | int | float):
        return str(value)
    return str(value).strip()


def list_split(text: str, separators: re.Pattern[str] = LIST_SEPARATORS) -> list[str]:
    """The distinct non-empty items of a list cell, in order."""
    parts: list[str] = []
    for part in separators.split(text):
        part = part.strip()
        if part and part not in parts:
            parts.append(part)
    return parts


MONTH_PATTERN = re.compile(
    r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*(?:月)?\s*(?:[-./]?\s*(\d{1,2})\s*日?)?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_COMPACT_MONTH = re.compile(r"(\d{4})(\d{2})")


def month_parse(value: Any) -> datetime.date:
    """YYYY-MM, YYYY.MM, YYYY/MM, YYYY年MM月, YYYYMM or a date → the first day of that month (ValueError if not)."""
    if isinstance(value, datetime.datetime):
        return value.date().replace(day=1)
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    if isinstance(value, float):
        # Excel turns a typed 2021.10 into the number 2021.1: read the decimals as a two-digit month.
        year = int(value)
        month = round((value - year) * 100)
        return _month(year, month, str(value))
    text = text_of(value)
    match = _COMPACT_MONTH.fullmatch(text) or MONTH_PATTERN.match(text)
    if not match:
        raise ValueError(_("Write the month as YYYY-MM (e.g. 2021-03); got %(value)s.") % {"value": text})
    return _month(int(match.group(1)), int(match.group(2)), text)


def _month(year: int, month: int, text: str) -> datetime.date:
    if not (1 <= month <= 12 and 1900 <= year <= 2100):
        raise ValueError(_("%(value)s is not a valid year and month.") % {"value": text})
    return datetime.date(year, month, 1)


# ---------------------------------------------------------------------------------------------------------
# Writing


def cell_value(value: Any) -> Any:
    """A value as a spreadsheet cell: local dates for datetimes, numbers stay numbers, lists joined."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, list | tuple):
        return LIST_JOIN.join(str(v) for v in value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Promise):
        return str(value)
    return value


def formula_safe(text: str) -> str:
    """Text a spreadsheet will show, never run: a leading = + - @ (or tab, CR) gets a ' in front."""
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_text(value: Any) -> str:
    value = cell_value(value)
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return formula_safe(value)
    return str(value)  # numbers: -5 is a number, not a formula


def rows_export(*, headers: Sequence[Any], rows: Iterable[Sequence[Any]], fmt: str, sheet_title: str = "") -> bytes:
    """Any table as an XLSX or CSV file (UTF-8 with BOM, so that Excel opens Chinese text correctly).

    Text that starts like a formula stays text: in CSV it gets a leading ', in XLSX it is stored as a string.
    """
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([formula_safe(str(h)) for h in headers])
        for row in rows:
            writer.writerow([csv_text(v) for v in row])
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        return _xlsx(headers, rows, sheet_title)
    raise ValueError(f"Unknown export format {fmt!r}; use one of {EXPORT_FORMATS}")


def _xlsx(headers: Sequence[Any], rows: Iterable[Sequence[Any]], sheet_title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(sheet_title or "Export")[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=str(header))
        cell.data_type = "s"
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells = []
        for raw in row:
            value = cell_value(raw)
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text that looks like a formula stays text
            elif isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, Decimal):
                cell.number_format = "#,##0.00"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
