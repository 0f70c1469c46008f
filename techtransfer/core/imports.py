"""Bulk imports of table files, for any app: an app declares a format, this module runs it.

A format (`ImportFormat`) is a declaration: its columns with Chinese and English header aliases, how a
row's cells become values (with `CodeLookup` for code-table columns), which key makes a row the same row
when a file is imported again, which keys are stored already, and how a batch of good rows is saved. Apps
register their formats (`register_import_format`) the way they register search kinds; core names no app.

`table_import` runs a format over a file and records an `ImportBatch`:
- every bad row is reported with the row number Excel shows (the header is row 1), the column as the
  file names it, and the reason, whether the row fails to parse or is refused when saved;
- `ImportMode.GOOD_ROWS` saves every good row (one transaction per chunk) and reports every bad one;
  `ImportMode.ALL_OR_NOTHING` saves nothing if any row is bad, and says so (the batch has `nothing_saved`);
- a row whose key is stored already, or that repeats an earlier row of the file, creates nothing, so
  importing the same file twice creates nothing twice;
- an oversize, empty or unreadable file, or a header without the format's required columns, raises one
  ValidationError for the `file` field and records nothing.

Each chunk is first read (`chunk_read`: parse, look up stored keys, `rows_prepare`), which writes nothing,
then saved in file order (`_Run.take`). A large file of a `parallel` format is read by helper processes while
the importer saves (`import_pool`); the counts, errors and records are the same either way.
"""

from __future__ import annotations

import abc
import contextlib
import dataclasses
import gc
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.core import import_pool, jobs
from techtransfer.core.audit import audit_record
from techtransfer.core.models import CodeItem, ImportBatch, ImportMode, ImportStatus
from techtransfer.lib.tables import (
    DEFAULT_MAX_BYTES,
    Column,
    HeaderMap,
    NumberedRow,
    columns_map,
    file_name_of,
    is_blank,
    table_open,
    text_of,
    upload_read,
    value_normalise,
)

# A file of 100,000 bad rows must not make a 100,000-entry error list; the count stays exact.
MAX_STORED_ERRORS = 5000

RowErrors = list[tuple[str, str]]  # (column key, or "" for the whole row; the reason)


class RowInvalid(Exception):
    """A format's `row_parse` found the row bad; `errors` says where and why (every problem, not the first)."""

    def __init__(self, errors: RowErrors) -> None:
        super().__init__(errors)
        self.errors = errors


class RowSkipped(Exception):
    """The row is not data (a template's untouched example row): it is noted on the batch and not counted."""

    def __init__(self, note: str) -> None:
        super().__init__(note)
        self.note = note


@dataclass
class ParsedRow:
    """A good row: its number, its idempotency key and the values the format saves."""

    number: int
    key: str
    values: Any
    # The column the key was read from, reported when a later row repeats the key; "" for a content hash.
    key_column: str = ""


def content_key(content: Any) -> str:
    """A row's key from its normalised content (codes rather than labels, ISO dates): sha256 of its JSON.

    Keys are stored with the records, so this function must not change: a changed key would make the next
    import of an old file create its rows again.
    """
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# A key that `content_key` made, as opposed to an external ID that the file gave.
HASH_KEY = re.compile(r"^[0-9a-f]{64}$")


class CodeLookup:
    """Current code-table items by code, Chinese or English label (loosely compared), loaded once per import."""

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
        text = text_of(value)
        item = table.get(text) or table.get(value_normalise(text))
        if item is None:
            text = value_normalise(text)
            if " " in text:  # "320 临床医学"
                item = table.get(text.split(" ", 1)[0])
            if item is None and text.isdigit() and len(text) == 1:  # Excel dropped the 0 of industry code 01
                item = table.get(text.zfill(2))
        return item


