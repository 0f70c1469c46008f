"""Importing IP records from a table (CSV or XLSX) through the shared import module (core.imports).

One row is one record of the unit the import runs for (`scope`, whose TTO officer imports). The key is the
number as stored (ipr.validators.normalise_ip_number): a row whose number the unit has recorded already
changes nothing, so importing the same file twice creates nothing twice; a number another unit has recorded
is refused for that row (co-holders belong on the one record, as its holders). Every good row is saved
through `ip_create` (and `fee_add` for its next fee, `ip_publish` when the import publishes), so an imported
record meets exactly the rules of one entered by hand; every bad row is reported with its row, column and
reason.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy

from techtransfer.accounts.models import Organisation, User
from techtransfer.core import background_imports
from techtransfer.core.background_imports import import_queue
from techtransfer.core.imports import (
    ImportFormat,
    ParsedRow,
    RowErrors,
    RowInvalid,
    RowSkipped,
    register_import_format,
    table_import,
)
from techtransfer.core.models import ImportBatch, ImportMode
from techtransfer.ipr import permissions as perms
from techtransfer.ipr import services
from techtransfer.ipr.choices import IPType
from techtransfer.ipr.models import GRANT_BEFORE_APPLICATION, FeeEvent, IPRecord
from techtransfer.ipr.validators import normalise_ip_number, validate_ip_number
from techtransfer.lib.tables import Column, list_split, rows_export, text_of, value_normalise

IMPORT_JOB = "techtransfer.ipr.importing.import_run"
EXAMPLE_NUMBER = "202310123456.6"  # the template's example row, skipped when left in the file

REQUIRED = gettext_lazy("This column is required.")
BAD_DATE = gettext_lazy("%(value)s is not a date; write YYYY-MM-DD.")
BAD_AMOUNT = gettext_lazy("%(value)s is not an amount in yuan.")
NEGATIVE = gettext_lazy("An amount cannot be negative.")
UNKNOWN_TYPE = gettext_lazy("%(value)s is not an IP type; write one of %(types)s.")
UNKNOWN_CODE = gettext_lazy("%(value)s is not in the code table “%(table)s”.")
AMOUNT_WITHOUT_DATE = gettext_lazy("Give the due date of the fee as well as its amount.")
DATE_WITHOUT_AMOUNT = gettext_lazy("Give the amount of the fee as well as its due date.")
NUMBER_OF_ANOTHER_UNIT = gettext_lazy(
    "The number %(number)s is recorded by another unit; add your unit as a holder of that record instead."
)
REPEATED = gettext_lazy("This number repeats row %(row)d.")
TOO_LONG = gettext_lazy("At most %(max)d characters.")
NOT_A_MANAGER = gettext_lazy("Only the TTO officers of this unit can import its IP records.")
EXAMPLE_SKIPPED = gettext_lazy("The template's example row was skipped.")

COLUMNS: list[Column] = [
    Column("ip_type", "类型", gettext_lazy("IP type"), required=True, example="发明专利",
           aliases=("知识产权类型", "type")),
    Column("number", "号码", gettext_lazy("Number"), required=True, example=EXAMPLE_NUMBER,
           aliases=("申请号", "专利号", "登记号", "application number")),
    Column("title", "名称", gettext_lazy("Title"), required=True, example="一种锂电池极片涂布厚度在线检测方法",
           aliases=("专利名称", "title of invention")),
    Column("holders", "权利人", gettext_lazy("Holders"), example="百望理工大学；北京泓芯微电子有限公司",
           aliases=("专利权人", "申请人", "著作权人", "holder")),
    Column("inventors", "发明人", gettext_lazy("Inventors"), example="陈思远；刘海峰",
           aliases=("设计人", "inventor")),
    Column("application_date", "申请日", gettext_lazy("Application date"), required=True, example="2023-03-15",
           aliases=("申请日期", "登记申请日")),
    Column("grant_date", "授权日", gettext_lazy("Grant date"), example="2024-06-21",
           aliases=("授权公告日", "登记日", "授权日期")),
    Column("legal_status", "法律状态", gettext_lazy("Legal status"), "code", "ip_legal_status", required=True,
           example="授权"),
    Column("field", "技术领域", gettext_lazy("Technical field"), "code", "high_tech_field", example="新能源与高效节能",
           aliases=("高新技术领域",)),
    Column("next_fee_due", "下次缴费日", gettext_lazy("Next fee due"), example="2026-03-15",
           aliases=("年费缴纳截止日", "next fee due date")),
    Column("next_fee_amount", "缴费金额（元）", gettext_lazy("Fee amount (yuan)"), example="900",
           aliases=("年费金额", "缴费金额", "fee amount")),
    Column("abstract", "摘要", gettext_lazy("Abstract"), aliases=("简介",)),
]
TYPE_WORDS = {
    **{value_normalise(t.value): t.value for t in IPType},
    **{value_normalise(t.label): t.value for t in IPType},
    "发明专利": IPType.INVENTION, "发明": IPType.INVENTION,
    "实用新型": IPType.UTILITY_MODEL, "实用新型专利": IPType.UTILITY_MODEL,
    "外观设计": IPType.DESIGN, "外观设计专利": IPType.DESIGN,
    "软件著作权": IPType.SOFTWARE, "计算机软件著作权": IPType.SOFTWARE, "软著": IPType.SOFTWARE,
    "集成电路布图设计": IPType.IC_LAYOUT, "布图设计": IPType.IC_LAYOUT,
    "植物新品种": IPType.PLANT_VARIETY, "植物新品种权": IPType.PLANT_VARIETY,
}
TEXT_LIMITS = {"title": 300}


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = text_of(value)
    cleaned = text.replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").rstrip("日")
    try:
        parts = [int(p) for p in cleaned.split("-")[:3]]
        return datetime.date(parts[0], parts[1], parts[2])
    except (ValueError, IndexError):
        raise ValueError(str(BAD_DATE) % {"value": text}) from None


def _money(value: Any) -> Decimal:
    text = text_of(value)
    try:
        amount = Decimal(text.replace(",", "").replace("，", "").replace("元", "").strip())
    except InvalidOperation:
        raise ValueError(str(BAD_AMOUNT) % {"value": text}) from None
    if not amount.is_finite():
        raise ValueError(str(BAD_AMOUNT) % {"value": text})
    if amount < 0:
        raise ValueError(str(NEGATIVE))
    return amount.quantize(Decimal("0.01"))


@dataclass
class IPRow:
    """One parsed row: the record's fields and its holders, inventors and next fee."""

    data: dict[str, Any] = field(default_factory=dict)
    holders: list[str] = field(default_factory=list)
    inventors: list[str] = field(default_factory=list)
    fee_due: datetime.date | None = None
    fee_amount: Decimal | None = None


