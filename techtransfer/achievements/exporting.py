"""Exports of achievement lists as XLSX or CSV: the columns the list shows, labels in the active language.

The file itself (numbers as numbers, ISO dates, UTF-8 CSV with a BOM, formula-safe cells) is
`techtransfer.lib.tables.rows_export`'s. Every achievement export starts with the record ID: importing an
export back into the same unit recognises its records by it and creates nothing (see importing.py).

The list page's export runs as a background job (`export_queue`, then `export_run` in the job): a 50,000-row
XLSX takes half a minute. The file goes to MEDIA_ROOT/exports/ and out only through a view that checks
`export_downloadable`: the user who asked, or a member of the one unit whose records it holds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from techtransfer.accounts.models import Organisation
from techtransfer.accounts.permissions import is_moderator, org_ids
from techtransfer.achievements import selectors
from techtransfer.achievements.choices import PATENT_KINDS, IPKind
from techtransfer.achievements.filters import AchievementFilterSet
from techtransfer.achievements.importing import COLUMNS, EXPORT_ONLY, RECORD_ID
from techtransfer.achievements.models import Achievement
from techtransfer.core import jobs
from techtransfer.core.imports import HASH_KEY
from techtransfer.core.models import ExportFile, ImportStatus
from techtransfer.lib.tables import EXPORT_FORMATS, rows_export

__all__ = ["DEFAULT_COLUMNS", "EXPORT_COLUMNS", "FORMATS", "FULL_COLUMNS", "achievements_export", "rows_export"]

logger = logging.getLogger(__name__)
LIST_KIND = "achievement_list"
# The columns the list page shows; its export writes the same ones.
LIST_COLUMNS = [
    "registration_number", "name", "achievement_type", "owner", "high_tech_field", "stage", "status", "registered_at",
]
PROGRESS_EVERY = 1000  # rows between two progress updates

FORMATS = EXPORT_FORMATS


# ---------------------------------------------------------------------------------------------------------
# Achievements


@dataclass(frozen=True)
class ExportColumn:
    """A column an achievement list can show and export: its label and how to read it from a record."""

    key: str
    label: str | Promise
    value: Callable[[Achievement], Any]
    related: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()


def _code(name: str) -> Callable[[Achievement], Any]:
    def read(a: Achievement) -> str:
        item = getattr(a, name)
        return item.label if item else ""

    return read


def _month(name: str) -> Callable[[Achievement], Any]:
    def read(a: Achievement) -> str:
        value = getattr(a, name)
        return f"{value:%Y-%m}" if value else ""  # ISO 8601 year-month: the form records no day

    return read


def _ip(kinds: set[str]) -> Callable[[Achievement], Any]:
    return lambda a: [i.number for i in a.ip_items.all() if i.kind in kinds]


def _date(name: str) -> Callable[[Achievement], Any]:
    return lambda a: getattr(a, name)


_READERS: dict[str, tuple[Callable[[Achievement], Any], tuple[str, ...], tuple[str, ...]]] = {
    "id": (lambda a: a.pk, (), ()),
    "external_id": (lambda a: "" if not a.import_key or HASH_KEY.match(a.import_key) else a.import_key, (), ()),
    "achievement_type": (lambda a: a.get_achievement_type_display(), (), ()),
    "keywords": (lambda a: list(a.keywords or []), (), ()),
    "research_start": (_month("research_start"), (), ()),
    "research_end": (_month("research_end"), (), ()),
    "persons": (lambda a: "、".join(p.name for p in a.persons.all()), (), ("persons",)),
    "units": (lambda a: [u.name for u in a.units.all() if u.position > 1], (), ("units",)),
    "patents": (_ip({str(k) for k in PATENT_KINDS}), (), ("ip_items",)),
    "software": (_ip({str(IPKind.SOFTWARE_COPYRIGHT)}), (), ("ip_items",)),
    "transfer_modes": (lambda a: [m.label for m in a.transfer_modes.all()], (), ("transfer_modes",)),
    "secrecy": (lambda a: a.get_secrecy_display(), (), ()),
    "registration_number": (lambda a: a.registration_number or "", (), ()),
    "status": (lambda a: a.get_status_display(), (), ()),
    "owner": (lambda a: a.owner.display_name, ("owner",), ()),
    "registered_at": (_date("registered_at"), (), ()),
    "published_at": (_date("published_at"), (), ()),
    "created": (_date("created"), (), ()),
    "funded_project": (lambda a: a.funded_project.grant_number if a.funded_project else "", ("funded_project",), ()),
}


def _export_columns() -> dict[str, ExportColumn]:
    columns: dict[str, ExportColumn] = {}
    for column in [RECORD_ID, *COLUMNS, *EXPORT_ONLY]:
        if column.key in _READERS:
            read, related, prefetch = _READERS[column.key]
        elif column.kind == "code":
            read, related, prefetch = _code(column.key), (column.key,), ()
        else:
            read, related, prefetch = (lambda a, name=column.key: getattr(a, name)), (), ()
        columns[column.key] = ExportColumn(column.key, column.en, read, related, prefetch)
    return columns


EXPORT_COLUMNS = _export_columns()
# What the achievement list shows by default.
DEFAULT_COLUMNS = [
    "id", "registration_number", "name", "achievement_type", "owner", "high_tech_field", "stage", "status",
    "registered_at",
]
# Everything the import template has, plus the registry's own fields: a full, re-importable export.
FULL_COLUMNS = ["id", *(c.key for c in COLUMNS), *(c.key for c in EXPORT_ONLY)]


def achievements_export(
    *, queryset: QuerySet[Achievement], fmt: str, columns: Sequence[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """The achievements of `queryset` as XLSX or CSV bytes, with the given columns (keys of EXPORT_COLUMNS).

    The caller passes a queryset already limited to what the user may see (selectors.achievement_list).
    The record ID always comes first, so an export can be re-imported without creating duplicates.
    `progress(rows written)` is called every PROGRESS_EVERY rows.
    """
    keys = list(columns or DEFAULT_COLUMNS)
    unknown = [k for k in keys if k not in EXPORT_COLUMNS]
    if unknown:
        raise ValueError(f"Unknown export columns: {', '.join(unknown)}")
    if "id" not in keys:
        keys.insert(0, "id")
    chosen = [EXPORT_COLUMNS[k] for k in keys]
    related = sorted({r for c in chosen for r in c.related})
    prefetch = sorted({p for c in chosen for p in c.prefetch})
    qs = queryset
    if related:
        qs = qs.select_related(*related)
    if prefetch:
        qs = qs.prefetch_related(*prefetch)
    def rows() -> Iterator[list[Any]]:
        for n, a in enumerate(qs.iterator(chunk_size=1000), start=1):
            yield [c.value(a) for c in chosen]
            if progress is not None and n % PROGRESS_EVERY == 0:
                progress(n)

    return rows_export(headers=[str(c.label) for c in chosen], rows=rows(), fmt=fmt, sheet_title=_("Achievements"))


# ---------------------------------------------------------------------------------------------------------
# The list page's export, as a background job


def achievements_listed(*, user: Any, params: Mapping[str, Any]) -> tuple[AchievementFilterSet, QuerySet[Achievement]]:
    """My list as the list page shows it: the records of my units (reviewers and the commission: every record
    they may see), filtered by `params` (the page's query). The page and its export both read it here."""
    queryset = selectors.achievement_list(user=user)
    if not is_moderator(user):
        queryset = queryset.filter(owner_id__in=org_ids(user))
    filterset = AchievementFilterSet(params or None, queryset=queryset.select_related("owner"))
    return filterset, filterset.qs.order_by("-created", "-id")


def _export_scope(user: Any) -> Organisation | None:
    """The unit whose members may also download the export: only when the list holds one unit's records."""
    if is_moderator(user):
        return None
    units = org_ids(user)
    return Organisation.objects.filter(pk__in=units).first() if len(units) == 1 else None


def export_queue(*, user: Any, params: QueryDict, fmt: str) -> ExportFile:
    """Record the export of my list (filtered as `params`) and queue the job that writes it."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}")
    scope = _export_scope(user)
    with transaction.atomic():  # the record and its job together
        export = ExportFile.objects.create(
            kind=LIST_KIND, fmt=fmt, by=user, params={k: params.getlist(k) for k in params},
            scope_type=Organisation._meta.label_lower if scope else "", scope_id=str(scope.pk) if scope else "",
        )
        jobs.enqueue("techtransfer.achievements.tasks.export_run", background=True, export_id=export.pk)
    return export


def export_run(export: ExportFile) -> ExportFile:
    """Write the file of a queued export (the job's body); a finished export is left alone. The list is read
    with the rights its user has now, not when it was asked for."""
    if export.finished:
        return export
    try:
        params = QueryDict(mutable=True)
        for key, values in export.params.items():
            params.setlist(key, values)
        _filterset, queryset = achievements_listed(user=export.by, params=params)
        export.rows_expected = queryset.count()
        export.status = ImportStatus.RUNNING
        export.save(update_fields=["rows_expected", "status", "updated"])

        def progress(done: int) -> None:
            ExportFile.objects.filter(pk=export.pk).update(rows_done=done)

        content = achievements_export(queryset=queryset, fmt=export.fmt, columns=LIST_COLUMNS, progress=progress)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        export.file_name = f"achievements-{stamp}.{export.fmt}"
        export.file.save(f"{export.pk}-{stamp}.{export.fmt}", ContentFile(content), save=False)
        export.rows_done = export.rows_expected
        export.status = ImportStatus.DONE
    except Exception:
        logger.exception("export %s failed", export.pk)
        export.status = ImportStatus.FAILED
        export.failure = _("The export stopped because of an error on the server. Please try again.")
    export.save()
    return export


def export_downloadable(*, user: Any, export: ExportFile) -> bool:
    """The user who asked for the export, or a member of the one unit whose records it holds."""
    if export.by_id == getattr(user, "pk", None):
        return True
    return export.scope_type == Organisation._meta.label_lower and export.scope_id in {str(i) for i in org_ids(user)}
