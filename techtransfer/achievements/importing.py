"""Bulk import of achievements from XLSX and CSV files, and the template that units fill in.

Every good row becomes a draft through `services.achievement_create`, so permissions, validation and the
audit trail apply as on the form. Every bad row is reported with the row number Excel shows (the header is
row 1), the column and the reason. A row's import key (its external ID, or a hash of its normalised
content) is unique per owner, so importing the same file again creates nothing twice.

The table reading here (size limit, XLSX/CSV detection, UTF-8/GB18030/UTF-16 decoding, bilingual
headers, code lookups) is shared with the funded-project import in `funded.py`.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import importlib
import io
import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.accounts.models import Organisation, User
from techtransfer.achievements import permissions as perms
from techtransfer.achievements import services
from techtransfer.achievements.choices import AchievementType, IPKind, Secrecy
from techtransfer.achievements.models import (
    Achievement,
    ImportBatch,
)
from techtransfer.core import jobs
from techtransfer.core.audit import audit_record
from techtransfer.core.models import CodeItem
from techtransfer.lib import validators

logger = logging.getLogger(__name__)

DEFAULT_IMPORT_MAX_BYTES = 200 * 1024 * 1024
# Rows are committed in chunks: one transaction per chunk, one savepoint per row inside it.
CHUNK_SIZE = 500
# A file of 100,000 bad rows must not make a 100,000-entry error list; the count stays exact.
MAX_STORED_ERRORS = 5000
# Above this many new records (and a fifth of all) the index is rebuilt in batches, not record by record.
REINDEX_ALL_ABOVE = 50
MAX_KEYWORDS = services.MAX_KEYWORDS
HASH_KEY = re.compile(r"^[0-9a-f]{64}$")

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy binary .xls (and .doc)
LIST_SEPARATORS = re.compile(r"[;；,，、\n]+")
NAME_SEPARATORS = re.compile(r"[;；,，、\n]+")
UNIT_SEPARATORS = re.compile(r"[;；、\n]+")  # unit names may contain commas
IP_SEPARATORS = re.compile(r"[;；,，、\s]+")
# Characters a spreadsheet would run as a formula; exports prefix them with ' and imports take it off.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# ---------------------------------------------------------------------------------------------------------
# Columns


@dataclass(frozen=True)
class Column:
    """One column of an import file: how it is named (Chinese, English, key) and how its cells are read."""

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



COLUMNS: list[Column] = [
    Column("external_id", "外部编号", gettext_lazy("External ID"), "external_id", aliases=("external id", "外部id"),
           hint="可选。本单位系统中的编号；再次导入时用它识别同一条成果。"),
    Column("name", "成果名称", gettext_lazy("Name"), required=True, aliases=("名称", "achievement name")),
    Column("name_en", "英文名称", gettext_lazy("English name"), aliases=("成果英文名称",)),
    Column("achievement_type", "成果类型", gettext_lazy("Type"), "type", required=True, aliases=("achievement type",),
           hint="应用技术 / 基础理论 / 软科学（或 applied / basic / soft）"),
    Column("summary", "成果简介", gettext_lazy("Summary"), required=True, aliases=("简介",)),
    Column("summary_en", "英文简介", gettext_lazy("English summary"), aliases=("成果英文简介",)),
    Column("keywords", "关键词", gettext_lazy("Keywords"), "keywords", hint="最多3个，用；或、分隔"),
    Column("discipline", "学科", gettext_lazy("Discipline"), "code", "discipline", aliases=("学科分类",),
           hint="见「代码表」，填名称或代码（GB/T 13745）"),
    Column("high_tech_field", "高新技术领域", gettext_lazy("High-tech field"), "code", "high_tech_field",
           aliases=("所属高新技术领域", "高技术领域")),
    Column("industry", "行业", gettext_lazy("Industry"), "code", "industry", aliases=("应用行业", "国民经济行业"),
           hint="GB/T 4754 门类或大类，填名称或代码"),
    Column("stage", "成果所处阶段", gettext_lazy("Stage"), "code", "stage", aliases=("所处阶段", "阶段")),
    Column("level", "成果水平", gettext_lazy("Level"), "code", "level", aliases=("水平",)),
    Column("application_status", "应用状态", gettext_lazy("Application status"), "code", "application_status",
           aliases=("应用情况",)),
    Column("attribute", "成果属性", gettext_lazy("Attribute"), "code", "attribute", aliases=("属性",)),
    Column("project_source", "项目来源", gettext_lazy("Project source"), "code", "project_source",
           aliases=("课题来源", "计划来源")),
    Column("programme_name", "计划名称", gettext_lazy("Programme"), aliases=("项目名称", "计划项目名称")),
    Column("programme_number", "计划编号", gettext_lazy("Programme project number"),
           aliases=("项目编号", "课题编号", "批准号"), hint="例如国家自然科学基金批准号；与已导入的资助项目关联"),
    Column("research_start", "研究起始", gettext_lazy("Research start"), "month", aliases=("起始时间", "研究起始时间"),
           hint="YYYY-MM，如 2021-01"),
    Column("research_end", "研究终止", gettext_lazy("Research end"), "month", aliases=("终止时间", "研究终止时间"),
           hint="YYYY-MM，如 2023-12"),
    Column("persons", "完成人", gettext_lazy("Completing persons"), "persons", aliases=("主要完成人", "完成人员"),
           hint="按贡献排序，用、或；分隔"),
    Column("units", "完成单位", gettext_lazy("Other completing units"), "units", aliases=("其他完成单位", "合作单位"),
           hint="第一完成单位为本单位，无需填写；其他单位用；分隔"),
    Column("patents", "专利号", gettext_lazy("Patent numbers"), "patents", aliases=("专利", "专利申请号"),
           hint="可填多个，用；分隔，如 ZL202110123456.7"),
    Column("software", "软件著作权登记号", gettext_lazy("Software copyright numbers"), "software",
           aliases=("软件著作权", "软著登记号"), hint="可填多个，如 2022SR0123456"),
    Column("transfer_modes", "转化方式", gettext_lazy("Intended transfer modes"), "codes", "transfer_mode",
           aliases=("拟转化方式", "transfer modes"), hint="可填多个，用；分隔，见「代码表」"),
    Column("secrecy", "密级", gettext_lazy("Secrecy level"), "secrecy", aliases=("成果密级",),
           hint="填“无”；涉密成果不在本平台登记"),
    Column("contact_name", "联系人", gettext_lazy("Contact person")),
    Column("contact_phone", "联系电话", gettext_lazy("Contact phone"), aliases=("电话",)),
    Column("contact_email", "联系邮箱", gettext_lazy("Contact e-mail"),
           aliases=("邮箱", "电子邮箱", "email", "e-mail")),
]
COLUMNS_BY_KEY = {c.key: c for c in COLUMNS}
TEXT_FIELDS = {c.key for c in COLUMNS if c.kind == "text"}

# Columns an export adds that carry no form data: an import accepts and ignores them, except the record ID,
# which lets a unit re-import its own export without creating anything.
RECORD_ID = Column("id", "记录ID", gettext_lazy("Record ID"), "record_id", aliases=("record id", "平台编号", "编号id"))
EXPORT_ONLY = [
    Column("registration_number", "登记号", gettext_lazy("Registration number"), aliases=("批准登记号",)),
    Column("status", "状态", gettext_lazy("Status")),
    Column("owner", "登记单位", gettext_lazy("Registering unit")),
    Column("registered_at", "登记日期", gettext_lazy("Registered on")),
    Column("published_at", "发布日期", gettext_lazy("Published on")),
    Column("created", "创建日期", gettext_lazy("Created on")),
    Column("funded_project", "资助项目", gettext_lazy("Funded project")),
]

# The Chinese names on the registration form, and other words people write for the same values.
TYPE_CHINESE = {"applied": "应用技术", "basic": "基础理论", "soft": "软科学"}
TYPE_WORDS = {**{zh: code for code, zh in TYPE_CHINESE.items()}, "应用": "applied", "基础": "basic"}
SECRECY_CHINESE = {"0": "无", "1": "秘密", "2": "机密", "3": "绝密"}
SECRECY_WORDS = {
    **{zh: code for code, zh in SECRECY_CHINESE.items()},
    "非密": "0", "公开": "0", "不涉密": "0", "none": "0", "no": "0", "public": "0",
    "confidential": "2", "top secret": "3", "secret": "1",
}


def header_normalise(text: Any) -> str:
    """Compare headers and coded values loosely: full-width to half-width, case, spaces and the * marker."""
    value = unicodedata.normalize("NFKC", str(text or ""))
    value = re.sub(r"\s+", " ", value).strip().strip("*").strip()
    return value.lower()


def value_normalise(text: Any) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(text or ""))).strip().lower()


@dataclass
class HeaderMap:
    """Which file column (by index) holds which Column, and how the user's file names it."""

    columns: dict[int, Column]
    titles: dict[str, str]  # column key → the header as the user sees it (its first line)
    notes: list[dict[str, Any]]

    def has(self, key: str) -> bool:
        return key in self.titles

    def index(self, key: str) -> int | None:
        return next((i for i, c in self.columns.items() if c.key == key), None)

    def title(self, key: str) -> str:
        if key in self.titles:
            return self.titles[key]
        column = COLUMNS_BY_KEY.get(key)
        return column.zh if column else key


