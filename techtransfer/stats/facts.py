"""The statistics' fact rows: one denormalised row per registered technology contract.

Every dimension the statistics pages filter or group by is resolved here once, when the row is written, so the
analytics store answers with plain column scans: the code items' codes (not their ids), the roll-ups (party
nature → party group by longest prefix, industry division → section, plan source → top-level programme), the
places (seller district and province, buyer country, province and scope) and the buyer's region groups.

The derivations are pure functions of codes (`party_group`, `seller_place`, `buyer_place`, `region_flags`):
the ORM engine folds its grouped rows through the same functions, and the tests check them directly.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.db.models import Max, Q
from django.utils import timezone

from techtransfer.contracts.models import CONTRACT_CODE_TABLES

FACT_VERSION = 1
DATA_DIR = Path(__file__).resolve().parent / "data"
PARTY_GROUPS_FILE = Path(__file__).resolve().parent.parent / "contracts" / "rules" / "party_groups.json"

CHINA = "142"
ABROAD_REGION = "900000"  # 境外, the platform's own region code
BEIJING = "11"
# Customs country codes of Hong Kong, Macao and Taiwan ↔ their GB/T 2260 province codes.
HMT_COUNTRY_PROVINCE = {"110": "81", "121": "82", "143": "71"}
HMT_PROVINCE_COUNTRY = {v: k for k, v in HMT_COUNTRY_PROVINCE.items()}

SCOPES = ("beijing", "other_province", "hmt", "abroad")
ECONOMIC_REGIONS = ("east", "central", "west", "northeast")

# (name, DuckDB type, PostgreSQL type). Strings are codes; "" means unknown / not applicable.
FACT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("id", "BIGINT", "bigint"),
    ("registered_on", "DATE", "date"),
    ("registered_at", "TIMESTAMP", "timestamp"),
    ("year", "SMALLINT", "smallint"),
    ("month", "SMALLINT", "smallint"),
    ("category", "VARCHAR", "varchar(16)"),
    ("subtype", "VARCHAR", "varchar(24)"),
    ("tech_field", "VARCHAR", "varchar(32)"),
    ("seller_nature", "VARCHAR", "varchar(32)"),
    ("buyer_nature", "VARCHAR", "varchar(32)"),
    ("seller_group", "VARCHAR", "varchar(16)"),
    ("buyer_group", "VARCHAR", "varchar(16)"),
    ("ip_type", "VARCHAR", "varchar(32)"),
    ("plan_source", "VARCHAR", "varchar(32)"),
    ("objective", "VARCHAR", "varchar(32)"),
    ("industry", "VARCHAR", "varchar(32)"),
    ("seller_region", "VARCHAR", "varchar(6)"),
    ("seller_district", "VARCHAR", "varchar(6)"),
    ("seller_province", "VARCHAR", "varchar(2)"),
    ("seller_affiliation", "VARCHAR", "varchar(8)"),
    ("buyer_country", "VARCHAR", "varchar(3)"),
    ("buyer_region", "VARCHAR", "varchar(6)"),
    ("buyer_province", "VARCHAR", "varchar(2)"),
    ("buyer_scope", "VARCHAR", "varchar(16)"),
    ("buyer_econ_region", "VARCHAR", "varchar(16)"),
    ("buyer_jjj", "BOOLEAN", "boolean"),
    ("buyer_jinji", "BOOLEAN", "boolean"),
    ("buyer_yrd", "BOOLEAN", "boolean"),
    ("buyer_gba", "BOOLEAN", "boolean"),
    ("landed_beijing", "BOOLEAN", "boolean"),
    ("turnover", "DECIMAL(16,2)", "numeric(16,2)"),
    ("technical_value", "DECIMAL(16,2)", "numeric(16,2)"),
)
FACT_NAMES: tuple[str, ...] = tuple(c[0] for c in FACT_COLUMNS)
# Low-cardinality code columns (the DuckDB reader keeps them as ENUMs in memory).
CODE_COLUMNS: tuple[str, ...] = tuple(
    name for name, kind, _pg in FACT_COLUMNS if kind == "VARCHAR"
)
FLAG_COLUMNS: tuple[str, ...] = tuple(name for name, kind, _pg in FACT_COLUMNS if kind == "BOOLEAN")

FactRow = tuple[Any, ...]

# The contract's code foreign keys and their tables.
CODE_FKS: dict[str, str] = {
    name: CONTRACT_CODE_TABLES[name]
    for name in ("tech_field", "seller_nature", "buyer_nature", "ip_type", "plan_source", "objective", "industry",
                 "seller_region", "buyer_region", "buyer_country")
}


# --- reference data ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionGroup:
    code: str
    kind: str  # economic | regional | scope
    zh: str
    en: str
    prefixes: tuple[str, ...]
    scope: str = ""
    source: str = ""


@cache
def region_groups_data() -> tuple[RegionGroup, ...]:
    raw = json.loads((DATA_DIR / "region_groups.json").read_text(encoding="utf-8"))
    return tuple(
        RegionGroup(
            code=g["code"], kind=g["kind"], zh=g["zh"], en=g["en"], prefixes=tuple(g.get("prefixes", ())),
            scope=g.get("scope", ""), source=g.get("source", ""),
        )
        for g in raw["groups"]
    )


@cache
def party_groups_data() -> tuple[tuple[str, tuple[str, ...], str, str], ...]:
    """(group code, prefixes, zh, en) in file order."""
    raw = json.loads(PARTY_GROUPS_FILE.read_text(encoding="utf-8"))
    return tuple((g["code"], tuple(g["prefixes"]), g["zh"], g["en"]) for g in raw["groups"])


@cache
def _prefix_table() -> tuple[tuple[str, str], ...]:
    pairs = [(prefix, code) for code, prefixes, _zh, _en in party_groups_data() for prefix in prefixes]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def party_group(nature: str) -> str:
    """The statistics group of a party-nature code: the group with the longest prefix it starts with."""
    if not nature:
        return ""
    for prefix, group in _prefix_table():
        if nature.startswith(prefix):
            return group
    return "other"


# --- places -----------------------------------------------------------------------------------------------


def seller_place(region: str) -> tuple[str, str]:
    """(Beijing district or "", province) of the seller's 6-digit region code."""
    if not region or region == ABROAD_REGION:
        return "", ""
    province = region[:2]
    district = region if province == BEIJING and region[2:] != "0000" else ""
    return district, province


