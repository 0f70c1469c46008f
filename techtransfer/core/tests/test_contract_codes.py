"""The code tables and rule data of technology contract registration (JJ-001): loaded, consistent with each other."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.test import TestCase

from techtransfer.core.codetables import CODES_DIR
from techtransfer.core.models import CodeItem, CodeTable

RULES_DIR = Path(__file__).resolve().parents[2] / "contracts" / "rules"
CONTRACT_TABLES = [
    "contract_party_nature",
    "country",
    "legacy_region",
    "contract_tech_field",
    "contract_ip_type",
    "contract_plan_source",
    "socio_economic_objective",
    "payment_mode",
]


def rules(name: str) -> dict[str, Any]:
    return json.loads((RULES_DIR / name).read_text(encoding="utf-8"))


def codes(key: str) -> list[str]:
    return list(CodeItem.objects.current(key).order_by("sort_order").values_list("code", flat=True))


def party_group(code: str, groups: list[dict[str, Any]]) -> list[str]:
    """The groups whose longest matching prefix is the longest of all (exactly one when the roll-up is sound)."""
    matches = [(len(p), g["code"]) for g in groups for p in g["prefixes"] if code.startswith(p)]
    if not matches:
        return []
    longest = max(length for length, _ in matches)
    return sorted({group for length, group in matches if length == longest})


class ContractCodeTableTests(TestCase):
    def test_every_table_is_loaded_on_migrate_from_a_well_formed_file(self) -> None:
        for key in CONTRACT_TABLES:
            with self.subTest(key=key):
                spec = json.loads((CODES_DIR / f"{key}.json").read_text(encoding="utf-8"))
                self.assertEqual(spec["key"], key)
                self.assertLessEqual(len(spec["source"]), 500)  # CodeTable.source
                table = CodeTable.objects.get(key=key, is_current=True)
                self.assertEqual(table.version, spec["version"])
                self.assertEqual(codes(key), [item["code"] for item in spec["items"]])
                self.assertTrue(all(item["en"] for item in spec["items"]), "every item has an English label")

    def test_party_nature_is_the_hierarchy_of_the_form(self) -> None:
        self.assertEqual(CodeItem.objects.current("contract_party_nature").get(code="0112").parent.code, "011")
        self.assertEqual(CodeItem.objects.current("contract_party_nature").get(code="011").parent.code, "010")
        self.assertEqual(CodeItem.objects.current("contract_party_nature").get(code="340").parent.code, "300")
        top = CodeItem.objects.current("contract_party_nature").filter(parent=None)
        self.assertEqual(
            list(top.values_list("code", flat=True)), ["010", "020", "030", "100", "200", "300", "400", "900"]
        )
        self.assertFalse(CodeTable.objects.get(key="contract_party_nature", is_current=True).confirmed)

    def test_every_party_nature_code_falls_in_exactly_one_statistics_group(self) -> None:
        groups = rules("party_groups.json")["groups"]
        prefixes = [p for g in groups for p in g["prefixes"]]
        self.assertEqual(len(prefixes), len(set(prefixes)), "a prefix in two groups")
        used: set[str] = set()
        for code in codes("contract_party_nature"):
            with self.subTest(code=code):
                found = party_group(code, groups)
                self.assertEqual(len(found), 1, f"{code} falls in {found}")
                used.update(found)
        self.assertEqual(used, {g["code"] for g in groups}, "a group no code falls in")
        self.assertEqual(party_group("0221", groups), ["university"])
        self.assertEqual(party_group("0132", groups), ["government"])
        self.assertEqual(party_group("030", groups), ["government"])
        self.assertEqual(party_group("230", groups), ["enterprise"])
        self.assertEqual(party_group("024", groups), ["other"])

    def test_the_high_tech_field_mapping_covers_all_13_fields_and_names_only_contract_fields(self) -> None:
        mapping = rules("field_mapping.json")
        self.assertFalse(mapping["confirmed"])
        high_tech = set(codes("high_tech_field"))
        self.assertEqual(len(high_tech), 13)
        self.assertEqual(set(mapping["map"]), high_tech)
        self.assertLessEqual(set(mapping["map"].values()), set(codes("contract_tech_field")))
        self.assertEqual(mapping["map"]["electronics"], "01")

    def test_the_11_technology_fields_in_their_published_order(self) -> None:
        fields = CodeItem.objects.current("contract_tech_field").order_by("sort_order")
        self.assertEqual([f.code for f in fields], [f"{n:02d}" for n in range(1, 12)])
        self.assertEqual(fields.first().label_zh, "电子信息")
        self.assertEqual(fields.get(code="08").label_zh, "核应用")
        self.assertEqual(fields.last().label_zh, "城市建设与社会发展")

    def test_country_codes_are_3_digits_and_unique(self) -> None:
        spec = json.loads((CODES_DIR / "country.json").read_text(encoding="utf-8"))
        file_codes = [item["code"] for item in spec["items"]]
        self.assertEqual(len(file_codes), len(set(file_codes)))
        self.assertGreaterEqual(len(file_codes), 60)
        for code in codes("country"):
            self.assertRegex(code, r"^\d{3}$")
        labels = dict(CodeItem.objects.current("country").values_list("code", "label_zh"))
        for code, label in [
            ("142", "中国"),
            ("110", "中国香港"),
            ("121", "中国澳门"),
            ("116", "日本"),
            ("133", "韩国"),
            ("304", "德国"),
            ("303", "英国"),
            ("344", "俄罗斯"),
            ("502", "美国"),
            ("601", "澳大利亚"),
        ]:
            self.assertEqual(labels[code], label)

    def test_legacy_regions_are_4_digits_with_cities_under_their_province(self) -> None:
        items = CodeItem.objects.current("legacy_region")
        for item in items.select_related("parent"):
            self.assertRegex(item.code, r"^\d{4}$")
            if item.parent is not None:
                self.assertEqual(item.parent.code, item.code[:2] + "00")
        self.assertEqual(items.get(code="4403").parent.code, "4400")
        self.assertEqual(items.get(code="1100").label_zh, "北京市")
        self.assertEqual(items.get(code="7100").label_zh, "港澳台")
        self.assertEqual(items.filter(parent=None).count(), 33)  # 31 provincial units, 港澳台 and 其它