@register_import_format
class IPRecordFormat(ImportFormat):
    """IP records of one unit (`scope`)."""

    kind = "ip_records"
    label = gettext_lazy("IP records")
    columns = COLUMNS
    audit_action = "ip_record.import"
    chunk_size = 200
    repeat_message = REPEATED

    def __init__(self, *, by: User, scope: Organisation, publish: bool = False) -> None:
        super().__init__(by=by, scope=scope)
        self.owner = scope
        self.publish = publish

    def check_permission(self) -> None:
        if not perms.can_create_for(self.by, self.owner.pk):
            raise PermissionDenied(NOT_A_MANAGER)

    def row_parse(self, number: int, cells: dict[str, Any]) -> ParsedRow:
        errors: RowErrors = []
        row = IPRow()
        for column in COLUMNS:
            value = cells.get(column.key)
            text = text_of(value)
            if not text:
                if column.required:
                    errors.append((column.key, str(REQUIRED)))
                continue
            try:
                self._read(row, column, value, text)
            except ValueError as exc:
                errors.append((column.key, str(exc)))
        ip_type, raw_number = row.data.get("ip_type"), text_of(cells.get("number"))
        if raw_number and normalise_ip_number(str(ip_type or ""), raw_number) == EXAMPLE_NUMBER:
            raise RowSkipped(str(EXAMPLE_SKIPPED))
        if ip_type and raw_number:
            try:
                validate_ip_number(ip_type, raw_number)
            except ValidationError as exc:
                errors += [("number", message) for message in exc.messages]
        if row.fee_amount is not None and row.fee_due is None:
            errors.append(("next_fee_due", str(AMOUNT_WITHOUT_DATE)))
        if row.fee_due is not None and row.fee_amount is None:
            errors.append(("next_fee_amount", str(DATE_WITHOUT_AMOUNT)))
        grant, application = row.data.get("grant_date"), row.data.get("application_date")
        if grant and application and grant < application:
            errors.append(("grant_date", str(GRANT_BEFORE_APPLICATION)))
        if errors:
            raise RowInvalid(errors)
        key = normalise_ip_number(str(ip_type), raw_number)
        row.data["number"] = key
        return ParsedRow(number, key, row, key_column="number")

    def _read(self, row: IPRow, column: Column, value: Any, text: str) -> None:
        key = column.key
        if key == "ip_type":
            ip_type = TYPE_WORDS.get(value_normalise(text))
            if ip_type is None:
                raise ValueError(str(UNKNOWN_TYPE) % {"value": text, "types": "、".join(str(t.label) for t in IPType)})
            row.data["ip_type"] = ip_type
        elif key in ("holders", "inventors"):
            setattr(row, key, list_split(text))
        elif key in ("application_date", "grant_date"):
            row.data[key] = _date(value)
        elif key == "next_fee_due":
            row.fee_due = _date(value)
        elif key == "next_fee_amount":
            row.fee_amount = _money(value)
        elif column.kind == "code":
            item = self.codes.find(column.table, value)
            if item is None:
                raise ValueError(str(UNKNOWN_CODE) % {"value": text, "table": column.zh})
            row.data[key] = item
        elif key != "number":
            limit = TEXT_LIMITS.get(key)
            if limit and len(text) > limit:
                raise ValueError(str(TOO_LONG) % {"max": limit})
            row.data[key] = text

    def keys_stored(self, keys: Sequence[str]) -> set[str]:
        return set(IPRecord.objects.filter(owner=self.owner, number__in=keys).values_list("number", flat=True))

    def rows_prepare(self, rows: Sequence[ParsedRow]) -> list[ParsedRow]:
        taken = set(
            IPRecord.objects.filter(number__in=[r.key for r in rows]).exclude(owner=self.owner)
            .values_list("number", flat=True)
        )
        bad = [r for r in rows if r.key in taken]
        if bad:
            raise ValidationError({"number": [str(NUMBER_OF_ANOTHER_UNIT) % {"number": r.key} for r in bad]})
        return list(rows)

    def rows_save(self, rows: Sequence[ParsedRow]) -> list[int]:
        ids = []
        for parsed in rows:
            row: IPRow = parsed.values
            record = services.ip_create(
                by=self.by, owner=self.owner, data=dict(row.data), holders=row.holders or None,
                inventors=row.inventors,
            )
            if row.fee_due is not None:
                services.fee_add(record=record, by=self.by, data={
                    "kind": FeeEvent.Kind.ANNUAL, "due_date": row.fee_due, "amount": row.fee_amount,
                })
            if self.publish:
                services.ip_publish(record=record, by=self.by)
            ids.append(record.pk)
        return ids