@dataclass(frozen=True)
class BuyerPlace:
    country: str
    region: str
    province: str
    scope: str


def buyer_place(region: str, country: str) -> BuyerPlace:
    """Where the buyer is: its country (3-digit customs code), region, province and scope.

    A foreign country, or the region 900000 (境外), is abroad. Hong Kong, Macao and Taiwan (by country code or
    by GB/T 2260 code) are `hmt`, with their GB/T 2260 province code. Otherwise China: Beijing or another
    province; "" when neither region nor country says where.
    """
    region = region or ""
    country = country or ""
    if (country and country != CHINA and country not in HMT_COUNTRY_PROVINCE) or region == ABROAD_REGION:
        return BuyerPlace(country, "", "", "abroad")
    if country in HMT_COUNTRY_PROVINCE:
        province = HMT_COUNTRY_PROVINCE[country]
        return BuyerPlace(country, region if region[:2] == province else "", province, "hmt")
    province = region[:2]
    if province in HMT_PROVINCE_COUNTRY:
        return BuyerPlace(HMT_PROVINCE_COUNTRY[province], region, province, "hmt")
    if not province:
        return BuyerPlace(country, "", "", "")
    return BuyerPlace(CHINA, region, province, "beijing" if province == BEIJING else "other_province")


def _member(group: RegionGroup, place: BuyerPlace) -> bool:
    if group.scope:
        return place.scope == group.scope
    key = place.region or place.province
    return bool(key) and any(key.startswith(p) for p in group.prefixes)


def region_flags(place: BuyerPlace) -> tuple[str, bool, bool, bool, bool]:
    """(economic region, in 京津冀, in 津冀, in 长三角, in 粤港澳) of a buyer place."""
    groups = {g.code: g for g in region_groups_data()}
    econ = ""
    if place.scope in ("beijing", "other_province"):
        econ = next((code for code in ECONOMIC_REGIONS if _member(groups[code], place)), "")
    return (
        econ,
        _member(groups["jjj"], place),
        _member(groups["jinji"], place),
        _member(groups["yrd"], place),
        _member(groups["gba"], place),
    )


# --- code maps --------------------------------------------------------------------------------------------


@dataclass
class CodeMaps:
    """The code items the contracts point at: {table key: {item id: code}}, the top-level code of each item
    of a hierarchical table (plan source: the programme; industry: the section letter)."""

    codes: dict[str, dict[int, str]] = field(default_factory=dict)
    tops: dict[int, str] = field(default_factory=dict)
    stamp: tuple[int, int] = (0, 0)

    def code(self, key: str, item_id: int | None) -> str:
        if item_id is None:
            return ""
        return self.codes.get(key, {}).get(item_id, "")

    def top(self, item_id: int | None) -> str:
        return "" if item_id is None else self.tops.get(item_id, "")

    def ids(self, key: str) -> dict[int, str]:
        return self.codes.get(key, {})


_maps: CodeMaps | None = None


