"""The benchmark file: recombined achievements of one unit in the achievement import template's CSV layout
(`make_bench_csv`, read by bench/import_search.py). No database is needed to write it."""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator
from typing import IO, Any

from techtransfer.accounts.choices import OrgType
from techtransfer.achievements.choices import PATENT_KINDS, AchievementType, IPKind
from techtransfer.demo.recombine import achievement_plan, words

TYPE_WORDS_ZH = {AchievementType.APPLIED: "应用技术", AchievementType.BASIC: "基础理论", AchievementType.SOFT: "软科学"}


def achievement_rows(count: int, *, seed: int = 42, owner: str = "") -> Iterator[dict[str, Any]]:
    """`count` recombined achievements of one unit as flat dicts, for import benchmarks; no database needed.

    Keys are the service form-field names (code-table fields hold codes, dates are dates) plus
    "external_id", "units" (the other completing units), "persons" (names), "ip_items" and
    "transfer_modes" (codes); the caller formats them for its importer (see `bench_csv_write`).
    """
    w = words()
    rng = random.Random(seed)
    universities = w.kinds_of(OrgType.UNIVERSITY)
    owner = owner or f"{w.places[0][0]}{universities[0].zh}"
    partners = [f"北京{place}{kind.zh}" for place, _ in w.places for kind in w.kinds_of(OrgType.ENTERPRISE)[:4]]
    themes = list(w.themes.values())
    for index in range(count):
        co_units = rng.sample(partners, rng.randint(1, 2)) if rng.random() < 0.3 else []
        plan = achievement_plan(rng, theme=rng.choice(themes), owner_name=owner, co_units=co_units)
        row = dict(plan.data)
        row.update(
            external_id=f"DEMO-{seed}-{index + 1:06d}",
            units=co_units,
            persons=[p["name"] for p in plan.persons],
            ip_items=plan.ip_items,
            transfer_modes=plan.transfer_modes,
        )
        yield row


def _code_labels() -> dict[str, dict[str, str]]:
    """Chinese labels of the shipped code tables, read from their files (no database needed)."""
    from techtransfer.core.codetables import CODES_DIR

    labels: dict[str, dict[str, str]] = {}
    for path in sorted(CODES_DIR.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        labels.setdefault(spec["key"], {}).update({item["code"]: item["zh"] for item in spec["items"]})
    return labels


def bench_csv_write(stream: IO[str], *, count: int, seed: int = 42, external_ids: bool = True) -> int:
    """Write `count` rows in the achievement import template's CSV layout (headers and labels as a unit
    would fill them in); returns the number of rows written."""
    from techtransfer.achievements.importing import COLUMNS

    labels = _code_labels()
    columns = [c for c in COLUMNS if external_ids or c.key != "external_id"]
    writer = csv.writer(stream)
    writer.writerow([c.header() for c in columns])
    written = 0
    for row in achievement_rows(count, seed=seed):
        cells: dict[str, str] = {
            "external_id": row["external_id"],
            "achievement_type": TYPE_WORDS_ZH[row["achievement_type"]],
            "keywords": "；".join(row["keywords"]),
            "research_start": f"{row['research_start']:%Y-%m}",
            "research_end": f"{row['research_end']:%Y-%m}",
            "persons": "、".join(row["persons"]),
            "units": "；".join(row["units"]),
            "patents": "；".join(i["number"] for i in row["ip_items"] if i["kind"] in PATENT_KINDS),
            "software": "；".join(i["number"] for i in row["ip_items"] if i["kind"] == IPKind.SOFTWARE_COPYRIGHT),
            "transfer_modes": "；".join(labels["transfer_mode"][code] for code in row["transfer_modes"]),
            "secrecy": "无",
        }
        values = []
        for column in columns:
            if column.key in cells:
                values.append(cells[column.key])
            elif column.table:
                values.append(labels[column.table][row[column.key]])
            else:
                values.append(str(row.get(column.key) or ""))
        writer.writerow(values)
        written += 1
    return written