def columns_map(headers: Sequence[Any], columns: Sequence[Column], *, ignored: Sequence[Column] = ()) -> HeaderMap:
    """Match a header row to columns. Unknown headers are listed as notes (row 1) and their cells ignored."""
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
    return HeaderMap(columns=found, titles=titles, notes=notes)


# ---------------------------------------------------------------------------------------------------------
# Reading files


def upload_read(file: Any, *, max_bytes: int) -> bytes:
    """The whole upload as bytes, refusing oversize or empty files with one clear message."""
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


def _decode(content: bytes) -> str:
    """Text of a CSV: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (Chinese Excel's 'CSV')."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in content[:8192]:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return content.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise ValidationError(
        {"file": [_("The file could not be read: it is neither an Excel workbook (.xlsx) nor a CSV text file in "
                    "UTF-8 or GB18030.")]}
    )


def _cell_text(value: Any) -> Any:
    """Strip text cells, and the ' that our exports put before formula-like values."""
    if isinstance(value, str):
        value = value.strip()
        if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START:
            value = value[1:]
        return value
    return value


def table_open(content: bytes, file_name: str = "") -> tuple[list[Any], Iterator[tuple[int, list[Any]]]]:
    """The header row and an iterator of (Excel row number, cell values) for the first sheet or the CSV.

    Rows stream: openpyxl read-only mode for XLSX, the csv module for text.
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
        rows = _csv_rows(_decode(content))
    header = next(rows, None)
    if header is None or not any(str(v or "").strip() for v in header):
        raise ValidationError({"file": [_("The first row must hold the column headers; it is empty.")]})
    numbered = ((number, row) for number, row in enumerate(rows, start=2))
    return list(header), numbered


def _xlsx_rows(content: bytes) -> Iterator[list[Any]]:
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

    def generate() -> Iterator[list[Any]]:
        try:
            if first is not None:
                yield [_cell_text(v) for v in first]
            for row in rows:
                yield [_cell_text(v) for v in row]
        finally:
            workbook.close()

    return generate()


def _csv_rows(text: str) -> Iterator[list[Any]]:
    first_line = text.split("\n", 1)[0]
    if "\t" in first_line:
        return _tsv_rows(text)
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return ([_cell_text(v) for v in row] for row in reader)


def _tsv_rows(text: str) -> Iterator[list[Any]]:
    """Tab-separated lists (programme data, Excel's "Unicode text"): one record a line.

    Quotes are not special, since titles such as "规模导向"还是"创新导向" start with one; a whole cell in
    quotes (as Excel writes a cell that holds quotes) is unquoted.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE)
    return ([_cell_text(_unquote(v)) for v in row] for row in reader)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"' and '"' not in value[1:-1].replace('""', ""):
        return value[1:-1].replace('""', '"')
    return value


