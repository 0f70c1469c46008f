"""Imports run as background jobs: a 50,000-row file takes minutes, longer than a web request may.

`import_queue` does in the request what is quick and what the form must report: the permission, the size,
whether the file is a table and whether its header has the format's columns. It then stores the upload in
MEDIA_ROOT/imports/ (never served: MEDIA_URL is not routed) and records a queued ImportBatch, and queues the
app's job with the batch's id. The job calls `import_run`, which counts the file's rows, runs `table_import`
on the batch with a progress callback (the page polls `rows_done` / `rows_expected`), records a failure on
the batch rather than losing it, and deletes the stored file when the batch is finished.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.core import jobs
from techtransfer.core.imports import ImportFormat, table_file_open, table_import, validation_errors
from techtransfer.core.models import ImportBatch, ImportMode, ImportStatus
from techtransfer.lib.tables import table_open

logger = logging.getLogger(__name__)

def import_queue(
    fmt: ImportFormat,
    *,
    file: Any,
    job: str,
    file_name: str = "",
    mode: str = ImportMode.GOOD_ROWS,
    options: dict[str, Any] | None = None,
    max_bytes: int | None = None,
) -> ImportBatch:
    """Check the file as far as the form must say (ValidationError for the `file` field), store it, record a
    queued batch and queue `job(batch_id=...)` to run it. `options` are what the job needs to build `fmt`."""
    opened = table_file_open(fmt, file=file, file_name=file_name, mode=mode, max_bytes=max_bytes)
    name = opened.batch_fields["file_name"]
    with transaction.atomic():  # the batch and the job exist together or not at all
        batch = ImportBatch(status=ImportStatus.QUEUED, options=options or {}, **opened.batch_fields)
        # A random stored name: the user's file name goes nowhere near the file system.
        stored_name = f"{uuid.uuid4().hex}{Path(name).suffix.lower()[:8]}"
        batch.upload.save(stored_name, ContentFile(opened.content), save=False)
        batch.save()
        jobs.enqueue(job, background=True, batch_id=batch.pk)
    return batch


def import_run(fmt: ImportFormat, batch: ImportBatch) -> ImportBatch:
    """Run a queued batch (the job's body). Safe to run again: a finished batch is left alone, and a batch
    whose worker died is imported again, which creates nothing twice."""
    if batch.finished:
        return batch
    try:
        with batch.upload.open("rb") as stored:
            content = stored.read()
        _headers, rows = table_open(content, batch.file_name)
        batch.rows_expected = sum(1 for _row in rows)  # a quick pass: the page shows "rows done of total"
        batch.status = ImportStatus.RUNNING
        batch.save(update_fields=["rows_expected", "status", "updated"])
        table_import(
            fmt, file=content, file_name=batch.file_name, mode=batch.mode, batch=batch, progress=_progress_save
        )
    except ValidationError as exc:  # checked in the request already; the file or the codes changed since
        _fail(batch, "; ".join(message for _column, message in validation_errors(exc)))
    except Exception:
        logger.exception("import batch %s failed", batch.pk)
        _fail(batch, _("The import stopped because of an error on the server; the rows saved so far are kept. "
                       "Import the file again: rows already saved are not duplicated."))
    _upload_delete(batch)
    return batch


def _progress_save(batch: ImportBatch) -> None:
    """After each chunk: what the progress bar reads. Inside an all-or-nothing import's transaction the page
    sees it only at the end (the counts belong to rows not saved yet)."""
    ImportBatch.objects.filter(pk=batch.pk).update(
        rows_done=batch.rows_done, total_rows=batch.total_rows, updated=timezone.now()  # `stalled` reads it
    )


def _fail(batch: ImportBatch, message: str) -> None:
    batch.status = ImportStatus.FAILED
    batch.failure = message
    batch.save(update_fields=["status", "failure", "updated"])


def _upload_delete(batch: ImportBatch) -> None:
    if batch.upload:
        batch.upload.delete(save=False)
        ImportBatch.objects.filter(pk=batch.pk).update(upload="")