class ImportFormat(abc.ABC):
    """One kind of import file. Subclass, fill in the class attributes and the row and save steps, register.

    An instance is one run: it holds who imports (`by`), into whose records (`scope`, e.g. a unit) and the
    state the steps share (code lookups, caches).
    """

    kind: ClassVar[str]  # ImportBatch.kind
    label: ClassVar[str | Promise]
    columns: ClassVar[Sequence[Column]]
    # Columns accepted and ignored, such as the extra columns of the app's own export.
    ignored_columns: ClassVar[Sequence[Column]] = ()
    audit_action: ClassVar[str]
    chunk_size: ClassVar[int] = 1000
    # Whether a large file's rows may be read in helper processes (`import_pool`): `rows_known`, `row_parse`,
    # `keys_stored` and `rows_prepare` must then write nothing, and the format must pickle.
    parallel: ClassVar[bool] = False
    # What a row whose key an earlier row of the file had is told.
    repeat_message: ClassVar[str | Promise] = gettext_lazy("This row repeats row %(row)d.")

    def __init__(self, *, by: Any, scope: models.Model | None = None) -> None:
        self.by = by
        self.scope = scope
        self.codes = CodeLookup()

    # --- before reading -------------------------------------------------------------------------------

    def check_permission(self) -> None:
        """Raise PermissionDenied if `by` may not import into `scope`."""
        return None  # a hook: nothing by default

    def check_header(self, header: HeaderMap) -> None:
        """Refuse a header without the required columns (ValidationError for the `file` field)."""
        missing = [c.zh for c in self.columns if c.required and not header.has(c.key)]
        if missing:
            raise ValidationError(
                {"file": [_("The header row lacks the columns %(names)s.") % {"names": "、".join(missing)}]}
            )

    def start(self, batch: ImportBatch) -> None:
        """Called once the batch is recorded, before the first row (e.g. to name the file in audit notes)."""
        return None  # a hook: nothing by default

    # --- rows -----------------------------------------------------------------------------------------

    def rows_known(self, rows: Sequence[tuple[int, dict[str, Any]]]) -> set[int]:
        """The numbers of rows that name a stored record outright (a record ID of the app's own export):
        they are unchanged, whatever their other cells say. None by default."""
        return set()

    @abc.abstractmethod
    def row_parse(self, number: int, cells: dict[str, Any]) -> ParsedRow:
        """The row's values from its non-empty cells (by column key); raise RowInvalid with every problem."""

    @abc.abstractmethod
    def keys_stored(self, keys: Sequence[str]) -> set[str]:
        """Which of these keys are stored already (those rows are unchanged). A format may bring such a record
        up to date here when the import may do so."""

    def rows_prepare(self, rows: Sequence[ParsedRow]) -> list[ParsedRow]:
        """The rows made ready to save, with every check `rows_save` would make, writing nothing (with `parallel`,
        in a helper process). Raise ValidationError to refuse: the runner then prepares row by row to say which
        rows are bad. By default the rows as parsed."""
        return list(rows)

    @abc.abstractmethod
    def rows_save(self, rows: Sequence[ParsedRow]) -> list[int]:
        """Save the rows in one go and return the new records' ids. Raise ValidationError (or let the database
        raise IntegrityError) to refuse: the runner then saves row by row to find and report the bad rows."""

    def error_column(self, field: str) -> str:
        """The column key for a ValidationError field name raised by `rows_save` ("" for the whole row)."""
        return "" if field == "__all__" else field

    # --- after ----------------------------------------------------------------------------------------

    def audit_object(self) -> models.Model:
        """What the import's audit event is about (by default the scope)."""
        assert self.scope is not None, f"{type(self).__name__} must say what its audit event is about"
        return self.scope

    def imported(self, ids: list[int]) -> None:
        """Called once at the end with the ids of every record created, to queue their side effects as jobs
        (`core.jobs.enqueue` runs them after commit); the services' per-record jobs were dropped meanwhile."""
        return None  # a hook: nothing by default


_FORMATS: dict[str, type[ImportFormat]] = {}


def register_import_format(cls: type[ImportFormat]) -> type[ImportFormat]:
    """Make a format known by its kind (a class decorator), e.g. for the batch page and the admin."""
    _FORMATS[cls.kind] = cls
    return cls


def import_format(kind: str) -> type[ImportFormat] | None:
    return _FORMATS.get(kind)


def import_formats() -> dict[str, type[ImportFormat]]:
    return dict(_FORMATS)