def code_maps() -> CodeMaps:
    """The code maps, reloaded when the code items change (one cheap query to tell)."""
    global _maps
    from techtransfer.core.models import CodeItem

    keys = set(CODE_FKS.values())
    rows = CodeItem.objects.filter(table__key__in=keys)
    stats = rows.aggregate(n=Max("id"))
    stamp = (rows.count(), stats["n"] or 0)
    if _maps is not None and _maps.stamp == stamp:
        return _maps
    maps = CodeMaps(stamp=stamp)
    parents: dict[int, int | None] = {}
    codes_by_id: dict[int, str] = {}
    for item_id, key, code, parent_id in rows.values_list("id", "table__key", "code", "parent_id"):
        maps.codes.setdefault(key, {})[item_id] = code
        parents[item_id] = parent_id
        codes_by_id[item_id] = code
    for item_id in parents:
        top, seen = item_id, 0
        while parents.get(top) is not None and seen < 10:
            top, seen = parents[top] or top, seen + 1
        maps.tops[item_id] = codes_by_id[top]
    _maps = maps
    return maps


# --- rows -------------------------------------------------------------------------------------------------

# What one row is read from: plain values, no per-row queries.
SOURCE_FIELDS: tuple[str, ...] = (
    "id", "registered_on", "decided_at", "category", "subtype", "tech_field_id", "seller_nature_id",
    "buyer_nature_id", "ip_type_id", "plan_source_id", "objective_id", "industry_id", "seller_region_id",
    "seller__region_id", "seller_affiliation", "buyer_region_id", "buyer_country_id", "turnover",
    "approved_technical_value", "declared_technical_value",
)


def fact_row(values: Sequence[Any], maps: CodeMaps) -> FactRow:
    """One fact row from the SOURCE_FIELDS values of a registered contract."""
    (pk, registered_on, decided_at, category, subtype, tech_field, seller_nature, buyer_nature, ip_type,
     plan_source, objective, industry, seller_region, org_region, affiliation, buyer_region, buyer_country,
     turnover, approved, declared) = values
    seller_region_code = maps.code("region", seller_region if seller_region is not None else org_region)
    district, seller_province = seller_place(seller_region_code)
    place = buyer_place(maps.code("region", buyer_region), maps.code("country", buyer_country))
    econ, jjj, jinji, yrd, gba = region_flags(place)
    seller_nature_code = maps.code("contract_party_nature", seller_nature)
    buyer_nature_code = maps.code("contract_party_nature", buyer_nature)
    registered_at = None
    if decided_at is not None:
        registered_at = timezone.make_naive(decided_at, datetime.UTC) if timezone.is_aware(decided_at) else decided_at
    return (
        pk,
        registered_on,
        registered_at,
        registered_on.year,
        registered_on.month,
        category or "",
        subtype or "",
        maps.code("contract_tech_field", tech_field),
        seller_nature_code,
        buyer_nature_code,
        party_group(seller_nature_code),
        party_group(buyer_nature_code),
        maps.code("contract_ip_type", ip_type),
        maps.top(plan_source),
        maps.code("socio_economic_objective", objective),
        maps.top(industry),
        seller_region_code,
        district,
        seller_province,
        affiliation or "",
        place.country,
        place.region,
        place.province,
        place.scope,
        econ,
        jjj,
        jinji,
        yrd,
        gba,
        place.province == BEIJING,
        Decimal(turnover),
        Decimal(approved if approved is not None else declared),
    )


def month_key(day: datetime.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_range(month: str) -> tuple[datetime.date, datetime.date]:
    """First and last day of a "YYYY-MM" month."""
    year, mon = int(month[:4]), int(month[5:7])
    first = datetime.date(year, mon, 1)
    nxt = datetime.date(year + (mon == 12), mon % 12 + 1, 1)
    return first, nxt - datetime.timedelta(days=1)


def registered_contracts(months: Iterable[str] | None = None) -> Any:
    from techtransfer.contracts.models import TechnologyContract

    qs = TechnologyContract.objects.registered().filter(registered_on__isnull=False)
    if months is not None:
        cond = Q(pk__in=[])
        for month in months:
            first, last = month_range(month)
            cond |= Q(registered_on__gte=first, registered_on__lte=last)
        qs = qs.filter(cond)
    return qs


def registered_months() -> list[str]:
    """The months that have registered contracts."""
    from django.db.models.functions import TruncMonth

    months = (
        registered_contracts().annotate(m=TruncMonth("registered_on")).values_list("m", flat=True).distinct()
    )
    return sorted({month_key(m) for m in months if m is not None})


def fact_batches(months: Iterable[str] | None = None, *, batch: int = 20000) -> Iterator[list[FactRow]]:
    """The fact rows of the registered contracts (of the given "YYYY-MM" months, else all), in batches,
    ordered by id; read with values_list and keyset pagination (no per-row queries)."""
    maps = code_maps()
    qs = registered_contracts(months).order_by("id")
    last = 0
    while True:
        values = list(qs.filter(id__gt=last).values_list(*SOURCE_FIELDS)[:batch])
        if not values:
            return
        last = values[-1][0]
        yield [fact_row(v, maps) for v in values]
