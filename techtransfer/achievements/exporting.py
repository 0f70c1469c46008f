"""Exports of achievement lists as XLSX or CSV: the columns the list shows, labels in the active language.

The file itself (numbers as numbers, ISO dates, UTF-8 CSV with a BOM, formula-safe cells) is
`techtransfer.lib.tables.rows_export`'s. Every achievement export starts with the record ID: importing an
export back into the same unit recognises its records by it and creates nothing (see importing.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from techtransfer.achievements.choices import PATENT_KINDS, IPKind
from techtransfer.achievements.importing import COLUMNS, EXPORT_ONLY, RECORD_ID
from techtransfer.achievements.models import Achievement
from techtransfer.core.imports import HASH_KEY
from techtransfer.lib.tables import EXPORT_FORMATS, rows_export

__all__ = ["DEFAULT_COLUMNS", "EXPORT_COLUMNS", "FORMATS", "FULL_COLUMNS", "achievements_export", "rows_export"]

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
    *, queryset: QuerySet[Achievement], fmt: str, columns: Sequence[str] | None = None
) -> bytes:
    """The achievements of `queryset` as XLSX or CSV bytes, with the given columns (keys of EXPORT_COLUMNS).

    The caller passes a queryset already limited to what the user may see (selectors.achievement_list).
    The record ID always comes first, so an export can be re-imported without creating duplicates.
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
    rows = ([c.value(a) for c in chosen] for a in qs.iterator(chunk_size=1000))
    return rows_export(headers=[str(c.label) for c in chosen], rows=rows, fmt=fmt, sheet_title=_("Achievements"))