def ip_import(
    *, by: User, owner: Organisation, file: bytes | str | IO[bytes] | Any, file_name: str = "",
    mode: str = ImportMode.GOOD_ROWS, publish: bool = False, max_bytes: int | None = None,
) -> ImportBatch:
    """Import IP records (CSV or XLSX) for `owner`, in the request; the batch reports every row."""
    return table_import(IPRecordFormat(by=by, scope=owner, publish=publish), file=file, file_name=file_name,
                        mode=mode, max_bytes=max_bytes)


def ip_import_queue(
    *, by: User, owner: Organisation, file: Any, file_name: str, mode: str, publish: bool = False
) -> ImportBatch:
    """Check the upload (errors for the form's `file` field), store it and queue its import (for the page)."""
    return import_queue(IPRecordFormat(by=by, scope=owner, publish=publish), file=file, file_name=file_name,
                        mode=mode, job=IMPORT_JOB, options={"publish": publish})


def import_run(*, batch_id: int) -> None:
    """The job of a queued import."""
    batch = ImportBatch.objects.select_related("by").get(pk=batch_id)
    owner = Organisation.objects.get(pk=batch.scope_id)
    fmt = IPRecordFormat(by=batch.by, scope=owner, publish=bool((batch.options or {}).get("publish")))
    background_imports.import_run(fmt, batch)


def ip_import_template(fmt: str) -> bytes:
    """The file to fill in: bilingual headers and one example row (skipped if it is left in)."""
    return rows_export(headers=[c.header() for c in COLUMNS], rows=[[c.example for c in COLUMNS]], fmt=fmt,
                       sheet_title="IP")
