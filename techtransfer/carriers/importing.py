"""Importing a carrier's incubated firms from a table (CSV or XLSX) through the shared import module.

One row is one firm of the carrier the import runs for (`scope`). The key is the unified social credit code:
a firm the carrier lists already changes nothing, so importing the same file twice creates nothing twice.
Every good row is saved through `firm_create`, so it meets the rules of a firm entered by hand; every bad row
is reported with its row, column and reason.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy

from techtransfer.accounts.models import User
from techtransfer.carriers import permissions as perms
from techtransfer.carriers import services
from techtransfer.carriers.choices import FIRMS_OPEN, FirmStatus
from techtransfer.carriers.models import Carrier, IncubatedFirm
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
from techtransfer.lib.tables import Column, rows_export, text_of, value_normalise
from techtransfer.lib.validators import normalise_uscc, validate_uscc

IMPORT_JOB = "techtransfer.carriers.importing.import_run"
EXAMPLE_USCC = "91110108MA01A0B1XN"  # not a valid code: the template's example row, skipped when left in

REQUIRED = gettext_lazy("This column is required.")
BAD_DATE = gettext_lazy("%(value)s is not a date; write YYYY-MM-DD.")
UNKNOWN_STATUS = gettext_lazy("%(value)s is not a status; write 在孵, 毕业 or 离开.")
UNKNOWN_CODE = gettext_lazy("%(value)s is not in the code table “%(table)s”.")
TOO_LONG = gettext_lazy("At most %(max)d characters.")
REPEATED = gettext_lazy("This credit code repeats row %(row)d.")
NOT_AN_EDITOR = gettext_lazy("Only the operator's staff can import the carrier's firms.")
CLOSED = gettext_lazy("The carrier is withdrawn: its firms can no longer change.")
EXAMPLE_SKIPPED = gettext_lazy("The template's example row was skipped.")

COLUMNS: list[Column] = [
    Column("name", "企业名称", gettext_lazy("Firm name"), required=True, example="北京示例科技有限公司",
           aliases=("名称", "企业", "firm")),
    Column("uscc", "统一社会信用代码", gettext_lazy("Unified social credit code"), required=True,
           example=EXAMPLE_USCC, aliases=("信用代码", "uscc", "credit code")),
    Column("entry_date", "入驻日期", gettext_lazy("Entry date"), required=True, example="2024-03-01",
           aliases=("入孵日期", "entry")),
    Column("graduation_date", "毕业或离开日期", gettext_lazy("Graduation or leaving date"), example="",
           aliases=("毕业日期", "离开日期", "graduation date")),
    Column("status", "状态", gettext_lazy("Status"), example="在孵", aliases=("孵化状态",)),
    Column("field", "技术领域", gettext_lazy("Technical field"), "code", "high_tech_field", example="电子信息",
           aliases=("高新技术领域",)),
]
STATUS_WORDS = {
    **{value_normalise(v): v for v in FirmStatus.values},
    **{value_normalise(label): v for v, label in FirmStatus.choices},
    "在孵": FirmStatus.INCUBATING, "孵化中": FirmStatus.INCUBATING, "在孵企业": FirmStatus.INCUBATING,
    "毕业": FirmStatus.GRADUATED, "已毕业": FirmStatus.GRADUATED, "毕业企业": FirmStatus.GRADUATED,
    "离开": FirmStatus.LEFT, "迁出": FirmStatus.LEFT, "退出": FirmStatus.LEFT, "已离开": FirmStatus.LEFT,
}


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


@dataclass
class FirmRow:
    data: dict[str, Any] = field(default_factory=dict)


@register_import_format
class FirmFormat(ImportFormat):
    """Incubated firms of one carrier (`scope`)."""

    kind = "incubated_firms"
    label = gettext_lazy("Incubated firms")
    columns = COLUMNS
    audit_action = "carrier.firm_import"
    chunk_size = 500
    repeat_message = REPEATED

    def __init__(self, *, by: User, scope: Carrier) -> None:
        super().__init__(by=by, scope=scope)
        self.carrier = scope

    def check_permission(self) -> None:
        if not perms.can_manage(self.by, self.carrier):
            raise PermissionDenied(NOT_AN_EDITOR)
        if self.carrier.status not in FIRMS_OPEN:
            raise PermissionDenied(CLOSED)

    def row_parse(self, number: int, cells: dict[str, Any]) -> ParsedRow:
        errors: RowErrors = []
        data: dict[str, Any] = {}
        for column in COLUMNS:
            value = cells.get(column.key)
            text = text_of(value)
            if not text:
                if column.required:
                    errors.append((column.key, str(REQUIRED)))
                continue
            try:
                if column.key in ("entry_date", "graduation_date"):
                    data[column.key] = _date(value)
                elif column.key == "status":
                    status = STATUS_WORDS.get(value_normalise(text))
                    if status is None:
                        raise ValueError(str(UNKNOWN_STATUS) % {"value": text})
                    data["status"] = status
                elif column.kind == "code":
                    item = self.codes.find(column.table, value)
                    if item is None:
                        raise ValueError(str(UNKNOWN_CODE) % {"value": text, "table": column.zh})
                    data[column.key] = item
                elif column.key == "uscc":
                    data["uscc"] = normalise_uscc(text)
                else:
                    if len(text) > 200:
                        raise ValueError(str(TOO_LONG) % {"max": 200})
                    data[column.key] = text
            except ValueError as exc:
                errors.append((column.key, str(exc)))
        if data.get("uscc") == EXAMPLE_USCC:
            raise RowSkipped(str(EXAMPLE_SKIPPED))
        if data.get("uscc"):
            try:
                validate_uscc(data["uscc"])
            except ValidationError as exc:
                errors += [("uscc", message) for message in exc.messages]
        data.setdefault("status", FirmStatus.GRADUATED if data.get("graduation_date") else FirmStatus.INCUBATING)
        if errors:
            raise RowInvalid(errors)
        return ParsedRow(number, data["uscc"], FirmRow(data), key_column="uscc")

    def keys_stored(self, keys: Sequence[str]) -> set[str]:
        return set(IncubatedFirm.objects.filter(carrier=self.carrier, uscc__in=keys).values_list("uscc", flat=True))

    def rows_prepare(self, rows: Sequence[ParsedRow]) -> list[ParsedRow]:
        for row in rows:  # the firm's own rules (dates, status and date together), as firm_create checks them
            services.firm_validate(carrier=self.carrier, data=dict(row.values.data))
        return list(rows)

    def rows_save(self, rows: Sequence[ParsedRow]) -> list[int]:
        return [services.firm_create(carrier=self.carrier, by=self.by, data=dict(r.values.data)).pk for r in rows]

    def error_column(self, field: str) -> str:
        return "" if field == "__all__" else field


def firm_import(
    *, by: User, carrier: Carrier, file: bytes | str | IO[bytes] | Any, file_name: str = "",
    mode: str = ImportMode.GOOD_ROWS, max_bytes: int | None = None,
) -> ImportBatch:
    """Import a carrier's firms (CSV or XLSX) in the request; the batch reports every row."""
    return table_import(FirmFormat(by=by, scope=carrier), file=file, file_name=file_name, mode=mode,
                        max_bytes=max_bytes)


def firm_import_queue(*, by: User, carrier: Carrier, file: Any, file_name: str, mode: str) -> ImportBatch:
    return import_queue(FirmFormat(by=by, scope=carrier), file=file, file_name=file_name, mode=mode, job=IMPORT_JOB)


def import_run(*, batch_id: int) -> None:
    """The job of a queued import."""
    batch = ImportBatch.objects.select_related("by").get(pk=batch_id)
    background_imports.import_run(FirmFormat(by=batch.by, scope=Carrier.objects.get(pk=batch.scope_id)), batch)


def firm_import_template(fmt: str) -> bytes:
    return rows_export(headers=[c.header() for c in COLUMNS], rows=[[c.example for c in COLUMNS]], fmt=fmt,
                       sheet_title="Firms")
