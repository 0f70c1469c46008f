"""The code tables: the whole GB/T 2260 region table from its package, versions side by side, fast loads."""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from techtransfer.accounts.models import Organisation
from techtransfer.core.codetables import CODES_DIR, code_item, code_table_load, code_table_specs, code_tables_load_all
from techtransfer.core.models import CodeItem, CodeTable
from techtransfer.core.regions import PACKAGE

# The region table as this platform first shipped it (70 hand-kept items, version "1").
OLD_REGIONS = Path(__file__).resolve().parent / "data" / "region_v1.json"


class RegionTableTests(TestCase):
    def test_it_has_every_district_of_tianjin_and_keeps_the_codes_in_use(self) -> None:
        tianjin = CodeItem.objects.current("region").filter(parent__code="120000")
        self.assertEqual(tianjin.count(), 16)
        for code, label in [
            ("110108", "海淀区"),
            ("110105", "朝阳区"),
            ("110000", "北京市"),
            ("120000", "天津市"),
            ("130000", "河北省"),
            ("130600", "保定市"),
            ("710000", "台湾省"),
            ("900000", "境外"),
        ]:
            self.assertEqual(code_item("region", code).label_zh, label)

    def test_it_hangs_municipal_districts_under_the_municipality_and_counties_under_their_city(self) -> None:
        self.assertEqual(code_item("region", "110108").parent.code, "110000")
        self.assertEqual(code_item("region", "500101").parent.code, "500000")  # 万州区, no 500100 市辖区 level
        self.assertFalse(CodeItem.objects.current("region").filter(code__in=["110100", "500100", "500200"]).exists())
        self.assertEqual(code_item("region", "130602").parent.code, "130600")  # 保定 竞秀区
        self.assertEqual(code_item("region", "130600").parent.code, "130000")
        self.assertEqual(code_item("region", "429004").parent.code, "420000")  # 仙桃, administered by Hubei

    def test_it_is_the_whole_table(self) -> None:
        items = CodeItem.objects.current("region")
        self.assertEqual(items.filter(parent=None).count(), 35)  # 34 provincial units and 境外
        self.assertGreater(items.count(), 3000)

    def test_its_version_and_source_name_the_package(self) -> None:
        table = CodeTable.objects.get(key="region", is_current=True)
        self.assertEqual(table.version, f"{PACKAGE} {version(PACKAGE)}")
        self.assertIn("GB/T 2260", table.source)
        self.assertIn(PACKAGE, table.source)

    def test_the_pinned_package_is_the_one_the_file_describes(self) -> None:
        # Bumping the pin adds a table version on the next migrate: region.json's edition note must follow.
        spec = json.loads((CODES_DIR / "region.json").read_text(encoding="utf-8"))
        self.assertEqual(spec["package_version"], version(PACKAGE))
        requirements = (Path(__file__).resolve().parents[3] / "requirements.txt").read_text()
        self.assertIn(f"{PACKAGE}=={spec['package_version']}", requirements)


class CodeTableVersionTests(TestCase):
    def test_records_keep_the_items_of_the_version_they_were_entered_with(self) -> None:
        CodeTable.objects.filter(key="region").update(is_current=False)
        old_table = code_table_load(json.loads(OLD_REGIONS.read_text(encoding="utf-8")))
        old_haidian = old_table.items.get(code="110108")
        org = Organisation.objects.create(name="老单位", org_type="university", region=old_haidian)

        code_tables_load_all()

        org.refresh_from_db()
        self.assertEqual(org.region_id, old_haidian.pk)
        self.assertEqual(
            list(CodeTable.objects.filter(key="region", is_current=True)), [code_item("region", "110108").table]
        )
        self.assertNotEqual(code_item("region", "110108").pk, old_haidian.pk)
        old_table.refresh_from_db()
        self.assertFalse(old_table.is_current)
        self.assertEqual(old_table.items.count(), 70)

    def test_a_reload_writes_nothing_when_nothing_changed(self) -> None:
        with CaptureQueriesContext(connection) as queries:
            code_tables_load_all()
        item_writes = [q["sql"] for q in queries if "core_codeitem" in q["sql"] and not q["sql"].startswith("SELECT")]
        self.assertEqual(item_writes, [])

    def test_an_item_the_file_drops_stays_for_its_records_but_is_no_longer_offered(self) -> None:
        spec = next(s for s in code_table_specs() if s["key"] == "stage")
        dropped = spec["items"][-1]["code"]
        code_table_load({**spec, "items": spec["items"][:-1]})
        self.assertFalse(CodeItem.objects.current("stage").filter(code=dropped).exists())
        code_table_load(spec)
        self.assertTrue(CodeItem.objects.current("stage").filter(code=dropped).exists())

    def test_loading_every_table_into_an_empty_database_writes_in_bulk(self) -> None:
        # The tables load on every migrate, test databases included: thousands of items must cost a few
        # statements per table, not one per item (a count of statements, not a timing, so it holds on any machine).
        CodeItem.objects.update(parent=None)
        CodeItem.objects.all().delete()
        CodeTable.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            code_tables_load_all()
        items, tables = CodeItem.objects.count(), CodeTable.objects.count()
        self.assertGreater(items, 3000)
        self.assertLess(len(queries), 20 * tables, f"{len(queries)} statements for {items} items in {tables} tables")