def scope_of(obj: models.Model | None) -> dict[str, str]:
    """The scope fields of an ImportBatch for `obj` (empty for none), as the audit trail references objects."""
    if obj is None:
        return {"scope_type": "", "scope_id": "", "scope_repr": ""}
    return {"scope_type": obj._meta.label_lower, "scope_id": str(obj.pk), "scope_repr": str(obj)[:300]}


def batches_for(objs: Iterable[models.Model], *, kind: str) -> models.QuerySet[ImportBatch]:
    """The import batches of `kind` into any of `objs` (all of one model), newest first."""
    objs = list(objs)
    if not objs:
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(
        kind=kind, scope_type=objs[0]._meta.label_lower, scope_id__in=[str(o.pk) for o in objs]
    )


def validation_errors(exc: ValidationError, column: Callable[[str], str] = lambda f: f) -> RowErrors:
    if hasattr(exc, "error_dict"):
        return [(column(k), m) for k, ms in exc.message_dict.items() for m in ms]
    return [("", m) for m in exc.messages]


def _chunks(rows: Iterable[NumberedRow], size: int) -> Iterator[list[NumberedRow]]:
    chunk: list[NumberedRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@contextlib.contextmanager
def _young_objects_only() -> Iterator[None]:
    """Keep the cyclic garbage collector to the objects the import makes.

    An import allocates millions of short-lived objects; each collection that follows would also walk every
    object the process already holds (Django, the code tables, ...), which took about 30% of the import's
    time. Freezing those for the duration is what long-running Python services do after start-up; the
    objects are handed back to the collector at the end.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _chunk_transaction_settings() -> None:
    """On PostgreSQL, two settings for a chunk's transaction, which otherwise spent a third of the import
    waiting for its commit while Python had nothing to do:

    - foreign keys are checked as each row arrives, while the next rows are still being prepared, rather
      than all at once at commit (Django declares them deferrable); a format's save must therefore write
      parents before their children, as `achievements_create` does;
    - the commit returns before its WAL is on disk (the WAL writer flushes it within a fraction of a second).
      The batch record is saved with an ordinary commit at the end, which waits for all the WAL before it,
      so a finished import is as durable as any; a crash in the middle loses at most the last chunks, and
      importing the file again creates only what is missing.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


@dataclass
class RowOutcome:
    """What reading made of one non-blank row of a file."""

    number: int
    row: ParsedRow | None = None  # good: parsed and prepared to save
    errors: RowErrors = dataclasses.field(default_factory=list)  # bad (row is None): every problem
    skipped: str = ""  # not data: why
    known: bool = False  # names a stored record (`rows_known`)
    stored: bool = False  # its key was stored already when it was read


def chunk_read(fmt: ImportFormat, header: HeaderMap, chunk: list[NumberedRow]) -> list[RowOutcome]:
    """A chunk's rows read, checked and prepared to save, in file order. It writes nothing and needs only
    committed data, so that a helper process can run it (`import_pool`) while the importer saves."""
    rows = [(number, header.cells(values)) for number, values in chunk if not is_blank(values)]
    if not rows:
        return []
    known = fmt.rows_known(rows)
    outcomes: list[RowOutcome] = []
    parsed: list[tuple[RowOutcome, ParsedRow]] = []
    for number, cells in rows:
        if number in known:
            outcomes.append(RowOutcome(number, known=True))
            continue
        try:
            row = fmt.row_parse(number, cells)
        except RowSkipped as skipped:
            outcomes.append(RowOutcome(number, skipped=skipped.note))
            continue
        except RowInvalid as invalid:
            outcomes.append(RowOutcome(number, errors=invalid.errors))
            continue
        outcome = RowOutcome(number, row=row)
        outcomes.append(outcome)
        parsed.append((outcome, row))
    stored = fmt.keys_stored([row.key for _o, row in parsed]) if parsed else set()
    fresh = []
    for outcome, row in parsed:
        if row.key in stored:
            outcome.stored = True
        else:
            fresh.append((outcome, row))
    _prepare(fmt, fresh)
    return outcomes


def _prepare(fmt: ImportFormat, rows: list[tuple[RowOutcome, ParsedRow]]) -> None:
    """`rows_prepare` for a chunk's new rows at once; if it refuses, row by row to find the bad ones."""
    if not rows:
        return
    try:
        prepared = fmt.rows_prepare([row for _o, row in rows])
    except ValidationError:
        for outcome, row in rows:
            try:
                outcome.row = fmt.rows_prepare([row])[0]
            except ValidationError as exc:
                outcome.row, outcome.errors = None, validation_errors(exc, fmt.error_column)
        return
    for (outcome, _row), ready in zip(rows, prepared, strict=True):
        outcome.row = ready


class _Rollback(Exception):
    pass


class _Run:
    """One run of `table_import`: parses, de-duplicates and saves rows chunk by chunk, counting on the batch."""

    def __init__(
        self, fmt: ImportFormat, batch: ImportBatch, header: HeaderMap,
        progress: Callable[[ImportBatch], None] | None = None,
    ) -> None:
        self.fmt = fmt
        self.batch = batch
        self.header = header
        self.progress = progress
        self.seen: dict[str, int] = {}
        self.created_ids: list[int] = []

    def note(self, row: int, column: str, message: str) -> None:
        errors = self.batch.errors
        if len(errors) < MAX_STORED_ERRORS:
            errors.append({"row": row, "field": self.header.title(column), "message": str(message)})
        elif len(errors) == MAX_STORED_ERRORS:
            errors.append({"row": row, "field": "", "message": _("Further problems are not listed.")})

    def fail(self, row: int, errors: RowErrors) -> None:
        self.batch.error_count += 1
        for column, message in errors:
            self.note(row, column, message)

    def run(self, rows: Iterable[NumberedRow], *, parallel: bool) -> None:
        chunks = _chunks(rows, self.fmt.chunk_size)
        for chunk_length, outcomes in import_pool.chunks_read(
            self.fmt, self.header, chunks, read=chunk_read, parallel=parallel
        ):
            self.take(outcomes)
            self.batch.rows_done += chunk_length
            if self.progress is not None:
                self.progress(self.batch)

    def take(self, outcomes: list[RowOutcome]) -> None:
        """Count a chunk's rows read (in file order), refuse repeats of earlier rows, and save the others."""
        batch = self.batch
        todo: list[ParsedRow] = []
        for outcome in outcomes:
            number, row = outcome.number, outcome.row
            if outcome.skipped:
                self.note(number, "", outcome.skipped)
                continue
            batch.total_rows += 1
            if outcome.known:
                batch.unchanged_count += 1
            elif row is None:
                self.fail(number, outcome.errors)
            elif (first := self.seen.get(row.key)) is not None:
                self.fail(number, [(row.key_column, str(self.fmt.repeat_message) % {"row": first})])
            else:
                self.seen[row.key] = number
                if outcome.stored:
                    batch.unchanged_count += 1
                else:
                    todo.append(row)
        self.save(todo)

    def save(self, rows: list[ParsedRow]) -> None:
        """Save a chunk with one call; if it is refused, save row by row (one savepoint each) to say which."""
        if not rows:
            return
        try:
            with transaction.atomic():
                _chunk_transaction_settings()
                ids = self.fmt.rows_save(rows)
        except (ValidationError, IntegrityError):
            ids = self.save_each(rows)
        self.batch.created_count += len(ids)
        self.created_ids.extend(ids)

    def save_each(self, rows: list[ParsedRow]) -> list[int]:
        ids: list[int] = []
        with transaction.atomic():
            _chunk_transaction_settings()  # a row's foreign keys are then checked at its own savepoint
            for row in rows:
                try:
                    with transaction.atomic():  # one savepoint per row: a failure loses only this row
                        ids += self.fmt.rows_save([row])
                except ValidationError as exc:
                    self.fail(row.number, validation_errors(exc, self.fmt.error_column))
                except IntegrityError:
                    if self.fmt.keys_stored([row.key]):  # another import stored the same row meanwhile
                        self.batch.unchanged_count += 1
                    else:
                        self.fail(row.number, [("", _("The row could not be saved; please check its values."))])
        return ids


@dataclass
class OpenedTable:
    """A table file checked as far as a form must say: its content, header map, rows and the batch's fields."""

    content: bytes
    header: HeaderMap
    rows: Iterable[NumberedRow]
    batch_fields: dict[str, Any]


def table_file_open(
    fmt: ImportFormat, *, file: Any, file_name: str = "", mode: str = ImportMode.GOOD_ROWS, max_bytes: int | None = None
) -> OpenedTable:
    """The checks every import makes before any row: the mode, the permission, the size, the table and its
    header (ValidationError for the `file` field), and what an ImportBatch of it records."""
    if mode not in ImportMode.values:
        raise ValueError(f"Unknown import mode {mode!r}")
    fmt.check_permission()
    content = upload_read(file, max_bytes=max_bytes or getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))
    name = file_name_of(file, file_name)
    headers, rows = table_open(content, name)
    header = columns_map(headers, fmt.columns, ignored=fmt.ignored_columns)
    fmt.check_header(header)
    batch_fields = {
        "kind": fmt.kind, "by": fmt.by if getattr(fmt.by, "is_authenticated", False) else None,
        "file_name": Path(name).name[:255], "sha256": hashlib.sha256(content).hexdigest(), "mode": mode,
        **scope_of(fmt.scope),
    }
    return OpenedTable(content, header, rows, batch_fields)