def is_blank(values: Sequence[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def text_of(value: Any) -> str:
    """A cell as text: whole numbers without '.0' (Excel stores 13800138000 and 320 as numbers)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | Decimal | int | float):
        return str(value)
    return str(value).strip()


MONTH_PATTERN = re.compile(
    r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*(?:月)?\s*(?:[-./]?\s*(\d{1,2})\s*日?)?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)


def month_parse(value: Any) -> datetime.date:
    """YYYY-MM, YYYY.MM, YYYY/MM, YYYY年MM月, YYYYMM or a date → the first day of that month."""
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
    compact = re.fullmatch(r"(\d{4})(\d{2})", text)
    match = compact or MONTH_PATTERN.match(text)
    if not match:
        raise ValueError(_("Write the month as YYYY-MM (e.g. 2021-03); got %(value)s.") % {"value": text})
    return _month(int(match.group(1)), int(match.group(2)), text)


def _month(year: int, month: int, text: str) -> datetime.date:
    if not (1 <= month <= 12 and 1900 <= year <= 2100):
        raise ValueError(_("%(value)s is not a valid year and month.") % {"value": text})
    return datetime.date(year, month, 1)


class CodeLookup:
    """Current code-table items by code, Chinese or English label (case-insensitive), loaded once per import."""

    def __init__(self) -> None:
        self._tables: dict[str, dict[str, CodeItem]] = {}

    def table(self, key: str) -> dict[str, CodeItem]:
        if key not in self._tables:
            mapping: dict[str, CodeItem] = {}
            items = list(CodeItem.objects.current(key).order_by("-sort_order"))
            # Labels first, in reverse order so the first item wins a shared label (industry 教育 is P and 83);
            # codes last, so a code always wins over a label.
            for item in items:
                for label in (item.label_en, item.label_zh):
                    if label:
                        mapping[value_normalise(label)] = item
            for item in items:
                mapping[value_normalise(item.code)] = item
            self._tables[key] = mapping
        return self._tables[key]

    def find(self, key: str, value: Any) -> CodeItem | None:
        table = self.table(key)
        text = value_normalise(text_of(value))
        item = table.get(text)
        if item is None and " " in text:  # "320 临床医学"
            item = table.get(text.split(" ", 1)[0])
        if item is None and text.isdigit() and len(text) == 1:  # Excel dropped the 0 of industry code 01
            item = table.get(text.zfill(2))
        return item


# ---------------------------------------------------------------------------------------------------------
# Rows


@dataclass
class ParsedRow:
    """One parsed row, ready for `services.achievements_create`."""

    row: int
    key: str
    data: dict[str, Any]
    units: list[dict[str, Any]]
    persons: list[dict[str, Any]]
    ip_items: list[dict[str, Any]]
    transfer_modes: list[CodeItem]
    unit_names: list[str] = field(default_factory=list)

    def draft(self) -> services.NewAchievement:
        return services.NewAchievement(
            data=self.data, units=self.units, persons=self.persons, ip_items=self.ip_items,
            transfer_modes=self.transfer_modes, import_key=self.key,
        )


RowErrors = list[tuple[str, str]]  # (column key, message)


def _choice_words(choices: type[Any], extra: dict[str, str]) -> dict[str, str]:
    words = {value_normalise(k): v for k, v in extra.items()}
    for value, label in choices.choices:
        words[value_normalise(value)] = value
        words[value_normalise(str(label))] = value
        with translation.override("en"):
            words[value_normalise(str(label))] = value
    return words


class RowParser:
    """Turns the cells of one row into form data, collecting every problem with its column."""

    def __init__(self, *, owner: Organisation, header: HeaderMap, lookup: CodeLookup) -> None:
        self.owner = owner
        self.header = header
        self.lookup = lookup
        self.types = _choice_words(AchievementType, TYPE_WORDS)
        self.secrecy = _choice_words(Secrecy, SECRECY_WORDS)

    def parse(self, number: int, values: Sequence[Any]) -> tuple[ParsedRow | None, RowErrors]:
        errors: RowErrors = []
        data: dict[str, Any] = {}
        row = ParsedRow(number, "", data, [], [], [], [])
        for index, column in self.header.columns.items():
            value = values[index] if index < len(values) else None
            if value is None or (isinstance(value, str) and not value):
                continue
            try:
                self._read(row, column, value)
            except ValueError as exc:
                errors.append((column.key, str(exc)))
        for column in COLUMNS:
            if column.required and column.key not in data and not any(k == column.key for k, _m in errors):
                errors.append((column.key, _("This column is required.")))
        if errors:
            return None, errors
        data.setdefault("secrecy", Secrecy.NONE)
        row.units = [{"name": self.owner.name, "organisation": self.owner}] + [{"name": n} for n in row.unit_names]
        row.key = row.key or content_key(row)
        return row, []

    def _read(self, row: ParsedRow, column: Column, value: Any) -> None:
        kind = column.kind
        text = text_of(value)
        if kind == "text":
            row.data[column.key] = text
        elif kind == "external_id":
            if len(text) > 64:
                raise ValueError(_("An external ID has at most 64 characters."))
            row.key = text
        elif kind == "record_id":
            pass  # read before the row is parsed (AchievementImport.run_chunk)
        elif kind == "type":
            if value_normalise(text) not in self.types:
                raise ValueError(
                    _("%(value)s is not an achievement type; use 应用技术, 基础理论 or 软科学.") % {"value": text}
                )
            row.data["achievement_type"] = self.types[value_normalise(text)]
        elif kind == "secrecy":
            secrecy = self.secrecy.get(value_normalise(text))
            if secrecy is None:
                raise ValueError(_("%(value)s is not a secrecy level; write 无 for unclassified.") % {"value": text})
            if secrecy != Secrecy.NONE:
                raise ValueError(
                    _("Classified achievements (%(value)s) are not registered on this platform; they follow the "
                      "secrecy rules (R1.1).") % {"value": text}
                )
            row.data["secrecy"] = secrecy
        elif kind == "code":
            item = self.lookup.find(column.table, value)
            if item is None:
                raise ValueError(_unknown_code(text))
            row.data[column.key] = item
        elif kind == "codes":
            items, unknown = [], []
            for part in _split(text, LIST_SEPARATORS):
                item = self.lookup.find(column.table, part)
                if item is None:
                    unknown.append(part)
                elif item not in items:
                    items.append(item)
            if unknown:
                raise ValueError(_unknown_code("；".join(unknown)))
            row.transfer_modes = items
        elif kind == "keywords":
            keywords = _split(text, LIST_SEPARATORS)
            if len(keywords) > MAX_KEYWORDS:
                raise ValueError(
                    _("At most %(max)d keywords are allowed; this row has %(n)d.")
                    % {"max": MAX_KEYWORDS, "n": len(keywords)}
                )
            row.data["keywords"] = keywords
        elif kind == "month":
            row.data[column.key] = month_parse(value)
        elif kind == "persons":
            names = _split(text, NAME_SEPARATORS)
            too_long = [n for n in names if len(n) > 100]
            if too_long:
                raise ValueError(_("A person's name has at most 100 characters: %(name)s") % {"name": too_long[0][:30]})
            row.persons = [{"name": n} for n in names]
        elif kind == "units":
            names = [n for n in _split(text, UNIT_SEPARATORS) if n != self.owner.name]
            too_long = [n for n in names if len(n) > 200]
            if too_long:
                raise ValueError(_("A unit name has at most 200 characters: %(name)s") % {"name": too_long[0][:30]})
            row.unit_names = names
        elif kind in {"patents", "software"}:
            row.ip_items.extend(_ip_items(kind, text))
        else:  # pragma: no cover - a programming error in COLUMNS
            raise AssertionError(kind)


def _split(text: str, separators: re.Pattern[str]) -> list[str]:
    parts: list[str] = []
    for part in separators.split(text):
        part = part.strip()
        if part and part not in parts:
            parts.append(part)
    return parts


def _unknown_code(text: str) -> str:
    return _("%(value)s is not in the code table; use a name or code from the Codes sheet of the template.") % {
        "value": text
    }


PATENT_KIND_OF = {
    "invention": IPKind.INVENTION_PATENT, "utility_model": IPKind.UTILITY_MODEL, "design": IPKind.DESIGN_PATENT,
}


def _ip_items(kind: str, text: str) -> list[dict[str, Any]]:
    items, problems = [], []
    for number in _split(text, IP_SEPARATORS):
        if kind == "software":
            ip_kind = IPKind.SOFTWARE_COPYRIGHT
        else:
            ip_kind = PATENT_KIND_OF.get(validators.patent_kind(number) or "", IPKind.INVENTION_PATENT)
        try:
            canonical = services.ip_number_validate(ip_kind, number)
        except ValidationError as exc:
            problems.extend(exc.messages)
            continue
        items.append({"kind": str(ip_kind), "number": canonical, "granted": number.upper().startswith("ZL")})
    if problems:
        raise ValueError(" ".join(problems))
    return items


def _plain(value: Any) -> Any:
    if isinstance(value, CodeItem):
        return value.code
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def content_key(row: ParsedRow) -> str:
    """sha256 of the row's normalised content: codes rather than labels, so 应用技术 and applied agree."""
    content = {
        "data": {k: _plain(v) for k, v in row.data.items()},
        "units": row.unit_names,
        "persons": [p["name"] for p in row.persons],
        "ip": sorted((i["kind"], i["number"]) for i in row.ip_items),
        "modes": sorted(m.code for m in row.transfer_modes),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# ---------------------------------------------------------------------------------------------------------
# The import


def _chunks(rows: Iterable[tuple[int, list[Any]]], size: int) -> Iterator[list[tuple[int, list[Any]]]]:
    chunk: list[tuple[int, list[Any]]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class BatchRecorder:
    """Counts and error messages of an ImportBatch while it runs."""

    def __init__(self, batch: ImportBatch) -> None:
        self.batch = batch

    def error(self, row: int, messages: Sequence[tuple[str, str]]) -> None:
        self.batch.error_count += 1
        for field_name, message in messages:
            self.note(row, field_name, message)

    def note(self, row: int, field_name: str, message: str) -> None:
        errors = self.batch.errors
        if len(errors) < MAX_STORED_ERRORS:
            errors.append({"row": row, "field": field_name, "message": str(message)})
        elif len(errors) == MAX_STORED_ERRORS:
            errors.append({"row": row, "field": "", "message": _("Further problems are not listed.")})


class AchievementImport:
    """One run of `achievement_import`: parses, de-duplicates and saves rows chunk by chunk."""

    def __init__(self, *, batch: ImportBatch, by: User, owner: Organisation, header: HeaderMap) -> None:
        self.batch = batch
        self.recorder = BatchRecorder(batch)
        self.by = by
        self.owner = owner
        self.header = header
        self.note = _("Imported from %(file)s") % {"file": batch.file_name}
        self.parser = RowParser(owner=owner, header=header, lookup=CodeLookup())
        self.seen: dict[str, int] = {}
        self.created_ids: list[int] = []
        self.example_key = template_example_key(owner=owner)

    def fail(self, row: int, errors: RowErrors) -> None:
        self.recorder.error(row, [(self.header.title(k), m) for k, m in errors])

    def run_chunk(self, chunk: list[tuple[int, list[Any]]]) -> None:
        owned = Achievement.objects.filter(owner=self.owner)
        rows = [(number, values) for number, values in chunk if not is_blank(values)]
        record_ids = {number: self._record_id(values) for number, values in rows}
        wanted = {pk for pk in record_ids.values() if pk}
        # A row of this unit's own export names its record: it is there already, whatever the other cells say.
        known_ids = set(owned.filter(pk__in=wanted).values_list("pk", flat=True)) if wanted else set()
        parsed: list[ParsedRow] = []
        for number, values in rows:
            if record_ids[number] in known_ids:
                self.batch.total_rows += 1
                self.batch.unchanged_count += 1
                continue
            row, errors = self.parser.parse(number, values)
            if row is not None and row.key == self.example_key:
                self.recorder.note(number, "", _("The template's example row was skipped; replace it with your data."))
                continue
            self.batch.total_rows += 1
            if row is None:
                self.fail(number, errors)
                continue
            if row.key in self.seen:
                key_column = "external_id" if self.header.has("external_id") and not HASH_KEY.match(row.key) else ""
                self.fail(number, [(key_column, _("This row repeats row %(row)d.") % {"row": self.seen[row.key]})])
                continue
            self.seen[row.key] = number
            parsed.append(row)
        known_keys = set(owned.filter(import_key__in=[r.key for r in parsed]).values_list("import_key", flat=True))
        todo = [r for r in parsed if r.key not in known_keys]
        self.batch.unchanged_count += len(parsed) - len(todo)
        self._link_funded_projects(todo)
        self._save(todo)

    def _record_id(self, values: Sequence[Any]) -> int | None:
        index = self.header.index("id")
        if index is None or index >= len(values):
            return None
        text = text_of(values[index])
        return int(text) if text.isdigit() else None

    def _link_funded_projects(self, rows: list[ParsedRow]) -> None:
        """A row naming a programme and grant number that was imported as a funded project is linked to it."""
        from techtransfer.achievements.funded import funded_project_linkable
        from techtransfer.achievements.models import FundedProject

        wanted = [r for r in rows if r.data.get("project_source") and r.data.get("programme_number")]
        if not wanted:
            return
        projects = {
            (p.programme_id, p.grant_number): p
            for p in FundedProject.objects.filter(grant_number__in={r.data["programme_number"] for r in wanted})
        }
        for row in wanted:
            project = projects.get((row.data["project_source"].pk, row.data["programme_number"]))
            if project and funded_project_linkable(project, owner=self.owner, unit_names=row.unit_names):
                row.data["funded_project"] = project

    def _save(self, rows: list[ParsedRow]) -> None:
        """Save a chunk with one service call; if any row is refused, save row by row to say which."""
        if not rows:
            return
        try:
            with transaction.atomic():
                created = services.achievements_create(
                    by=self.by, owner=self.owner, drafts=[r.draft() for r in rows], note=self.note
                )
        except (ValidationError, IntegrityError):
            created = self._save_each(rows)
        self.batch.created_count += len(created)
        self.created_ids.extend(a.pk for a in created)

    def _save_each(self, rows: list[ParsedRow]) -> list[Achievement]:
        created = []
        with transaction.atomic():
            for row in rows:
                try:
                    with transaction.atomic():  # one savepoint per row: a failure loses only this row
                        created += services.achievements_create(
                            by=self.by, owner=self.owner, drafts=[row.draft()], note=self.note
                        )
                except ValidationError as exc:
                    self.fail(row.row, _validation_errors(exc))
                except IntegrityError:
                    # Another import stored the same key in the meantime.
                    if Achievement.objects.filter(owner=self.owner, import_key=row.key).exists():
                        self.batch.unchanged_count += 1
                    else:
                        self.fail(row.row, [("", _("The row could not be saved; please check its values."))])
        return created


def _validation_errors(exc: ValidationError) -> RowErrors:
    if hasattr(exc, "error_dict"):
        return [(k if k != "__all__" else "", m) for k, ms in exc.message_dict.items() for m in ms]
    return [("", m) for m in exc.messages]


def achievement_import(
    *,
    by: User,
    owner: Organisation,
    file: bytes | str | Path | IO[bytes] | Any,
    file_name: str = "",
    max_bytes: int | None = None,
) -> ImportBatch:
    """Import achievements from an XLSX or CSV file into drafts of `owner`, and report on every row.

    Rows are saved in chunks through `services.achievements_create` (multi-row INSERTs, the same checks as
    the form); a chunk with a bad row is saved row by row so that every bad row is reported. Search
    indexing of the new records runs once, at the end. An oversize or unreadable file raises
    ValidationError and saves nothing.
    """
    if not perms.can_create_for(by, owner.pk):
        raise PermissionDenied(_("You can only import achievements into your own organisation."))
    limit = max_bytes or getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_IMPORT_MAX_BYTES)
    content = upload_read(file, max_bytes=limit)
    file_name = file_name or getattr(file, "name", "") or (str(file) if isinstance(file, str | Path) else "")
    headers, rows = table_open(content, file_name)
    header = columns_map(headers, [*COLUMNS, RECORD_ID], ignored=EXPORT_ONLY)
    if not (header.has("name") or header.has("id")):
        raise ValidationError(
            {"file": [_("The header row has no 成果名称 (Name) column; start from the import template.")]}
        )
    batch = ImportBatch.objects.create(
        kind="achievements", organisation=owner, by=by, file_name=Path(file_name).name[:255],
        sha256=hashlib.sha256(content).hexdigest(), errors=header.notes,
    )
    run = AchievementImport(batch=batch, by=by, owner=owner, header=header)
    try:
        with jobs.suppressed():  # the per-row reindex jobs; the index is rebuilt for all new rows below
            for chunk in _chunks(rows, CHUNK_SIZE):
                run.run_chunk(chunk)
    finally:
        batch.errors.sort(key=lambda e: e["row"])  # rows refused at save time come after the parse errors
        batch.save()
    audit_record(
        actor=by, action="achievement.import", obj=owner,
        changes={"created": batch.created_count, "unchanged": batch.unchanged_count, "errors": batch.error_count},
        note=f"{batch.file_name} (import batch {batch.pk})",
    )
    created = list(run.created_ids)
    transaction.on_commit(lambda: search_reindex(created))
    return batch


def search_reindex(ids: Sequence[int]) -> None:
    """Index newly imported achievements in one go (the per-row jobs were suppressed during the import)."""
    if not ids:
        return
    try:
        search = importlib.import_module("techtransfer.achievements.search")
    except ImportError:
        logger.warning(
            "techtransfer.achievements.search is not available: %d imported achievements were not indexed; "
            "rebuild the search index once it is.", len(ids),
        )
        return
    many = getattr(search, "achievements_reindex", None)
    if many is not None:
        many(ids=list(ids))
    elif len(ids) > max(REINDEX_ALL_ABOVE, Achievement.objects.count() // 5):
        # One batched rebuild is cheaper than this many single-record updates.
        search.achievements_reindex_all()
    else:
        for pk in ids:
            search.achievement_reindex(pk)


# ---------------------------------------------------------------------------------------------------------
# Template


def _example_values() -> dict[str, str]:
    def label(table: str, code: str) -> str:
        item = CodeItem.objects.current(table).filter(code=code).first()
        return item.label_zh if item else code

    patent = "202110123456"
    return {
        "external_id": "",
        "name": "基于深度学习的道路裂缝自动检测方法（示例）",
        "name_en": "Deep-learning detection of road cracks (example)",
        "achievement_type": "应用技术",
        "summary": "本成果提出一种基于深度学习的道路裂缝自动检测方法，识别准确率达到95%，已在市政道路巡检中试用。",
        "summary_en": "A deep-learning method that detects road cracks with 95% accuracy; in trial use.",
        "keywords": "道路裂缝；深度学习；图像识别",
        "discipline": label("discipline", "520"),
        "high_tech_field": label("high_tech_field", "electronics"),
        "industry": label("industry", "I"),
        "stage": label("stage", "middle"),
        "level": label("level", "dom_leading"),
        "application_status": label("application_status", "trial"),
        "attribute": label("attribute", "original"),
        "project_source": label("project_source", "nsfc"),
        "programme_name": "国家自然科学基金面上项目",
        "programme_number": "62171001",
        "research_start": "2021-01",
        "research_end": "2023-12",
        "persons": "李研究、王成果",
        "units": "北京合作研究院",
        "patents": f"ZL{patent}.{validators.patent_check_character(patent)}",
        "software": "2022SR0123456",
        "transfer_modes": f"{label('transfer_mode', 'licence')}；{label('transfer_mode', 'transfer')}",
        "secrecy": "无",
        "contact_name": "王成果",
        "contact_phone": "010-62780000",
        "contact_email": "tto@example.cn",
    }


def template_example_key(*, owner: Organisation) -> str:
    """The import key of the untouched example row, which an import skips rather than stores."""
    lookup = CodeLookup()
    header = HeaderMap(columns=dict(enumerate(COLUMNS)), titles={}, notes=[])
    example = _example_values()
    row, _errors = RowParser(owner=owner, header=header, lookup=lookup).parse(2, [example[c.key] for c in COLUMNS])
    return row.key if row else ""


def _choice_codes(choices: type[Any], chinese: dict[str, str]) -> list[tuple[str, str, str]]:
    rows = []
    for value, label in choices.choices:
        with translation.override("en"):
            rows.append((value, chinese[value], str(label)))
    return rows


def _code_sheet_rows() -> list[tuple[Column, list[tuple[str, str, str]]]]:
    blocks = []
    for column in COLUMNS:
        if column.kind in {"code", "codes"}:
            items = CodeItem.objects.current(column.table).order_by("sort_order", "code")
            blocks.append((column, [(i.code, i.label_zh, i.label_en) for i in items]))
        elif column.kind == "type":
            blocks.append((column, _choice_codes(AchievementType, TYPE_CHINESE)))
        elif column.kind == "secrecy":
            blocks.append((column, _choice_codes(Secrecy, SECRECY_CHINESE)))
    return blocks


def achievement_import_template(fmt: str) -> bytes:
    """The file users fill in: bilingual headers, one example row, and (XLSX) a sheet of allowed codes."""
    headers = [c.header() for c in COLUMNS]
    example = _example_values()
    values = [example[c.key] for c in COLUMNS]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerow(values)
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    if fmt != "xlsx":
        raise ValueError(f"Unknown template format {fmt!r}")
    return _template_xlsx(headers, values)


def _template_xlsx(headers: list[str], values: list[str]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "成果 Achievements"
    sheet.append(headers)
    sheet.append(values)
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 36
    required_fill = PatternFill("solid", fgColor="FDE9D9")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        if column.required:
            cell.fill = required_fill
        if column.hint:
            cell.comment = Comment(column.hint, "techtransfer", width=260, height=80)
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 40 if column.key in {"name", "summary", "summary_en"} else 16
        if column.kind == "month" or column.key in {"contact_phone", "programme_number", "external_id"}:
            for row in range(2, 1002):  # text cells, so Excel keeps 2021.10 and leading zeros as typed
                sheet.cell(row=row, column=index).number_format = "@"

    codes = workbook.create_sheet("代码表 Codes")
    codes.append(["字段 Column", "代码 Code", "中文名称 Chinese", "English"])
    for cell in codes[1]:
        cell.font = Font(bold=True)
    for width, letter in zip((22, 16, 36, 48), "ABCD", strict=True):
        codes.column_dimensions[letter].width = width
    for column, items in _code_sheet_rows():
        first = codes.max_row + 1
        for code, chinese, english in items:
            codes.append([column.zh, code, chinese, english])
        if column.kind != "codes" and items:  # a drop-down of Chinese labels; other values still allowed
            index = COLUMNS.index(column) + 1
            letter = get_column_letter(index)
            validation = DataValidation(
                type="list", formula1=f"'代码表 Codes'!$C${first}:$C${codes.max_row}", allow_blank=True,
                showErrorMessage=True, errorStyle="warning",
            )
            validation.error = "请从下拉列表选择，或填写代码表中的代码。"
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}1001")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
