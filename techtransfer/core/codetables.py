"""Loading the versioned code tables shipped in core/codes/*.json into the database.

Each file holds one version of one table:
{"key", "version", "name", "name_en", "source", "confirmed", "effective_from", "items": [
    {"code", "zh", "en", "parent"?}, ...]}
Loading is idempotent: an existing version is brought up to date, never duplicated. A new version of a
table becomes the current one; the old version stays for the records that point at it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from techtransfer.core.models import CodeItem, CodeTable

CODES_DIR = Path(__file__).resolve().parent / "codes"
_table_keys: dict[int, str] = {}


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
    for order, raw in enumerate(spec["items"]):
        item = existing.get(raw["code"]) or CodeItem(table=table, code=raw["code"])
        item.label_zh = raw["zh"]
        item.label_en = raw.get("en", "")
        item.sort_order = order
        item.parent = existing.get(raw["parent"]) if raw.get("parent") else None
        item.active = True
        item.save()
        existing[item.code] = item
    return table


def code_tables_load_all(directory: Path = CODES_DIR) -> list[CodeTable]:
    return [
        code_table_load(json.loads(path.read_text(encoding="utf-8"))) for path in sorted(directory.glob("*.json"))
    ]


def code_item(key: str, code: str) -> CodeItem:
    """The current item `code` of table `key` (raises CodeItem.DoesNotExist)."""
    return CodeItem.objects.current(key).get(code=code)


def code_table_key(table_id: int) -> str:
    """The key of a code table by id, cached for the process (table ids never change meaning)."""
    if table_id not in _table_keys:
        _table_keys.update(CodeTable.objects.values_list("id", "key"))
    return _table_keys.get(table_id, "")