def table_import(
    fmt: ImportFormat,
    *,
    file: Any,
    file_name: str = "",
    mode: str = ImportMode.GOOD_ROWS,
    max_bytes: int | None = None,
    batch: ImportBatch | None = None,
    progress: Callable[[ImportBatch], None] | None = None,
) -> ImportBatch:
    """Import a table file (XLSX, CSV, TSV) with `fmt` and return the batch that reports on every row.

    The per-record side-effect jobs of the format's services are dropped while rows are saved; the format's
    `imported` hook then queues them for every new id at once (e.g. one indexing job per chunk of ids).
    `batch` is a batch recorded already (a queued import, see background_imports), filled in rather than a new
    one; `progress(batch)` is called after every chunk, with `batch.rows_done` counting the file's rows read.
    """
    opened = table_file_open(fmt, file=file, file_name=file_name, mode=mode, max_bytes=max_bytes)
    header, rows = opened.header, opened.rows
    fields = {**opened.batch_fields, "errors": header.notes, "status": ImportStatus.RUNNING}
    if batch is None:
        batch = ImportBatch.objects.create(**fields)
    else:
        # A run again (its worker died) counts afresh; rows it saved before are now "unchanged".
        counts = {"total_rows": 0, "created_count": 0, "unchanged_count": 0, "error_count": 0, "rows_done": 0}
        for field, value in {**fields, **counts}.items():
            setattr(batch, field, value)
        batch.save()
    fmt.start(batch)
    parallel = import_pool.usable(fmt)  # before the transaction below: it asks whether the caller has one
    run = _Run(fmt, batch, header, progress)
    try:
        with jobs.suppressed(), _young_objects_only():
            if mode == ImportMode.ALL_OR_NOTHING:
                try:
                    with transaction.atomic():
                        run.run(rows, parallel=parallel)
                        if batch.error_count:
                            raise _Rollback
                except _Rollback:
                    batch.created_count = 0
                    run.created_ids = []
            else:
                run.run(rows, parallel=parallel)
    except BaseException:
        batch.status = ImportStatus.FAILED  # what it saved so far is kept and counted
        raise
    else:
        batch.status = ImportStatus.DONE
    finally:
        batch.errors.sort(key=lambda e: e["row"])  # rows refused at save time come after the parse errors
        batch.save()
    changes = {"created": batch.created_count, "unchanged": batch.unchanged_count, "errors": batch.error_count}
    if batch.nothing_saved:
        changes["nothing_saved"] = True
    audit_record(
        actor=fmt.by, action=fmt.audit_action, obj=fmt.audit_object(), changes=changes,
        note=f"{batch.file_name} (import batch {batch.pk})",
    )
    if run.created_ids:
        fmt.imported(list(run.created_ids))
    return batch
