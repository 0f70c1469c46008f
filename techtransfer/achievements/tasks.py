"""Background entry points for achievements: they take ids and call services."""

from __future__ import annotations

from typing import Any

from techtransfer.achievements.signals import achievement_reindexed
from techtransfer.core import background_imports
from techtransfer.core.background_imports import import_queue
from techtransfer.core.imports import ImportFormat
from techtransfer.core.jobs import enqueue
from techtransfer.core.models import ExportFile, ImportBatch


def enqueue_reindex(achievement_id: int) -> None:
    enqueue("techtransfer.achievements.tasks.reindex", achievement_id=achievement_id)


def reindex(*, achievement_id: int) -> None:
    from techtransfer.achievements.search import achievement_reindex

    achievement_reindex(achievement_id)
    achievement_reindexed.send(sender=None, achievement_id=achievement_id)


def reindex_imported(*, achievement_ids: list[int], optimize: bool = False) -> None:
    """Index the drafts of a bulk import in batches (queued once per chunk of ids, after the import); the
    last job of a large import compacts the full-text index, as a full rebuild would."""
    from techtransfer.achievements import importing
    from techtransfer.search.api import optimize_index

    importing.search_reindex(achievement_ids)
    if optimize:
        optimize_index()


# --- imports and exports, run in the background ------------------------------------------------------------

IMPORT_JOB = "techtransfer.achievements.tasks.import_run"


def achievement_import_queue(*, by: Any, owner: Any, file: Any, file_name: str, mode: str) -> ImportBatch:
    """Check the upload (errors for the form), store it and queue its import into `owner`'s drafts."""
    from techtransfer.achievements.importing import AchievementFormat

    return import_queue(AchievementFormat(by=by, scope=owner), file=file, file_name=file_name, mode=mode,
                        job=IMPORT_JOB)


def funded_import_queue(*, by: Any, file: Any, file_name: str, programme_code: str, mode: str) -> ImportBatch:
    """Check the upload of a programme's list, store it and queue its import."""
    from techtransfer.achievements.funded import FundedProjectFormat, _programme

    fmt = FundedProjectFormat(by=by, programme=_programme(programme_code))
    return import_queue(fmt, file=file, file_name=file_name, mode=mode, job=IMPORT_JOB,
                        options={"programme_code": programme_code})


def import_run(*, batch_id: int) -> None:
    from techtransfer.accounts.models import Organisation
    from techtransfer.achievements.funded import FundedProjectFormat, _programme
    from techtransfer.achievements.importing import AchievementFormat

    batch = ImportBatch.objects.select_related("by").get(pk=batch_id)
    fmt: ImportFormat
    if batch.kind == AchievementFormat.kind:
        fmt = AchievementFormat(by=batch.by, scope=Organisation.objects.get(pk=batch.scope_id))
    else:
        fmt = FundedProjectFormat(by=batch.by, programme=_programme(batch.options["programme_code"]))
    background_imports.import_run(fmt, batch)


def export_run(*, export_id: int) -> None:
    from techtransfer.achievements import exporting

    exporting.export_run(ExportFile.objects.select_related("by").get(pk=export_id))
